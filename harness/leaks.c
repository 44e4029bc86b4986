/* ocitest leaks: what is on the host now that was not at `snapshot` time. */
#include "hostsnap.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_SETTLE_MS 2000

static const char leaks_usage[]
    = "usage: ocitest leaks --from FILE [--scope DIR] [--root DIR]... [--cgroup-names FILE]\n"
      "                     [--spawned FILE] [--mounts-in-scope] [--settle SECONDS]\n"
      "Print `leak: ...` for every mount, process, state entry and cgroup not in the snapshot;\n"
      "exit 1 if there is any.\n"
      "  --from FILE        snapshot written by `ocitest snapshot`\n"
      "  --scope DIR        only new processes whose root, cwd or arguments point under DIR count\n"
      "  --root DIR         runtime state root to compare (repeatable)\n"
      "  --cgroup-names FILE  only new cgroups whose path contains one of the names in FILE\n"
      "                     (one a line: container ids, cgroupsPaths) count; a missing FILE\n"
      "                     means no names, so no cgroup counts\n"
      "  --spawned FILE     `ocitest reap --record` file: the processes runtime calls left\n"
      "                     running (and their sessions) count wherever they are\n"
      "  --mounts-in-scope  only new mounts under --scope count (cases run in parallel:\n"
      "                     another case's mounts are not this one's)\n"
      "  --settle SECONDS   keep re-reading while leaks remain, up to this long (default 2)\n";

enum
{
  OPT_FROM = 256,
  OPT_SCOPE,
  OPT_ROOT,
  OPT_SETTLE,
  OPT_CGROUP_NAMES,
  OPT_SPAWNED,
  OPT_MOUNTS_IN_SCOPE,
};

struct leaks_opts_s
{
  snap_opts_t snap;
  char **roots;
  const char *from;
  const char *cgroup_names;
  int64_t settle_ms;
};

static int
parse_leaks_opts(int argc, char **argv, struct leaks_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "from", required_argument, NULL, OPT_FROM },
    { "scope", required_argument, NULL, OPT_SCOPE },
    { "root", required_argument, NULL, OPT_ROOT },
    { "settle", required_argument, NULL, OPT_SETTLE },
    { "cgroup-names", required_argument, NULL, OPT_CGROUP_NAMES },
    { "spawned", required_argument, NULL, OPT_SPAWNED },
    { "mounts-in-scope", no_argument, NULL, OPT_MOUNTS_IN_SCOPE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_FROM:
          o->from = optarg;
          break;
        case OPT_SCOPE:
          o->snap.scope = optarg;
          break;
        case OPT_ROOT:
          o->roots = xrealloc(o->roots, (o->snap.n_roots + 1) * sizeof(char *));
          o->roots[o->snap.n_roots++] = optarg;
          o->snap.roots = o->roots;
          break;
        case OPT_CGROUP_NAMES:
          o->cgroup_names = optarg;
          break;
        case OPT_SPAWNED:
          o->snap.spawned = optarg;
          break;
        case OPT_MOUNTS_IN_SCOPE:
          o->snap.mounts_in_scope = true;
          break;
        case OPT_SETTLE:
          if (parse_seconds_ms("--settle", optarg, &o->settle_ms, err) < 0)
            return -1;
          break;
        case 'h':
          fputs(leaks_usage, stdout);
          return 1;
        default:
          return option_error(c, argv, "leaks", err);
        }
    }
  if (optind < argc)
    return ocitest_usage_error(err, "unexpected argument `%s`", argv[optind]);
  if (o->from == NULL)
    return ocitest_usage_error(err, "--from FILE is required");
  if (o->snap.mounts_in_scope && o->snap.scope == NULL)
    return ocitest_usage_error(err, "--mounts-in-scope needs --scope DIR");
  return 0;
}

/* The names in FILE, one a line, into names (a missing file: none, and a
   placeholder that matches nothing, so that no cgroup counts).  */
static void
load_cgroup_names(const char *file, str_list_t *names)
{
  cleanup_file FILE *f = fopen(file, "re");
  char line[4096];

  while (f && fgets(line, sizeof line, f))
    {
      line[strcspn(line, "\n")] = '\0';
      if (line[0] != '\0')
        str_list_push(names, xstrdup(line));
    }
  if (names->len == 0)
    str_list_push(names, xstrdup(""));
}

int
ocitest_cmd_leaks(int argc, char **argv, ocitest_error_t *err)
{
  struct leaks_opts_s o = { .settle_ms = DEFAULT_SETTLE_MS };
  cleanup_str_list str_list_t leaks = { 0 };
  cleanup_str_list str_list_t names = { 0 };
  cleanup_free char **roots = NULL;
  snapshot_t before;
  int r;

  r = parse_leaks_opts(argc, argv, &o, err);
  roots = o.roots;
  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;

  if (o.cgroup_names)
    {
      load_cgroup_names(o.cgroup_names, &names);
      o.snap.cgroup_names = names.items;
      o.snap.n_cgroup_names = names.len;
    }
  if (snapshot_load(o.from, &before, err) < 0)
    return -1;
  r = leaks_find(&before, &o.snap, o.settle_ms, &leaks, err);
  snapshot_free(&before);
  if (r < 0)
    return -1;
  for (size_t i = 0; i < leaks.len; i++)
    printf("leak: %s\n", leaks.items[i]);
  if (leaks.len == 0)
    fputs("# no leaks\n", stderr);
  return leaks.len ? OCITEST_EXIT_FAIL : OCITEST_EXIT_OK;
}
