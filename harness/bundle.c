/* ocitest bundle: a case's bundle made from the run's template.
 *
 * Every case starts from its own copy of one template (config.json and a
 * busybox rootfs: 16 directories, 15 files, 268 symlinks, the applets).
 * `cp -a` spent 40 to 65 ms a case on that, three quarters of it in
 * symlinkat(2) on ext4, and removing the copies at the end of the run as
 * long again.  A symlink can only be replaced, never changed in place (no
 * write reaches its target path), so here each one is a hard link to the
 * template's: one linkat(2), and an unlink that frees nothing.  Directories
 * are made with the template's mode; files, which a case or a runtime may
 * write into, are copied (copy_file_range), with their mode.  Run as root,
 * owners are kept as well.  Timestamps and extended attributes are not
 * copied: the template has none that a case reads.  Device nodes, fifos and
 * sockets are refused (a template has none; `cp -a` of one would need
 * CAP_MKNOD rootless). */
#include "ocitest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char bundle_usage[] = "usage: ocitest bundle TEMPLATE DIR\n"
                                   "Make DIR (or fill it, when it is an empty directory) from TEMPLATE:\n"
                                   "directories made, files copied, symlinks hard-linked to TEMPLATE's.\n"
                                   "Exits 1 naming the entry that could not be made.\n";

/* Depth past which a template is taken to be a loop or a mistake.  */
#define BUNDLE_DEPTH_MAX 64

static int copy_dir(int src, int dst, const char *path, int depth, ocitest_error_t *err);

static int
keep_owner(int fd, const struct stat *st, const char *path, ocitest_error_t *err)
{
  if (geteuid() != 0 || (st->st_uid == 0 && st->st_gid == 0))
    return 0;
  if (fchown(fd, st->st_uid, st->st_gid) < 0)
    return ocitest_make_error(err, errno, "bundle: chown %s", path);
  return 0;
}

static int
copy_file(int src, int dst, const char *name, const struct stat *st, const char *path, ocitest_error_t *err)
{
  cleanup_close int in = openat(src, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  cleanup_close int out = -1;
  off_t left = st->st_size;

  if (in < 0)
    return ocitest_make_error(err, errno, "bundle: open %s", path);
  out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0)
    return ocitest_make_error(err, errno, "bundle: create %s", path);
  while (left > 0)
    {
      ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? ocitest_make_error(err, errno, "bundle: copy %s", path)
                     : ocitest_make_error(err, 0, "bundle: copy %s: the file shrank while it was copied", path);
      left -= n;
    }
  if (keep_owner(out, st, path, err) < 0)
    return -1;
  /* After the chown, which clears set-user-ID and set-group-ID bits.  */
  if (fchmod(out, st->st_mode & 07777) < 0)
    return ocitest_make_error(err, errno, "bundle: chmod %s", path);
  return 0;
}

static int
copy_entry(int src, int dst, const struct dirent *e, const char *path, int depth, ocitest_error_t *err)
{
  const char *name = e->d_name;
  struct stat st;

  /* The applets' symlinks, most of a rootfs, without a stat each.  */
  if (e->d_type == DT_LNK)
    st.st_mode = S_IFLNK;
  else if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return ocitest_make_error(err, errno, "bundle: stat %s", path);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFLNK:
      /* Without AT_SYMLINK_FOLLOW: a second name for the symlink itself.  */
      if (linkat(src, name, dst, name, 0) < 0)
        return ocitest_make_error(err, errno, "bundle: link %s", path);
      return 0;
    case S_IFREG:
      return copy_file(src, dst, name, &st, path, err);
    case S_IFDIR:
      {
        cleanup_close int from = -1, to = -1;

        if (mkdirat(dst, name, 0700) < 0)
          return ocitest_make_error(err, errno, "bundle: mkdir %s", path);
        from = openat(src, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        to = openat(dst, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (from < 0 || to < 0)
          return ocitest_make_error(err, errno, "bundle: open directory %s", path);
        if (copy_dir(from, to, path, depth + 1, err) < 0 || keep_owner(to, &st, path, err) < 0)
          return -1;
        /* Last: a template directory without write permission is copied
           into first.  */
        if (fchmod(to, st.st_mode & 07777) < 0)
          return ocitest_make_error(err, errno, "bundle: chmod %s", path);
        return 0;
      }
    default:
      return ocitest_make_error(err, 0, "bundle: %s: not a file, directory or symlink", path);
    }
}

static int
copy_dir(int src, int dst, const char *path, int depth, ocitest_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  int fd = dup(src);
  struct dirent *e;

  if (depth > BUNDLE_DEPTH_MAX)
    return ocitest_make_error(err, 0, "bundle: %s: more than %d directories deep", path, BUNDLE_DEPTH_MAX);
  if (fd < 0 || (d = fdopendir(fd)) == NULL)
    {
      int e0 = errno;

      if (fd >= 0)
        close(fd);
      return ocitest_make_error(err, e0, "bundle: read directory %s", path);
    }
  while ((errno = 0, e = readdir(d)) != NULL)
    {
      cleanup_free char *sub = NULL;

      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      sub = xasprintf("%s/%s", path, e->d_name);
      if (copy_entry(src, dst, e, sub, depth, err) < 0)
        return -1;
    }
  if (errno != 0)
    return ocitest_make_error(err, errno, "bundle: read directory %s", path);
  return 0;
}

/* DST made as a directory with TEMPLATE's mode, or an existing empty one.  */
static int
open_target(const char *dst, const struct stat *tpl, ocitest_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_dir DIR *d = NULL;
  struct dirent *e;
  int dup_fd;

  if (mkdir(dst, 0700) < 0 && errno != EEXIST)
    return ocitest_make_error(err, errno, "bundle: mkdir %s", dst);
  fd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return ocitest_make_error(err, errno, "bundle: %s", dst);
  dup_fd = dup(fd);
  if (dup_fd < 0 || (d = fdopendir(dup_fd)) == NULL)
    {
      if (dup_fd >= 0)
        close(dup_fd);
      return ocitest_make_error(err, errno, "bundle: read directory %s", dst);
    }
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      return ocitest_make_error(err, 0, "bundle: %s: not empty (`%s` is there)", dst, e->d_name);
  if (fchmod(fd, tpl->st_mode & 07777) < 0)
    return ocitest_make_error(err, errno, "bundle: chmod %s", dst);
  dup_fd = fd;
  fd = -1;
  return dup_fd;
}

int
ocitest_cmd_bundle(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_close int src = -1, dst = -1;
  struct stat st;
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c != 'h')
        return option_error(c, argv, "bundle", err);
      fputs(bundle_usage, stdout);
      return 0;
    }
  if (argc - optind != 2)
    return ocitest_usage_error(err, "bundle: want TEMPLATE and DIR");
  src = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (src < 0 || fstat(src, &st) < 0)
    return ocitest_make_error(err, errno, "bundle: template %s", argv[optind]);
  dst = open_target(argv[optind + 1], &st, err);
  if (dst < 0)
    return -1;
  return copy_dir(src, dst, argv[optind + 1], 0, err);
}
