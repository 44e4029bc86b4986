/* seccomp-agent: the container process state arrives with its fds (in one
   sendmsg or several, fds only in the first), is checked against "The
   Container Process State", and a real notification (a child under a
   SECCOMP_RET_USER_NOTIF filter) gets the agent's errno or runs. */
#include "seccompagent.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char good_state[]
    = "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":42,\"metadata\":\"m\","
      "\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/"
      "b\"}}";

/* sendmsg with n fds (0 or 1) and payload; aborts on failure. */
static void
send_part(int sock, int fd, const char *payload, size_t len)
{
  union
  {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *c;

  memset(&ctl, 0, sizeof(ctl));
  if (fd >= 0)
    {
      msg.msg_control = ctl.buf;
      msg.msg_controllen = sizeof(ctl.buf);
      c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
  if (sendmsg(sock, &msg, 0) != (ssize_t)len)
    abort();
}

/* Receive from a socketpair the runtime's side wrote: two parts, the fd
   in part first_fd (0 or 1), the sender closing after. */
static __attribute__((unused)) int
recv_split(int fd_in_part, seccomp_agent_msg_t *m, ocitest_error_t *err)
{
  int sv[2], devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  size_t half = sizeof(good_state) / 2;
  int r;

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || devnull < 0)
    abort();
  send_part(sv[0], fd_in_part == 0 ? devnull : -1, good_state, half);
  send_part(sv[0], fd_in_part == 1 ? devnull : -1, good_state + half, sizeof(good_state) - 1 - half);
  close(sv[0]);
  close(devnull);
  r = seccomp_agent_recv_state(sv[1], now_ms() + 2000, m, err);
  close(sv[1]);
  return r;
}

static void
test_recv(void)
{
  seccomp_agent_msg_t m;
  ocitest_error_t err = NULL;
  int r = recv_split(0, &m, &err);

  ok(r == 0 && m.n_fds == 1 && strcmp(m.json, good_state) == 0,
     "a state in two sendmsg calls, fd in the first");
  ok(r == 0 && seccomp_agent_check_state(&m, &err) == 0, "it checks out; seccompFd is fd 0");
  if (err)
    diag("%s", err->msg);
  ocitest_error_release(&err);
  seccomp_agent_msg_free(&m);
  /* An fd in a later sendmsg is refused only when the two arrive in two
     recvmsg calls: a unix stream socket hands a data-only part and the
     next one, fds and all, to one recvmsg, so that is not tested here.  */
  (void)recv_split;
}

/* check_state on json with n_fds fds: the returned index, err's text. */
static int
check(const char *json, size_t n_fds, char **msg)
{
  seccomp_agent_msg_t m = { .json = (char *)json, .len = strlen(json), .n_fds = n_fds };
  ocitest_error_t err = NULL;
  int r = seccomp_agent_check_state(&m, &err);

  *msg = err ? xstrdup(err->msg) : NULL;
  ocitest_error_release(&err);
  return r;
}

static void
test_check(void)
{
  cleanup_free char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  int ra = check(good_state, 2, &a);
  int rb = check(
      "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"state\":{\"id\":\"c\",\"status\":\"creating\"}}", 1,
      &b);
  int rc = check(
      "{\"ociVersion\":\"1\",\"fds\":[\"other\"],\"pid\":1,\"state\":{\"id\":\"c\",\"status\":\"x\"}}", 1,
      &c);

  ok(ra < 0 && a && strstr(a, "fds"), "fds naming 1 fd when 2 came: refused (%s)", a ? a : "");
  ok(rb < 0 && b && strstr(b, "pid"), "no pid: refused (%s)", b ? b : "");
  ok(rc < 0 && c && strstr(c, "seccompFd"), "no seccompFd among the fds: refused (%s)", c ? c : "");
  ok(check("{\"ociVersion\":\"1\",\"fds\":[\"x\",\"seccompFd\"],\"pid\":1,\"state\":{\"id\":\"c\",\"status\":"
           "\"s\"}}",
           2, &d)
         == 1,
     "seccompFd second: index 1");
}

/* A child under a filter notifying mkdir (a listener, NO_NEW_PRIVS) sends
   the listener to us, closes its copy, calls mkdir and exits with its
   errno (0: it ran). */
static pid_t
notified_child(const char *dir, int *listener)
{
  struct sock_filter code[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdir, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
  int sv[2];
  pid_t pid;

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    abort();
  pid = fork();
  if (pid == 0)
    {
      int fd;
      close(sv[0]);
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit(100);
      fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
      if (fd < 0)
        _exit(101);
      send_part(sv[1], fd, "x", 1);
      close(fd);
      close(sv[1]); /* the end of the "state" */
      _exit(syscall(SYS_mkdir, dir, 0755) == 0 ? 0 : errno);
    }
  close(sv[1]);
  {
    seccomp_agent_msg_t m;
    ocitest_error_t err = NULL;
    if (seccomp_agent_recv_state(sv[0], now_ms() + 5000, &m, &err) < 0 || m.n_fds != 1)
      abort();
    *listener = m.fds[0];
    m.n_fds = 0;
    seccomp_agent_msg_free(&m);
  }
  close(sv[0]);
  return pid;
}

static void
test_serve(void)
{
  char tmpl[] = "/tmp/ocitest-agent-XXXXXX";
  char *dir = mkdtemp(tmpl);
  cleanup_free char *sub = xasprintf("%s/made", dir);
  struct seccomp_agent_answer_s deny = { .error = EACCES }, pass = { .cont = true };
  ocitest_error_t err = NULL;
  int listener = -1, status = 0, n;
  pid_t pid;

  pid = notified_child(sub, &listener);
  n = seccomp_agent_serve(listener, &deny, -1, now_ms() + 5000, &err);
  waitpid(pid, &status, 0);
  ok(n == 1, "one notification answered, then the end (POLLHUP) once the child is gone (%d)", n);
  ok(WIFEXITED(status) && WEXITSTATUS(status) == EACCES, "the notified mkdir failed with the agent's EACCES");
  close(listener);
  ocitest_error_release(&err);

  pid = notified_child(sub, &listener);
  n = seccomp_agent_serve(listener, &pass, -1, now_ms() + 5000, &err);
  waitpid(pid, &status, 0);
  ok(n == 1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && access(sub, F_OK) == 0,
     "with CONTINUE the mkdir ran");
  close(listener);
  ocitest_error_release(&err);
  rmdir(sub);
  rmdir(dir);
}

int
main(void)
{
  tap_init();
  test_recv();
  test_check();
  test_serve();
  return tap_done();
}
