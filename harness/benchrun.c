/* ocitest bench: one timed process, the floor, the bundles (benchrun.h). */
#include "benchrun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double
mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
bench_wait_pidfd(int pidfd, int64_t timeout_ms, ocitest_error_t *err)
{
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  int64_t deadline = now_ms() + timeout_ms;

  for (;;)
    {
      int64_t left = deadline - now_ms();
      int r;

      if (left <= 0)
        return ocitest_make_error(err, ETIMEDOUT, "wait for process exit");
      r = poll(&pfd, 1, (int)left);
      if (r > 0)
        return 0;
      if (r < 0 && errno != EINTR)
        return ocitest_make_error(err, errno, "poll pidfd");
    }
}

/* wait4 with a deadline: the pidfd tells when it exited. */
static int
reap(pid_t pid, int64_t timeout_ms, int *status, struct rusage *ru, ocitest_error_t *err)
{
  cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

  if (pidfd >= 0 && bench_wait_pidfd(pidfd, timeout_ms, err) < 0)
    {
      kill(pid, SIGKILL);
      TEMP_FAILURE_RETRY(wait4(pid, status, 0, ru));
      return ocitest_error_wrap(err, "killed after %lld ms", (long long)timeout_ms);
    }
  if (TEMP_FAILURE_RETRY(wait4(pid, status, 0, ru)) < 0)
    return ocitest_make_error(err, errno, "wait4");
  return 0;
}

static int
spawn_timed(char *const argv[], int err_fd, int64_t timeout_ms, bench_proc_t *out, ocitest_error_t *err)
{
  posix_spawn_file_actions_t fa;
  struct rusage ru;
  double t0;
  pid_t pid;
  int r;

  if (ftruncate(err_fd, 0) < 0 || lseek(err_fd, 0, SEEK_SET) < 0)
    return ocitest_make_error(err, errno, "truncate the stderr file");
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  /* A detached container init must not hold our fds. */
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  t0 = mono_ms();
  r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (r != 0)
    return ocitest_make_error(err, r, "spawn `%s`", argv[0]);
  if (reap(pid, timeout_ms, &out->status, &ru, err) < 0)
    return -1;
  out->ms = mono_ms() - t0;
  out->rss_kib = ru.ru_maxrss;
  return 0;
}

char *
bench_err_text(int err_fd)
{
  char buf[2048];
  ssize_t n = pread(err_fd, buf, sizeof(buf) - 1, 0);

  if (n < 0)
    n = 0;
  buf[n] = '\0';
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    buf[--n] = '\0';
  for (char *p = buf; *p; p++)
    if (*p == '\n')
      *p = ' ';
  return xstrdup(buf);
}

/* "RUNTIME OP ID...": the words after --root DIR, for messages. */
static char *
describe(char *const argv[])
{
  cleanup_free char *s = xstrdup(argv[0]);

  for (int i = 1; argv[i]; i++)
    {
      char *t = xasprintf("%s %s", s, argv[i]);
      free(s);
      s = t;
    }
  return steal_pointer(&s);
}

int
bench_spawn_any(char *const argv[], int err_fd, int64_t timeout_ms, bench_proc_t *out, ocitest_error_t *err)
{
  cleanup_free char *what = NULL;

  if (spawn_timed(argv, err_fd, timeout_ms, out, err) == 0)
    return 0;
  what = describe(argv);
  return ocitest_error_wrap(err, "`%s`", what);
}

int
bench_spawn(char *const argv[], int err_fd, int64_t timeout_ms, bench_proc_t *out, ocitest_error_t *err)
{
  cleanup_free char *what = NULL, *text = NULL;

  if (bench_spawn_any(argv, err_fd, timeout_ms, out, err) < 0)
    return -1;
  if (WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0)
    return 0;
  what = describe(argv);
  text = bench_err_text(err_fd);
  if (WIFSIGNALED(out->status))
    return ocitest_make_error(err, 0, "`%s`: killed by signal %d: %s", what, WTERMSIG(out->status), text);
  return ocitest_make_error(err, 0, "`%s`: exit status %d: %s", what, WEXITSTATUS(out->status), text);
}

