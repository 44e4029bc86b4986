/* One runtime run as ci/acceptance leaves it in build/reports/<runtime>/:
   tap.txt (bats TAP with "# in N ms" timings), host.txt (key=value host
   facts), expect (the expectation file the run was judged by), and, when
   `make conformance` ran, conformance.tap (one TAP line per program). */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define RESULT_FILE_MAX (64 << 20)

static const char *const status_names[] = { "none", "pass", "fail", "xfail", "news", "skip" };

const char *
cell_status_name(cell_status_t s)
{
  return (unsigned)s < sizeof(status_names) / sizeof(*status_names) ? status_names[s] : "none";
}

cell_status_t
cell_status_parse(const char *s)
{
  for (size_t i = 0; s && i < sizeof(status_names) / sizeof(*status_names); i++)
    if (strcmp(s, status_names[i]) == 0)
      return (cell_status_t)i;
  return CELL_NONE;
}

static void
trim_right(char *s)
{
  size_t n = strlen(s);

  while (n && isspace((unsigned char)s[n - 1]))
    s[--n] = '\0';
}

void
expect_parse(const char *text, expect_t *out)
{
  cleanup_free char *copy = xstrdup(text);
  cleanup_free char *reason = NULL;

  for (char *p = copy, *line; (line = strsep(&p, "\n"));)
    {
      trim_right(line);
      if (line[0] == '#')
        {
          const char *t = line + 1 + (line[1] == ' ');
          char *joined = reason ? xasprintf("%s %s", reason, t) : xstrdup(t);
          free(reason);
          reason = joined;
          continue;
        }
      if (line[0] == '\0')
        {
          free(steal_pointer(&reason));
          continue;
        }
      /* A name line; the lines above it, up to a blank line, say why. */
      str_list_push(&out->names, xstrdup(line));
      str_list_push(&out->reasons, xstrdup(reason ? reason : ""));
    }
}

void
expect_free(expect_t *e)
{
  str_list_free(&e->names);
  str_list_free(&e->reasons);
}

static const char *
expect_reason(const expect_t *e, const char *name)
{
  for (size_t i = 0; e && i < e->names.len; i++)
    if (strcmp(e->names.items[i], name) == 0)
      return e->reasons.items[i];
  return NULL;
}

static tap_result_t *
push_result(tap_result_t **items, size_t *len, size_t *cap)
{
  if (*len == *cap)
    {
      *cap = *cap ? *cap * 2 : 256;
      *items = xrealloc(*items, *cap * sizeof(**items));
    }
  (*items)[*len] = (tap_result_t){ .ms = -1 };
  return &(*items)[(*len)++];
}

/* Split "ok N name # skip why # in 12 ms" into its parts, in place: returns
   the name; *ok, *skip (with *why), *ms filled. */
static char *
split_tap_line(char *line, bool *ok, bool *skip, char **why, bool *todo, long *ms)
{
  char *rest, *d, *t;

  *ok = strncmp(line, "ok ", 3) == 0;
  rest = line + (*ok ? 3 : 7);
  rest += strspn(rest, "0123456789");
  rest += strspn(rest, " ");
  if (strncmp(rest, "- ", 2) == 0)
    rest += 2;
  *ms = -1;
  t = strstr(rest, " # in ");
  if (t && strstr(t, " ms") && sscanf(t, " # in %ld ms", ms) == 1)
    *t = '\0';
  *skip = *todo = false;
  *why = NULL;
  for (d = strstr(rest, " # "); d; d = strstr(d + 1, " # "))
    {
      if (strncasecmp(d + 3, "skip", 4) == 0 || strncasecmp(d + 3, "todo", 4) == 0)
        {
          *skip = strncasecmp(d + 3, "skip", 4) == 0;
          *todo = !*skip;
          *d = '\0';
          *why = d + 7 + strspn(d + 7, " ");
          break;
        }
    }
  trim_right(rest);
  return rest;
}

static void
append_diag(tap_result_t *r, const char *line)
{
  const char *t = line + 1 + (line[1] == ' ');
  char *joined = r->diag ? xasprintf("%s\n%s", r->diag, t) : xstrdup(t);

  free(r->diag);
  r->diag = joined;
}

void
run_parse_tap(run_t *run, const char *text, const expect_t *expect)
{
  cleanup_free char *copy = xstrdup(text);
  tap_result_t *cur = NULL;

  for (char *p = copy, *line; (line = strsep(&p, "\n"));)
    {
      bool ok, skip, todo;
      char *why;
      long ms;

      if (strncmp(line, "ok ", 3) != 0 && strncmp(line, "not ok ", 7) != 0)
        {
          if (cur && line[0] == '#' && cur->status != CELL_PASS && cur->status != CELL_NEWS)
            append_diag(cur, line);
          continue;
        }
      char *name = split_tap_line(line, &ok, &skip, &why, &todo, &ms);
      const char *reason = expect_reason(expect, name);
      cur = push_result(&run->results, &run->nresults, &run->cap);
      cur->name = xstrdup(name);
      cur->ms = ms;
      if (ms > 0)
        run->ms += ms;
      if (skip)
        cur->status = CELL_SKIP, cur->reason = xstrdup(why), run->skipped++;
      else if (ok && reason)
        cur->status = CELL_NEWS, cur->reason = xstrdup(reason), run->news++, run->passed++;
      else if (ok)
        cur->status = CELL_PASS, run->passed++;
      else if (reason)
        cur->status = CELL_XFAIL, cur->reason = xstrdup(reason), run->xfail++;
      else
        cur->status = CELL_FAIL, run->failed++;
    }
}

