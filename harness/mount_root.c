/* ocitest mount-root: what lies under a container's root in its mount
   namespace.  pivot_root(2) makes the rootfs the mount right on the
   namespace's root mount (the one whose parent is itself, as for the
   host's "/" on an initramfs or the kernel's rootfs); MS_MOVE onto "/"
   plus chroot(2) (runc's --no-pivot) leaves the old root in between.
   setns(2) can not see it: it puts the caller's root on the topmost
   mount over the namespace root, the rootfs either way.  statmount(2)
   (Linux 6.8) names each mount's parent, so the chain shows it. */
#include "ocitest.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef SYS_statmount
#define SYS_statmount 457
#endif
#define STATMOUNT_MNT_BASIC 0x2ULL
#define STATX_MNT_ID_UNIQUE_ 0x4000U
#define MAX_DEPTH 16

/* linux/mount.h (6.8) struct mnt_id_req, version 0, and the head of
   struct statmount up to mnt_parent_id: the build host's headers are
   older. */
struct mnt_req_s
{
  uint32_t size, spare;
  uint64_t mnt_id, param;
};
struct statmount_head_s
{
  uint32_t size, mnt_opts;
  uint64_t mask;
  uint32_t sb_dev_major, sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags, fs_type;
  uint64_t mnt_id, mnt_parent_id;
};

static const char mount_root_usage[]
    = "usage: ocitest mount-root [--pid PID]\n"
      "In the mount namespace of PID (default: our own), walk from the mount at \"/\" to the\n"
      "namespace's root mount and print `depth=N` (mounts between them, 0: \"/\" is on the\n"
      "namespace root, as after pivot_root) and `chain=ID,ID,...`. Exit 77 where the kernel\n"
      "has no statmount(2) (Linux < 6.8).\n";

/* The parent of mount id.  Returns 0, or -1 with errno set. */
static int
mount_parent(uint64_t id, uint64_t *parent)
{
  struct mnt_req_s req = { .size = 24, .mnt_id = id, .param = STATMOUNT_MNT_BASIC };
  union
  {
    struct statmount_head_s sm;
    char buf[4096];
  } u;

  if (syscall(SYS_statmount, &req, &u, sizeof(u), 0) < 0)
    return -1;
  *parent = u.sm.mnt_parent_id;
  return 0;
}

int
ocitest_cmd_mount_root(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[]
      = { { "pid", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  long pid = 0;
  struct statx st;
  uint64_t id, parent;
  cleanup_free char *chain = NULL;
  int c, depth;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c == 'h')
        return fputs(mount_root_usage, stdout), OCITEST_EXIT_OK;
      if (c != 'p')
        return option_error(c, argv, "mount-root", err);
      if (parse_long("--pid", optarg, 1, INT32_MAX, &pid, err) < 0)
        return -1;
    }
  if (pid > 0)
    {
      cleanup_free char *path = xasprintf("/proc/%ld/ns/mnt", pid);
      cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNS) < 0)
        return ocitest_make_error(err, errno, "join the mount namespace `%s`", path);
    }
  if (statx(AT_FDCWD, "/", 0, STATX_MNT_ID_UNIQUE_, &st) < 0 || !(st.stx_mask & STATX_MNT_ID_UNIQUE_))
    return printf("statmount=0\n"), 77;
  id = st.stx_mnt_id;
  chain = xasprintf("%llu", (unsigned long long)id);
  for (depth = 0; depth < MAX_DEPTH; depth++)
    {
      char *longer;
      if (mount_parent(id, &parent) < 0)
        {
          if (errno == ENOSYS)
            return printf("statmount=0\n"), 77;
          return ocitest_make_error(err, errno, "statmount of mount %llu", (unsigned long long)id);
        }
      if (parent == id)
        break;
      longer = xasprintf("%s,%llu", chain, (unsigned long long)parent);
      free(chain);
      chain = longer;
      id = parent;
    }
  /* depth counts the mounts from "/" down to the namespace root, that
     one excluded: "/" itself is 1 when it sits right on it. */
  printf("depth=%d\nchain=%s\n", depth, chain);
  return OCITEST_EXIT_OK;
}
