/* process.terminal (config.md "Process"): a pty allocated inside the
   container, its slave the process's controlling terminal and stdio, its
   master handed to whoever listens on --console-socket.  The handover is
   runc's, so runc's recvtty, containerd and conmon work with box unchanged:
   one SCM_RIGHTS message carrying the master, with a name as payload.  */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

/* runc sends the master's file name (containerd/console's pty.Name() is
   the name it was opened by), crun a single byte; receivers ignore it.  */
#define CONSOLE_PAYLOAD "/dev/ptmx"

int
box_console_connect(const char *path, box_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;

  if (strlen(path) >= sizeof(addr.sun_path))
    return box_make_error(err, ENAMETOOLONG, "console socket `%s`", path);
  memcpy(addr.sun_path, path, strlen(path) + 1);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return box_make_error(err, errno, "console socket: socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
    return box_make_error(err, errno, "connect to console socket `%s`", path);
  return steal_fd(&fd);
}

static int
send_fd(int sock, int fd, box_error_t *err)
{
  char payload[] = CONSOLE_PAYLOAD;
  union
  {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = payload, .iov_len = strlen(payload) };
  struct msghdr msg = {
    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)
  };
  struct cmsghdr *c;

  memset(&control, 0, sizeof(control));
  c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  if (TEMP_FAILURE_RETRY(sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0)
    return box_make_error(err, errno, "send the pty master to the console socket");
  return 0;
}

/* /dev/ptmx after pivot_root is the container's (a symlink to pts/ptmx in
   the /dev box fills, as runc and crun use it), so the pty lives in the
   container's own devpts instance.  Returns the pty number.  */
static int
open_pty(int *master, int *slave, box_error_t *err)
{
  cleanup_free char *name = NULL;
  int n;

  *master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0)
    return box_make_error(err, errno, "open `/dev/ptmx`");
  if (unlockpt(*master) < 0 || ioctl(*master, TIOCGPTN, &n) < 0)
    return box_make_error(err, errno, "unlock pty");
#ifdef TIOCGPTPEER
  /* The slave of this very master, without a path lookup (Linux 4.13).  */
  *slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave >= 0)
    return n;
#endif
  name = xasprintf("/dev/pts/%d", n);
  *slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0)
    return box_make_error(err, errno, "open pty slave `%s`", name);
  return n;
}

/* config-linux.md "Default Devices": with a terminal, /dev/console is the
   pty bind-mounted there.  Only in a /dev box created itself: box does
   not write into a user's rootfs.  */
static int
bind_console(const box_config_t *config, int n, box_error_t *err)
{
  cleanup_free char *pts = xasprintf("/dev/pts/%d", n);
  int fd;

  if (!box_has_fresh_dev(config))
    return 0;
  fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    return box_make_error(err, errno, "create `/dev/console`");
  if (fd >= 0)
    close(fd);
  if (mount(pts, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return box_make_error(err, errno, "bind `%s` on `/dev/console`", pts);
  return 0;
}

/* A new session with the slave as its controlling terminal (setsid +
   TIOCSCTTY), and the slave as stdin, stdout and stderr.  */
static int
make_controlling(int slave, box_error_t *err)
{
  int fd;

  if (setsid() < 0)
    return box_make_error(err, errno, "setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return box_make_error(err, errno, "make the pty the controlling terminal");
  for (fd = 0; fd <= 2; fd++)
    if (dup2(slave, fd) < 0)
      return box_make_error(err, errno, "dup2 pty to fd %d", fd);
  return 0;
}

int
box_setup_terminal(const box_config_t *config, int console_fd, bool bind_dev_console, box_error_t *err)
{
  const struct box_process_s *p = config->process;
  cleanup_close int master = -1, slave = -1;
  int n;

  n = open_pty(&master, &slave, err);
  if (n < 0)
    return box_error_wrap(err, "terminal");
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = p->console_height, .ws_col = p->console_width };
      if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
        return box_make_error(err, errno, "terminal: set size (process.consoleSize)");
    }
  if ((bind_dev_console && bind_console(config, n, err) < 0) || make_controlling(slave, err) < 0
      || send_fd(console_fd, master, err) < 0)
    return box_error_wrap(err, "terminal");
  return 0;
}
