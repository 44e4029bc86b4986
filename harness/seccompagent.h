/* The receiving end of `linux.seccomp.listenerPath` (runtime-spec
   config-linux.md "Seccomp" and "The Container Process State"): the runtime
   connects to a unix stream socket, sends the container process state as
   JSON with the seccomp notify fd in SCM_RIGHTS (only in the first of its
   sendmsg calls), and closes the connection.  Then the agent answers the
   container's notified syscalls on that fd. */
#ifndef OCITEST_SECCOMPAGENT_H
#define OCITEST_SECCOMPAGENT_H

#include "ocitest.h"

#define SECCOMP_AGENT_MAX_FDS 8
#define SECCOMP_AGENT_MAX_STATE (1 << 20)

struct seccomp_agent_msg_s
{
  char *json; /* the payload, NUL-terminated */
  size_t len;
  int fds[SECCOMP_AGENT_MAX_FDS]; /* in SCM_RIGHTS order */
  size_t n_fds;
};
typedef struct seccomp_agent_msg_s seccomp_agent_msg_t;

/* Read one container process state from conn, before deadline_ms: until
   the payload parses as JSON, or the runtime closes the connection.
   Fds arriving after the first message are an error (spec: "the file
   descriptors MUST be sent only in the first call").  Returns 0 and fills
   *m (release with seccomp_agent_msg_free), or -1 with err set and no fd
   left open. */
int seccomp_agent_recv_state(int conn, int64_t deadline_ms, seccomp_agent_msg_t *m, ocitest_error_t *err);
void seccomp_agent_msg_free(seccomp_agent_msg_t *m);

/* Check the state against "The Container Process State": ociVersion, pid
   and state REQUIRED, fds naming each fd received, one of them
   "seccompFd".  Returns the index of seccompFd in m->fds, or -1 with err
   naming what is wrong. */
int seccomp_agent_check_state(const seccomp_agent_msg_t *m, ocitest_error_t *err);

/* How the agent answers every notification. */
struct seccomp_agent_answer_s
{
  bool cont; /* SECCOMP_USER_NOTIF_FLAG_CONTINUE: let the syscall run */
  int error; /* otherwise fail it with this errno (> 0) */
};

/* Answer notifications on notify_fd until the last task using the filter
   is gone (POLLHUP) or deadline_ms; each one appended to log_fd (if >= 0)
   as `nr=N pid=P answer=continue|errno=E`.  Returns the number answered,
   or -1 with err set (timeout included). */
int seccomp_agent_serve(int notify_fd, const struct seccomp_agent_answer_s *a, int log_fd,
                        int64_t deadline_ms, ocitest_error_t *err);

#endif
