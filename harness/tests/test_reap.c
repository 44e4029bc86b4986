/* reap: the exit statuses of timeout(1) for a command that outlives
   --timeout, the command's own status otherwise, and the record of what a
   command leaves running (a double fork, a process in its own session). */
#include "ocitest.h"
#include "tap.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static char dir[] = "/tmp/ocitest-reap-XXXXXX";

static int64_t
mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* `ocitest reap ARGS` in a child; its exit status, the time it took in *ms. */
static int
reap(char **argv, int64_t *ms)
{
  int64_t start = mono_ms();
  int status, argc = 0;
  pid_t pid;

  while (argv[argc])
    argc++;
  pid = fork();
  if (pid == 0)
    {
      ocitest_error_t err = NULL;
      int rc = ocitest_cmd_reap(argc, argv, &err);

      if (rc < 0)
        {
          fprintf(stderr, "reap: %s\n", err->msg);
          _exit(err->exit_code ? err->exit_code : 1);
        }
      _exit(rc);
    }
  waitpid(pid, &status, 0);
  *ms = mono_ms() - start;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
test_timeout(void)
{
  cleanup_free char *record = xasprintf("%s/record", dir);
  char *plain[] = { "reap", "--record", record, "--", "sh", "-c", "exit 7", NULL };
  char *term[] = { "reap", "--record", record, "--timeout", "1", "--", "sleep", "30", NULL };
  char *stubborn[] = { "reap",  "--record", record, "--timeout", "1", "--kill-after", "1", "--",
                       "sh",    "-c",       "trap '' TERM; sleep 30 & wait; sleep 30", NULL };
  char *bad[] = { "reap", "--record", record, "--timeout", "1x", "--", "true", NULL };
  int64_t ms;
  int rc;

  rc = reap(plain, &ms);
  ok(rc == 7, "no timeout: the command's own status (got %d)", rc);
  rc = reap(term, &ms);
  ok(rc == 124 && ms >= 900 && ms < 5000, "ended by the TERM after --timeout 1: 124, as timeout(1) (got %d after %lld ms)",
     rc, (long long)ms);
  rc = reap(stubborn, &ms);
  ok(rc == 137 && ms >= 1900 && ms < 6000,
     "TERM ignored: killed --kill-after 1 later, 137, as timeout(1) (got %d after %lld ms)", rc, (long long)ms);
  rc = reap(bad, &ms);
  ok(rc == OCITEST_EXIT_USAGE, "--timeout 1x is a usage error (got %d)", rc);
}

static void
test_record(void)
{
  cleanup_free char *record = xasprintf("%s/left", dir);
  /* One left as a child, one double-forked into a session of its own.  */
  char *argv[] = { "reap", "--record", record, "--", "sh", "-c", "sleep 30 & (setsid sleep 31 &); exit 0", NULL };
  char line[128];
  int64_t ms;
  int n = 0, rc;
  FILE *f;

  rc = reap(argv, &ms);
  ok(rc == 0, "the command's status (got %d)", rc);
  f = fopen(record, "r");
  while (f && fgets(line, sizeof line, f))
    {
      int pid = atoi(line);
      if (pid > 0)
        {
          kill(pid, SIGKILL);
          n++;
        }
    }
  if (f)
    fclose(f);
  ok(n == 2, "both processes it left are recorded, the double-forked one too (%d)", n);
  unlink(record);
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
  test_timeout();
  test_record();
  {
    cleanup_free char *record = xasprintf("%s/record", dir);
    unlink(record);
  }
  rmdir(dir);
  return tap_done();
}
