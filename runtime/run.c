/* box run [--bundle DIR] [--pid-file FILE] [--detach] [--keep] [--preserve-fds N]
   [--no-pivot] ID
   create + start; in the foreground, exit with the container's status.  */
#include "commands.h"

static const struct option run_options[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "pid-file", required_argument, NULL, 'p' },
  { "console-socket", required_argument, NULL, 'c' },
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, 'k' },
  { "no-pivot", no_argument, NULL, 'n' },
  { "preserve-fds", required_argument, NULL, 'f' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_run(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  int c, status = 0;

  while ((c = box_getopt(argc, argv, ":b:d", run_options, err)) != -1)
    switch (c)
      {
      case 'b':
        ctx.bundle = optarg;
        break;
      case 'p':
        ctx.pid_file = optarg;
        break;
      case 'c':
        ctx.console_socket = optarg;
        break;
      case 'd':
        ctx.detach = true;
        break;
      case 'k':
        ctx.keep = true;
        break;
      case 'n':
        ctx.no_pivot = true;
        break;
      case 'f':
        if (box_parse_preserve_fds("run", optarg, &ctx.preserve_fds, err) < 0)
          return -1;
        break;
      default:
        return -1;
      }
  if (box_check_args("run", argc - optind, 1, 1, "[--bundle DIR] [--pid-file FILE] [--detach] [--keep] [--preserve-fds N] [--no-pivot] ID",
                     err)
      < 0)
    return -1;
  ctx.id = argv[optind];
  if (box_container_run(&ctx, &status, err) < 0)
    return -1;
  return status;
}
