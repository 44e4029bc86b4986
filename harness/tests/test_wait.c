/* wait: each condition is met when it should be, times out with a useful
   "last seen" when it is not, and polls rather than sleeping once. */
#include "waitcond.h"
#include "tap.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[] = "/tmp/ocitest-wait-XXXXXX";

/* wait_poll; the elapsed time in *ms. */
static int
poll_for(const wait_cond_t *c, int64_t timeout_ms, char **seen, int64_t *ms)
{
  ocitest_error_t err = NULL;
  int64_t start = now_ms();
  int r = wait_poll(c, timeout_ms, 20, seen, &err);

  *ms = now_ms() - start;
  if (r < 0)
    {
      diag("error: %s", err->msg);
      ocitest_error_release(&err);
    }
  return r;
}

static void
test_file(void)
{
  cleanup_free char *path = xasprintf("%s/ready", dir);
  wait_cond_t c = { .kind = WAIT_FILE, .path = path };
  cleanup_free char *seen = NULL;
  int64_t ms;
  pid_t child;
  int r;

  r = poll_for(&c, 150, &seen, &ms);
  ok(r == 0 && ms >= 150 && ms < 1000, "missing file: timeout after ~150 ms (%lld ms)", (long long)ms);
  if (!ok(seen && strstr(seen, "No such file"), "last seen says the file is missing"))
    diag("seen: %s", seen ? seen : "(null)");
  free(seen);

  child = fork();
  if (child == 0)
    {
      sleep_ms(100);
      FILE *f = fopen(path, "w");
      if (f)
        {
          fputs("hello ready world", f);
          fclose(f);
        }
      _exit(0);
    }
  r = poll_for(&c, 5000, &seen, &ms);
  ok(r == 1 && ms < 2000, "file appearing after 100 ms is seen (%lld ms)", (long long)ms);
  waitpid(child, NULL, 0);
  free(seen);
  c.contains = "ready";
  ok(poll_for(&c, 1000, &seen, &ms) == 1, "--contains matches");
  free(seen);
  c.contains = "absent";
  ok(poll_for(&c, 100, &seen, &ms) == 0 && seen && strstr(seen, "does not contain"),
     "--contains mismatch times out");
  unlink(path);
}

static void
test_pid_gone(void)
{
  wait_cond_t c = { .kind = WAIT_PID_GONE };
  cleanup_free char *seen = NULL;
  int64_t ms;
  pid_t child = fork();
  int r;

  if (child == 0)
    {
      sleep_ms(150);
      _exit(0);
    }
  c.pid = child;
  /* Never reaped during the wait: gone means "zombie" too. */
  r = poll_for(&c, 5000, &seen, &ms);
  ok(r == 1 && ms >= 100, "a child exiting after 150 ms is gone (zombie, %lld ms)", (long long)ms);
  waitpid(child, NULL, 0);
  c.pid = getpid();
  free(seen);
  ok(poll_for(&c, 100, &seen, &ms) == 0 && seen && strstr(seen, "still alive"), "a live pid times out");
}

static void
test_status(void)
{
  cleanup_free char *count = xasprintf("%s/count", dir);
  cleanup_free char *script = xasprintf("echo x >> %s; echo not-json; exit 1", count);
  char *created[] = { "sh", "-c", "echo '{\"status\":\"created\"}'", NULL };
  char *failing[] = { "sh", "-c", script, NULL };
  char *hang[] = { "sleep", "30", NULL };
  char *missing[] = { "/nonexistent/runtime", NULL };
  char *fails[] = { "false", NULL };
  wait_cond_t c = { .kind = WAIT_STATUS, .status = "created", .argv = created, .cmd_timeout_ms = 5000 };
  cleanup_free char *seen = NULL, *log = NULL;
  ocitest_error_t err = NULL;
  int64_t ms;
  int r;

  ok(poll_for(&c, 2000, &seen, &ms) == 1, "status met from the command's JSON");
  free(seen);
  c.status = "running";
  ok(poll_for(&c, 200, &seen, &ms) == 0 && seen && strstr(seen, "status \"created\""),
     "status mismatch times out, last status named");
  free(seen);
  c.argv = failing;
  ok(poll_for(&c, 300, &seen, &ms) == 0 && seen && strstr(seen, "exit 1"), "a failing command keeps polling");
  read_file(count, 1 << 20, &log, NULL, &err);
  ocitest_error_release(&err);
  if (!ok(log && strlen(log) >= 3 * 2, "it was run every interval, not once (%zu runs)",
          log ? strlen(log) / 2 : 0))
    diag("runs: %s", log ? log : "(none)");
  free(seen);
  c.argv = hang;
  c.cmd_timeout_ms = 200;
  r = poll_for(&c, 300, &seen, &ms);
  ok(r == 0 && ms < 2000 && seen && strstr(seen, "killed after"), "a hanging command is killed (%lld ms)",
     (long long)ms);
  free(seen);
  c.kind = WAIT_GONE;
  c.argv = fails;
  ok(poll_for(&c, 1000, &seen, &ms) == 1, "status gone: a failing command means gone");
  free(seen);
  c.argv = missing;
  ok(poll_for(&c, 1000, &seen, &ms) < 0, "a command that cannot be executed is an error, not `gone`");
  unlink(count);
}

int
main(void)
{
  tap_init();
  if (mkdtemp(dir) == NULL)
    {
      perror("mkdtemp");
      return 1;
    }
  test_file();
  test_pid_gone();
  test_status();
  rmdir(dir);
  return tap_done();
}
