/* box spec [--bundle DIR]: write a default config.json.  */
#include "commands.h"

static const struct option spec_options[] = {
  { "bundle", required_argument, NULL, 'b' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_spec(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  const char *bundle = NULL;
  int c;

  (void)g;
  while ((c = box_getopt(argc, argv, ":b:", spec_options, err)) != -1)
    {
      if (c != 'b')
        return -1;
      bundle = optarg;
    }
  if (box_check_args("spec", argc - optind, 0, 0, "[--bundle DIR]", err) < 0)
    return -1;
  return box_write_default_spec(bundle, err) < 0 ? -1 : 0;
}
