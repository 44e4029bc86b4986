/* Lifecycle: create, start, state, kill, delete, run (runtime-spec
   runtime.md "Operations").  Status is derived, never stored (status.c).  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "hooks.h"
#include "lifecycle.h"
#include "linux.h"
#include "log.h"
#include "spec.h"
#include "status.h"
#include "utils.h"

#define SETUP_TIMEOUT_MS 60000 /* the init has this long to set up the rootfs */
#define START_TIMEOUT_MS 10000 /* ... and this long to answer on the exec fifo */
#define KILL_TIMEOUT_MS 10000  /* delete --force waits this long for SIGKILL */

/* A created container: what create hands on to run.  */
struct created_s
{
  pid_t pid;
  char *dir;
  int relay_fd; /* box's own end of the terminal socketpair, or -1 */
};

static int
ensure_root(const char *root, box_error_t *err)
{
  struct stat sb;

  if (box_mkdir_p(root, 0700, err) < 0)
    return box_error_wrap(err, "state root");
  if (stat(root, &sb) < 0)
    return box_make_error(err, errno, "state root `%s`", root);
  if (!S_ISDIR(sb.st_mode))
    return box_make_error(err, 0, "state root `%s` is not a directory", root);
  return 0;
}

/* Validate the id, find root/ID and read its state (NULL while creating).  */
int
box_container_load(const box_context_t *ctx, char **dir, box_state_t **st, box_error_t *err)
{
  cleanup_free char *d = NULL;
  struct stat sb;

  if (box_validate_id(ctx->id, err) < 0)
    return -1;
  d = box_state_dir(ctx->root, ctx->id);
  if (stat(d, &sb) < 0 || !S_ISDIR(sb.st_mode))
    {
      box_make_error(err, 0, "container `%s` does not exist", ctx->id);
      (*err)->errnum = ENOENT; /* lets delete --force tell this case apart */
      return -1;
    }
  if (box_state_read(d, st, err) < 0)
    return box_error_wrap(err, "container `%s`", ctx->id);
  *dir = steal_pointer(&d);
  return 0;
}

/* Everything create builds, handed from step to step and undone by
   abort_create() when a step fails.  */
struct create_s
{
  const box_context_t *ctx;
  box_config_t *config;
  char *bundle;  /* absolute */
  char *rootfs;  /* absolute */
  char *dir;     /* the state dir, once locked */
  char *created; /* RFC 3339 */
  char *raw;     /* config.json as read: kept in the state dir */
  size_t raw_len;
  pid_t pid;            /* the container init, once cloned */
  box_cgroup_t *cgroup; /* the cgroups made for it, once made */
  int console_fd;       /* connected --console-socket until the init has it */
  int relay_fd;         /* ctx->tty_relay: our end of the init's console socket */
  int listen_fds;       /* socket activation: fds 3.. passed ahead of --preserve-fds */
};

static void
create_release(struct create_s *c)
{
  box_config_free(c->config);
  free(c->bundle);
  free(c->rootfs);
  free(c->dir);
  free(c->created);
  free(c->raw);
  box_cgroup_free(c->cgroup);
  cleanup_closep(&c->console_fd);
  cleanup_closep(&c->relay_fd);
}

/* process is required to create; a terminal needs a console socket to
   send its master to (or, for `run` in the foreground, box itself), and a
   console socket a terminal (runc refuses both mismatches too).  */
static int
check_process(const box_context_t *ctx, const box_config_t *config, box_error_t *err)
{
  if (config->process == NULL)
    return box_make_error(err, 0, "config.json: `process`: required");
  if (config->process->terminal && ctx->console_socket == NULL && !ctx->tty_relay)
    return box_make_error(err, 0, "process.terminal is true but no --console-socket was given%s",
                          ctx->detach ? " (a detached container cannot use box's own terminal)" : "");
  if (!config->process->terminal && ctx->console_socket)
    return box_make_error(err, 0, "--console-socket was given but process.terminal is false");
  return 0;
}

/* config.json of the bundle, with the checks that need the bundle.  */
static int
load_bundle(struct create_s *c, box_error_t *err)
{
  cleanup_free char *path = NULL, *root_path = NULL;
  const box_context_t *ctx = c->ctx;
  struct stat sb;

  if (box_realpath(ctx->bundle ? ctx->bundle : ".", &c->bundle, err) < 0)
    return box_error_wrap(err, "bundle");
  path = xasprintf("%s/config.json", c->bundle);
  if (box_read_file(path, &c->raw, &c->raw_len, err) < 0)
    return box_error_wrap(err, "config.json");
  if (box_config_parse(c->raw, c->raw_len, &c->config, err) < 0 || check_process(ctx, c->config, err) < 0)
    return -1;
  root_path = c->config->root_path[0] == '/' ? xstrdup(c->config->root_path)
                                             : xasprintf("%s/%s", c->bundle, c->config->root_path);
  if (stat(root_path, &sb) < 0)
    return box_make_error(err, errno, "config.json: `root.path`: `%s`", root_path);
  if (!S_ISDIR(sb.st_mode))
    return box_make_error(err, 0, "config.json: `root.path`: `%s` is not a directory", root_path);
  return box_realpath(root_path, &c->rootfs, err);
}

