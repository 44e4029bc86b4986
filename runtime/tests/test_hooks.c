/* Hooks: config validation (spec.c, every rejection names the field) and
   the runner (hooks.c): state on stdin, argv and environment passed
   exactly, stdout and stderr to our stderr, exit status, exec failures,
   timeouts that kill the hook's whole process group, and the rules for a
   list (stop at the first failure, or warn and go on).  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "spec.h"
#include "status.h"

#include "tap.h"
#include "utils.h"

#define HEAD                                                                                                 \
  "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"sh\"], "         \
  "\"cwd\": "                                                                                                \
  "\"/\"}, \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}, \"hooks\": "

static char tmpdir[] = "/tmp/box-test-hooks.XXXXXX";

static box_config_t *
parse_hooks(const char *hooks_json, box_error_t *err)
{
  cleanup_free char *json = xasprintf(HEAD "%s}", hooks_json);
  box_config_t *c = NULL;

  if (box_config_parse(json, strlen(json), &c, err) < 0)
    return NULL;
  return c;
}

static void
check_rejects(const char *desc, const char *hooks_json, const char *field, const char *why)
{
  box_error_t err = NULL;
  box_config_t *c = parse_hooks(hooks_json, &err);

  tap_ok(c == NULL && err && tap_contains(err->msg, "config.json") && tap_contains(err->msg, field)
             && tap_contains(err->msg, why),
         "rejects %s", desc);
  tap_diag("%s", err ? err->msg : "(no error)");
  box_config_free(c);
  box_error_release(&err);
}

static void
test_validation(void)
{
  check_rejects("hooks that are not an object", "[]", "`hooks`", "must be an object");
  check_rejects("a hook kind that is not an array", "{\"createRuntime\": {}}", "`hooks.createRuntime`",
                "must be an array");
  check_rejects("a hook that is not an object", "{\"poststop\": [\"/bin/true\"]}", "`hooks.poststop[0]`",
                "must be an object");
  check_rejects("a hook without path", "{\"prestart\": [{\"args\": [\"x\"]}]}", "`hooks.prestart[0].path`",
                "required");
  check_rejects("a relative hook path", "{\"createRuntime\": [{\"path\": \"bin/true\"}]}",
                "`hooks.createRuntime[0].path`", "must be an absolute path");
  check_rejects("hook args that are not strings", "{\"startContainer\": [{\"path\": \"/x\", \"args\": [1]}]}",
                "`hooks.startContainer[0].args`", "strings");
  check_rejects("hook env that is not an array", "{\"poststart\": [{\"path\": \"/x\", \"env\": \"A=1\"}]}",
                "`hooks.poststart[0].env`", "strings");
  check_rejects("a zero timeout",
                "{\"createContainer\": [{\"path\": \"/x\"}, {\"path\": \"/y\", \"timeout\": 0}]}",
                "`hooks.createContainer[1].timeout`", "positive integer");
  check_rejects("a negative timeout", "{\"poststop\": [{\"path\": \"/x\", \"timeout\": -5}]}",
                "`hooks.poststop[0].timeout`", "positive integer");
  check_rejects("a fractional timeout", "{\"poststop\": [{\"path\": \"/x\", \"timeout\": 1.5}]}",
                "`hooks.poststop[0].timeout`", "positive integer");
}

static void
test_parse(void)
{
  box_error_t err = NULL;
  box_config_t *c = parse_hooks("{\"prestart\": [{\"path\": \"/p\"}],"
                                " \"createRuntime\": [{\"path\": \"/a\", \"args\": [\"a0\", \"a1\"],"
                                "   \"env\": [\"K=V\"], \"timeout\": 7}],"
                                " \"poststop\": [{\"path\": \"/s1\"}, {\"path\": \"/s2\"}],"
                                " \"futureHook\": [{\"path\": \"/f\"}]}",
                                &err);
  const struct box_hook_s *h;

  if (!tap_ok(c != NULL, "hooks of every kind parse (an unknown kind is ignored, like runc)"))
    {
      tap_diag("%s", err ? err->msg : "?");
      box_error_release(&err);
      return;
    }
  h = &c->hooks[BOX_HOOK_CREATE_RUNTIME].hooks[0];
  tap_ok(c->hooks[BOX_HOOK_CREATE_RUNTIME].n == 1 && strcmp(h->path, "/a") == 0 && h->n_args == 2
             && strcmp(h->args[1], "a1") == 0 && h->args[2] == NULL && h->n_env == 1
             && strcmp(h->env[0], "K=V") == 0 && h->timeout == 7,
         "createRuntime: path, args, env, timeout");
  h = &c->hooks[BOX_HOOK_PRESTART].hooks[0];
  tap_ok(h->args == NULL && h->env == NULL && h->timeout == 0, "absent args, env and timeout stay unset");
  tap_ok(c->hooks[BOX_HOOK_POSTSTOP].n == 2 && strcmp(c->hooks[BOX_HOOK_POSTSTOP].hooks[1].path, "/s2") == 0
             && c->hooks[BOX_HOOK_START_CONTAINER].n == 0,
         "poststop keeps its order; kinds not given are empty");
  tap_ok(strcmp(box_hook_kind_name(BOX_HOOK_START_CONTAINER), "startContainer") == 0, "kind names");
  box_config_free(c);
}

/* Run h with fd 2 sent to a file; *out gets what the hook wrote there.  */
static int
run_captured(const struct box_hook_s *h, const char *state, char **out, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/stderr", tmpdir);
  int saved = dup(STDERR_FILENO), fd, r;

  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  dup2(fd, STDERR_FILENO);
  close(fd);
  r = box_hook_run(h, state, NULL, err);
  dup2(saved, STDERR_FILENO);
  close(saved);
  if (box_read_file(path, out, NULL, err) < 0)
    return -1;
  return r;
}

