/* box delete [--force|-f] ID  */
#include "commands.h"

static const struct option delete_options[] = {
  { "force", no_argument, NULL, 'f' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_delete(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  int c;

  while ((c = box_getopt(argc, argv, ":f", delete_options, err)) != -1)
    {
      if (c != 'f')
        return -1;
      ctx.force = true;
    }
  if (box_check_args("delete", argc - optind, 1, 1, "[--force] ID", err) < 0)
    return -1;
  ctx.id = argv[optind];
  return box_container_delete(&ctx, err) < 0 ? -1 : 0;
}