int
box_write_pid_file(const char *pid_file, pid_t pid, box_error_t *err)
{
  cleanup_free char *data = xasprintf("%d", (int)pid);

  if (pid_file == NULL)
    return 0;
  /* runc writes no trailing newline; tmp + rename so readers never see
     an empty file.  */
  if (box_write_file_atomic(pid_file, data, strlen(data), 0644, err) < 0)
    return box_error_wrap(err, "pid file");
  return 0;
}

/* The state of the container being created, as the runtime-namespace
   hooks get it (pid: the init's host pid, 0 once stopped).  */
static char *
create_hook_state(const struct create_s *c, enum box_status_e status)
{
  box_state_t st = { .oci_version = (char *)BOX_OCI_VERSION,
                     .id = (char *)c->ctx->id,
                     .pid = c->pid,
                     .bundle = c->bundle,
                     .rootfs = c->rootfs,
                     .created = c->created,
                     .annotations = c->config->annotations };

  return box_state_format_hook(&st, c->ctx->id, status);
}

static int
record_state(const struct create_s *c, box_error_t *err)
{
  cleanup_free char *config_path = xasprintf("%s/config.json", c->bundle);
  box_state_t st;
  char state_char;
  int r;

  memset(&st, 0, sizeof(st));
  r = box_proc_stat(c->pid, &state_char, &st.start_time, err);
  if (r < 0)
    return -1;
  if (r == 0)
    return box_make_error(err, 0, "container init %d exited during create", (int)c->pid);
  st.oci_version = (char *)BOX_OCI_VERSION;
  st.id = (char *)c->ctx->id;
  st.pid = c->pid;
  st.bundle = c->bundle;
  st.rootfs = c->rootfs;
  st.created = c->created;
  st.config_path = config_path;
  st.annotations = c->config->annotations;
  st.cgroups = c->cgroup ? box_cgroup_to_json(c->cgroup) : NULL;
  r = box_state_write(c->dir, &st, err);
  json_decref(st.cgroups);
  return r;
}

#ifdef BOX_BROKEN_CREATING_HOOKS
#define BOX_HOOK_STATUS BOX_STATUS_CREATING
#else
#define BOX_HOOK_STATUS BOX_STATUS_CREATED
#endif

/* runtime.md "Lifecycle" steps 3-4: prestart (deprecated, same point)
   then createRuntime, in the runtime namespace, while the init waits
   after its mounts (linux.c init_create_hooks).  The init's host pid,
   cwd the bundle, and status "created" (crun; runc passes "creating"):
   state.md's "creating" is lifecycle step 2, the environment being made
   from config.json, and these hooks are steps 3-4, after it.  */
static int
run_create_runtime_hooks(const struct create_s *c, int fd, box_error_t *err)
{
  cleanup_free char *state = NULL;

  /* None: the init does not stop for them either (linux.c).  */
  if (!box_hooks_any(c->config, BOX_HOOKS_PARENT_CREATE))
    return 0;
  if (box_sync_recv(fd, BOX_SYNC_HOOKS, box_now_ms() + SETUP_TIMEOUT_MS, err) < 0)
    return -1;
  state = create_hook_state(c, BOX_HOOK_STATUS);
  if (box_hooks_run(c->config, BOX_HOOK_PRESTART, state, c->bundle, err) < 0
      || box_hooks_run(c->config, BOX_HOOK_CREATE_RUNTIME, state, c->bundle, err) < 0)
    return -1;
  return box_sync_send(fd, BOX_SYNC_HOOKS_DONE, 0, NULL, err);
}

/* Before any cgroup is made, write down which: a create killed from here
   on (SIGKILL, no chance to clean up) has no state.json, and this file is
   what `delete --force` removes then (runtime.md "Delete").  */
static int
record_cgroup_plan(const struct create_s *c, const box_cgroup_host_t *host, box_error_t *err)
{
  cleanup_cgroup box_cgroup_t *plan = NULL;
  cleanup_free char *path = xasprintf("%s/" BOX_CGROUP_PLAN, c->dir), *text = NULL;
  json_t *j;

  if (box_cgroup_plan(host, c->config->cgroups_path, c->ctx->id, &plan, err) < 0)
    return -1;
  j = box_cgroup_to_json(plan);
  text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return box_write_file_atomic(path, text, strlen(text), 0600, err);
}

/* The first linux.resources field a config sets that needs a cgroup
   (NULL: none).  The device rules are not among them: in a user
   namespace no device node can be made and only those bound from the
   host exist, and runc skips the devices controller there too.  */
static const char *
resources_first_field(const struct box_resources_s *r)
{
  if (!r)
    return NULL;
  if (r->has_pids_limit)
    return "linux.resources.pids.limit";
  if (r->has_mem_limit)
    return "linux.resources.memory.limit";
  if (r->has_mem_reservation)
    return "linux.resources.memory.reservation";
  if (r->has_mem_swap)
    return "linux.resources.memory.swap";
  if (r->has_mem_swappiness)
    return "linux.resources.memory.swappiness";
  if (r->has_cpu_shares)
    return "linux.resources.cpu.shares";
  if (r->has_cpu_quota)
    return "linux.resources.cpu.quota";
  if (r->has_cpu_period)
    return "linux.resources.cpu.period";
  if (r->cpus)
    return "linux.resources.cpu.cpus";
  if (r->mems)
    return "linux.resources.cpu.mems";
  if (r->n_hugepages)
    return "linux.resources.hugepageLimits";
  return NULL;
}

