/* ocitest report [--out DIR] [--baseline OLD.json] [--cases DIR]
                  [--requirements FILE] [--expect-dir DIR] [RESULTS...]

   Joins the runs under RESULTS (default build/reports: every directory
   holding a tap.txt or conformance.tap, searched three levels deep, so one
   host's build/reports or a directory of several hosts' downloaded results
   both work) with the case tags and the requirement list, and writes
   OUT/index.html, OUT/matrix.md and OUT/matrix.json. */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 3

struct report_opts_s
{
  const char *out, *baseline, *cases, *reqs, *expect_dir;
  char **dirs;
  int ndirs;
};

static const char usage_text[]
    = "usage: ocitest report [--out DIR] [--baseline OLD.json] [--cases DIR] [--requirements FILE]\n"
      "                      [--expect-dir DIR] [RESULTS-DIR...]\n"
      "Writes DIR/index.html, matrix.md, matrix.json (DIR default build/reports) from the runs found\n"
      "under each RESULTS-DIR (default build/reports); --baseline adds what changed since OLD.json.\n";

static int
parse_opts(int argc, char **argv, struct report_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "out", required_argument, NULL, 'o' },
    { "baseline", required_argument, NULL, 'b' },
    { "cases", required_argument, NULL, 'c' },
    { "requirements", required_argument, NULL, 'r' },
    { "expect-dir", required_argument, NULL, 'e' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":o:b:c:r:e:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'o':
        o->out = optarg;
        break;
      case 'b':
        o->baseline = optarg;
        break;
      case 'c':
        o->cases = optarg;
        break;
      case 'r':
        o->reqs = optarg;
        break;
      case 'e':
        o->expect_dir = optarg;
        break;
      case 'h':
        fputs(usage_text, stdout);
        return 1;
      default:
        return option_error(c, argv, "report", err);
      }
  o->dirs = argv + optind;
  o->ndirs = argc - optind;
  return 0;
}

static bool
is_run_dir(const char *dir)
{
  cleanup_free char *tap = xasprintf("%s/tap.txt", dir);
  cleanup_free char *conf = xasprintf("%s/conformance.tap", dir);

  return access(tap, F_OK) == 0 || access(conf, F_OK) == 0;
}

static int
dir_filter(const struct dirent *d)
{
  return d->d_name[0] != '.';
}

/* Collect the run directories at or below dir, in name order. */
static void
find_runs(const char *dir, int depth, str_list_t *out)
{
  struct dirent **names = NULL;
  int n;

  if (is_run_dir(dir))
    {
      str_list_push(out, xstrdup(dir));
      return;
    }
  if (depth >= MAX_DEPTH || (n = scandir(dir, &names, dir_filter, alphasort)) < 0)
    return;
  for (int i = 0; i < n; i++)
    {
      cleanup_free char *sub = xasprintf("%s/%s", dir, names[i]->d_name);
      struct stat st;
      if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
        find_runs(sub, depth + 1, out);
      free(names[i]);
    }
  free(names);
}

static int
load_cases(const char *dir, case_list_t *cases, ocitest_error_t *err)
{
  struct dirent **names = NULL;
  int n = scandir(dir, &names, dir_filter, alphasort), r = 0;

  if (n < 0)
    return ocitest_make_error(err, errno, "case directory `%s`", dir);
  for (int i = 0; i < n; i++)
    {
      size_t len = strlen(names[i]->d_name);
      if (r == 0 && len > 5 && strcmp(names[i]->d_name + len - 5, ".bats") == 0)
        {
          cleanup_free char *path = xasprintf("%s/%s", dir, names[i]->d_name);
          r = case_tags_load(path, cases, err);
        }
      free(names[i]);
    }
  free(names);
  return r;
}

/* Write one output through a memory stream, then atomically into place. */
static int
write_output(const char *out, const char *name, const json_t *model, int (*writer)(const json_t *, FILE *),
             ocitest_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/%s", out, name);
  cleanup_free char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  int r;

  if (!f)
    return ocitest_make_error(err, errno, "open_memstream");
  r = writer(model, f);
  if (fclose(f) != 0 || r < 0)
    return ocitest_make_error(err, 0, "%s: formatting failed", path);
  return write_file_atomic(path, buf, len, err);
}

