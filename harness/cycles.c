/* ocitest cycles: COUNT create/start/delete cycles of one bundle, each
   runtime call spawned directly with a deadline of its own.
 *
 * The case "lifecycle [create/start/delete cycles leave nothing]" makes 200
 * cycles; from bash each call was a subshell, an `ocitest reap` and the
 * runtime, and each wait for `stopped` an `ocitest wait` with a timeout(1) per
 * poll: 12 s of a 130 s suite on a 2-core host, nearly all of it process
 * creation.  Here each call is one fork of a small static process.  What the
 * calls leave running is still recorded as `ocitest reap --record` does it
 * (this process is their child subreaper), so the case's leak check counts
 * those wherever they went.  The calls' stdout and stderr go to memfds, not
 * pipes: a created container's init inherits them, and a pipe it holds open
 * would keep a reader waiting. */
#include "ocitest.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char cycles_usage[]
    = "usage: ocitest cycles --count N --bundle DIR --prefix ID --record FILE [--timeout SECONDS]\n"
      "                      -- RUNTIME [GLOBAL-ARG...]\n"
      "N times, with the id ID-I: RUNTIME create --bundle DIR ID-I, start, state until\n"
      "\"stopped\", delete; each call with a deadline of SECONDS (default 30). Stops at the\n"
      "first failure, naming the cycle, the call and what the runtime said. Appends\n"
      "`PID STARTTIME` of every process the calls left running to FILE (ocitest reap).\n";

struct cycles_s
{
  long count;
  const char *bundle;
  const char *prefix;
  const char *record;
  int64_t timeout_ms;
  char **runtime; /* RUNTIME and its global arguments */
  int n_runtime;
  int out_fd, err_fd; /* memfds the calls write to */
};
typedef struct cycles_s cycles_t;

/* The text written to a memfd since the last call, then empty it.  */
static char *
take_text(int fd)
{
  char buf[4096];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

  if (n < 0)
    n = 0;
  buf[n] = '\0';
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    buf[--n] = '\0';
  /* The calls' fds share this one's offset (dup2): back to 0 for the next.  */
  if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
    return xstrdup("(the output could not be reset)");
  return xstrdup(buf);
}

static void __attribute__((noreturn)) call_child(const cycles_t *c, char **argv)
{
  int null_fd = open("/dev/null", O_RDONLY);

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  setpgid(0, 0);
  if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(c->out_fd, 1) < 0 || dup2(c->err_fd, 2) < 0)
    _exit(127);
  /* A detached container must not hold our other fds (bats' fd 3).  */
  close_range(3, ~0U, 0);
  signal(SIGPIPE, SIG_DFL);
  execvp(argv[0], argv);
  dprintf(2, "exec `%s`: %s", argv[0], strerror(errno));
  _exit(127);
}

/* Wait for pid until deadline_ms; past it, SIGKILL its process group.
   Returns the wait status, or -1 with *timed_out set.  */
static int
wait_deadline(pid_t pid, int64_t deadline_ms, bool *timed_out)
{
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0;

  *timed_out = false;
  if (pidfd >= 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      int64_t left;
      int r;

      do
        {
          left = deadline_ms - now_ms();
          r = poll(&p, 1, left > 0 ? (int)left : 0);
        }
      while (r < 0 && errno == EINTR);
      close(pidfd);
      if (r == 0)
        {
          *timed_out = true;
          kill(-pid, SIGKILL);
          kill(pid, SIGKILL);
        }
    }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return *timed_out ? -1 : status;
}

/* RUNTIME ARGS... OP A1 [A2 A3]: 0 when it exited 0, else -1 with the cycle,
   the call and the runtime's message in err.  Its stdout in *out if wanted. */
static int
call(const cycles_t *c, long cycle, const char *op, const char *a1, const char *a2, const char *a3,
     char **out, ocitest_error_t *err)
{
  cleanup_free char **argv = xcalloc((size_t)c->n_runtime + 5, sizeof(char *));
  cleanup_free char *errtext = NULL;
  cleanup_free char *outtext = NULL;
  bool timed_out;
  int n = 0, status;
  pid_t pid;

  for (int i = 0; i < c->n_runtime; i++)
    argv[n++] = c->runtime[i];
  argv[n++] = (char *)op;
  argv[n++] = (char *)a1;
  if (a2)
    argv[n++] = (char *)a2;
  if (a3)
    argv[n++] = (char *)a3;
  pid = fork();
  if (pid < 0)
    return ocitest_make_error(err, errno, "cycle %ld: fork", cycle);
  if (pid == 0)
    call_child(c, argv);
  status = wait_deadline(pid, now_ms() + c->timeout_ms, &timed_out);
  errtext = take_text(c->err_fd);
  outtext = take_text(c->out_fd);
  if (timed_out)
    return ocitest_make_error(err, 0, "cycle %ld: `%s %s` timed out after %lld ms: %s", cycle, op,
                              argv[n - 1], (long long)c->timeout_ms, errtext);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return ocitest_make_error(err, 0, "cycle %ld: `%s %s` %s %d: %s", cycle, op, argv[n - 1],
                              WIFEXITED(status) ? "exited" : "killed by signal",
                              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), errtext);
  if (out)
    *out = steal_pointer(&outtext);
  return 0;
}