/* Rootless: true when every cgroup box would make can be made by us,
   which only a delegated cgroup v2 subtree allows (cgroup-v2.rst
   "Delegation": the subtree's directory and cgroup.procs chowned to the
   user).  On a v1 or hybrid host no hierarchy is delegated: none.  The
   nearest existing ancestor of each planned cgroup must be writable.  */
static bool
rootless_cgroups_writable(const box_cgroup_host_t *host, const struct create_s *c, char **why)
{
  cleanup_cgroup box_cgroup_t *plan = NULL;
  box_error_t e = NULL;
  size_t i;

  if (!host->v2)
    {
      *why = xstrdup("this host's cgroups are not cgroup v2 only, and v1 hierarchies are never delegated");
      return false;
    }
  if (box_cgroup_plan(host, c->config->cgroups_path, c->ctx->id, &plan, &e) < 0)
    {
      *why = xstrdup(e->msg);
      box_error_release(&e);
      return false;
    }
  for (i = 0; i < plan->n; i++)
    {
      cleanup_free char *dir = xstrdup(plan->dirs[i].path);
      char *slash;
      while (access(dir, F_OK) < 0 && (slash = strrchr(dir, '/')) && slash != dir)
        *slash = '\0';
      if (access(dir, W_OK) < 0)
        {
          *why = xasprintf("`%s` is not writable by uid %u (no delegated cgroup v2 subtree)", dir,
                           (unsigned)geteuid());
          return false;
        }
    }
  return true;
}

/* config-linux.md "Control groups": made and limited before the init
   exists (a resource this host cannot apply fails create, naming it).
   A host with no cgroup mounted at all runs containers without one,
   unless the config asks for cgroups.  */
static int
make_cgroups(struct create_s *c, box_error_t *err)
{
  box_cgroup_host_t *host = NULL;
  int r;

  if (box_cgroup_host_read(&host, err) < 0)
    {
      if (c->config->cgroups_path || c->config->resources)
        return -1;
      box_log_debug("no cgroup hierarchy mounted: container without cgroups");
      box_error_release(err);
      return 0;
    }
  if (box_rootless())
    {
      cleanup_free char *why = NULL;
      const char *field = resources_first_field(c->config->resources);
      if (!rootless_cgroups_writable(host, c, &why))
        {
          box_cgroup_host_free(host);
          if (field)
            return box_make_error(err, 0, "config.json: `%s`: a rootless container cannot apply it: %s",
                                  field, why);
          box_log_debug("rootless: container without cgroups: %s", why);
          return 0;
        }
    }
  r = record_cgroup_plan(c, host, err);
  if (r == 0)
    r = box_cgroup_create(host, c->config->cgroups_path, c->ctx->id, c->config->resources, &c->cgroup, err);
  box_cgroup_host_free(host);
  return r;
}

/* Right after clone: move the init into its cgroups, then let it go on
   (linux.c init_main waits for BOX_SYNC_CGROUP before any setup).  */
static int
join_cgroups(const struct create_s *c, unsigned which, int fd, box_error_t *err)
{
  if (c->cgroup && which && box_cgroup_enter_some(c->cgroup, c->pid, which, err) < 0)
    return -1;
  return box_sync_send(fd, BOX_SYNC_CGROUP, 0, NULL, err);
}

/* The init can move itself into the v1 cgroups (cheaper: cgroup.c) when
   it still sees the host's cgroupfs with the host's root rights: no new
   or joined user namespace, no joined mount or cgroup namespace.  */
static bool
init_can_join_self(const box_config_t *config)
{
  size_t i;

  if (config->clone_flags & CLONE_NEWUSER)
    return false;
  for (i = 0; i < config->n_ns_joins; i++)
    if (config->ns_joins[i].flag & (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP))
      return false;
  return true;
}

/* linux.seccomp.listenerPath: the init sends its listener fd once the
   filter is loaded; pass it on to the agent with the container process
   state, status "creating" as in runc and crun (config-linux.md "The
   Container Process State"), then drop our copy.  Nothing here waits on
   the agent: it answers the init's notified syscalls only once it has
   the fd.  Returns 0, or -1 (err names the field; the caller undoes the
   create).  */
static int
forward_seccomp_listener(struct create_s *c, int parent_fd, long long deadline_ms, box_error_t *err)
{
  const struct box_seccomp_s *sc = c->config->security->seccomp;
  cleanup_close int notify_fd = -1;
  cleanup_free char *state = NULL;

  if (box_seccomp_listener(sc) == NULL)
    return 0;
  notify_fd = box_sync_recv_fd(parent_fd, BOX_SYNC_SECCOMP, deadline_ms, err);
  if (notify_fd < 0)
    return -1;
#ifdef BOX_BROKEN_DROPS_SECCOMP_LISTENER
  /* Broken on purpose (harness/tests/broken/drops-seccomp-listener): the
     fd is closed, the agent never hears of the container.  */
  return 0;
#endif
  state = create_hook_state(c, BOX_STATUS_CREATING);
  return box_seccomp_send_state(sc, notify_fd, c->pid, state, err);
}