static void
test_io(void)
{
  char *cat_args[] = { "sh", "-c", "cat; echo; echo to-stderr >&2", NULL };
  char *argv_args[] = { "sh", "-c", "printf '%s|' \"$0\" \"$@\"", "zero", "one", "two words", NULL };
  char *env_args[] = { "env", NULL };
  char *env[] = { "A=1", "B=two words", NULL };
  struct box_hook_s h = { .path = "/bin/sh", .args = cat_args };
  cleanup_free char *out1 = NULL, *out2 = NULL, *out3 = NULL, *out4 = NULL;
  box_error_t err = NULL;

  tap_ok(run_captured(&h, "{\"status\":\"creating\"}", &out1, &err) == 0
             && tap_contains(out1, "{\"status\":\"creating\"}\n") && tap_contains(out1, "to-stderr"),
         "the state arrives on stdin; stdout and stderr go to our stderr");
  h.args = argv_args;
  tap_ok(run_captured(&h, "{}", &out2, &err) == 0 && out2 && strcmp(out2, "zero|one|two words|") == 0,
         "args are argv exactly, args[0] included");
  tap_diag("got `%s`", out2 ? out2 : "");
  h = (struct box_hook_s){ .path = "/usr/bin/env", .args = env_args, .env = env };
  tap_ok(run_captured(&h, "{}", &out3, &err) == 0 && out3 && strcmp(out3, "A=1\nB=two words\n") == 0,
         "env is the environment exactly");
  tap_diag("got `%s`", out3 ? out3 : "");
  setenv("BOX_TEST_INHERITED", "yes", 1);
  h.env = NULL;
  tap_ok(run_captured(&h, "{}", &out4, &err) == 0 && tap_contains(out4, "BOX_TEST_INHERITED=yes"),
         "without env the hook gets our environment (runc does the same)");
  box_error_release(&err);
}

static void
expect_failure(const char *desc, const struct box_hook_s *h, const char *state, const char *want)
{
  box_error_t err = NULL;
  cleanup_free char *out = NULL;

  tap_ok(run_captured(h, state, &out, &err) < 0 && err && tap_contains(err->msg, want), "%s", desc);
  tap_diag("%s", err ? err->msg : "(no error)");
  box_error_release(&err);
}

