/* ocitest report and tags: the requirement list, the case tags and their
   check, TAP and expectation parsing, the model (columns, gaps), --baseline,
   and the HTML and Markdown writers. */
#include "report.h"
#include "tap.h"

#include <string.h>

static const char reqs_text[] = "# comment\n"
                                "runtime\tcreate\tmust\tOperations: Create\n"
                                "runtime\tkill\tmust\tOperations: Kill\n"
                                "config-linux\tcpu\tmust\tCPU\n"
                                "\n";

static const char bats_text[] = "load helpers.bash\n"
                                "# bats test_tags=spec:must,req:runtime:create\n"
                                "@test \"create [ok]\" {\n\ttrue\n}\n"
                                "# bats test_tags=de-facto,req:runtime:kill\n"
                                "# a comment between the tags and the test\n"
                                "@test \"kill [by number]\" {\n\ttrue\n}\n"
                                "# bats test_tags=spec:must\n"
                                "@test \"kill [no req]\" {\n\ttrue\n}\n"
                                "# bats test_tags=req:runtime:kill\n"
                                "@test \"kill [no level]\" {\n\ttrue\n}\n"
                                "# bats test_tags=spec:should,req:runtime:nope\n"
                                "@test \"kill [unknown section]\" {\n\ttrue\n}\n";

static const char expect_text[] = "# Known deviations of x, header comment.\n"
                                  "\n"
                                  "# runtime.md \"Kill\": the signal MUST be sent.\n"
                                  "# second line of the reason.\n"
                                  "kill [by number]\n"
                                  "\n"
                                  "# fixed since\n"
                                  "create [ok]\n";

static const char tap_text[] = "# runtime: x\n"
                               "1..5\n"
                               "ok 1 create [ok] # in 100 ms\n"
                               "not ok 2 kill [by number] # in 20 ms\n"
                               "# (in test file cases/kill.bats, line 3)\n"
                               "#   `false' failed\n"
                               "not ok 3 kill [no req] # in 30 ms\n"
                               "# <script>alert(1)</script> & more\n"
                               "ok 4 kill [no level] # skip needs root\n"
                               "ok 5 kill [unknown section] # in 5 ms\n";

static void
load_fixture(req_list_t *reqs, case_list_t *cases)
{
  ocitest_error_t err = NULL;

  /* A test only when it fails: every model below starts from it. */
  if (req_list_parse(reqs_text, "reqs", reqs, &err) < 0 || reqs->len != 3)
    ok(false, "requirements parse: 3 sections (%s)", err ? err->msg : "wrong count");
  ocitest_error_release(&err);
  case_tags_parse(bats_text, "kill.bats", cases);
}

static void
test_requirements(void)
{
  req_list_t l = { 0 };
  ocitest_error_t err = NULL;

  ok(req_list_parse("runtime\tcreate\tmust\tCreate\nruntime\tcreate\tmust\tAgain\n", "r.tsv", &l, &err) < 0
         && strstr(err->msg, "r.tsv:2") && strstr(err->msg, "twice"),
     "a section listed twice is refused, naming the line");
  ocitest_error_release(&err);
  req_list_free(&l);
  ok(req_list_parse("runtime create must Create\n", "r.tsv", &l, &err) < 0 && strstr(err->msg, "r.tsv:1"),
     "a row without tabs is refused, naming the line");
  ocitest_error_release(&err);
  req_list_free(&l);
}

static void
test_tags(void)
{
  req_list_t reqs = { 0 };
  case_list_t cases = { 0 };
  cleanup_str_list str_list_t problems = { 0 };
  size_t n;

  load_fixture(&reqs, &cases);
  ok(cases.len == 5, "5 cases parsed (got %zu)", cases.len);
  ok(cases.len > 1 && strcmp(cases.items[1].level, "de-facto") == 0
         && strcmp(cases.items[1].req, "runtime:kill") == 0 && cases.items[1].line == 8,
     "tags above a comment still belong to the next @test, line numbered");
  n = case_tags_check(&cases, &reqs, &problems);
  ok(n == 3, "check: 3 problems (got %zu)", n);
  for (size_t i = 0; i < problems.len; i++)
    diag("%s", problems.items[i]);
  ok(problems.len == 3 && strstr(problems.items[0], "kill [no req]") && strstr(problems.items[0], "no req:"),
     "a case without req tag is named");
  ok(problems.len == 3 && strstr(problems.items[1], "no level tag"), "a case without level tag is named");
  ok(problems.len == 3 && strstr(problems.items[2], "req:runtime:nope is not a section"),
     "a case naming an unknown section is named");
  case_list_free(&cases);
  req_list_free(&reqs);
}

