/* exec: a new process in a running container (runc's `exec`).  It joins
   every namespace of the container's init, its cgroups and its root, and
   gets the security context the process object asks for, as the init did
   (linux.c, security.c, seccomp.c, terminal.c).

   Three processes, as in runc's nsexec: box exec (the parent) forks a
   helper, moves it into the container's cgroups, and the helper joins
   the namespaces (user first, then the others).  A pid or time namespace
   applies only to children, so the helper clones the process itself,
   with CLONE_PARENT: box exec is its parent and can wait for its exit
   status.  The helper reports the process's host pid and exits; the
   process reports an error over the sync socket, or execs, which closes
   its end (CLOEXEC) and tells box exec that it runs.  */
#include <errno.h>
#include <fcntl.h>
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
#include "exec.h"
#include "lifecycle.h"
#include "linux.h"
#include "log.h"
#include "utils.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define EXEC_TIMEOUT_MS 30000 /* the process is set up and exec'd within this */
#define N_NS 8

/* /proc/PID/ns/NAME in the order they are joined: the user namespace
   first, so that its capabilities allow joining the others (runc).  */
static const struct
{
  const char *name;
  int type;
} ns_table[N_NS] = {
  { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC },       { "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },
  { "pid", CLONE_NEWPID },   { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME }, { "mnt", CLONE_NEWNS },
};

struct exec_s
{
  const box_context_t *ctx;
  const struct box_exec_s *e;
  box_config_t *config;
  box_cgroup_t *cgroup;
  int ns_fd[N_NS]; /* the init's namespaces that are not already ours, else -1 */
  int console_fd;
  int sync_fd;  /* the children's end of the sync socket */
  pid_t helper; /* the helper, until reaped */
  pid_t pid;    /* the process, once cloned */
};

static void
exec_release(struct exec_s *x)
{
  size_t i;

  box_config_free(x->config);
  box_cgroup_free(x->cgroup);
  for (i = 0; i < N_NS; i++)
    cleanup_closep(&x->ns_fd[i]);
  cleanup_closep(&x->console_fd);
  cleanup_closep(&x->sync_fd);
}

/* The init's namespace NAME, unless it is ours too (joining our own user
   namespace is EINVAL; a container may share any namespace with us).
   A kernel without it (time before 5.6): skipped.  */
static int
open_ns(pid_t pid, size_t i, int *out, box_error_t *err)
{
  cleanup_free char *path = xasprintf("/proc/%d/ns/%s", (int)pid, ns_table[i].name);
  cleanup_free char *own = xasprintf("/proc/self/ns/%s", ns_table[i].name);
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat theirs, ours;

  if (fd < 0 && errno == ENOENT && access(own, F_OK) < 0)
    return 0;
  if (fd < 0 || fstat(fd, &theirs) < 0)
    return box_make_error(err, errno, "open the container's `%s` namespace `%s`", ns_table[i].name, path);
  if (stat(own, &ours) == 0 && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
    return 0;
  *out = steal_fd(&fd);
  return 0;
}

/* Open the init's namespaces through a pidfd checked against its start
   time: a pid recycled in between would make us join a stranger.  */
static int
open_namespaces(struct exec_s *x, const box_state_t *st, box_error_t *err)
{
  cleanup_close int pidfd = -1;
  size_t i;
  int r;

  r = box_pidfd_open_checked(st->pid, st->start_time, &pidfd, err);
  if (r <= 0)
    return r < 0 ? -1 : box_make_error(err, 0, "container init %d has exited", (int)st->pid);
  for (i = 0; i < N_NS; i++)
    if (open_ns(st->pid, i, &x->ns_fd[i], err) < 0)
      return -1;
  if (!box_process_alive(st->pid, st->start_time))
    return box_make_error(err, 0, "container init %d has exited", (int)st->pid);
  return 0;
}

/* The container must be running, and not paused: a process joining a
   frozen cgroup would stop there before it ever ran.  */
static int
check_running(struct exec_s *x, const char *dir, const box_state_t *st, box_error_t *err)
{
  enum box_status_e status = box_status_derive(dir, st);

  if (status != BOX_STATUS_RUNNING)
    return box_make_error(err, 0, "status is %s, want running", box_status_name(status));
  if (st->cgroups && box_cgroup_from_json(st->cgroups, &x->cgroup, err) < 0)
    return -1;
  if (box_cgroup_freezing(x->cgroup))
    return box_make_error(err, 0, "the container is paused");
  return 0;
}

/* A terminal needs a console socket, and a console socket a terminal
   (runc refuses both mismatches).  */
static int
check_terminal(struct exec_s *x, box_error_t *err)
{
  bool terminal = x->config->process->terminal;

  if (terminal && x->ctx->console_socket == NULL)
    return box_make_error(err, 0, "process.terminal is true but no --console-socket was given");
  if (!terminal && x->ctx->console_socket)
    return box_make_error(err, 0, "--console-socket was given but process.terminal is false");
  if (terminal)
    {
      x->console_fd = box_console_connect(x->ctx->console_socket, err);
      if (x->console_fd < 0)
        return -1;
    }
  return 0;
}

static void __attribute__((noreturn)) child_fail(int fd, box_error_t *err)
{
  box_error_t ignored = NULL;
  box_sync_send(fd, BOX_SYNC_ERROR, (*err)->errnum, (*err)->msg, &ignored);
  _exit(1);
}

/* The process, in every namespace of the container and in its mount
   namespace's root (setns put us there): the init's steps from rlimits
   to execve, minus what only an init does (mounts, hostname, sysctl,
   /dev/console).  */
static void __attribute__((noreturn)) exec_process(const struct exec_s *x)
{
  const box_config_t *c = x->config;
  cleanup_free char *exe = NULL;
  box_error_t err = NULL;

  prctl(PR_SET_NAME, "box:exec-proc");
  if (box_apply_process_limits(c->security, &err) < 0
      || (c->process->terminal && box_setup_terminal(c, x->console_fd, false, &err) < 0)
      || box_become_process_user(c, -1, &err) < 0 || box_resolve_executable(c->process, &exe, &err) < 0)
    child_fail(x->sync_fd, &err);
  if (c->security->no_new_privs && box_seccomp_load(c->security->seccomp, -1, &err) < 0)
    child_fail(x->sync_fd, &err);
  /* Only the preserved fds go on; our own are CLOEXEC.  */
  box_pass_fds(x->e->preserve_fds);
  execve(exe, c->process->args, c->process->env);
  {
    cleanup_free char *msg = xasprintf("box: exec `%s`: %s\n", exe, strerror(errno));
    if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
      _exit(127);
  }
  _exit(127);
}

/* The helper: once in the container's cgroups, join its namespaces and
   clone the process into them.  */
static void __attribute__((noreturn)) exec_helper(struct exec_s *x)
{
  box_error_t err = NULL;
  pid_t pid;
  size_t i;

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "box:exec-join");
  /* Still in the host's namespaces with box's rights: the v1 moves are
     our own (spawn says why).  */
  if (box_sync_recv(x->sync_fd, BOX_SYNC_CGROUP, box_now_ms() + EXEC_TIMEOUT_MS, &err) < 0
      || (x->cgroup && box_cgroup_enter_self_v1(x->cgroup, &err) < 0))
    child_fail(x->sync_fd, &err);
  for (i = 0; i < N_NS; i++)
    {
#ifdef BOX_BROKEN_EXEC_NO_JOIN
      /* Broken on purpose (harness/tests/broken/exec-no-join): the pid,
         network and ipc namespaces are not joined.  */
      if (ns_table[i].type == CLONE_NEWPID || ns_table[i].type == CLONE_NEWNET
          || ns_table[i].type == CLONE_NEWIPC)
        continue;
#endif
#ifdef BOX_BROKEN_EXEC_OUTSIDE
      /* Broken on purpose (harness/tests/broken/exec-outside): the pid
         namespace is not joined (nor the cgroups, in spawn).  */
      if (ns_table[i].type == CLONE_NEWPID)
        continue;
#endif
      if (x->ns_fd[i] >= 0 && setns(x->ns_fd[i], ns_table[i].type) < 0)
        {
          box_make_error(&err, errno, "join the container's `%s` namespace", ns_table[i].name);
          child_fail(x->sync_fd, &err);
        }
    }
  pid = (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, NULL);
  if (pid == 0)
    exec_process(x);
  if (pid < 0)
    {
      box_make_error(&err, errno, "clone the process");
      child_fail(x->sync_fd, &err);
    }
  if (box_sync_send(x->sync_fd, BOX_SYNC_EXEC_PID, (int)pid, NULL, &err) < 0)
    _exit(1);
  _exit(0);
}

static void
reap(pid_t *pid, bool kill_it)
{
  if (*pid <= 0)
    return;
  if (kill_it)
    kill(*pid, SIGKILL);
  TEMP_FAILURE_RETRY(waitpid(*pid, NULL, 0));
  *pid = -1;
}

/* linux/sched.h's struct clone_args (v2, Linux 5.7), which glibc's
   headers do not have.  */
struct exec_clone_args_s
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
      cgroup;
};

