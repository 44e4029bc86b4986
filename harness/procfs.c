/* Readers for /proc: a task's stat line and the mount table. */
#include "ocitest.h"

#include <errno.h>
#include <string.h>

/* /proc files are small; anything larger than this is not what we expect. */
#define PROC_FILE_MAX (16u << 20)

int
proc_stat_read(pid_t pid, proc_stat_t *out, ocitest_error_t *err)
{
  char path[64];
  cleanup_free char *buf = NULL;
  char *open_paren, *close_paren, *save = NULL, *tok;
  int field = 3;

  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  if (read_file(path, 4096, &buf, NULL, err) < 0)
    return -1;

  /* comm may itself contain spaces and parentheses (prctl(PR_SET_NAME) takes
     anything), so it spans from the first '(' to the LAST ')'. */
  open_paren = strchr(buf, '(');
  close_paren = strrchr(buf, ')');
  if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
    return ocitest_make_error(err, EINVAL, "parse `%s`", path);

  memset(out, 0, sizeof(*out));
  out->pid = pid;
  snprintf(out->comm, sizeof(out->comm), "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);

  for (tok = strtok_r(close_paren + 1, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++)
    {
      if (field == 3)
        out->state = tok[0];
      else if (field == 4)
        out->ppid = (pid_t)strtol(tok, NULL, 10);
      else if (field == 6)
        out->session = (pid_t)strtol(tok, NULL, 10);
      else if (field == 9)
        out->flags = strtoul(tok, NULL, 10);
      else if (field == 22)
        {
          out->start_time = strtoull(tok, NULL, 10);
          return 0;
        }
    }
  return ocitest_make_error(err, EINVAL, "parse `%s`: only %d fields", path, field - 1);
}

bool
proc_gone(pid_t pid, char *state_out)
{
  ocitest_error_t err = NULL;
  proc_stat_t st;

  if (state_out)
    *state_out = '\0';
  if (proc_stat_read(pid, &st, &err) < 0)
    {
      /* Only ENOENT/ESRCH prove absence; anything else (EACCES under a
         hardened /proc) means we cannot tell, and "still there" is the
         answer that never makes a test pass by accident. */
      bool gone = err->status == ENOENT || err->status == ESRCH;

      ocitest_error_release(&err);
      return gone;
    }
  if (state_out)
    *state_out = st.state;
  /* A zombie has finished running; only its parent's wait() is missing. */
  return st.state == 'Z' || st.state == 'X' || st.state == 'x';
}

void
mount_table_free(mount_table_t *t)
{
  for (size_t i = 0; i < t->len; i++)
    {
      free(t->items[i].dev);
      free(t->items[i].root);
      free(t->items[i].mount_point);
      free(t->items[i].fstype);
    }
  free(t->items);
  t->items = NULL;
  t->len = 0;
}

/* One mountinfo line (proc(5)):
   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
   The optional fields end at " - ", so fstype is found from there. */
static int
parse_mountinfo_line(char *line, mount_entry_t *e)
{
  char *fields[5], *save = NULL, *sep, *fstype;
  int i;

  sep = strstr(line, " - ");
  if (sep == NULL)
    return -1;
  *sep = '\0';
  for (i = 0; i < 5; i++)
    {
      fields[i] = strtok_r(i == 0 ? line : NULL, " ", &save);
      if (fields[i] == NULL)
        return -1;
    }
  fstype = strtok_r(sep + 3, " ", &save);
  if (fstype == NULL)
    return -1;

  e->mount_id = (int)strtol(fields[0], NULL, 10);
  e->parent_id = (int)strtol(fields[1], NULL, 10);
  e->dev = xstrdup(fields[2]);
  e->root = xstrdup(fields[3]);
  e->mount_point = xstrdup(fields[4]);
  e->fstype = xstrdup(fstype);
  return 0;
}

int
mount_table_read(const char *path, mount_table_t *out, ocitest_error_t *err)
{
  cleanup_free char *buf = NULL;
  char *line, *save = NULL;
  size_t cap = 0;

  out->items = NULL;
  out->len = 0;
  if (read_file(path, PROC_FILE_MAX, &buf, NULL, err) < 0)
    return -1;
  for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    {
      mount_entry_t e;

      if (parse_mountinfo_line(line, &e) < 0)
        {
          mount_table_free(out);
          return ocitest_make_error(err, EINVAL, "parse `%s`: bad line", path);
        }
      if (out->len == cap)
        {
          cap = cap ? cap * 2 : 64;
          out->items = xrealloc(out->items, cap * sizeof(*out->items));
        }
      out->items[out->len++] = e;
    }
  return 0;
}