/* Poll `state ID` until it says stopped, backing off from 1 to 32 ms.  */
static int
wait_stopped(const cycles_t *c, long cycle, const char *id, ocitest_error_t *err)
{
  int64_t deadline = now_ms() + c->timeout_ms, pause = 1;
  cleanup_free char *last = xstrdup("none");

  for (;;)
    {
      cleanup_free char *out = NULL;
      json_t *doc;

      if (call(c, cycle, "state", id, NULL, NULL, &out, err) < 0)
        return -1;
      doc = json_loads(out, 0, NULL);
      if (doc && json_is_string(json_object_get(doc, "status")))
        {
          free(last);
          last = xstrdup(json_string_value(json_object_get(doc, "status")));
        }
      json_decref(doc);
      if (strcmp(last, "stopped") == 0)
        return 0;
      if (now_ms() >= deadline)
        return ocitest_make_error(err, 0, "cycle %ld: `%s` not stopped after %lld ms (status: %s)", cycle, id,
                                  (long long)c->timeout_ms, last);
      sleep_ms(pause);
      pause = pause < 32 ? pause * 2 : pause;
    }
}

static int
run_cycles(const cycles_t *c, ocitest_error_t *err)
{
  for (long i = 1; i <= c->count; i++)
    {
      cleanup_free char *id = xasprintf("%s-%ld", c->prefix, i);

      if (call(c, i, "create", "--bundle", c->bundle, id, NULL, err) < 0
          || call(c, i, "start", id, NULL, NULL, NULL, err) < 0 || wait_stopped(c, i, id, err) < 0
          || call(c, i, "delete", id, NULL, NULL, NULL, err) < 0)
        return -1;
      /* The container's init is our child now (subreaper): reap it.  */
      while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    }
  return 0;
}

static int
parse_cycles_opts(int argc, char **argv, cycles_t *c, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "count", required_argument, NULL, 'n' },
    { "bundle", required_argument, NULL, 'b' },
    { "prefix", required_argument, NULL, 'p' },
    { "record", required_argument, NULL, 'r' },
    { "timeout", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int ch;

  options_reset();
  while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
    {
      switch (ch)
        {
        case 'n':
          if (parse_long("--count", optarg, 1, 1000000, &c->count, err) < 0)
            return -1;
          break;
        case 't':
          if (parse_seconds_ms("--timeout", optarg, &c->timeout_ms, err) < 0)
            return -1;
          break;
        case 'b':
          c->bundle = optarg;
          break;
        case 'p':
          c->prefix = optarg;
          break;
        case 'r':
          c->record = optarg;
          break;
        case 'h':
          fputs(cycles_usage, stdout);
          return 1;
        default:
          return option_error(ch, argv, "cycles", err);
        }
    }
  if (c->count == 0 || !c->bundle || !c->prefix || !c->record || optind >= argc)
    return ocitest_usage_error(err,
                               "cycles: --count, --bundle, --prefix, --record and a RUNTIME are required");
  c->runtime = argv + optind;
  c->n_runtime = argc - optind;
  return 0;
}

int
ocitest_cmd_cycles(int argc, char **argv, ocitest_error_t *err)
{
  cycles_t c = { .timeout_ms = 30000, .out_fd = -1, .err_fd = -1 };
  cleanup_close int record = -1;
  cleanup_close int out_fd = -1;
  cleanup_close int err_fd = -1;
  int64_t start;
  int r;

  r = parse_cycles_opts(argc, argv, &c, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  record = open(c.record, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (record < 0)
    return ocitest_make_error(err, errno, "open `%s`", c.record);
  out_fd = c.out_fd = memfd_create("cycles-out", MFD_CLOEXEC);
  err_fd = c.err_fd = memfd_create("cycles-err", MFD_CLOEXEC);
  if (out_fd < 0 || err_fd < 0)
    return ocitest_make_error(err, errno, "memfd_create");
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
    return ocitest_make_error(err, errno, "prctl PR_SET_CHILD_SUBREAPER");
  start = now_ms();
  r = run_cycles(&c, err);
  reap_record_descendants(record);
  if (r == 0)
    printf("%ld cycles in %.1f s\n", c.count, (double)(now_ms() - start) / 1000.0);
  return r;
}
