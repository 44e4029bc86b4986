/* hook: the record says what the hook was given (argv, env, state on stdin),
   bad stdin is recorded rather than fatal, lines from concurrent hooks never
   interleave, and the command logs, sleeps and exits as told. */
#include "hooklog.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static char dir[] = "/tmp/ocitest-hook-XXXXXX";

/* Every line of path parsed as JSON into an array; NULL if a line is not. */
static json_t *
read_log(const char *path)
{
  cleanup_free char *buf = NULL;
  ocitest_error_t err = NULL;
  json_t *lines = json_array();
  char *save = NULL;

  if (read_file(path, 64u << 20, &buf, NULL, &err) < 0)
    {
      diag("read %s: %s", path, err->msg);
      ocitest_error_release(&err);
      return lines;
    }
  for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
    {
      json_error_t jerr;
      json_t *v = json_loads(l, 0, &jerr);

      if (v == NULL)
        {
          diag("not a JSON line: %.200s", l);
          json_decref(lines);
          return NULL;
        }
      json_array_append_new(lines, v);
    }
  return lines;
}

static const char *
str_at(json_t *obj, const char *key)
{
  return json_string_value(json_object_get(obj, key));
}

static void
test_record_fields(void)
{
  char *argv[] = { "ocitest", "hook", "--log", "x", "--", "two words", "", NULL };
  char *envp[] = { "A=1", "B=two words", "BAD=\xff\xfe", NULL };
  const char *state
      = "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}";
  hook_call_t call = {
    .kind = "createRuntime", .argv = argv, .envp = envp, .stdin_text = state, .stdin_len = strlen(state)
  };
  json_t *rec = hook_record_build(&call);
  json_t *ns = json_object_get(rec, "ns");
  char self_mnt[256] = "";
  ssize_t n = readlink("/proc/self/ns/mnt", self_mnt, sizeof(self_mnt) - 1);

  if (n > 0)
    self_mnt[n] = '\0';
  ok(str_at(rec, "kind") && strcmp(str_at(rec, "kind"), "createRuntime") == 0, "kind recorded");
  ok(json_array_size(json_object_get(rec, "argv")) == 7
         && strcmp(json_string_value(json_array_get(json_object_get(rec, "argv"), 5)), "two words") == 0
         && strcmp(json_string_value(json_array_get(json_object_get(rec, "argv"), 6)), "") == 0,
     "argv recorded exactly, empty and spaced words included");
  ok(json_array_size(json_object_get(rec, "env")) == 3, "env: every variable, none added");
  if (!ok(strcmp(json_string_value(json_array_get(json_object_get(rec, "env"), 2)), "BAD=\\xff\\xfe") == 0,
          "env: invalid UTF-8 escaped, not dropped"))
    diag("got %s", json_string_value(json_array_get(json_object_get(rec, "env"), 2)));
  ok(json_is_object(json_object_get(rec, "state"))
         && strcmp(str_at(json_object_get(rec, "state"), "status"), "creating") == 0
         && json_object_get(rec, "state_error") == NULL,
     "state parsed from stdin, no state_error");
  ok(json_integer_value(json_object_get(rec, "pid")) == getpid(), "pid is the hook's");
  ok(json_integer_value(json_object_get(rec, "ppid")) == getppid(), "ppid is the hook's parent");
  ok(str_at(ns, "mnt") && strcmp(str_at(ns, "mnt"), self_mnt) == 0, "ns.mnt is /proc/self/ns/mnt (%s)",
     self_mnt);
  ok(str_at(ns, "pid") && strncmp(str_at(ns, "pid"), "pid:[", 5) == 0, "ns.pid recorded");
  ok(str_at(rec, "root_ino") && strchr(str_at(rec, "root_ino"), ':'), "root_ino is dev:ino");
  ok(json_integer_value(json_object_get(rec, "time_ns")) > 0, "time_ns recorded");
  json_decref(rec);
}

static void
test_record_bad_stdin(void)
{
  char *argv[] = { "ocitest", NULL };
  char *envp[] = { NULL };
  hook_call_t call = { .argv = argv, .envp = envp, .stdin_text = "not json\n", .stdin_len = 9 };
  json_t *rec = hook_record_build(&call);

  ok(json_is_null(json_object_get(rec, "kind")), "no --kind: kind null");
  ok(json_is_null(json_object_get(rec, "state")) && str_at(rec, "state_error")
         && strstr(str_at(rec, "state_error"), "not JSON"),
     "stdin not JSON: state null, state_error says so");
  ok(str_at(rec, "stdin") && strcmp(str_at(rec, "stdin"), "not json\n") == 0, "the raw stdin is kept");
  json_decref(rec);

  call.stdin_text = "";
  call.stdin_len = 0;
  rec = hook_record_build(&call);
  ok(json_is_null(json_object_get(rec, "state")) && strstr(str_at(rec, "state_error"), "empty"),
     "empty stdin: state null, state_error says empty");
  json_decref(rec);
}

