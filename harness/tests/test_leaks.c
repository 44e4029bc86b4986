/* snapshot/leaks: what a case leaves behind must be reported, and what it
   cleaned up (or what is still being torn down within the settle time) must
   not be. */
#include "hostsnap.h"
#include "tap.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char scope[] = "/tmp/ocitest-unit-XXXXXX";
static char *root;
/* snap_opts_t.mounts_in_scope for find(): cases run in parallel. */
static bool mounts_in_scope;

/* Does some leak line start with prefix? */
static bool
has_leak(const str_list_t *leaks, const char *prefix)
{
  for (size_t i = 0; i < leaks->len; i++)
    if (strncmp(leaks->items[i], prefix, strlen(prefix)) == 0)
      return true;
  return false;
}

static void
dump(const str_list_t *leaks)
{
  for (size_t i = 0; i < leaks->len; i++)
    diag("leak: %s", leaks->items[i]);
}

/* Is pid this test process or one of its descendants? */
static bool
ours(pid_t pid)
{
  proc_stat_t st;
  ocitest_error_t err = NULL;

  for (int depth = 0; pid > 1 && depth < 64; depth++)
    {
      if (pid == getpid())
        return true;
      if (proc_stat_read(pid, &st, &err) < 0)
        {
          ocitest_error_release(&err);
          return false;
        }
      pid = st.ppid;
    }
  return false;
}

/* The snapshot is host-wide, and `make unit` does not hold the acceptance
   lock: a suite running meanwhile adds its own containers' cgroups, mounts and
   processes.  Everything this test makes is named after its scope
   (ocitest-unit-...) or is one of its own processes; only those count. */
static bool
this_tests(const char *line)
{
  int pid;

  if (strstr(line, "ocitest-unit-"))
    return true;
  return sscanf(line, "process %d ", &pid) == 1 && ours(pid);
}

/* leaks_find with this test's scope and root, keeping the leaks this test
   made; -1 on error (diagnosed). */
static int
find(const snapshot_t *before, int64_t settle_ms, str_list_t *leaks)
{
  char *roots[] = { root };
  snap_opts_t o = { .scope = scope, .roots = roots, .n_roots = 1, .mounts_in_scope = mounts_in_scope };
  cleanup_str_list str_list_t all = { 0 };
  ocitest_error_t err = NULL;
  int n = leaks_find(before, &o, settle_ms, &all, &err);

  if (n < 0)
    {
      diag("leaks_find: %s", err->msg);
      ocitest_error_release(&err);
      return n;
    }
  str_list_free(leaks);
  n = 0;
  for (size_t i = 0; i < all.len; i++)
    if (this_tests(all.items[i]))
      {
        str_list_push(leaks, all.items[i]);
        all.items[i] = NULL;
        n++;
      }
  return n;
}

static void
take(snapshot_t *s)
{
  char *roots[] = { root };
  snap_opts_t o = { .scope = scope, .roots = roots, .n_roots = 1 };
  ocitest_error_t err = NULL;

  if (snapshot_take(&o, s, &err) < 0)
    {
      diag("snapshot_take: %s", err->msg);
      ocitest_error_release(&err);
      exit(1);
    }
}

static void
test_clean_and_roundtrip(void)
{
  cleanup_free char *file = xasprintf("%s/snap", scope);
  cleanup_str_list str_list_t leaks = { 0 };
  ocitest_error_t err = NULL;
  snapshot_t s, loaded = { 0 };
  bool same;

  take(&s);
  ok(s.lines.len > 0, "a snapshot records something (%zu lines)", s.lines.len);
  ok(snapshot_save(&s, file, &err) == 0 && snapshot_load(file, &loaded, &err) == 0,
     "snapshot saves and loads");
  ocitest_error_release(&err);
  same = s.lines.len == loaded.lines.len;
  for (size_t i = 0; same && i < s.lines.len; i++)
    same = strcmp(s.lines.items[i], loaded.lines.items[i]) == 0;
  ok(same, "a loaded snapshot equals the saved one");
  if (!ok(find(&loaded, 0, &leaks) == 0, "nothing new right after a snapshot"))
    dump(&leaks);
  snapshot_free(&s);
  snapshot_free(&loaded);
}

