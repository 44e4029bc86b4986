/* box events [--stats] [--interval T] ID: the container's resource usage
   as runc's stats events, once (--stats) or every T (default 5s) until
   the container is deleted.  */
#include <stdio.h>

#include "commands.h"
#include "control.h"

static const struct option events_options[] = {
  { "stats", no_argument, NULL, 's' },
  { "interval", required_argument, NULL, 'i' },
  { NULL, 0, NULL, 0 },
};

int
box_cmd_events(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  long long interval_ms = 5000;
  bool stats = false;
  int c;

  while ((c = box_getopt(argc, argv, ":", events_options, err)) != -1)
    {
      if (c == 's')
        stats = true;
      else if (c != 'i' || box_parse_duration(optarg, &interval_ms, err) < 0)
        return c == 'i' ? box_error_wrap(err, "events: --interval") : -1;
    }
  if (box_check_args("events", argc - optind, 1, 1, "[--stats] [--interval T] ID", err) < 0)
    return -1;
  ctx.id = argv[optind];
  /* Each document a line as it comes: a reader sees it at once.  */
  setvbuf(stdout, NULL, _IOLBF, 0);
  return box_container_events(&ctx, stats, interval_ms, stdout, err) < 0 ? -1 : 0;
}