/* Children appending at once: every line must come out whole. */
static void
test_append_concurrent(void)
{
  cleanup_free char *path = xasprintf("%s/concurrent.log", dir);
  enum
  {
    CHILDREN = 8,
    EACH = 25
  };
  pid_t pids[CHILDREN];
  json_t *lines;
  bool all_ok = true;

  for (int c = 0; c < CHILDREN; c++)
    {
      pids[c] = fork();
      if (pids[c] == 0)
        {
          /* A long value, so a torn write would be likely to show. */
          cleanup_free char *big = xmalloc(3000);
          int rc = 0;

          memset(big, 'a' + c, 2999);
          big[2999] = '\0';
          for (int i = 0; i < EACH; i++)
            {
              ocitest_error_t err = NULL;
              json_t *rec = json_pack("{s:i, s:i, s:s}", "child", c, "i", i, "pad", big);

              if (hook_log_append(path, rec, &err) < 0)
                rc = 1;
              ocitest_error_release(&err);
              json_decref(rec);
            }
          _exit(rc);
        }
    }
  for (int c = 0; c < CHILDREN; c++)
    {
      int st = 0;

      waitpid(pids[c], &st, 0);
      all_ok = all_ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
  ok(all_ok, "%d children appended %d records each without error", CHILDREN, EACH);
  lines = read_log(path);
  ok(lines && json_array_size(lines) == CHILDREN * EACH, "every line is whole JSON, %d of them (%zu)",
     CHILDREN * EACH, lines ? json_array_size(lines) : 0);
  json_decref(lines);
}

static void
test_append_error(void)
{
  ocitest_error_t err = NULL;
  json_t *rec = json_object();
  cleanup_free char *path = xasprintf("%s/no/such/dir/log", dir);

  ok(hook_log_append(path, rec, &err) < 0 && err && strstr(err->msg, "No such file"),
     "log in a missing directory: error naming the cause");
  ocitest_error_release(&err);
  json_decref(rec);
}

static void
test_read_stdin_timeout(void)
{
  int p[2];
  ocitest_error_t err = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;
  int64_t start;
  int r;

  if (pipe(p) < 0)
    abort();
  if (write(p[1], "{\"a\":", 5) != 5)
    abort();
  start = now_ms();
  r = hook_read_stdin(p[0], 1 << 20, 200, &text, &len, &err);
  ok(r < 0 && now_ms() - start < 2000 && err && strstr(err->msg, "no end of file"),
     "stdin never closed: gives up after the timeout");
  ok(len == 5 && strcmp(text, "{\"a\":") == 0, "the partial text is kept");
  ocitest_error_release(&err);
  free(text);
  text = NULL;
  if (write(p[1], "1}", 2) != 2)
    abort();
  close(p[1]);
  r = hook_read_stdin(p[0], 1 << 20, 2000, &text, &len, &err);
  ok(r == 0 && strcmp(text, "1}") == 0, "closed stdin: read to the end");
  close(p[0]);
}

/* ocitest_cmd_hook in a child with STATE on stdin; its exit status. */
static int
run_hook_cmd(char **argv, const char *state)
{
  int p[2];
  int st = 0;
  pid_t pid;

  if (pipe(p) < 0)
    abort();
  pid = fork();
  if (pid == 0)
    {
      ocitest_error_t err = NULL;
      int argc = 0;
      int r;

      dup2(p[0], STDIN_FILENO);
      close(p[0]);
      close(p[1]);
      while (argv[argc])
        argc++;
      /* As main() calls it: argv + 1, so argv[-1] is the program name. */
      r = ocitest_cmd_hook(argc - 1, argv + 1, &err);
      _exit(r < 0 ? 100 : r);
    }
  close(p[0]);
  if (write(p[1], state, strlen(state)) < 0)
    abort();
  close(p[1]);
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_cmd(void)
{
  cleanup_free char *log = xasprintf("%s/cmd.log", dir);
  char *argv1[] = { "ocitest", "hook", "--log", log, "--kind", "poststop", "--", "x", "--exit", NULL };
  char *argv2[]
      = { "ocitest", "hook", "--log", log, "--exit", "7", "--sleep-ms", "200", "--delay-ms", "100", NULL };
  char *argv3[] = { "ocitest", "hook", "--kind", "k", NULL };
  json_t *lines;
  int64_t start;
  int rc;

  ok(run_hook_cmd(argv1, "{\"status\":\"stopped\"}") == 0, "hook exits 0 by default");
  start = now_ms();
  rc = run_hook_cmd(argv2, "{}");
  ok(rc == 7 && now_ms() - start >= 300, "--exit 7 after --delay-ms 100 and --sleep-ms 200 (rc %d)", rc);
  ok(run_hook_cmd(argv3, "{}") == 100, "no --log: usage error");
  lines = read_log(log);
  ok(lines && json_array_size(lines) == 2, "one line per call");
  if (lines && json_array_size(lines) == 2)
    {
      json_t *a = json_array_get(lines, 0);
      json_t *argv_rec = json_object_get(a, "argv");

      ok(json_array_size(argv_rec) == 9
             && strcmp(json_string_value(json_array_get(argv_rec, 0)), "ocitest") == 0
             && strcmp(json_string_value(json_array_get(argv_rec, 8)), "--exit") == 0,
         "argv recorded from argv[0], arguments after -- kept as given");
      ok(strcmp(str_at(json_object_get(a, "state"), "status"), "stopped") == 0, "state from stdin");
    }
  json_decref(lines);
}

int
main(void)
{
  tap_init();
  if (mkdtemp(dir) == NULL)
    abort();
  test_record_fields();
  test_record_bad_stdin();
  test_append_concurrent();
  test_append_error();
  test_read_stdin_timeout();
  test_cmd();
  {
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);

    if (system(cmd) != 0)
      diag("could not remove %s", dir);
  }
  return tap_done();
}
