/* box resume ID: thaw a paused container (runc's command).  */
#include "commands.h"

static const struct option resume_options[] = { { NULL, 0, NULL, 0 } };

int
box_cmd_resume(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };

  if (box_getopt(argc, argv, ":", resume_options, err) != -1)
    return -1;
  if (box_check_args("resume", argc - optind, 1, 1, "ID", err) < 0)
    return -1;
  ctx.id = argv[optind];
  return box_container_resume(&ctx, err) < 0 ? -1 : 0;
}
