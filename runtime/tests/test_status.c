/* The state store (status.c): state.json round trip, atomic writes and the
   derived status against real processes (live, dead, zombie, recycled).  */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "tap.h"
#include "utils.h"

static char tmpdir[] = "/tmp/box-test-status.XXXXXX";

/* box_format_rfc3339 against gmtime_r and strftime, over 1970 to 2400 in
   steps that cross every month, leap days and century years.  */
static void
test_rfc3339(void)
{
  long long sec;
  int bad = 0;

  for (sec = -86400LL * 400; sec < 13569465600LL && bad < 3; sec += 86400LL * 7 + 3671)
    {
      time_t t = (time_t)sec;
      struct tm tm;
      char want[64], full[96];
      cleanup_free char *got = box_format_rfc3339(sec, 5);

      gmtime_r(&t, &tm);
      strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
      snprintf(full, sizeof(full), "%s.000000005Z", want);
      if (strcmp(got, full) != 0)
        {
          tap_diag("%lld: got %s, gmtime_r %s", sec, got, full);
          bad++;
        }
    }
  tap_ok(bad == 0, "rfc3339: the same text as gmtime_r and strftime, 1968 to 2400");
  {
    cleanup_free char *leap = box_format_rfc3339(951782400LL, 0), *end = box_format_rfc3339(4107542399LL, 999999999);
    tap_ok(strcmp(leap, "2000-02-29T00:00:00.000000000Z") == 0 && strcmp(end, "2100-02-28T23:59:59.999999999Z") == 0,
       "rfc3339: 2000 is a leap year, 2100 is not (%s, %s)", leap, end);
  }
}

static void
fill_state(box_state_t *st, pid_t pid, unsigned long long start)
{
  memset(st, 0, sizeof(*st));
  st->oci_version = "1.0.2";
  st->id = "c1";
  st->pid = pid;
  st->start_time = start;
  st->bundle = "/b";
  st->rootfs = "/b/rootfs";
  st->created = "2024-01-01T00:00:00.000000000Z";
  st->config_path = "/b/config.json";
}

static void
test_round_trip(void)
{
  cleanup_free char *tmp = xasprintf("%s/" BOX_STATE_FILE ".tmp", tmpdir);
  cleanup_free char *path = xasprintf("%s/" BOX_STATE_FILE, tmpdir);
  box_state_t st, *back = NULL;
  box_error_t err = NULL;
  struct stat sb;

  tap_ok(box_state_read(tmpdir, &back, &err) == 0 && back == NULL,
         "no state.json: read gives NULL (creating)");
  fill_state(&st, 4242, 123456789ULL);
  st.annotations = json_pack("{s:s}", "org.example", "yes");
  tap_ok(box_state_write(tmpdir, &st, &err) == 0, "state.json written");
  tap_ok(access(tmp, F_OK) < 0 && errno == ENOENT, "no .tmp file left behind");
  tap_ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "state.json is mode 0600");
  tap_ok(box_state_read(tmpdir, &back, &err) == 0 && back, "state.json read back");
  if (back)
    tap_ok(back->pid == 4242 && back->start_time == 123456789ULL && strcmp(back->id, "c1") == 0
               && strcmp(back->bundle, "/b") == 0 && strcmp(back->rootfs, "/b/rootfs") == 0
               && strcmp(back->created, st.created) == 0 && strcmp(back->config_path, "/b/config.json") == 0
               && json_equal(back->annotations, st.annotations),
           "round trip keeps every field");
  box_state_free(back);
  back = NULL;

  /* Overwrite: rename replaces the old file in one step.  */
  st.pid = 4343;
  box_state_write(tmpdir, &st, &err);
  box_state_read(tmpdir, &back, &err);
  tap_ok(back && back->pid == 4343, "second write replaces the first");
  box_state_free(back);
  back = NULL;
  json_decref(st.annotations);

  box_write_file_atomic(path, "{not json", 9, 0600, &err);
  tap_ok(box_state_read(tmpdir, &back, &err) < 0 && err && tap_contains(err->msg, BOX_STATE_FILE),
         "corrupt state.json is an error naming the file");
  box_error_release(&err);
  unlink(path);
}

/* A child that lives until we close its pipe.  */
static pid_t
spawn_sleeper(int *wfd)
{
  int p[2];
  pid_t pid;
  char c;

  if (pipe(p) < 0)
    abort();
  pid = fork();
  if (pid == 0)
    {
      close(p[1]);
      if (read(p[0], &c, 1) < 0)
        _exit(1);
      _exit(0);
    }
  close(p[0]);
  *wfd = p[1];
  return pid;
}