static void
test_expect_and_tap(void)
{
  expect_t e = { 0 };
  run_t run = { .runtime = xstrdup("x"), .dir = xstrdup("d"), .label = xstrdup("") };

  expect_parse(expect_text, &e);
  ok(e.names.len == 2 && strcmp(e.reasons.items[0], "runtime.md \"Kill\": the signal MUST be sent. second line "
                                                    "of the reason.")
                             == 0,
     "expectation reason: the comment lines above the name, not the header");
  run_parse_tap(&run, tap_text, &e);
  ok(run.nresults == 5, "5 results");
  if (run.nresults == 5)
    {
      ok(run.results[0].status == CELL_NEWS && run.results[0].ms == 100, "listed and passing: news, 100 ms");
      ok(run.results[1].status == CELL_XFAIL && strstr(run.results[1].reason, "MUST be sent"),
         "listed and failing: expected failure with its reason");
      ok(run.results[1].diag && strstr(run.results[1].diag, "`false' failed"), "failure output kept");
      ok(run.results[2].status == CELL_FAIL && strstr(run.results[2].diag, "<script>"), "unlisted failure: fail");
      ok(run.results[3].status == CELL_SKIP && strcmp(run.results[3].reason, "needs root") == 0
             && strcmp(run.results[3].name, "kill [no level]") == 0,
         "skip with its reason, name without the directive");
    }
  ok(run.passed == 2 && run.failed == 1 && run.xfail == 1 && run.news == 1 && run.skipped == 1 && run.ms == 155,
     "totals: 2 passed (1 news), 1 failed, 1 expected, 1 skipped, 155 ms");
  run_parse_conformance(&run, "1..4\nok 1 - linux_ns\n    not ok 1 - sub\nnot ok 2 - linux_rlimits\n"
                              "not ok 3 - linux_seccomp # TODO known\nok 4 - linux_cgroups # SKIP v1 only\n");
  ok(run.nconf == 4 && run.conformance[0].status == CELL_PASS && run.conformance[1].status == CELL_FAIL
         && run.conformance[2].status == CELL_XFAIL && run.conformance[3].status == CELL_SKIP
         && strcmp(run.conformance[0].name, "linux_ns") == 0,
     "conformance: one result per program line, TODO is expected, SKIP skips, subtests ignored");
  expect_free(&e);
  run_free(&run);
}

static void
make_run(run_t *run, const char *runtime, const char *label, const char *tap)
{
  expect_t e = { 0 };

  *run = (run_t){ .runtime = xstrdup(runtime), .dir = xstrdup(runtime), .label = xstrdup(label) };
  str_list_push(&run->host, xasprintf("label=%s", label));
  expect_parse(expect_text, &e);
  run_parse_tap(run, tap, &e);
  expect_free(&e);
}

static const char *
status_in(const json_t *m, size_t ncase, const char *col)
{
  json_t *c = json_array_get(json_object_get(m, "cases"), ncase);
  return json_string_value(json_object_get(json_object_get(json_object_get(c, "cells"), col), "status"));
}

static json_t *
build_model(const char *tap, const char *label2)
{
  req_list_t reqs = { 0 };
  case_list_t cases = { 0 };
  run_t runs[2];
  json_t *m;

  load_fixture(&reqs, &cases);
  make_run(&runs[0], "box", "debian-12 hybrid root", tap);
  make_run(&runs[1], "box", label2, tap);
  m = report_build(runs, 2, &cases, &reqs);
  run_free(&runs[0]);
  run_free(&runs[1]);
  case_list_free(&cases);
  req_list_free(&reqs);
  return m;
}

