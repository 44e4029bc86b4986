/* The seccomp agent's protocol side: receive the container process state
   and its fds, check it, answer notifications. */
#include "seccompagent.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

void
seccomp_agent_msg_free(seccomp_agent_msg_t *m)
{
  for (size_t i = 0; i < m->n_fds; i++)
    if (m->fds[i] >= 0)
      close(m->fds[i]);
  m->n_fds = 0;
  free(m->json);
  m->json = NULL;
}

/* Wait for POLLIN (or hang-up) on fd until deadline_ms.  Returns 1 when
   ready, 0 on timeout, -1 with errno set. */
static int
wait_readable(int fd, int64_t deadline_ms)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int64_t left = deadline_ms - now_ms();
      int r;

      if (left <= 0)
        return 0;
      r = poll(&pfd, 1, (int)(left > INT_MAX ? INT_MAX : left));
      if (r < 0 && errno == EINTR)
        continue;
      return r;
    }
}

/* Append the fds of every SCM_RIGHTS header in msg to m (closing what
   does not fit).  Returns how many arrived. */
static size_t
take_fds(struct msghdr *msg, seccomp_agent_msg_t *m)
{
  size_t got = 0;

  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
    {
      size_t k;

      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < k; i++, got++)
        {
          int fd;
          memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
          if (m->n_fds < SECCOMP_AGENT_MAX_FDS)
            m->fds[m->n_fds++] = fd;
          else
            close(fd);
        }
    }
  return got;
}

/* One recvmsg into the payload buffer.  Returns bytes read (0 at EOF), or
   -1 with err set. */
static ssize_t
recv_chunk(int conn, seccomp_agent_msg_t *m, size_t *cap, bool first, ocitest_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE(SECCOMP_AGENT_MAX_FDS * sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov;
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl) };
  ssize_t n;

  if (*cap - m->len < 4096)
    {
      *cap *= 2;
      m->json = xrealloc(m->json, *cap + 1);
    }
  iov = (struct iovec){ .iov_base = m->json + m->len, .iov_len = *cap - m->len };
  memset(&ctl, 0, sizeof(ctl));
  do
    n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return ocitest_make_error(err, errno, "seccomp listener: recvmsg");
  if (take_fds(&msg, m) > 0 && !first)
    return ocitest_make_error(err, 0,
                              "seccomp listener: file descriptors came after the first sendmsg (the spec: "
                              "\"the file descriptors MUST be sent only in the first call\")");
  if (msg.msg_flags & MSG_CTRUNC)
    return ocitest_make_error(err, 0, "seccomp listener: more than %d fds, control data truncated",
                              SECCOMP_AGENT_MAX_FDS);
  m->len += (size_t)n;
  return n;
}

/* The state is whole once it parses as JSON.  Waiting for EOF instead
   would deadlock with runc 1.1, which keeps its connection open until it
   exits (`runc run` exits after the container, whose notified syscalls
   wait for us). */
static bool
state_complete(seccomp_agent_msg_t *m)
{
  json_t *doc;

  m->json[m->len] = '\0';
  doc = json_loadb(m->json, m->len, 0, NULL);
  json_decref(doc);
  return doc != NULL;
}

int
seccomp_agent_recv_state(int conn, int64_t deadline_ms, seccomp_agent_msg_t *m, ocitest_error_t *err)
{
  size_t cap = 8192;
  bool first = true;

  memset(m, 0, sizeof(*m));
  m->json = xmalloc(cap + 1);
  for (;;)
    {
      int r = wait_readable(conn, deadline_ms);
      ssize_t n;

      if (r < 0)
        return seccomp_agent_msg_free(m), ocitest_make_error(err, errno, "seccomp listener: poll");
      if (r == 0)
        {
          seccomp_agent_msg_free(m);
          return ocitest_make_error(
              err, 0, "seccomp listener: no whole state (JSON) from the runtime before the deadline");
        }
      n = recv_chunk(conn, m, &cap, first, err);
      if (n < 0)
        return seccomp_agent_msg_free(m), -1;
      if (n == 0 || state_complete(m))
        break;
      first = false;
      if (m->len > SECCOMP_AGENT_MAX_STATE)
        return seccomp_agent_msg_free(m), ocitest_make_error(err, 0, "seccomp listener: state over 1 MiB");
    }
  m->json[m->len] = '\0';
  if (m->len == 0)
    return seccomp_agent_msg_free(m),
           ocitest_make_error(err, 0, "seccomp listener: connection closed, no state");
  return 0;
}

static void
cleanup_json(json_t **j)
{
  json_decref(*j);
}

