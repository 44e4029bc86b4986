/* The container's rootfs: config mounts, default devices, pivot_root.
   Runs in the container init, inside its new mount namespace.  */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "linux.h"
#include "log.h"
#include "security.h"
#include "utils.h"

struct mount_opt_s
{
  const char *name;
  bool clear;
  unsigned long flag;
};

static const struct mount_opt_s flag_opts[] = {
  { "defaults", false, 0 },
  { "ro", false, MS_RDONLY },
  { "rw", true, MS_RDONLY },
  { "suid", true, MS_NOSUID },
  { "nosuid", false, MS_NOSUID },
  { "dev", true, MS_NODEV },
  { "nodev", false, MS_NODEV },
  { "exec", true, MS_NOEXEC },
  { "noexec", false, MS_NOEXEC },
  { "sync", false, MS_SYNCHRONOUS },
  { "async", true, MS_SYNCHRONOUS },
  { "dirsync", false, MS_DIRSYNC },
  { "remount", false, MS_REMOUNT },
  { "mand", false, MS_MANDLOCK },
  { "nomand", true, MS_MANDLOCK },
  { "atime", true, MS_NOATIME },
  { "noatime", false, MS_NOATIME },
  { "diratime", true, MS_NODIRATIME },
  { "nodiratime", false, MS_NODIRATIME },
  { "relatime", false, MS_RELATIME },
  { "norelatime", true, MS_RELATIME },
  { "strictatime", false, MS_STRICTATIME },
  { "nostrictatime", true, MS_STRICTATIME },
  { "bind", false, MS_BIND },
  { "rbind", false, MS_BIND | MS_REC },
};

