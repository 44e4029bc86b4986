/* ocitest bench: per-operation latency of several runtimes, interleaved
   run by run so that drift of a shared machine hits them alike, with the
   floor (the same namespaces made by ocitest itself) measured in the same
   rounds.  Medians, p95, max, ratios to the first runtime, peak RSS. */
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char bench_usage[]
    = "usage: ocitest bench --rootfs DIR --config FILE --workdir DIR [options] RUNTIME...\n"
      "Time each runtime's create, start, state, exec, pause, resume, kill, delete and\n"
      "run (of `true`), and `--version` (start-up alone), interleaved round by round,\n"
      "and the floor: the config's namespaces made, `true` run and reaped, by ocitest.\n"
      "  --runs N        counted rounds (default 20)\n"
      "  --warmup N      rounds run first and not counted (default 3)\n"
      "  --json FILE     also write the results as JSON\n"
      "  --timeout SECS  one command may take this long (default 30)\n"
      "  --scale LIST    instead: cost at N containers in one --root, N in LIST (10,100,1000)\n"
      "  --procs N       with --scale: processes in one container for kill --all and ps (1000)\n"
      "RUNTIME: a path; its base name labels it.  Needs root; runs alone on the host.\n";

enum
{
  OPT_RUNS = 256,
  OPT_WARMUP,
  OPT_ROOTFS,
  OPT_CONFIG,
  OPT_JSON,
  OPT_WORKDIR,
  OPT_TIMEOUT,
  OPT_SCALE,
  OPT_PROCS,
};

static int
parse_one(int c, bench_opts_t *o, char **argv, ocitest_error_t *err)
{
  switch (c)
    {
    case OPT_RUNS:
      return parse_long("--runs", optarg, 1, 100000, &o->runs, err);
    case OPT_WARMUP:
      return parse_long("--warmup", optarg, 0, 100000, &o->warmup, err);
    case OPT_PROCS:
      return parse_long("--procs", optarg, 1, 20000, &o->procs, err);
    case OPT_TIMEOUT:
      return parse_seconds_ms("--timeout", optarg, &o->timeout_ms, err);
    case OPT_ROOTFS:
      o->rootfs = optarg;
      return 0;
    case OPT_CONFIG:
      o->config_path = optarg;
      return 0;
    case OPT_JSON:
      o->json_path = optarg;
      return 0;
    case OPT_WORKDIR:
      o->workdir = optarg;
      return 0;
    case OPT_SCALE:
      o->scale = optarg;
      return 0;
    default:
      return option_error(c, argv, "bench", err);
    }
}

