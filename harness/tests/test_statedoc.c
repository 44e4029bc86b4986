/* state-check: every rule of the state schema must reject something, real
   runtime output must pass, and expectation mismatches must be named. */
#include "statedoc.h"
#include "tap.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define RUNC_STATE                                                                                           \
  "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c\",\"pid\":1234,\"status\":\"created\",\"bundle\":\"/b\","        \
  "\"rootfs\":\"/b/rootfs\",\"created\":\"2024-01-01T00:00:00Z\",\"owner\":\"\"}"

static const state_expect_t no_expect = { 0 };

/* Run the check; want_substr NULL means "no failure expected", otherwise
   some failure line must contain it. */
static void
check(const char *desc, const char *doc, const state_expect_t *want, const char *want_substr)
{
  cleanup_str_list str_list_t failures = { 0 };
  ocitest_error_t err = NULL;
  bool found = false;
  int n = state_check_buffer(doc, strlen(doc), want, &failures, &err);

  if (n < 0)
    {
      ok(false, "%s", desc);
      diag("unexpected error: %s", err->msg);
      ocitest_error_release(&err);
      return;
    }
  for (size_t i = 0; i < failures.len; i++)
    found = found || (want_substr && strstr(failures.items[i], want_substr));
  if (!ok(want_substr ? found : n == 0, "%s", desc))
    {
      diag("document: %s", doc);
      diag("wanted: %s", want_substr ? want_substr : "no failure");
      for (size_t i = 0; i < failures.len; i++)
        diag("got failure: %s", failures.items[i]);
    }
}

static void
check_parse_error(const char *desc, const char *doc, const char *want_substr)
{
  cleanup_str_list str_list_t failures = { 0 };
  ocitest_error_t err = NULL;
  int n = state_check_buffer(doc, strlen(doc), &no_expect, &failures, &err);

  if (!ok(n < 0 && err && strstr(err->msg, want_substr), "%s", desc))
    diag("got %d, error %s", n, err ? err->msg : "(none)");
  ocitest_error_release(&err);
}

static void
test_accepts(void)
{
  check("runc's real state output is valid", RUNC_STATE, &no_expect, NULL);
  check("stopped without pid is valid",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\"}", &no_expect, NULL);
  check("stopped with pid 0 is valid",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"pid\":0,\"bundle\":\"/b\"}",
        &no_expect, NULL);
  check("creating without pid is valid",
        "{\"ociVersion\":\"1.0.0\",\"id\":\"c\",\"status\":\"creating\",\"bundle\":\"/b\"}", &no_expect,
        NULL);
  check("annotations of strings and null annotations are valid",
        "{\"ociVersion\":\"1.2.0+build.1\",\"id\":\"c\",\"status\":\"running\",\"pid\":5,\"bundle\":\"/b\","
        "\"annotations\":{\"a\":\"1\",\"b\":\"\"}}",
        &no_expect, NULL);
  check(
      "null annotations are valid (defs.json allows null)",
      "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\",\"annotations\":null}",
      &no_expect, NULL);
}

static void
test_rejects(void)
{
  check("not an object", "[1]", &no_expect, "document: got an array");
  check("ociVersion missing", "{\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\"}", &no_expect,
        "ociVersion: missing");
  check("ociVersion not a string", "{\"ociVersion\":1,\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\"}",
        &no_expect, "ociVersion: got an integer");
  check("ociVersion not SemVer",
        "{\"ociVersion\":\"1.0\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\"}", &no_expect,
        "not a SemVer");
  check("id missing", "{\"ociVersion\":\"1.0.2\",\"status\":\"stopped\",\"bundle\":\"/b\"}", &no_expect,
        "id: missing");
  check("id empty", "{\"ociVersion\":\"1.0.2\",\"id\":\"\",\"status\":\"stopped\",\"bundle\":\"/b\"}",
        &no_expect, "id: empty");
  check("id not a string", "{\"ociVersion\":\"1.0.2\",\"id\":7,\"status\":\"stopped\",\"bundle\":\"/b\"}",
        &no_expect, "id: got an integer");
  check("status missing", "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"bundle\":\"/b\"}", &no_expect,
        "status: missing");
  check("status outside the enum",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"paused\",\"bundle\":\"/b\"}", &no_expect,
        "status: \"paused\" is not one of");
  check("pid missing when created",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"created\",\"bundle\":\"/b\"}", &no_expect,
        "pid: missing (required when status is created)");
  check("pid missing when running",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"running\",\"bundle\":\"/b\"}", &no_expect,
        "pid: missing (required when status is running)");
  check("pid 0 when running",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"running\",\"pid\":0,\"bundle\":\"/b\"}",
        &no_expect, "pid: got 0, want > 0");
  check("pid negative",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"pid\":-1,\"bundle\":\"/b\"}",
        &no_expect, "pid: got -1, want >= 0");
  check("pid a string",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"running\",\"pid\":\"1\",\"bundle\":\"/b\"}",
        &no_expect, "pid: got a string");
  check("pid a real number",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"running\",\"pid\":1.5,\"bundle\":\"/b\"}",
        &no_expect, "pid: got a real number");
  check("bundle missing", "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\"}", &no_expect,
        "bundle: missing");
  check("bundle relative", "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"b\"}",
        &no_expect, "bundle: \"b\" is not an absolute path");
  check("annotations not an object",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\",\"annotations\":[]}",
        &no_expect, "annotations: got an array");
  check("annotation value not a string",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/"
        "b\",\"annotations\":{\"k\":1}}",
        &no_expect, "annotations.k: got an integer");
  check_parse_error("malformed JSON names line and column", "{\"ociVersion\":\n\"1.0.2\",", "line 2 column");
  check_parse_error(
      "duplicate keys are rejected",
      "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"id\":\"d\",\"status\":\"stopped\",\"bundle\":\"/b\"}",
      "duplicate");
  check_parse_error("empty input is an error", "", "line 1");
}

