/* ocitest console: the receiver a case passes as `--console-socket` (runtime-spec
   config.md "terminal"; runc's console-socket protocol).  Takes the pty master,
   records its window size, sends input, copies output until the container
   side of the pty is closed. */
#include "consrecv.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/ioctl.h>

#define DEFAULT_TIMEOUT_MS 60000

static const char console_usage[]
    = "usage: ocitest console --socket PATH [--out FILE] [--input TEXT] [--size-file FILE]\n"
      "                       [--ready-file FILE] [--timeout SECONDS]\n"
      "Listen on a unix socket, take one pty master over SCM_RIGHTS (runc's console-socket\n"
      "protocol), and copy its output until the container closes the pty (exit 0), or fail\n"
      "on timeout (exit 1).\n"
      "  --socket PATH      the unix socket to create (must not exist)\n"
      "  --out FILE         everything read from the pty, flushed per read\n"
      "  --input TEXT       written to the pty once received (\\n \\r \\t \\\\ \\xHH unescaped)\n"
      "  --size-file FILE   the pty's window size (TIOCGWINSZ) as `rows cols`\n"
      "  --ready-file FILE  written once the socket listens (poll for it, never sleep)\n"
      "  --name-file FILE   the pty name the runtime sent with the fd\n"
      "  --timeout SECONDS  give up after this long in all (default 60)\n";

enum
{
  OPT_SOCKET = 256,
  OPT_OUT,
  OPT_INPUT,
  OPT_SIZE_FILE,
  OPT_READY_FILE,
  OPT_NAME_FILE,
  OPT_TIMEOUT,
};

struct console_opts_s
{
  const char *socket;
  const char *out;
  const char *input;
  const char *size_file;
  const char *ready_file;
  const char *name_file;
  int64_t timeout_ms;
};

static int
parse_console_opts(int argc, char **argv, struct console_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "socket", required_argument, NULL, OPT_SOCKET },
    { "out", required_argument, NULL, OPT_OUT },
    { "input", required_argument, NULL, OPT_INPUT },
    { "size-file", required_argument, NULL, OPT_SIZE_FILE },
    { "ready-file", required_argument, NULL, OPT_READY_FILE },
    { "name-file", required_argument, NULL, OPT_NAME_FILE },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char **slot[] = {
    [OPT_SOCKET - OPT_SOCKET] = &o->socket,         [OPT_OUT - OPT_SOCKET] = &o->out,
    [OPT_INPUT - OPT_SOCKET] = &o->input,           [OPT_SIZE_FILE - OPT_SOCKET] = &o->size_file,
    [OPT_READY_FILE - OPT_SOCKET] = &o->ready_file, [OPT_NAME_FILE - OPT_SOCKET] = &o->name_file,
  };
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          fputs(console_usage, stdout);
          return 1;
        }
      if (c == OPT_TIMEOUT)
        {
          if (parse_seconds_ms("--timeout", optarg, &o->timeout_ms, err) < 0)
            return -1;
          continue;
        }
      if (c < OPT_SOCKET || c > OPT_NAME_FILE)
        return option_error(c, argv, "console", err);
      *slot[c - OPT_SOCKET] = optarg;
    }
  if (optind < argc)
    return ocitest_usage_error(err, "unexpected argument `%s`", argv[optind]);
  if (o->socket == NULL)
    return ocitest_usage_error(err, "--socket PATH is required");
  return 0;
}

/* The window size the runtime gave the pty (process.consoleSize), as the
   case reads it back: "rows cols". */
static int
record_size(int master, const char *path, ocitest_error_t *err)
{
  struct winsize ws;
  cleanup_free char *text = NULL;

  if (ioctl(master, TIOCGWINSZ, &ws) < 0)
    return ocitest_make_error(err, errno, "TIOCGWINSZ on the pty master");
  text = xasprintf("%u %u\n", ws.ws_row, ws.ws_col);
  return write_file_atomic(path, text, strlen(text), err);
}

static int
receive_master(const struct console_opts_s *o, int64_t deadline, ocitest_error_t *err)
{
  cleanup_close int lfd = -1;
  cleanup_close int conn = -1;
  cleanup_free char *name = NULL;
  int master;

  lfd = console_listen(o->socket, err);
  if (lfd < 0)
    return -1;
  if (o->ready_file && write_file_atomic(o->ready_file, "ready\n", 6, err) < 0)
    return -1;
  conn = console_accept(lfd, deadline, err);
  /* One connection is all a create makes; the path has done its job. */
  unlink(o->socket);
  if (conn < 0)
    return -1;
  master = console_recv_master(conn, deadline, &name, err);
  if (master < 0)
    return -1;
  if (o->name_file && write_file_atomic(o->name_file, name, strlen(name), err) < 0)
    {
      close(master);
      return -1;
    }
  return master;
}

int
ocitest_cmd_console(int argc, char **argv, ocitest_error_t *err)
{
  struct console_opts_s o = { .timeout_ms = DEFAULT_TIMEOUT_MS };
  cleanup_close int master = -1;
  cleanup_close int out_fd = -1;
  cleanup_free char *input = NULL;
  console_pump_t pump = { .out_fd = -1 };
  int64_t deadline;
  int r;

  r = parse_console_opts(argc, argv, &o, err);
  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;
  deadline = now_ms() + o.timeout_ms;

  if (o.out)
    {
      /* Opened before the pty arrives, so a case can tail it from the start;
         write(2) per read is the flush. */
      out_fd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
      if (out_fd < 0)
        return ocitest_make_error(err, errno, "open `%s`", o.out);
    }
  master = receive_master(&o, deadline, err);
  if (master < 0)
    return -1;
  if (o.size_file && record_size(master, o.size_file, err) < 0)
    return -1;
  if (o.input)
    input = console_unescape(o.input, &pump.input_len);
  pump.master = master;
  pump.out_fd = out_fd;
  pump.input = input;
  pump.deadline_ms = deadline;
  if (console_pump(&pump, err) < 0)
    return -1;
  return OCITEST_EXIT_OK;
}
