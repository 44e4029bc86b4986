/* The requirement list and the case tags that point into it. */
#include "report.h"

#include <ctype.h>
#include <string.h>

#define REQ_FILE_MAX (1 << 20)
#define BATS_FILE_MAX (8 << 20)

static const char *const levels[] = { "spec:must", "spec:should", "de-facto", NULL };

static bool
is_level(const char *t)
{
  for (size_t i = 0; levels[i]; i++)
    if (strcmp(t, levels[i]) == 0)
      return true;
  return false;
}

/* Split line at tabs into at most n fields, in place; returns the count. */
static size_t
split_tabs(char *line, char **fields, size_t n)
{
  size_t k = 0;

  while (k < n)
    {
      fields[k++] = line;
      line = strchr(line, '\t');
      if (!line)
        break;
      *line++ = '\0';
    }
  return k;
}

int
req_list_parse(const char *text, const char *origin, req_list_t *out, ocitest_error_t *err)
{
  cleanup_free char *copy = xstrdup(text);
  int lineno = 0;

  for (char *p = copy, *line; (line = strsep(&p, "\n"));)
    {
      char *f[4];

      lineno++;
      if (line[0] == '#' || line[strspn(line, " \t\r")] == '\0')
        continue;
      if (split_tabs(line, f, 4) != 4 || !*f[0] || !*f[1] || strchr(f[3], '\t'))
        return ocitest_make_error(err, 0, "%s:%d: want doc<TAB>slug<TAB>levels<TAB>title", origin, lineno);
      cleanup_free char *id = xasprintf("%s:%s", f[0], f[1]);
      if (req_list_find(out, id))
        return ocitest_make_error(err, 0, "%s:%d: section `%s` listed twice", origin, lineno, id);
      if (out->len == out->cap)
        {
          out->cap = out->cap ? out->cap * 2 : 64;
          out->items = xrealloc(out->items, out->cap * sizeof(*out->items));
        }
      out->items[out->len++] = (req_section_t){ .id = steal_pointer(&id),
                                                .doc = xstrdup(f[0]),
                                                .slug = xstrdup(f[1]),
                                                .levels = xstrdup(f[2]),
                                                .title = xstrdup(f[3]) };
    }
  return 0;
}

int
req_list_load(const char *path, req_list_t *out, ocitest_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;

  if (read_file(path, REQ_FILE_MAX, &text, &len, err) < 0)
    return ocitest_error_wrap(err, "requirements `%s`", path);
  return req_list_parse(text, path, out, err);
}

const req_section_t *
req_list_find(const req_list_t *l, const char *id)
{
  for (size_t i = 0; id && i < l->len; i++)
    if (strcmp(l->items[i].id, id) == 0)
      return &l->items[i];
  return NULL;
}

void
req_list_free(req_list_t *l)
{
  for (size_t i = 0; i < l->len; i++)
    {
      free(l->items[i].id);
      free(l->items[i].doc);
      free(l->items[i].slug);
      free(l->items[i].levels);
      free(l->items[i].title);
    }
  free(l->items);
  *l = (req_list_t){ 0 };
}

/* Apply one `# bats test_tags=a,b,c` line to the pending case. */
static void
take_tags(const char *list, case_tag_t *c)
{
  cleanup_free char *copy = xstrdup(list);

  for (char *p = copy, *t; (t = strsep(&p, ","));)
    {
      while (isspace((unsigned char)*t))
        t++;
      t[strcspn(t, " \t\r")] = '\0';
      if (is_level(t))
        {
          if (!c->level)
            c->level = xstrdup(t);
          c->nlevels++;
        }
      else if (strncmp(t, "req:", 4) == 0)
        {
          if (!c->req)
            c->req = xstrdup(t + 4);
          c->nreqs++;
        }
    }
}

/* The name of `@test "NAME" {`, bats' quoting (\" inside) undone. */
static char *
test_name(const char *line)
{
  const char *s = line + strlen("@test \"");
  const char *e = strrchr(s, '"');
  char *name = xstrndup(s, e && e > s ? (size_t)(e - s) : strlen(s));
  char *w = name;

  for (char *r = name; *r; r++)
    if (!(r[0] == '\\' && r[1] == '"'))
      *w++ = *r;
  *w = '\0';
  return name;
}

void
case_tags_parse(const char *text, const char *file, case_list_t *out)
{
  cleanup_free char *copy = xstrdup(text);
  case_tag_t pending = { 0 };
  int lineno = 0;

  for (char *p = copy, *line; (line = strsep(&p, "\n"));)
    {
      lineno++;
      if (strncmp(line, "# bats test_tags=", 17) == 0)
        take_tags(line + 17, &pending);
      if (strncmp(line, "@test \"", 7) != 0)
        continue;
      pending.file = xstrdup(file);
      pending.line = lineno;
      pending.name = test_name(line);
      if (out->len == out->cap)
        {
          out->cap = out->cap ? out->cap * 2 : 256;
          out->items = xrealloc(out->items, out->cap * sizeof(*out->items));
        }
      out->items[out->len++] = pending;
      pending = (case_tag_t){ 0 };
    }
  free(pending.level);
  free(pending.req);
}

int
case_tags_load(const char *path, case_list_t *out, ocitest_error_t *err)
{
  cleanup_free char *text = NULL;
  const char *base = strrchr(path, '/');
  size_t len;

  if (read_file(path, BATS_FILE_MAX, &text, &len, err) < 0)
    return ocitest_error_wrap(err, "case file `%s`", path);
  case_tags_parse(text, base ? base + 1 : path, out);
  return 0;
}

const case_tag_t *
case_list_find(const case_list_t *l, const char *name)
{
  for (size_t i = 0; i < l->len; i++)
    if (strcmp(l->items[i].name, name) == 0)
      return &l->items[i];
  return NULL;
}

size_t
case_tags_check(const case_list_t *cases, const req_list_t *reqs, str_list_t *problems)
{
  size_t n = problems->len;

  for (size_t i = 0; i < cases->len; i++)
    {
      const case_tag_t *c = &cases->items[i];
      const char *where = c->file;

      if (c->nlevels != 1)
        str_list_pushf(problems, "%s:%d: case `%s`: %s", where, c->line, c->name,
                       c->nlevels ? "more than one level tag"
                                  : "no level tag (spec:must, spec:should or de-facto)");
      if (!c->req)
        str_list_pushf(problems, "%s:%d: case `%s`: no req:DOC:SECTION tag", where, c->line, c->name);
      else if (c->nreqs > 1)
        str_list_pushf(problems, "%s:%d: case `%s`: more than one req tag (a case checks one section)", where,
                       c->line, c->name);
      else if (!req_list_find(reqs, c->req))
        str_list_pushf(problems, "%s:%d: case `%s`: req:%s is not a section in the requirement list", where,
                       c->line, c->name, c->req);
    }
  return problems->len - n;
}

void
case_list_free(case_list_t *l)
{
  for (size_t i = 0; i < l->len; i++)
    {
      free(l->items[i].file);
      free(l->items[i].name);
      free(l->items[i].level);
      free(l->items[i].req);
    }
  free(l->items);
  *l = (case_list_t){ 0 };
}