void
run_parse_conformance(run_t *run, const char *text)
{
  cleanup_free char *copy = xstrdup(text);
  tap_result_t *cur = NULL;

  for (char *p = copy, *line; (line = strsep(&p, "\n"));)
    {
      bool ok, skip, todo;
      char *why;
      long ms;

      /* Only a program's own line counts: indented lines are its subtests. */
      if (strncmp(line, "ok ", 3) != 0 && strncmp(line, "not ok ", 7) != 0)
        {
          if (cur && line[0] == '#' && cur->status == CELL_FAIL)
            append_diag(cur, line);
          continue;
        }
      char *name = split_tap_line(line, &ok, &skip, &why, &todo, &ms);
      cur = push_result(&run->conformance, &run->nconf, &run->confcap);
      cur->name = xstrdup(name);
      cur->ms = ms;
      /* TAP's TODO directive marks a known failure (the run's expectations). */
      cur->status = skip ? CELL_SKIP : todo ? (ok ? CELL_NEWS : CELL_XFAIL) : ok ? CELL_PASS : CELL_FAIL;
      cur->reason = why ? xstrdup(why) : NULL;
    }
}

/* Read DIR/NAME into *out; a missing file is not an error (*out stays NULL). */
static int
read_optional(const char *dir, const char *name, char **out, ocitest_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/%s", dir, name);
  size_t len;

  if (access(path, F_OK) < 0 && errno == ENOENT)
    return 0;
  return read_file(path, RESULT_FILE_MAX, out, &len, err);
}

static const char *
host_value(const run_t *run, const char *key)
{
  size_t n = strlen(key);

  for (size_t i = 0; i < run->host.len; i++)
    if (strncmp(run->host.items[i], key, n) == 0 && run->host.items[i][n] == '=')
      return run->host.items[i] + n + 1;
  return NULL;
}

static void
load_host(run_t *run, const char *text)
{
  cleanup_free char *copy = xstrdup(text ? text : "");
  const char *label;

  for (char *p = copy, *line; (line = strsep(&p, "\n"));)
    if (strchr(line, '=') && line[0] != '#')
      str_list_push(&run->host, xstrdup(line));
  label = host_value(run, "label");
  run->label = xstrdup(label ? label : "");
  if (host_value(run, "runtime_name"))
    {
      free(run->runtime);
      run->runtime = xstrdup(host_value(run, "runtime_name"));
    }
}

int
run_load(const char *dir, const char *expect_dir, run_t *out, ocitest_error_t *err)
{
  cleanup_free char *tap = NULL, *host = NULL, *expect_text = NULL, *conf = NULL;
  expect_t expect = { 0 };
  const char *base = strrchr(dir, '/');

  out->dir = xstrdup(dir);
  out->runtime = xstrdup(base && base[1] ? base + 1 : dir);
  if (read_optional(dir, "tap.txt", &tap, err) < 0 || read_optional(dir, "host.txt", &host, err) < 0
      || read_optional(dir, "expect", &expect_text, err) < 0
      || read_optional(dir, "conformance.tap", &conf, err) < 0)
    return ocitest_error_wrap(err, "results `%s`", dir);
  load_host(out, host);
  if (!expect_text && expect_dir)
    {
      cleanup_free char *path = xasprintf("%s/%s", expect_dir, out->runtime);
      size_t len;
      if (access(path, R_OK) == 0 && read_file(path, RESULT_FILE_MAX, &expect_text, &len, err) < 0)
        return -1;
    }
  if (!tap && !conf)
    return ocitest_make_error(err, 0, "results `%s`: no tap.txt (nor conformance.tap): not a run's directory",
                              dir);
  expect_parse(expect_text ? expect_text : "", &expect);
  run_parse_tap(out, tap ? tap : "", &expect);
  expect_free(&expect);
  if (conf)
    run_parse_conformance(out, conf);
  return 0;
}

static void
results_free(tap_result_t *r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free(r[i].name);
      free(r[i].reason);
      free(r[i].diag);
    }
  free(r);
}

void
run_free(run_t *run)
{
  free(run->runtime);
  free(run->dir);
  free(run->label);
  str_list_free(&run->host);
  results_free(run->results, run->nresults);
  results_free(run->conformance, run->nconf);
  *run = (run_t){ 0 };
}
