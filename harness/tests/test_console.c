/* console: the pty master arrives over SCM_RIGHTS as runc sends it, input
   reaches the slave, output is copied until the slave side is closed, and a
   runtime that never connects or sends the wrong thing is an error, not a
   hang.  A socketpair or a real socket stands in for the runtime, a forked
   child on the slave for the container. */
#include "consrecv.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static char dir[] = "/tmp/ocitest-console-XXXXXX";

/* A new pty pair; the master's window size set to rows x cols. */
static int
new_pty(int *slave, unsigned short rows, unsigned short cols)
{
  struct winsize ws = { .ws_row = rows, .ws_col = cols };
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
    abort();
  *slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0 || ioctl(master, TIOCSWINSZ, &ws) < 0)
    abort();
  return master;
}

/* Send fds (n of them) with payload, as runc's utils.SendFds does. */
static void
send_fds(int sock, const int *fds, size_t n, const char *payload)
{
  union
  {
    char buf[CMSG_SPACE(4 * sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { .iov_base = (void *)payload, .iov_len = strlen(payload) };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *c;

  memset(ctl.buf, 0, sizeof(ctl.buf));
  if (n)
    {
      msg.msg_control = ctl.buf;
      msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
      c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(n * sizeof(int));
      memcpy(CMSG_DATA(c), fds, n * sizeof(int));
    }
  if (sendmsg(sock, &msg, 0) < 0)
    abort();
}

/* The container: reads one line from the slave, answers "got:LINE", exits. */
static pid_t
fake_container(int slave)
{
  pid_t pid = fork();

  if (pid == 0)
    {
      char line[256] = "";
      ssize_t n = read(slave, line, sizeof(line) - 1);
      char out[300];

      if (n < 0)
        _exit(1);
      line[n] = '\0';
      line[strcspn(line, "\n")] = '\0';
      snprintf(out, sizeof(out), "out-before-exit\ngot:%s\n", line);
      if (write(slave, out, strlen(out)) < 0)
        _exit(1);
      _exit(0);
    }
  return pid;
}

static void
test_recv_and_pump(void)
{
  int sv[2], slave = -1, master, got;
  cleanup_free char *name = NULL;
  cleanup_free char *out_path = xasprintf("%s/out", dir);
  cleanup_free char *out = NULL;
  ocitest_error_t err = NULL;
  console_pump_t pump = { .out_fd = -1 };
  struct winsize ws = { 0 };
  pid_t child;
  int r;

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    abort();
  master = new_pty(&slave, 33, 101);
  send_fds(sv[0], &master, 1, "/dev/pts/test");
  close(master);
  got = console_recv_master(sv[1], now_ms() + 2000, &name, &err);
  ok(got >= 0 && name && strcmp(name, "/dev/pts/test") == 0, "master received, payload is the pty name");
  if (got < 0)
    {
      diag("%s", err->msg);
      ocitest_error_release(&err);
      close(slave);
      return;
    }
  ok(ioctl(got, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 33 && ws.ws_col == 101,
     "the received fd is the pty: its window size is 33x101");
  ok((fcntl(got, F_GETFD) & FD_CLOEXEC) != 0, "received fd is close-on-exec");

  child = fake_container(slave);
  close(slave);
  pump.master = got;
  pump.out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pump.input = console_unescape("hello\\n", &pump.input_len);
  pump.deadline_ms = now_ms() + 5000;
  r = console_pump(&pump, &err);
  if (!ok(r == 0, "pump ends when the slave side is closed"))
    diag("%s", err ? err->msg : "?");
  ocitest_error_release(&err);
  waitpid(child, NULL, 0);
  close(pump.out_fd);
  close(got);
  free((char *)pump.input);
  read_file(out_path, 1 << 20, &out, NULL, &err);
  ok(out && strstr(out, "got:hello"), "input reached the process, its answer came back");
  ok(out && strstr(out, "out-before-exit"), "output written just before exit is not lost");
  ok(pump.bytes_out > 0, "bytes counted (%zu)", pump.bytes_out);
  ocitest_error_release(&err);
  close(sv[0]);
  close(sv[1]);
}

static void
test_recv_wrong_fd_count(void)
{
  int sv[2], s1 = -1, s2 = -1;
  int m1 = new_pty(&s1, 1, 1), m2 = new_pty(&s2, 1, 1);
  int both[2] = { m1, m2 };
  cleanup_free char *name = NULL;
  ocitest_error_t err = NULL;

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    abort();
  send_fds(sv[0], both, 2, "x");
  ok(console_recv_master(sv[1], now_ms() + 2000, &name, &err) < 0 && err && strstr(err->msg, "got 2"),
     "two fds in the message: error");
  ocitest_error_release(&err);
  send_fds(sv[0], NULL, 0, "no fd");
  ok(console_recv_master(sv[1], now_ms() + 2000, &name, &err) < 0 && err && strstr(err->msg, "got 0"),
     "no fd in the message: error");
  ocitest_error_release(&err);
  ok(console_recv_master(sv[1], now_ms() + 150, &name, &err) < 0 && err && strstr(err->msg, "deadline"),
     "nothing sent: error at the deadline");
  ocitest_error_release(&err);
  close(m1), close(m2), close(s1), close(s2), close(sv[0]), close(sv[1]);
}

static void
test_pump_timeout(void)
{
  int slave = -1;
  int master = new_pty(&slave, 1, 1);
  console_pump_t pump = { .master = master, .out_fd = -1, .deadline_ms = now_ms() + 150 };
  ocitest_error_t err = NULL;

  ok(console_pump(&pump, &err) < 0 && err && strstr(err->msg, "timed out"),
     "slave never closed: timeout error");
  ocitest_error_release(&err);
  close(master);
  close(slave);
}

static void
test_unescape(void)
{
  size_t len = 0;
  cleanup_free char *a = console_unescape("a\\nb\\tc\\\\d\\x41\\q\\", &len);

  ok(len == strlen("a\nb\tc\\dA\\q\\") && memcmp(a, "a\nb\tc\\dA\\q\\", len) == 0,
     "\\n \\t \\\\ \\xHH unescaped, unknown escapes and a trailing backslash kept");
}

static void
test_listen(void)
{
  ocitest_error_t err = NULL;
  char longpath[200];

  memset(longpath, 'a', sizeof(longpath) - 1);
  longpath[0] = '/';
  longpath[sizeof(longpath) - 1] = '\0';
  ok(console_listen(longpath, &err) < 0 && err && strstr(err->msg, "longer than"),
     "socket path too long: error");
  ocitest_error_release(&err);
}

/* The whole command, as a case runs it: a child runs ocitest_cmd_console;
   this process is the runtime (connects, sends the master) and the container
   (a child on the slave). */
static void
test_cmd(void)
{
  cleanup_free char *sock = xasprintf("%s/c.sock", dir);
  cleanup_free char *ready = xasprintf("%s/c.ready", dir);
  cleanup_free char *size = xasprintf("%s/c.size", dir);
  cleanup_free char *outp = xasprintf("%s/c.out", dir);
  cleanup_free char *sz = NULL;
  cleanup_free char *out = NULL;
  char *argv[] = { "console", "--socket", sock,      "--ready-file", ready,       "--size-file", size,
                   "--out",   outp,       "--input", "hi there\\n",  "--timeout", "10",          NULL };
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  ocitest_error_t err = NULL;
  int64_t deadline = now_ms() + 5000;
  int st = -1, slave = -1, master, conn;
  pid_t recv_pid, ct;

  recv_pid = fork();
  if (recv_pid == 0)
    {
      int r = ocitest_cmd_console(13, argv, &err);

      if (r < 0)
        fprintf(stderr, "console: %s\n", err->msg);
      _exit(r < 0 ? 100 : r);
    }
  while (access(ready, F_OK) != 0 && now_ms() < deadline)
    sleep_ms(10);
  ok(access(ready, F_OK) == 0, "ready file written once listening");
  conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memcpy(addr.sun_path, sock, strlen(sock) + 1);
  if (conn < 0 || connect(conn, (struct sockaddr *)&addr, sizeof(addr)) < 0)
    {
      ok(false, "connect to the console socket: %s", strerror(errno));
      kill(recv_pid, SIGKILL);
      waitpid(recv_pid, NULL, 0);
      return;
    }
  master = new_pty(&slave, 24, 132);
  send_fds(conn, &master, 1, "/dev/pts/x");
  close(master);
  close(conn);
  ct = fake_container(slave);
  close(slave);
  waitpid(ct, NULL, 0);
  waitpid(recv_pid, &st, 0);
  ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "receiver exits 0 once the container side is closed");
  read_file(size, 1024, &sz, NULL, &err);
  ocitest_error_release(&err);
  ok(sz && strcmp(sz, "24 132\n") == 0, "size file: rows cols (%s)", sz ? sz : "missing");
  read_file(outp, 1 << 20, &out, NULL, &err);
  ocitest_error_release(&err);
  ok(out && strstr(out, "got:hi there"), "output file has the process's answer to the input");
  ok(access(sock, F_OK) != 0, "socket path removed after the connection");
}

static void
test_cmd_nobody_connects(void)
{
  cleanup_free char *sock = xasprintf("%s/n.sock", dir);
  char *argv[] = { "console", "--socket", sock, "--timeout", "0.2", NULL };
  ocitest_error_t err = NULL;
  int64_t start = now_ms();
  int r = ocitest_cmd_console(5, argv, &err);

  ok(r < 0 && err && err->exit_code == OCITEST_EXIT_FAIL && strstr(err->msg, "no runtime connected")
         && now_ms() - start < 2000,
     "nobody connects: fails at --timeout");
  ocitest_error_release(&err);
}

int
main(void)
{
  tap_init();
  signal(SIGPIPE, SIG_IGN);
  if (mkdtemp(dir) == NULL)
    abort();
  test_recv_and_pump();
  test_recv_wrong_fd_count();
  test_pump_timeout();
  test_unescape();
  test_listen();
  test_cmd();
  test_cmd_nobody_connects();
  {
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);

    if (system(cmd) != 0)
      diag("could not remove %s", dir);
  }
  return tap_done();
}
