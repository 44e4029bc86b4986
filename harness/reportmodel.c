/* The report model: one JSON object that matrix.json is, that the HTML and
   Markdown writers read, and that a later run compares itself with.

   { "schema": "ocitest-report/1", "generated": ISO-8601,
     "columns": [ { "id", "runtime", "label", "dir", "host": {k: v},
                    "totals": { passed, failed, xfail, news, skipped, ms, cases },
                    "conformance": { passed, failed, xfail, news, skipped } } ],
     "sections": [ { "id": "doc:slug", "doc", "slug", "title", "levels",
                     "cases": [ case index ] } ],   requirement order, gaps too
     "gaps": [ "doc:slug" ],
     "cases": [ { "name", "file", "level", "req",
                  "cells": { column id: { "status", "reason"?, "diag"?, "ms"? } } } ],
     "conformance": [ { "name", "cells": { column id: { ... } } } ],
     "changes": { ... } (report_compare) } */
#include "report.h"

#include <string.h>
#include <time.h>

/* Column ids: the runtime name alone when every run comes from one host,
   "runtime @ host" when they differ; a repeated id gets " #N". */
static json_t *
build_columns(run_t *runs, size_t nruns)
{
  json_t *cols = json_array();
  bool one_host = true;

  for (size_t i = 1; i < nruns; i++)
    one_host = one_host && strcmp(runs[i].label, runs[0].label) == 0;
  for (size_t i = 0; i < nruns; i++)
    {
      run_t *r = &runs[i];
      cleanup_free char *id
          = one_host || !*r->label ? xstrdup(r->runtime) : xasprintf("%s @ %s", r->runtime, r->label);
      json_t *host = json_object();
      long conf[6] = { 0 };

      for (size_t k = 0, dup = 1; k < json_array_size(cols); k++)
        if (strcmp(json_string_value(json_object_get(json_array_get(cols, k), "id")), id) == 0)
          {
            free(id);
            id = xasprintf("%s #%zu", r->runtime, ++dup);
            k = (size_t)-1;
          }
      for (size_t k = 0; k < r->host.len; k++)
        {
          const char *eq = strchr(r->host.items[k], '=');
          cleanup_free char *key = xstrndup(r->host.items[k], (size_t)(eq - r->host.items[k]));
          json_object_set_new(host, key, json_string(eq + 1));
        }
      for (size_t k = 0; k < r->nconf; k++)
        conf[r->conformance[k].status]++;
      json_array_append_new(
          cols,
          json_pack(
              "{s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I}}",
              "id", id, "runtime", r->runtime, "label", r->label, "dir", r->dir, "host", host, "totals",
              "passed", (json_int_t)r->passed, "failed", (json_int_t)r->failed, "xfail", (json_int_t)r->xfail,
              "news", (json_int_t)r->news, "skipped", (json_int_t)r->skipped, "ms", (json_int_t)r->ms,
              "cases", (json_int_t)r->nresults, "conformance", "passed", (json_int_t)conf[CELL_PASS],
              "failed", (json_int_t)conf[CELL_FAIL], "xfail", (json_int_t)conf[CELL_XFAIL], "news",
              (json_int_t)conf[CELL_NEWS], "skipped", (json_int_t)conf[CELL_SKIP]));
    }
  return cols;
}

static json_t *
cell_json(const tap_result_t *t)
{
  json_t *cell = json_pack("{s:s}", "status", cell_status_name(t->status));

  if (t->reason && *t->reason)
    json_object_set_new(cell, "reason", json_string(t->reason));
  if (t->diag)
    json_object_set_new(cell, "diag", json_string(t->diag));
  if (t->ms >= 0)
    json_object_set_new(cell, "ms", json_integer(t->ms));
  return cell;
}

/* The case named NAME in the model's case array, made when new. */
static json_t *
case_entry(json_t *cases, json_t *index, const char *name, const case_tag_t *tag)
{
  json_t *at = json_object_get(index, name);

  if (at)
    return json_array_get(cases, (size_t)json_integer_value(at));
  json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", name, "file", tag ? tag->file : "", "level",
                        tag && tag->level ? tag->level : "", "req", tag && tag->req ? tag->req : "", "cells",
                        json_object());
  json_object_set_new(index, name, json_integer((json_int_t)json_array_size(cases)));
  json_array_append_new(cases, c);
  return c;
}

/* Every tagged case in file order, then the results of cases no tag names
   (a name changed, or a file not parsed) so nothing a run did is dropped. */
static json_t *
build_cases(run_t *runs, size_t nruns, json_t *cols, const case_list_t *tags, bool conformance)
{
  json_t *cases = json_array(), *index = json_object();

  for (size_t i = 0; !conformance && i < tags->len; i++)
    case_entry(cases, index, tags->items[i].name, &tags->items[i]);
  for (size_t r = 0; r < nruns; r++)
    {
      const char *col = json_string_value(json_object_get(json_array_get(cols, r), "id"));
      size_t n = conformance ? runs[r].nconf : runs[r].nresults;
      tap_result_t *res = conformance ? runs[r].conformance : runs[r].results;

      for (size_t k = 0; k < n; k++)
        {
          json_t *c
              = case_entry(cases, index, res[k].name, conformance ? NULL : case_list_find(tags, res[k].name));
          json_object_set_new(json_object_get(c, "cells"), col, cell_json(&res[k]));
        }
    }
  json_decref(index);
  return cases;
}

/* Sections in requirement order, each with the indexes of its cases; cases
   whose req is missing or unknown go to one trailing pseudo-section. */
