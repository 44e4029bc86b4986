/* What a container can leave behind on the host, recorded before a case and
   diffed after it: mounts, processes, state-root entries, cgroups. */
#ifndef OCITEST_HOSTSNAP_H
#define OCITEST_HOSTSNAP_H

#include "ocitest.h"

/* Poll interval while waiting for asynchronous teardown to finish. */
#define LEAKS_POLL_MS 20
/* cgroup trees are walked this deep and no deeper. */
#define SNAP_CGROUP_MAX_DEPTH 16

struct snap_opts_s
{
  /* Only new processes referring to a path under scope (root, cwd or an
     argument) count; NULL: every new process counts. */
  const char *scope;
  /* State roots whose entries are recorded (need not exist yet). */
  char *const *roots;
  size_t n_roots;
  /* When non-empty, `leaks` counts a new cgroup only if its path contains
     one of these (the case's container ids and cgroupsPaths): cgroups are
     host-wide, and a host that makes its own while a case runs (a process
     supervisor giving each command a memory cgroup) is not the runtime. */
  char *const *cgroup_names;
  size_t n_cgroup_names;
  /* `ocitest reap --record` file: `PID STARTTIME` of every process a runtime
     call left running.  Those count as the case's wherever they went, and so
     does a new process in the session one of them leads (setsid, then the
     leader exits).  NULL or missing: none. */
  const char *spawned;
  /* Only new mounts at or under scope count.  For cases run in parallel: a
     mount elsewhere cannot be told apart from another case's (the run's own
     check, before and after the whole suite, counts those). */
  bool mounts_in_scope;
};
typedef struct snap_opts_s snap_opts_t;

/* A reading: sorted "kind\tkey" lines.  Kinds: mount (id, fstype, path),
   proc (pid, start time), state (root/name), cgroup (path).  Keys are
   escaped (escape_field) so each fits on one line. */
struct snapshot_s
{
  str_list_t lines;
};
typedef struct snapshot_s snapshot_t;

int snapshot_take(const snap_opts_t *o, snapshot_t *out, ocitest_error_t *err);
int snapshot_save(const snapshot_t *s, const char *path, ocitest_error_t *err);
int snapshot_load(const char *path, snapshot_t *out, ocitest_error_t *err);
bool snapshot_has(const snapshot_t *s, const char *line);
void snapshot_free(snapshot_t *s);

/* Take fresh readings and collect what is new since `before`, one line per
   leak without the "leak: " prefix ("mount /x (tmpfs)", "process 12 sh
   (root=/b/rootfs)", "state /r/c1", "cgroup /sys/fs/cgroup/pids/c1").  While
   leaks remain, re-read every LEAKS_POLL_MS until settle_ms has passed, so
   teardown still in flight is not reported.  Returns the number of leaks in
   *leaks (0: clean) or -1. */
int leaks_find(const snapshot_t *before, const snap_opts_t *o, int64_t settle_ms, str_list_t *leaks,
               ocitest_error_t *err);

#endif