static int
parse_opts(int argc, char **argv, bench_opts_t *o, ocitest_error_t *err)
{
  static const struct option longopts[] = {
    { "runs", required_argument, NULL, OPT_RUNS },       { "warmup", required_argument, NULL, OPT_WARMUP },
    { "rootfs", required_argument, NULL, OPT_ROOTFS },   { "config", required_argument, NULL, OPT_CONFIG },
    { "json", required_argument, NULL, OPT_JSON },       { "workdir", required_argument, NULL, OPT_WORKDIR },
    { "timeout", required_argument, NULL, OPT_TIMEOUT }, { "scale", required_argument, NULL, OPT_SCALE },
    { "procs", required_argument, NULL, OPT_PROCS },     { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  json_error_t jerr;
  int c;

  *o = (bench_opts_t){ .runs = 20, .warmup = 3, .procs = 1000, .timeout_ms = 30000 };
  options_reset();
  while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1)
    {
      if (c == 'h')
        return fputs(bench_usage, stdout), 1;
      if (parse_one(c, o, argv, err) < 0)
        return -1;
    }
  if (!o->rootfs || !o->config_path || !o->workdir)
    return ocitest_usage_error(err, "--rootfs, --config and --workdir are required (see --help)");
  if (optind >= argc)
    return ocitest_usage_error(err, "no runtime given (see --help)");
  o->config = json_load_file(o->config_path, 0, &jerr);
  if (o->config == NULL)
    return ocitest_make_error(err, 0, "config `%s`: %s (line %d)", o->config_path, jerr.text, jerr.line);
  return bench_config_clone_flags(o->config, &o->clone_flags, err);
}

/* One lifecycle of rt: create, start, state, [exec], [pause, resume],
   kill, (the wait for the init to exit, not timed), delete; then run,
   then `RUNTIME --version` (no --root): the runtime started and nothing
   done, the part of every other row that is only process start-up (a
   dynamically linked binary's loading, a Go runtime's start).  */
static int
lifecycle(bench_rt_t *rt, const bench_opts_t *o, const char *id, bool counted, ocitest_error_t *err)
{
  cleanup_free char *run_id = xasprintf("%s-run", id);
  cleanup_close int pidfd = -1;
  bench_samples_t *s = rt->s;
  bool c = counted;
  pid_t pid;

#define SAMPLE(op) (c ? &s[op] : NULL)
  if (bench_rt_cmd(rt, o, SAMPLE(BENCH_CREATE), NULL, err, "create", "--bundle", rt->sleep, "--pid-file",
                   rt->pid_file, id, NULL)
      < 0)
    return -1;
  if (bench_read_pid_file(rt->pid_file, &pid, err) < 0)
    return -1;
  pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return ocitest_make_error(err, errno, "pidfd_open container init %d", (int)pid);
  if (bench_rt_cmd(rt, o, SAMPLE(BENCH_START), NULL, err, "start", id, NULL) < 0
      || bench_rt_cmd(rt, o, SAMPLE(BENCH_STATE), NULL, err, "state", id, NULL) < 0)
    return -1;
  if (rt->has[BENCH_EXEC] && bench_rt_cmd(rt, o, SAMPLE(BENCH_EXEC), NULL, err, "exec", id, "true", NULL) < 0)
    return -1;
  if (rt->has[BENCH_PAUSE]
      && (bench_rt_cmd(rt, o, SAMPLE(BENCH_PAUSE), NULL, err, "pause", id, NULL) < 0
          || bench_rt_cmd(rt, o, SAMPLE(BENCH_RESUME), NULL, err, "resume", id, NULL) < 0))
    return -1;
  if (bench_rt_cmd(rt, o, SAMPLE(BENCH_KILL), NULL, err, "kill", id, "KILL", NULL) < 0)
    return -1;
  if (bench_wait_pidfd(pidfd, o->timeout_ms, err) < 0)
    return ocitest_error_wrap(err, "`%s`: container init %d after kill", rt->label, (int)pid);
  if (bench_rt_cmd(rt, o, SAMPLE(BENCH_DELETE), NULL, err, "delete", id, NULL) < 0)
    return -1;
  if (rt->has[BENCH_RUN]
      && bench_rt_cmd(rt, o, SAMPLE(BENCH_RUN), NULL, err, "run", "--bundle", rt->truebd, run_id, NULL) < 0)
    return -1;
  if (bench_rt_version(rt, o, SAMPLE(BENCH_VERSION), err) < 0)
    return -1;
#undef SAMPLE
  return 0;
}

/* One round: every runtime and the floor once, the order rotated by one
   each round so that no runtime always follows the same one. */
static int
round_robin(bench_rt_t *rts, int n, const bench_opts_t *o, long round, bench_samples_t *floor,
            ocitest_error_t *err)
{
  const char *true_path = NULL;
  bool counted = round >= o->warmup;
  cleanup_free char *tp = xasprintf("%s/bin/true", o->rootfs);

  true_path = tp;
  for (int k = 0; k <= n; k++)
    {
      int i = (int)((round + k) % (n + 1));
      bench_proc_t p;

      if (i == n)
        {
          if (bench_floor(o->clone_flags, true_path, &p, err) < 0)
            return -1;
          if (counted)
            bench_samples_push(floor, p.ms, p.rss_kib);
          continue;
        }
      cleanup_free char *id = xasprintf("bench-%d-%ld", (int)getpid(), round);
      if (lifecycle(&rts[i], o, id, counted, err) < 0)
        return -1;
    }
  return 0;
}

int
ocitest_cmd_bench(int argc, char **argv, ocitest_error_t *err)
{
  bench_opts_t o;
  bench_rt_t *rts = NULL;
  bench_samples_t floor = { 0 };
  int n = 0, r;

  r = parse_opts(argc, argv, &o, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  rts = xcalloc((size_t)(argc - optind), sizeof(*rts));
  for (int i = optind; i < argc && (r = bench_rt_setup(&rts[n], n, argv[i], &o, err)) == 0; i++)
    n++;
  if (r < 0)
    n++; /* the one that failed half-way is freed too */
  else if (o.scale)
    r = bench_scale(rts, n, &o, err);
  else
    {
      for (long round = 0; r == 0 && round < o.warmup + o.runs; round++)
        r = round_robin(rts, n, &o, round, &floor, err);
      if (r == 0)
        r = bench_report(rts, n, &floor, &o, err);
    }
  for (int i = 0; i < n; i++)
    {
      bench_rt_sweep(&rts[i], &o);
      bench_rt_free(&rts[i]);
    }
  free(rts);
  bench_samples_free(&floor);
  json_decref(o.config);
  return r < 0 ? -1 : 0;
}
