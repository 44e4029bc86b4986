/* ocitest bench: what bench.c (latency, interleaved) and benchscale.c
   (cost at N containers) share: a runtime under test, with its own
   rootfs copy, bundles and --root in the work directory. */
#ifndef OCITEST_BENCH_H
#define OCITEST_BENCH_H

#include "benchrun.h"

/* The operations timed, in table order. */
enum bench_op_e
{
  BENCH_CREATE,
  BENCH_START,
  BENCH_STATE,
  BENCH_EXEC,
  BENCH_PAUSE,
  BENCH_RESUME,
  BENCH_KILL,
  BENCH_DELETE,
  BENCH_RUN,
  BENCH_VERSION, /* RUNTIME --version: what starting the binary at all costs */
  BENCH_OP_N,
};
extern const char *const bench_op_names[BENCH_OP_N];

struct bench_rt_s
{
  char *label; /* basename of the path: box, crun, runc */
  char *path;
  char *dir;    /* WORKDIR/N-label: rootfs/, sleep/, true/, root/ */
  char *root;   /* --root */
  char *sleep;  /* bundle whose process sleeps (lifecycle operations) */
  char *truebd; /* bundle whose process is `true` (run) */
  char *pid_file;
  int err_fd; /* the runtime's stderr, read when a command fails */
  bool has[BENCH_OP_N];
  bool has_list, has_ps;
  bench_samples_t s[BENCH_OP_N];
};
typedef struct bench_rt_s bench_rt_t;

struct bench_opts_s
{
  long runs, warmup;
  const char *rootfs, *config_path, *json_path, *workdir;
  const char *scale; /* --scale LIST, NULL for the latency bench */
  long procs;        /* --procs: processes in one container for kill --all and ps */
  int64_t timeout_ms;
  json_t *config;
  int clone_flags;
};
typedef struct bench_opts_s bench_opts_t;

/* Copy the rootfs, write the bundles, probe the optional commands. */
int bench_rt_setup(bench_rt_t *rt, int index, const char *path, const bench_opts_t *o, ocitest_error_t *err);
/* delete --force what is left in its --root (untimed, errors ignored). */
void bench_rt_sweep(bench_rt_t *rt, const bench_opts_t *o);
void bench_rt_free(bench_rt_t *rt);

/* RUNTIME --version, timed into into (NULL: not recorded).  */
int bench_rt_version(bench_rt_t *rt, const bench_opts_t *o, bench_samples_t *into, ocitest_error_t *err);
/* RUNTIME --root ROOT words... (NULL-terminated); the time goes to into
   (NULL: not recorded).  Fails on a non-zero exit. */
int bench_rt_cmd(bench_rt_t *rt, const bench_opts_t *o, bench_samples_t *into, bench_proc_t *proc,
                 ocitest_error_t *err, ...) __attribute__((sentinel));

/* Print the table (stdout) and write o->json_path. */
int bench_report(bench_rt_t *rts, int n, const bench_samples_t *floor, const bench_opts_t *o, ocitest_error_t *err);

int bench_scale(bench_rt_t *rts, int n, const bench_opts_t *o, ocitest_error_t *err);
/* One container with o->procs processes: ps and kill --all timed. */
int bench_scale_procs(bench_rt_t *rt, const bench_opts_t *o, json_t *out, ocitest_error_t *err);

#endif
