/* The container init: clone into new namespaces, the sync-socket protocol
   with the parent, and the rootfs (mounts, devices, pivot_root).  */
#ifndef BOX_LINUX_H
#define BOX_LINUX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Messages on the sync socket (SOCK_SEQPACKET: one message per packet).
   Non-zero so a zeroed buffer is never mistaken for a message.  */
enum box_sync_e
{
  BOX_SYNC_READY = 0x42, /* child -> parent: setup done, about to block on the fifo */
  BOX_SYNC_COMMIT,       /* parent -> child: state.json written, go on */
  BOX_SYNC_COMMIT_ACK,   /* child -> parent: parent-death signal cleared */
  BOX_SYNC_ERROR,        /* child -> parent: {errno, message}, child exits */
  BOX_SYNC_HOOKS,        /* child -> parent: mounts done, run prestart + createRuntime */
  BOX_SYNC_HOOKS_DONE,   /* parent -> child: they succeeded, go on to createContainer */
  BOX_SYNC_CGROUP,       /* parent -> child: moved into the container's cgroups, set up */
  BOX_SYNC_EXEC_PID,     /* exec: child -> parent: the host pid of the process (in errnum) */
  BOX_SYNC_SECCOMP,      /* child -> parent: the seccomp listener fd in SCM_RIGHTS */
};

struct box_init_args_s
{
  const char *id;
  const char *created; /* RFC 3339, for the state the init's hooks get */
  const box_config_t *config;
  const char *bundle;    /* absolute */
  const char *rootfs;    /* absolute, host view */
  const char *state_dir; /* absolute, host view; holds exec.fifo */
  int sync_fd;           /* child's end of the socketpair */
  int parent_fd;         /* parent's end, closed in the child */
  int console_fd;        /* connected --console-socket, or -1 */
  int preserve_fds;      /* --preserve-fds: fds 3..3+N-1 go on to the process */
  bool no_pivot;         /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
  /* Joining the container's cgroups cheaply (cgroup.c says why): the init
     moves itself into the v1 ones (cgroup_self_v1), clone3 starts it in
     the v2 one (cgroup_v2_fd >= 0; *cloned_into_v2 tells it did).  What
     neither did, the parent does by pid.  */
  const struct box_cgroup_s *cgroup;
  bool cgroup_self_v1;
  int cgroup_v2_fd;
  bool *cloned_into_v2;
};

/* Clone the container init into the namespaces of args->config.  Returns
   the host pid in the parent; the child never returns.  */
pid_t box_clone_init(const struct box_init_args_s *args, box_error_t *err);

/* Set for the re-executed box only (cloned_exe.c, early_seal.c), and taken
   out of the environment at once.  A read-only overlayfs cannot be told
   from any other by its fd; like runc 1.1's _LIBCONTAINER_CLONED_BINARY,
   the variable says it is ours.  Whoever sets it by hand runs box
   unprotected, as with any other binary they choose to run.  */
#define BOX_SEALED_ENV "_BOX_SEALED_EXE"

/* Re-execute box (argv) from its binary seen through a private read-only
   overlayfs (its second layer: the state root), or else from a memfd copy
   sealed against writes, unless it already runs from one: a container can
   then never reach the host's binary through /proc/<init>/exe
   (CVE-2019-5736).  Returns 0 in the copy; -1 (err) if that could not be
   done.  */
int box_ensure_cloned_exe(char **argv, const char *root, box_error_t *err);

/* Receive BOX_SYNC_SECCOMP and its fd before deadline_ms.  Returns the
   fd, or -1 (err; the peer's message on BOX_SYNC_ERROR).  */
int box_sync_recv_fd(int fd, enum box_sync_e want, long long deadline_ms, box_error_t *err);

/* Send one message; returns 0 or -1 (err).  */
int box_sync_send(int fd, enum box_sync_e type, int errnum, const char *msg, box_error_t *err);

/* Wait for message `want` until deadline_ms (CLOCK_MONOTONIC ms).  A
   BOX_SYNC_ERROR from the peer becomes *err with the peer's message.  */
int box_sync_recv(int fd, enum box_sync_e want, long long deadline_ms, box_error_t *err);
/* The same, storing the message's errnum field (a value it carries) in
 *value when value is not NULL.  */
int box_sync_recv_value(int fd, enum box_sync_e want, long long deadline_ms, int *value, box_error_t *err);
/* Wait for the peer to close its end (0: every copy gone, so it has
   exec'd or exited) or for its BOX_SYNC_ERROR (-1, err: its message).  */