/* Everything after the lock: fifo, clone, hooks, handshake, state.  On
   failure the caller runs abort_create().  */
static int
spawn_init(struct create_s *c, box_error_t *err)
{
  cleanup_free char *fifo = xasprintf("%s/" BOX_EXEC_FIFO, c->dir);
  cleanup_close int parent_fd = -1, child_fd = -1, v2_fd = -1;
  unsigned init_hooks = BOX_HOOK_MASK(BOX_HOOK_CREATE_CONTAINER);
  bool self_v1 = c->cgroup && init_can_join_self(c->config), into_v2 = false;
  struct box_init_args_s args;
  int sv[2];

  /* 0622 like runc: the init may run as any uid and must open it O_WRONLY.  */
  if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0)
    return box_make_error(err, errno, "create exec fifo `%s`", fifo);
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return box_make_error(err, errno, "socketpair");
  parent_fd = sv[0];
  child_fd = sv[1];
  args = (struct box_init_args_s){ .id = c->ctx->id,
                                   .created = c->created,
                                   .config = c->config,
                                   .bundle = c->bundle,
                                   .rootfs = c->rootfs,
                                   .state_dir = c->dir,
                                   .sync_fd = child_fd,
                                   .parent_fd = parent_fd,
                                   .console_fd = c->console_fd,
                                   .preserve_fds = c->listen_fds + c->ctx->preserve_fds,
                                   .no_pivot = c->ctx->no_pivot,
                                   .cgroup = c->cgroup,
                                   .cgroup_self_v1 = self_v1,
                                   .cgroup_v2_fd = c->cgroup ? (v2_fd = box_cgroup_open_v2(c->cgroup)) : -1,
                                   .cloned_into_v2 = &into_v2 };
  /* Bind sources are opened here, in the host's user namespace, when
     the init gets a new one (box_open_mount_sources says why).  */
  if ((c->config->clone_flags & CLONE_NEWUSER) && box_open_mount_sources(c->config, c->bundle, err) < 0)
    return -1;
  c->pid = box_clone_init(&args, err);
  box_close_mount_sources(c->config);
  if (c->pid < 0)
    return -1;
  close(steal_fd(&child_fd));
  cleanup_closep(&c->console_fd); /* the init has its copy */
  if (join_cgroups(c, (self_v1 ? 0 : BOX_CGROUP_V1) | (into_v2 ? 0 : BOX_CGROUP_V2), parent_fd, err) < 0)
    return -1;
  box_log_debug("container init %d cloned, waiting for it to set up", (int)c->pid);
  if (run_create_runtime_hooks(c, parent_fd, err) < 0
      || forward_seccomp_listener(c, parent_fd, box_hooks_deadline(c->config, init_hooks, SETUP_TIMEOUT_MS),
                                  err)
             < 0
      || box_sync_recv(parent_fd, BOX_SYNC_READY, box_hooks_deadline(c->config, init_hooks, SETUP_TIMEOUT_MS),
                       err)
             < 0)
    return -1;
  if (record_state(c, err) < 0 || box_write_pid_file(c->ctx->pid_file, c->pid, err) < 0)
    return -1;
  if (box_sync_send(parent_fd, BOX_SYNC_COMMIT, 0, NULL, err) < 0
      || box_sync_recv(parent_fd, BOX_SYNC_COMMIT_ACK, box_now_ms() + SETUP_TIMEOUT_MS, err) < 0)
    return -1;
  return 0;
}

/* Undo a failed create: nothing may be left behind (runtime.md: create
   that fails MUST leave no container).  runtime.md "Lifecycle": a failing
   prestart, createRuntime or createContainer hook continues the lifecycle
   at step 12 (destroy), so poststop hooks run too (step 13), as in runc.  */
static void
abort_create(struct create_s *c)
{
  cleanup_free char *state = NULL;
  box_error_t ignored = NULL;

  if (c->pid > 0)
    {
      kill(c->pid, SIGKILL);
      TEMP_FAILURE_RETRY(waitpid(c->pid, NULL, 0));
    }
  /* With whatever the init had already started in them.  */
  if (c->cgroup && box_cgroup_destroy(c->cgroup, box_now_ms() + KILL_TIMEOUT_MS, &ignored) < 0)
    {
      box_log_warning("create container `%s`: %s", c->ctx->id, ignored->msg);
      box_error_release(&ignored);
    }
  box_rm_rf(c->dir, &ignored);
  box_error_release(&ignored);
  if (c->ctx->pid_file)
    unlink(c->ctx->pid_file);
  if (c->pid > 0 && c->config->hooks[BOX_HOOK_POSTSTOP].n > 0)
    {
      c->pid = 0;
      state = create_hook_state(c, BOX_STATUS_STOPPED);
      box_hooks_run_warn(c->config, BOX_HOOK_POSTSTOP, state, c->bundle);
    }
}

/* After the lock: keep the validated config for start and delete, and
   connect to the console socket (its path is the host's, so here).  */
