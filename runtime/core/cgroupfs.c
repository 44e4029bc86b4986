/* Mounts of type "cgroup": see cgroupfs.h.  Runs in the container init,
   inside its mount namespace, after it has joined its cgroups (and
   unshared a cgroup namespace, if the config asks for one) and before
   pivot_root, while the host's cgroup mounts are still in reach.  */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroupfs.h"
#include "linux.h"
#include "utils.h"

/* ---- the hierarchies, from /proc/self/mountinfo and /proc/self/cgroup ---- */

/* Where cgroup `path` lies on the host: below the mount point of a mount
   of its hierarchy made from cgroup `root` (mountinfo field 4).  NULL
   when the mount does not contain it: a mount of a sub-cgroup, or, in a
   cgroup namespace, a mount of cgroups above the namespace's root, which
   mountinfo shows as "/..".  */
static char *
host_dir(const char *mount_point, const char *root, const char *path)
{
  size_t n = strlen(root);

  if (strcmp(root, "/") == 0)
    n = 0;
  else if (strncmp(path, root, n) != 0 || (path[n] != '\0' && path[n] != '/'))
    return NULL;
  if (strcmp(path + n, "/") == 0)
    return xstrdup(mount_point);
  return xasprintf("%s%s", mount_point, path + n);
}

