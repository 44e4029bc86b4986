/* ocitest snapshot: record what a case could leave behind, for `leaks`. */
#include "hostsnap.h"

#include <getopt.h>

static const char snapshot_usage[]
    = "usage: ocitest snapshot --out FILE [--scope DIR] [--root DIR]...\n"
      "Record mounts, processes, state-root entries and cgroups for a later `ocitest leaks`.\n"
      "  --out FILE    where to write the snapshot (plain text, kind<TAB>key lines)\n"
      "  --scope DIR   accepted for symmetry with `leaks` (processes are always all recorded)\n"
      "  --root DIR    a runtime state root whose entries to record (repeatable)\n";

enum
{
  OPT_OUT = 256,
  OPT_SCOPE,
  OPT_ROOT,
};

/* Options shared with `leaks`: --scope and --root fill a snap_opts_t. */
struct snapshot_opts_s
{
  snap_opts_t snap;
  char **roots;
  const char *out;
};

static int
parse_snapshot_opts(int argc, char **argv, struct snapshot_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "out", required_argument, NULL, OPT_OUT },
    { "scope", required_argument, NULL, OPT_SCOPE },
    { "root", required_argument, NULL, OPT_ROOT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_OUT:
          o->out = optarg;
          break;
        case OPT_SCOPE:
          o->snap.scope = optarg;
          break;
        case OPT_ROOT:
          o->roots = xrealloc(o->roots, (o->snap.n_roots + 1) * sizeof(char *));
          o->roots[o->snap.n_roots++] = optarg;
          o->snap.roots = o->roots;
          break;
        case 'h':
          fputs(snapshot_usage, stdout);
          return 1;
        default:
          return option_error(c, argv, "snapshot", err);
        }
    }
  if (optind < argc)
    return ocitest_usage_error(err, "unexpected argument `%s`", argv[optind]);
  if (o->out == NULL)
    return ocitest_usage_error(err, "--out FILE is required");
  return 0;
}

int
ocitest_cmd_snapshot(int argc, char **argv, ocitest_error_t *err)
{
  struct snapshot_opts_s o = { 0 };
  cleanup_free char **roots = NULL;
  snapshot_t snap;
  int r;

  r = parse_snapshot_opts(argc, argv, &o, err);
  roots = o.roots;
  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;

  if (snapshot_take(&o.snap, &snap, err) < 0)
    return -1;
  r = snapshot_save(&snap, o.out, err);
  snapshot_free(&snap);
  return r < 0 ? -1 : OCITEST_EXIT_OK;
}
