/* box ps [--format|-f table|json] ID [[--] PS-ARGS...]: the container's
   processes, as runc shows them (json: their host pids; table: the host's
   `ps PS-ARGS`, default -ef, cut to them).  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const struct option ps_options[] = {
  { "format", required_argument, NULL, 'f' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_ps(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  enum box_format_e format = BOX_FORMAT_TABLE;
  char *out = NULL;
  int c;

  /* "+": options end at the id; what follows it goes to ps.  */
  while ((c = box_getopt(argc, argv, "+:f:", ps_options, err)) != -1)
    if (c != 'f' || box_parse_format(optarg, &format, err) < 0)
      return -1;
  if (box_check_args("ps", argc - optind, 1, argc, "[--format table|json] ID [PS-ARGS...]", err) < 0)
    return -1;
  ctx.id = argv[optind];
  optind++;
  if (optind < argc && strcmp(argv[optind], "--") == 0)
    optind++;
  if (box_container_ps(&ctx, format, argv + optind, &out, err) < 0)
    return -1;
  fputs(out, stdout);
  if (format == BOX_FORMAT_JSON)
    putchar('\n');
  free(out);
  return 0;
}
