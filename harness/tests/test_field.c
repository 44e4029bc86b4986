/* field: strings print raw, other values as compact JSON, several paths one
   line each; a missing or null field, a path that is no path, and input that
   is not JSON each fail with the path or the reason named. */
#include "ocitest.h"
#include "tap.h"

#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>

static char dir[] = "/tmp/ocitest-field-XXXXXX";

/* `ocitest field --file DOC PATHS...` in a child; its exit status, stdout in
 *out, the error message (if any) in *msg. */
static int
field(const char *doc, char **paths, char **out, char **msg)
{
  cleanup_free char *file = xasprintf("%s/doc.json", dir);
  cleanup_free char *outf = xasprintf("%s/out", dir);
  cleanup_free char *errf = xasprintf("%s/err", dir);
  ocitest_error_t err = NULL;
  char *argv[16] = { "field", "--file", file };
  int argc = 3, status;
  size_t len;
  pid_t pid;

  if (write_file_atomic(file, doc, strlen(doc), &err) < 0)
    return -1;
  while (*paths && argc < 15)
    argv[argc++] = *paths++;
  pid = fork();
  if (pid == 0)
    {
      int fd = open(outf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
      FILE *ef = fopen(errf, "w");
      int rc;

      dup2(fd, 1);
      rc = ocitest_cmd_field(argc, argv, &err);
      fflush(stdout);
      if (rc < 0)
        {
          fputs(err->msg, ef);
          fclose(ef);
          _exit(err->exit_code ? err->exit_code : 1);
        }
      _exit(0);
    }
  waitpid(pid, &status, 0);
  if (read_file(outf, 1 << 20, out, &len, &err) < 0 || read_file(errf, 1 << 20, msg, &len, &err) < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
check(const char *doc, char **paths, int want_rc, const char *want_out, const char *want_msg,
      const char *what)
{
  cleanup_free char *out = NULL;
  cleanup_free char *msg = NULL;
  int rc = field(doc, paths, &out, &msg);
  bool good = rc == want_rc && out && msg && strcmp(out, want_out) == 0 && strstr(msg, want_msg);

  if (!ok(good, "%s", what))
    diag("exit %d, out `%s`, message `%s`", rc, out ? out : "(none)", msg ? msg : "(none)");
}

int
main(void)
{
  static const char state[]
      = "{\"ociVersion\": \"1.0.2\", \"id\": \"c1\", \"status\": \"running\", \"pid\": 42,"
        " \"bundle\": \"/b/x y\", \"annotations\": {\"k\": {\"status\": \"no\"}},"
        " \"n\": null, \"list\": [1, \"a\"], \"root\": {\"path\": \"rootfs\"}}";
  char *status[] = { ".status", NULL };
  char *several[] = { ".pid", ".bundle", ".root.path", NULL };
  char *nested[] = { ".annotations.k.status", NULL };
  char *compound[] = { ".list", ".annotations", NULL };
  char *missing[] = { ".status", ".nosuch", NULL };
  char *null[] = { ".n", NULL };
  char *through[] = { ".pid.x", NULL };
  char *bad_path[] = { "status", NULL };
  char *empty_key[] = { ".a..b", NULL };

  tap_init();
  if (!mkdtemp(dir))
    return 1;
  check(state, status, 0, "running\n", "", "a string prints raw");
  check(state, several, 0, "42\n/b/x y\nrootfs\n", "", "several paths, one line each, a number as JSON");
  check(state, nested, 0, "no\n", "", "a nested key is found only where the path says");
  check(state, compound, 0, "[1,\"a\"]\n{\"k\":{\"status\":\"no\"}}\n", "",
        "arrays and objects print as compact JSON");
  check(state, missing, 1, "running\n", "`.nosuch`: not in the document", "a missing field fails, naming it");
  check(state, null, 1, "", "`.n`: not in the document", "a null field fails as jq -e does");
  check(state, through, 1, "", "`.pid.x`: not in the document", "a path through a number is not there");
  check(state, bad_path, 2, "", "a path is .key", "a path without the leading dot is a usage error");
  check(state, empty_key, 2, "", "a path is .key", "an empty key is a usage error");
  check("{\"status\": ", status, 1, "", "not JSON", "truncated input is not JSON");
  check("{} {}", status, 1, "", "not JSON", "trailing data is not JSON");
  return tap_done();
}
