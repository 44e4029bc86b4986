/* ocitest: the host-side driver of the OCI runtime acceptance harness.
   This file is only the command table and the dispatch; each subcommand
   lives in its own file. */
#include "ocitest.h"
#include "report.h"

#include <fcntl.h>
#include <string.h>

struct command_s
{
  const char *name;
  int (*handler)(int argc, char **argv, ocitest_error_t *err);
  const char *summary;
};

static const struct command_s commands[] = {
  { "probe", ocitest_cmd_probe, "print what this host allows (key=value lines)" },
  { "state-check", ocitest_cmd_state_check, "validate a state document and compare it with expectations" },
  { "field", ocitest_cmd_field, "print fields of a JSON document (a state's status, pid, bundle)" },
  { "wait", ocitest_cmd_wait, "poll a condition (pid gone, file, status) with a deadline" },
  { "snapshot", ocitest_cmd_snapshot, "record mounts, processes, state entries, cgroups" },
  { "leaks", ocitest_cmd_leaks, "print what is new since a snapshot" },
  { "seccomp-agent", ocitest_cmd_seccomp_agent,
    "a listenerPath receiver: record the state, answer notifications" },
  { "mount-root", ocitest_cmd_mount_root,
    "what lies under a mount namespace's \"/\" (pivot_root or chroot)" },
  { "hook", ocitest_cmd_hook, "a hook binary: append one JSON line per call to a log" },
  { "console", ocitest_cmd_console, "console-socket receiver: take the pty master, copy its I/O" },
  { "inside", ocitest_cmd_inside, "in the container: compare the live environment with config.json (TAP)" },
  { "inside-host", ocitest_cmd_inside_host, "the host's namespaces and seccomp mode, for `inside --host`" },
  { "reap", ocitest_cmd_reap, "run a runtime call as a subreaper; record what it leaves running" },
  { "bundle", ocitest_cmd_bundle, "a case's bundle from the template: symlinks hard-linked, the rest copied" },
  { "cycles", ocitest_cmd_cycles, "create/start/delete cycles of one bundle, each call with a deadline" },
  { "bench", ocitest_cmd_bench, "time runtimes' operations, interleaved, against the floor" },
  { "report", ocitest_cmd_report, "join result directories into index.html, matrix.md, matrix.json" },
  { "tags", ocitest_cmd_tags, "list the cases' level and requirement tags; --check refuses bad ones" },
  { NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
  fputs("usage: ocitest COMMAND [options]\n"
        "exit status: 0 ok, 1 check failed / timeout / leak, 2 usage error\n\n"
        "commands:\n",
        f);
  for (const struct command_s *c = commands; c->name; c++)
    fprintf(f, "  %-12s %s\n", c->name, c->summary);
  fputs("  help         this text\n\n`ocitest COMMAND --help` describes a command's options.\n", f);
}

/* Spawned children get fds 0-2 by number; if the caller closed one, a pipe
   we open would land there and be clobbered. */
static void
ensure_std_fds(void)
{
  for (int fd = 0; fd < 3; fd++)
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
      abort();
}

int
main(int argc, char **argv)
{
  ocitest_error_t err = NULL;
  int ret;

  ensure_std_fds();
  if (argc < 2)
    {
      usage(stderr);
      return OCITEST_EXIT_USAGE;
    }
  if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
    {
      usage(stdout);
      return OCITEST_EXIT_OK;
    }
  for (const struct command_s *c = commands; c->name; c++)
    {
      if (strcmp(argv[1], c->name) != 0)
        continue;
      ret = c->handler(argc - 1, argv + 1, &err);
      fflush(stdout);
      if (ret >= 0)
        return ret;
      fprintf(stderr, "ocitest %s: %s\n", c->name, err ? err->msg : "unknown error");
      ret = err ? err->exit_code : OCITEST_EXIT_FAIL;
      ocitest_error_release(&err);
      return ret;
    }
  fprintf(stderr, "ocitest: unknown command `%s`\n", argv[1]);
  usage(stderr);
  return OCITEST_EXIT_USAGE;
}