int
bench_floor(int clone_flags, const char *true_path, bench_proc_t *out, ocitest_error_t *err)
{
  char *const argv[] = { (char *)"true", NULL };
  struct rusage ru;
  double t0 = mono_ms();
  pid_t pid;

  /* fork(2) with namespaces: the child only execs, so the raw syscall
     (no atfork handlers, no stack of its own) is safe. */
  pid = (pid_t)syscall(SYS_clone, (unsigned long)clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    return ocitest_make_error(err, errno, "floor: clone");
  if (pid == 0)
    {
      execve(true_path, argv, environ);
      _exit(127);
    }
  if (reap(pid, 30000, &out->status, &ru, err) < 0)
    return ocitest_error_wrap(err, "floor");
  out->ms = mono_ms() - t0;
  out->rss_kib = ru.ru_maxrss;
  if (!WIFEXITED(out->status) || WEXITSTATUS(out->status) != 0)
    return ocitest_make_error(err, 0, "floor: `%s` in new namespaces failed (status %#x)", true_path, out->status);
  return 0;
}

static const struct
{
  const char *type;
  int flag;
} ns_flags[] = {
  { "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "ipc", CLONE_NEWIPC },       { "uts", CLONE_NEWUTS },
  { "mount", CLONE_NEWNS },  { "user", CLONE_NEWUSER },   { "cgroup", CLONE_NEWCGROUP }, { "time", 0x80 },
};

int
bench_config_clone_flags(json_t *config, int *flags, ocitest_error_t *err)
{
  json_t *list = json_object_get(json_object_get(config, "linux"), "namespaces"), *ns;
  size_t i, k;

  *flags = 0;
  json_array_foreach(list, i, ns)
  {
    const char *type = json_string_value(json_object_get(ns, "type"));

    if (json_object_get(ns, "path"))
      continue; /* joined, not made */
    for (k = 0; k < sizeof(ns_flags) / sizeof(ns_flags[0]); k++)
      if (type && strcmp(type, ns_flags[k].type) == 0)
        break;
    if (k == sizeof(ns_flags) / sizeof(ns_flags[0]))
      return ocitest_make_error(err, 0, "config: linux.namespaces: unknown type `%s`", type ? type : "(none)");
    *flags |= ns_flags[k].flag;
  }
  return 0;
}

int
bench_write_bundle(const char *dir, json_t *config, const char *rootfs, const char *const *args,
                   ocitest_error_t *err)
{
  json_t *c = json_deep_copy(config), *a = json_array();
  cleanup_free char *path = xasprintf("%s/config.json", dir), *text = NULL;
  int r;

  for (size_t i = 0; args[i]; i++)
    json_array_append_new(a, json_string(args[i]));
  json_object_set_new(json_object_get(c, "process"), "args", a);
  json_object_set_new(json_object_get(c, "root"), "path", json_string(rootfs));
  text = json_dumps(c, JSON_INDENT(1));
  json_decref(c);
  if (mkdir(dir, 0755) < 0 && errno != EEXIST)
    return ocitest_make_error(err, errno, "mkdir `%s`", dir);
  r = write_file_atomic(path, text, strlen(text), err);
  return r;
}

int
bench_read_pid_file(const char *path, pid_t *pid, ocitest_error_t *err)
{
  cleanup_free char *text = NULL;
  long v;

  if (read_file(path, 64, &text, NULL, err) < 0)
    return -1;
  v = strtol(text, NULL, 10);
  if (v <= 0)
    return ocitest_make_error(err, 0, "pid file `%s`: `%s` is no pid", path, text);
  *pid = (pid_t)v;
  return 0;
}
