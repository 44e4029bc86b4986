/* box kill [--all] ID [SIGNAL]: SIGNAL as KILL, SIGKILL or 9; default SIGTERM.  */
#include "commands.h"

static const struct option kill_options[] = {
  { "all", no_argument, NULL, 'a' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_kill(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  int c;

  while ((c = box_getopt(argc, argv, ":a", kill_options, err)) != -1)
    {
      if (c != 'a')
        return -1;
      /* runc's --all: every process in the container's cgroup.  */
      ctx.all = true;
    }
  if (box_check_args("kill", argc - optind, 1, 2, "ID [SIGNAL]", err) < 0)
    return -1;
  ctx.id = argv[optind];
  return box_container_kill(&ctx, argc - optind == 2 ? argv[optind + 1] : NULL, err) < 0 ? -1 : 0;
}
