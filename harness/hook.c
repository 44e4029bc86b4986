/* ocitest hook: a hook binary for configs (runtime-spec config.md
   "POSIX-platform Hooks").  Appends one JSON line describing this call to a
   log, then sleeps and exits as told, so cases can assert the order, the
   state on stdin, args, env, namespaces, timeouts and failures of hooks. */
#include "hooklog.h"

#include <getopt.h>
#include <string.h>

#define STATE_STDIN_MAX (1u << 20)
/* Runtimes write the state and close the pipe at once; this only bounds a
   runtime that never does. */
#define STDIN_TIMEOUT_MS 10000

extern char **environ;

static const char hook_usage[]
    = "usage: ocitest hook --log FILE [--kind KIND] [--exit N] [--delay-ms N] [--sleep-ms N]\n"
      "                    [--] [EXTRA-ARGS...]\n"
      "Append one JSON line describing this hook call to FILE (kind, argv, env, the state read\n"
      "from stdin, pid, ppid, namespaces, cwd, root, time), then sleep and exit as told.\n"
      "  --log FILE       the log, opened O_APPEND and written with one write(2)\n"
      "  --kind KIND      which hook this is (createRuntime, poststart, ...), recorded as is\n"
      "  --exit N         exit status after logging (default 0)\n"
      "  --delay-ms N     sleep this long before logging: the record marks the hook's end\n"
      "  --sleep-ms N     sleep this long after logging, before exiting (timeout cases)\n"
      "  EXTRA-ARGS       ignored; they only show up in the recorded argv\n";

enum
{
  OPT_LOG = 256,
  OPT_KIND,
  OPT_EXIT,
  OPT_SLEEP_MS,
  OPT_DELAY_MS,
};

struct hook_opts_s
{
  const char *log;
  const char *kind;
  long exit_status;
  long sleep_ms;
  long delay_ms;
};

/* Returns 1 if --help was printed. */
static int
parse_hook_opts(int argc, char **argv, struct hook_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "log", required_argument, NULL, OPT_LOG },
    { "kind", required_argument, NULL, OPT_KIND },
    { "exit", required_argument, NULL, OPT_EXIT },
    { "sleep-ms", required_argument, NULL, OPT_SLEEP_MS },
    { "delay-ms", required_argument, NULL, OPT_DELAY_MS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  options_reset();
  /* "+": extra arguments a case adds to test `args` passing stay extra,
     whatever they look like after the first non-option. */
  while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_LOG:
          o->log = optarg;
          break;
        case OPT_KIND:
          o->kind = optarg;
          break;
        case OPT_EXIT:
          if (parse_long("--exit", optarg, 0, 255, &o->exit_status, err) < 0)
            return -1;
          break;
        case OPT_SLEEP_MS:
          if (parse_long("--sleep-ms", optarg, 0, 3600 * 1000L, &o->sleep_ms, err) < 0)
            return -1;
          break;
        case OPT_DELAY_MS:
          if (parse_long("--delay-ms", optarg, 0, 3600 * 1000L, &o->delay_ms, err) < 0)
            return -1;
          break;
        case 'h':
          fputs(hook_usage, stdout);
          return 1;
        default:
          return option_error(c, argv, "hook", err);
        }
    }
  if (o->log == NULL)
    return ocitest_usage_error(err, "--log FILE is required");
  return 0;
}

int
ocitest_cmd_hook(int argc, char **argv, ocitest_error_t *err)
{
  struct hook_opts_s o = { 0 };
  ocitest_error_t stdin_err = NULL;
  cleanup_free char *text = NULL;
  json_t *rec;
  size_t len = 0;
  int r;

  r = parse_hook_opts(argc, argv, &o, err);
  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;

  /* A slow hook, whose record (and time) is taken as it ends: what must
     come after the hook returns, by the lifecycle, must then log later. */
  sleep_ms(o.delay_ms);
  hook_read_stdin(STDIN_FILENO, STATE_STDIN_MAX, STDIN_TIMEOUT_MS, &text, &len, &stdin_err);
  {
    /* main() hands every command argv + 1, so argv[-1] is the program name
       the runtime exec'd us with: the recorded argv is the hook's `args`. */
    hook_call_t call = {
      .kind = o.kind,
      .argv = argv - 1,
      .envp = environ,
      .stdin_text = text,
      .stdin_len = len,
      .stdin_error = stdin_err ? stdin_err->msg : NULL,
    };

    rec = hook_record_build(&call);
  }
  ocitest_error_release(&stdin_err);
  r = hook_log_append(o.log, rec, err);
  json_decref(rec);
  if (r < 0)
    return -1;
  /* The hook's own behaviour, not a test wait: a hook that outlives its
     `timeout` must be killed by the runtime. */
  sleep_ms(o.sleep_ms);
  return (int)o.exit_status;
}
