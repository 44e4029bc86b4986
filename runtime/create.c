/* box create [--bundle|-b DIR] [--pid-file FILE] [--console-socket S]
   [--preserve-fds N] [--no-pivot] ID  */
#include "commands.h"

static const struct option create_options[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "pid-file", required_argument, NULL, 'p' },
  { "console-socket", required_argument, NULL, 'c' },
  { "no-pivot", no_argument, NULL, 'n' },
  { "preserve-fds", required_argument, NULL, 'f' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_create(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  int c;

  while ((c = box_getopt(argc, argv, ":b:", create_options, err)) != -1)
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
      case 'n':
        ctx.no_pivot = true;
        break;
      case 'f':
        if (box_parse_preserve_fds("create", optarg, &ctx.preserve_fds, err) < 0)
          return -1;
        break;
      default:
        return -1;
      }
  if (box_check_args("create", argc - optind, 1, 1, "[--bundle DIR] [--pid-file FILE] [--preserve-fds N] [--no-pivot] ID", err) < 0)
    return -1;
  ctx.id = argv[optind];
  return box_container_create(&ctx, err) < 0 ? -1 : 0;
}
