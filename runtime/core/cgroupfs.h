/* Mounts of type "cgroup": the container's own cgroups at the mount's
   destination, laid out like the host's /sys/fs/cgroup.  The runtime-spec
   names no such type; this is the meaning runc and crun give it, and the
   mount `runc spec` writes ({"destination": "/sys/fs/cgroup", "type":
   "cgroup", "options": [..., "ro"]}).

   - cgroup v2 host: cgroup2 at the destination.
   - v1 or hybrid host: a tmpfs (mode 0755) at the destination, one
     directory per v1 hierarchy, named like the host's ("cpu,cpuacct",
     "pids", "systemd" for name=systemd), a symlink per co-mounted
     controller ("cpu" -> "cpu,cpuacct"), and "unified" for the cgroup2
     hierarchy of a hybrid host.

   Each hierarchy shows the container's own cgroup at its root: a new mount
   of it when that cgroup is the root of the init's cgroup namespace (a new
   cgroup namespace, unshared once the init is in its cgroups), else a bind
   mount of the cgroup's directory from the host's mount.  */
#ifndef BOX_CGROUPFS_H
#define BOX_CGROUPFS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "spec.h"

struct box_cgroupfs_hier_s
{
  char *controllers; /* as /proc/self/cgroup names them: "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
  char *name;        /* its directory on a v1 or hybrid host: "cpu,cpuacct", "systemd", "unified" */
  char **links;      /* NULL-terminated: symlink names for `name`, one per co-mounted controller */
  char *host_dir;    /* our own cgroup's directory on the host; NULL when no mount of it reaches there */
  bool ns_root;      /* our own cgroup is our cgroup namespace's root: a new mount shows it */
};

struct box_cgroupfs_s
{
  struct box_cgroupfs_hier_s *h; /* in mountinfo order */
  size_t n;
  bool v2; /* cgroup2 alone (unified mode): mounted at the destination itself */
};
typedef struct box_cgroupfs_s box_cgroupfs_t;

/* The hierarchies a cgroup mount shows, from the text of the caller's
   /proc/self/mountinfo and /proc/self/cgroup (read apart, for the unit
   tests).  Fails when no cgroup hierarchy is mounted, or one has a name
   that cannot be a directory name.  */
int box_cgroupfs_parse(const char *mountinfo, const char *proc_cgroup, box_cgroupfs_t **out,
                       box_error_t *err);

void box_cgroupfs_free(box_cgroupfs_t *fs);
void cleanup_cgroupfsp(box_cgroupfs_t **fs);
#define cleanup_cgroupfs __attribute__((cleanup(cleanup_cgroupfsp)))

/* The directory name of the hierarchy with these controllers: "name="
   dropped from named ones, "unified" for cgroup2 (""); NULL when the
   result is not a plain file name.  Caller frees.  */
char *box_cgroupfs_dir_name(const char *controllers);

/* Mount m (type "cgroup") on dest: its directory in the rootfs, made and
   checked by mount.c, before pivot_root.  On failure err names
   m->destination and the step that failed; what was mounted stays, to go
   away with the init's mount namespace.  */
int box_cgroupfs_mount(const struct box_mount_s *m, const char *dest, box_error_t *err);

#endif
