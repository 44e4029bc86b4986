/* The container init process, from clone(2) to execve(2).
   One function per stage; each stage names itself with PR_SET_NAME so `ps`
   shows where a hang is.  Any failure is sent to the parent as
   {errno, message} and the child _exits: only the parent reports.  */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "linux.h"
#include "security.h"
#include "status.h"
#include "utils.h"

#define SYNC_TIMEOUT_MS 60000 /* the parent answers within this (plus its hooks' time) */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct box_sync_msg_s
{
  int32_t type;
  int32_t errnum;
  char msg[2048];
};

int
box_sync_send(int fd, enum box_sync_e type, int errnum, const char *msg, box_error_t *err)
{
  struct box_sync_msg_s m;

  memset(&m, 0, sizeof(m));
  m.type = type;
  m.errnum = errnum;
  if (msg)
    snprintf(m.msg, sizeof(m.msg), "%s", msg);
  if (TEMP_FAILURE_RETRY(send(fd, &m, sizeof(m), MSG_NOSIGNAL)) != (ssize_t)sizeof(m))
    return box_make_error(err, errno, "sync: send message %d", type);
  return 0;
}

/* Wait until fd is readable or deadline_ms; returns 0 or -1 (err).  */
static int
sync_poll(int fd, long long deadline_ms, box_error_t *err)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  ssize_t r;

  for (;;)
    {
      long long left = deadline_ms - box_now_ms();
      if (left <= 0)
        return box_make_error(err, ETIMEDOUT, "sync: waiting for the peer");
      r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
      if (r < 0 && errno != EINTR)
        return box_make_error(err, errno, "sync: poll");
      if (r > 0)
        return 0;
    }
}

int
box_sync_recv(int fd, enum box_sync_e want, long long deadline_ms, box_error_t *err)
{
  return box_sync_recv_value(fd, want, deadline_ms, NULL, err);
}

int
box_sync_recv_value(int fd, enum box_sync_e want, long long deadline_ms, int *value, box_error_t *err)
{
  struct box_sync_msg_s m;
  ssize_t r;

  if (sync_poll(fd, deadline_ms, err) < 0)
    return -1;
  memset(&m, 0, sizeof(m));
  r = TEMP_FAILURE_RETRY(recv(fd, &m, sizeof(m), 0));
  if (r < 0)
    return box_make_error(err, errno, "sync: receive");
  if (r == 0)
    return box_make_error(err, 0, "sync: peer exited before sending message %d", want);
  if (r != (ssize_t)sizeof(m))
    return box_make_error(err, 0, "sync: short message (%zd bytes)", r);
  m.msg[sizeof(m.msg) - 1] = '\0';
  if (m.type == BOX_SYNC_ERROR)
    {
      box_make_error(err, 0, "%s", m.msg);
      (*err)->errnum = m.errnum;
      return -1;
    }
  if (m.type != (int32_t)want)
    return box_make_error(err, 0, "sync: unexpected message %d, want %d", m.type, want);
  if (value)
    *value = m.errnum;
  return 0;
}

int
box_seccomp_send_listener_fd(int sync_fd, int notify_fd, box_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct box_sync_msg_s m = { .type = BOX_SYNC_SECCOMP };
  struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
  struct cmsghdr *cm;

  memset(&ctl, 0, sizeof(ctl));
  cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
  if (TEMP_FAILURE_RETRY(sendmsg(sync_fd, &msg, MSG_NOSIGNAL)) != (ssize_t)sizeof(m))
    return box_make_error(err, errno, "sync: send the seccomp listener fd");
  return 0;
}

int
box_sync_recv_fd(int fd, enum box_sync_e want, long long deadline_ms, box_error_t *err)
{
  union
  {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct box_sync_msg_s m;
  struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
  struct cmsghdr *cm;
  int got = -1;
  ssize_t r;

  if (sync_poll(fd, deadline_ms, err) < 0)
    return -1;
  memset(&m, 0, sizeof(m));
  memset(&ctl, 0, sizeof(ctl));
  r = TEMP_FAILURE_RETRY(recvmsg(fd, &msg, MSG_CMSG_CLOEXEC));
  if (r < 0)
    return box_make_error(err, errno, "sync: receive");
  cm = CMSG_FIRSTHDR(&msg);
  if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS
      && cm->cmsg_len == CMSG_LEN(sizeof(int)))
    memcpy(&got, CMSG_DATA(cm), sizeof(int));
  m.msg[sizeof(m.msg) - 1] = '\0';
  if (r == (ssize_t)sizeof(m) && m.type == BOX_SYNC_ERROR)
    {
      box_make_error(err, 0, "%s", m.msg);
      (*err)->errnum = m.errnum;
    }
  else if (r == 0)
    box_make_error(err, 0, "sync: peer exited before sending message %d", want);
  else if (r != (ssize_t)sizeof(m) || m.type != (int32_t)want || got < 0)
    box_make_error(err, 0, "sync: unexpected message %d, want %d with an fd", m.type, want);
  else
    return got;
  if (got >= 0)
    close(got);
  return -1;
}

