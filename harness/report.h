/* The data behind `ocitest report` and `ocitest tags`: the requirement list
   (fixtures/requirements.tsv), the case tags (cases/NAME.bats), and one runtime
   run's results (build/reports/<runtime>/: tap.txt, host.txt, expect, the
   conformance TAP).  The report itself is one JSON model (report_build) that
   the HTML and Markdown writers read, and that a later run reads back as its
   --baseline. */
#ifndef OCITEST_REPORT_H
#define OCITEST_REPORT_H

#include "ocitest.h"

#include <jansson.h>

/* ---- requirements ------------------------------------------------------ */

struct req_section_s
{
  char *id; /* "doc:slug", as the tag names it after "req:" */
  char *doc;
  char *slug;
  char *levels;
  char *title;
};
typedef struct req_section_s req_section_t;

struct req_list_s
{
  req_section_t *items;
  size_t len, cap;
};
typedef struct req_list_s req_list_t;

/* Parse requirements.tsv text (doc TAB slug TAB levels TAB title; '#' lines
   and blank lines ignored).  Returns -1 naming the line of a malformed row or
   a duplicate section. */
int req_list_parse(const char *text, const char *origin, req_list_t *out, ocitest_error_t *err);
int req_list_load(const char *path, req_list_t *out, ocitest_error_t *err);
const req_section_t *req_list_find(const req_list_t *l, const char *id);
void req_list_free(req_list_t *l);

/* ---- case tags ----------------------------------------------------------- */

struct case_tag_s
{
  char *file; /* base name, "kill.bats" */
  int line;   /* of the @test line */
  char *name;
  char *level; /* spec:must, spec:should, de-facto; NULL when missing */
  char *req;   /* "doc:slug" of the first req: tag; NULL when missing */
  int nlevels, nreqs;
};
typedef struct case_tag_s case_tag_t;

struct case_list_s
{
  case_tag_t *items;
  size_t len, cap;
};
typedef struct case_list_s case_list_t;

/* Append the @test cases of one bats file's text.  The tags of a case are the
   `# bats test_tags=` lines between the previous @test (or the file start)
   and its own @test line, as bats applies them. */
void case_tags_parse(const char *text, const char *file, case_list_t *out);
int case_tags_load(const char *path, case_list_t *out, ocitest_error_t *err);
const case_tag_t *case_list_find(const case_list_t *l, const char *name);
/* Push one line per problem ("FILE:LINE: case `NAME`: ..."): no level tag or
   more than one, no req tag, a section not in reqs.  Returns the count. */
size_t case_tags_check(const case_list_t *cases, const req_list_t *reqs, str_list_t *problems);
void case_list_free(case_list_t *l);

/* ---- one runtime run ----------------------------------------------------- */

enum cell_status_e
{
  CELL_NONE = 0, /* not run there */
  CELL_PASS,
  CELL_FAIL,  /* failed, not listed in the expectation file */
  CELL_XFAIL, /* failed, listed: a known deviation */
  CELL_NEWS,  /* passed, but listed: the deviation is fixed */
  CELL_SKIP,
};
typedef enum cell_status_e cell_status_t;

const char *cell_status_name(cell_status_t s);
cell_status_t cell_status_parse(const char *s);

struct tap_result_s
{
  char *name;
  cell_status_t status;
  char *reason; /* skip reason, or the expectation's reason */
  char *diag;   /* the "# " lines after `not ok`, prefix removed */
  long ms;      /* bats' "# in N ms", -1 when absent */
};
typedef struct tap_result_s tap_result_t;

struct expect_s
{
  str_list_t names;
  str_list_t reasons; /* parallel to names */
};
typedef struct expect_s expect_t;

struct run_s
{
  char *runtime; /* directory name: box, runc, crun */
  char *dir;
  char *label;     /* host label, "" when host.txt is absent */
  str_list_t host; /* host.txt lines, key=value */
  tap_result_t *results;
  size_t nresults, cap;
  tap_result_t *conformance;
  size_t nconf, confcap;
  long passed, failed, xfail, news, skipped, ms;
};
typedef struct run_s run_t;

/* Expectation file text: a case name per line, the comment lines right above
   it its reason. */
void expect_parse(const char *text, expect_t *out);
void expect_free(expect_t *e);
/* TAP text of a bats run into run->results, each result judged against
   expect; counts updated. */
void run_parse_tap(run_t *run, const char *text, const expect_t *expect);
/* Top-level TAP lines of conformance.tap (one per program) into
   run->conformance. */
void run_parse_conformance(run_t *run, const char *text);
/* Load DIR (tap.txt required; host.txt, expect, conformance.tap optional;
   the expectation file is DIR/expect when the run copied it, else
   EXPECT_DIR/<runtime>). */
int run_load(const char *dir, const char *expect_dir, run_t *out, ocitest_error_t *err);
void run_free(run_t *run);

/* ---- the model and its writers ------------------------------------------ */

/* Build the report model of these runs (a JSON object, see report.c). */
json_t *report_build(run_t *runs, size_t nruns, const case_list_t *cases, const req_list_t *reqs);
/* Add "changes" (new failures, fixes, new and removed cases) against an
   earlier model. */
void report_compare(json_t *model, const json_t *baseline, const char *baseline_name);
/* Has any run run any case of this model section ("cases": indexes into the
   model's cases)? */
bool report_section_ran(const json_t *section, const json_t *cases);
int report_write_html(const json_t *model, FILE *f);
int report_write_md(const json_t *model, FILE *f);

/* The command entry points. */
int ocitest_cmd_report(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_tags(int argc, char **argv, ocitest_error_t *err);

#endif
