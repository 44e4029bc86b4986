/* cycles: against a fake runtime (a shell script): every cycle's calls in
   order; a failing call named with its cycle and message; a container that
   never stops ends at the deadline with its last status; a hung call is
   killed at the deadline; what the calls leave running is recorded. */
#include "ocitest.h"
#include "tap.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[] = "/tmp/ocitest-cycles-XXXXXX";

/* The fake runtime: --root ROOT OP ARGS; appends "OP ID" to ROOT/calls.
   FAKE_FAIL=ID: create of ID fails; FAKE_RUNNING=1: state never says
   stopped; FAKE_HANG=1: start never returns; FAKE_LEAVE=1: start leaves a
   process of its own session running. */
static const char fake[] = "#!/bin/sh\n"
                           "root=$2 op=$3\n"
                           "shift 3\n"
                           "[ \"$op\" = create ] && shift 2\n"
                           "echo \"$op $1\" >>\"$root/calls\"\n"
                           "case $op in\n"
                           "create) [ \"$1\" != \"$FAKE_FAIL\" ] || { echo \"bundle is bad\" >&2; exit 3; }\n"
                           "  mkdir \"$root/$1\" ;;\n"
                           "start) [ -z \"$FAKE_HANG\" ] || exec sleep 30\n"
                           "  [ -z \"$FAKE_LEAVE\" ] || setsid sleep 30 </dev/null >/dev/null 2>&1 & ;;\n"
                           "state) s=stopped; [ -z \"$FAKE_RUNNING\" ] || s=running\n"
                           "  echo \"{\\\"id\\\": \\\"$1\\\", \\\"status\\\": \\\"$s\\\"}\" ;;\n"
                           "delete) rmdir \"$root/$1\" ;;\n"
                           "esac\n";

/* `ocitest cycles` in a child with extra environment; its exit status, its
   error message in *msg. */
static int
cycles(const char *count, const char *timeout, const char *env, char **msg)
{
  cleanup_free char *rt = xasprintf("%s/fake", dir);
  cleanup_free char *root = xasprintf("%s/root", dir);
  cleanup_free char *record = xasprintf("%s/record", dir);
  char *argv[] = { "cycles", "--count",   (char *)count,   "--bundle", "/b", "--prefix", "c",  "--record",
                   record,   "--timeout", (char *)timeout, "--",       rt,   "--root",   root, NULL };
  int fds[2], status;
  pid_t pid;
  size_t len;

  if (pipe(fds) < 0)
    return -1;
  pid = fork();
  if (pid == 0)
    {
      ocitest_error_t err = NULL;
      int rc;

      close(fds[0]);
      if (env)
        putenv((char *)env);
      if (freopen("/dev/null", "w", stdout) == NULL)
        _exit(99);
      rc = ocitest_cmd_cycles((int)(sizeof argv / sizeof *argv) - 1, argv, &err);
      if (rc < 0 && write(fds[1], err->msg, strlen(err->msg)) < 0)
        _exit(98);
      _exit(rc < 0 ? 1 : 0);
    }
  close(fds[1]);
  if (read_all_fd(fds[0], 1 << 16, msg, &len, &(ocitest_error_t){ NULL }) < 0)
    *msg = xstrdup("");
  close(fds[0]);
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *
slurp(const char *name)
{
  cleanup_free char *path = xasprintf("%s/%s", dir, name);
  ocitest_error_t err = NULL;
  char *text = NULL;
  size_t len;

  if (read_file(path, 1 << 20, &text, &len, &err) < 0)
    {
      ocitest_error_release(&err);
      return xstrdup("");
    }
  return text;
}

static void
reset(void)
{
  cleanup_free char *cmd = xasprintf("rm -rf %s/root %s/record && mkdir %s/root", dir, dir, dir);

  if (system(cmd) != 0)
    diag("reset failed");
}

int
main(void)
{
  cleanup_free char *rt = NULL;
  int64_t t0;

  tap_init();
  if (!mkdtemp(dir))
    return 1;
  rt = xasprintf("%s/fake", dir);
  if (write_file_atomic(rt, fake, sizeof fake - 1, &(ocitest_error_t){ NULL }) < 0 || chmod(rt, 0755) < 0)
    return 1;

  {
    cleanup_free char *msg = NULL, *calls = NULL, *record = NULL;
    reset();
    int rc = cycles("2", "10", NULL, &msg);
    calls = slurp("root/calls");
    record = slurp("record");
    ok(rc == 0, "two clean cycles exit 0 (%d: %s)", rc, msg);
    if (!ok(strcmp(calls, "create c-1\nstart c-1\nstate c-1\ndelete c-1\ncreate c-2\nstart c-2\nstate "
                          "c-2\ndelete c-2\n")
                == 0,
            "each cycle: create, start, state until stopped, delete, with the id PREFIX-I"))
      diag("calls: %s", calls);
    ok(record[0] == '\0', "nothing recorded when nothing is left running (`%s`)", record);
  }
  {
    cleanup_free char *msg = NULL;
    reset();
    int rc = cycles("3", "10", "FAKE_FAIL=c-2", &msg);
    ok(rc == 1 && strstr(msg, "cycle 2") && strstr(msg, "create") && strstr(msg, "exited 3")
           && strstr(msg, "bundle is bad"),
       "a failing create names the cycle, the call, the exit and the message (%s)", msg);
  }
  {
    cleanup_free char *msg = NULL;
    reset();
    t0 = now_ms();
    int rc = cycles("1", "1", "FAKE_RUNNING=1", &msg);
    int64_t ms = now_ms() - t0;
    ok(rc == 1 && strstr(msg, "not stopped") && strstr(msg, "status: running") && ms >= 1000 && ms < 5000,
       "a container that never stops fails at the deadline with its last status (%lld ms: %s)", (long long)ms,
       msg);
  }
  {
    cleanup_free char *msg = NULL;
    reset();
    t0 = now_ms();
    int rc = cycles("1", "1", "FAKE_HANG=1", &msg);
    int64_t ms = now_ms() - t0;
    ok(rc == 1 && strstr(msg, "timed out") && strstr(msg, "start") && ms < 5000,
       "a hung start is killed at its deadline (%lld ms: %s)", (long long)ms, msg);
  }
  {
    cleanup_free char *msg = NULL, *record = NULL;
    long pid = 0;
    reset();
    int rc = cycles("1", "10", "FAKE_LEAVE=1", &msg);
    record = slurp("record");
    ok(rc == 0 && sscanf(record, "%ld", &pid) == 1 && pid > 1,
       "a process a call left running, in its own session, is recorded (`%s`)", record);
    if (pid > 1)
      kill((pid_t)pid, SIGKILL);
  }
  {
    cleanup_free char *cmd = xasprintf("rm -rf %s", dir);
    if (system(cmd) != 0)
      diag("cleanup failed");
  }
  return tap_done();
}