int
box_sync_wait_eof(int fd, long long deadline_ms, box_error_t *err)
{
  struct box_sync_msg_s m;
  ssize_t r;

  if (sync_poll(fd, deadline_ms, err) < 0)
    return -1;
  r = TEMP_FAILURE_RETRY(recv(fd, &m, sizeof(m), 0));
  if (r < 0)
    return box_make_error(err, errno, "sync: receive");
  if (r == 0)
    return 0;
  m.msg[sizeof(m.msg) - 1] = '\0';
  if (r == (ssize_t)sizeof(m) && m.type == BOX_SYNC_ERROR)
    {
      box_make_error(err, 0, "%s", m.msg);
      (*err)->errnum = m.errnum;
      return -1;
    }
  return box_make_error(err, 0, "sync: unexpected message %d, want the end", m.type);
}

/* Stage "box:init-ns": the bits that need nothing but the namespaces.  */
static int
init_namespaces(const struct box_init_args_s *a, box_error_t *err)
{
  const char *hostname = a->config->hostname;

  prctl(PR_SET_NAME, "box:init-ns");
  if (hostname && sethostname(hostname, strlen(hostname)) < 0)
    return box_make_error(err, errno, "set hostname `%s`", hostname);
  /* rlimits and oomScoreAdj first, while the init is still fully root
     (runc sets them before any mount, too).  */
  return box_apply_process_limits(a->config->security, err);
}

/* Stage "box:init-join": a new cgroup namespace, the exec fifo, then
   root of a new user namespace (namespaces given by path were joined by
   the parent around clone: namespaces.c).  The fifo lives on the host and becomes unreachable
   by path after pivot_root, so an O_PATH fd to it (and to its directory)
   is taken here, while our fsuid is still the host's root that owns the
   0700 state directory (in a user namespace, after setresuid, it is not).  */