/* Poll (with a deadline) until pid shows state Z.  */
static bool
wait_zombie(pid_t pid)
{
  long long deadline = box_now_ms() + 5000;
  box_error_t err = NULL;

  while (box_now_ms() < deadline)
    {
      unsigned long long start;
      char state = 0;
      if (box_proc_stat(pid, &state, &start, &err) == 1 && state == 'Z')
        return true;
      box_error_release(&err);
      nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
    }
  return false;
}

static void
test_status(void)
{
  cleanup_free char *fifo = xasprintf("%s/" BOX_EXEC_FIFO, tmpdir);
  unsigned long long start = 0;
  box_error_t err = NULL;
  box_state_t st;
  char state;
  int wfd;
  pid_t pid;

  tap_ok(box_status_derive(tmpdir, NULL) == BOX_STATUS_CREATING, "no state: creating");

  pid = spawn_sleeper(&wfd);
  tap_ok(box_proc_stat(pid, &state, &start, &err) == 1 && start > 0, "start time of a live child read");
  fill_state(&st, pid, start);
  tap_ok(box_process_alive(pid, start), "live child with matching start time is alive");
  tap_ok(box_status_derive(tmpdir, &st) == BOX_STATUS_RUNNING, "live pid, no fifo: running");
  tap_ok(mkfifo(fifo, 0622) == 0, "exec fifo created");
  tap_ok(box_status_derive(tmpdir, &st) == BOX_STATUS_CREATED, "live pid, fifo present: created");

  fill_state(&st, pid, start + 1);
  tap_ok(box_status_derive(tmpdir, &st) == BOX_STATUS_STOPPED, "start time mismatch (recycled pid): stopped");

  close(wfd);
  tap_ok(wait_zombie(pid), "child became a zombie");
  fill_state(&st, pid, start);
  tap_ok(box_status_derive(tmpdir, &st) == BOX_STATUS_STOPPED, "zombie: stopped (even with the fifo)");
  {
    cleanup_free char *doc = box_state_format(&st, "c1", BOX_STATUS_STOPPED);
    tap_ok(tap_contains(doc, "\"status\": \"stopped\"") && tap_contains(doc, "\"pid\": 0")
               && !tap_contains(doc, "annotations"),
           "state document of a stopped container: pid 0, no empty annotations");
  }

  waitpid(pid, NULL, 0);
  tap_ok(box_proc_stat(pid, &state, &start, &err) == 0, "reaped pid: /proc entry gone");
  tap_ok(box_status_derive(tmpdir, &st) == BOX_STATUS_STOPPED, "dead pid: stopped");
  unlink(fifo);
}

static void
test_state_format(void)
{
  cleanup_free char *doc = NULL;
  box_state_t st;

  fill_state(&st, 77, 1);
  st.annotations = json_pack("{s:s}", "a", "b");
  doc = box_state_format(&st, "c1", BOX_STATUS_RUNNING);
  tap_ok(tap_contains(doc, "\"ociVersion\": \"1.0.2\"") && tap_contains(doc, "\"id\": \"c1\"")
             && tap_contains(doc, "\"status\": \"running\"") && tap_contains(doc, "\"pid\": 77")
             && tap_contains(doc, "\"bundle\": \"/b\"") && tap_contains(doc, "\"annotations\""),
         "state document: ociVersion, id, status, pid, bundle, annotations");
  json_decref(st.annotations);
}

static void
test_files(void)
{
  cleanup_free char *sub = xasprintf("%s/a/b/c", tmpdir);
  cleanup_free char *top = xasprintf("%s/a", tmpdir);
  cleanup_free char *file = xasprintf("%s/a/b/f", tmpdir);
  box_error_t err = NULL;

  tap_ok(box_mkdir_p(sub, 0700, &err) == 0 && box_mkdir_p(sub, 0700, &err) == 0, "mkdir -p, twice");
  box_write_file_atomic(file, "x", 1, 0600, &err);
  tap_ok(box_rm_rf(top, &err) == 0 && access(top, F_OK) < 0, "rm -rf removes the tree");
  tap_ok(box_rm_rf(top, &err) == 0, "rm -rf of a missing path succeeds");
  box_error_release(&err);
}

int
main(void)
{
  box_error_t err = NULL;

  tap_init();
  if (mkdtemp(tmpdir) == NULL)
    {
      printf("# SKIP cannot create a temporary directory\n");
      return 77;
    }
  test_rfc3339();
  test_round_trip();
  test_status();
  test_state_format();
  test_files();
  box_rm_rf(tmpdir, &err);
  box_error_release(&err);
  return tap_done();
}