static const struct mount_opt_s propagation_opts[] = {
  { "private", false, MS_PRIVATE },       { "rprivate", false, MS_PRIVATE | MS_REC },
  { "shared", false, MS_SHARED },         { "rshared", false, MS_SHARED | MS_REC },
  { "slave", false, MS_SLAVE },           { "rslave", false, MS_SLAVE | MS_REC },
  { "unbindable", false, MS_UNBINDABLE }, { "runbindable", false, MS_UNBINDABLE | MS_REC },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct mount_opt_s *
find_opt(const struct mount_opt_s *table, size_t n, const char *name)
{
  size_t i;
  for (i = 0; i < n; i++)
    if (strcmp(table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

void
box_mount_option_names(void (*fn)(const char *name, void *data), void *data)
{
  size_t i;

  for (i = 0; i < N_ELEMS(flag_opts); i++)
    fn(flag_opts[i].name, data);
  for (i = 0; i < N_ELEMS(propagation_opts); i++)
    fn(propagation_opts[i].name, data);
}

void
box_parse_mount_options(char **options, struct box_mount_opts_s *out)
{
  const struct mount_opt_s *o;
  char *data = NULL;

  out->flags = out->propagation = 0;
  for (; options && *options; options++)
    {
      if ((o = find_opt(flag_opts, N_ELEMS(flag_opts), *options)))
        out->flags = o->clear ? out->flags & ~o->flag : out->flags | o->flag;
      else if ((o = find_opt(propagation_opts, N_ELEMS(propagation_opts), *options)))
        out->propagation = o->flag;
      else
        {
          char *joined = data ? xasprintf("%s,%s", data, *options) : xstrdup(*options);
          free(data);
          data = joined;
        }
    }
  out->data = data;
}

/* Reject destinations that climb out of the rootfs.  Symlinks inside the
   rootfs are checked after the mountpoint exists (check_inside).  */
static int
check_destination(const char *dest, box_error_t *err)
{
  if (strstr(dest, "/../") || (strlen(dest) >= 3 && strcmp(dest + strlen(dest) - 3, "/..") == 0))
    return box_make_error(err, 0, "mount destination `%s`: must not contain `..`", dest);
  return 0;
}

static int
check_inside(const char *rootfs, const char *path, const char *dest, box_error_t *err)
{
  cleanup_free char *real = realpath(path, NULL);
  size_t n = strlen(rootfs);

  if (real == NULL)
    return box_make_error(err, errno, "resolve mount destination `%s`", dest);
  if (strncmp(real, rootfs, n) != 0 || (real[n] != '/' && real[n] != '\0'))
    return box_make_error(err, 0, "mount destination `%s` resolves outside the rootfs (symlink?)", dest);
  return 0;
}

/* Create the mountpoint: a directory, or an empty file when a file is
   bind-mounted on it.  */
static int
make_mountpoint(const char *path, bool is_dir, box_error_t *err)
{
  cleanup_free char *parent = NULL;
  int fd;

  if (is_dir)
    return box_mkdir_p(path, 0755, err);
  parent = xstrdup(path);
  if (box_mkdir_p(dirname(parent), 0755, err) < 0)
    return -1;
  fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EISDIR)
    return box_make_error(err, errno, "create mountpoint `%s`", path);
  if (fd >= 0)
    close(fd);
  return 0;
}

static int
bind_mount(const struct box_mount_s *m, const char *src, const char *dest, const struct box_mount_opts_s *o,
           box_error_t *err)
{
  unsigned long extra = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);

  if (mount(src, dest, NULL, MS_BIND | (o->flags & MS_REC), NULL) < 0)
    return box_make_error(err, errno, "mount `%s` on `%s`", src, m->destination);
  /* The kernel ignores ro/nosuid/... on the initial bind: they need a
     second, remounting call (mount(8) does the same).  */
  if (extra && mount(NULL, dest, NULL, MS_REMOUNT | MS_BIND | extra, NULL) < 0)
    return box_make_error(err, errno, "remount `%s` with its options", m->destination);
  return 0;
}

static int
do_one_mount(const struct box_mount_s *m, const char *rootfs, const char *bundle, box_error_t *err)
{
  cleanup_free char *dest = NULL;
  cleanup_free char *src = NULL;
  struct box_mount_opts_s o;
  cleanup_free char *data = NULL;
  bool bind;
  struct stat sb = { 0 };

  if (check_destination(m->destination, err) < 0)
    return -1;
  /* Resolved as the container would: a symlink in the rootfs cannot make
     box create directories or mount anything outside it.  */
  if ((dest = box_join_in_root(rootfs, m->destination, err)) == NULL)
    return -1;
  if (m->type && strcmp(m->type, "cgroup") == 0)
    {
      if (make_mountpoint(dest, true, err) < 0 || check_inside(rootfs, dest, m->destination, err) < 0)
        return -1;
      return box_cgroupfs_mount(m, dest, err);
    }
  box_parse_mount_options(m->options, &o);
  data = o.data;
  bind = (o.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
  if (bind)
    {
      if (m->source == NULL)
        return box_make_error(err, 0, "bind mount on `%s`: no source", m->destination);
      /* config.md: a relative bind source is relative to the bundle.  */
      src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
      if (stat(src, &sb) < 0)
        return box_make_error(err, errno, "mount `%s` on `%s`", m->source, m->destination);
      o.flags |= MS_BIND;
      /* mount(2) ignores data on a bind; runc and crun accept such options
         (engines and runtime-tools write tmpfs-style `mode=`, `size=` on
         binds), so box does too, and says so. idmap is refused in spec.c.  */
      if (data)
        box_log_warning("bind mount on `%s`: ignoring option(s) `%s`: they have no meaning for a bind mount",
                        m->destination, data);
    }
  if (make_mountpoint(dest, !bind || S_ISDIR(sb.st_mode), err) < 0
      || check_inside(rootfs, dest, m->destination, err) < 0)
    return -1;
  if (bind)
    {
      if (bind_mount(m, src, dest, &o, err) < 0)
        return -1;
    }
  else if (mount(m->source ? m->source : m->type, dest, m->type, o.flags, data) < 0)
    {
      /* Rootless without a network namespace of its own, sysfs may not be
         mounted (only the owner of the netns may): bind the host's /sys
         instead, recursively and with the mount's flags, as runc does.  */
      if (!(errno == EPERM && box_rootless() && m->type && strcmp(m->type, "sysfs") == 0))
        return box_make_error(err, errno, "mount `%s` on `%s`", m->source ? m->source : m->type,
                              m->destination);
      box_log_debug("rootless: sysfs on `%s` refused: binding the host's /sys", m->destination);
      o.flags |= MS_BIND | MS_REC;
      if (bind_mount(m, "/sys", dest, &o, err) < 0)
        return -1;
    }
  if (o.propagation && mount(NULL, dest, NULL, o.propagation, NULL) < 0)
    return box_make_error(err, errno, "set propagation of `%s`", m->destination);
  return 0;
}

/* runtime-spec config-linux.md "Default Devices": bind the host nodes onto
   empty files (works where mknod is not allowed, e.g. in a user namespace).  */
static int
setup_devices(const char *rootfs, box_error_t *err)
{
  static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
  static const char *const links[][2]
      = { { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
          { "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },         { "/proc/kcore", "core" } };
  size_t i;

  for (i = 0; i < N_ELEMS(devices); i++)
    {
      cleanup_free char *host = xasprintf("/dev/%s", devices[i]);
      cleanup_free char *dest = xasprintf("%s/dev/%s", rootfs, devices[i]);
      if (make_mountpoint(dest, false, err) < 0)
        return -1;
      if (mount(host, dest, NULL, MS_BIND, NULL) < 0)
        return box_make_error(err, errno, "bind device `%s`", host);
    }
  for (i = 0; i < N_ELEMS(links); i++)
    {
      cleanup_free char *dest = xasprintf("%s/dev/%s", rootfs, links[i][1]);
      if (symlink(links[i][0], dest) < 0 && errno != EEXIST)
        return box_make_error(err, errno, "symlink `/dev/%s`", links[i][1]);
    }
  return 0;
}

/* /dev gets the default devices only when the config mounts a fresh
   filesystem there: box does not write device files into a user's rootfs.  */
bool
box_has_fresh_dev(const box_config_t *config)
{
  size_t i;
  for (i = 0; i < config->n_mounts; i++)
    {
      const struct box_mount_s *m = &config->mounts[i];
      if (strcmp(m->destination, "/dev") == 0)
        return !(m->type && strcmp(m->type, "bind") == 0) && m->type != NULL;
    }
  return false;
}

int
box_prepare_rootfs(const box_config_t *config, const char *rootfs, const char *bundle, box_error_t *err)
{
  size_t i;

  /* Nothing done here may propagate back to the host's mount table:
     rslave like runc, or linux.rootfsPropagation.  */
  if (mount(NULL, "/", NULL, box_initial_propagation(config->security), NULL) < 0)
    return box_make_error(err, errno, "set propagation of `/`");
  /* pivot_root refuses a shared new root or parent (EINVAL), and with a
     shared parent the bind below would propagate to the host.  */
  if (box_rootfs_unshare(config->security, rootfs, err) < 0)
    return -1;
  /* pivot_root needs the new root to be a mount point.  */
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return box_make_error(err, errno, "bind mount rootfs `%s`", rootfs);
  for (i = 0; i < config->n_mounts; i++)
    if (do_one_mount(&config->mounts[i], rootfs, bundle, err) < 0)
      return -1;
  if (box_has_fresh_dev(config))
    return setup_devices(rootfs, err);
  return 0;
}

/* The pivot_root(".", ".") trick (runc, crun do_pivot): no temporary
   directory for the old root is needed; it is stacked under the new root
   and lazily detached.  */
int
box_pivot_root(const char *rootfs, bool readonly, box_error_t *err)
{
  cleanup_close int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
  cleanup_close int newroot = open(rootfs, O_DIRECTORY | O_PATH | O_CLOEXEC);
  struct statvfs sv;

  if (oldroot < 0 || newroot < 0)
    return box_make_error(err, errno, "open `%s`", oldroot < 0 ? "/" : rootfs);
  if (fchdir(newroot) < 0)
    return box_make_error(err, errno, "chdir to rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return box_make_error(err, errno, "pivot_root to `%s`", rootfs);
  if (fchdir(oldroot) < 0)
    return box_make_error(err, errno, "chdir to old root");
  /* Make sure the unmount below cannot propagate anywhere.  */
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return box_make_error(err, errno, "make old root slave");
  if (umount2(".", MNT_DETACH) < 0)
    return box_make_error(err, errno, "detach old root");
  if (chdir("/") < 0)
    return box_make_error(err, errno, "chdir to `/`");
  if (!readonly)
    return 0;
  /* Keep the flags the bind inherited (nosuid, nodev...): a remount that
     dropped locked flags would fail.  */
  if (statvfs("/", &sv) < 0)
    return box_make_error(err, errno, "statvfs `/`");
  if (mount(NULL, "/", NULL,
            MS_REMOUNT | MS_BIND | MS_RDONLY | (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0)
                | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) | (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0),
            NULL)
      < 0)
    return box_make_error(err, errno, "remount `/` read-only (root.readonly)");
  return 0;
}
