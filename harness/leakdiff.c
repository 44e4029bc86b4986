/* leaks_find: diff fresh readings against a snapshot until the difference
   is empty or the settle time is over.
 *
 * Mounts, cgroups and state entries: everything new counts when the suite
 * runs one case at a time; with cases in parallel (mounts_in_scope) only
 * mounts under the case's directory do.  Processes are noisier (a cron job, the CI agent), so
 * with a scope only those that point into the case's directory count: by
 * root, cwd or an argument, or by descending from one that does.  A zombie
 * can no longer show its root or cwd, so a process seen related while alive
 * is remembered across rounds.
 *
 * Paths alone do not find a container: after pivot_root its init's
 * /proc/PID/root and cwd read back as "/" (the kernel prints them relative
 * to the task's own root) and its argv is `runc init` or the user's.  The
 * directory behind /proc/PID/root is still the bundle's rootfs, though, and
 * a bind mount keeps the device and inode, so roots and cwds are also
 * matched by (st_dev, st_ino) against the directories near the top of the
 * scope.
 *
 * And none of that finds a process that a runtime call left with its own
 * session, its cwd at / and its parent gone.  `ocitest reap` (reap.c) records
 * every process still descending from a runtime call when the call ends;
 * those (by pid and start time, so a reused pid is not them), and new
 * processes in a session one of them leads, are the case's too.  Only
 * descendants of the case's own calls are recorded, so the host's processes
 * never count. */
#include "hostsnap.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ANCESTORS 4096
#define CMDLINE_MAX_BYTES (1u << 20)
/* bundle/rootfs sits at depth 2 under a bats test dir; a little slack, but
   a scope holding a whole tree must not make every round a full walk. */
#define SCOPE_DIR_DEPTH 4
#define SCOPE_DIR_MAX 4096

struct scope_dir_s
{
  dev_t dev;
  ino_t ino;
  char *path;
};

struct new_proc_s
{
  pid_t pid;
  pid_t ppid;
  pid_t session;
  unsigned long long start_time;
  char state;
  char comm[64];
  bool related;
};

struct leak_ctx_s
{
  const snapshot_t *before;
  const snap_opts_t *o;
  char *scope_real;  /* realpath of the scope, when it resolves */
  char *scope_given; /* the scope as given, made absolute */
  pid_t ancestors[MAX_ANCESTORS];
  size_t n_ancestors;
  str_list_t related;       /* "pid start" of processes once seen related */
  struct scope_dir_s *dirs; /* directories near the top of the scope */
  size_t n_dirs;
  pid_t *spawned; /* pids in the --spawned record */
  size_t n_spawned;
};

/* Record path and the directories below it (not following symlinks, but
   crossing into mounts: a rootfs is often one). */
static void
collect_scope_dirs(struct leak_ctx_s *ctx, const char *path, int depth)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  struct stat st;

  if (ctx->n_dirs >= SCOPE_DIR_MAX || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
    return;
  ctx->dirs = xrealloc(ctx->dirs, (ctx->n_dirs + 1) * sizeof(*ctx->dirs));
  ctx->dirs[ctx->n_dirs++]
      = (struct scope_dir_s){ .dev = st.st_dev, .ino = st.st_ino, .path = xstrdup(path) };
  if (depth >= SCOPE_DIR_DEPTH || (d = opendir(path)) == NULL)
    return;
  while ((de = readdir(d)) != NULL)
    {
      cleanup_free char *child = NULL;

      if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) || strcmp(de->d_name, ".") == 0
          || strcmp(de->d_name, "..") == 0)
        continue;
      child = xasprintf("%s/%s", path, de->d_name);
      collect_scope_dirs(ctx, child, depth + 1);
    }
}

/* The scope directory that /proc/PID/<what> (root or cwd) is, or NULL. */
static const char *
scope_dir_of(const struct leak_ctx_s *ctx, pid_t pid, const char *what)
{
  char path[64];
  struct stat st;

  snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
  if (stat(path, &st) < 0)
    return NULL;
  for (size_t i = 0; i < ctx->n_dirs; i++)
    if (ctx->dirs[i].dev == st.st_dev && ctx->dirs[i].ino == st.st_ino)
      return ctx->dirs[i].path;
  return NULL;
}

/* The --spawned record: each `PID STARTTIME` line is remembered as related
   (the key classify_proc looks up), and its pid kept for session matching. */
static void
load_spawned(struct leak_ctx_s *ctx, const char *path)
{
  cleanup_file FILE *f = path ? fopen(path, "re") : NULL;
  unsigned long long start;
  int pid;

  while (f && fscanf(f, "%d %llu", &pid, &start) == 2)
    {
      if (pid <= 1)
        continue;
      str_list_push(&ctx->related, xasprintf("%d %llu", pid, start));
      ctx->spawned = xrealloc(ctx->spawned, (ctx->n_spawned + 1) * sizeof(*ctx->spawned));
      ctx->spawned[ctx->n_spawned++] = pid;
    }
}

static bool
spawned_session(const struct leak_ctx_s *ctx, pid_t session)
{
  for (size_t i = 0; i < ctx->n_spawned; i++)
    if (ctx->spawned[i] == session)
      return true;
  return false;
}