static json_t *
build_sections(const req_list_t *reqs, json_t *cases, json_t **gaps)
{
  json_t *sections = json_array(), *orphans = json_array();
  size_t i;
  json_t *c;

  *gaps = json_array();
  for (size_t s = 0; s < reqs->len; s++)
    {
      const req_section_t *r = &reqs->items[s];
      json_t *idx = json_array();

      json_array_foreach(cases, i, c) if (strcmp(json_string_value(json_object_get(c, "req")), r->id) == 0)
          json_array_append_new(idx, json_integer((json_int_t)i));
      if (json_array_size(idx) == 0)
        json_array_append_new(*gaps, json_string(r->id));
      json_array_append_new(sections,
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", r->id, "doc", r->doc, "slug",
                                      r->slug, "title", r->title, "levels", r->levels, "cases", idx));
    }
  json_array_foreach(cases, i, c) if (!req_list_find(reqs, json_string_value(json_object_get(c, "req"))))
      json_array_append_new(orphans, json_integer((json_int_t)i));
  if (json_array_size(orphans))
    json_array_append_new(sections,
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", "", "doc", "", "slug", "",
                                    "title", "No known requirement (a req tag is missing or unknown)",
                                    "levels", "", "cases", orphans));
  else
    json_decref(orphans);
  return sections;
}

json_t *
report_build(run_t *runs, size_t nruns, const case_list_t *cases, const req_list_t *reqs)
{
  char when[32];
  time_t now = time(NULL);
  struct tm tm;
  json_t *cols = build_columns(runs, nruns), *gaps;
  json_t *all = build_cases(runs, nruns, cols, cases, false);
  json_t *sections = build_sections(reqs, all, &gaps);

  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
  return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "schema", "ocitest-report/1", "generated", when,
                   "columns", cols, "sections", sections, "gaps", gaps, "cases", all, "conformance",
                   build_cases(runs, nruns, cols, cases, true));
}

/* A section whose cases no run ran (a partial run, CASES=...) stays out of
   the matrix; the requirements view still counts it. */
bool
report_section_ran(const json_t *section, const json_t *cases)
{
  size_t k;
  json_t *ix;

  json_array_foreach (json_object_get(section, "cases"), k, ix)
    if (json_object_size(json_object_get(json_array_get(cases, (size_t)json_integer_value(ix)), "cells")))
      return true;
  return false;
}

/* ---- --baseline ----------------------------------------------------------- */

static const char *
cell_status_of(const json_t *c, const char *col)
{
  const char *s
      = json_string_value(json_object_get(json_object_get(json_object_get(c, "cells"), col), "status"));
  return s ? s : "none";
}

static json_t *
find_case(const json_t *model, const char *name)
{
  size_t i;
  json_t *c;

  json_array_foreach(json_object_get(model, "cases"), i,
                     c) if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0) return c;
  return NULL;
}

/* A column of the old model for a new column id: the same id, else the one
   old column of the same runtime (the host label may have changed). */
static const char *
old_column(const json_t *old, const json_t *col)
{
  const char *id = json_string_value(json_object_get(col, "id"));
  const char *rt = json_string_value(json_object_get(col, "runtime"));
  const char *match = NULL;
  int same_rt = 0;
  size_t i;
  json_t *oc;

  json_array_foreach(json_object_get(old, "columns"), i, oc)
  {
    const char *oid = json_string_value(json_object_get(oc, "id"));
    if (oid && strcmp(oid, id) == 0)
      return oid;
    if (rt && strcmp(json_string_value(json_object_get(oc, "runtime")), rt) == 0)
      match = oid, same_rt++;
  }
  return same_rt == 1 ? match : NULL;
}

static bool
is_bad(const char *s)
{
  return strcmp(s, "fail") == 0;
}

static bool
is_good(const char *s)
{
  return strcmp(s, "pass") == 0 || strcmp(s, "news") == 0;
}

/* One case in one column: a new failure, a fix, or nothing worth a line. */
static void
compare_cell(json_t *changes, const json_t *c, const json_t *oc, const char *col, const char *ocol)
{
  const char *now = cell_status_of(c, col), *was = cell_status_of(oc, ocol);
  const char *kind = is_bad(now) && !is_bad(was)                   ? "new_failures"
                     : !is_bad(now) && is_bad(was) && is_good(now) ? "fixes"
                     : strcmp(now, was) != 0 && strcmp(now, "none") != 0 && strcmp(was, "none") != 0 ? "other"
                                                                                                     : NULL;

  if (kind)
    json_array_append_new(json_object_get(changes, kind),
                          json_pack("{s:s, s:s, s:s, s:s}", "case",
                                    json_string_value(json_object_get(c, "name")), "column", col, "was", was,
                                    "now", now));
}

void
report_compare(json_t *model, const json_t *old, const char *baseline_name)
{
  json_t *changes = json_pack("{s:s, s:[], s:[], s:[], s:[], s:[]}", "baseline", baseline_name,
                              "new_failures", "fixes", "other", "new_cases", "removed_cases");
  size_t i, k;
  json_t *c, *col;

  json_array_foreach(json_object_get(model, "cases"), i, c)
  {
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *oc = find_case(old, name);

    if (!oc)
      {
        json_array_append_new(json_object_get(changes, "new_cases"), json_string(name));
        continue;
      }
    json_array_foreach(json_object_get(model, "columns"), k, col)
    {
      const char *ocol = old_column(old, col);
      if (ocol)
        compare_cell(changes, c, oc, json_string_value(json_object_get(col, "id")), ocol);
    }
  }
  json_array_foreach(json_object_get(old, "cases"), i,
                     c) if (!find_case(model, json_string_value(json_object_get(c, "name"))))
      json_array_append_new(json_object_get(changes, "removed_cases"),
                            json_incref(json_object_get(c, "name")));
  json_object_set_new(model, "changes", changes);
}