static int
init_join(const struct box_init_args_s *a, int *fifo_fd, int *dir_fd, box_error_t *err)
{
  cleanup_free char *fifo = xasprintf("%s/" BOX_EXEC_FIFO, a->state_dir);

  prctl(PR_SET_NAME, "box:init-join");
  /* A new cgroup namespace is rooted at the cgroup we are in when it is
     made: only now, once the parent has moved us into the container's
     (runc unshares it at the same point).  */
  if ((a->config->clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
    return box_make_error(err, errno, "unshare the cgroup namespace");
  *fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
  if (*fifo_fd < 0)
    return box_make_error(err, errno, "open exec fifo `%s`", fifo);
  *dir_fd = open(a->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*dir_fd < 0)
    return box_make_error(err, errno, "open state dir `%s`", a->state_dir);
  return box_userns_become_root(a->config->security, err);
}

/* Stage "box:init-rootfs": the config's mounts and linux.devices.  */
static int
init_mounts(const struct box_init_args_s *a, box_error_t *err)
{
  prctl(PR_SET_NAME, "box:init-rootfs");
  if (box_prepare_rootfs(a->config, a->rootfs, a->bundle, err) < 0)
    return -1;
  /* Before pivot_root: root.readonly makes `/` read-only there.  In a
     user namespace mknod is refused: bind the host's nodes (runc).  */
  if (box_create_devices(a->config->security, a->rootfs, a->config->security->userns, err) < 0)
    return -1;
  return box_finish_rootfs(a->config, a->rootfs, err);
}

/* Stage "box:init-finalize", after pivot_root, on the container's own
   /proc: sysctl and domainname, then readonly and masked paths (which
   make /proc/sys read-only, so after the sysctls), then the rootfs
   propagation (config-linux.md "Sysctl", "Masked Paths", "Readonly
   Paths", "Rootfs Mount Propagation"; runc's order).  */
static int
init_finalize_rootfs(const struct box_init_args_s *a, box_error_t *err)
{
  prctl(PR_SET_NAME, "box:init-finalize");
  if (box_apply_namespace_settings(a->config->security, err) < 0)
    return -1;
  return box_apply_paths(a->config->security, err);
}

/* The state a hook run by the init gets.  runtime-spec state.md (since
   v1.1; v1.0.2 said only "as seen by the host"): "For hooks executed in
   the container namespace, it is the pid as seen by the container", so
   getpid(): 1 with a new pid namespace, which is also what runc sends.  */
static char *
init_state(const struct box_init_args_s *a, enum box_status_e status)
{
  box_state_t st = { .oci_version = (char *)BOX_OCI_VERSION,
                     .id = (char *)a->id,
                     .pid = getpid(),
                     .bundle = (char *)a->bundle,
                     .rootfs = (char *)a->rootfs,
                     .created = (char *)a->created,
                     .annotations = a->config->annotations };

  return box_state_format_hook(&st, a->id, status);
}

/* Stage "box:init-hooks", after the mounts and before pivot_root, like
   runc: the parent runs prestart and createRuntime in the runtime
   namespace while we wait (config.md: "after the runtime environment has
   been created ... before pivot_root"), then we run createContainer in
   the container namespace, where the host's paths still resolve.  */
static int
init_create_hooks(const struct box_init_args_s *a, box_error_t *err)
{
  cleanup_free char *state = NULL;

  prctl(PR_SET_NAME, "box:init-hooks");
  /* With no prestart or createRuntime hook there is nothing to wait for
     (the parent, a fork with the same config, skips its side too): a
     round trip less, 0.3 to 0.6 ms of every create here.  */
  if (box_hooks_any(a->config, BOX_HOOKS_PARENT_CREATE)
      && (box_sync_send(a->sync_fd, BOX_SYNC_HOOKS, 0, NULL, err) < 0
          || box_sync_recv(a->sync_fd, BOX_SYNC_HOOKS_DONE,
                           box_hooks_deadline(a->config, BOX_HOOKS_PARENT_CREATE, SYNC_TIMEOUT_MS), err)
                 < 0))
    return -1;
  if (a->config->hooks[BOX_HOOK_CREATE_CONTAINER].n == 0)
    return 0;
  /* "created", as the createRuntime hooks get (container.c).  */
  state = init_state(a, BOX_STATUS_CREATED);
  return box_hooks_run(a->config, BOX_HOOK_CREATE_CONTAINER, state, a->rootfs, err);
}

/* Stage "box:init-tty": after pivot_root, so the pty is the container's.  */
static int
init_terminal(const struct box_init_args_s *a, box_error_t *err)
{
  int r;

  if (!a->config->process->terminal)
    return 0;
  prctl(PR_SET_NAME, "box:init-tty");
  if (a->console_fd < 0)
    return box_make_error(err, 0, "process.terminal is true but no --console-socket was given");
  r = box_setup_terminal(a->config, a->console_fd, true, err);
  close(a->console_fd);
  return r;
}

/* Stage "box:init-user": cwd, umask, groups and ids (config.md "User").  */
static int
init_user(const box_config_t *c, int sync_fd, box_error_t *err)
{
  prctl(PR_SET_NAME, "box:init-user");
  /* Like runc, create a missing cwd (as root, before dropping ids, and
     before a seccomp filter may deny mkdir).  */
  if (box_mkdir_p(c->process->cwd, 0755, err) < 0)
    return box_error_wrap(err, "create cwd `%s`", c->process->cwd);
  if (box_become_process_user(c, sync_fd, err) < 0)
    return -1;
  /* Changing credentials clears the parent-death signal: set it again,
     the parent is still waiting for READY.  */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  return 0;
}

/* true when this user namespace denies setgroups(2): a rootless box that
   mapped only the caller's own gid wrote "deny" (userns.c).  */
static bool
setgroups_denied(void)
{
  char buf[16] = "";
  cleanup_close int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

  return n > 0 && strncmp(buf, "deny", 4) == 0;
}

int
box_become_process_user(const box_config_t *c, int seccomp_sync_fd, box_error_t *err)
{
  const struct box_process_s *p = c->process;
  bool chdir_done = false;

  /* runc: without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN,
     so it goes in now, before the capabilities are dropped; the init's
     remaining syscalls then run under it.  With it, just before exec.
     A listener fd goes to the parent at once (seccomp.c says why).  */
  if (!c->security->no_new_privs && box_seccomp_load(c->security->seccomp, seccomp_sync_fd, err) < 0)
    return -1;
  if (box_caps_before_setuid(c->security, err) < 0)
    return -1;
  umask(p->has_umask ? p->umask : 0022);
  /* Enter cwd while still root, as runc and crun do: a cwd only root can
     search (0700) still works for another user; when root may not enter it
     (EACCES in a user namespace) the user may, so try again after.  */
#ifndef BOX_BROKEN_CWD_AFTER_SETUID
  if (chdir(p->cwd) == 0)
    chdir_done = true;
#else
  /* Broken on purpose (harness/tests/broken/cwd-after-setuid).  */
  if (0)
    ;
#endif
  else if (errno != EACCES && errno != EPERM)
    return box_make_error(err, errno, "chdir to cwd `%s`", p->cwd);
  /* With setgroups denied the groups stay what they are (the caller's,
     unmapped: nogroup), as in runc; additional ones cannot be had.  */
  if (setgroups_denied())
    {
      if (p->n_additional_gids > 0)
        return box_make_error(
            err, 0,
            "config.json: `process.user.additionalGids`: cannot be set in a rootless container "
            "whose linux.gidMappings map only the caller's gid (setgroups is denied; map "
            "subordinate gids from /etc/subgid)");
    }
  else if (setgroups(p->n_additional_gids, p->additional_gids) < 0)
    return box_make_error(err, errno, "setgroups");
  if (setgid(p->gid) < 0)
    return box_make_error(err, errno, "setgid %u", (unsigned)p->gid);
  if (setuid(p->uid) < 0)
    return box_make_error(err, errno, "setuid %u", (unsigned)p->uid);
  if (box_caps_after_setuid(c->security, err) < 0)
    return -1;
  if (!chdir_done && chdir(p->cwd) < 0)
    return box_make_error(err, errno, "chdir to cwd `%s`", p->cwd);
  return 0;
}

/* 0 when path is a regular file we may execute, else an errno value.  */
static int
check_executable(const char *path)
{
  struct stat sb;

  if (stat(path, &sb) < 0)
    return errno;
  if (!S_ISREG(sb.st_mode))
    return S_ISDIR(sb.st_mode) ? EISDIR : EACCES;
  return access(path, X_OK) < 0 ? errno : 0;
}

/* Resolve args[0] like execvp, but with PATH from process.env (the
   container's, not box's), so a missing binary fails `create`, not `start`.  */
int
box_resolve_executable(const struct box_process_s *p, char **out, box_error_t *err)
{
  const char *arg0 = p->args[0];
  const char *path = DEFAULT_PATH;
  cleanup_free char *copy = NULL;
  char *dir, *save = NULL;
  size_t i;

  if (strchr(arg0, '/'))
    {
      int r = check_executable(arg0);
      if (r)
        return box_make_error(err, r, "executable `%s`", arg0);
      *out = xstrdup(arg0);
      return 0;
    }
  for (i = 0; i < p->n_env; i++)
    if (strncmp(p->env[i], "PATH=", 5) == 0)
      path = p->env[i] + 5;
  copy = xstrdup(path);
  for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
    {
      cleanup_free char *candidate = xasprintf("%s/%s", *dir ? dir : ".", arg0);
      if (check_executable(candidate) == 0)
        {
          *out = steal_pointer(&candidate);
          return 0;
        }
    }
  return box_make_error(err, 0, "executable `%s` not found in $PATH", arg0);
}

/* Stage "box:init-handshake": tell the parent we are ready, wait until it
   has recorded us, then drop the parent-death signal so the init outlives
   `box create`.  */
static int
init_handshake(int sync_fd, box_error_t *err)
{
  prctl(PR_SET_NAME, "box:init-sync");
  if (box_sync_send(sync_fd, BOX_SYNC_READY, 0, NULL, err) < 0
      || box_sync_recv(sync_fd, BOX_SYNC_COMMIT, box_now_ms() + SYNC_TIMEOUT_MS, err) < 0)
    return -1;
  prctl(PR_SET_PDEATHSIG, 0);
  return box_sync_send(sync_fd, BOX_SYNC_COMMIT_ACK, 0, NULL, err);
}

/* startContainer hooks: in the container namespace, after pivot_root, so
   their path resolves in the container (config.md); status "created"
   (runc).  Returns 0, or -1 with err naming the failing hook.  */
static int
init_start_hooks(const struct box_init_args_s *a, box_error_t *err)
{
  cleanup_free char *state = NULL;

  if (a->config->hooks[BOX_HOOK_START_CONTAINER].n == 0)
    return 0;
  prctl(PR_SET_NAME, "box:init-start");
  state = init_state(a, BOX_STATUS_CREATED);
  return box_hooks_run(a->config, BOX_HOOK_START_CONTAINER, state, "/", err);
}

/* Stage "box:init-fifo": block until `start` opens the fifo for reading
   (runtime.md: the user process runs only on start), run the
   startContainer hooks, and tell `start` on the fifo how they went: "0",
   or "E" and the error, in one write (atomic up to PIPE_BUF).  runc runs
   them after its fifo handshake, so `runc start` succeeds even when one
   fails; runtime.md "Lifecycle" step 7 wants an error, so start gets one.  */
static int
init_wait_start(const struct box_init_args_s *a, int fifo_fd, int dir_fd, box_error_t *err)
{
  cleanup_free char *proc = xasprintf("/proc/self/fd/%d", fifo_fd);
  cleanup_close int fd = -1;

  prctl(PR_SET_NAME, "box:init-fifo");
  fd = open(proc, O_WRONLY | O_CLOEXEC);
  /* Without a /proc mount in the container, reach the fifo through the
     state directory fd instead.  */
  if (fd < 0 && errno == ENOENT)
    fd = openat(dir_fd, BOX_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return box_make_error(err, errno, "open exec fifo");
  if (init_start_hooks(a, err) < 0)
    {
      cleanup_free char *msg = xasprintf("E%.*s", PIPE_BUF - 2, (*err)->msg);
      /* If this write fails, start sees EOF and the init gone instead.  */
      ssize_t ignored = write(fd, msg, strlen(msg));
      (void)ignored;
      return -1;
    }
  if (TEMP_FAILURE_RETRY(write(fd, "0", 1)) != 1)
    return box_make_error(err, errno, "write exec fifo");
  return 0;
}

/* The init is pid 1 of its pid namespace: the kernel drops signals sent to
   it that it has no handler for (except SIGKILL/SIGSTOP from an ancestor
   namespace).  Until execve resets them, handlers make `kill` work on a
   created container, as with runc.  */
static void
on_signal(int sig)
{
  _exit(128 + sig);
}

static void
init_catch_signals(void)
{
  static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE };
  struct sigaction sa;
  size_t i;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
    sigaction(sigs[i], &sa, NULL);
}

static void __attribute__((noreturn)) init_fail(int sync_fd, box_error_t *err)
{
  box_error_t ignored = NULL;
  box_sync_send(sync_fd, BOX_SYNC_ERROR, (*err)->errnum, (*err)->msg, &ignored);
  _exit(1);
}

static void __attribute__((noreturn)) init_main(const struct box_init_args_s *a)
{
  const struct box_process_s *p = a->config->process;
  cleanup_close int fifo_fd = -1, dir_fd = -1;
  cleanup_free char *exe = NULL;
  char **home_env = NULL; /* p->env plus HOME, or NULL: kept until execve */
  box_error_t err = NULL;

  /* If `box create` dies during setup, so does the half-made container.  */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  close(a->parent_fd);
  /* Nothing before the parent has moved us into the container's cgroups
     (config-linux.md "Control groups"): every mount, hook and process of
     the setup is then charged and limited there, as in runc.  */
  prctl(PR_SET_NAME, "box:init-cgroup");
  if (box_sync_recv(a->sync_fd, BOX_SYNC_CGROUP, box_now_ms() + SYNC_TIMEOUT_MS, &err) < 0
      || (a->cgroup_self_v1 && box_cgroup_enter_self_v1(a->cgroup, &err) < 0))
    init_fail(a->sync_fd, &err);
  if (init_join(a, &fifo_fd, &dir_fd, &err) < 0 || init_namespaces(a, &err) < 0 || init_mounts(a, &err) < 0
      || init_create_hooks(a, &err) < 0
      || box_pivot_root(a->rootfs, a->config->root_readonly, a->no_pivot, &err) < 0
      || init_finalize_rootfs(a, &err) < 0
      || init_terminal(a, &err) < 0
      /* HOME from the container's passwd, read before seccomp may deny it.  */
      || ((home_env = box_env_with_home(p->env, p->uid, "/etc/passwd")),
          init_user(a->config, a->sync_fd, &err) < 0)
      || box_resolve_executable(p, &exe, &err) < 0)
    init_fail(a->sync_fd, &err);
  /* A listener needs the sync socket, closed after the handshake: as in
     runc, with noNewPrivileges and SCMP_ACT_NOTIFY the filter goes in
     here, before READY, and the init's last syscalls (handshake, fifo,
     execve) run under it too.  */
  if (a->config->security->no_new_privs && box_seccomp_listener(a->config->security->seccomp)
      && box_seccomp_load(a->config->security->seccomp, a->sync_fd, &err) < 0)
    init_fail(a->sync_fd, &err);
  if (init_handshake(a->sync_fd, &err) < 0)
    _exit(1);
  close(a->sync_fd);
  init_catch_signals();
  if (init_wait_start(a, fifo_fd, dir_fd, &err) < 0)
    _exit(1);
    /* A detached container must not hold the caller's pipes or our fds;
       --preserve-fds N hands on 3..3+N-1 (runc's ExtraFiles).  */
#ifndef BOX_BROKEN_DROPS_PRESERVED_FDS
  box_pass_fds(a->preserve_fds);
#else
  box_close_fds_from(3); /* broken on purpose: harness/tests/broken/drops-preserved-fds */
#endif
  prctl(PR_SET_NAME, "box:init-exec");
  /* With noNewPrivileges, seccomp is the very last step (runc: "as close
     to execve as possible"), so only the user process runs under it.  */
  if (a->config->security->no_new_privs && !box_seccomp_listener(a->config->security->seccomp)
      && box_seccomp_load(a->config->security->seccomp, -1, &err) < 0)
    {
      cleanup_free char *msg = xasprintf("box: %s\n", err->msg);
      if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
        _exit(127);
      _exit(127);
    }
  execve(exe, p->args, home_env ? home_env : p->env);
  {
    /* Past start nobody waits on the sync socket: stderr is all there is.  */
    cleanup_free char *msg = xasprintf("box: exec `%s`: %s\n", exe, strerror(errno));
    if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
      _exit(127);
  }
  _exit(127);
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* linux/sched.h's struct clone_args (v2, Linux 5.7), which glibc's
   headers do not have.  */
struct box_clone_args_s
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
      cgroup;
};

/* The raw syscalls with no stack behave like fork(2) (the child runs on
   a copy of our stack), and unlike unshare(CLONE_NEWPID) make the child
   itself pid 1 of the new pid namespace.  clone3 can start it in its v2
   cgroup; a kernel without CLONE_INTO_CGROUP gets the plain clone, and
   the parent moves the init by pid.  */
static pid_t
clone_process(const struct box_init_args_s *a)
{
  unsigned long flags = (unsigned long)(a->config->clone_flags & ~CLONE_NEWCGROUP);
  pid_t pid;

  if (a->cgroup_v2_fd >= 0)
    {
      struct box_clone_args_s ca = { .flags = flags | CLONE_INTO_CGROUP,
                                     .exit_signal = SIGCHLD,
                                     .cgroup = (uint64_t)a->cgroup_v2_fd };
      pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
      if (pid > 0)
        *a->cloned_into_v2 = true;
      if (pid >= 0)
        return pid;
    }
  return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

pid_t
box_clone_init(const struct box_init_args_s *a, box_error_t *err)
{
  int saved[sizeof(a->config->ns_joins) / sizeof(a->config->ns_joins[0])];
  box_error_t ignored = NULL;
  pid_t pid;
  size_t i;

  for (i = 0; i < sizeof(saved) / sizeof(saved[0]); i++)
    saved[i] = -1;
  if (box_ns_join_enter(a->config, saved, err) < 0)
    {
      box_ns_join_leave(a->config, saved, &ignored);
      box_error_release(&ignored);
      return -1;
    }
  pid = clone_process(a);
  if (pid == 0)
    init_main(a);
  if (pid < 0)
    {
      box_make_error(err, errno, "clone container init");
      box_ns_join_leave(a->config, saved, &ignored);
      box_error_release(&ignored);
      return -1;
    }
  /* The init waits for BOX_SYNC_CGROUP: its uid/gid maps and
     oom_score_adj are in place before it does anything.  */
  if (box_ns_join_leave(a->config, saved, err) < 0
      || box_setup_init_process(pid, a->config->security, err) < 0)
    {
      kill(pid, SIGKILL);
      TEMP_FAILURE_RETRY(waitpid(pid, NULL, 0));
      return -1;
    }
  return pid;
}
