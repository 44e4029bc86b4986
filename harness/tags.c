/* ocitest tags [--check] [--requirements FILE] [BATS-FILE...]

   Lists every case's level and requirement tags (file, line, level, req,
   name; tab-separated), or with --check prints only what is wrong: a case
   with no level tag or more than one, no req:DOC:SECTION tag, or a section
   not in the requirement list (fixtures/requirements.tsv).  Exit 1 when
   --check found anything.  Default files: every cases/NAME.bats. */
#include "report.h"

#include <getopt.h>
#include <glob.h>
#include <string.h>

static const char usage_text[] = "usage: ocitest tags [--check] [--requirements FILE] [BATS-FILE...]\n";

static int
load_files(int argc, char **argv, case_list_t *cases, ocitest_error_t *err)
{
  glob_t g = { 0 };
  int r = 0;

  if (argc > 0)
    {
      for (int i = 0; r == 0 && i < argc; i++)
        r = case_tags_load(argv[i], cases, err);
      return r;
    }
  if (glob("cases/*.bats", 0, NULL, &g) != 0)
    return ocitest_usage_error(err, "no cases/*.bats here: name the files");
  for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
    r = case_tags_load(g.gl_pathv[i], cases, err);
  globfree(&g);
  return r;
}

int
ocitest_cmd_tags(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "check", no_argument, NULL, 'c' },
    { "requirements", required_argument, NULL, 'r' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *reqs_path = "fixtures/requirements.tsv";
  cleanup_str_list str_list_t problems = { 0 };
  req_list_t reqs = { 0 };
  case_list_t cases = { 0 };
  bool check = false;
  int c, r;

  options_reset();
  while ((c = getopt_long(argc, argv, ":cr:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'c':
        check = true;
        break;
      case 'r':
        reqs_path = optarg;
        break;
      case 'h':
        fputs(usage_text, stdout);
        return OCITEST_EXIT_OK;
      default:
        return option_error(c, argv, "tags", err);
      }
  r = req_list_load(reqs_path, &reqs, err);
  if (r == 0)
    r = load_files(argc - optind, argv + optind, &cases, err);
  if (r == 0 && check)
    {
      case_tags_check(&cases, &reqs, &problems);
      for (size_t i = 0; i < problems.len; i++)
        printf("%s\n", problems.items[i]);
      fprintf(stderr, "tags: %zu cases, %zu sections in %s, %zu problems\n", cases.len, reqs.len, reqs_path,
              problems.len);
    }
  for (size_t i = 0; r == 0 && !check && i < cases.len; i++)
    printf("%s\t%d\t%s\t%s\t%s\n", cases.items[i].file, cases.items[i].line,
           cases.items[i].level ? cases.items[i].level : "-", cases.items[i].req ? cases.items[i].req : "-",
           cases.items[i].name);
  req_list_free(&reqs);
  case_list_free(&cases);
  if (r < 0)
    return -1;
  return problems.len ? OCITEST_EXIT_FAIL : OCITEST_EXIT_OK;
}