static int
prepare_state_dir(struct create_s *c, box_error_t *err)
{
  cleanup_free char *copy = xasprintf("%s/" BOX_CONFIG_COPY, c->dir);

  if (box_write_file_atomic(copy, c->raw, c->raw_len, 0600, err) < 0)
    return -1;
  if (c->ctx->console_socket)
    {
      c->console_fd = box_console_connect(c->ctx->console_socket, err);
      if (c->console_fd < 0)
        return -1;
    }
  else if (c->ctx->tty_relay && c->config->process->terminal)
    return box_tty_relay_pair(&c->relay_fd, &c->console_fd, err);
  return 0;
}

/* systemd socket activation (sd_listen_fds(3)), which the runtime-spec
   does not know and runc 1.1 and crun 1.8 both pass through: when box was
   started with LISTEN_FDS=N and LISTEN_PID=<our pid> (the protocol: fds
   meant for another process are not ours to take), fds 3..3+N-1 go on to
   the process as the same numbers, ahead of --preserve-fds, and its
   environment gets LISTEN_FDS=N and LISTEN_PID=1, as runc does (crun
   sets only LISTEN_PID, and passes the fds whatever LISTEN_PID says).  */
static void
take_listen_fds(struct create_s *c)
{
  const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
  struct box_process_s *p = c->config->process;
  char *end = NULL;
  long n;

  if (fds == NULL || pid == NULL || strtol(pid, &end, 10) != (long)getpid() || *end != '\0')
    return;
  n = strtol(fds, &end, 10);
  if (*end != '\0' || n <= 0 || n > 1024)
    return;
  c->listen_fds = (int)n;
  p->env = xrealloc(p->env, (p->n_env + 3) * sizeof(char *));
  p->env[p->n_env++] = xasprintf("LISTEN_FDS=%ld", n);
  p->env[p->n_env++] = xstrdup("LISTEN_PID=1");
  p->env[p->n_env] = NULL;
}

static int
do_create(const box_context_t *ctx, struct created_s *out, box_error_t *err)
{
  __attribute__((cleanup(create_release))) struct create_s c
      = { .ctx = ctx, .pid = -1, .console_fd = -1, .relay_fd = -1 };

  if (box_validate_id(ctx->id, err) < 0)
    return -1;
  if (ensure_root(ctx->root, err) < 0 || load_bundle(&c, err) < 0)
    return box_error_wrap(err, "create container `%s`", ctx->id);
  take_listen_fds(&c);
  c.dir = box_state_dir(ctx->root, ctx->id);
  /* mkdir is the create lock: of two concurrent creates exactly one wins.  */
  if (mkdir(c.dir, 0700) < 0)
    {
      if (errno == EEXIST)
        return box_make_error(err, 0, "container `%s` already exists", ctx->id);
      return box_make_error(err, errno, "create container `%s`: mkdir `%s`", ctx->id, c.dir);
    }
  c.created = box_now_rfc3339();
  if (prepare_state_dir(&c, err) < 0 || make_cgroups(&c, err) < 0 || spawn_init(&c, err) < 0)
    {
      abort_create(&c);
      return box_error_wrap(err, "create container `%s`", ctx->id);
    }
  out->pid = c.pid;
  out->dir = steal_pointer(&c.dir);
  out->relay_fd = c.relay_fd;
  c.relay_fd = -1;
  return 0;
}

int
box_container_create(const box_context_t *ctx, box_error_t *err)
{
  struct created_s c = { .relay_fd = -1 };

  if (do_create(ctx, &c, err) < 0)
    return -1;
  free(c.dir);
  return 0;
}

static int
send_signal(int pidfd, int sig, box_error_t *err)
{
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    return box_make_error(err, errno, "send signal %d", sig);
  return 0;
}

/* A paused container's processes act on a SIGKILL only once thawed (v1
   freezer): thaw after it, as runc does, and only for SIGKILL, so other
   signals stay pending until resume.  */
static void
thaw_after_kill(const box_state_t *st, int sig)
{
  cleanup_cgroup box_cgroup_t *cg = NULL;
  box_error_t ignored = NULL;

  if (sig == SIGKILL && st->cgroups && box_cgroup_from_json(st->cgroups, &cg, &ignored) == 0)
    box_cgroup_thaw_quiet(cg);
  box_error_release(&ignored);
}

/* SIGKILL the init and wait until it has exited (zombie or reaped).  The
   init is not our child, so waitpid cannot be used: poll its pidfd.  */
static int
kill_and_wait(const box_state_t *st, box_error_t *err)
{
  cleanup_close int pidfd = -1;
  struct pollfd pfd;
  long long deadline = box_now_ms() + KILL_TIMEOUT_MS;
  int r;

  r = box_pidfd_open_checked(st->pid, st->start_time, &pidfd, err);
  if (r <= 0)
    return r;
  if (send_signal(pidfd, SIGKILL, err) < 0)
    return -1;
  thaw_after_kill(st, SIGKILL);
  pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
  for (;;)
    {
      long long left = deadline - box_now_ms();
      if (left <= 0)
        return box_make_error(err, ETIMEDOUT, "wait for container init %d to exit", (int)st->pid);
      r = poll(&pfd, 1, (int)left);
      if (r < 0 && errno != EINTR)
        return box_make_error(err, errno, "poll pidfd");
      if (r > 0)
        return 0;
    }
}