/* A child whose only link to the case is its cwd. */
static pid_t
spawn_in_scope(int exit_after_ms)
{
  pid_t pid = fork();

  if (pid == 0)
    {
      if (chdir(scope) < 0)
        _exit(1);
      if (exit_after_ms > 0)
        {
          sleep_ms(exit_after_ms);
          _exit(0);
        }
      for (;;)
        pause();
    }
  return pid;
}

static void
test_process(void)
{
  cleanup_str_list str_list_t leaks = { 0 };
  cleanup_free char *prefix = NULL;
  snapshot_t s;
  pid_t child;

  take(&s);
  child = spawn_in_scope(0);
  prefix = xasprintf("process %d ", (int)child);
  if (!ok(find(&s, 0, &leaks) > 0 && has_leak(&leaks, prefix), "a child with its cwd in the scope is a leak"))
    dump(&leaks);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  if (!ok(find(&s, 0, &leaks) == 0, "once it has exited and been reaped it is not"))
    dump(&leaks);

  /* Exits within the settle time, reaped by the kernel (SIGCHLD ignored). */
  signal(SIGCHLD, SIG_IGN);
  child = spawn_in_scope(200);
  if (!ok(find(&s, 3000, &leaks) == 0, "a process that exits during --settle is not a leak"))
    dump(&leaks);
  signal(SIGCHLD, SIG_DFL);

  /* Exits but nobody reaps it: still there at the deadline, as a zombie. */
  child = spawn_in_scope(100);
  free(prefix);
  prefix = xasprintf("process %d ", (int)child);
  if (!ok(find(&s, 400, &leaks) > 0 && has_leak(&leaks, prefix) && strstr(leaks.items[0], "zombie"),
          "a zombie still there after --settle is a leak"))
    dump(&leaks);
  waitpid(child, NULL, 0);
  snapshot_free(&s);
}

/* Like a helper a runtime's `delete` forgot: its own session, cwd /, nothing
   in the scope.  It counts only through the --spawned record that `ocitest
   reap` writes, and a process left in its session counts after it is gone. */
