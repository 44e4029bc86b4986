/* ocitest bench: running one timed process (a runtime command, or the
   floor: the namespaces made by ocitest itself), and the bench's
   bundles.  Shared by bench.c (latency) and benchscale.c (scale). */
#ifndef OCITEST_BENCHRUN_H
#define OCITEST_BENCHRUN_H

#include <jansson.h>

#include "benchstat.h"

struct bench_proc_s
{
  double ms;    /* CLOCK_MONOTONIC, from before the spawn to after wait4 */
  long rss_kib; /* wait4 ru_maxrss: the peak of the process and of the
                   children it reaped itself */
  int status;   /* wait status */
};
typedef struct bench_proc_s bench_proc_t;

/* Spawn argv[0] (a path, no PATH search, no shell) with stdin and stdout
   on /dev/null, stderr on err_fd (truncated first), every other fd
   closed; wait for it (SIGKILL after timeout_ms).  Returns 0 once it ran
   and exited 0, -1 otherwise with err naming what and err_fd's text. */
int bench_spawn(char *const argv[], int err_fd, int64_t timeout_ms, bench_proc_t *out, ocitest_error_t *err);
/* Same, but a non-zero exit is no error: returns 0, status in out. */
int bench_spawn_any(char *const argv[], int err_fd, int64_t timeout_ms, bench_proc_t *out, ocitest_error_t *err);
/* The first 2 KiB of err_fd, one line (newlines become spaces). */
char *bench_err_text(int err_fd);

/* The floor: clone(2) a child into new namespaces (clone_flags), which
   execs true_path and is reaped; its namespaces go with it.  What every
   runtime must do at least, measured the same way. */
int bench_floor(int clone_flags, const char *true_path, bench_proc_t *out, ocitest_error_t *err);

/* The CLONE_NEW* flags for linux.namespaces entries without a path. */
int bench_config_clone_flags(json_t *config, int *flags, ocitest_error_t *err);

/* dir/config.json: config with process.args = args (NULL-terminated) and
   root.path = rootfs (absolute). */
int bench_write_bundle(const char *dir, json_t *config, const char *rootfs, const char *const *args,
                       ocitest_error_t *err);

/* Wait until the process behind pidfd has exited, up to timeout_ms. */
int bench_wait_pidfd(int pidfd, int64_t timeout_ms, ocitest_error_t *err);

/* The pid in a --pid-file. */
int bench_read_pid_file(const char *path, pid_t *pid, ocitest_error_t *err);

#endif
