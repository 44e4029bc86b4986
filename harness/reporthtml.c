/* index.html: one self-contained page (inline CSS, no script, nothing loaded
   from the network) that reads at phone width: tables scroll sideways inside
   their own box, the case column stays put, a failing cell opens the case's
   own output in a <details> element. */
#include "report.h"

#include <string.h>

#define JS(o, k) json_string_value(json_object_get((o), (k)))
#define JI(o, k) ((long)json_integer_value(json_object_get((o), (k))))
#define LONG_LIST 12

static const char css[]
    = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;padding:0 1rem "
      "3rem;"
      "color:#1b1f24;background:#fff;max-width:1400px}"
      "h1{font-size:1.45rem;margin:1rem 0 .3rem}h2{font-size:1.2rem;border-bottom:1px solid #d0d7de;"
      "padding-bottom:.2rem;margin-top:2rem}h3{font-size:1rem;margin:1.2rem 0 .4rem}"
      "nav a{margin-right:.8rem}a{color:#0b57d0}.meta{color:#57606a;margin:.2rem 0}"
      ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid #d0d7de;border-radius:6px;"
      "margin:.5rem 0}"
      "table{border-collapse:collapse;font-size:.86rem;width:100%}"
      "th,td{padding:.3rem .55rem;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}"
      "thead th{background:#f6f8fa;position:sticky;top:0;white-space:nowrap}"
      ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
      ".matrix "
      "th.case{position:sticky;left:0;background:#fff;font-weight:normal;min-width:15rem;max-width:30rem;"
      "box-shadow:1px 0 0 #d0d7de}"
      ".matrix thead th.case{background:#f6f8fa}"
      ".matrix td{white-space:nowrap;min-width:5rem;width:8rem}.matrix td.num{text-align:center}"
      ".matrix tr.sec th{background:#eef1f4;font-weight:600;position:sticky;left:0}"
      ".lv{display:inline-block;font-size:.7rem;color:#57606a;border:1px solid #d0d7de;border-radius:3px;"
      "padding:0 .25rem;margin-left:.3rem;vertical-align:1px;white-space:nowrap}"
      ".pass{background:#e6f4ea;color:#14652f}.fail{background:#fde2e4;color:#a4161a;font-weight:600}"
      ".xfail{background:#fff3cd;color:#6b4f00}.news{background:#dcebff;color:#0b4ea2;font-weight:600}"
      ".skip{background:#f2f2f2;color:#57606a}.none{color:#8c959f}"
      "summary{cursor:pointer}td details[open]{white-space:normal;min-width:24rem}"
      "details p.why{font-weight:600;color:#a4161a;background:#fff}"
      "details pre,details p{white-space:pre-wrap;word-break:break-word;max-width:40rem;font-size:.75rem;"
      "font-weight:normal;background:#fbfbfb;color:#1b1f24;border:1px solid "
      "#eaeef2;padding:.4rem;margin:.3rem 0}"
      ".summary th,.summary td{white-space:nowrap}"
      "ul.gaps{columns:18rem;padding-left:1.2rem}ul.gaps li{break-inside:avoid}"
      ".legend span{display:inline-block;padding:0 .4rem;margin:.1rem .3rem .1rem 0;border-radius:3px}"
      "@media (max-width:640px){body{padding:0 .6rem 2rem;font-size:14px}h1{font-size:1.25rem}"
      ".matrix th.case{min-width:8.5rem;max-width:10rem;font-size:.8rem}"
      ".matrix td{min-width:0;width:auto;padding:.25rem .3rem}"
      "th,td{padding:.25rem .35rem}.wide{display:none}td details[open]{min-width:15rem}"
      "details pre,details p{max-width:78vw}}";

static void
esc(FILE *f, const char *s)
{
  for (; s && *s; s++)
    switch (*s)
      {
      case '<':
        fputs("&lt;", f);
        break;
      case '>':
        fputs("&gt;", f);
        break;
      case '&':
        fputs("&amp;", f);
        break;
      case '"':
        fputs("&quot;", f);
        break;
      default:
        fputc(*s, f);
      }
}

/* An anchor id from a section id ("config-linux:devices"). */
static void
anchor(FILE *f, const char *prefix, const char *id)
{
  fputs(prefix, f);
  for (; id && *id; id++)
    fputc(*id == ':' ? '-' : *id, f);
}

