/* Snapshots of the host and the leak diff.
 *
 * A reading is a sorted list of "kind\tkey" lines; the file written by
 * `snapshot` is that list, so `leaks` can diff by plain string lookup:
 *   mount\t<mount id>\t<fstype>\t<mount point>   the id makes a remount new
 *   proc\t<pid>\t<start time>                    start time defeats pid reuse
 *   state\t<root>/<name>
 *   cgroup\t<directory>
 */
#include "hostsnap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#define SNAPSHOT_HEADER "# ocitest snapshot 1\n"
#define SNAPSHOT_FILE_MAX (256u << 20)

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
snapshot_sort(snapshot_t *s)
{
  if (s->lines.len)
    qsort(s->lines.items, s->lines.len, sizeof(char *), cmp_str);
}

bool
snapshot_has(const snapshot_t *s, const char *line)
{
  return s->lines.len && bsearch(&line, s->lines.items, s->lines.len, sizeof(char *), cmp_str) != NULL;
}

void
snapshot_free(snapshot_t *s)
{
  str_list_free(&s->lines);
}

static void
push_escaped(snapshot_t *s, const char *kind, const char *raw)
{
  cleanup_free char *key = escape_field(raw);

  str_list_pushf(&s->lines, "%s\t%s", kind, key);
}

/* ---- readers ----------------------------------------------------------- */

static void
read_mounts(snapshot_t *s, const mount_table_t *mt)
{
  for (size_t i = 0; i < mt->len; i++)
    str_list_pushf(&s->lines, "mount\t%d\t%s\t%s", mt->items[i].mount_id, mt->items[i].fstype,
                   mt->items[i].mount_point);
}

static bool
is_pid_name(const char *name)
{
  if (*name == '\0')
    return false;
  for (; *name; name++)
    if (*name < '0' || *name > '9')
      return false;
  return true;
}

static int
read_procs(snapshot_t *s, ocitest_error_t *err)
{
  cleanup_dir DIR *d = opendir("/proc");
  struct dirent *de;

  if (d == NULL)
    return ocitest_make_error(err, errno, "open `/proc`");
  while ((de = readdir(d)) != NULL)
    {
      ocitest_error_t ignored = NULL;
      proc_stat_t st;

      if (!is_pid_name(de->d_name))
        continue;
      /* Gone between readdir and open: it cannot leak any more. */
      if (proc_stat_read((pid_t)strtol(de->d_name, NULL, 10), &st, &ignored) < 0)
        {
          ocitest_error_release(&ignored);
          continue;
        }
      /* Kernel threads come and go with load; no runtime can leak one. */
      if (st.flags & OCITEST_PF_KTHREAD)
        continue;
      str_list_pushf(&s->lines, "proc\t%d\t%llu", (int)st.pid, st.start_time);
    }
  return 0;
}

static int
read_state_root(snapshot_t *s, const char *root, ocitest_error_t *err)
{
  cleanup_dir DIR *d = opendir(root);
  struct dirent *de;

  if (d == NULL)
    {
      /* The runtime creates its root on first use: nothing to record yet. */
      if (errno == ENOENT)
        return 0;
      return ocitest_make_error(err, errno, "open state root `%s`", root);
    }
  while ((de = readdir(d)) != NULL)
    {
      cleanup_free char *path = NULL;

      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      path = xasprintf("%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", de->d_name);
      push_escaped(s, "state", path);
    }
  return 0;
}

/* Record dir and every directory below it, to max depth, without leaving
   the file system the walk started on.  A group removed while we walk is
   simply not recorded. */
static void
walk_cgroup(snapshot_t *s, int dirfd, const char *path, dev_t dev, int depth)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  push_escaped(s, "cgroup", path);
  if (depth >= SNAP_CGROUP_MAX_DEPTH)
    {
      close(dirfd);
      return;
    }
  d = fdopendir(dirfd);
  if (d == NULL)
    {
      close(dirfd);
      return;
    }
  while ((de = readdir(d)) != NULL)
    {
      cleanup_free char *child = NULL;
      struct stat st;
      int fd;

      if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (fstat(fd, &st) < 0 || st.st_dev != dev)
        {
          close(fd);
          continue;
        }
      child = xasprintf("%s/%s", path, de->d_name);
      walk_cgroup(s, fd, child, dev, depth + 1);
    }
}