/* The helper, started in the container's v2 cgroup when there is one
   (*into_v2 then set).  A move by pid (cgroup.procs) takes the kernel's
   global threadgroup rwsem for writing, whose write side waits for an
   RCU grace period: milliseconds per move, and exec made one per
   hierarchy.  So, as for the init (linux.c): clone3 CLONE_INTO_CGROUP
   for v2, and the helper moves itself into the v1 ones (cgroup.c
   box_cgroup_enter_self_v1).  The raw syscalls behave like fork(2): box
   is single-threaded.  A kernel without clone3 gets fork and the
   parent's move by pid.  */
static pid_t
fork_helper(const struct exec_s *x, bool *into_v2)
{
  cleanup_close int v2 = x->cgroup ? box_cgroup_open_v2(x->cgroup) : -1;
  pid_t pid;

  if (v2 >= 0)
    {
      struct exec_clone_args_s ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)v2 };
      pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
      if (pid > 0)
        *into_v2 = true;
      if (pid >= 0)
        return pid;
    }
  return fork();
}

/* Fork the helper, move it into the cgroups, learn the process's pid and
   wait until it has exec'd.  On failure nothing of ours is left running.  */
static int
spawn(struct exec_s *x, box_error_t *err)
{
  cleanup_close int parent_fd = -1;
  int sv[2], value = 0;
  bool into_v2 = false;

  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return box_make_error(err, errno, "socketpair");
  parent_fd = sv[0];
  x->sync_fd = sv[1];
#ifdef BOX_BROKEN_EXEC_OUTSIDE
  box_cgroup_free(steal_pointer(&x->cgroup));
#endif
  x->helper = fork_helper(x, &into_v2);
  if (x->helper < 0)
    return box_make_error(err, errno, "fork");
  if (x->helper == 0)
    {
      close(parent_fd);
      exec_helper(x);
    }
  cleanup_closep(&x->sync_fd);
  if ((x->cgroup && !into_v2 && box_cgroup_enter_some(x->cgroup, x->helper, BOX_CGROUP_V2, err) < 0)
      || box_sync_send(parent_fd, BOX_SYNC_CGROUP, 0, NULL, err) < 0
      || box_sync_recv_value(parent_fd, BOX_SYNC_EXEC_PID, box_now_ms() + EXEC_TIMEOUT_MS, &value, err) < 0)
    return reap(&x->helper, true), -1;
  x->pid = (pid_t)value;
  reap(&x->helper, false);
  if (box_sync_wait_eof(parent_fd, box_now_ms() + EXEC_TIMEOUT_MS, err) < 0)
    return reap(&x->pid, true), -1;
  return 0;
}

