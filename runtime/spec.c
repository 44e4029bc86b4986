/* box spec [--bundle DIR] [--rootless]: write a default config.json
   (--rootless: one that runs as the calling user, as runc's).  */
#include "commands.h"

static const struct option spec_options[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "rootless", no_argument, NULL, 'r' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_spec(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  const char *bundle = NULL;
  bool rootless = false;
  int c;

  (void)g;
  while ((c = box_getopt(argc, argv, ":b:", spec_options, err)) != -1)
    {
      if (c == 'r')
        rootless = true;
      else if (c == 'b')
        bundle = optarg;
      else
        return -1;
    }
  if (box_check_args("spec", argc - optind, 0, 0, "[--bundle DIR] [--rootless]", err) < 0)
    return -1;
  if (rootless)
    return box_write_rootless_spec(bundle, err) < 0 ? -1 : 0;
  return box_write_default_spec(bundle, err) < 0 ? -1 : 0;
}
