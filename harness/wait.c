/* ocitest wait: poll one condition until it holds or the deadline passes. */
#include "waitcond.h"

#include <getopt.h>
#include <string.h>

#define DEFAULT_INTERVAL_MS 20
#define DEFAULT_CMD_TIMEOUT_MS 5000

static const char wait_usage[]
    = "usage: ocitest wait --timeout SECONDS [--interval MS] CONDITION\n"
      "Poll until CONDITION holds (exit 0) or the timeout passes (exit 1).\n"
      "  --pid-gone PID                   /proc/PID is absent or a zombie\n"
      "  --file PATH [--contains TEXT]    PATH exists (and contains TEXT)\n"
      "  --status STATUS -- CMD ARGS...   CMD prints state JSON with .status == STATUS;\n"
      "                                   STATUS `gone`: CMD exits non-zero\n"
      "  --cmd-timeout SECONDS            kill one run of CMD after this long (default 5)\n";

enum
{
  OPT_TIMEOUT = 256,
  OPT_INTERVAL,
  OPT_CMD_TIMEOUT,
  OPT_PID_GONE,
  OPT_FILE,
  OPT_CONTAINS,
  OPT_STATUS,
};

struct wait_opts_s
{
  wait_cond_t cond;
  int64_t timeout_ms;
  int64_t interval_ms;
  int n_conditions;
};

static int
parse_one_wait_opt(int c, struct wait_opts_s *o, char **argv, ocitest_error_t *err)
{
  long v;

  switch (c)
    {
    case OPT_TIMEOUT:
      return parse_seconds_ms("--timeout", optarg, &o->timeout_ms, err);
    case OPT_CMD_TIMEOUT:
      return parse_seconds_ms("--cmd-timeout", optarg, &o->cond.cmd_timeout_ms, err);
    case OPT_INTERVAL:
      if (parse_long("--interval", optarg, 1, 60000, &v, err) < 0)
        return -1;
      o->interval_ms = v;
      return 0;
    case OPT_PID_GONE:
      if (parse_long("--pid-gone", optarg, 1, INT32_MAX, &v, err) < 0)
        return -1;
      o->cond.kind = WAIT_PID_GONE;
      o->cond.pid = (pid_t)v;
      o->n_conditions++;
      return 0;
    case OPT_FILE:
      o->cond.kind = WAIT_FILE;
      o->cond.path = optarg;
      o->n_conditions++;
      return 0;
    case OPT_CONTAINS:
      o->cond.contains = optarg;
      return 0;
    case OPT_STATUS:
      o->cond.kind = strcmp(optarg, "gone") == 0 ? WAIT_GONE : WAIT_STATUS;
      o->cond.status = optarg;
      o->n_conditions++;
      return 0;
    default:
      return option_error(c, argv, "wait", err);
    }
}

/* Returns 1 if --help was printed. */
static int
parse_wait_opts(int argc, char **argv, struct wait_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { "cmd-timeout", required_argument, NULL, OPT_CMD_TIMEOUT },
    { "pid-gone", required_argument, NULL, OPT_PID_GONE },
    { "file", required_argument, NULL, OPT_FILE },
    { "contains", required_argument, NULL, OPT_CONTAINS },
    { "status", required_argument, NULL, OPT_STATUS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  options_reset();
  /* "+": stop at the first non-option, so the command's own flags
     (`runc --root R state x`) are never taken for ours, `--` or not. */
  while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          fputs(wait_usage, stdout);
          return 1;
        }
      if (parse_one_wait_opt(c, o, argv, err) < 0)
        return -1;
    }
  if (o->timeout_ms < 0)
    return ocitest_usage_error(err, "--timeout SECONDS is required");
  if (o->n_conditions != 1)
    return ocitest_usage_error(err, "want exactly one of --pid-gone, --file, --status");
  if (o->cond.contains && o->cond.kind != WAIT_FILE)
    return ocitest_usage_error(err, "--contains only goes with --file");
  if (o->cond.kind == WAIT_STATUS || o->cond.kind == WAIT_GONE)
    {
      if (optind >= argc)
        return ocitest_usage_error(err, "--status needs a command: --status %s -- CMD ARGS...",
                                   o->cond.status);
      o->cond.argv = argv + optind;
    }
  else if (optind < argc)
    return ocitest_usage_error(err, "unexpected argument `%s`", argv[optind]);
  return 0;
}

int
ocitest_cmd_wait(int argc, char **argv, ocitest_error_t *err)
{
  struct wait_opts_s o = {
    .timeout_ms = -1,
    .interval_ms = DEFAULT_INTERVAL_MS,
    .cond = { .cmd_timeout_ms = DEFAULT_CMD_TIMEOUT_MS },
  };
  cleanup_free char *seen = NULL;
  cleanup_free char *what = NULL;
  int r;

  r = parse_wait_opts(argc, argv, &o, err);
  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;

  r = wait_poll(&o.cond, o.timeout_ms, o.interval_ms, &seen, err);
  if (r < 0)
    return -1;
  if (r > 0)
    return OCITEST_EXIT_OK;
  what = wait_describe(&o.cond);
  return ocitest_make_error(err, 0, "timed out after %.3gs waiting for %s; last seen: %s",
                            (double)o.timeout_ms / 1000.0, what, seen ? seen : "nothing");
}
