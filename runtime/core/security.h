/* What config.json asks of the container's security context and of the
   rootfs beyond the mounts: capabilities, rlimits, noNewPrivileges,
   oomScoreAdj, domainname, sysctl (security.c), seccomp (seccomp.c),
   masked/readonly paths, devices and rootfs propagation (paths.c).
   Parsed at create (errors name the field), applied by the container init
   (linux.c) in runc's order.  */
#ifndef BOX_SECURITY_H
#define BOX_SECURITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* process.capabilities sets, in this order.  */
enum box_cap_set_e
{
  BOX_CAP_BOUNDING = 0,
  BOX_CAP_EFFECTIVE,
  BOX_CAP_PERMITTED,
  BOX_CAP_INHERITABLE,
  BOX_CAP_AMBIENT,
  BOX_CAP_SETS,
};

struct box_rlimit_s
{
  int resource; /* RLIMIT_* */
  unsigned long long hard, soft;
};

struct box_sysctl_s
{
  char *key, *value;
};

/* config-linux.md "Devices".  */
struct box_device_s
{
  char *path;
  char type; /* 'c', 'b', 'u' or 'p' */
  long long major, minor;
  bool has_mode, has_uid, has_gid;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

struct box_seccomp_s; /* seccomp.c */

/* config-linux.md "User namespace mappings".  */
struct box_idmap_s
{
  unsigned long container_id, host_id, size;
};

struct box_security_s
{
  bool has_caps;
  uint64_t caps[BOX_CAP_SETS]; /* bit N: capability N */
  struct box_rlimit_s *rlimits;
  size_t n_rlimits;
  bool no_new_privs;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *domainname;
  struct box_sysctl_s *sysctl;
  size_t n_sysctl;
  char **masked_paths, **readonly_paths; /* NULL-terminated or NULL */
  struct box_device_s *devices;
  size_t n_devices;
  unsigned long rootfs_propagation; /* MS_* | MS_REC, 0 when absent */
  struct box_seccomp_s *seccomp;    /* NULL when absent */
  bool userns;                      /* a new user namespace */
  struct box_idmap_s *uid_map, *gid_map;
  size_t n_uid_map, n_gid_map;
};
typedef struct box_security_s box_security_t;

/* Parse everything above from the whole config document.  clone_flags:
   the new namespaces asked for (domainname needs uts, sysctl its own).
   A field box does not implement is an error naming it.  */
int box_security_parse(json_t *doc, int clone_flags, box_security_t **out, box_error_t *err);
void box_security_free(box_security_t *s);

/* The capability table: "CAP_CHOWN" -> 0 ..., -1 when unknown.  */
int box_cap_from_name(const char *name);
const char *box_cap_name(int cap);
int box_cap_count(void);

/* Parse one capability list (field names the set in errors) into a mask.  */
int box_caps_parse(json_t *list, const char *field, uint64_t *mask, box_error_t *err);

/* 0 when the sysctl key may be set in a container with these new
   namespaces (config-linux.md "Sysctl"; runc's validator), else -1.  */
int box_sysctl_check(const char *key, int clone_flags, box_error_t *err);

/* ---- the init (linux.c), in runc's order ---- */

/* rlimits: before anything drops privileges.  */
int box_apply_process_limits(const box_security_t *s, box_error_t *err);

/* domainname and sysctl, in the container's namespaces.  */
int box_apply_namespace_settings(const box_security_t *s, box_error_t *err);

/* Before setuid: keep caps across it, drop the bounding set.  */
int box_caps_before_setuid(const box_security_t *s, box_error_t *err);

/* After setuid: effective/permitted/inheritable, ambient, then
   noNewPrivileges.  */
int box_caps_after_setuid(const box_security_t *s, box_error_t *err);

/* paths.c, after the mounts, before pivot_root: linux.devices under
   rootfs (userns: bind the host's nodes instead of mknod).  */
int box_create_devices(const box_security_t *s, const char *rootfs, bool userns, box_error_t *err);

/* paths.c, after pivot_root: readonly and masked paths, root propagation.  */
int box_apply_paths(const box_security_t *s, box_error_t *err);

/* paths.c: the propagation for `/` before the mounts (MS_REC|MS_SLAVE
   unless linux.rootfsPropagation says otherwise, as runc).  */
unsigned long box_initial_propagation(const box_security_t *s);

/* paths.c, right after the rootfs bind: with a shared propagation make
   the rootfs and its parent mount private so pivot_root works.  */
int box_rootfs_unshare(const box_security_t *s, const char *rootfs, box_error_t *err);

/* paths.c parsers, called by box_security_parse.  */
int box_paths_parse(json_t *linux_obj, box_security_t *s, box_error_t *err);

/* userns.c: linux.uidMappings/gidMappings, required with (and only
   with) a new user namespace.  */
int box_userns_parse(json_t *linux_obj, int clone_flags, box_security_t *s, box_error_t *err);

/* userns.c, in the parent right after clone while the init waits:
   write /proc/PID/uid_map and gid_map, and oomScoreAdj (raising it needs
   no privilege, lowering needs CAP_SYS_RESOURCE in the initial user
   namespace, which an init in a user namespace no longer has).  */
int box_setup_init_process(pid_t pid, const box_security_t *s, box_error_t *err);

/* userns.c, in the init once the maps are written: become root of the
   user namespace (setresgid/setresuid 0, as runc's nsexec).  */
int box_userns_become_root(const box_security_t *s, box_error_t *err);

/* seccomp.c */
int box_seccomp_parse(json_t *seccomp, struct box_seccomp_s **out, box_error_t *err);
/* Load the filter.  With SCMP_ACT_NOTIFY rules and listener_sync_fd >= 0
   the listener fd goes to the parent over that sync socket right after
   (BOX_SYNC_SECCOMP, linux.c); with -1 it is closed.  */
int box_seccomp_load(const struct box_seccomp_s *sc, int listener_sync_fd, box_error_t *err);
/* listenerPath when some rule notifies, else NULL (the spec: ignored).  */
const char *box_seccomp_listener(const struct box_seccomp_s *sc);
/* Connect to listenerPath and send the container process state (pid,
   listenerMetadata, state_json) with notify_fd; close the connection.  */
int box_seccomp_send_state(const struct box_seccomp_s *sc, int notify_fd, pid_t pid, const char *state_json,
                           box_error_t *err);
/* linux.c: the init's half of the hand-over.  */
int box_seccomp_send_listener_fd(int sync_fd, int notify_fd, box_error_t *err);
void box_seccomp_free(struct box_seccomp_s *sc);
/* For `box features`: the names seccomp.c knows.  */
extern const char *const box_seccomp_actions[];
extern const char *const box_seccomp_operators[];
extern const char *const box_seccomp_archs[];

#endif
