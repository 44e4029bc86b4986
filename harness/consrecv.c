/* The console-socket receiver: listen, take the pty master over
   SCM_RIGHTS, feed it input, copy its output. */
#include "consrecv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#define NAME_MAX_LEN 4096
/* Room for a few fds: a sender passing more than one must not make the
   kernel drop them unseen (MSG_CTRUNC) while they stay open in no one. */
#define MAX_FDS 8

/* Hand a cleanup_close fd on to the caller. */
static int
steal_fd(int *fd)
{
  int v = *fd;

  *fd = -1;
  return v;
}

int
console_listen(const char *path, ocitest_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;

  /* sun_path is 108 bytes; the runtime's connect(2) has the same limit, so
     a longer path is refused here rather than failing there obscurely. */
  if (strlen(path) >= sizeof(addr.sun_path))
    return ocitest_make_error(err, ENAMETOOLONG, "console socket `%s`: longer than %zu bytes", path,
                              sizeof(addr.sun_path) - 1);
  memcpy(addr.sun_path, path, strlen(path) + 1);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return ocitest_make_error(err, errno, "console socket: socket");
  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
    return ocitest_make_error(err, errno, "console socket: bind `%s`", path);
  if (listen(fd, 1) < 0)
    return ocitest_make_error(err, errno, "console socket: listen on `%s`", path);
  return steal_fd(&fd);
}

/* poll(2) one fd for events until deadline_ms.  Returns 1 when ready, 0 on
   timeout, -1 with errno set. */
static int
poll_until(int fd, short events, int64_t deadline_ms, short *revents)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = events };
      int64_t left = deadline_ms - now_ms();
      int r;

      if (left <= 0)
        return 0;
      r = poll(&pfd, 1, (int)(left > INT_MAX ? INT_MAX : left));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        continue;
      if (revents)
        *revents = pfd.revents;
      return 1;
    }
}

int
console_accept(int lfd, int64_t deadline_ms, ocitest_error_t *err)
{
  int r = poll_until(lfd, POLLIN, deadline_ms, NULL);
  int fd;

  if (r < 0)
    return ocitest_make_error(err, errno, "console socket: poll");
  if (r == 0)
    return ocitest_make_error(err, 0, "console socket: no runtime connected before the deadline");
  do
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return ocitest_make_error(err, errno, "console socket: accept");
  return fd;
}

/* Collect the fds of every SCM_RIGHTS message in msg into fds[]. */
static size_t
collect_fds(struct msghdr *msg, int *fds, size_t max)
{
  size_t n = 0;

  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
    {
      size_t k;

      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < k && n < max; i++)
        memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
  return n;
}

int
console_recv_master(int conn, int64_t deadline_ms, char **name, ocitest_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
    struct cmsghdr align;
  } ctl;
  cleanup_free char *payload = xmalloc(NAME_MAX_LEN + 1);
  struct iovec iov = { .iov_base = payload, .iov_len = NAME_MAX_LEN };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
  int fds[MAX_FDS];
  size_t nfds;
  ssize_t n;
  int r;

  memset(ctl.buf, 0, sizeof(ctl.buf));
  r = poll_until(conn, POLLIN, deadline_ms, NULL);
  if (r < 0)
    return ocitest_make_error(err, errno, "console socket: poll");
  if (r == 0)
    return ocitest_make_error(err, 0,
                              "console socket: the runtime connected but sent no pty before the deadline");
  do
    n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return ocitest_make_error(err, errno, "console socket: recvmsg");
  nfds = collect_fds(&msg, fds, MAX_FDS);
  if (nfds != 1)
    {
      for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
      return ocitest_make_error(err, 0,
                                "console socket: want one fd (the pty master) in the message, got %zu%s",
                                nfds, (msg.msg_flags & MSG_CTRUNC) ? " (control data truncated)" : "");
    }
  payload[n] = '\0';
  *name = steal_pointer(&payload);
  return fds[0];
}

static int
hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *
console_unescape(const char *s, size_t *len)
{
  char *out = xmalloc(strlen(s) + 1);
  char *o = out;

  while (*s)
    {
      if (s[0] != '\\' || s[1] == '\0')
        {
          *o++ = *s++;
          continue;
        }
      switch (s[1])
        {
        case 'n':
          *o++ = '\n';
          break;
        case 'r':
          *o++ = '\r';
          break;
        case 't':
          *o++ = '\t';
          break;
        case '\\':
          *o++ = '\\';
          break;
        case 'x':
          if (hexval(s[2]) >= 0 && hexval(s[3]) >= 0)
            {
              *o++ = (char)(hexval(s[2]) << 4 | hexval(s[3]));
              s += 4;
              continue;
            }
          /* not an escape: keep it as written */
          __attribute__((fallthrough));
        default:
          *o++ = s[0];
          *o++ = s[1];
          break;
        }
      s += 2;
    }
  *o = '\0';
  *len = (size_t)(o - out);
  return out;
}

static int
write_all(int fd, const char *buf, size_t len, const char *what, ocitest_error_t *err)
{
  while (len > 0)
    {
      ssize_t n = write(fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ocitest_make_error(err, errno, "write %s", what);
      buf += n;
      len -= (size_t)n;
    }
  return 0;
}

int
console_pump(console_pump_t *p, ocitest_error_t *err)
{
  char buf[4096];

  /* The line discipline buffers input until the process reads it, so it can
     go in before the process even runs (bounded by the tty's 4 KiB buffer,
     far more than a case needs). */
  if (p->input_len && write_all(p->master, p->input, p->input_len, "input to the pty master", err) < 0)
    return -1;
  for (;;)
    {
      short revents = 0;
      int r = poll_until(p->master, POLLIN, p->deadline_ms, &revents);
      ssize_t n;

      if (r < 0)
        return ocitest_make_error(err, errno, "poll the pty master");
      if (r == 0)
        return ocitest_make_error(err, 0, "timed out: the pty is still open after %zu bytes of output",
                                  p->bytes_out);
      do
        n = read(p->master, buf, sizeof(buf));
      while (n < 0 && errno == EINTR);
      /* Once the last slave fd is closed, Linux returns what is still
         buffered and then EIO (not 0) on the master: that is the end. */
      if (n == 0 || (n < 0 && errno == EIO))
        return 0;
      if (n < 0)
        return ocitest_make_error(err, errno, "read the pty master");
      if (p->out_fd >= 0 && write_all(p->out_fd, buf, (size_t)n, "console output", err) < 0)
        return -1;
      p->bytes_out += (size_t)n;
    }
}
