/* matrix.md: the same report as Markdown tables (a CI job summary, a pull
   request comment): the summary, the changes, the matrix by section, the
   requirement gaps.  Cell reasons and outputs stay in the HTML page. */
#include "report.h"

#include <string.h>

#define JS(o, k) json_string_value(json_object_get((o), (k)))
#define JI(o, k) ((long)json_integer_value(json_object_get((o), (k))))

/* Text safe inside a table cell: '|' escaped, newlines as spaces. */
static void
cell_text(FILE *f, const char *s)
{
  for (; s && *s; s++)
    {
      if (*s == '|')
        fputs("\\|", f);
      else if (*s == '\n')
        fputc(' ', f);
      else
        fputc(*s, f);
    }
}

static void
write_summary(FILE *f, const json_t *m)
{
  size_t i;
  json_t *c;

  fputs("| runtime | host | passed | failed | expected failures | news | skipped | time |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|\n",
        f);
  json_array_foreach(json_object_get(m, "columns"), i, c)
  {
    json_t *t = json_object_get(c, "totals");
    fputs("| ", f);
    cell_text(f, JS(c, "runtime"));
    fputs(" | ", f);
    cell_text(f, *JS(c, "label") ? JS(c, "label") : "-");
    fprintf(f, " | %ld | %ld | %ld | %ld | %ld | %.1fs |\n", JI(t, "passed"), JI(t, "failed"), JI(t, "xfail"),
            JI(t, "news"), JI(t, "skipped"), (double)JI(t, "ms") / 1000.0);
  }
}

static void
write_changes(FILE *f, const json_t *m)
{
  static const char *const kinds[][2] = { { "new_failures", "New failures" },
                                          { "fixes", "Fixes" },
                                          { "other", "Other changes" },
                                          { "new_cases", "New cases" },
                                          { "removed_cases", "Removed cases" } };
  json_t *ch = json_object_get(m, "changes"), *e;
  size_t i;

  if (!ch)
    return;
  fprintf(f, "\n## Changes since %s\n", JS(ch, "baseline"));
  for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++)
    {
      json_t *list = json_object_get(ch, kinds[k][0]);
      fprintf(f, "\n%s: %zu\n", kinds[k][1], json_array_size(list));
      json_array_foreach(list, i, e)
      {
        if (json_is_string(e))
          fprintf(f, "- %s\n", json_string_value(e));
        else
          fprintf(f, "- %s (%s): %s -> %s\n", JS(e, "case"), JS(e, "column"), JS(e, "was"), JS(e, "now"));
      }
    }
}

static const char *
md_word(const json_t *cell)
{
  const char *st = cell ? JS(cell, "status") : "none";

  if (strcmp(st, "fail") == 0)
    return "**FAIL**";
  if (strcmp(st, "xfail") == 0)
    return "expected";
  if (strcmp(st, "news") == 0)
    return "**news**";
  return strcmp(st, "none") == 0 ? "-" : st;
}

static void
write_matrix(FILE *f, const json_t *m)
{
  json_t *cols = json_object_get(m, "columns"), *cases = json_object_get(m, "cases"), *s, *ix, *col;
  size_t i, k, j;

  fputs("\n## Matrix\n", f);
  json_array_foreach(json_object_get(m, "sections"), i, s)
  {
    if (!report_section_ran(s, cases))
      continue;
    fprintf(f, "\n### %s%s%s\n\n| case |", JS(s, "id"), *JS(s, "id") ? ": " : "", JS(s, "title"));
    json_array_foreach(cols, j, col) fputc(' ', f), cell_text(f, JS(col, "id")), fputs(" |", f);
    fputs("\n|---|", f);
    json_array_foreach(cols, j, col) fputs("---|", f);
    fputc('\n', f);
    json_array_foreach(json_object_get(s, "cases"), k, ix)
    {
      json_t *c = json_array_get(cases, (size_t)json_integer_value(ix));
      if (!json_object_size(json_object_get(c, "cells")))
        continue; /* not run anywhere: a partial run */
      fputs("| ", f);
      cell_text(f, JS(c, "name"));
      fputs(" |", f);
      json_array_foreach(cols, j, col)
          fprintf(f, " %s |", md_word(json_object_get(json_object_get(c, "cells"), JS(col, "id"))));
      fputc('\n', f);
    }
  }
}

static void
write_gaps(FILE *f, const json_t *m)
{
  json_t *gaps = json_object_get(m, "gaps"), *s;
  size_t i, nsec = 0;

  json_array_foreach(json_object_get(m, "sections"), i, s) nsec += *JS(s, "id") != '\0';
  fprintf(f, "\n## Requirements\n\n%zu of %zu sections have cases; %zu have none:\n\n",
          nsec - json_array_size(gaps), nsec, json_array_size(gaps));
  json_array_foreach(json_object_get(m, "sections"), i,
                     s) if (*JS(s, "id") && !json_array_size(json_object_get(s, "cases")))
      fprintf(f, "- %s: %s (%s)\n", JS(s, "id"), JS(s, "title"), JS(s, "levels"));
}

int
report_write_md(const json_t *m, FILE *f)
{
  fprintf(f, "# OCI runtime compatibility report\n\n%zu cases, %zu runs, generated %s\n\n",
          json_array_size(json_object_get(m, "cases")), json_array_size(json_object_get(m, "columns")),
          JS(m, "generated"));
  write_summary(f, m);
  write_changes(f, m);
  write_matrix(f, m);
  write_gaps(f, m);
  return ferror(f) ? -1 : 0;
}
