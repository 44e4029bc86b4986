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
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static const char reap_usage[]
    = "usage: ocitest reap --record FILE [--timeout SECONDS [--kill-after SECONDS]]\n"
      "                   -- COMMAND [ARG...]\n"
      "Run COMMAND as a child subreaper; when it exits, append `PID STARTTIME` of every\n"
      "process still descending from it to FILE; exit with COMMAND's status (128+N for\n"
      "a death by signal N). With --timeout, as timeout(1): COMMAND (its own process\n"
      "group) gets SIGTERM after SECONDS and SIGKILL --kill-after SECONDS later; the\n"
      "exit is then 124 (ended after the TERM) or 137 (killed).\n";

static pid_t child_pid = -1;
static volatile sig_atomic_t alarm_fired;

/* Signals for us are for the command (a timeout(1) or bats ending it). */
static void
forward_signal(int sig)
{
  if (child_pid > 0)
    kill(child_pid, sig);
}

static void
on_alarm(int sig)
{
  (void)sig;
  alarm_fired = 1;
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

/* Append `PID STARTTIME` of pid to fd unless it is a zombie.  */
static void
record_one(int fd, pid_t pid)
{
  ocitest_error_t ignored = NULL;
  proc_stat_t st;

  if (proc_stat_read(pid, &st, &ignored) < 0)
    {
      ocitest_error_release(&ignored);
      return;
    }
  if (st.state != 'Z')
    dprintf(fd, "%d %llu\n", (int)pid, st.start_time);
}

/* The children of every thread of pid, from /proc/PID/task/TID/children
   (a Go runtime forks from any thread), appended to *list.  */
static void
add_children(pid_t pid, pid_t **list, size_t *len, size_t *cap)
{
  char path[64];
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  d = opendir(path);
  while (d && (de = readdir(d)) != NULL)
    {
      cleanup_file FILE *f = NULL;
      char cpath[352];
      int child;

      if (de->d_name[0] == '.')
        continue;
      snprintf(cpath, sizeof cpath, "%s/%s/children", path, de->d_name);
      f = fopen(cpath, "re");
      while (f && fscanf(f, "%d", &child) == 1)
        {
          if (*len == *cap)
            {
              *cap = *cap ? *cap * 2 : 16;
              *list = xrealloc(*list, *cap * sizeof **list);
            }
          (*list)[(*len)++] = (pid_t)child;
        }
    }
}

/* Without /proc/PID/task/TID/children: every process on the host, by ppid.  */
static void
record_descendants_scan(int fd)
{
  cleanup_dir DIR *d = opendir("/proc");
  pid_t self = getpid();
  struct dirent *de;

  while (d && (de = readdir(d)) != NULL)
    {
      pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);

      if (pid <= 0 || pid == self || !descends_from(pid, self))
        continue;
      record_one(fd, pid);
    }
}

/* Append `PID STARTTIME` of each live descendant to fd: a walk down the
   children lists from ourselves (a process forked meanwhile by one already
   listed is found through it).  */
void
reap_record_descendants(int fd)
{
  cleanup_free pid_t *list = NULL;
  size_t len = 0, cap = 0;
  char self_children[64];

  /* CONFIG_PROC_CHILDREN: without it, the scan of the whole host.  */
  snprintf(self_children, sizeof self_children, "/proc/self/task/%d/children", (int)getpid());
  if (access(self_children, R_OK) < 0)
    {
      record_descendants_scan(fd);
      return;
    }
  add_children(getpid(), &list, &len, &cap);
  for (size_t i = 0; i < len && i < 65536; i++)
    {
      record_one(fd, list[i]);
      add_children(list[i], &list, &len, &cap);
    }
}

/* Wait for the command, reaping the orphans that end meanwhile; its status.
   With a timeout (seconds, 0 for none): SIGTERM to the command's process
   group when it runs out, SIGKILL kill_after seconds later (timeout(1)).  */
static int
wait_command(unsigned timeout, unsigned kill_after)
{
  int status = 0, stage = 0;

  if (timeout > 0)
    alarm(timeout);
  for (;;)
    {
      pid_t p = waitpid(-1, &status, 0);

      if (p == child_pid)
        break;
      if (p < 0 && errno == EINTR && alarm_fired)
        {
          alarm_fired = 0;
          stage++;
          kill(-child_pid, stage == 1 ? SIGTERM : SIGKILL);
          if (stage == 1)
            alarm(kill_after > 0 ? kill_after : 1);
          continue;
        }
      if (p < 0 && errno != EINTR)
        return OCITEST_EXIT_FAIL;
    }
  alarm(0);
  /* Orphans that already exited are zombies of ours: not left running. */
  while (waitpid(-1, NULL, WNOHANG) > 0)
    ;
  if (stage == 1)
    return 124;
  if (stage > 1)
    return 128 + SIGKILL;
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

/* A whole number of seconds for --timeout / --kill-after.  */
static int
parse_seconds(const char *opt, const char *arg, unsigned *out, ocitest_error_t *err)
{
  char *end;
  unsigned long v;

  errno = 0;
  v = strtoul(arg, &end, 10);
  if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v > 86400)
    return ocitest_usage_error(err, "--%s `%s`: not a whole number of seconds (0 to 86400)", opt, arg);
  *out = (unsigned)v;
  return 0;
}

int
ocitest_cmd_reap(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "record", required_argument, NULL, 'r' },
    { "timeout", required_argument, NULL, 't' },
    { "kill-after", required_argument, NULL, 'k' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *record = NULL;
  cleanup_close int fd = -1;
  unsigned timeout = 0, kill_after = 0;
  struct sigaction sa;
  int c, rc;

  options_reset();
  while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
    {
      if (c == 'r')
        record = optarg;
      else if (c == 't')
        {
          if (parse_seconds("timeout", optarg, &timeout, err) < 0)
            return -1;
        }
      else if (c == 'k')
        {
          if (parse_seconds("kill-after", optarg, &kill_after, err) < 0)
            return -1;
        }
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
  /* No SA_RESTART: the alarm must interrupt waitpid.  */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  child_pid = fork();
  if (child_pid < 0)
    return ocitest_make_error(err, errno, "fork");
  if (child_pid == 0)
    {
      signal(SIGTERM, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      signal(SIGHUP, SIG_DFL);
      signal(SIGALRM, SIG_DFL);
      /* As timeout(1): the command and what it forks in a group of its own,
         signalled as one when the time is up.  */
      if (timeout > 0)
        setpgid(0, 0);
      execvp(argv[optind], argv + optind);
      fprintf(stderr, "ocitest reap: exec `%s`: %s\n", argv[optind], strerror(errno));
      _exit(errno == ENOENT ? 127 : 126);
    }
  if (timeout > 0)
    setpgid(child_pid, child_pid); /* either side may run first */
  rc = wait_command(timeout, kill_after);
  reap_record_descendants(fd);
  return rc;
}
