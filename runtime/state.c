/* box state ID: print the runtime-spec state document.  */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"

static const struct option state_options[] = { { NULL, 0, NULL, 0 } };

int
box_cmd_state(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  char *out = NULL;

  if (box_getopt(argc, argv, ":", state_options, err) != -1)
    return -1;
  if (box_check_args("state", argc - optind, 1, 1, "ID", err) < 0)
    return -1;
  ctx.id = argv[optind];
  if (box_container_state(&ctx, &out, err) < 0)
    return -1;
  /* The command's output, not a diagnostic: printed here.  */
  printf("%s\n", out);
  free(out);
  return 0;
}
