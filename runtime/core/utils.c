#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

void *
xmalloc(size_t size)
{
  void *p = malloc(size ? size : 1);
  if (p == NULL)
    abort();
  return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
  void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
  if (p == NULL)
    abort();
  return p;
}

void *
xrealloc(void *ptr, size_t size)
{
  void *p = realloc(ptr, size ? size : 1);
  if (p == NULL)
    abort();
  return p;
}

char *
xstrdup(const char *s)
{
  char *p = strdup(s);
  if (p == NULL)
    abort();
  return p;
}

char *
xasprintf(const char *fmt, ...)
{
  char *r;
  va_list ap;

  va_start(ap, fmt);
  if (vasprintf(&r, fmt, ap) < 0)
    abort();
  va_end(ap);
  return r;
}

void
cleanup_freep(void *p)
{
  free(*(void **)p);
}

void
cleanup_closep(int *fd)
{
  if (*fd >= 0)
    close(*fd);
}

void
cleanup_filep(FILE **f)
{
  if (*f)
    fclose(*f);
}

void
cleanup_dirp(DIR **d)
{
  if (*d)
    closedir(*d);
}

int
box_validate_id(const char *id, box_error_t *err)
{
  size_t len = strlen(id);
  size_t i;

  if (len == 0)
    return box_make_error(err, 0, "invalid container id ``: must not be empty");
  if (len > BOX_ID_MAX)
    return box_make_error(err, 0, "invalid container id `%.32s...`: longer than %d characters", id,
                          BOX_ID_MAX);
#ifdef BOX_BROKEN_LENIENT_IDS
  /* Broken on purpose (harness/tests/broken/lenient-ids): any id is a path
     under --root, `..` and `/` included.  */
  return 0;
#endif
  /* A leading '.' would allow ".", ".." and hidden files such as ".tmp".  */
  if (id[0] == '.')
    return box_make_error(err, 0, "invalid container id `%s`: must not start with `.`", id);
  for (i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)id[i];
      if (isalnum(c) || c == '_' || c == '+' || c == '.' || c == '-')
        continue;
      if (isprint(c))
        return box_make_error(
            err, 0, "invalid container id `%s`: character `%c` not allowed (use [A-Za-z0-9_+.-])", id, c);
      return box_make_error(err, 0, "invalid container id: byte 0x%02x not allowed (use [A-Za-z0-9_+.-])", c);
    }
  return 0;
}

int
box_read_file(const char *path, char **out, size_t *len, box_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  size_t size = 0, alloc = 4096;

  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return box_make_error(err, errno, "open `%s`", path);
  buf = xmalloc(alloc);
  for (;;)
    {
      ssize_t r;
      if (size + 1 >= alloc)
        buf = xrealloc(buf, alloc *= 2);
      r = read(fd, buf + size, alloc - size - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return box_make_error(err, errno, "read `%s`", path);
      if (r == 0)
        break;
      size += (size_t)r;
    }
  buf[size] = '\0';
  if (len)
    *len = size;
  *out = steal_pointer(&buf);
  return 0;
}

static int
write_all(int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t w = write(fd, data, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      data += w;
      len -= (size_t)w;
    }
  return 0;
}

int
box_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, box_error_t *err)
{
  cleanup_free char *tmp = xasprintf("%s.tmp", path);
  cleanup_close int fd = -1;

  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return box_make_error(err, errno, "create `%s`", tmp);
  if (write_all(fd, data, len) < 0 || close(steal_fd(&fd)) < 0)
    {
      int saved = errno;
      unlink(tmp);
      return box_make_error(err, saved, "write `%s`", tmp);
    }
  /* rename(2) is atomic: a reader sees the old file or the new one, never half.  */
  if (rename(tmp, path) < 0)
    {
      int saved = errno;
      unlink(tmp);
      return box_make_error(err, saved, "rename `%s` to `%s`", tmp, path);
    }
  return 0;
}

