/* inside-host: one `NAME TARGET` line for every entry of /proc/self/ns, as
   readlink shows it, `seccomp N` as /proc/self/status says, `PATH TARGET`
   for each path given; a link that cannot be read fails, naming it. */
#include "ocitest.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/ocitest-inside-host-XXXXXX";

/* `ocitest inside-host ARGS...` in a child; its exit status, stdout in *out,
   the error message (if any) in *msg. */
static int
inside_host(char **args, char **out, char **msg)
{
  cleanup_free char *outf = xasprintf("%s/out", dir);
  cleanup_free char *errf = xasprintf("%s/err", dir);
  ocitest_error_t err = NULL;
  char *argv[8] = { "inside-host" };
  int argc = 1, status;
  size_t len;
  pid_t pid;

  while (*args && argc < 7)
    argv[argc++] = *args++;
  pid = fork();
  if (pid == 0)
    {
      int fd = open(outf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
      FILE *ef = fopen(errf, "w");

      dup2(fd, 1);
      if (ocitest_cmd_inside_host(argc, argv, &err) < 0)
        {
          fputs(err->msg, ef);
          fclose(ef);
          _exit(err->exit_code ? err->exit_code : 1);
        }
      fflush(stdout);
      _exit(0);
    }
  waitpid(pid, &status, 0);
  if (read_file(outf, 1 << 20, out, &len, &err) < 0 || read_file(errf, 1 << 20, msg, &len, &err) < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Whether text has the line `KEY VALUE`. */
static bool
has_line(const char *text, const char *key, const char *value)
{
  cleanup_free char *line = xasprintf("%s %s\n", key, value);
  size_t n = strlen(line);

  for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
    if (strncmp(p, line, n) == 0)
      return true;
  return false;
}

static size_t
count_lines(const char *text)
{
  size_t n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

int
main(void)
{
  cleanup_free char *out = NULL;
  cleanup_free char *msg = NULL;
  cleanup_free char *missing_out = NULL;
  cleanup_free char *missing_msg = NULL;
  cleanup_free char *status_text = NULL;
  ocitest_error_t err = NULL;
  char *with_path[] = { "/proc/self/ns/net", NULL };
  char *missing[] = { "/proc/self/ns/no-such-ns", NULL };
  size_t entries = 0, len;
  bool all = true;
  struct dirent *e;
  const char *sc;
  DIR *d;
  int rc;

  tap_init();
  if (!mkdtemp(dir))
    return 1;
  rc = inside_host(with_path, &out, &msg);
  ok(rc == 0, "exit 0 (got %d: %s)", rc, msg ? msg : "");
  if (out == NULL)
    out = xstrdup("");

  /* The child's namespaces are the test's own: it made none. */
  d = opendir("/proc/self/ns");
  while (d && (e = readdir(d)) != NULL)
    {
      cleanup_free char *path = NULL;
      char target[256];
      ssize_t n;

      if (e->d_name[0] == '.')
        continue;
      path = xasprintf("/proc/self/ns/%s", e->d_name);
      n = readlink(path, target, sizeof target - 1);
      if (n < 0)
        continue;
      target[n] = '\0';
      entries++;
      if (!has_line(out, e->d_name, target))
        {
          diag("no line `%s %s`", e->d_name, target);
          all = false;
        }
    }
  if (d)
    closedir(d);
  ok(entries > 0 && all, "a line for each of the %zu namespaces, as readlink shows it", entries);

  read_file("/proc/self/status", 1 << 20, &status_text, &len, &err);
  sc = status_text ? strstr(status_text, "\nSeccomp:\t") : NULL;
  if (ok(sc != NULL, "this kernel shows Seccomp: in /proc/self/status"))
    {
      char mode[2] = { sc[strlen("\nSeccomp:\t")], '\0' };

      ok(has_line(out, "seccomp", mode), "the seccomp mode line is `seccomp %s`", mode);
    }
  {
    char target[256];
    ssize_t n = readlink("/proc/self/ns/net", target, sizeof target - 1);

    target[n > 0 ? n : 0] = '\0';
    ok(has_line(out, "/proc/self/ns/net", target), "a path given gets `PATH TARGET`");
  }
  ok(count_lines(out) == entries + 2, "nothing else: %zu lines for %zu namespaces, seccomp, one path",
     count_lines(out), entries);

  rc = inside_host(missing, &missing_out, &missing_msg);
  ok(rc == 1 && missing_msg && strstr(missing_msg, "/proc/self/ns/no-such-ns")
         && strstr(missing_msg, "No such file"),
     "a path that is no link fails, naming it (exit %d: %s)", rc, missing_msg ? missing_msg : "");
  return tap_done();
}
