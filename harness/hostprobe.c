/* host_probe: what this host lets a runtime do.  Every answer comes from
   really trying (in a throw-away child where the attempt changes the caller),
   never from the uid alone: root in a container may lack CAP_SYS_ADMIN, and a
   plain user may have user namespaces. */
#include "hostprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* A probe child only calls unshare(2) or similar; if it is not done in this
   long something is badly wrong, and we answer "no" rather than hang. */
#define PROBE_CHILD_TIMEOUT_MS 5000
/* include/uapi/linux/capability.h */
#define CAP_SYS_ADMIN_BIT 21
/* Conventional overflow uid/gid, used to test "as an unprivileged user". */
#define NOBODY_ID 65534

static const struct
{
  const char *key;
  int flag;
} ns_table[HOST_NS_COUNT] = {
  [HOST_NS_PID] = { "ns_pid", CLONE_NEWPID },    [HOST_NS_MOUNT] = { "ns_mount", CLONE_NEWNS },
  [HOST_NS_UTS] = { "ns_uts", CLONE_NEWUTS },    [HOST_NS_IPC] = { "ns_ipc", CLONE_NEWIPC },
  [HOST_NS_NET] = { "ns_net", CLONE_NEWNET },    [HOST_NS_CGROUP] = { "ns_cgroup", CLONE_NEWCGROUP },
  [HOST_NS_USER] = { "ns_user", CLONE_NEWUSER },
};

const char *
host_ns_key(enum host_ns_e ns)
{
  return ns_table[ns].key;
}

/* Run fn(arg) in a forked child; its return value becomes the exit code.
   Returns the exit code, or -1 if the child died, timed out or could not be
   forked. */
static int
run_probe_child(int (*fn)(const void *), const void *arg)
{
  cleanup_pid pid_t pid = fork();
  int64_t deadline = now_ms() + PROBE_CHILD_TIMEOUT_MS;
  int status;

  if (pid < 0)
    return -1;
  if (pid == 0)
    _exit(fn(arg));
  while (now_ms() < deadline)
    {
      pid_t r = waitpid(pid, &status, WNOHANG);

      if (r == pid)
        {
          pid = -1;
          return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
      if (r < 0 && errno != EINTR)
        return -1;
      sleep_ms(1);
    }
  return -1; /* cleanup_pid kills and reaps it */
}

static int
try_unshare(const void *arg)
{
  return unshare(*(const int *)arg) == 0 ? 0 : 1;
}

enum
{
  USERNS_OK = 0,
  USERNS_DENIED = 1,
  USERNS_CANNOT_DROP = 2,
};

/* As root, "can an unprivileged user create a user namespace" is answered by
   becoming nobody first: that is what kernel.unprivileged_userns_clone and
   user.max_user_namespaces decide, and what rootless cases need. */
static int
try_unprivileged_userns(const void *arg)
{
  (void)arg;
  if (geteuid() == 0)
    {
      if (setgroups(0, NULL) < 0 || setresgid(NOBODY_ID, NOBODY_ID, NOBODY_ID) < 0
          || setresuid(NOBODY_ID, NOBODY_ID, NOBODY_ID) < 0)
        return USERNS_CANNOT_DROP;
    }
  return unshare(CLONE_NEWUSER) == 0 ? USERNS_OK : USERNS_DENIED;
}

static bool
read_cap_sys_admin(void)
{
  cleanup_free char *status = NULL;
  ocitest_error_t err = NULL;
  const char *line;
  unsigned long long caps;

  if (read_file("/proc/self/status", 1 << 20, &status, NULL, &err) < 0)
    {
      ocitest_error_release(&err);
      return false;
    }
  line = strstr(status, "\nCapEff:");
  if (line == NULL)
    return false;
  caps = strtoull(line + strlen("\nCapEff:"), NULL, 16);
  return (caps >> CAP_SYS_ADMIN_BIT) & 1;
}

static bool
probe_seccomp(void)
{
  cleanup_free char *status = NULL;
  ocitest_error_t err = NULL;

  /* PR_GET_SECCOMP fails with EINVAL on a kernel built without seccomp. */
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0)
    return true;
  if (read_file("/proc/self/status", 1 << 20, &status, NULL, &err) < 0)
    {
      ocitest_error_release(&err);
      return false;
    }
  return strstr(status, "\nSeccomp:") != NULL;
}

/* A console needs the whole chain: a master, and a slave that can be opened
   (devpts mounted and usable), not only posix_openpt(). */
static bool
probe_pty(void)
{
  cleanup_close int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  cleanup_close int slave = -1;
  char name[128];

  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
    return false;
  if (ptsname_r(master, name, sizeof(name)) != 0)
    return false;
  slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  return slave >= 0;
}