/* The config create kept in the state dir; *config stays NULL without one
   (a state dir from before hooks existed).  */
static int
load_saved_config(const char *dir, box_config_t **config, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/" BOX_CONFIG_COPY, dir);

  *config = NULL;
  if (access(path, F_OK) < 0 && errno == ENOENT)
    return 0;
  return box_config_load(path, config, err);
}

/* Wait until the init has answered on the fifo (or closed it), or exited.
   The pidfd makes this safe against an init that died: poll wakes up on
   its exit instead of hanging.  */
static int
wait_fifo(int fd, int pidfd, pid_t pid, long long deadline, box_error_t *err)
{
  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      long long left = deadline == LLONG_MAX ? -1 : deadline - box_now_ms();

      if (deadline != LLONG_MAX && left <= 0)
        return box_make_error(err, ETIMEDOUT, "wait for container init on the exec fifo");
      if (poll(pfd, 2, left > INT_MAX ? INT_MAX : (int)left) < 0 && errno != EINTR)
        return box_make_error(err, errno, "poll exec fifo");
      /* The answer first: an init that wrote why it failed has exited.  */
      if (pfd[0].revents & (POLLIN | POLLHUP))
        return 0;
      if (pfd[1].revents & POLLIN)
        return box_make_error(err, 0, "container init %d has exited", (int)pid);
    }
}

/* The init's answer (linux.c init_wait_start): "0" to go on, "E" and the
   error of a failed startContainer hook (returns 1), EOF when a
   concurrent start took the answer first.  */
static int
read_start_answer(int fd, box_error_t *err)
{
  char buf[PIPE_BUF + 1];
  ssize_t r;

  r = TEMP_FAILURE_RETRY(read(fd, buf, PIPE_BUF));
  if (r < 0)
    return box_make_error(err, errno, "read exec fifo");
  if (r == 0)
    return box_make_error(err, 0, "container was started concurrently");
  buf[r] = '\0';
  if (buf[0] != 'E')
    return 0;
  box_make_error(err, 0, "%s", buf + 1);
  return 1;
}

/* Release the init blocked on the fifo and wait for its startContainer
   hooks.  When one fails, runtime.md "Lifecycle" step 7 stops the
   container: like runc it is killed (and so stopped), process.args never
   runs.  */
static int
release_init(const char *dir, const box_state_t *st, const box_config_t *config, box_error_t *err)
{
  cleanup_free char *fifo = xasprintf("%s/" BOX_EXEC_FIFO, dir);
  cleanup_close int fd = -1, pidfd = -1;
  unsigned start_hooks = BOX_HOOK_MASK(BOX_HOOK_START_CONTAINER);
  long long deadline
      = config ? box_hooks_deadline(config, start_hooks, START_TIMEOUT_MS) : box_now_ms() + START_TIMEOUT_MS;
  box_error_t ignored = NULL;
  int r;

  /* The pidfd before the fifo: opening the fifo releases the init, and a
     process such as `true` can be gone (and its pid unreadable) before a
     pidfd_open that came second.  */
  r = box_pidfd_open_checked(st->pid, st->start_time, &pidfd, err);
  if (r <= 0)
    return r < 0 ? -1 : box_make_error(err, 0, "container init %d has exited", (int)st->pid);
  fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return box_make_error(err, errno, "open exec fifo `%s`", fifo);
  if (wait_fifo(fd, pidfd, st->pid, deadline, err) < 0)
    return -1;
  r = read_start_answer(fd, err);
  if (r < 0)
    return -1;
  if (r > 0 && kill_and_wait(st, &ignored) < 0)
    box_error_release(&ignored);
  if (unlink(fifo) < 0 && errno != ENOENT && r == 0)
    return box_make_error(err, errno, "remove exec fifo `%s`", fifo);
  return r > 0 ? -1 : 0;
}

/* runtime.md "Lifecycle" step 9: after the user process has started and
   before start returns, in the runtime namespace; a failure is a warning.
   runc 1.1 runs them during create with status "created" (a bug fixed
   in runc 1.2); box derives the status now: "running" unless the process
   has already exited, as crun reports.  */
static void
run_poststart(const box_context_t *ctx, const char *dir, const box_state_t *st, const box_config_t *config)
{
  cleanup_free char *state = NULL;

  if (config == NULL || config->hooks[BOX_HOOK_POSTSTART].n == 0)
    return;
  state = box_state_format_hook(st, ctx->id, box_status_derive(dir, st));
  box_hooks_run_warn(config, BOX_HOOK_POSTSTART, state, st->bundle);
}

int
box_container_start(const box_context_t *ctx, box_error_t *err)
{
  cleanup_free char *dir = NULL;
  cleanup_state box_state_t *st = NULL;
  cleanup_config box_config_t *config = NULL;
  enum box_status_e status;

  if (box_container_load(ctx, &dir, &st, err) < 0)
    return -1;
  status = box_status_derive(dir, st);
  if (status != BOX_STATUS_CREATED)
    return box_make_error(err, 0, "cannot start container `%s`: status is %s, want created", ctx->id,
                          box_status_name(status));
  if (load_saved_config(dir, &config, err) < 0 || release_init(dir, st, config, err) < 0)
    return box_error_wrap(err, "start container `%s`", ctx->id);
  run_poststart(ctx, dir, st, config);
  return 0;
}