char *
box_cgroupfs_dir_name(const char *controllers)
{
  cleanup_free char *copy = xstrdup(controllers);
  char *save = NULL, *tok, *name;

  if (controllers[0] == '\0')
    return xstrdup("unified");
  name = xcalloc(1, strlen(controllers) + 1);
  for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    {
      if (name[0] != '\0')
        strcat(name, ",");
      strcat(name, strncmp(tok, "name=", 5) == 0 ? tok + 5 : tok);
    }
  /* The kernel allows only [A-Za-z0-9_.-] in a hierarchy's name, but the
     name becomes a path component: check rather than trust.  */
  if (name[0] == '\0' || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    {
      free(name);
      return NULL;
    }
  return name;
}

/* The controllers of a co-mounted v1 hierarchy, each to become a symlink
   to its directory ("cpu" and "cpuacct" -> "cpu,cpuacct"), as the host's
   /sys/fs/cgroup has them: tools look a controller up by its own name.  */
static char **
link_names(const char *controllers, const char *name)
{
  cleanup_free char *copy = xstrdup(controllers);
  char **links, *save = NULL, *tok;
  size_t n = 0;
  const char *c;

  for (c = controllers; *c; c++)
    n += *c == ',';
  links = xcalloc(n + 2, sizeof(char *)); /* one per controller, and the NULL */
  n = 0;

  for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    if (strncmp(tok, "name=", 5) != 0 && strcmp(tok, name) != 0)
      links[n++] = xstrdup(tok);
  return links;
}

static struct box_cgroupfs_hier_s *
find_hier(box_cgroupfs_t *fs, const char *controllers)
{
  size_t i;

  for (i = 0; i < fs->n; i++)
    if (strcmp(fs->h[i].controllers, controllers) == 0)
      return &fs->h[i];
  return NULL;
}

static struct box_cgroupfs_hier_s *
new_hier(box_cgroupfs_t *fs, const struct box_cgroup_entry_s *own, box_error_t *err)
{
  struct box_cgroupfs_hier_s *h;
  char *name = box_cgroupfs_dir_name(own->controllers);

  if (name == NULL)
    {
      box_make_error(err, 0, "cgroup hierarchy `%s`: not usable as a directory name", own->controllers);
      return NULL;
    }
  fs->h = xrealloc(fs->h, (fs->n + 1) * sizeof(*fs->h));
  h = &fs->h[fs->n++];
  memset(h, 0, sizeof(*h));
  h->controllers = xstrdup(own->controllers);
  h->name = name;
  h->links = link_names(own->controllers, name);
  /* Unshared after the init joined its cgroups, a cgroup namespace has
     them as its root, so /proc/self/cgroup shows "/".  Without one, it
     shows the container's cgroup, which box always makes strictly below
     the hierarchy's root (box_cgroup_resolve).  */
  h->ns_root = strcmp(own->path, "/") == 0;
  return h;
}

/* Add the hierarchy of one mountinfo line.  A hierarchy mounted more than
   once is listed once; its bind source is the first of its mounts that
   reaches our cgroup.  */
static int
add_mount(box_cgroupfs_t *fs, const char *line, const struct box_cgroup_entry_s *own, size_t n_own,
          box_error_t *err)
{
  cleanup_free char *fstype = NULL, *root = NULL, *mount_point = NULL, *superopts = NULL;
  struct box_cgroupfs_hier_s *h;
  const struct box_cgroup_entry_s *o;

  if (box_cgroup_parse_mountinfo_line(line, &fstype, &root, &mount_point, &superopts) != 1)
    return 0;
  o = box_cgroup_entry_for_mount(own, n_own, fstype, superopts);
  if (o == NULL)
    return 0;
  h = find_hier(fs, o->controllers);
  if (h == NULL && (h = new_hier(fs, o, err)) == NULL)
    return -1;
  if (h->host_dir == NULL)
    h->host_dir = host_dir(mount_point, root, o->path);
  return 0;
}

int
box_cgroupfs_parse(const char *mountinfo, const char *proc_cgroup, box_cgroupfs_t **out, box_error_t *err)
{
  cleanup_cgroupfs box_cgroupfs_t *fs = xcalloc(1, sizeof(*fs));
  struct box_cgroup_entry_s *own;
  const char *line;
  size_t n_own, i;
  int r = 0;

  own = box_cgroup_parse_proc(proc_cgroup, &n_own);
  for (line = mountinfo; r == 0 && line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
    r = add_mount(fs, line, own, n_own, err);
  box_cgroup_entries_free(own, n_own);
  if (r < 0)
    return -1;
  if (fs->n == 0)
    return box_make_error(err, 0, "no cgroup hierarchy is mounted");
  /* Unified mode is cgroup2 alone; beside v1 hierarchies it is hybrid.  */
  fs->v2 = true;
  for (i = 0; i < fs->n; i++)
    fs->v2 = fs->v2 && fs->h[i].controllers[0] == '\0';
  *out = steal_pointer(&fs);
  return 0;
}

void
box_cgroupfs_free(box_cgroupfs_t *fs)
{
  size_t i;
  char **l;

  if (fs == NULL)
    return;
  for (i = 0; i < fs->n; i++)
    {
      free(fs->h[i].controllers);
      free(fs->h[i].name);
      for (l = fs->h[i].links; l && *l; l++)
        free(*l);
      free(fs->h[i].links);
      free(fs->h[i].host_dir);
    }
  free(fs->h);
  free(fs);
}

void
cleanup_cgroupfsp(box_cgroupfs_t **fs)
{
  box_cgroupfs_free(*fs);
}

/* ---- the mounts ---- */

static int
read_hierarchies(box_cgroupfs_t **fs, box_error_t *err)
{
  cleanup_free char *mountinfo = NULL, *proc_cgroup = NULL;

  if (box_read_file("/proc/self/mountinfo", &mountinfo, NULL, err) < 0
      || box_read_file("/proc/self/cgroup", &proc_cgroup, NULL, err) < 0)
    return -1;
  return box_cgroupfs_parse(mountinfo, proc_cgroup, fs, err);
}

/* The options of a cgroup mount are mount(8) flags.  bind and remount
   would make it another kind of mount altogether: refused rather than
   half-honoured.  */
static int
check_flags(const struct box_mount_opts_s *o, box_error_t *err)
{
  if (o->flags & (MS_BIND | MS_REMOUNT))
    return box_make_error(err, 0, "options `bind`, `rbind` and `remount` do not apply to a cgroup mount");
  return 0;
}

/* Filesystem options (not flags) can only go to a new cgroup2 mount: a
   bind mount or the tmpfs of a v1 layout has nowhere to put them, and box
   never drops an option silently.  */
static int
check_data(const struct box_mount_opts_s *o, bool fresh_cgroup2, box_error_t *err)
{
  if (o->data && !fresh_cgroup2)
    return box_make_error(err, 0,
                          "options `%s`: filesystem options are only supported for a new cgroup2 mount (a "
                          "cgroup v2 host and a cgroup namespace)",
                          o->data);
  return 0;
}

/* One hierarchy on path (shown: the same path as the container sees it),
   showing the container's own cgroup at its root, with the mount's flags.  */
static int
mount_hierarchy(const struct box_cgroupfs_hier_s *h, const char *path, const char *shown, unsigned long flags,
                const char *data, box_error_t *err)
{
  bool v2 = h->controllers[0] == '\0';
  const char *what = v2 ? "cgroup2" : h->controllers;

  if (h->ns_root)
    {
      /* A new mount shows the cgroup namespace's root.  For v1 the options
         select the hierarchy: exactly its controllers, or the kernel
         refuses (EBUSY).  */
      if (mount(v2 ? "cgroup2" : "cgroup", path, v2 ? "cgroup2" : "cgroup", flags, v2 ? data : h->controllers)
          == 0)
        return 0;
      /* A rootless container left in the caller's cgroups, which are the
         hierarchy's root, without a cgroup namespace: its user namespace
         may not mount a hierarchy anew, and the host's mount shows that
         root already: bind it, as runc does.  */
      if (!(errno == EPERM && h->host_dir && box_rootless() && !data))
        return box_make_error(err, errno, "mount the `%s` hierarchy on `%s`", what, shown);
    }
  if (h->host_dir == NULL)
    return box_make_error(
        err, 0, "the `%s` hierarchy: no mount of it on the host contains the container's cgroup", what);
  if (mount(h->host_dir, path, NULL, MS_BIND, NULL) < 0)
    return box_make_error(err, errno, "bind the container's `%s` cgroup `%s` on `%s`", what, h->host_dir,
                          shown);
  /* The kernel ignores ro, nosuid, ... on the initial bind (mount.c's
     bind_mount does the same second call).  */
  if (flags && mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
    return box_make_error(err, errno, "remount `%s` with the mount's options", shown);
  return 0;
}

/* A v1 hierarchy's directory in the tmpfs, its mount and its symlinks.  */
static int
add_hierarchy(const struct box_mount_s *m, const struct box_cgroupfs_hier_s *h, const char *dest,
              unsigned long flags, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/%s", dest, h->name);
  cleanup_free char *shown = xasprintf("%s/%s", m->destination, h->name);
  char **l;

  if (mkdir(path, 0755) < 0)
    return box_make_error(err, errno, "mkdir `%s`", shown);
  if (mount_hierarchy(h, path, shown, flags, NULL, err) < 0)
    return -1;
  for (l = h->links; *l; l++)
    {
      cleanup_free char *link = xasprintf("%s/%s", dest, *l);
      if (symlink(h->name, link) < 0)
        return box_make_error(err, errno, "symlink `%s/%s` -> `%s`", m->destination, *l, h->name);
    }
  return 0;
}

/* v1 or hybrid: the tmpfs, writable until its directories and symlinks
   are made, then read-only too if the mount is (runc's order).  */
static int
mount_v1(const struct box_mount_s *m, const box_cgroupfs_t *fs, const char *dest,
         const struct box_mount_opts_s *o, box_error_t *err)
{
  size_t i;

  if (mount(m->source ? m->source : "cgroup", dest, "tmpfs", o->flags & ~MS_RDONLY, "mode=755") < 0)
    return box_make_error(err, errno, "mount a tmpfs");
  for (i = 0; i < fs->n; i++)
    if (add_hierarchy(m, &fs->h[i], dest, o->flags, err) < 0)
      return -1;
  if ((o->flags & MS_RDONLY) && mount(NULL, dest, NULL, MS_REMOUNT | MS_BIND | o->flags, NULL) < 0)
    return box_make_error(err, errno, "remount the tmpfs read-only");
  return 0;
}

static int
mount_v2(const struct box_mount_s *m, const box_cgroupfs_t *fs, const char *dest,
         const struct box_mount_opts_s *o, box_error_t *err)
{
  return mount_hierarchy(&fs->h[0], dest, m->destination, o->flags, o->data, err);
}

int
box_cgroupfs_mount(const struct box_mount_s *m, const char *dest, box_error_t *err)
{
  cleanup_cgroupfs box_cgroupfs_t *fs = NULL;
  cleanup_free char *data = NULL;
  struct box_mount_opts_s o;
  int r;

  box_parse_mount_options(m->options, &o);
  data = o.data;
  r = check_flags(&o, err);
  if (r == 0)
    r = read_hierarchies(&fs, err);
  if (r == 0)
    r = check_data(&o, fs->v2 && fs->h[0].ns_root, err);
  if (r == 0)
    r = fs->v2 ? mount_v2(m, fs, dest, &o, err) : mount_v1(m, fs, dest, &o, err);
  if (r == 0 && o.propagation && mount(NULL, dest, NULL, o.propagation, NULL) < 0)
    r = box_make_error(err, errno, "set its propagation");
  if (r < 0)
    return box_error_wrap(err, "cgroup mount on `%s`", m->destination);
  return 0;
}
