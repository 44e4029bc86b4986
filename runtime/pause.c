/* box pause ID: freeze every process of the container (runc's command).  */
#include "commands.h"

static const struct option pause_options[] = { { NULL, 0, NULL, 0 } };

int
box_cmd_pause(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };

  if (box_getopt(argc, argv, ":", pause_options, err) != -1)
    return -1;
  if (box_check_args("pause", argc - optind, 1, 1, "ID", err) < 0)
    return -1;
  ctx.id = argv[optind];
  return box_container_pause(&ctx, err) < 0 ? -1 : 0;
}