int
box_container_state(const box_context_t *ctx, char **out, box_error_t *err)
{
  cleanup_free char *dir = NULL;
  cleanup_state box_state_t *st = NULL;

  if (box_container_load(ctx, &dir, &st, err) < 0)
    return -1;
  *out = box_state_format(st, ctx->id, box_status_derive(dir, st));
  return 0;
}

/* kill --all (runc): every process in the container's cgroup, which
   is how a container without its own pid namespace is reached whole.  */
static int
kill_all(const box_context_t *ctx, const box_state_t *st, int sig, box_error_t *err)
{
  cleanup_cgroup box_cgroup_t *cg = NULL;

  if (st->cgroups == NULL)
    return box_make_error(err, 0, "kill container `%s`: --all: the container has no cgroup", ctx->id);
  if (box_cgroup_from_json(st->cgroups, &cg, err) < 0 || box_cgroup_signal_all(cg, sig, err) < 0)
    return box_error_wrap(err, "kill container `%s`", ctx->id);
  thaw_after_kill(st, sig);
  return 0;
}

int
box_container_kill(const box_context_t *ctx, const char *signal_name, box_error_t *err)
{
  cleanup_free char *dir = NULL;
  cleanup_state box_state_t *st = NULL;
  cleanup_close int pidfd = -1;
  enum box_status_e status;
  int sig, r;

  if (box_parse_signal(signal_name ? signal_name : "TERM", &sig, err) < 0)
    return box_error_wrap(err, "kill container `%s`", ctx->id);
  if (box_container_load(ctx, &dir, &st, err) < 0)
    return -1;
  /* runtime.md "kill": MUST error unless created or running.  With
     --all a stopped init may have left others in the cgroup (runc too).  */
  status = box_status_derive(dir, st);
  if (ctx->all && st)
    return kill_all(ctx, st, sig, err);
  if (status != BOX_STATUS_CREATED && status != BOX_STATUS_RUNNING && status != BOX_STATUS_PAUSED)
    return box_make_error(err, 0, "container `%s` is not running (status is %s)", ctx->id,
                          box_status_name(status));
  /* The pidfd, checked against the start time, guarantees a recycled pid
     is never signalled.  */
  r = box_pidfd_open_checked(st->pid, st->start_time, &pidfd, err);
  if (r == 0)
    return box_make_error(err, 0, "container `%s` is not running (status is stopped)", ctx->id);
  if (r < 0 || send_signal(pidfd, sig, err) < 0)
    return box_error_wrap(err, "kill container `%s`", ctx->id);
  if (status == BOX_STATUS_PAUSED)
    thaw_after_kill(st, sig);
  return 0;
}

/* runtime.md "Delete": the cgroups create made go too, with whatever is
   still in them (without its own pid namespace the init's death ends
   nothing else) and the sub-cgroups the container made itself.  */
static int
remove_cgroups(const char *dir, const box_state_t *st, box_error_t *err)
{
  cleanup_cgroup box_cgroup_t *cg = NULL;
  cleanup_free char *plan = NULL, *text = NULL;
  json_t *j = NULL;
  int r;

  if (st && st->cgroups)
    r = box_cgroup_from_json(st->cgroups, &cg, err);
  else
    {
      /* No state.json: a create killed part-way.  Its plan, if it got
         that far, names the cgroups it may have made.  */
      plan = xasprintf("%s/" BOX_CGROUP_PLAN, dir);
      if (access(plan, F_OK) < 0)
        return 0;
      if (box_read_file(plan, &text, NULL, err) < 0)
        return -1;
      j = json_loads(text, 0, NULL);
      if (j == NULL)
        return box_make_error(err, 0, "`%s`: not JSON", plan);
      r = box_cgroup_from_json(j, &cg, err);
      json_decref(j);
    }
  if (r < 0)
    return -1;
  return box_cgroup_destroy(cg, box_now_ms() + KILL_TIMEOUT_MS, err);
}

/* runtime.md "Lifecycle" step 13: poststop hooks run after the container
   is deleted (so after its state dir is gone, as in runc), in the runtime
   namespace, and a failure is only a warning; so is a config that can no
   longer be read.  */
static box_config_t *
load_poststop_config(const box_context_t *ctx, const char *dir)
{
  box_config_t *config = NULL;
  box_error_t err = NULL;

  if (load_saved_config(dir, &config, &err) < 0)
    {
      box_log_warning("delete container `%s`: poststop hooks not run: %s", ctx->id, err->msg);
      box_error_release(&err);
    }
  return config;
}