static int
load_config(struct exec_s *x, const char *dir, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/" BOX_CONFIG_COPY, dir), *saved = NULL;
  size_t len;

  if (box_read_file(path, &saved, &len, err) < 0)
    return box_error_wrap(err, "the container's config");
  return box_exec_build_config(saved, len, x->e, &x->config, err);
}

static int
do_exec(struct exec_s *x, int *exit_status, box_error_t *err)
{
  cleanup_free char *dir = NULL;
  cleanup_state box_state_t *st = NULL;

  if (box_container_load(x->ctx, &dir, &st, err) < 0)
    return -1;
  if (st == NULL)
    return box_make_error(err, 0, "status is creating, want running");
  if (x->e->preserve_fds < 0)
    return box_make_error(err, 0, "--preserve-fds: must not be negative");
  if (check_running(x, dir, st, err) < 0 || load_config(x, dir, err) < 0 || check_terminal(x, err) < 0
      || open_namespaces(x, st, err) < 0 || spawn(x, err) < 0)
    return -1;
  cleanup_closep(&x->console_fd);
  if (box_write_pid_file(x->ctx->pid_file, x->pid, err) < 0)
    return reap(&x->pid, true), -1;
  box_log_debug("exec: process %d runs in container `%s`", (int)x->pid, x->ctx->id);
  if (x->e->detach)
    return 0;
  box_forward_signals(x->pid);
  return box_wait_exit_status(x->pid, exit_status, err);
}

int
box_container_exec(const box_context_t *ctx, const struct box_exec_s *e, int *exit_status, box_error_t *err)
{
  __attribute__((cleanup(exec_release))) struct exec_s x
      = { .ctx = ctx, .e = e, .console_fd = -1, .sync_fd = -1, .helper = -1, .pid = -1 };
  size_t i;

  for (i = 0; i < N_NS; i++)
    x.ns_fd[i] = -1;
  *exit_status = 0;
  if (do_exec(&x, exit_status, err) < 0)
    return box_error_wrap(err, "exec in container `%s`", ctx->id);
  return 0;
}