int
seccomp_agent_check_state(const seccomp_agent_msg_t *m, ocitest_error_t *err)
{
  __attribute__((cleanup(cleanup_json))) json_t *doc = NULL;
  json_t *fds, *state, *e;
  json_error_t jerr;
  int index = -1;
  size_t i;

  doc = json_loadb(m->json, m->len, 0, &jerr);
  if (!json_is_object(doc))
    return ocitest_make_error(err, 0, "container process state: not a JSON object (%s)", jerr.text);
  if (!json_is_string(json_object_get(doc, "ociVersion")))
    return ocitest_make_error(err, 0, "container process state: `ociVersion` (string, REQUIRED) missing");
  if (!json_is_integer(json_object_get(doc, "pid")) || json_integer_value(json_object_get(doc, "pid")) <= 0)
    return ocitest_make_error(err, 0,
                              "container process state: `pid` (int, REQUIRED) missing or not positive");
  state = json_object_get(doc, "state");
  if (!json_is_object(state) || !json_is_string(json_object_get(state, "id"))
      || !json_is_string(json_object_get(state, "status")))
    return ocitest_make_error(err, 0,
                              "container process state: `state` (REQUIRED) is not a runtime.md state");
  fds = json_object_get(doc, "fds");
  if (!json_is_array(fds) || json_array_size(fds) != m->n_fds)
    return ocitest_make_error(err, 0, "container process state: `fds` names %zu fds, %zu came in SCM_RIGHTS",
                              json_is_array(fds) ? json_array_size(fds) : 0, m->n_fds);
  json_array_foreach(fds, i, e)
  {
    if (json_is_string(e) && strcmp(json_string_value(e), "seccompFd") == 0)
      index = (int)i;
  }
  if (index < 0)
    return ocitest_make_error(err, 0, "container process state: no `seccompFd` in `fds`");
  return index;
}

/* The kernel's notification sizes may outgrow our headers' structs: ask
   (seccomp_unotify(2)), and allocate the larger. */
static int
notif_sizes(size_t *req, size_t *resp, ocitest_error_t *err)
{
  struct seccomp_notif_sizes sz;

  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
    return ocitest_make_error(err, errno, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
  *req = sz.seccomp_notif > sizeof(struct seccomp_notif) ? sz.seccomp_notif : sizeof(struct seccomp_notif);
  *resp = sz.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ? sz.seccomp_notif_resp
                                                                    : sizeof(struct seccomp_notif_resp);
  return 0;
}

/* Receive one notification and answer it.  Returns 1 answered, 0 when the
   target went away in between (nothing to answer), -1 with err. */
static int
answer_one(int fd, struct seccomp_notif *req, size_t req_size, struct seccomp_notif_resp *resp,
           size_t resp_size, const struct seccomp_agent_answer_s *a, int log_fd, ocitest_error_t *err)
{
  cleanup_free char *line = NULL;

  memset(req, 0, req_size);
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
    return errno == EINTR || errno == ENOENT ? 0 : ocitest_make_error(err, errno, "SECCOMP_IOCTL_NOTIF_RECV");
  memset(resp, 0, resp_size);
  resp->id = req->id;
  if (a->cont)
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else
    resp->error = -a->error;
  /* ENOENT: the task was killed or the syscall interrupted meanwhile. */
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
    return errno == ENOENT ? 0 : ocitest_make_error(err, errno, "SECCOMP_IOCTL_NOTIF_SEND");
  line = a->cont ? xasprintf("nr=%d pid=%u answer=continue\n", req->data.nr, req->pid)
                 : xasprintf("nr=%d pid=%u answer=errno=%d\n", req->data.nr, req->pid, a->error);
  if (log_fd >= 0 && write(log_fd, line, strlen(line)) != (ssize_t)strlen(line))
    return ocitest_make_error(err, errno, "write the notification log");
  return 1;
}

int
seccomp_agent_serve(int notify_fd, const struct seccomp_agent_answer_s *a, int log_fd, int64_t deadline_ms,
                    ocitest_error_t *err)
{
  cleanup_free struct seccomp_notif *req = NULL;
  cleanup_free struct seccomp_notif_resp *resp = NULL;
  size_t req_size = 0, resp_size = 0;
  int answered = 0;

  if (notif_sizes(&req_size, &resp_size, err) < 0)
    return -1;
  req = xcalloc(1, req_size);
  resp = xcalloc(1, resp_size);
  for (;;)
    {
      struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };
      int64_t left = deadline_ms - now_ms();
      int r;

      if (left <= 0)
        return ocitest_make_error(err, 0,
                                  "seccomp agent: the container still uses the filter at the deadline "
                                  "(%d notifications answered)",
                                  answered);
      r = poll(&pfd, 1, (int)(left > INT_MAX ? INT_MAX : left));
      if (r < 0 && errno != EINTR)
        return ocitest_make_error(err, errno, "poll the seccomp notify fd");
      if (r <= 0)
        continue;
      /* POLLIN first: a notification still pending is answered even if
         the last task is on its way out. */
      if (pfd.revents & POLLIN)
        {
          r = answer_one(notify_fd, req, req_size, resp, resp_size, a, log_fd, err);
          if (r < 0)
            return -1;
          answered += r;
          continue;
        }
      /* Linux 5.8+: POLLHUP once no task uses the filter any more. */
      if (pfd.revents & (POLLHUP | POLLERR))
        return answered;
    }
}