static void
test_semver(void)
{
  static const char *const good[]
      = { "1.0.2", "1.0.2-dev", "0.0.0", "10.20.30", "1.0.0-rc.1+build.5", "1.1.0+x" };
  static const char *const bad[]
      = { "", "1", "1.0", "1.0.x", "01.0.0", "1.0.0-", "1.0.0-a..b", "v1.0.0", "1.0.0 " };

  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    ok(is_semver(good[i]), "semver accepts \"%s\"", good[i]);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ok(!is_semver(bad[i]), "semver rejects \"%s\"", bad[i]);
}

static void
test_expectations(void)
{
  static const struct state_annotation_s ann_good[] = { { "org.x", "1" } };
  static const struct state_annotation_s ann_bad[] = { { "org.x", "2" } };
  static const struct state_annotation_s ann_missing[] = { { "org.y", "1" } };
  const char *with_ann = "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\","
                         "\"annotations\":{\"org.x\":\"1\"}}";
  state_expect_t w;

  w = (state_expect_t){ .id = "c", .status = "created", .has_pid = true, .pid = 1234, .bundle = "/b" };
  check("all expectations met", RUNC_STATE, &w, NULL);
  w = (state_expect_t){ .status = "running" };
  check("status mismatch is named", RUNC_STATE, &w, "status: got \"created\", want \"running\"");
  w = (state_expect_t){ .id = "other" };
  check("id mismatch is named", RUNC_STATE, &w, "id: got \"c\", want \"other\"");
  w = (state_expect_t){ .has_pid = true, .pid = 99 };
  check("pid mismatch is named", RUNC_STATE, &w, "pid: got 1234, want 99");
  w = (state_expect_t){ .bundle = "/elsewhere" };
  check("bundle mismatch is named", RUNC_STATE, &w, "bundle: got \"/b\", want \"/elsewhere\"");
  w = (state_expect_t){ .bundle = "/tmp/../tmp" };
  check("bundle compared after realpath",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/tmp\"}", &w, NULL);
  w = (state_expect_t){ .annotations = ann_good, .n_annotations = 1 };
  check("annotation match", with_ann, &w, NULL);
  w = (state_expect_t){ .annotations = ann_bad, .n_annotations = 1 };
  check("annotation mismatch is named", with_ann, &w, "annotations.org.x: got \"1\", want \"2\"");
  w = (state_expect_t){ .annotations = ann_missing, .n_annotations = 1 };
  check("missing annotation is named", with_ann, &w, "annotations.org.y: missing");
  w = (state_expect_t){ .pid_alive = true };
  check("pid-alive without a pid fails",
        "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\",\"bundle\":\"/b\"}", &w,
        "pid: missing, want a live process");
}

static void
test_pid_alive(void)
{
  state_expect_t w = { .pid_alive = true };
  cleanup_free char *doc = NULL;
  pid_t child;

  doc = xasprintf(
      "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"running\",\"pid\":%d,\"bundle\":\"/b\"}",
      (int)getpid());
  check("pid-alive holds for a live process", doc, &w, NULL);

  child = fork();
  if (child == 0)
    _exit(0);
  /* Not reaped yet: a zombie is not alive. */
  while (!proc_gone(child, NULL))
    sleep_ms(5);
  free(doc);
  doc = xasprintf(
      "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"running\",\"pid\":%d,\"bundle\":\"/b\"}",
      (int)child);
  check("pid-alive fails for a zombie", doc, &w, "is not alive (zombie)");
  waitpid(child, NULL, 0);
  check("pid-alive fails for a reaped process", doc, &w, "is not alive (no such process)");
}

int
main(void)
{
  tap_init();
  test_accepts();
  test_rejects();
  test_semver();
  test_expectations();
  test_pid_alive();
  return tap_done();
}
