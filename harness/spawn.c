/* Running a command (a runtime's `state`, typically) with captured output and
   a hard deadline: a hung runtime must turn into a failed round, not a hung
   test suite. */
#include "ocitest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* Captured output beyond this is dropped; a state document is a few hundred
   bytes. */
#define CAPTURE_MAX (1u << 20)
/* After the command exits, how long a grandchild that inherited its pipes may
   keep them open before we stop reading. */
#define PIPE_GRACE_MS 200

struct capture_s
{
  int fd;
  char *buf;
  size_t len;
};

/* In the child: never returns.  Reports an exec failure as an errno on
   err_fd (close-on-exec, so a successful exec sends nothing). */
static void __attribute__((noreturn)) child_exec(char *const argv[], int out_fd, int errout_fd, int err_fd)
{
  int null_fd, e;

  /* If ocitest is killed, its timeouts die with it; take the command along. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  setpgid(0, 0);
  null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(errout_fd, 2) < 0)
    goto fail;
  /* A detached child holding the caller's pipes open stalls bats (the fd 3
     problem), so everything above stderr is closed before exec, except the
     exec-error pipe, moved to fd 3 first. */
  if (err_fd != 3 && dup3(err_fd, 3, O_CLOEXEC) < 0)
    goto fail;
  err_fd = 3;
  if (close_range(4, ~0U, 0) < 0)
    for (int fd = 4; fd < 65536; fd++)
      close(fd);
  signal(SIGPIPE, SIG_DFL);
  execvp(argv[0], argv);
fail:
  e = errno;
  if (write(err_fd, &e, sizeof(e)) < 0)
    _exit(127);
  _exit(127);
}

/* Drain whatever is readable; returns false once the fd hit EOF. */
static bool
capture_read(struct capture_s *c)
{
  char tmp[4096];
  ssize_t n = read(c->fd, tmp, sizeof(tmp));

  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    return false;
  if (c->len + (size_t)n > CAPTURE_MAX)
    n = (ssize_t)(CAPTURE_MAX - c->len);
  c->buf = xrealloc(c->buf, c->len + (size_t)n + 1);
  memcpy(c->buf + c->len, tmp, (size_t)n);
  c->len += (size_t)n;
  c->buf[c->len] = '\0';
  return true;
}

static void
record_status(cmd_result_t *res, int status)
{
  res->exited = WIFEXITED(status);
  res->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* Wait up to timeout_ms for output and read what came; closes a pipe at
   EOF.  Returns how many pipes are still open. */
static int
read_pipes(struct capture_s cap[2], int timeout_ms)
{
  struct pollfd pfd[2];
  int nfds = 0;

  for (int i = 0; i < 2; i++)
    if (cap[i].fd >= 0)
      pfd[nfds++] = (struct pollfd){ .fd = cap[i].fd, .events = POLLIN };
  if (nfds == 0)
    {
      sleep_ms(timeout_ms);
      return 0;
    }
  if (poll(pfd, (nfds_t)nfds, timeout_ms) <= 0)
    return nfds;
  for (int j = 0; j < nfds; j++)
    for (int i = 0; i < 2; i++)
      if (cap[i].fd == pfd[j].fd && (pfd[j].revents & (POLLIN | POLLHUP | POLLERR)) && !capture_read(&cap[i]))
        {
          close(cap[i].fd);
          cap[i].fd = -1;
          nfds--;
        }
  return nfds;
}

/* Pump both pipes until EOF and the child is reaped, or the deadline. */
static void
pump(pid_t pid, struct capture_s cap[2], int64_t deadline, cmd_result_t *res)
{
  bool reaped = false;
  int64_t grace_end = 0;
  int status, open_pipes = 2;

  for (;;)
    {
      int64_t now = now_ms();

      if (!reaped && waitpid(pid, &status, WNOHANG) == pid)
        {
          reaped = true;
          record_status(res, status);
          grace_end = now + PIPE_GRACE_MS;
        }
      /* A grandchild that inherited the pipes (a daemonising runtime) may
         hold them open forever; after the grace period we stop listening. */
      if (reaped && (open_pipes == 0 || now >= grace_end))
        return;
      if (!reaped && now >= deadline)
        {
          res->timed_out = true;
          kill(-pid, SIGKILL);
          kill(pid, SIGKILL);
          while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
          record_status(res, status);
          res->exited = false;
          return;
        }
      /* Short slices, no pidfd: the child's exit must be noticed even while
         its pipes stay silent. */
      open_pipes
          = read_pipes(cap, (int)(reaped ? grace_end - now : (deadline - now < 10 ? deadline - now : 10)));
    }
}

int
run_command(char *const argv[], int64_t timeout_ms, cmd_result_t *res, ocitest_error_t *err)
{
  int out_pipe[2] = { -1, -1 }, errout_pipe[2] = { -1, -1 }, exec_pipe[2] = { -1, -1 };
  struct capture_s cap[2];
  cleanup_pid pid_t pid = -1;
  int exec_errno = 0;
  ssize_t n;

  memset(res, 0, sizeof(*res));
  if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(errout_pipe, O_CLOEXEC) < 0 || pipe2(exec_pipe, O_CLOEXEC) < 0)
    {
      int saved = errno;

      for (int i = 0; i < 2; i++)
        {
          cleanup_closep(&out_pipe[i]);
          cleanup_closep(&errout_pipe[i]);
          cleanup_closep(&exec_pipe[i]);
        }
      return ocitest_make_error(err, saved, "pipe");
    }
  pid = fork();
  if (pid < 0)
    return ocitest_make_error(err, errno, "fork");
  if (pid == 0)
    child_exec(argv, out_pipe[1], errout_pipe[1], exec_pipe[1]);

  close(out_pipe[1]);
  close(errout_pipe[1]);
  close(exec_pipe[1]);
  /* Blocks only until exec succeeds (EOF via O_CLOEXEC) or fails. */
  do
    n = read(exec_pipe[0], &exec_errno, sizeof(exec_errno));
  while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  cap[0] = (struct capture_s){ .fd = out_pipe[0] };
  cap[1] = (struct capture_s){ .fd = errout_pipe[0] };
  if (n == (ssize_t)sizeof(exec_errno))
    {
      close(cap[0].fd);
      close(cap[1].fd);
      return ocitest_make_error(err, exec_errno, "exec `%s`", argv[0]);
    }

  for (int i = 0; i < 2; i++)
    fcntl(cap[i].fd, F_SETFL, O_NONBLOCK);
  pump(pid, cap, now_ms() + timeout_ms, res);
  pid = -1; /* reaped by pump */
  for (int i = 0; i < 2; i++)
    cleanup_closep(&cap[i].fd);
  res->out = cap[0].buf ? cap[0].buf : xstrdup("");
  res->errout = cap[1].buf ? cap[1].buf : xstrdup("");
  return 0;
}

void
cmd_result_free(cmd_result_t *res)
{
  free(res->out);
  free(res->errout);
  res->out = res->errout = NULL;
}
