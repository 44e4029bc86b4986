/* Running hooks: fork + execve with the state on a pipe, a deadline kept
   with poll(2) on a pidfd (no fixed sleeps), SIGKILL to the hook's process
   group when it runs past its timeout.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "log.h"
#include "utils.h"

extern char **environ;

/* A running hook; every member -1 when not (or no longer) held.  */
struct hook_child_s
{
  pid_t pid;
  int pidfd;
  int in_fd;   /* write end of its stdin */
  int exec_fd; /* read end of the exec-error pipe */
};

/* Kill (the whole process group: a timed-out `sh -c` must not leave its
   children behind) and reap a hook we still hold.  */
static void
hook_child_release(struct hook_child_s *c)
{
  if (c->pid > 0)
    {
      kill(-c->pid, SIGKILL);
      kill(c->pid, SIGKILL);
      TEMP_FAILURE_RETRY(waitpid(c->pid, NULL, 0));
      c->pid = -1;
    }
  cleanup_closep(&c->pidfd);
  cleanup_closep(&c->in_fd);
  cleanup_closep(&c->exec_fd);
}

/* In the forked child.  Exec failure is reported as errno on fd 3 (the
   CLOEXEC exec-error pipe), so "not executable" is told apart from a hook
   that exits 127.  */
static void __attribute__((noreturn))
hook_exec(const struct box_hook_s *h, const char *cwd, int in_fd, int exec_fd)
{
  char *argv0[] = { h->path, NULL };
  sigset_t none;
  int e;

  setpgid(0, 0);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0
      || (exec_fd != 3 && dup2(exec_fd, 3) < 0) || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
    _exit(127);
  box_close_fds_from(4);
  /* The cwd is a courtesy (runc runs hooks in the bundle): not fatal.  */
  if (cwd && chdir(cwd) < 0)
    box_log_debug("hook `%s`: chdir `%s`: %s", h->path, cwd, strerror(errno));
  /* Empty or absent args: argv is {path}, as Go's exec gives runc.  */
  execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : environ);
  e = errno;
  if (write(3, &e, sizeof(e)) < 0)
    _exit(127);
  _exit(127);
}

static int
hook_spawn(const struct box_hook_s *h, const char *cwd, struct hook_child_s *c, box_error_t *err)
{
  int in[2], ex[2];

  if (pipe2(in, O_CLOEXEC) < 0)
    return box_make_error(err, errno, "pipe");
  if (pipe2(ex, O_CLOEXEC) < 0)
    {
      close(in[0]), close(in[1]);
      return box_make_error(err, errno, "pipe");
    }
  c->pid = fork();
  if (c->pid == 0)
    hook_exec(h, cwd, in[0], ex[1]);
  close(in[0]), close(ex[1]);
  c->in_fd = in[1];
  c->exec_fd = ex[0];
  if (c->pid < 0)
    return box_make_error(err, errno, "fork");
  /* Also from this side, so a timeout can never race the child's own
     setpgid and miss the group.  */
  setpgid(c->pid, c->pid);
  c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
  if (c->pidfd < 0)
    return box_make_error(err, errno, "pidfd_open");
  if (fcntl(c->in_fd, F_SETFL, O_NONBLOCK) < 0)
    return box_make_error(err, errno, "set stdin pipe non-blocking");
  return 0;
}

/* write(2) that cannot kill us with SIGPIPE when the hook closed its stdin
   (the container init catches SIGPIPE by exiting): block it, write, and
   drop a SIGPIPE this write left pending.  */
static ssize_t
write_nosigpipe(int fd, const char *buf, size_t len)
{
  static const struct timespec zero = { 0, 0 };
  sigset_t pipe_set, old;
  ssize_t w;
  int saved;

  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &old);
  w = write(fd, buf, len);
  saved = errno;
  if (w < 0 && saved == EPIPE)
    sigtimedwait(&pipe_set, NULL, &zero);
  sigprocmask(SIG_SETMASK, &old, NULL);
  errno = saved;
  return w;
}

/* Write what the pipe takes; close it when all is written or the hook does
   not read (EPIPE is fine: reading the state is up to the hook).  */
static void
feed_state(struct hook_child_s *c, const char *state, size_t len, size_t *off)
{
  ssize_t w = write_nosigpipe(c->in_fd, state + *off, len - *off);

  if (w > 0)
    *off += (size_t)w;
  if (*off == len || (w < 0 && errno != EAGAIN && errno != EINTR))
    cleanup_closep(&c->in_fd);
}

/* Returns 0 when the hook exited (*wstatus), 1 past the deadline
   (LLONG_MAX: none), -1 on error.  */