/* Where a section is written: the runtime-spec document, or runc's manual
   page for the de-facto command line.  A link only: nothing is loaded. */
static void
spec_url(FILE *f, const json_t *sec)
{
  const char *doc = JS(sec, "doc"), *slug = JS(sec, "slug");

  if (strcmp(doc, "cli") == 0)
    fprintf(f, "https://github.com/opencontainers/runc/blob/main/man/runc-%s.8.md", slug);
  else if (strcmp(doc, "state") == 0)
    fputs("https://github.com/opencontainers/runtime-spec/blob/main/runtime.md#state", f);
  else
    fprintf(f, "https://github.com/opencontainers/runtime-spec/blob/main/%s.md#%s", doc, slug);
}

static const char *
doc_title(const char *doc)
{
  static const char *const names[][2] = {
    { "runtime", "runtime.md" },   { "state", "the state (runtime.md, state schema)" },
    { "config", "config.md" },     { "config-linux", "config-linux.md" },
    { "features", "features.md" }, { "cli", "the de-facto command line (runc's)" },
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
    if (strcmp(doc, names[i][0]) == 0)
      return names[i][1];
  return doc;
}

static void
write_time(FILE *f, long ms)
{
  if (ms >= 60000)
    fprintf(f, "%ldm %02lds", ms / 60000, (ms / 1000) % 60);
  else
    fprintf(f, "%.1fs", (double)ms / 1000.0);
}

static void
write_summary(FILE *f, const json_t *m)
{
  size_t i;
  json_t *c;

  /* At phone width the host column goes (the column id names the host when
     it matters, and the host facts below have it all). */
  fputs("<section id=\"summary\"><h2>Summary</h2><div class=\"scroll\"><table class=\"summary\"><thead><tr>"
        "<th>run</th><th class=\"wide\">host</th><th class=\"num\">passed</th><th class=\"num\">failed</th>"
        "<th class=\"num\">expected<span class=\"wide\"> failures</span></th><th class=\"num\">news</th>"
        "<th class=\"num\">skipped</th><th class=\"num\">time</th></tr></thead><tbody>\n",
        f);
  json_array_foreach(json_object_get(m, "columns"), i, c)
  {
    json_t *t = json_object_get(c, "totals");
    fputs("<tr><th>", f);
    esc(f, JS(c, "id"));
    fputs("</th><td class=\"wide\">", f);
    esc(f, *JS(c, "label") ? JS(c, "label") : "-");
    fprintf(f,
            "</td><td class=\"num\">%ld</td><td class=\"num%s\">%ld</td><td class=\"num\">%ld</td>"
            "<td class=\"num%s\">%ld</td><td class=\"num\">%ld</td><td class=\"num\">",
            JI(t, "passed"), JI(t, "failed") ? " fail" : "", JI(t, "failed"), JI(t, "xfail"),
            JI(t, "news") ? " news" : "", JI(t, "news"), JI(t, "skipped"));
    write_time(f, JI(t, "ms"));
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table></div>\n", f);
}

/* The host facts, one row per fact, one column per run. */
static void
write_hosts(FILE *f, const json_t *m)
{
  json_t *cols = json_object_get(m, "columns"), *keys = json_object(), *c, *v;
  const char *k;
  size_t i;

  json_array_foreach(cols, i, c) json_object_foreach(json_object_get(c, "host"), k, v)
      json_object_set_new(keys, k, json_true());
  if (json_object_size(keys))
    {
      fputs("<details><summary>Host facts of each run</summary><div "
            "class=\"scroll\"><table><thead><tr><th>fact</th>",
            f);
      json_array_foreach(cols, i, c) fputs("<th>", f), esc(f, JS(c, "id")), fputs("</th>", f);
      fputs("</tr></thead><tbody>\n", f);
      json_object_foreach(keys, k, v)
      {
        fputs("<tr><th>", f);
        esc(f, k);
        fputs("</th>", f);
        json_array_foreach(cols, i, c) fputs("<td>", f), esc(f, JS(json_object_get(c, "host"), k)),
            fputs("</td>", f);
        fputs("</tr>\n", f);
      }
      fputs("</tbody></table></div></details>\n", f);
    }
  fputs("</section>\n", f);
  json_decref(keys);
}

static void
write_change_list(FILE *f, const json_t *list, const char *title, bool with_cells)
{
  size_t i;
  json_t *e;

  if (!json_array_size(list))
    {
      fprintf(f, "<p class=\"meta\"><strong>%s</strong>: none</p>\n", title);
      return;
    }
  fprintf(f, "<h3>%s (%zu)</h3>", title, json_array_size(list));
  /* A long list (a renamed file, a partial run) folds, so the page's first
     screen still shows what matters. */
  if (json_array_size(list) > LONG_LIST)
    fprintf(f, "<details><summary>show all %zu</summary>", json_array_size(list));
  fputs("<ul>", f);
  json_array_foreach(list, i, e)
  {
    fputs("<li>", f);
    esc(f, with_cells ? JS(e, "case") : json_string_value(e));
    if (with_cells)
      {
        fputs(" <span class=\"lv\">", f);
        esc(f, JS(e, "column"));
        fputs("</span> ", f);
        esc(f, JS(e, "was"));
        fputs(" &rarr; ", f);
        esc(f, JS(e, "now"));
      }
    fputs("</li>", f);
  }
  fputs(json_array_size(list) > LONG_LIST ? "</ul></details>\n" : "</ul>\n", f);
}

static void
write_changes(FILE *f, const json_t *m)
{
  json_t *ch = json_object_get(m, "changes");

  if (!ch)
    return;
  fputs("<section id=\"changes\"><h2>Changes since the baseline</h2><p class=\"meta\">baseline: ", f);
  esc(f, JS(ch, "baseline"));
  fputs("</p>\n", f);
  write_change_list(f, json_object_get(ch, "new_failures"), "New failures", true);
  write_change_list(f, json_object_get(ch, "fixes"), "Fixes", true);
  write_change_list(f, json_object_get(ch, "other"), "Other changes", true);
  write_change_list(f, json_object_get(ch, "new_cases"), "New cases", false);
  write_change_list(f, json_object_get(ch, "removed_cases"), "Removed cases", false);
  fputs("</section>\n", f);
}

/* One cell: the status word, and for a failure, expected failure or skip a
   <details> with the output or the reason. */
static void
write_cell(FILE *f, const json_t *cell)
{
  const char *st = cell ? JS(cell, "status") : "none";
  const char *reason = cell ? JS(cell, "reason") : NULL, *diag = cell ? JS(cell, "diag") : NULL;
  static const char *const words[][2] = { { "pass", "pass" }, { "fail", "FAIL" }, { "xfail", "expected" },
                                          { "news", "news" }, { "skip", "skip" }, { "none", "&ndash;" } };
  const char *word = "&ndash;";

  for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
    if (strcmp(st, words[i][0]) == 0)
      word = words[i][1];
  fprintf(f, "<td class=\"%s\"", st);
  if (cell && json_object_get(cell, "ms"))
    fprintf(f, " title=\"%ld ms\"", JI(cell, "ms"));
  fputc('>', f);
  if (!reason && !diag)
    {
      fprintf(f, "%s</td>", word);
      return;
    }
  fprintf(f, "<details><summary>%s</summary>", word);
  if (reason)
    fputs("<p>", f), esc(f, reason), fputs("</p>", f);
  if (diag)
    {
      /* bats prints the failed assertion last, after the trace and the
         runtime calls: lead with it. */
      const char *last = strrchr(diag, '\n');
      fputs("<p class=\"why\">", f), esc(f, last ? last + 1 : diag), fputs("</p>", f);
      fputs("<pre>", f), esc(f, diag), fputs("</pre>", f);
    }
  fputs("</details></td>", f);
}

static void
write_case_row(FILE *f, const json_t *c, const json_t *cols)
{
  size_t i;
  json_t *col;

  fputs("<tr><th class=\"case\" scope=\"row\">", f);
  esc(f, JS(c, "name"));
  if (*JS(c, "level"))
    fputs("<span class=\"lv\">", f), esc(f, JS(c, "level")), fputs("</span>", f);
  fputs("</th>", f);
  json_array_foreach(cols, i, col) write_cell(f, json_object_get(json_object_get(c, "cells"), JS(col, "id")));
  fputs("</tr>\n", f);
}

static void
write_matrix_head(FILE *f, const json_t *cols, const char *first)
{
  size_t i;
  json_t *col;

  fprintf(f, "<div class=\"scroll\"><table class=\"matrix\"><thead><tr><th class=\"case\">%s</th>", first);
  json_array_foreach(cols, i, col) fputs("<th>", f), esc(f, JS(col, "id")), fputs("</th>", f);
  fputs("</tr></thead><tbody>\n", f);
}

static void
write_matrix(FILE *f, const json_t *m)
{
  json_t *cols = json_object_get(m, "columns"), *cases = json_object_get(m, "cases"), *s, *ix;
  size_t i, k;

  fputs("<section id=\"matrix\"><h2>Matrix</h2><p class=\"legend\"><span class=\"pass\">pass</span>"
        "<span class=\"fail\">FAIL: open it for the case's output</span><span class=\"xfail\">expected: a "
        "known "
        "deviation, with its reason</span><span class=\"news\">news: a known deviation passes now</span>"
        "<span class=\"skip\">skip, with its reason</span></p>\n",
        f);
  write_matrix_head(f, cols, "case, by requirement");
  json_array_foreach(json_object_get(m, "sections"), i, s)
  {
    if (!report_section_ran(s, cases))
      continue;
    fprintf(f, "<tr class=\"sec\"><th colspan=\"%zu\"", json_array_size(cols) + 1);
    if (*JS(s, "id"))
      anchor(f, " id=\"", JS(s, "id")), fputs("\"><a href=\"", f), spec_url(f, s), fputs("\">", f),
          esc(f, JS(s, "id")), fputs("</a> ", f);
    else
      fputs(">", f);
    esc(f, JS(s, "title"));
    fputs("</th></tr>\n", f);
    json_array_foreach(json_object_get(s, "cases"), k, ix)
      {
        json_t *c = json_array_get(cases, (size_t)json_integer_value(ix));
        if (json_object_size(json_object_get(c, "cells")))
          write_case_row(f, c, cols);
      }
  }
  fputs("</tbody></table></div></section>\n", f);
}

/* "3/4" passing of a section's cases in one column, coloured by the worst. */
static void
write_section_score(FILE *f, const json_t *s, const json_t *cases, const char *col)
{
  long good = 0, ran = 0, bad = 0, known = 0;
  size_t k;
  json_t *ix;

  json_array_foreach(json_object_get(s, "cases"), k, ix)
  {
    json_t *cell = json_object_get(
        json_object_get(json_array_get(cases, (size_t)json_integer_value(ix)), "cells"), col);
    const char *st = cell ? JS(cell, "status") : "none";
    ran += strcmp(st, "none") != 0 && strcmp(st, "skip") != 0;
    good += strcmp(st, "pass") == 0 || strcmp(st, "news") == 0;
    bad += strcmp(st, "fail") == 0;
    known += strcmp(st, "xfail") == 0;
  }
  if (!ran)
    fputs("<td class=\"none num\">&ndash;</td>", f);
  else
    fprintf(f, "<td class=\"num %s\">%ld/%ld</td>", bad ? "fail" : known ? "xfail" : "pass", good, ran);
}

static void
write_requirements(FILE *f, const json_t *m)
{
  json_t *cols = json_object_get(m, "columns"), *cases = json_object_get(m, "cases"), *s, *col;
  size_t i, k, nsec = 0, ngap = json_array_size(json_object_get(m, "gaps"));
  const char *doc = NULL;

  json_array_foreach(json_object_get(m, "sections"), i, s) nsec += *JS(s, "id") != '\0';
  fprintf(f,
          "<section id=\"requirements\"><h2>Requirements</h2><p>%zu of %zu sections have cases; "
          "<a href=\"#gaps\">%zu have none</a>. Each row: the cases passing of those that ran there.</p>\n",
          nsec - ngap, nsec, ngap);
  json_array_foreach(json_object_get(m, "sections"), i, s)
  {
    size_t n = json_array_size(json_object_get(s, "cases"));
    if (!n || !*JS(s, "id"))
      continue;
    if (!doc || strcmp(doc, JS(s, "doc")) != 0)
      {
        if (doc)
          fputs("</tbody></table></div>\n", f);
        doc = JS(s, "doc");
        fputs("<h3>", f), esc(f, doc_title(doc)), fputs("</h3>", f);
        write_matrix_head(f, cols, "section");
      }
    fputs("<tr><th class=\"case\" scope=\"row\"><a href=\"#", f);
    anchor(f, "", JS(s, "id"));
    fputs("\">", f), esc(f, JS(s, "title")), fputs("</a>", f);
    fprintf(f, "<span class=\"lv\">%zu case%s</span><span class=\"lv\">", n, n == 1 ? "" : "s");
    esc(f, JS(s, "levels"));
    fputs("</span></th>", f);
    json_array_foreach(cols, k, col) write_section_score(f, s, cases, JS(col, "id"));
    fputs("</tr>\n", f);
  }
  if (doc)
    fputs("</tbody></table></div>\n", f);
  fputs("</section>\n", f);
}

static void
write_gaps(FILE *f, const json_t *m)
{
  size_t i;
  json_t *s;
  const char *doc = NULL;

  fprintf(f,
          "<section id=\"gaps\"><h2>Sections with no case (%zu)</h2><p>The suite's own gaps: requirements "
          "of the spec no case checks yet.</p>\n",
          json_array_size(json_object_get(m, "gaps")));
  json_array_foreach(json_object_get(m, "sections"), i, s)
  {
    if (json_array_size(json_object_get(s, "cases")) || !*JS(s, "id"))
      continue;
    if (!doc || strcmp(doc, JS(s, "doc")) != 0)
      {
        fputs(doc ? "</ul>\n<h3>" : "<h3>", f);
        doc = JS(s, "doc");
        esc(f, doc_title(doc));
        fputs("</h3><ul class=\"gaps\">", f);
      }
    fputs("<li><a href=\"", f), spec_url(f, s), fputs("\">", f), esc(f, JS(s, "id")), fputs("</a> ", f);
    esc(f, JS(s, "title"));
    fputs(" <span class=\"lv\">", f), esc(f, JS(s, "levels")), fputs("</span></li>", f);
  }
  fputs(doc ? "</ul></section>\n" : "</section>\n", f);
}

static void
write_conformance(FILE *f, const json_t *m)
{
  json_t *cols = json_object_get(m, "columns"), *progs = json_object_get(m, "conformance"), *p;
  size_t i;

  if (!json_array_size(progs))
    return;
  fputs("<section id=\"conformance\"><h2>Conformance (runtime-tools validation programs)</h2>\n", f);
  write_matrix_head(f, cols, "program");
  json_array_foreach(progs, i, p)
  {
    json_t *c = json_pack("{s:s, s:s, s:O}", "name", JS(p, "name"), "level", "", "cells",
                          json_object_get(p, "cells"));
    write_case_row(f, c, cols);
    json_decref(c);
  }
  fputs("</tbody></table></div></section>\n", f);
}

int
report_write_html(const json_t *m, FILE *f)
{
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>OCI runtime compatibility report</title><style>",
        f);
  fputs(css, f);
  fputs("</style></head><body>\n<header><h1>OCI runtime compatibility report</h1><p class=\"meta\">", f);
  fprintf(f, "%zu cases, %zu runs, generated ", json_array_size(json_object_get(m, "cases")),
          json_array_size(json_object_get(m, "columns")));
  esc(f, JS(m, "generated"));
  fputs("</p><nav><a href=\"#summary\">Summary</a>", f);
  if (json_object_get(m, "changes"))
    fputs("<a href=\"#changes\">Changes</a>", f);
  fputs("<a href=\"#matrix\">Matrix</a><a href=\"#requirements\">Requirements</a><a href=\"#gaps\">Gaps</a>",
        f);
  if (json_array_size(json_object_get(m, "conformance")))
    fputs("<a href=\"#conformance\">Conformance</a>", f);
  fputs("</nav></header>\n", f);
  write_summary(f, m);
  write_hosts(f, m);
  write_changes(f, m);
  write_matrix(f, m);
  write_requirements(f, m);
  write_gaps(f, m);
  write_conformance(f, m);
  fputs("</body></html>\n", f);
  return ferror(f) ? -1 : 0;
}
