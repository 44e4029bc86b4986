/* The container's rootfs: config mounts, default devices, pivot_root.
   Runs in the container init, inside its new mount namespace.  */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
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

/* The recursive ones (config.md "Mounts", runtime-spec v1.1: "rro",
   "rnosuid", ... are mount_setattr(2) attributes applied with
   AT_RECURSIVE, to the mount and every mount beneath it).  flag holds a
   MOUNT_ATTR_* value; clear means attr_clr.  */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static const struct mount_opt_s recursive_opts[] = {
  { "rro", false, MOUNT_ATTR_RDONLY },
  { "rrw", true, MOUNT_ATTR_RDONLY },
  { "rnosuid", false, MOUNT_ATTR_NOSUID },
  { "rsuid", true, MOUNT_ATTR_NOSUID },
  { "rnodev", false, MOUNT_ATTR_NODEV },
  { "rdev", true, MOUNT_ATTR_NODEV },
  { "rnoexec", false, MOUNT_ATTR_NOEXEC },
  { "rexec", true, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", false, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", true, MOUNT_ATTR_NODIRATIME },
  { "rrelatime", false, MOUNT_ATTR_RELATIME },
  { "rnorelatime", true, MOUNT_ATTR_RELATIME },
  { "rnoatime", false, MOUNT_ATTR_NOATIME },
  { "ratime", true, MOUNT_ATTR_NOATIME },
  { "rstrictatime", false, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", true, MOUNT_ATTR_STRICTATIME },
  { "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW },
};

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* linux/mount.h's struct mount_attr, which glibc 2.36 lacks.  */
struct box_mount_attr_s
{
  uint64_t attr_set, attr_clr, propagation, userns_fd;
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
  for (i = 0; i < N_ELEMS(recursive_opts); i++)
    fn(recursive_opts[i].name, data);
}

/* Fold one recursive option into out: the atime ones are a mode (one of
   relatime/noatime/strictatime), set through MOUNT_ATTR__ATIME.  */
static void
add_recursive(const struct mount_opt_s *o, struct box_mount_opts_s *out)
{
  bool atime = o->flag == MOUNT_ATTR_NOATIME || o->flag == MOUNT_ATTR_STRICTATIME
               || strcmp(o->name + 1, "relatime") == 0 || strcmp(o->name + 1, "norelatime") == 0;

  if (atime)
    {
      /* Clearing an atime mode leaves relatime, the kernel's default.  */
      out->attr_clr |= MOUNT_ATTR__ATIME;
      out->attr_set = (out->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | (o->clear ? 0 : o->flag);
    }
  else if (o->clear)
    out->attr_clr |= o->flag, out->attr_set &= ~(uint64_t)o->flag;
  else
    out->attr_set |= o->flag, out->attr_clr &= ~(uint64_t)o->flag;
  out->recursive = true;
}

void
box_parse_mount_options(char **options, struct box_mount_opts_s *out)
{
  const struct mount_opt_s *o;
  char *data = NULL;

  out->flags = out->propagation = 0;
  out->attr_set = out->attr_clr = 0;
  out->recursive = false;
  for (; options && *options; options++)
    {
      if ((o = find_opt(flag_opts, N_ELEMS(flag_opts), *options)))
        out->flags = o->clear ? out->flags & ~o->flag : out->flags | o->flag;
      else if ((o = find_opt(propagation_opts, N_ELEMS(propagation_opts), *options)))
        out->propagation = o->flag;
      else if ((o = find_opt(recursive_opts, N_ELEMS(recursive_opts), *options)))
        add_recursive(o, out);
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
  struct stat sb;
  int fd;

  if (is_dir)
    return box_mkdir_p(path, 0755, err);
  /* Anything already there will do, and must not be opened: a device
     node (the host's /dev/tty in an rbind /dev: ENXIO without a
     controlling terminal), a fifo (blocks).  */
#ifndef BOX_BROKEN_OLD_MOUNTS
  if (lstat(path, &sb) == 0)
    return 0;
#else
  (void)sb; /* broken on purpose: opens what is there (ENXIO on /dev/tty) */
#endif
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

/* ro on a mount that later mounts (or the default devices, or
   linux.devices) go beneath would make their mountpoints impossible to
   create (EROFS): such a mount is made writable and remounted read-only
   in box_finish_rootfs, once everything beneath it is in place.  runc
   does the same for /dev (finalizeRootfs), crun for every such mount.  */
static bool
defer_ro(const box_config_t *config, size_t i)
{
  const char *dest = config->mounts[i].destination;
  size_t n = strlen(dest), j;

#ifdef BOX_BROKEN_OLD_MOUNTS
  /* Broken on purpose (harness/tests/broken/old-mounts): ro at once.  */
  return (void)n, (void)j, (void)dest, false;
#endif
  while (n > 1 && dest[n - 1] == '/')
    n--;
  if (n == 4 && strncmp(dest, "/dev", 4) == 0)
    return true;
  for (j = i + 1; j < config->n_mounts; j++)
    {
      const char *d = config->mounts[j].destination;
      if (strncmp(d, dest, n) == 0 && (d[n] == '/' || n == 1))
        return true;
    }
  return false;
}

/* A bind (or fresh mount) read-only, keeping the flags it has (nosuid,
   nodev, noexec, atime: in a user namespace they are locked and a
   remount without them fails with EPERM).  */
static int
remount_ro(const char *path, const char *what, box_error_t *err)
{
  struct statvfs sv;
  unsigned long keep = 0;

  if (statvfs(path, &sv) < 0)
    return box_make_error(err, errno, "statvfs `%s`", what);
  keep |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
  keep |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
  keep |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
  keep |= sv.f_flag & ST_NOATIME ? MS_NOATIME : 0;
  keep |= sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0;
  keep |= sv.f_flag & ST_RELATIME ? MS_RELATIME : 0;
  /* statvfs has no flag for strictatime: it is neither of the others.  */
  keep |= sv.f_flag & (ST_NOATIME | ST_RELATIME) ? 0 : MS_STRICTATIME;
  if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0)
    return box_make_error(err, errno, "remount `%s` read-only", what);
  return 0;
}

static int
bind_mount(const struct box_mount_s *m, const char *src, const char *dest, const struct box_mount_opts_s *o,
           box_error_t *err)
{
  unsigned long extra = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);

  /* A tree the parent cloned (box_open_mount_sources): attach it.  */
  if (m->source_fd >= 0)
    {
      if (syscall(SYS_move_mount, m->source_fd, "", AT_FDCWD, dest, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return box_make_error(err, errno, "mount `%s` on `%s` (move_mount)", m->source, m->destination);
    }
  else if (mount(src, dest, NULL, MS_BIND | (o->flags & MS_REC), NULL) < 0)
    return box_make_error(err, errno, "mount `%s` on `%s`", m->source, m->destination);
  /* The kernel ignores ro/nosuid/... on the initial bind: they need a
     second, remounting call (mount(8) does the same).  */
  if (extra && mount(NULL, dest, NULL, MS_REMOUNT | MS_BIND | extra, NULL) < 0)
    return box_make_error(err, errno, "remount `%s` with its options", m->destination);
  return 0;
}

/* The r* options: mount_setattr(2) with AT_RECURSIVE on the mount just
   made (Linux 5.12; runc 1.1 and crun do the same).  */
static int
set_recursive_attrs(const struct box_mount_s *m, const char *dest, const struct box_mount_opts_s *o,
                    box_error_t *err)
{
  struct box_mount_attr_s attr = { .attr_set = o->attr_set, .attr_clr = o->attr_clr };

  if (!o->recursive)
    return 0;
#ifdef BOX_BROKEN_IGNORES_RECURSIVE_RO
  /* Broken on purpose (harness/tests/broken/ignores-recursive-ro): the r* options
     are accepted and nothing is done.  */
  (void)attr, (void)m, (void)dest, (void)err;
  return 0;
#else
  if (syscall(SYS_mount_setattr, AT_FDCWD, dest, AT_RECURSIVE, &attr, sizeof(attr)) < 0)
    return box_make_error(err, errno, "set recursive mount attributes on `%s` (mount_setattr)", m->destination);
  return 0;
#endif
}

/* The bind source: through the fd the parent opened (box_open_mount_sources)
   when there is one, else by path (relative: to the bundle, config.md).  */
static char *
bind_source(const struct box_mount_s *m, const char *bundle)
{
  if (m->source_fd >= 0)
    return xasprintf("/proc/self/fd/%d", m->source_fd);
  return m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
}

static int
do_one_mount(const box_config_t *config, size_t i, const char *rootfs, const char *bundle, box_error_t *err)
{
  const struct box_mount_s *m = &config->mounts[i];
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
  if (defer_ro(config, i))
    o.flags &= ~(unsigned long)MS_RDONLY;
  bind = (o.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
  if (bind)
    {
      if (m->source == NULL)
        return box_make_error(err, 0, "bind mount on `%s`: no source", m->destination);
      src = bind_source(m, bundle);
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
  if (set_recursive_attrs(m, dest, &o, err) < 0)
    return -1;
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
      struct box_mount_opts_s o;
      if (strcmp(m->destination, "/dev") == 0)
        {
          /* A bind is a type "bind" or a bind/rbind option on any type
             ("none": the host's /dev rbind, as runc's needsSetupDev).  */
          box_parse_mount_options(m->options, &o);
          free(o.data);
#ifdef BOX_BROKEN_OLD_MOUNTS
          o.flags = 0; /* broken on purpose: type "none" with rbind counts as fresh */
#endif
          return !(m->type && strcmp(m->type, "bind") == 0) && m->type != NULL && !(o.flags & MS_BIND);
        }
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
    if (do_one_mount(config, i, rootfs, bundle, err) < 0)
      return -1;
  if (box_has_fresh_dev(config))
    return setup_devices(rootfs, err);
  return 0;
}

int
box_finish_rootfs(const box_config_t *config, const char *rootfs, box_error_t *err)
{
  cleanup_free char *cwd = NULL;
  size_t i;

  /* A missing process.cwd is created now, before the read-only remounts
     and root.readonly (runc and crun create it before remounting; after,
     mkdir gets EROFS).  The spec only says cwd is "the working directory
     that will be set" (config.md "Process").  */
#ifndef BOX_BROKEN_OLD_MOUNTS
  if (config->process && config->process->cwd)
#else
  /* Broken on purpose: the cwd is made after root.readonly (EROFS).  */
  if (0)
#endif
    {
      if ((cwd = box_join_in_root(rootfs, config->process->cwd, err)) == NULL)
        return -1;
      if (box_mkdir_p(cwd, 0755, err) < 0)
        return box_error_wrap(err, "create cwd `%s`", config->process->cwd);
    }
  for (i = 0; i < config->n_mounts; i++)
    {
      const struct box_mount_s *m = &config->mounts[i];
      cleanup_free char *dest = NULL;
      struct box_mount_opts_s o;

      if (!defer_ro(config, i) || (m->type && strcmp(m->type, "cgroup") == 0))
        continue;
      box_parse_mount_options(m->options, &o);
      free(o.data);
      if (!(o.flags & MS_RDONLY))
        continue;
      if ((dest = box_join_in_root(rootfs, m->destination, err)) == NULL
          || remount_ro(dest, m->destination, err) < 0)
        return -1;
    }
  return 0;
}

int
box_open_mount_sources(box_config_t *config, const char *bundle, box_error_t *err)
{
  size_t i;

#ifdef BOX_BROKEN_OLD_MOUNTS
  /* Broken on purpose: sources opened by the init, in the user namespace.  */
  return (void)config, (void)bundle, (void)err, (void)i, 0;
#endif
  /* Rootless, box has no more access than the init will have, and
     open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN over the caller's mount
     namespace: the init binds by path.  */
  if (box_rootless())
    return 0;
  for (i = 0; i < config->n_mounts; i++)
    {
      struct box_mount_s *m = &config->mounts[i];
      cleanup_free char *src = NULL;
      struct box_mount_opts_s o;

      box_parse_mount_options(m->options, &o);
      free(o.data);
      if (m->source == NULL || !((o.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0)))
        continue;
      src = bind_source(m, bundle);
      /* A detached copy of the source (open_tree(2), Linux 5.2; crun does
         the same), made with our access: the host's root.  A bind of an
         fd by path from the init's new mount namespace would be EINVAL
         (the mount is not in its namespace).  A missing source is left to
         the init to report.  */
      m->source_fd = (int)syscall(SYS_open_tree, AT_FDCWD, src,
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o.flags & MS_REC ? AT_RECURSIVE : 0));
      if (m->source_fd < 0 && errno != ENOENT)
        {
          box_close_mount_sources(config);
          return box_make_error(err, errno, "open bind mount source `%s`", m->source);
        }
    }
  return 0;
}

void
box_close_mount_sources(box_config_t *config)
{
  size_t i;

  for (i = 0; i < config->n_mounts; i++)
    cleanup_closep(&config->mounts[i].source_fd);
}

/* --no-pivot (runc, crun): move the rootfs onto / and chroot into it, for
   a root (an initramfs) that pivot_root refuses.  The old root stays
   reachable under the mount, which is why it is not the default.  */
static int
move_root(const char *rootfs, box_error_t *err)
{
  if (chdir(rootfs) < 0)
    return box_make_error(err, errno, "chdir to rootfs");
  if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return box_make_error(err, errno, "move `%s` to `/` (--no-pivot)", rootfs);
  if (chroot(".") < 0)
    return box_make_error(err, errno, "chroot to `%s` (--no-pivot)", rootfs);
  return 0;
}

/* The pivot_root(".", ".") trick (runc, crun do_pivot): no temporary
   directory for the old root is needed; it is stacked under the new root
   and lazily detached.  */
static int
pivot(const char *rootfs, box_error_t *err)
{
  cleanup_close int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
  cleanup_close int newroot = open(rootfs, O_DIRECTORY | O_PATH | O_CLOEXEC);

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
  return 0;
}

int
box_pivot_root(const char *rootfs, bool readonly, bool no_pivot, box_error_t *err)
{
  if ((no_pivot ? move_root(rootfs, err) : pivot(rootfs, err)) < 0)
    return -1;
  if (chdir("/") < 0)
    return box_make_error(err, errno, "chdir to `/`");
  if (!readonly)
    return 0;
  if (remount_ro("/", "/", err) < 0)
    return box_error_wrap(err, "root.readonly");
  return 0;
}