int
box_mkdir_p(const char *path, mode_t mode, box_error_t *err)
{
  cleanup_free char *p = NULL;
  char *s;

  /* Most paths are there already, or lack only their last component:
     one mkdir, not one per component.  */
  if (mkdir(path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return box_make_error(err, errno, "mkdir `%s`", path);
  p = xstrdup(path);
  for (s = p + 1;; s++)
    {
      if (*s != '/' && *s != '\0')
        continue;
      char saved = *s;
      *s = '\0';
      if (mkdir(p, mode) < 0 && errno != EEXIST)
        return box_make_error(err, errno, "mkdir `%s`", p);
      *s = saved;
      if (saved == '\0')
        break;
    }
  return 0;
}

static int
rm_rf_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
  (void)sb;
  (void)type;
  (void)ftw;
  if (remove(path) < 0 && errno != ENOENT)
    return errno;
  return 0;
}

int
box_rm_rf(const char *path, box_error_t *err)
{
  int r;

  /* FTW_PHYS: never follow symlinks; FTW_MOUNT: never enter another fs.  */
  r = nftw(path, rm_rf_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (r < 0 && errno == ENOENT)
    return 0;
  if (r != 0)
    return box_make_error(err, r > 0 ? r : errno, "remove `%s`", path);
  return 0;
}

int
box_realpath(const char *path, char **out, box_error_t *err)
{
  char *r = realpath(path, NULL);
  if (r == NULL)
    return box_make_error(err, errno, "resolve `%s`", path);
  *out = r;
  return 0;
}

/* The civil date of a count of days since 1970-01-01, proleptic
   Gregorian (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
   civil_from_days).  Arithmetic only: glibc's gmtime_r loads the time
   zone (/etc/localtime, 7 syscalls) on its first call even for UTC, in
   every create.  */
static void
civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
  long long era;
  unsigned doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (long long)yoe + era * 400 + (*m <= 2);
}

char *
box_format_rfc3339(long long sec, long nsec)
{
  long long days = sec / 86400, rem = sec % 86400, y;
  unsigned m, d;

  if (rem < 0)
    rem += 86400, days--;
  civil_from_days(days, &y, &m, &d);
  return xasprintf("%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, m, d, rem / 3600, rem / 60 % 60, rem % 60,
                   nsec);
}

char *
box_now_rfc3339(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return box_format_rfc3339(ts.tv_sec, ts.tv_nsec);
}

long long
box_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
box_parse_signal(const char *name, int *sig, box_error_t *err)
{
  const char *n = name;
  char *end;
  long v;
  int i;

  errno = 0;
  v = strtol(name, &end, 10);
  /* Signal 0 is "is it alive" (kill(2)): runc and crun accept it.  */
  if (*name && *end == '\0')
    {
      if (errno || v < 0 || v >= NSIG)
        return box_make_error(err, 0, "invalid signal `%s`", name);
      *sig = (int)v;
      return 0;
    }
  if (strncasecmp(n, "SIG", 3) == 0)
    n += 3;
  for (i = 1; i < NSIG; i++)
    {
      const char *abbrev = sigabbrev_np(i);
      if (abbrev && strcasecmp(abbrev, n) == 0)
        {
          *sig = i;
          return 0;
        }
    }
  return box_make_error(err, 0, "invalid signal `%s`", name);
}

void
box_close_fds_from(int from)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
    return;
  d = opendir("/proc/self/fd");
  if (d == NULL)
    return;
  while ((de = readdir(d)))
    {
      int fd = atoi(de->d_name);
      if (fd >= from && fd != dirfd(d))
        close(fd);
    }
}

void
box_pass_fds(int n)
{
  int fd;

  for (fd = 3; fd < 3 + n; fd++)
    {
      int fl = fcntl(fd, F_GETFD);
      if (fl >= 0 && (fl & FD_CLOEXEC))
        fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
  box_close_fds_from(3 + n);
}

#ifndef BOX_BROKEN_NAIVE_JOIN
/* Append component `c` (length n) to the resolved path `*cur`.  */
static void
join_push(char **cur, const char *c, size_t n)
{
  char *next = xasprintf("%s/%.*s", *cur, (int)n, c);
  free(*cur);
  *cur = next;
}
#endif

char *
box_join_in_root(const char *root, const char *unsafe, box_error_t *err)
{
#ifdef BOX_BROKEN_NAIVE_JOIN
  /* Broken on purpose (harness/tests/broken/follows-mount-symlinks): the
     host resolves the path, so a symlink in the rootfs leads out of it.  */
  (void)err;
  return xasprintf("%s%s", root, unsafe);
#else
  cleanup_free char *cur = xstrdup(""); /* resolved so far, below root */
  cleanup_free char *rest = xstrdup(unsafe);
  int links = 0;
  size_t off = 0;

  while (rest[off] != '\0')
    {
      const char *c = rest + off;
      size_t n = strcspn(c, "/");
      off += n + (c[n] == '/');
      if (n == 0 || (n == 1 && c[0] == '.'))
        continue;
      if (n == 2 && c[0] == '.' && c[1] == '.')
        {
          /* `..` at the root stays at the root, as in the container.  */
          char *slash = strrchr(cur, '/');
          if (slash)
            *slash = '\0';
          continue;
        }
      cleanup_free char *host = xasprintf("%s%s/%.*s", root, cur, (int)n, c);
      struct stat sb;
      if (lstat(host, &sb) < 0 || !S_ISLNK(sb.st_mode))
        {
          /* Not a symlink, or not there yet: taken as it is.  */
          join_push(&cur, c, n);
          continue;
        }
      if (++links > 40) /* the kernel's MAXSYMLINKS */
        {
          box_make_error(err, ELOOP, "resolve `%s` in the rootfs", unsafe);
          return NULL;
        }
      char target[PATH_MAX];
      ssize_t len = readlink(host, target, sizeof(target) - 1);
      if (len < 0)
        {
          box_make_error(err, errno, "readlink `%s`", host);
          return NULL;
        }
      target[len] = '\0';
      /* The link's target replaces it; an absolute one starts again at root.  */
      char *next = xasprintf("%s/%s", target, rest + off);
      free(rest);
      rest = next;
      off = 0;
      if (target[0] == '/')
        cur[0] = '\0';
    }
  return xasprintf("%s%s", root, cur[0] ? cur : "/");
#endif
}

bool
box_rootless(void)
{
  static int rootless = -1;

  /* Decided at the first call (main makes it first thing), as box was
     started: the container init is later uid 0 of its user namespace.  */
  if (rootless < 0)
    rootless = geteuid() != 0;
  return rootless;
}