static int
json_writer(const json_t *model, FILE *f)
{
  int r = json_dumpf(model, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

  fputc('\n', f);
  return r;
}

static int
write_all(const struct report_opts_s *o, const json_t *model, ocitest_error_t *err)
{
  if (mkdir(o->out, 0755) < 0 && errno != EEXIST)
    return ocitest_make_error(err, errno, "mkdir `%s`", o->out);
  if (write_output(o->out, "matrix.json", model, json_writer, err) < 0
      || write_output(o->out, "matrix.md", model, report_write_md, err) < 0
      || write_output(o->out, "index.html", model, report_write_html, err) < 0)
    return -1;
  return 0;
}

static int
load_runs(const struct report_opts_s *o, run_t **runs, size_t *nruns, ocitest_error_t *err)
{
  cleanup_str_list str_list_t dirs = { 0 };
  static char *default_dirs[] = { "build/reports" };
  char **roots = o->ndirs ? o->dirs : default_dirs;

  for (int i = 0; i < (o->ndirs ? o->ndirs : 1); i++)
    {
      size_t before = dirs.len;
      find_runs(roots[i], 0, &dirs);
      /* One empty directory among several (a CI job that ran nothing) is
         worth a word, not the whole merged report. */
      if (dirs.len == before)
        fprintf(stderr, "ocitest report: `%s` holds no run (no tap.txt or conformance.tap in it or below)\n",
                roots[i]);
    }
  if (dirs.len == 0)
    return ocitest_usage_error(err, "no run found (a run's directory holds tap.txt or conformance.tap)");
  *runs = xcalloc(dirs.len, sizeof(**runs));
  for (*nruns = 0; *nruns < dirs.len; (*nruns)++)
    if (run_load(dirs.items[*nruns], o->expect_dir, &(*runs)[*nruns], err) < 0)
      {
        (*nruns)++; /* so the caller frees the half-loaded run too */
        return -1;
      }
  return 0;
}

static void
print_outcome(const struct report_opts_s *o, const json_t *m)
{
  size_t nsec = 0, i;
  json_t *s, *ch = json_object_get(m, "changes");

  json_array_foreach(json_object_get(m, "sections"), i, s) nsec
      += *json_string_value(json_object_get(s, "id")) != '\0';
  printf("# report: %zu runs, %zu cases; %zu of %zu requirement sections have cases\n",
         json_array_size(json_object_get(m, "columns")), json_array_size(json_object_get(m, "cases")),
         nsec - json_array_size(json_object_get(m, "gaps")), nsec);
  if (ch)
    printf("# against %s: %zu new failures, %zu fixes, %zu other changes, %zu new cases, %zu removed cases\n",
           json_string_value(json_object_get(ch, "baseline")),
           json_array_size(json_object_get(ch, "new_failures")),
           json_array_size(json_object_get(ch, "fixes")), json_array_size(json_object_get(ch, "other")),
           json_array_size(json_object_get(ch, "new_cases")),
           json_array_size(json_object_get(ch, "removed_cases")));
  printf("%s/index.html\n", o->out);
}

int
ocitest_cmd_report(int argc, char **argv, ocitest_error_t *err)
{
  struct report_opts_s o = { .out = "build/reports",
                             .cases = "cases",
                             .reqs = "fixtures/requirements.tsv",
                             .expect_dir = "fixtures/expect" };
  req_list_t reqs = { 0 };
  case_list_t cases = { 0 };
  run_t *runs = NULL;
  size_t nruns = 0;
  json_t *model = NULL, *old = NULL;
  json_error_t jerr;
  int r = parse_opts(argc, argv, &o, err);

  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;
  if (o.baseline && !(old = json_load_file(o.baseline, 0, &jerr)))
    r = ocitest_make_error(err, 0, "baseline `%s`: %s (line %d)", o.baseline, jerr.text, jerr.line);
  if (r == 0 && old && !json_is_array(json_object_get(old, "cases")))
    r = ocitest_make_error(err, 0, "baseline `%s`: not an ocitest report (no \"cases\" array)", o.baseline);
  if (r == 0)
    r = req_list_load(o.reqs, &reqs, err);
  if (r == 0)
    r = load_cases(o.cases, &cases, err);
  if (r == 0)
    r = load_runs(&o, &runs, &nruns, err);
  if (r == 0)
    {
      model = report_build(runs, nruns, &cases, &reqs);
      if (old)
        report_compare(model, old, o.baseline);
      r = write_all(&o, model, err);
    }
  if (r == 0)
    print_outcome(&o, model);
  for (size_t i = 0; i < nruns; i++)
    run_free(&runs[i]);
  free(runs);
  json_decref(model);
  json_decref(old);
  req_list_free(&reqs);
  case_list_free(&cases);
  return r < 0 ? -1 : OCITEST_EXIT_OK;
}