static void
test_failures(void)
{
  char *exit3[] = { "sh", "-c", "exit 3", NULL };
  char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
  cleanup_free char *plain = xasprintf("%s/not-executable", tmpdir);
  struct box_hook_s h = { .path = "/bin/sh", .args = exit3 };
  int fd;

  expect_failure("a non-zero exit fails with the status", &h, "{}", "exited with status 3");
  h.args = killed;
  expect_failure("death by a signal fails naming it", &h, "{}", "killed by signal 9 (SIGKILL)");
  fd = open(plain, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  close(fd);
  h = (struct box_hook_s){ .path = plain };
  expect_failure("a file that is not executable fails at exec", &h, "{}", "exec: Permission denied");
  h.path = "/nonexistent/hook";
  expect_failure("a missing hook fails at exec", &h, "{}", "exec: No such file or directory");
}

static void
test_timeout(void)
{
  char *args[] = { "sh", "-c", "sleep 30 & echo $! > \"$1\"; wait", "sh", NULL, NULL };
  cleanup_free char *pid_path = xasprintf("%s/bg.pid", tmpdir);
  cleanup_free char *pid_text = NULL;
  struct box_hook_s h = { .path = "/bin/sh", .args = args, .timeout = 1 };
  box_error_t err = NULL;
  unsigned long long start;
  long long t0 = box_now_ms(), took;
  char state = 0;
  int r;

  args[4] = pid_path;
  r = box_hook_run(&h, "{}", NULL, &err);
  took = box_now_ms() - t0;
  tap_ok(r < 0 && err && tap_contains(err->msg, "timed out after 1s"), "a hook past its timeout fails");
  tap_diag("%s", err ? err->msg : "(no error)");
  tap_ok(took >= 950 && took < 3000, "... after about its timeout (%lld ms)", took);
  box_error_release(&err);
  /* The background sleep is in the hook's process group: it was killed
     too (gone, or a zombie waiting for its new parent to reap it).  */
  if (box_read_file(pid_path, &pid_text, NULL, &err) < 0)
    {
      tap_ok(false, "the hook wrote its child's pid");
      box_error_release(&err);
      return;
    }
  /* SIGKILL is delivered asynchronously: poll, with a deadline.  */
  for (long long deadline = box_now_ms() + 2000;;)
    {
      r = box_proc_stat((pid_t)atoi(pid_text), &state, &start, &err);
      if (r == 0 || (r == 1 && (state == 'Z' || state == 'X')) || box_now_ms() > deadline)
        break;
      nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
    }
  tap_ok(r == 0 || (r == 1 && (state == 'Z' || state == 'X')), "... and its process group is killed");
  box_error_release(&err);
}

/* A hook that never reads stdin must neither block us on a full pipe nor
   kill us with SIGPIPE.  */
static void
test_unread_stdin(void)
{
  char *args[] = { "sh", "-c", "exit 0", NULL };
  struct box_hook_s h = { .path = "/bin/sh", .args = args, .timeout = 10 };
  char *big = xmalloc(1 << 20);
  box_error_t err = NULL;

  memset(big, 'x', (1 << 20) - 1);
  big[(1 << 20) - 1] = '\0';
  tap_ok(box_hook_run(&h, big, NULL, &err) == 0, "a hook that ignores a 1 MiB state succeeds");
  tap_diag("%s", err ? err->msg : "ok");
  box_error_release(&err);
  free(big);
}

static void
test_lists(void)
{
  cleanup_free char *log = xasprintf("%s/list.log", tmpdir);
  cleanup_free char *json = xasprintf(
      "{\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo a >> %s\"]},"
      " {\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo c >> %s\"]}],"
      " \"poststop\": [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\","
      " \"echo s >> %s\"]}]}",
      log, log, log);
  cleanup_free char *got = NULL;
  box_error_t err = NULL;
  box_config_t *c = parse_hooks(json, &err);
  int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

  if (!tap_ok(c != NULL, "a hook list parses"))
    return;
  tap_ok(box_hooks_run(c, BOX_HOOK_CREATE_RUNTIME, "{}", NULL, &err) < 0
             && tap_contains(err->msg, "hook `createRuntime[1]` (`/bin/false`): exited with status 1"),
         "a list stops at its first failure, whose error names it");
  tap_diag("%s", err ? err->msg : "(no error)");
  box_error_release(&err);
  dup2(null, STDERR_FILENO); /* the warning */
  box_hooks_run_warn(c, BOX_HOOK_POSTSTOP, "{}", NULL);
  dup2(saved, STDERR_FILENO);
  close(saved), close(null);
  tap_ok(box_read_file(log, &got, NULL, &err) == 0 && strcmp(got, "a\ns\n") == 0,
         "createRuntime stopped before [2]; poststop went on after a failure");
  tap_diag("log `%s`", got ? got : "");
  tap_ok(box_hooks_deadline(c, BOX_HOOK_MASK(BOX_HOOK_POSTSTOP), 0) == LLONG_MAX,
         "hooks without a timeout give no deadline");
  box_error_release(&err);
  box_config_free(c);
}

int
main(void)
{
  box_error_t err = NULL;

  tap_init();
  if (mkdtemp(tmpdir) == NULL)
    return perror("mkdtemp"), 1;
  test_validation();
  test_parse();
  test_io();
  test_failures();
  test_timeout();
  test_unread_stdin();
  test_lists();
  box_rm_rf(tmpdir, &err);
  box_error_release(&err);
  return tap_done();
}