static void
test_spawned(void)
{
  cleanup_str_list str_list_t leaks = { 0 };
  cleanup_free char *file = xasprintf("%s/spawned", scope);
  cleanup_free char *prefix = NULL;
  char *roots[] = { root };
  snap_opts_t o = { .scope = scope, .roots = roots, .n_roots = 1, .spawned = file };
  ocitest_error_t err = NULL;
  int sync_pipe[2], n;
  pid_t child, grandchild = 0;
  proc_stat_t st;
  FILE *f;
  snapshot_t s;

  take(&s);
  if (pipe(sync_pipe) < 0)
    exit(1);
  child = fork();
  if (child == 0)
    {
      pid_t g;

      if (chdir("/") < 0 || setsid() < 0)
        _exit(1);
      g = fork();
      if (g == 0)
        for (;;)
          pause();
      if (write(sync_pipe[1], &g, sizeof(g)) < 0)
        _exit(1);
      for (;;)
        pause();
    }
  if (read(sync_pipe[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
    exit(1);
  close(sync_pipe[0]);
  close(sync_pipe[1]);
  ok(find(&s, 0, &leaks) == 0, "a detached process at / is not tied to the scope by itself");
  if (proc_stat_read(child, &st, &err) < 0 || (f = fopen(file, "we")) == NULL)
    exit(1);
  fprintf(f, "%d %llu\n", (int)child, st.start_time);
  fclose(f);
  prefix = xasprintf("process %d ", (int)child);
  n = leaks_find(&s, &o, 0, &leaks, &err);
  if (!ok(n > 0 && has_leak(&leaks, prefix), "a process in the --spawned record is a leak wherever it is"))
    dump(&leaks);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  free(prefix);
  prefix = xasprintf("process %d ", (int)grandchild);
  n = leaks_find(&s, &o, 0, &leaks, &err);
  if (!ok(n > 0 && has_leak(&leaks, prefix), "a process left in the session of a recorded one is a leak"))
    dump(&leaks);
  kill(grandchild, SIGKILL);
  n = leaks_find(&s, &o, 2000, &leaks, &err);
  if (!ok(n == 0, "once they are gone, nothing is"))
    dump(&leaks);
  unlink(file);
  snapshot_free(&s);
}

/* Like a container init: own mount namespace, pivot_root into a directory of
   the scope.  /proc/PID/root then reads "/" and the argv names nothing in the
   scope; only the root directory's identity ties it to the case. */
static pid_t
spawn_pivoted(const char *rootfs, int ready_fd)
{
  pid_t pid = fork();

  if (pid != 0)
    return pid;
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(rootfs) < 0
      || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
    _exit(1);
  if (write(ready_fd, "x", 1) != 1)
    _exit(1);
  for (;;)
    pause();
}

static void
test_container_root(void)
{
  cleanup_str_list str_list_t leaks = { 0 };
  cleanup_free char *rootfs = xasprintf("%s/bundle/rootfs", scope);
  cleanup_free char *bundle = xasprintf("%s/bundle", scope);
  cleanup_free char *want = NULL;
  int fds[2];
  char c = 0;
  snapshot_t s;
  pid_t child;

  if (geteuid() != 0)
    {
      skip("needs root (mount namespace, pivot_root)",
           "a pivoted process with its root in the scope is a leak");
      return;
    }
  mkdir(bundle, 0755);
  mkdir(rootfs, 0755);
  take(&s);
  if (pipe(fds) < 0)
    abort();
  child = spawn_pivoted(rootfs, fds[1]);
  close(fds[1]);
  if (read(fds[0], &c, 1) != 1)
    diag("pivoted child failed to set up");
  close(fds[0]);
  want = xasprintf("process %d ", (int)child);
  if (!ok(find(&s, 0, &leaks) > 0 && has_leak(&leaks, want) && strstr(leaks.items[0], rootfs),
          "a pivoted process whose root is a scope directory is a leak, named by that directory"))
    dump(&leaks);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  if (!ok(find(&s, 0, &leaks) == 0, "gone once killed"))
    dump(&leaks);
  rmdir(rootfs);
  rmdir(bundle);
  snapshot_free(&s);
}

static void
test_state_root(void)
{
  cleanup_str_list str_list_t leaks = { 0 };
  cleanup_free char *entry = xasprintf("%s/c1", root);
  cleanup_free char *want = xasprintf("state %s", entry);
  snapshot_t s;

  /* The root does not exist yet at snapshot time: the runtime makes it. */
  take(&s);
  mkdir(root, 0700);
  mkdir(entry, 0700);
  if (!ok(find(&s, 0, &leaks) == 1 && has_leak(&leaks, want), "a new entry under --root is a leak"))
    dump(&leaks);
  rmdir(entry);
  if (!ok(find(&s, 0, &leaks) == 0, "an empty root left behind is not"))
    dump(&leaks);
  snapshot_free(&s);
}

/* First v1 or v2 hierarchy where we may create a group, or NULL. */
static char *
writable_cgroup_dir(void)
{
  mount_table_t mt = { 0 };
  ocitest_error_t err = NULL;
  char *found = NULL;

  if (mount_table_read("/proc/self/mountinfo", &mt, &err) < 0)
    {
      ocitest_error_release(&err);
      return NULL;
    }
  for (size_t i = 0; i < mt.len && found == NULL; i++)
    {
      if (strncmp(mt.items[i].fstype, "cgroup", 6) != 0)
        continue;
      found = xasprintf("%s/ocitest-unit-%d", mt.items[i].mount_point, (int)getpid());
      if (mkdir(found, 0755) < 0)
        {
          free(found);
          found = NULL;
        }
      else
        rmdir(found);
    }
  mount_table_free(&mt);
  return found;
}

static void
test_cgroup(void)
{
  cleanup_str_list str_list_t leaks = { 0 };
  cleanup_free char *dir = writable_cgroup_dir();
  cleanup_free char *want = NULL;
  snapshot_t s;

  if (dir == NULL)
    {
      skip("no writable cgroup hierarchy", "a new cgroup is a leak");
      return;
    }
  want = xasprintf("cgroup %s", dir);
  take(&s);
  mkdir(dir, 0755);
  if (!ok(find(&s, 0, &leaks) == 1 && has_leak(&leaks, want), "a new cgroup is a leak"))
    dump(&leaks);
  rmdir(dir);
  if (!ok(find(&s, 0, &leaks) == 0, "a removed cgroup is not"))
    dump(&leaks);
  snapshot_free(&s);
}

static void
test_mount(void)
{
  cleanup_str_list str_list_t leaks = { 0 };
  cleanup_free char *base = xasprintf("%s/tmpfs", scope);
  cleanup_free char *dir = xasprintf("%s/tmpfs/dir", scope);
  cleanup_free char *want = xasprintf("mount %s (tmpfs)", dir);
  snapshot_t s;

  /* A private mount namespace: whatever happens, nothing reaches the host. */
  if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    {
      skip("needs root (a private mount namespace)", "a mount on a new directory in a tmpfs is a leak");
      skip("needs root (a private mount namespace)", "an unmounted one is not");
      skip("needs root (a private mount namespace)", "a mount outside the scope is a leak");
      skip("needs root (a private mount namespace)", "with --mounts-in-scope it is not the case's");
      skip("needs root (a private mount namespace)", "with --mounts-in-scope one inside the scope still is");
      return;
    }
  mkdir(base, 0755);
  if (mount("tmpfs", base, "tmpfs", 0, NULL) < 0)
    diag("mount tmpfs on %s: %s", base, strerror(errno));
  take(&s);
  mkdir(dir, 0755);
  if (mount("tmpfs", dir, "tmpfs", 0, NULL) < 0)
    diag("mount tmpfs on %s: %s", dir, strerror(errno));
  if (!ok(find(&s, 0, &leaks) == 1 && has_leak(&leaks, want),
          "a mount on a new directory in a tmpfs is a leak"))
    dump(&leaks);
  umount2(dir, MNT_DETACH);
  if (!ok(find(&s, 0, &leaks) == 0, "an unmounted one is not"))
    dump(&leaks);

  /* Cases in parallel: a mount outside the scope is another case's. */
  char outside[] = "/tmp/ocitest-unit-outside-XXXXXX";
  if (mkdtemp(outside) == NULL || mount("tmpfs", outside, "tmpfs", 0, NULL) < 0)
    diag("mount tmpfs on %s: %s", outside, strerror(errno));
  free(want);
  want = xasprintf("mount %s (tmpfs)", outside);
  if (!ok(find(&s, 0, &leaks) == 1 && has_leak(&leaks, want), "a mount outside the scope is a leak"))
    dump(&leaks);
  mounts_in_scope = true;
  if (!ok(find(&s, 0, &leaks) == 0, "with --mounts-in-scope it is not the case's"))
    dump(&leaks);
  mount("tmpfs", dir, "tmpfs", 0, NULL);
  free(want);
  want = xasprintf("mount %s (tmpfs)", dir);
  if (!ok(find(&s, 0, &leaks) == 1 && has_leak(&leaks, want), "with --mounts-in-scope one inside the scope still is"))
    dump(&leaks);
  mounts_in_scope = false;
  umount2(dir, MNT_DETACH);
  umount2(outside, MNT_DETACH);
  rmdir(outside);
  umount2(base, MNT_DETACH);
  rmdir(base);
  snapshot_free(&s);
}

int
main(void)
{
  cleanup_free char *snap = NULL;

  tap_init();
  if (mkdtemp(scope) == NULL)
    {
      perror("mkdtemp");
      return 1;
    }
  root = xasprintf("%s/root", scope);
  snap = xasprintf("%s/snap", scope);
  test_clean_and_roundtrip();
  test_process();
  test_spawned();
  test_container_root();
  test_state_root();
  test_cgroup();
  test_mount();
  unlink(snap);
  rmdir(root);
  rmdir(scope);
  free(root);
  return tap_done();
}
