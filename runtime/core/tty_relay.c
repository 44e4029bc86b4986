/* `run` of a process.terminal config without --console-socket: box is its
   own console-socket receiver, as runc and crun are (runtime-spec leaves
   the console to the caller; runc's `run` "tty: true" by hand is the use).
   The init sends the pty master over a socketpair; box puts its own stdin
   tty in raw mode, copies its window size, and relays stdin to the master
   and the master to stdout until the container's side hangs up.  */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

static volatile sig_atomic_t winch_pending;

static void
on_winch(int sig)
{
  (void)sig;
  winch_pending = 1;
}

int
box_tty_relay_pair(int *ours, int *theirs, box_error_t *err)
{
  int sv[2];

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return box_make_error(err, errno, "socketpair for the terminal");
  *ours = sv[0];
  *theirs = sv[1];
  return 0;
}

/* One fd received over sock with SCM_RIGHTS, or -1 and err.  */
static int
recv_fd(int sock, box_error_t *err)
{
  char byte, cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *cm;
  int fd;

  if (TEMP_FAILURE_RETRY(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) <= 0)
    return box_make_error(err, errno, "receive the terminal from the container");
  cm = CMSG_FIRSTHDR(&msg);
  if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
    return box_make_error(err, 0, "receive the terminal from the container: no fd in the message");
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

/* Copy what fd `from` has (non-blocking) to `to`; returns 0 at EOF or EIO
   (the pty's other side closed), 1 when it may have more.  */
static int
pump(int from, int to)
{
  char buf[8192];
  ssize_t r = read(from, buf, sizeof buf), off = 0;

  if (r < 0)
    return errno == EAGAIN || errno == EINTR ? 1 : 0;
  if (r == 0)
    return 0;
  while (off < r)
    {
      ssize_t w = write(to, buf + off, (size_t)(r - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return 0;
      off += w;
    }
  return 1;
}

static void
copy_winsize(int master)
{
  struct winsize ws;

  if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl(master, TIOCSWINSZ, &ws);
}

/* Relay until the master hangs up.  stdin at EOF (not a tty, or closed) is
   simply no longer read: the process may still write.  */
static void
relay(int master)
{
  struct pollfd p[2] = { { .fd = master, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };

  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  for (;;)
    {
      if (winch_pending)
        {
          winch_pending = 0;
          copy_winsize(master);
        }
      if (poll(p, p[1].fd >= 0 ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        if (pump(master, STDOUT_FILENO) == 0)
          return;
      if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) && pump(STDIN_FILENO, master) == 0)
        p[1].fd = -1;
    }
}

int
box_tty_relay_run(int sock, box_error_t *err)
{
  cleanup_close int master = recv_fd(sock, err);
  struct termios saved, raw;
  struct sigaction sa;
  bool is_tty;

  if (master < 0)
    return -1;
  is_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (is_tty)
    {
      /* Raw, so keys (^C included) reach the container's terminal, whose own
         line discipline acts on them.  */
      raw = saved;
      cfmakeraw(&raw);
      tcsetattr(STDIN_FILENO, TCSANOW, &raw);
      copy_winsize(master);
    }
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_winch;
  sigaction(SIGWINCH, &sa, NULL);
  relay(master);
  if (is_tty)
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  return 0;
}
