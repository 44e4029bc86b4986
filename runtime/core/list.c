/* list: every container under --root, as runc lists them.  Per container
   only its state.json is read (and the status derived as for `state`):
   never its config, so a list of many stays cheap.  */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control.h"
#include "log.h"
#include "status.h"
#include "utils.h"

#define TAB_MINWIDTH 12 /* Go's tabwriter as runc sets it up: minwidth 12, padding 3 */
#define TAB_PADDING 3

/* The owner of the state dir, as runc reports it: the user name, else
   "#UID".  The last answer is kept: the containers of one root mostly have
   one owner, and /etc/passwd is not read again for each of a thousand.  */
static char *
owner_of(const struct stat *sb)
{
  static char *last_name;
  static uid_t last_uid;
  char *name;

  if (last_name && last_uid == sb->st_uid)
    return xstrdup(last_name);
  name = box_passwd_name("/etc/passwd", sb->st_uid);
  if (name == NULL)
    name = xasprintf("#%u", (unsigned)sb->st_uid);
  free(last_name);
  last_name = xstrdup(name);
  last_uid = sb->st_uid;
  return name;
}

/* One entry of the JSON list: the state document's fields and owner.  */
static json_t *
list_item(const char *root, const char *id, box_error_t *err)
{
  cleanup_free char *dir = box_state_dir(root, id), *owner = NULL;
  cleanup_state box_state_t *st = NULL;
  struct stat sb;
  json_t *o;

  if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || box_state_read(dir, &st, err) < 0)
    return NULL;
  o = box_state_document(st, id, box_status_derive(dir, st));
  owner = owner_of(&sb);
  json_object_set_new(o, "owner", json_string(owner));
  return o;
}

static int
compare_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The container ids under root, sorted (runc lists in name order).  */
static char **
list_ids(const char *root, size_t *n, box_error_t *err)
{
  cleanup_dir DIR *dp = opendir(root);
  struct dirent *de;
  char **ids = NULL;

  *n = 0;
  if (dp == NULL)
    {
      /* No root yet: no containers (runc prints an empty list too).  */
      if (errno != ENOENT)
        box_make_error(err, errno, "list: open state root `%s`", root);
      return NULL;
    }
  while ((de = readdir(dp)) != NULL)
    {
      box_error_t ignored = NULL;
      if (box_validate_id(de->d_name, &ignored) < 0)
        {
          box_error_release(&ignored);
          continue;
        }
      ids = xrealloc(ids, (*n + 1) * sizeof(*ids));
      ids[(*n)++] = xstrdup(de->d_name);
    }
  if (*n)
    qsort(ids, *n, sizeof(*ids), compare_names);
  return ids;
}

static json_t *
list_items(const char *root, box_error_t *err)
{
  json_t *a = json_array(), *o;
  char **ids;
  size_t n, i;

  ids = list_ids(root, &n, err);
  if (*err)
    return json_decref(a), NULL;
  for (i = 0; i < n; i++)
    {
      box_error_t bad = NULL;
      /* One unreadable container does not hide the others (runc logs it
         and goes on).  */
      if ((o = list_item(root, ids[i], &bad)) != NULL)
        json_array_append_new(a, o);
      else if (bad)
        box_log_warning("list: container `%s`: %s", ids[i], bad->msg);
      box_error_release(&bad);
      free(ids[i]);
    }
  free(ids);
  return a;
}

/* A growing text: appending is not a copy of what is there (a table of a
   thousand rows was 6000 copies of a string up to 100 KB long).  */
typedef struct
{
  char *buf;
  size_t len;
  FILE *f;
} text_t;

static void
text_open(text_t *t)
{
  t->buf = NULL;
  t->len = 0;
  t->f = open_memstream(&t->buf, &t->len);
  if (t->f == NULL)
    abort(); /* out of memory, as xmalloc */
}

static char *
text_close(text_t *t)
{
  if (fclose(t->f) != 0)
    abort();
  return t->buf;
}

static void
cell(text_t *out, const char *text, size_t width)
{
  fprintf(out->f, "%-*s", (int)width, text);
}

char *
box_list_table(json_t *items)
{
  static const char *const heads[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
  static const char *const keys[] = { "id", "pid", "status", "bundle", "created", "owner" };
  size_t width[6], i, c, rows = json_array_size(items);
  char ***cells = xcalloc(rows + 1, sizeof(*cells));
  text_t out;

  for (i = 0; i <= rows; i++)
    {
      json_t *o = i ? json_array_get(items, i - 1) : NULL;
      cells[i] = xcalloc(6, sizeof(char *));
      for (c = 0; c < 6; c++)
        {
          json_t *v = o ? json_object_get(o, keys[c]) : NULL;
          cells[i][c] = !o                   ? xstrdup(heads[c])
                        : json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v))
                                             : xstrdup(json_is_string(v) ? json_string_value(v) : "");
        }
    }
  /* tabwriter: a column is as wide as its widest cell plus the padding,
     at least minwidth; the last cell of a line is not padded.  */
  for (c = 0; c < 6; c++)
    for (width[c] = TAB_MINWIDTH, i = 0; i <= rows; i++)
      if (strlen(cells[i][c]) + TAB_PADDING > width[c])
        width[c] = strlen(cells[i][c]) + TAB_PADDING;
  text_open(&out);
  for (i = 0; i <= rows; i++)
    {
      for (c = 0; c < 6; c++)
        cell(&out, cells[i][c], c < 5 ? width[c] : 0), free(cells[i][c]);
      cell(&out, "\n", 0);
      free(cells[i]);
    }
  free(cells);
  return text_close(&out);
}

int
box_container_list(const box_context_t *ctx, enum box_format_e format, bool quiet, char **out,
                   box_error_t *err)
{
  json_t *items = list_items(ctx->root, err), *o;
  size_t i;

  if (items == NULL)
    return -1;
  if (quiet)
    {
      text_t t;

      text_open(&t);
      json_array_foreach(items, i, o)
      {
        fprintf(t.f, "%s\n", json_string_value(json_object_get(o, "id")));
      }
      *out = text_close(&t);
    }
  else if (format == BOX_FORMAT_JSON)
    *out = json_dumps(items, JSON_COMPACT | JSON_PRESERVE_ORDER);
  else
    *out = box_list_table(items);
  json_decref(items);
  return 0;
}
