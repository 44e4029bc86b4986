/* The hook log record: what a hook saw, read from the live process. */
#include "hooklog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define STDIN_RAW_MAX 4096

const char *const hook_ns_names[] = { "mnt", "pid", "net", "uts", "ipc", "user", "cgroup", NULL };

/* A JSON string of n bytes; bytes that are not valid UTF-8 (an environment
   may hold anything) become "\\xNN", so nothing is silently dropped and the
   record still serialises. */
static json_t *
safe_string(const char *s, size_t n)
{
  json_t *v = json_stringn(s, n);
  cleanup_free char *esc = NULL;
  char *o;

  if (v)
    return v;
  esc = xmalloc(n * 4 + 1);
  o = esc;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char)s[i];

      if (c >= 0x20 && c < 0x7f && c != '\\')
        *o++ = (char)c;
      else
        o += sprintf(o, "\\x%02x", c);
    }
  *o = '\0';
  return json_string(esc);
}

static json_t *
string_array(char *const *v)
{
  json_t *a = json_array();

  for (; v && *v; v++)
    json_array_append_new(a, safe_string(*v, strlen(*v)));
  return a;
}

/* readlink(2) into a JSON string, or null where the link is unreadable (no
   /proc in this mount namespace, or a namespace type the kernel lacks). */
static json_t *
link_value(const char *path)
{
  char buf[PATH_MAX];
  ssize_t n = readlink(path, buf, sizeof(buf) - 1);

  if (n < 0)
    return json_null();
  buf[n] = '\0';
  return json_string(buf);
}

static json_t *
namespaces(void)
{
  json_t *ns = json_object();

  for (const char *const *n = hook_ns_names; *n; n++)
    {
      cleanup_free char *path = xasprintf("/proc/self/ns/%s", *n);

      json_object_set_new(ns, *n, link_value(path));
    }
  return ns;
}

static json_t *
clock_ns(clockid_t id)
{
  struct timespec ts;

  if (clock_gettime(id, &ts) < 0)
    return json_null();
  return json_integer((json_int_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static json_t *
root_ino(void)
{
  struct stat st;
  char buf[64];

  if (stat("/", &st) < 0)
    return json_null();
  snprintf(buf, sizeof(buf), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
  return json_string(buf);
}

static json_t *
cwd_value(void)
{
  char buf[PATH_MAX];

  return getcwd(buf, sizeof(buf)) ? json_string(buf) : json_null();
}

/* stdin as a state document: parsed, or null with the reason and the raw
   text (truncated) so a failing case shows what the runtime sent. */
static void
add_state(json_t *rec, const hook_call_t *call)
{
  json_error_t jerr;
  json_t *doc = NULL;

  if (call->stdin_text && call->stdin_len > 0)
    doc = json_loadb(call->stdin_text, call->stdin_len, 0, &jerr);
  json_object_set_new(rec, "state", doc ? doc : json_null());
  if (doc && call->stdin_error == NULL)
    return;
  if (call->stdin_error)
    json_object_set_new(rec, "state_error", json_string(call->stdin_error));
  else if (call->stdin_text == NULL || call->stdin_len == 0)
    json_object_set_new(rec, "state_error", json_string("stdin was empty"));
  else
    json_object_set_new(rec, "state_error",
                        json_sprintf("not JSON: line %d column %d: %s", jerr.line, jerr.column, jerr.text));
  if (call->stdin_text)
    json_object_set_new(
        rec, "stdin",
        safe_string(call->stdin_text, call->stdin_len < STDIN_RAW_MAX ? call->stdin_len : STDIN_RAW_MAX));
}

json_t *
hook_record_build(const hook_call_t *call)
{
  json_t *rec = json_object();

  json_object_set_new(rec, "kind", call->kind ? json_string(call->kind) : json_null());
  json_object_set_new(rec, "argv", string_array(call->argv));
  json_object_set_new(rec, "env", string_array(call->envp));
  add_state(rec, call);
  json_object_set_new(rec, "pid", json_integer(getpid()));
  json_object_set_new(rec, "ppid", json_integer(getppid()));
  /* In a pid namespace getpid() is the namespace's number; /proc/self names
     the process as the mounted proc's namespace sees it (the host's, for a
     hook that runs before the container's /proc replaces the host's). */
  json_object_set_new(rec, "proc_self", link_value("/proc/self"));
  json_object_set_new(rec, "uid", json_integer(getuid()));
  json_object_set_new(rec, "gid", json_integer(getgid()));
  json_object_set_new(rec, "ns", namespaces());
  json_object_set_new(rec, "cwd", cwd_value());
  json_object_set_new(rec, "root_ino", root_ino());
  json_object_set_new(rec, "time_ns", clock_ns(CLOCK_MONOTONIC));
  json_object_set_new(rec, "realtime_ns", clock_ns(CLOCK_REALTIME));
  return rec;
}

int
hook_log_append(const char *path, json_t *rec, ocitest_error_t *err)
{
  /* JSON_COMPACT never emits a newline; JSON_ENSURE_ASCII keeps any odd
     bytes of an environment string from breaking a line-oriented reader. */
  cleanup_free char *text = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
  cleanup_free char *line = NULL;
  cleanup_close int fd = -1;
  size_t len;
  ssize_t n;

  if (text == NULL)
    return ocitest_make_error(err, 0, "hook log `%s`: cannot serialise the record", path);
  line = xasprintf("%s\n", text);
  len = strlen(line);
  fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0)
    return ocitest_make_error(err, errno, "open hook log `%s`", path);
  /* One write: a short write would leave half a line that a retry could not
     make atomic again, so it is an error rather than a loop. */
  do
    n = write(fd, line, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return ocitest_make_error(err, errno, "write hook log `%s`", path);
  if ((size_t)n != len)
    return ocitest_make_error(err, 0, "write hook log `%s`: short write (%zd of %zu bytes)", path, n, len);
  return 0;
}

int
hook_read_stdin(int fd, size_t max, int64_t timeout_ms, char **out, size_t *len, ocitest_error_t *err)
{
  int64_t deadline = now_ms() + timeout_ms;
  size_t used = 0, cap = 4096;
  char *buf = xmalloc(cap);

  *out = buf;
  *len = 0;
  buf[0] = '\0';
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int64_t left = deadline - now_ms();
      ssize_t n;
      int r;

      if (left <= 0)
        return ocitest_make_error(err, 0, "stdin: no end of file after %lld ms (%zu bytes read)",
                                  (long long)timeout_ms, used);
      r = poll(&pfd, 1, (int)(left > INT_MAX ? INT_MAX : left));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ocitest_make_error(err, errno, "stdin: poll");
      if (r == 0)
        continue;
      if (used + 1 >= cap)
        {
          if (cap > max)
            return ocitest_make_error(err, EFBIG, "stdin: more than %zu bytes", max);
          cap *= 2;
          buf = xrealloc(buf, cap);
          *out = buf;
        }
      n = read(fd, buf + used, cap - used - 1);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n < 0)
        return ocitest_make_error(err, errno, "stdin: read");
      if (n == 0)
        return 0;
      used += (size_t)n;
      buf[used] = '\0';
      *len = used;
    }
}
