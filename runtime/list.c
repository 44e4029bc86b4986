/* box list [--format|-f table|json] [--quiet|-q]: the containers under
   --root (runc's columns ID PID STATUS BUNDLE CREATED OWNER).  */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"

static const struct option list_options[] = {
  { "format", required_argument, NULL, 'f' },
  { "quiet", no_argument, NULL, 'q' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_list(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  enum box_format_e format = BOX_FORMAT_TABLE;
  bool quiet = false;
  char *out = NULL;
  int c;

  while ((c = box_getopt(argc, argv, ":f:q", list_options, err)) != -1)
    {
      if (c == 'q')
        quiet = true;
      else if (c != 'f' || box_parse_format(optarg, &format, err) < 0)
        return -1;
    }
  if (box_check_args("list", argc - optind, 0, 0, "[--format table|json] [--quiet]", err) < 0)
    return -1;
  if (box_container_list(&ctx, format, quiet, &out, err) < 0)
    return -1;
  fputs(out, stdout);
  if (format == BOX_FORMAT_JSON && !quiet)
    putchar('\n');
  free(out);
  return 0;
}
