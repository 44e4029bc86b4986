/* box runs from a sealed copy of itself when it will clone a container init
   (CVE-2019-5736).  Until the init executes the user process it is a fork of
   box, so /proc/<init>/exe is box's own binary: a process in the container (a
   startContainer hook, say) can open it there and, once no box runs any more,
   reopen it for writing and replace the host's runtime.  Through a sealed
   copy, that link leads to a file nobody can change.

   Two ways, the cheaper first, as runc 1.2 does (libcontainer/exeseal):
   - a private overlayfs with box's directory as its top lower layer and no
     upper layer, made with fsopen(2) and never attached anywhere.  Such a
     superblock is read-only and cannot be remounted writable the way a
     read-only bind mount can (open_tree plus mount_setattr), and nothing is
     copied.  Needs CAP_SYS_ADMIN (root, not rootless) and overlayfs.
   - otherwise a memfd holding a copy of the binary, sealed against writes
     (runc's libcontainer/nsenter/cloned_binary.c).  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

#ifndef BOX_BROKEN_EXE_WRITABLE
static bool
already_sealed(int exe)
{
  bool ours = getenv(BOX_SEALED_ENV) != NULL;
  struct statfs fs;
  int seals;

  unsetenv(BOX_SEALED_ENV);
  seals = fcntl(exe, F_GET_SEALS);
  if (seals >= 0 && (seals & SEALS) == SEALS)
    return true;
  return ours && fstatfs(exe, &fs) == 0 && fs.f_type == OVERLAYFS_SUPER_MAGIC && (fs.f_flags & ST_RDONLY);
}

/* lowerdir takes `:` as the separator and `\` as its escape.  */
static char *
escape_lowerdir(const char *dir)
{
  char *out = xmalloc(2 * strlen(dir) + 1), *o = out;

  for (const char *s = dir; *s; s++)
    {
      if (*s == ':' || *s == '\\')
        *o++ = '\\';
      *o++ = *s;
    }
  *o = '\0';
  return out;
}

/* box's binary as seen through a detached lower-only overlayfs, as an
   O_PATH fd, or -1.  overlayfs wants two lower layers to run without an
   upper one: the second is the state root, an existing directory apart
   from box's (overlapping layers are refused: then the memfd).  The
   overlay is reachable only through the exe links of box's processes,
   which lead to the file, never to its directory.  */
static int
overlay_exe(const char *root)
{
  char self[PATH_MAX];
  cleanup_free char *dir = NULL, *lower = NULL, *top = NULL, *second = NULL;
  cleanup_close int ctx = -1, mnt = -1;
  struct stat sb;
  ssize_t n;
  char *name;

  if (root == NULL || stat(root, &sb) < 0 || !S_ISDIR(sb.st_mode))
    return -1;
  n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0 || (size_t)n >= sizeof(self) - 1 || self[0] != '/')
    return -1;
  self[n] = '\0';
  name = strrchr(self, '/');
  dir = xasprintf("%.*s", (int)(name - self), self);
  name++;
  ctx = fsopen("overlay", FSOPEN_CLOEXEC);
  if (ctx < 0)
    return -1;
  top = escape_lowerdir(dir[0] ? dir : "/");
  second = escape_lowerdir(root);
  lower = xasprintf("%s:%s", top, second);
  if (fsconfig(ctx, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
    return -1;
  /* Not wanted, and on by default across filesystems: it only logs.  */
  (void)fsconfig(ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
  if (fsconfig(ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -1;
  mnt = fsmount(ctx, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
  if (mnt < 0)
    return -1;
  return openat(mnt, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static int
memfd_exe(int exe, box_error_t *err)
{
  cleanup_close int copy = -1;
  struct stat sb;

  if (fstat(exe, &sb) < 0)
    return box_make_error(err, errno, "stat `/proc/self/exe`");
  copy = memfd_create("box-cloned-exe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (copy < 0)
    return box_make_error(err, errno, "memfd_create for box's own copy");
  for (off_t done = 0; done < sb.st_size;)
    {
      ssize_t n = sendfile(copy, exe, NULL, (size_t)(sb.st_size - done));
      if (n <= 0)
        return box_make_error(err, n < 0 ? errno : EIO, "copy box's binary into a memfd");
      done += n;
    }
  if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
    return box_make_error(err, errno, "seal box's own copy");
  return steal_fd(&copy);
}
#endif

int
box_ensure_cloned_exe(char **argv, const char *root, box_error_t *err)
{
#ifdef BOX_BROKEN_EXE_WRITABLE
  /* Broken on purpose (harness/tests/broken/exe-writable): the init runs
     the host's binary.  */
  (void)argv;
  (void)root;
  (void)err;
  return 0;
#else
  cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int sealed = -1;

  if (exe < 0)
    return box_make_error(err, errno, "open `/proc/self/exe`");
  if (already_sealed(exe))
    return 0;
  sealed = overlay_exe(root);
  if (sealed >= 0 && setenv(BOX_SEALED_ENV, "1", 1) == 0)
    {
      execveat(sealed, "", argv, environ, AT_EMPTY_PATH);
      unsetenv(BOX_SEALED_ENV); /* and on to the memfd */
    }
  cleanup_closep(&sealed);
  sealed = memfd_exe(exe, err);
  if (sealed < 0)
    return -1;
  execveat(sealed, "", argv, environ, AT_EMPTY_PATH);
  return box_make_error(err, errno, "execute box's sealed copy");
#endif
}