static int
hook_wait(struct hook_child_s *c, const char *state, long long deadline, int *wstatus, box_error_t *err)
{
  size_t off = 0, len = strlen(state);

  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = c->pidfd, .events = POLLIN }, { .fd = c->in_fd, .events = POLLOUT } };
      long long left = deadline == LLONG_MAX ? -1 : deadline - box_now_ms();
      int n;

      if (deadline != LLONG_MAX && left <= 0)
        return 1;
      n = poll(pfd, c->in_fd >= 0 ? 2 : 1, left > INT_MAX ? INT_MAX : (int)left);
      if (n < 0 && errno != EINTR)
        return box_make_error(err, errno, "poll");
      if (n <= 0)
        continue;
      if (pfd[0].revents & POLLIN)
        {
          if (TEMP_FAILURE_RETRY(waitpid(c->pid, wstatus, 0)) < 0)
            return box_make_error(err, errno, "waitpid");
          c->pid = -1;
          return 0;
        }
      if (c->in_fd >= 0 && pfd[1].revents)
        feed_state(c, state, len, &off);
    }
}

static int
hook_result(const struct hook_child_s *c, int wstatus, box_error_t *err)
{
  int e = 0;

  if (read(c->exec_fd, &e, sizeof(e)) == (ssize_t)sizeof(e))
    return box_make_error(err, e, "exec");
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
    return 0;
  if (WIFEXITED(wstatus))
    return box_make_error(err, 0, "exited with status %d", WEXITSTATUS(wstatus));
  return box_make_error(err, 0, "killed by signal %d (SIG%s)", WTERMSIG(wstatus),
                        sigabbrev_np(WTERMSIG(wstatus)) ? sigabbrev_np(WTERMSIG(wstatus)) : "?");
}

int
box_hook_run(const struct box_hook_s *h, const char *state, const char *cwd, box_error_t *err)
{
  __attribute__((cleanup(hook_child_release))) struct hook_child_s c = { -1, -1, -1, -1 };
  long long deadline = h->timeout > 0 ? box_now_ms() + h->timeout * 1000LL : LLONG_MAX;
  int wstatus = 0, r;

  if (hook_spawn(h, cwd, &c, err) < 0)
    return -1;
  r = hook_wait(&c, state, deadline, &wstatus, err);
  if (r < 0)
    return -1;
  if (r == 1)
    return box_make_error(err, 0, "timed out after %ds, killed", h->timeout);
  return hook_result(&c, wstatus, err);
}

int
box_hooks_run(const box_config_t *c, enum box_hook_kind_e kind, const char *state, const char *cwd,
              box_error_t *err)
{
  const struct box_hook_list_s *l = &c->hooks[kind];
  size_t i;

  for (i = 0; i < l->n; i++)
    {
      box_log_debug("running hook `%s[%zu]` (`%s`)", box_hook_kind_name(kind), i, l->hooks[i].path);
      if (box_hook_run(&l->hooks[i], state, cwd, err) < 0)
        return box_error_wrap(err, "hook `%s[%zu]` (`%s`)", box_hook_kind_name(kind), i, l->hooks[i].path);
    }
  return 0;
}

void
box_hooks_run_warn(const box_config_t *c, enum box_hook_kind_e kind, const char *state, const char *cwd)
{
  const struct box_hook_list_s *l = &c->hooks[kind];
  box_error_t err = NULL;
  size_t i;

  for (i = 0; i < l->n; i++)
    if (box_hook_run(&l->hooks[i], state, cwd, &err) < 0)
      {
        box_log_warning("hook `%s[%zu]` (`%s`): %s", box_hook_kind_name(kind), i, l->hooks[i].path, err->msg);
        box_error_release(&err);
      }
}

long long
box_hooks_deadline(const box_config_t *c, unsigned mask, long long grace_ms)
{
  long long total = grace_ms;
  size_t k, i;

  for (k = 0; k < BOX_HOOK_KINDS; k++)
    {
      if (!(mask & BOX_HOOK_MASK(k)))
        continue;
      for (i = 0; i < c->hooks[k].n; i++)
        {
          if (c->hooks[k].hooks[i].timeout <= 0)
            return LLONG_MAX;
          total += c->hooks[k].hooks[i].timeout * 1000LL;
        }
    }
  return box_now_ms() + total;
}

bool
box_hooks_any(const box_config_t *c, unsigned mask)
{
  for (size_t k = 0; k < BOX_HOOK_KINDS; k++)
    if ((mask & BOX_HOOK_MASK(k)) && c->hooks[k].n > 0)
      return true;
  return false;
}