/* mkdir + rmdir of a scratch group directly below a hierarchy's mount. */
static bool
cgroup_dir_writable(const char *mount_point)
{
  cleanup_free char *dir = xasprintf("%s/ocitest-probe-%d", mount_point, (int)getpid());

  if (mkdir(dir, 0755) < 0)
    return false;
  rmdir(dir);
  return true;
}

static void
probe_cgroups(host_probe_t *out, const mount_table_t *mt)
{
  bool have_v1 = false, v1_writable = true, v2_at_root = false;
  const char *v2 = NULL;
  cleanup_free char *controllers = NULL;
  ocitest_error_t err = NULL;

  for (size_t i = 0; i < mt->len; i++)
    {
      cleanup_free char *mp = xstrdup(mt->items[i].mount_point);

      unescape_field(mp);
      if (strcmp(mt->items[i].fstype, "cgroup2") == 0)
        {
          bool at_root = strcmp(mp, "/sys/fs/cgroup") == 0;

          /* Prefer /sys/fs/cgroup itself if some other cgroup2 mount
             (a bind into a chroot, say) is listed first. */
          v2_at_root = v2_at_root || at_root;
          if (v2 == NULL || at_root)
            {
              free(out->cgroup_v2_path);
              out->cgroup_v2_path = xstrdup(mp);
              v2 = out->cgroup_v2_path;
            }
        }
      else if (strcmp(mt->items[i].fstype, "cgroup") == 0)
        {
          have_v1 = true;
          /* A v1 runtime creates its group in every hierarchy, so one
             read-only hierarchy is enough to make cgroups unusable. */
          if (v1_writable && !cgroup_dir_writable(mp))
            v1_writable = false;
        }
    }

  /* runc's rule: a cgroup2 /sys/fs/cgroup is the unified mode whatever
     else is mounted; otherwise v1 hierarchies decide, plus a cgroup2 mount
     beside them (usually /sys/fs/cgroup/unified) for hybrid. */
  if (v2_at_root || (v2 && !have_v1))
    {
      out->cgroup = "v2";
      out->cgroup_writable = cgroup_dir_writable(v2);
    }
  else if (have_v1)
    {
      out->cgroup = v2 ? "hybrid" : "v1";
      out->cgroup_writable = v1_writable;
    }
  else
    out->cgroup = "none";
  if (out->cgroup_v2_path == NULL)
    out->cgroup_v2_path = xstrdup("");

  out->cgroup_v2_controllers = xstrdup("");
  if (v2)
    {
      cleanup_free char *path = xasprintf("%s/cgroup.controllers", v2);

      if (read_file(path, 4096, &controllers, NULL, &err) == 0)
        {
          controllers[strcspn(controllers, "\n")] = '\0';
          free(out->cgroup_v2_controllers);
          out->cgroup_v2_controllers = steal_pointer(&controllers);
        }
      ocitest_error_release(&err);
    }
}

/* The controllers this kernel has enabled, from /proc/cgroups
   ("#subsys_name hierarchy num_cgroups enabled"), as " a b c " for
   whole-word lookups; NULL when it cannot be read. */
static char *
kernel_controllers(void)
{
  cleanup_free char *text = NULL;
  ocitest_error_t err = NULL;
  char *line, *save = NULL, *known = xstrdup(" ");

  if (read_file("/proc/cgroups", 1 << 16, &text, NULL, &err) < 0)
    {
      ocitest_error_release(&err);
      return known;
    }
  for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    {
      char name[64];
      int enabled = 0;

      if (line[0] != '#' && sscanf(line, "%63s %*d %*d %d", name, &enabled) == 2 && enabled)
        {
          char *grown = xasprintf("%s%s ", known, name);
          free(known);
          known = grown;
        }
    }
  return known;
}

static void
add_ctrl(host_probe_t *out, const char *name, bool writable)
{
  for (size_t i = 0; i < out->n_cgroup_ctrls; i++)
    if (strcmp(out->cgroup_ctrls[i].name, name) == 0)
      return;
  out->cgroup_ctrls = xrealloc(out->cgroup_ctrls, (out->n_cgroup_ctrls + 1) * sizeof(*out->cgroup_ctrls));
  out->cgroup_ctrls[out->n_cgroup_ctrls].name = xstrdup(name);
  out->cgroup_ctrls[out->n_cgroup_ctrls++].writable = writable;
}

/* One mountinfo line of a v1 hierarchy: its controllers are those of the
   super-block options (after " - cgroup SOURCE ") the kernel knows. */
