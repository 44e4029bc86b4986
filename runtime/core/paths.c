/* The rootfs beyond config mounts (runtime-spec config-linux.md):
   "Devices", "Masked Paths", "Readonly Paths" and "Rootfs Mount
   Propagation".  Parsed at create; applied by the init, the devices
   before pivot_root (the root may become read-only there), the paths
   after it, on the container's own /proc and /sys.  */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "security.h"
#include "utils.h"

#define cfg_error(err, field, fmt, ...)                                                                      \
  box_make_error(err, 0, "config.json: `%s`: " fmt, field, ##__VA_ARGS__)

static int
parse_path_list(json_t *v, const char *field, char ***out, box_error_t *err)
{
  json_t *e;
  size_t i;

  if (v == NULL)
    return 0;
  if (!json_is_array(v))
    return cfg_error(err, field, "must be an array of absolute paths");
  *out = xcalloc(json_array_size(v) + 1, sizeof(char *));
  json_array_foreach(v, i, e)
  {
    if (!json_is_string(e) || json_string_value(e)[0] != '/')
      return cfg_error(err, field, "entry %zu must be an absolute path", i);
    (*out)[i] = xstrdup(json_string_value(e));
  }
  return 0;
}

static int
get_int(json_t *o, const char *key, const char *field, long long min, long long max, long long *out,
        bool *has, box_error_t *err)
{
  cleanup_free char *f = xasprintf("%s.%s", field, key);
  json_t *v = json_object_get(o, key);

  if (v == NULL)
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
    return cfg_error(err, f, "must be an integer from %lld to %lld", min, max);
  *out = json_integer_value(v);
  if (has)
    *has = true;
  return 0;
}

/* config-linux.md "Devices": type (c, b, u, p) and path REQUIRED; major
   and minor REQUIRED except for p; fileMode, uid, gid OPTIONAL.  */
static int
parse_device(json_t *d, const char *field, struct box_device_s *out, box_error_t *err)
{
  cleanup_free char *f = xasprintf("%s.type", field);
  json_t *type = json_object_get(d, "type"), *path = json_object_get(d, "path");
  bool has_major = false, has_minor = false;
  long long v = 0;

  if (!json_is_object(d))
    return cfg_error(err, field, "must be an object");
  if (!json_is_string(type) || strlen(json_string_value(type)) != 1
      || !strchr("cbup", json_string_value(type)[0]))
    return cfg_error(err, f, "must be one of `c`, `b`, `u`, `p`");
  out->type = json_string_value(type)[0];
  free(f), f = xasprintf("%s.path", field);
  if (!json_is_string(path) || json_string_value(path)[0] != '/' || strstr(json_string_value(path), ".."))
    return cfg_error(err, f, "must be an absolute path without `..`");
  out->path = xstrdup(json_string_value(path));
  if (get_int(d, "major", field, 0, 0xfff, &out->major, &has_major, err) < 0
      || get_int(d, "minor", field, 0, 0xfffff, &out->minor, &has_minor, err) < 0)
    return -1;
  if (out->type != 'p' && (!has_major || !has_minor))
    return cfg_error(err, field, "`major` and `minor` are required for type `%c`", out->type);
  if (get_int(d, "fileMode", field, 0, 07777, &v, &out->has_mode, err) < 0)
    return -1;
  out->mode = (mode_t)v;
  if (get_int(d, "uid", field, 0, 0xfffffffe, &v, &out->has_uid, err) < 0)
    return -1;
  out->uid = (uid_t)v;
  if (get_int(d, "gid", field, 0, 0xfffffffe, &v, &out->has_gid, err) < 0)
    return -1;
  out->gid = (gid_t)v;
  return 0;
}

static int
parse_devices(json_t *list, box_security_t *s, box_error_t *err)
{
  json_t *d;
  size_t i;

  if (list == NULL)
    return 0;
  if (!json_is_array(list))
    return cfg_error(err, "linux.devices", "must be an array");
  s->devices = xcalloc(json_array_size(list) + 1, sizeof(*s->devices));
  json_array_foreach(list, i, d)
  {
    cleanup_free char *field = xasprintf("linux.devices[%zu]", i);
    s->n_devices = i + 1;
    if (parse_device(d, field, &s->devices[i], err) < 0)
      return -1;
  }
  return 0;
}

/* config-linux.md "Rootfs Mount Propagation": shared, slave, private or
   unbindable; runc applies it recursively to `/`.  */
static int
parse_propagation(json_t *v, box_security_t *s, box_error_t *err)
{
  static const struct
  {
    const char *name;
    unsigned long flag;
  } table[] = { { "shared", MS_SHARED },         { "slave", MS_SLAVE },           { "private", MS_PRIVATE },
                { "unbindable", MS_UNBINDABLE }, { "rshared", MS_SHARED },        { "rslave", MS_SLAVE },
                { "rprivate", MS_PRIVATE },      { "runbindable", MS_UNBINDABLE } };
  size_t i;

  if (v == NULL || (json_is_string(v) && json_string_value(v)[0] == '\0'))
    return 0;
  if (!json_is_string(v))
    return cfg_error(err, "linux.rootfsPropagation", "must be a string");
  for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    if (strcmp(table[i].name, json_string_value(v)) == 0)
      {
        s->rootfs_propagation = table[i].flag | MS_REC;
        return 0;
      }
  return cfg_error(err, "linux.rootfsPropagation", "unknown propagation `%s`", json_string_value(v));
}

int
box_paths_parse(json_t *linux_obj, box_security_t *s, box_error_t *err)
{
  if (parse_path_list(json_object_get(linux_obj, "maskedPaths"), "linux.maskedPaths", &s->masked_paths, err)
          < 0
      || parse_path_list(json_object_get(linux_obj, "readonlyPaths"), "linux.readonlyPaths",
                         &s->readonly_paths, err)
             < 0
      || parse_devices(json_object_get(linux_obj, "devices"), s, err) < 0)
    return -1;
  return parse_propagation(json_object_get(linux_obj, "rootfsPropagation"), s, err);
}

unsigned long
box_initial_propagation(const box_security_t *s)
{
  /* runc: rslave unless the config says otherwise, so host mounts still
     reach the container but nothing flows back. Unbindable cannot come
     first: the rootfs bind below it would fail (EINVAL, mount(2): the
     source of a bind may not be unbindable); it starts private and is
     applied after the pivot (box_apply_paths), as crun does.  */
#ifndef BOX_BROKEN_UNBINDABLE_FIRST
  if (s && (s->rootfs_propagation & MS_UNBINDABLE))
    return MS_PRIVATE | MS_REC;
#endif
  return s && s->rootfs_propagation ? s->rootfs_propagation : MS_SLAVE | MS_REC;
}

/* In a user namespace mknod is not allowed: bind the host's node onto an
   empty file (runc's bindMountDeviceNode).  */
static int
bind_device(const struct box_device_s *d, const char *dest, box_error_t *err)
{
  int fd = open(dest, O_WRONLY | O_CREAT | O_CLOEXEC, 0000);

  if (fd < 0)
    return box_make_error(err, errno, "linux.devices: create `%s`", d->path);
  close(fd);
  if (mount(d->path, dest, NULL, MS_BIND, NULL) < 0)
    return box_make_error(err, errno, "linux.devices: bind `%s`", d->path);
  return 0;
}

static int
make_device(const struct box_device_s *d, const char *dest, box_error_t *err)
{
  mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  mode_t perm = d->has_mode ? d->mode : 0666;

  /* An existing node (a default device) is kept, as runc does.  */
  if (mknod(dest, type | perm, makedev(d->major, d->minor)) < 0)
    return errno == EEXIST ? 0 : box_make_error(err, errno, "linux.devices: mknod `%s`", d->path);
  if (chown(dest, d->uid, d->gid) < 0)
    return box_make_error(err, errno, "linux.devices: chown `%s`", d->path);
  return 0;
}

int
box_create_devices(const box_security_t *s, const char *rootfs, bool userns, box_error_t *err)
{
  mode_t old = umask(0); /* fileMode is meant exactly (runc does the same) */
  size_t i;
  int r = 0;

  for (i = 0; i < s->n_devices && r == 0; i++)
    {
      cleanup_free char *dest = box_join_in_root(rootfs, s->devices[i].path, err);
      cleanup_free char *dir = dest ? xstrdup(dest) : NULL;
      r = dest ? box_mkdir_p(dirname(dir), 0755, err) : -1;
      if (r == 0)
        r = userns ? bind_device(&s->devices[i], dest, err) : make_device(&s->devices[i], dest, err);
    }
  umask(old);
  return r;
}

/* runc maskPath: /dev/null over a file, an empty read-only tmpfs over a
   directory; a path that does not exist is skipped.  */
static int
mask_path(const char *path, box_error_t *err)
{
  if (mount("/dev/null", path, NULL, MS_BIND, NULL) == 0 || errno == ENOENT)
    return 0;
  if (errno == ENOTDIR && mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) == 0)
    return 0;
  return box_make_error(err, errno, "linux.maskedPaths: mask `%s`", path);
}