int
box_container_delete(const box_context_t *ctx, box_error_t *err)
{
  cleanup_free char *dir = NULL, *state = NULL;
  cleanup_state box_state_t *st = NULL;
  cleanup_config box_config_t *config = NULL;
  enum box_status_e status;

  if (box_validate_id(ctx->id, err) < 0)
    return -1;
  if (box_container_load(ctx, &dir, &st, err) < 0)
    {
      /* runc 1.1: `delete --force` of a container that does not exist
         succeeds silently (the goal, no such container, holds).  */
      if (ctx->force && (*err)->errnum == ENOENT)
        return box_error_release(err), 0;
      /* An unreadable state.json: only --force may remove the directory
         (there is no pid to kill).  */
      if (!ctx->force)
        return -1;
      box_error_release(err);
      dir = box_state_dir(ctx->root, ctx->id);
      if (remove_cgroups(dir, NULL, err) < 0 || box_rm_rf(dir, err) < 0)
        return box_error_wrap(err, "delete container `%s`", ctx->id);
      return 0;
    }
  status = box_status_derive(dir, st);
  /* runtime.md "delete": deleting a container that is not stopped MUST
     error and have no effect.  */
  if (status != BOX_STATUS_STOPPED && !ctx->force)
    return box_make_error(err, 0, "cannot delete container `%s`: status is %s; stop it first or use --force",
                          ctx->id, box_status_name(status));
  if ((status != BOX_STATUS_STOPPED && st && kill_and_wait(st, err) < 0) || remove_cgroups(dir, st, err) < 0)
    return box_error_wrap(err, "delete container `%s`", ctx->id);
  /* The hooks outlive the state dir: take them before removing it.  */
  if (st)
    config = load_poststop_config(ctx, dir);
  if (box_rm_rf(dir, err) < 0)
    return box_error_wrap(err, "delete container `%s`", ctx->id);
  if (config && config->hooks[BOX_HOOK_POSTSTOP].n > 0)
    {
      state = box_state_format_hook(st, ctx->id, BOX_STATUS_STOPPED);
      box_hooks_run_warn(config, BOX_HOOK_POSTSTOP, state, st->bundle);
    }
  return 0;
}

/* `box run` in the foreground: the init is our child, so waitpid works
   and signals sent to box are passed on to it (like runc).  */
static volatile sig_atomic_t forward_pid;

static void
forward_signal(int sig)
{
  if (forward_pid > 0)
    kill((pid_t)forward_pid, sig);
}

void
box_forward_signals(pid_t pid)
{
  static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };
  struct sigaction sa;
  size_t i;

  forward_pid = pid;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = forward_signal;
  sa.sa_flags = SA_RESTART;
  for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
    sigaction(sigs[i], &sa, NULL);
}

int
box_wait_exit_status(pid_t pid, int *exit_status, box_error_t *err)
{
  int wstatus;

  if (TEMP_FAILURE_RETRY(waitpid(pid, &wstatus, 0)) < 0)
    return box_make_error(err, errno, "wait for process %d", (int)pid);
  *exit_status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
  return 0;
}

int
box_container_run(const box_context_t *ctx_in, int *exit_status, box_error_t *err)
{
  /* In the foreground without --console-socket, a terminal is box's own.  */
  box_context_t run_ctx = *ctx_in, del = *ctx_in;
  const box_context_t *ctx = &run_ctx;
  struct created_s c = { .relay_fd = -1 };
  box_error_t ignored = NULL;
  int r;

  run_ctx.tty_relay = !ctx_in->detach && ctx_in->console_socket == NULL;
  *exit_status = 0;
  if (do_create(ctx, &c, err) < 0)
    return -1;
  if (box_container_start(ctx, err) < 0)
    {
      del.force = true;
      box_container_delete(&del, &ignored);
      box_error_release(&ignored);
      cleanup_closep(&c.relay_fd);
      free(c.dir);
      return -1;
    }
  free(c.dir);
  if (ctx->detach)
    return 0;
  box_forward_signals(c.pid);
  if (c.relay_fd >= 0 && box_tty_relay_run(c.relay_fd, &ignored) < 0)
    {
      box_log_warning("%s", ignored->msg);
      box_error_release(&ignored);
    }
  cleanup_closep(&c.relay_fd);
  r = box_wait_exit_status(c.pid, exit_status, err);
  if (r == 0 && !ctx->keep && box_container_delete(ctx, err) < 0)
    return -1;
  return r;
}

static int
write_spec(const char *bundle, const char *data, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/config.json", bundle ? bundle : ".");
  cleanup_close int fd = -1;
  size_t len = strlen(data), off = 0;

  /* O_EXCL: never overwrite an existing config (runc spec refuses too).  */
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST)
    return box_make_error(err, 0, "spec: `%s` already exists, remove it first", path);
  if (fd < 0)
    return box_make_error(err, errno, "spec: create `%s`", path);
  while (off < len)
    {
      ssize_t w = write(fd, data + off, len - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return box_make_error(err, errno, "spec: write `%s`", path);
      off += (size_t)w;
    }
  return 0;
}

int
box_write_default_spec(const char *bundle, box_error_t *err)
{
  cleanup_free char *data = box_default_spec();
  return write_spec(bundle, data, err);
}

int
box_write_rootless_spec(const char *bundle, box_error_t *err)
{
  cleanup_free char *data = box_rootless_spec((unsigned)geteuid(), (unsigned)getegid());
  return write_spec(bundle, data, err);
}
