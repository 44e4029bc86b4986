/* ocitest reap: run a command (a runtime call) as a child subreaper and
   record what it leaves running.
 *
 * A runtime's call may leave processes behind on purpose (`create` leaves
 * the container's init) or by mistake (a `delete` that double-forks a
 * helper, setsid()s it and chdir()s to /).  Neither cwd nor argv nor root
 * need point at the case then, and its parent is gone.  With
 * PR_SET_CHILD_SUBREAPER (prctl(2)) every orphan of the command's tree is
 * re-parented to us instead of init, so once the command exits every process
 * it left is still our descendant: their (pid, start time) are appended to
 * the record, and `ocitest leaks --spawned` counts those still alive after
 * teardown, wherever they went.  Nothing else on the host can enter the
 * record: only our own descendants are written. */
#include "ocitest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static const char reap_usage[]
    = "usage: ocitest reap --record FILE -- COMMAND [ARG...]\n"
      "Run COMMAND as a child subreaper; when it exits, append `PID STARTTIME` of every\n"
      "process still descending from it to FILE; exit with COMMAND's status (128+N for\n"
      "a death by signal N).\n";

static pid_t child_pid = -1;

/* Signals for us are for the command (a timeout(1) or bats ending it). */
static void
forward_signal(int sig)
{
  if (child_pid > 0)
    kill(child_pid, sig);
}

/* Whether pid descends from `self`: follow ppids (bounded: a cycle cannot
   happen, a very deep tree is not a runtime's). */
static bool
descends_from(pid_t pid, pid_t self)
{
  for (int depth = 0; pid > 1 && depth < 256; depth++)
    {
      ocitest_error_t ignored = NULL;
      proc_stat_t st;

      if (proc_stat_read(pid, &st, &ignored) < 0)
        {
          ocitest_error_release(&ignored);
          return false;
        }
      if (st.ppid == self)
        return true;
      pid = st.ppid;
    }
  return false;
}

/* Append `PID STARTTIME` of each live descendant to fd. */
static void
record_descendants(int fd)
{
  cleanup_dir DIR *d = opendir("/proc");
  pid_t self = getpid();
  struct dirent *de;

  while (d && (de = readdir(d)) != NULL)
    {
      ocitest_error_t ignored = NULL;
      pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
      proc_stat_t st;

      if (pid <= 0 || pid == self || !descends_from(pid, self))
        continue;
      if (proc_stat_read(pid, &st, &ignored) < 0)
        {
          ocitest_error_release(&ignored);
          continue;
        }
      if (st.state != 'Z')
        dprintf(fd, "%d %llu\n", (int)pid, st.start_time);
    }
}

/* Wait for the command, reaping the orphans that end meanwhile; its status. */
static int
wait_command(void)
{
  int status = 0;

  for (;;)
    {
      pid_t p = waitpid(-1, &status, 0);

      if (p == child_pid)
        break;
      if (p < 0 && errno != EINTR)
        return OCITEST_EXIT_FAIL;
    }
  /* Orphans that already exited are zombies of ours: not left running. */
  while (waitpid(-1, NULL, WNOHANG) > 0)
    ;
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int
ocitest_cmd_reap(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "record", required_argument, NULL, 'r' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *record = NULL;
  cleanup_close int fd = -1;
  int c, rc;

  options_reset();
  while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
    {
      if (c == 'r')
        record = optarg;
      else if (c == 'h')
        {
          fputs(reap_usage, stdout);
          return OCITEST_EXIT_OK;
        }
      else
        return option_error(c, argv, "reap", err);
    }
  if (record == NULL || optind >= argc)
    return ocitest_usage_error(err, "--record FILE and a COMMAND are required");
  fd = open(record, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return ocitest_make_error(err, errno, "open `%s`", record);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
    return ocitest_make_error(err, errno, "prctl PR_SET_CHILD_SUBREAPER");
  signal(SIGTERM, forward_signal);
  signal(SIGINT, forward_signal);
  signal(SIGHUP, forward_signal);
  child_pid = fork();
  if (child_pid < 0)
    return ocitest_make_error(err, errno, "fork");
  if (child_pid == 0)
    {
      signal(SIGTERM, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      signal(SIGHUP, SIG_DFL);
      execvp(argv[optind], argv + optind);
      fprintf(stderr, "ocitest reap: exec `%s`: %s\n", argv[optind], strerror(errno));
      _exit(errno == ENOENT ? 127 : 126);
    }
  rc = wait_command();
  record_descendants(fd);
  return rc;
}
