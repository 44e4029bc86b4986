/* Small helpers every subcommand uses: memory, string lists, files, time,
   option values, path matching. */
#include "ocitest.h"

#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static void
oom(void)
{
  static const char msg[] = "ocitest: out of memory\n";

  if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
    abort();
  abort();
}

void *
xmalloc(size_t size)
{
  void *p = malloc(size ? size : 1);

  if (p == NULL)
    oom();
  return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
  void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

  if (p == NULL)
    oom();
  return p;
}

void *
xrealloc(void *ptr, size_t size)
{
  void *p = realloc(ptr, size ? size : 1);

  if (p == NULL)
    oom();
  return p;
}

char *
xstrdup(const char *s)
{
  char *p = strdup(s);

  if (p == NULL)
    oom();
  return p;
}

char *
xstrndup(const char *s, size_t n)
{
  char *p = strndup(s, n);

  if (p == NULL)
    oom();
  return p;
}

char *
xasprintf(const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  int r;

  va_start(ap, fmt);
  r = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (r < 0)
    oom();
  return s;
}

void
cleanup_pidp(pid_t *pid)
{
  if (*pid <= 0)
    return;
  kill(*pid, SIGKILL);
  /* SIGKILL cannot be blocked, so this wait is bounded unless the task is
     stuck in the kernel, where nothing better is possible anyway. */
  while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
    ;
  *pid = -1;
}

void
str_list_push(str_list_t *l, char *owned)
{
  if (l->len == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 16;
      l->items = xrealloc(l->items, l->cap * sizeof(char *));
    }
  l->items[l->len++] = owned;
}

void
str_list_pushf(str_list_t *l, const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  int r;

  va_start(ap, fmt);
  r = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (r < 0)
    oom();
  str_list_push(l, s);
}

void
str_list_free(str_list_t *l)
{
  for (size_t i = 0; i < l->len; i++)
    free(l->items[i]);
  free(l->items);
  l->items = NULL;
  l->len = l->cap = 0;
}

int
read_all_fd(int fd, size_t max, char **out, size_t *len, ocitest_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t used = 0, cap = 4096;

  buf = xmalloc(cap);
  for (;;)
    {
      ssize_t n;

      if (used + 1 >= cap)
        {
          if (cap > max)
            return ocitest_make_error(err, EFBIG, "read: more than %zu bytes", max);
          cap *= 2;
          buf = xrealloc(buf, cap);
        }
      n = read(fd, buf + used, cap - used - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ocitest_make_error(err, errno, "read");
      if (n == 0)
        break;
      used += (size_t)n;
    }
  buf[used] = '\0';
  if (len)
    *len = used;
  *out = steal_pointer(&buf);
  return 0;
}

int
read_file(const char *path, size_t max, char **out, size_t *len, ocitest_error_t *err)
{
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return ocitest_make_error(err, errno, "open `%s`", path);
  if (read_all_fd(fd, max, out, len, err) < 0)
    return ocitest_error_wrap(err, "`%s`", path);
  return 0;
}

int
write_file_atomic(const char *path, const char *data, size_t len, ocitest_error_t *err)
{
  cleanup_free char *tmp = xasprintf("%s.tmp", path);
  cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t done = 0;

  if (fd < 0)
    return ocitest_make_error(err, errno, "create `%s`", tmp);
  while (done < len)
    {
      ssize_t n = write(fd, data + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          unlink(tmp);
          return ocitest_make_error(err, saved, "write `%s`", tmp);
        }
      done += (size_t)n;
    }
  if (rename(tmp, path) < 0)
    {
      int saved = errno;

      unlink(tmp);
      return ocitest_make_error(err, saved, "rename `%s` to `%s`", tmp, path);
    }
  return 0;
}

int64_t
now_ms(void)
{
  struct timespec ts;

  /* Monotonic: a deadline must not move when someone sets the clock. */
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(int64_t ms)
{
  struct timespec ts;

  if (ms <= 0)
    return;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000;
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

int
parse_seconds_ms(const char *opt, const char *s, int64_t *out_ms, ocitest_error_t *err)
{
  char *end = NULL;
  double v;

  errno = 0;
  v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > 86400.0 * 365)
    return ocitest_usage_error(err, "%s: `%s` is not a number of seconds", opt, s);
  *out_ms = (int64_t)(v * 1000.0 + 0.5);
  return 0;
}

int
parse_long(const char *opt, const char *s, long min, long max, long *out, ocitest_error_t *err)
{
  char *end = NULL;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
    return ocitest_usage_error(err, "%s: `%s` is not an integer in [%ld, %ld]", opt, s, min, max);
  *out = v;
  return 0;
}

char *
escape_field(const char *s)
{
  char *out = xmalloc(strlen(s) * 4 + 1);
  char *o = out;

  for (; *s; s++)
    {
      if (*s == '\\' || *s == '\t' || *s == '\n')
        o += sprintf(o, "\\%03o", (unsigned char)*s);
      else
        *o++ = *s;
    }
  *o = '\0';
  return out;
}

static bool
is_octal(char c)
{
  return c >= '0' && c <= '7';
}

void
unescape_field(char *s)
{
  char *o = s;

  while (*s)
    {
      if (s[0] == '\\' && is_octal(s[1]) && is_octal(s[2]) && is_octal(s[3]))
        {
          *o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
          s += 4;
        }
      else
        *o++ = *s++;
    }
  *o = '\0';
}

bool
path_is_under(const char *path, const char *dir)
{
  size_t n = strlen(dir);

  if (n == 1 && dir[0] == '/')
    return path[0] == '/';
  if (strncmp(path, dir, n) != 0)
    return false;
  return path[n] == '\0' || path[n] == '/';
}

bool
text_mentions_path(const char *s, const char *dir)
{
  size_t n = strlen(dir);
  const char *p = s;

  if (n == 0)
    return false;
  while ((p = strstr(p, dir)) != NULL)
    {
      /* "/tmp/x" must not match "/tmp/xy": the hit has to end a component. */
      if (p[n] == '\0' || p[n] == '/')
        return true;
      p++;
    }
  return false;
}

void
options_reset(void)
{
  /* optind = 0 makes glibc re-initialise its scanner, including the "+"
     (stop at the first non-option) mode. */
  optind = 0;
  opterr = 0;
}

int
option_error(int c, char **argv, const char *sub, ocitest_error_t *err)
{
  const char *opt = argv[optind - 1];

  if (c == ':')
    return ocitest_usage_error(err, "option `%s` needs a value", opt);
  return ocitest_usage_error(err, "unknown option `%s` (see `ocitest %s --help`)", opt, sub);
}
