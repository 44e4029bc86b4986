/* ocitest bench --scale, second part: one container with --procs
   processes (sleepers started by its shell), then `ps` and `kill --all`
   on it, where the runtime has them. */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* How many processes share the pid namespace whose inode is ns_ino. */
static long
count_in_pidns(ino_t ns_ino)
{
  cleanup_dir DIR *d = opendir("/proc");
  struct dirent *e;
  long n = 0;

  while (d && (e = readdir(d)))
    {
      char path[300];
      struct stat sb;

      if (e->d_name[0] < '0' || e->d_name[0] > '9')
        continue;
      snprintf(path, sizeof(path), "/proc/%s/ns/pid", e->d_name);
      if (stat(path, &sb) == 0 && sb.st_ino == ns_ino && !proc_gone((pid_t)atoi(e->d_name), NULL))
        n++;
    }
  return n;
}

static int
wait_count(ino_t ns_ino, long want_min, long want_max, int64_t timeout_ms, long *seen, ocitest_error_t *err)
{
  int64_t deadline = now_ms() + timeout_ms;

  for (;;)
    {
      *seen = count_in_pidns(ns_ino);
      if (*seen >= want_min && *seen <= want_max)
        return 0;
      if (now_ms() > deadline)
        return ocitest_make_error(err, ETIMEDOUT, "container processes: %ld, want %ld to %ld", *seen, want_min,
                                  want_max);
      sleep_ms(20);
    }
}

/* Create and start the container, and wait for all its processes. */
static int
start_many(bench_rt_t *rt, const bench_opts_t *o, const char *bundle, const char *id, ino_t *ns_ino,
           ocitest_error_t *err)
{
  cleanup_free char *script = xasprintf("i=0; while [ $i -lt %ld ]; do sleep 1000000 & i=$((i+1)); done; wait",
                                        o->procs);
  cleanup_free char *rootfs = xasprintf("%s/rootfs", rt->dir), *ns = NULL;
  const char *args[] = { "sh", "-c", script, NULL };
  struct stat sb;
  pid_t pid;
  long seen;

  if (bench_write_bundle(bundle, o->config, rootfs, args, err) < 0
      || bench_rt_cmd(rt, o, NULL, NULL, err, "create", "--bundle", bundle, "--pid-file", rt->pid_file, id, NULL) < 0
      || bench_read_pid_file(rt->pid_file, &pid, err) < 0)
    return -1;
  ns = xasprintf("/proc/%d/ns/pid", (int)pid);
  if (stat(ns, &sb) < 0)
    return ocitest_make_error(err, errno, "stat `%s`", ns);
  *ns_ino = sb.st_ino;
  if (bench_rt_cmd(rt, o, NULL, NULL, err, "start", id, NULL) < 0)
    return -1;
  return wait_count(*ns_ino, o->procs + 1, o->procs + 1, 120000, &seen, err);
}

int
bench_scale_procs(bench_rt_t *rt, const bench_opts_t *o, json_t *out, ocitest_error_t *err)
{
  cleanup_free char *bundle = xasprintf("%s/many", rt->dir), *id = xasprintf("many-%d", (int)getpid());
  bench_samples_t ps = { 0 };
  bench_summary_t sum;
  bench_proc_t kill_all;
  int64_t t0, gone_ms;
  ino_t ns_ino = 0;
  long seen;
  int r;

  r = start_many(rt, o, bundle, id, &ns_ino, err);
  for (long k = 0; r == 0 && rt->has_ps && k < o->runs; k++)
    r = bench_rt_cmd(rt, o, &ps, NULL, err, "ps", id, NULL);
  if (r == 0)
    r = bench_rt_cmd(rt, o, NULL, &kill_all, err, "kill", "--all", id, "KILL", NULL);
  t0 = now_ms();
  if (r == 0)
    r = wait_count(ns_ino, 0, 0, 60000, &seen, err);
  gone_ms = now_ms() - t0;
  if (r == 0)
    r = bench_rt_cmd(rt, o, NULL, NULL, err, "delete", "--force", id, NULL);
  if (r < 0)
    {
      bench_samples_free(&ps);
      return ocitest_error_wrap(err, "%s: %ld processes in one container", rt->label, o->procs);
    }
  bench_summarize(&ps, &sum);
  printf("%-8s %ld processes in one container: ps %s%.2f ms, kill --all %.2f ms, all gone %lld ms later\n",
         rt->label, o->procs, rt->has_ps ? "" : "absent ", sum.median, kill_all.ms, (long long)gone_ms);
  json_object_set_new(out, "procs", json_pack("{s:I, s:f, s:f, s:I}", "n", (json_int_t)o->procs, "ps_median_ms",
                                              sum.median, "kill_all_ms", kill_all.ms, "gone_after_ms",
                                              (json_int_t)gone_ms));
  bench_samples_free(&ps);
  return 0;
}