static void
ctx_init(struct leak_ctx_s *ctx, const snapshot_t *before, const snap_opts_t *o)
{
  pid_t pid = getpid();

  memset(ctx, 0, sizeof(*ctx));
  ctx->before = before;
  ctx->o = o;
  if (o->scope)
    {
      cleanup_free char *cwd = getcwd(NULL, 0);

      ctx->scope_real = realpath(o->scope, NULL);
      ctx->scope_given
          = o->scope[0] == '/' || cwd == NULL ? xstrdup(o->scope) : xasprintf("%s/%s", cwd, o->scope);
      collect_scope_dirs(ctx, ctx->scope_real ? ctx->scope_real : ctx->scope_given, 0);
    }
  load_spawned(ctx, o->spawned);
  /* ocitest and the shell (bats) that runs it are new since the snapshot
     and their cmdline names the scope, yet they are the observer. */
  while (pid > 0 && ctx->n_ancestors < MAX_ANCESTORS)
    {
      ocitest_error_t ignored = NULL;
      proc_stat_t st;

      ctx->ancestors[ctx->n_ancestors++] = pid;
      if (proc_stat_read(pid, &st, &ignored) < 0)
        {
          ocitest_error_release(&ignored);
          break;
        }
      pid = st.ppid;
    }
}

static void
ctx_free(struct leak_ctx_s *ctx)
{
  free(ctx->scope_real);
  free(ctx->scope_given);
  str_list_free(&ctx->related);
  free(ctx->spawned);
  for (size_t i = 0; i < ctx->n_dirs; i++)
    free(ctx->dirs[i].path);
  free(ctx->dirs);
}

static bool
is_ancestor(const struct leak_ctx_s *ctx, pid_t pid)
{
  for (size_t i = 0; i < ctx->n_ancestors; i++)
    if (ctx->ancestors[i] == pid)
      return true;
  return false;
}

static char *
proc_link(pid_t pid, const char *what)
{
  char path[64], buf[PATH_MAX];
  ssize_t n;

  snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
  n = readlink(path, buf, sizeof(buf) - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return xstrdup(buf);
}

static bool
under_scope(const struct leak_ctx_s *ctx, const char *path)
{
  return path
         && ((ctx->scope_real && path_is_under(path, ctx->scope_real))
             || path_is_under(path, ctx->scope_given));
}

/* Does a live process point into the scope? */
static bool
proc_in_scope(const struct leak_ctx_s *ctx, pid_t pid)
{
  cleanup_free char *root = proc_link(pid, "root");
  cleanup_free char *cwd = proc_link(pid, "cwd");
  cleanup_free char *cmdline = NULL;
  ocitest_error_t ignored = NULL;
  char path[64];
  size_t len = 0;

  if (under_scope(ctx, root) || under_scope(ctx, cwd))
    return true;
  if (scope_dir_of(ctx, pid, "root") || scope_dir_of(ctx, pid, "cwd"))
    return true;
  snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
  if (read_file(path, CMDLINE_MAX_BYTES, &cmdline, &len, &ignored) < 0)
    {
      ocitest_error_release(&ignored);
      return false;
    }
  for (size_t off = 0; off < len; off += strlen(cmdline + off) + 1)
    if ((ctx->scope_real && text_mentions_path(cmdline + off, ctx->scope_real))
        || text_mentions_path(cmdline + off, ctx->scope_given))
      return true;
  return false;
}

static bool
remembered(const struct leak_ctx_s *ctx, const char *key)
{
  for (size_t i = 0; i < ctx->related.len; i++)
    if (strcmp(ctx->related.items[i], key) == 0)
      return true;
  return false;
}

static void
classify_proc(struct leak_ctx_s *ctx, struct new_proc_s *p)
{
  cleanup_free char *key = xasprintf("%d %llu", (int)p->pid, p->start_time);

  if (ctx->o->scope == NULL || remembered(ctx, key) || spawned_session(ctx, p->session))
    p->related = true;
  else if (p->state != 'Z' && proc_in_scope(ctx, p->pid))
    {
      p->related = true;
      str_list_push(&ctx->related, steal_pointer(&key));
    }
}

/* Children of a related process are related: a container's second process
   may have neither the rootfs as root nor the bundle in its argv. */
static void
propagate_related(struct new_proc_s *procs, size_t n)
{
  bool changed = true;

  while (changed)
    {
      changed = false;
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n && !procs[i].related; j++)
          if (procs[j].related && procs[j].pid == procs[i].ppid)
            procs[i].related = changed = true;
    }
}