static void
test_model(void)
{
  json_t *m = build_model(tap_text, "ubuntu24 v2 rootless");
  json_t *cols = json_object_get(m, "columns"), *gaps = json_object_get(m, "gaps");

  ok(json_array_size(cols) == 2
         && strcmp(json_string_value(json_object_get(json_array_get(cols, 1), "id")), "box @ ubuntu24 v2 rootless")
                == 0,
     "two hosts: columns are runtime @ host");
  ok(json_array_size(gaps) == 1 && strcmp(json_string_value(json_array_get(gaps, 0)), "config-linux:cpu") == 0,
     "the section with no case is the gap");
  ok(json_array_size(json_object_get(m, "sections")) == 4, "a trailing section holds the cases of no known one");
  ok(status_in(m, 1, "box @ debian-12 hybrid root") && strcmp(status_in(m, 1, "box @ debian-12 hybrid root"),
                                                              "xfail")
                                                           == 0,
     "cell status by case and column");
  json_decref(m);
  m = build_model(tap_text, "debian-12 hybrid root");
  ok(strcmp(json_string_value(json_object_get(json_array_get(json_object_get(m, "columns"), 1), "id")), "box #2")
         == 0,
     "one host, a runtime twice: the second column is numbered");
  json_decref(m);
}

static void
test_baseline(void)
{
  static const char new_tap[] = "1..3\nok 1 create [ok] # in 1 ms\nnot ok 2 kill [no level] # in 1 ms\n"
                                "ok 3 kill [no req] # in 1 ms\nok 4 brand new case # in 1 ms\n";
  json_t *old = build_model(tap_text, "ubuntu24 v2 rootless");
  json_t *now = build_model(new_tap, "ubuntu24 v2 rootless");
  json_t *ch;

  report_compare(now, old, "old.json");
  ch = json_object_get(now, "changes");
  ok(json_array_size(json_object_get(ch, "new_failures")) == 2, "new failures: one case on two hosts (got %zu)",
     json_array_size(json_object_get(ch, "new_failures")));
  ok(json_array_size(json_object_get(ch, "fixes")) == 2
         && strcmp(json_string_value(json_object_get(json_array_get(json_object_get(ch, "fixes"), 0), "case")),
                   "kill [no req]")
                == 0,
     "fixes: the failing case passes now");
  ok(json_array_size(json_object_get(ch, "new_cases")) == 1, "new case found");
  ok(json_array_size(json_object_get(ch, "removed_cases")) == 0, "no case removed");
  json_decref(old);
  json_decref(now);
}

static char *
render(json_t *m, int (*writer)(const json_t *, FILE *))
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  writer(m, f);
  fclose(f);
  return buf;
}

static void
test_writers(void)
{
  json_t *m = build_model(tap_text, "ubuntu24 v2 rootless");
  json_t *old = build_model("1..1\nok 1 kill [no req]\n", "ubuntu24 v2 rootless");
  cleanup_free char *html = NULL, *md = NULL;

  report_compare(m, old, "old.json");
  html = render(m, report_write_html);
  md = render(m, report_write_md);
  ok(strstr(html, "<details><summary>FAIL</summary>") != NULL, "a failing cell opens its output");
  ok(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") && !strstr(html, "<script"),
     "output is escaped, and the page has no script");
  ok(!strstr(html, "<link") && !strstr(html, "<img") && !strstr(html, "src="), "nothing is loaded from elsewhere");
  ok(strstr(html, "name=\"viewport\"") && strstr(html, "@media (max-width:640px)") && strstr(html, "overflow-x:auto"),
     "readable on a phone: viewport, a narrow layout, tables scroll sideways");
  ok(strstr(html, "MUST be sent") != NULL, "the expected failure shows its reason");
  ok(strstr(html, "id=\"changes\"") && strstr(html, "New failures (2)"), "the baseline changes are shown");
  ok(strstr(html, "config-linux:cpu") && strstr(html, "id=\"gaps\""), "the gaps are listed");
  ok(strstr(md, "| runtime | host | passed |") && strstr(md, "| kill [no req] | **FAIL** | **FAIL** |")
         && strstr(md, "- config-linux:cpu: CPU"),
     "markdown: summary, matrix rows, gaps");
  json_decref(m);
  json_decref(old);
}

int
main(void)
{
  tap_init();
  test_requirements();
  test_tags();
  test_expect_and_tap();
  test_model();
  test_baseline();
  test_writers();
  return tap_done();
}
