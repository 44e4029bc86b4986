/* ocitest seccomp-agent: the listener a case names in
   `linux.seccomp.listenerPath` (runtime-spec config-linux.md "Seccomp").
   Takes one container process state with its seccomp notify fd, records
   the state, and answers the container's notified syscalls until the
   container is gone. */
#include "consrecv.h"
#include "seccompagent.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 60000

static const char agent_usage[]
    = "usage: ocitest seccomp-agent --socket PATH [--record FILE] [--log FILE] [--errno N | --continue]\n"
      "                             [--ready-file FILE] [--timeout SECONDS]\n"
      "Listen on a unix stream socket, take one container process state (JSON) with its fds over\n"
      "SCM_RIGHTS, check it (ociVersion, pid, state, fds naming \"seccompFd\"), then answer every\n"
      "notification on the seccomp fd until no process uses the filter (exit 0); exit 1 on a bad\n"
      "state or at the deadline.\n"
      "  --socket PATH      the unix socket to create (must not exist)\n"
      "  --record FILE      the state JSON as received (written before it is checked)\n"
      "  --log FILE         one line per notification: nr=N pid=P answer=...\n"
      "  --errno N          fail each notified syscall with errno N (default 1, EPERM)\n"
      "  --continue         let each notified syscall run (SECCOMP_USER_NOTIF_FLAG_CONTINUE)\n"
      "  --ready-file FILE  written once the socket listens (poll for it, never sleep)\n"
      "  --timeout SECONDS  give up after this long in all (default 60)\n";

enum
{
  OPT_SOCKET = 256,
  OPT_RECORD,
  OPT_LOG,
  OPT_READY_FILE,
  OPT_ERRNO,
  OPT_CONTINUE,
  OPT_TIMEOUT,
};

struct agent_opts_s
{
  const char *socket, *record, *log, *ready_file;
  struct seccomp_agent_answer_s answer;
  int64_t timeout_ms;
};

static int
parse_value(int c, struct agent_opts_s *o, ocitest_error_t *err)
{
  long v;

  switch (c)
    {
    case OPT_ERRNO:
      if (parse_long("--errno", optarg, 1, 4095, &v, err) < 0)
        return -1;
      o->answer.error = (int)v;
      return 0;
    case OPT_CONTINUE:
      o->answer.cont = true;
      return 0;
    default:
      return parse_seconds_ms("--timeout", optarg, &o->timeout_ms, err);
    }
}

static int
parse_agent_opts(int argc, char **argv, struct agent_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "socket", required_argument, NULL, OPT_SOCKET },
    { "record", required_argument, NULL, OPT_RECORD },
    { "log", required_argument, NULL, OPT_LOG },
    { "ready-file", required_argument, NULL, OPT_READY_FILE },
    { "errno", required_argument, NULL, OPT_ERRNO },
    { "continue", no_argument, NULL, OPT_CONTINUE },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char **slot[] = { &o->socket, &o->record, &o->log, &o->ready_file };
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          fputs(agent_usage, stdout);
          return 1;
        }
      if (c >= OPT_ERRNO && c <= OPT_TIMEOUT)
        {
          if (parse_value(c, o, err) < 0)
            return -1;
          continue;
        }
      if (c < OPT_SOCKET || c > OPT_READY_FILE)
        return option_error(c, argv, "seccomp-agent", err);
      *slot[c - OPT_SOCKET] = optarg;
    }
  if (optind < argc)
    return ocitest_usage_error(err, "unexpected argument `%s`", argv[optind]);
  if (o->socket == NULL)
    return ocitest_usage_error(err, "--socket PATH is required");
  return 0;
}

/* Listen, accept the runtime's one connection, take the state.  Returns
   the index of seccompFd in m->fds, or -1 with err. */
static int
receive_state(const struct agent_opts_s *o, int64_t deadline, seccomp_agent_msg_t *m, ocitest_error_t *err)
{
  cleanup_close int lfd = -1, conn = -1;

  /* The console receiver's socket does for this too: AF_UNIX,
     SOCK_STREAM, as the spec wants the listener. */
  lfd = console_listen(o->socket, err);
  if (lfd < 0)
    return -1;
  if (o->ready_file && write_file_atomic(o->ready_file, "ready\n", 6, err) < 0)
    return -1;
  conn = console_accept(lfd, deadline, err);
  unlink(o->socket);
  if (conn < 0)
    return ocitest_error_wrap(err, "seccomp listener");
  if (seccomp_agent_recv_state(conn, deadline, m, err) < 0)
    return -1;
  if (o->record && write_file_atomic(o->record, m->json, m->len, err) < 0)
    return -1;
  return seccomp_agent_check_state(m, err);
}

int
ocitest_cmd_seccomp_agent(int argc, char **argv, ocitest_error_t *err)
{
  struct agent_opts_s o = { .timeout_ms = DEFAULT_TIMEOUT_MS, .answer = { .error = EPERM } };
  seccomp_agent_msg_t m = { .n_fds = 0 };
  cleanup_close int log_fd = -1;
  int64_t deadline;
  int r, index;

  r = parse_agent_opts(argc, argv, &o, err);
  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;
  deadline = now_ms() + o.timeout_ms;
  if (o.log && (log_fd = open(o.log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644)) < 0)
    return ocitest_make_error(err, errno, "open `%s`", o.log);
  index = receive_state(&o, deadline, &m, err);
  if (index < 0)
    {
      seccomp_agent_msg_free(&m);
      return -1;
    }
  r = seccomp_agent_serve(m.fds[index], &o.answer, log_fd, deadline, err);
  seccomp_agent_msg_free(&m);
  return r < 0 ? -1 : OCITEST_EXIT_OK;
}