int box_sync_wait_eof(int fd, long long deadline_ms, box_error_t *err);

/* The process's cwd (must exist), umask, groups, gid, uid, capabilities,
   noNewPrivileges, and seccomp unless noNewPrivileges defers it to just
   before execve (config.md "Process", runc's order).  For the init after
   pivot_root, and for exec once in the container's namespaces.  */
int box_become_process_user(const box_config_t *c, int seccomp_sync_fd, box_error_t *err);

/* Resolve process.args[0] like execvp, with PATH from process.env.  */
int box_resolve_executable(const struct box_process_s *p, char **out, box_error_t *err);

/* mount.c: mount options to flags (see mount(8)); unknown ones go to data.  */
struct box_mount_opts_s
{
  unsigned long flags;         /* MS_* for mount(2) */
  unsigned long propagation;   /* MS_PRIVATE, MS_SHARED, ... (| MS_REC) applied afterwards */
  char *data;                  /* comma-joined filesystem options, NULL if none */
  uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* of the r* options (rro, ...) */
  bool recursive;              /* some r* option was given: mount_setattr(AT_RECURSIVE) */
};
void box_parse_mount_options(char **options, struct box_mount_opts_s *out);

/* Call fn with each mount option name box_parse_mount_options knows as a
   flag (for `box features`; the rest go to the filesystem as data).  */
void box_mount_option_names(void (*fn)(const char *name, void *data), void *data);

/* namespaces.c: linux.namespaces entries with a path, joined by the
   parent around clone.  saved[] (config->n_ns_joins entries, -1 each)
   gets fds to our own namespaces; leave returns to them and closes them.  */
int box_ns_join_enter(const box_config_t *config, int *saved, box_error_t *err);
int box_ns_join_leave(const box_config_t *config, int *saved, box_error_t *err);
/* Open j->path and check (NS_GET_NSTYPE) that it is a namespace of j's
   type.  Returns the fd, or -1 with err naming the path and the type.  */
int box_ns_open(const struct box_ns_join_s *j, box_error_t *err);

/* Inside the new mount namespace, before pivot_root.  */
int box_prepare_rootfs(const box_config_t *config, const char *rootfs, const char *bundle, box_error_t *err);
/* After box_prepare_rootfs and linux.devices: the read-only remounts it
   held back (a mount that more mounts or devices go beneath), and a
   missing process.cwd, created while the rootfs can still be written.  */
int box_finish_rootfs(const box_config_t *config, const char *rootfs, box_error_t *err);

/* In the parent, before clone (still in the host's user namespace), for a
   config with a new user namespace: an O_PATH fd to each bind mount's
   source, which the init mounts through /proc/self/fd (a source in a
   directory only the host's root may enter stays reachable, as in runc
   and crun).  box_close_mount_sources closes them (the parent, after
   clone).  */
int box_open_mount_sources(box_config_t *config, const char *bundle, box_error_t *err);
void box_close_mount_sources(box_config_t *config);

/* pivot_root into rootfs and detach the old root; then root.readonly.  */
int box_pivot_root(const char *rootfs, bool readonly, bool no_pivot, box_error_t *err);

/* true when the config mounts a fresh filesystem on /dev, which box then
   fills with the default devices (and /dev/console for a terminal).  */
bool box_has_fresh_dev(const box_config_t *config);

/* terminal.c, in the parent: connect to the --console-socket (a path in
   the host's mount namespace, so before clone).  Returns the fd or -1.  */
int box_console_connect(const char *path, box_error_t *err);

/* tty_relay.c, for `run` in the foreground of a process.terminal config
   without --console-socket: a socketpair whose `theirs` end the init sends
   the pty master on; box_tty_relay_run receives it on `ours` and relays its
   own stdin/stdout (raw mode, window size) until the container's side
   closes.  Both return 0, or -1 and fill err.  */
int box_tty_relay_pair(int *ours, int *theirs, box_error_t *err);
int box_tty_relay_run(int ours, box_error_t *err);

/* terminal.c, in the init after pivot_root (or an exec'd process in the
   container's mount namespace): allocate a pty in the container's devpts,
   make its slave our controlling terminal and stdio, send the master over
   console_fd (runc's protocol).  bind_dev_console: also bind it on
   /dev/console (the init only).  */
int box_setup_terminal(const box_config_t *config, int console_fd, bool bind_dev_console, box_error_t *err);

#endif
