/* box: a minimal OCI runtime.  The command table and dispatch; the only
   place that prints errors and decides the exit code.  */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "linux.h"
#include "log.h"
#include "utils.h"

typedef int (*box_cmd_fn)(struct box_global_s *, int, char **, box_error_t *);

static const struct
{
  const char *name;
  box_cmd_fn fn;
  const char *synopsis;
  const char *help;
} commands[] = {
  { "create", box_cmd_create, "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCK] [--preserve-fds N] [--no-pivot] ID",
    "create a container (the process waits for start)" },
  { "start", box_cmd_start, "ID", "run the user process of a created container" },
  { "state", box_cmd_state, "ID", "print the state of a container" },
  { "kill", box_cmd_kill, "ID [SIGNAL]", "send a signal to the container init (default SIGTERM)" },
  { "delete", box_cmd_delete, "[--force|-f] ID", "delete a stopped container (--force: any)" },
  { "run", box_cmd_run,
    "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCK] [--detach|-d] [--keep] [--preserve-fds N] "
    "[--no-pivot] ID",
    "create and start a container" },
  { "pause", box_cmd_pause, "ID", "freeze every process of a container" },
  { "resume", box_cmd_resume, "ID", "thaw a paused container" },
  { "ps", box_cmd_ps, "[--format|-f table|json] ID [PS-ARGS...]", "list the processes of a container" },
  { "list", box_cmd_list, "[--format|-f table|json] [--quiet|-q]", "list the containers under --root" },
  { "update", box_cmd_update,
    "[--resources|-r FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N] [--cpu-quota N] "
    "[--cpu-period N] [--cpu-share N] [--pids-limit N] [--cpuset-cpus L] [--cpuset-mems L] ID",
    "change the resource limits of a live container" },
  { "events", box_cmd_events, "[--stats] [--interval T] ID",
    "print resource usage: once (--stats) or every T until deleted" },
  { "exec", box_cmd_exec,
    "[--process FILE | ARGS...] [--tty|-t] [--console-socket SOCK] [--detach|-d] [--pid-file FILE] "
    "[--cwd DIR] [--env|-e K=V]... [--user|-u UID[:GID]] [--additional-gids G]... [--cap C]... "
    "[--no-new-privs] [--preserve-fds N] ID",
    "run a new process in a running container" },
  { "spec", box_cmd_spec, "[--bundle|-b DIR] [--rootless]", "write a default config.json (--rootless: for the calling user, as runc's)" },
  { "features", box_cmd_features, "", "print the features document (runtime-spec features.md)" },
  { "version", box_cmd_version, "", "print the version" },
};

/* `box CMD --help` (or -h) anywhere before `--`: usage on stdout, exit 0.  */
static bool
wants_help(int argc, char **argv)
{
  int i;
  for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return true;
  return false;
}

static void
usage(FILE *f)
{
  size_t i;

  fprintf(f, "usage: box [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND [ARGS...]\n\n"
             "commands:\n");
  for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
  fprintf(f, "  %-8s %s\n", "help", "print this help");
}

/* A global flag's value: "--flag VALUE" or "--flag=VALUE".  Returns NULL
   when the argument is not `flag`.  */
static const char *
flag_value(const char *flag, int argc, char **argv, int *i, box_error_t *err)
{
  size_t n = strlen(flag);
  const char *a = argv[*i];

  if (strncmp(a, flag, n) != 0 || (a[n] != '\0' && a[n] != '='))
    return NULL;
  if (a[n] == '=')
    return a + n + 1;
  if (*i + 1 >= argc)
    {
      box_make_error(err, 0, "global option `%s` needs a value", flag);
      return NULL;
    }
  return argv[++*i];
}

/* Parse global flags; returns the index of the command, or -1 (err).  */
static int
parse_globals(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  int i;

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      const char *v;
      if (strcmp(argv[i], "--debug") == 0)
        g->debug = 1;
      else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0)
        return argv[i] = (char *)"version", i;
      else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
        return argv[i] = (char *)"help", i;
      else if ((v = flag_value("--root", argc, argv, &i, err)))
        g->root = v;
      else if ((v = flag_value("--log-format", argc, argv, &i, err)))
        g->log_format = v;
      else if ((v = flag_value("--log", argc, argv, &i, err)))
        g->log = v;
      else if (*err == NULL)
        box_make_error(err, 0, "unknown global option `%s` (see `box help`)", argv[i]);
      if (*err)
        return -1;
    }
  if (i == argc)
    return box_make_error(err, 0, "no command given (see `box help`)");
  return i;
}

static int
dispatch(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  size_t i;

  if (strcmp(argv[0], "help") == 0)
    {
      usage(stdout);
      return 0;
    }
  for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(commands[i].name, argv[0]) == 0)
      {
        if (!wants_help(argc, argv))
          return commands[i].fn(g, argc, argv, err);
        printf("usage: box %s %s\n%s\n", commands[i].name, commands[i].synopsis, commands[i].help);
        return 0;
      }
  return box_make_error(err, 0, "unknown command `%s` (see `box help`)", argv[0]);
}

int
main(int argc, char **argv)
{
  struct box_global_s g = { .root = BOX_DEFAULT_ROOT };
  cleanup_free char *xdg_root = NULL;
  box_error_t err = NULL;
  int cmd, ret = -1;

  /* Rootless, the state goes under $XDG_RUNTIME_DIR (runc:
     $XDG_RUNTIME_DIR/runc), where the user may write.  */
  if (box_rootless() /* first call: decides it */ && getenv("XDG_RUNTIME_DIR") && getenv("XDG_RUNTIME_DIR")[0] == '/')
    g.root = xdg_root = xasprintf("%s/box", getenv("XDG_RUNTIME_DIR"));
  cmd = parse_globals(&g, argc, argv, &err);
  /* The commands that clone a process into a container (the init, or
     exec's) run from a sealed copy.  */
  if (cmd >= 0
      && (strcmp(argv[cmd], "create") == 0 || strcmp(argv[cmd], "run") == 0 || strcmp(argv[cmd], "exec") == 0)
      && !wants_help(argc - cmd, argv + cmd) && box_ensure_cloned_exe(argv, g.root, &err) < 0)
    cmd = -1;
  if (cmd >= 0 && box_log_init(g.log, g.log_format, g.debug, &err) == 0)
    ret = dispatch(&g, argc - cmd, argv + cmd, &err);
  if (ret < 0)
    {
      fprintf(stderr, "box: %s\n", err ? err->msg : "unknown error");
      box_log_error(err ? err->msg : "unknown error");
      box_error_release(&err);
      return 1;
    }
  return ret;
}