static void
read_cgroups(snapshot_t *s, const mount_table_t *mt)
{
  cleanup_str_list str_list_t seen = { 0 };

  for (size_t i = 0; i < mt->len; i++)
    {
      const mount_entry_t *m = &mt->items[i];
      cleanup_free char *mp = NULL;
      cleanup_free char *id = NULL;
      struct stat st;
      bool dup = false;
      int fd;

      if (strcmp(m->fstype, "cgroup") != 0 && strcmp(m->fstype, "cgroup2") != 0)
        continue;
      /* The same hierarchy bind-mounted twice would list every group
         twice; walk each (device, root) once. */
      id = xasprintf("%s %s", m->dev, m->root);
      for (size_t j = 0; j < seen.len && !dup; j++)
        dup = strcmp(seen.items[j], id) == 0;
      if (dup)
        continue;
      str_list_push(&seen, steal_pointer(&id));

      mp = xstrdup(m->mount_point);
      unescape_field(mp);
      fd = open(mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (fstat(fd, &st) < 0)
        {
          close(fd);
          continue;
        }
      walk_cgroup(s, fd, mp, st.st_dev, 0);
    }
}

int
snapshot_take(const snap_opts_t *o, snapshot_t *out, ocitest_error_t *err)
{
  mount_table_t mt = { 0 };

  memset(out, 0, sizeof(*out));
  if (mount_table_read("/proc/self/mountinfo", &mt, err) < 0)
    return -1;
  read_mounts(out, &mt);
  read_cgroups(out, &mt);
  mount_table_free(&mt);
  if (read_procs(out, err) < 0)
    goto fail;
  for (size_t i = 0; i < o->n_roots; i++)
    if (read_state_root(out, o->roots[i], err) < 0)
      goto fail;
  snapshot_sort(out);
  return 0;
fail:
  snapshot_free(out);
  return -1;
}

/* ---- file format ------------------------------------------------------- */

int
snapshot_save(const snapshot_t *s, const char *path, ocitest_error_t *err)
{
  size_t len = strlen(SNAPSHOT_HEADER), off;
  cleanup_free char *buf = NULL;

  for (size_t i = 0; i < s->lines.len; i++)
    len += strlen(s->lines.items[i]) + 1;
  buf = xmalloc(len + 1);
  off = (size_t)sprintf(buf, "%s", SNAPSHOT_HEADER);
  for (size_t i = 0; i < s->lines.len; i++)
    off += (size_t)sprintf(buf + off, "%s\n", s->lines.items[i]);
  if (write_file_atomic(path, buf, off, err) < 0)
    return ocitest_error_wrap(err, "save snapshot");
  return 0;
}

int
snapshot_load(const char *path, snapshot_t *out, ocitest_error_t *err)
{
  cleanup_free char *buf = NULL;
  char *line, *save = NULL;

  memset(out, 0, sizeof(*out));
  if (read_file(path, SNAPSHOT_FILE_MAX, &buf, NULL, err) < 0)
    return ocitest_error_wrap(err, "load snapshot");
  if (strncmp(buf, SNAPSHOT_HEADER, strlen(SNAPSHOT_HEADER)) != 0)
    return ocitest_make_error(err, 0, "load snapshot: `%s` is not an ocitest snapshot", path);
  for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    {
      if (line[0] == '#')
        continue;
      if (strchr(line, '\t') == NULL)
        {
          snapshot_free(out);
          return ocitest_make_error(err, 0, "load snapshot: `%s`: bad line `%s`", path, line);
        }
      str_list_push(&out->lines, xstrdup(line));
    }
  snapshot_sort(out);
  return 0;
}
