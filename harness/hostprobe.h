/* What this host allows, found by trying each thing for real. */
#ifndef OCITEST_HOSTPROBE_H
#define OCITEST_HOSTPROBE_H

#include "ocitest.h"

enum host_ns_e
{
  HOST_NS_PID,
  HOST_NS_MOUNT,
  HOST_NS_UTS,
  HOST_NS_IPC,
  HOST_NS_NET,
  HOST_NS_CGROUP,
  HOST_NS_USER,
  HOST_NS_COUNT,
};

struct host_probe_s
{
  uid_t euid;
  bool root; /* euid 0 and CAP_SYS_ADMIN effective */
  bool cap_sys_admin;
  bool ns[HOST_NS_COUNT];
  bool userns;        /* an unprivileged user can create a user namespace */
  const char *cgroup; /* "v1", "v2", "hybrid" or "none" (static string) */
  char *cgroup_v2_path;
  char *cgroup_v2_controllers;
  bool cgroup_writable;
  /* Usable controllers: each mounted v1 hierarchy's, else those the v2
     root lists in cgroup.controllers; writable: a group can be made there. */
  struct host_cgroup_ctrl_s
  {
    char *name;
    bool writable;
  } *cgroup_ctrls;
  size_t n_cgroup_ctrls;
  bool seccomp;
  bool pty;
};
typedef struct host_probe_s host_probe_t;

/* Key used in `probe` output for each namespace, e.g. "ns_pid". */
const char *host_ns_key(enum host_ns_e ns);

/* Fill *out.  Each probe runs in a short-lived child or cleans up after
   itself, and is bounded by a timeout, so probing leaves nothing behind and
   cannot hang.  Returns -1 only if /proc cannot be read at all. */
int host_probe(host_probe_t *out, ocitest_error_t *err);
void host_probe_free(host_probe_t *p);

/* Print the key=value lines `probe` prints. */
void host_probe_print(const host_probe_t *p, FILE *f);

#endif