/* runc readonlyPath: bind onto itself, remount read-only keeping the
   flags it has (dropping a locked nosuid/nodev/noexec would fail).  */
static int
readonly_path(const char *path, box_error_t *err)
{
  struct statvfs sv;
  unsigned long keep;

  if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
    return errno == ENOENT ? 0 : box_make_error(err, errno, "linux.readonlyPaths: bind `%s`", path);
  if (statvfs(path, &sv) < 0)
    return box_make_error(err, errno, "linux.readonlyPaths: statvfs `%s`", path);
  keep = (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0)
         | (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
  if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0)
    return box_make_error(err, errno, "linux.readonlyPaths: remount `%s` read-only", path);
  return 0;
}

int
box_apply_paths(const box_security_t *s, box_error_t *err)
{
  char **p;

  for (p = s->readonly_paths; p && *p; p++)
    if (readonly_path(*p, err) < 0)
      return -1;
  for (p = s->masked_paths; p && *p; p++)
    if (mask_path(*p, err) < 0)
      return -1;
  /* config-linux.md "Rootfs Mount Propagation", after pivot_root (runc).  */
  if (s->rootfs_propagation && mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
    return box_make_error(err, errno, "linux.rootfsPropagation: apply to `/`");
  return 0;
}

/* With linux.rootfsPropagation "shared" the mount holding the rootfs
   is shared too: the rootfs bind would propagate to the host, and
   pivot_root fails with EINVAL on a shared parent.  Make that mount
   private first (runc's rootfsParentMountPrivate); box_apply_paths sets
   the configured propagation on `/` after the pivot.  The mount is found
   as the nearest directory, from rootfs up, that is a mount root: the
   only place where a propagation change succeeds (EINVAL elsewhere).  */
int
box_rootfs_unshare(const box_security_t *s, const char *rootfs, box_error_t *err)
{
  cleanup_free char *dir = xstrdup(rootfs);
  char *slash;

  if (!(box_initial_propagation(s) & MS_SHARED))
    return 0;
  for (;;)
    {
      if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) == 0)
        return 0;
      if (errno != EINVAL || strcmp(dir, "/") == 0)
        return box_make_error(err, errno, "make the mount holding `%s` private", rootfs);
      slash = strrchr(dir, '/');
      if (slash == dir)
        slash[1] = '\0';
      else
        *slash = '\0';
    }
}