static void
add_v1_line(host_probe_t *out, char *line, const char *known)
{
  char *sep = strstr(line, " - cgroup "), *opts, *tok, *save = NULL;
  char mp[4096];
  bool writable;

  /* proc(5) mountinfo: field 5 is the mount point (spaces escaped). */
  if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
    return;
  opts = strchr(sep + strlen(" - cgroup "), ' ');
  if (opts == NULL)
    return;
  unescape_field(mp);
  writable = cgroup_dir_writable(mp);
  for (tok = strtok_r(opts + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    {
      cleanup_free char *word = xasprintf(" %s ", tok);
      if (strstr(known, word))
        add_ctrl(out, tok, writable);
    }
}

/* cgroup_controllers and cgroup_writable_<ctrl>: what `requires_cgroup`
   needs to skip a case whose controller this host cannot give. */
static void
probe_controllers(host_probe_t *out)
{
  cleanup_free char *known = kernel_controllers(), *text = NULL, *v2c = NULL;
  ocitest_error_t err = NULL;
  char *line, *save = NULL, *tok;

  if (read_file("/proc/self/mountinfo", 1 << 22, &text, NULL, &err) == 0)
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
      add_v1_line(out, line, known);
  ocitest_error_release(&err);
  /* v2: usable once the root offers it (a v1 hierarchy that claims a
     controller removes it from cgroup.controllers). */
  v2c = xstrdup(out->cgroup_v2_controllers);
  save = NULL;
  for (tok = strtok_r(v2c, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    add_ctrl(out, tok, cgroup_dir_writable(out->cgroup_v2_path));
}

int
host_probe(host_probe_t *out, ocitest_error_t *err)
{
  mount_table_t mt = { 0 };
  int r;

  memset(out, 0, sizeof(*out));
  out->euid = geteuid();
  out->cap_sys_admin = read_cap_sys_admin();
  out->root = out->euid == 0 && out->cap_sys_admin;

  /* Buffered output copied into each child would be printed twice. */
  fflush(NULL);
  for (int i = 0; i < HOST_NS_COUNT; i++)
    out->ns[i] = run_probe_child(try_unshare, &ns_table[i].flag) == 0;
  r = run_probe_child(try_unprivileged_userns, NULL);
  out->userns = r == USERNS_CANNOT_DROP ? out->ns[HOST_NS_USER] : r == USERNS_OK;

  if (mount_table_read("/proc/self/mountinfo", &mt, err) < 0)
    return -1;
  probe_cgroups(out, &mt);
  mount_table_free(&mt);
  probe_controllers(out);

  out->seccomp = probe_seccomp();
  out->pty = probe_pty();
  return 0;
}

void
host_probe_free(host_probe_t *p)
{
  free(p->cgroup_v2_path);
  free(p->cgroup_v2_controllers);
  p->cgroup_v2_path = p->cgroup_v2_controllers = NULL;
  for (size_t i = 0; i < p->n_cgroup_ctrls; i++)
    free(p->cgroup_ctrls[i].name);
  free(p->cgroup_ctrls);
  p->cgroup_ctrls = NULL;
  p->n_cgroup_ctrls = 0;
}

void
host_probe_print(const host_probe_t *p, FILE *f)
{
  fprintf(f, "euid=%u\n", (unsigned)p->euid);
  fprintf(f, "root=%d\n", p->root);
  fprintf(f, "cap_sys_admin=%d\n", p->cap_sys_admin);
  for (int i = 0; i < HOST_NS_COUNT; i++)
    fprintf(f, "%s=%d\n", ns_table[i].key, p->ns[i]);
  fprintf(f, "userns=%d\n", p->userns);
  fprintf(f, "cgroup=%s\n", p->cgroup);
  fprintf(f, "cgroup_v2_path=%s\n", p->cgroup_v2_path);
  fprintf(f, "cgroup_v2_controllers=%s\n", p->cgroup_v2_controllers);
  fprintf(f, "cgroup_writable=%d\n", p->cgroup_writable);
  fprintf(f, "cgroup_controllers=");
  for (size_t i = 0; i < p->n_cgroup_ctrls; i++)
    fprintf(f, "%s%s", i ? " " : "", p->cgroup_ctrls[i].name);
  fprintf(f, "\n");
  for (size_t i = 0; i < p->n_cgroup_ctrls; i++)
    fprintf(f, "cgroup_writable_%s=%d\n", p->cgroup_ctrls[i].name, p->cgroup_ctrls[i].writable);
  fprintf(f, "seccomp=%d\n", p->seccomp);
  fprintf(f, "pty=%d\n", p->pty);
}