/* Collect the new, live-or-zombie, non-observer processes of `now`. */
static size_t
new_procs(struct leak_ctx_s *ctx, const snapshot_t *now, struct new_proc_s **out)
{
  struct new_proc_s *procs = NULL;
  size_t n = 0;

  for (size_t i = 0; i < now->lines.len; i++)
    {
      const char *line = now->lines.items[i];
      ocitest_error_t ignored = NULL;
      unsigned long long start;
      proc_stat_t st;
      int pid;

      if (strncmp(line, "proc\t", 5) != 0 || snapshot_has(ctx->before, line))
        continue;
      if (sscanf(line + 5, "%d\t%llu", &pid, &start) != 2 || is_ancestor(ctx, pid))
        continue;
      if (proc_stat_read(pid, &st, &ignored) < 0 || st.start_time != start)
        {
          ocitest_error_release(&ignored);
          continue;
        }
      procs = xrealloc(procs, (n + 1) * sizeof(*procs));
      procs[n] = (struct new_proc_s){ .pid = pid, .ppid = st.ppid, .session = st.session, .start_time = start, .state = st.state };
      memcpy(procs[n].comm, st.comm, sizeof(st.comm));
      classify_proc(ctx, &procs[n]);
      n++;
    }
  propagate_related(procs, n);
  *out = procs;
  return n;
}

static void
report_procs(struct leak_ctx_s *ctx, const snapshot_t *now, str_list_t *leaks)
{
  cleanup_free struct new_proc_s *procs = NULL;
  size_t n = new_procs(ctx, now, &procs);

  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *root = NULL;

      /* A zombie whose parent is init is dead and left to init to reap (on
         some hosts a second or more later): nothing the runtime still holds.
         A zombie of a live parent is a leak (the parent does not reap).  */
      if (!procs[i].related || (procs[i].state == 'Z' && procs[i].ppid == 1))
        continue;
      root = proc_link(procs[i].pid, "root");
      /* A container's root reads back as "/"; name the rootfs instead. */
      if (root && !under_scope(ctx, root) && scope_dir_of(ctx, procs[i].pid, "root"))
        {
          free(root);
          root = xstrdup(scope_dir_of(ctx, procs[i].pid, "root"));
        }
      str_list_pushf(leaks, "process %d %s (root=%s)%s", (int)procs[i].pid, procs[i].comm, root ? root : "?",
                     procs[i].state == 'Z' ? " zombie" : "");
    }
}

/* Whether a new cgroup is the case's: see snap_opts_s.cgroup_names. */
static bool
cgroup_wanted(const snap_opts_t *o, const char *path)
{
  if (o->n_cgroup_names == 0)
    return true;
  for (size_t i = 0; i < o->n_cgroup_names; i++)
    if (o->cgroup_names[i][0] != '\0' && strstr(path, o->cgroup_names[i]) != NULL)
      return true;
  return false;
}

/* Is the (escaped) path scope or under it? */
static bool
path_in_scope(const char *path, const char *scope)
{
  cleanup_free char *esc = escape_field(scope);
  size_t n = strlen(esc);

  while (n > 1 && esc[n - 1] == '/')
    n--;
  return strncmp(path, esc, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* mount\t<id>\t<fstype>\t<path> -> "mount <path> (<fstype>)" */
static void
report_mount(const snap_opts_t *o, const char *key, str_list_t *leaks)
{
  const char *fstype = strchr(key, '\t');
  const char *path = fstype ? strchr(fstype + 1, '\t') : NULL;

  if (path == NULL || (o->mounts_in_scope && o->scope && !path_in_scope(path + 1, o->scope)))
    return;
  fstype++;
  str_list_pushf(leaks, "mount %s (%.*s)", path + 1, (int)(path - fstype), fstype);
}

static int
diff_once(struct leak_ctx_s *ctx, str_list_t *leaks, ocitest_error_t *err)
{
  snapshot_t now;

  if (snapshot_take(ctx->o, &now, err) < 0)
    return -1;
  for (size_t i = 0; i < now.lines.len; i++)
    {
      const char *line = now.lines.items[i];

      if (snapshot_has(ctx->before, line))
        continue;
      if (strncmp(line, "mount\t", 6) == 0)
        report_mount(ctx->o, line + 6, leaks);
      else if (strncmp(line, "state\t", 6) == 0)
        str_list_pushf(leaks, "state %s", line + 6);
      else if (strncmp(line, "cgroup\t", 7) == 0 && cgroup_wanted(ctx->o, line + 7))
        str_list_pushf(leaks, "cgroup %s", line + 7);
    }
  report_procs(ctx, &now, leaks);
  snapshot_free(&now);
  return 0;
}

int
leaks_find(const snapshot_t *before, const snap_opts_t *o, int64_t settle_ms, str_list_t *leaks,
           ocitest_error_t *err)
{
  int64_t deadline = now_ms() + settle_ms;
  struct leak_ctx_s ctx;
  int ret = -1;

  ctx_init(&ctx, before, o);
  for (;;)
    {
      str_list_free(leaks);
      if (diff_once(&ctx, leaks, err) < 0)
        break;
      /* Only what is still there at the deadline is a leak: runtimes tear
         down asynchronously (a killed init is reaped, a mount's last
         reference dropped, an exited process's cgroup emptied). */
      if (leaks->len == 0 || now_ms() >= deadline)
        {
          ret = leaks->len > INT_MAX ? INT_MAX : (int)leaks->len;
          break;
        }
      sleep_ms(LEAKS_POLL_MS);
    }
  ctx_free(&ctx);
  return ret;
}
