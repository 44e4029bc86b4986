/* Control groups (runtime-spec config-linux.md "Control groups" and
   "cgroupsPath"): find the host's hierarchies (v1, v2 or hybrid), create
   the container's cgroup in each, apply linux.resources, move the init
   in, signal every process in it, and remove exactly what create made.

   Like runc's cgroupfs manager: an absolute cgroupsPath is relative to
   each hierarchy's root; a relative one (and the default "box-<id>") is
   joined to the cgroup box itself runs in (/proc/self/cgroup), or on a
   pure v2 host to its parent, which has no processes of its own and so
   may delegate controllers (the v2 "no internal processes" rule).  */
#ifndef BOX_CGROUP_H
#define BOX_CGROUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* ---- linux.resources (config-linux.md "Control groups") ---- */

/* One entry of linux.resources.devices (config-linux.md "Allowed Device
   Cgroup"); major/minor -1 mean "*".  */
struct box_device_rule_s
{
  bool allow;
  char type; /* 'a', 'c' or 'b' */
  long long major, minor;
  char access[4]; /* subset of "rwm" */
};

/* Every value has a has_ flag: only what the config sets is written.  */
struct box_resources_s
{
  bool has_pids_limit;
  long long pids_limit; /* < 0: unlimited */
  bool has_mem_limit, has_mem_reservation, has_mem_swap;
  long long mem_limit, mem_reservation, mem_swap; /* bytes, -1: unlimited */
  bool has_mem_swappiness;
  unsigned long long mem_swappiness; /* 0..100, v1 only */
  bool has_cpu_shares, has_cpu_quota, has_cpu_period;
  unsigned long long cpu_shares, cpu_period;
  long long cpu_quota; /* microseconds, -1: unlimited */
  char *cpus, *mems;   /* cpuset lists, NULL when absent */
  bool has_devices;
  struct box_device_rule_s *devices;
  size_t n_devices;
  struct box_hugepage_limit_s
  {
    char *page_size; /* "2MB", as in the hugetlb.<size>.* file names */
    unsigned long long limit;
  } *hugepages;
  size_t n_hugepages;
  char **unified_keys, **unified_values; /* linux.resources.unified, n_unified pairs */
  size_t n_unified;
  bool disable_oom_killer; /* memory.disableOOMKiller */
  /* linux.resources.blockIO (config-linux.md "Block IO") */
  unsigned long long blkio_weight, blkio_leaf_weight; /* 0: unset; [10, 1000] */
  struct box_blkio_rule_s
  {
    long long major, minor;
    unsigned long long value; /* weight, leaf weight or rate */
  } *blkio_rules[6]; /* BOX_BLKIO_WEIGHT, _LEAF_WEIGHT, _READ_BPS, _WRITE_BPS, _READ_IOPS, _WRITE_IOPS */
  size_t n_blkio_rules[6];
};
enum
{
  BOX_BLKIO_WEIGHT,
  BOX_BLKIO_LEAF_WEIGHT,
  BOX_BLKIO_READ_BPS,
  BOX_BLKIO_WRITE_BPS,
  BOX_BLKIO_READ_IOPS,
  BOX_BLKIO_WRITE_IOPS,
};

/* Parse linux.resources (res may be NULL: *out stays NULL).  Errors name
   the field: "config.json: `linux.resources.pids.limit`: must be an
   integer".  A field box does not implement is an error, never silently
   ignored: a limit the user asked for must hold or create must fail.  */
int box_resources_parse(json_t *res, struct box_resources_s **out, box_error_t *err);
void box_resources_free(struct box_resources_s *r);

/* cgroup v2 cpu.weight [1, 10000] from v1 cpu.shares [2, 262144], the
   linear mapping runc and crun use.  0 stays 0 (unset).  */
unsigned long long box_cpu_shares_to_weight(unsigned long long shares);

/* ---- the host's hierarchies ---- */

struct box_cgroup_hier_s
{
  char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
  char *mount;       /* mount point */
  char *root;        /* the cgroup mounted there (mountinfo field 4), usually "/" */
  char *own;         /* our own cgroup in this hierarchy (/proc/self/cgroup) */
};

struct box_cgroup_host_s
{
  struct box_cgroup_hier_s *h;
  size_t n;
  bool v2; /* only a cgroup2 hierarchy (unified mode) */
};
typedef struct box_cgroup_host_s box_cgroup_host_t;

/* One /proc/PID/cgroup line "ID:CONTROLLERS:PATH".  Returns 0 and fills
   the out strings (caller frees), -1 when the line is malformed.  */
int box_cgroup_parse_proc_line(const char *line, char **controllers, char **path);

/* A whole /proc/PID/cgroup: its well-formed lines (caller frees with
   box_cgroup_entries_free).  */
struct box_cgroup_entry_s
{
  char *controllers; /* "" for the cgroup2 line */
  char *path;
};
struct box_cgroup_entry_s *box_cgroup_parse_proc(const char *text, size_t *n);
void box_cgroup_entries_free(struct box_cgroup_entry_s *e, size_t n);

/* The entry of a cgroup mount (a mountinfo line's fstype and super-block
   options): the cgroup2 one for cgroup2, else the v1 one whose every
   controller the mount carries.  NULL when there is none.  */
const struct box_cgroup_entry_s *box_cgroup_entry_for_mount(const struct box_cgroup_entry_s *e, size_t n,
                                                            const char *fstype, const char *superopts);

/* true when the comma-separated list has the token.  */
bool box_cgroup_has_token(const char *list, const char *token);

/* One /proc/PID/mountinfo line.  Returns 1 with the fields of a cgroup or
   cgroup2 mount (*superopts: the super-block options, the controllers of
   a v1 hierarchy), 0 for any other mount, -1 when malformed.  */
int box_cgroup_parse_mountinfo_line(const char *line, char **fstype, char **root, char **mount,
                                    char **superopts);

/* The hierarchies from the text of /proc/self/mountinfo and
   /proc/self/cgroup (kept apart from reading them for the unit tests).  */
int box_cgroup_host_parse(const char *mountinfo, const char *proc_cgroup, box_cgroup_host_t **out,
                          box_error_t *err);

/* Same, from this process's /proc files.  */
int box_cgroup_host_read(box_cgroup_host_t **out, box_error_t *err);

void box_cgroup_host_free(box_cgroup_host_t *host);

/* The container's cgroup in hierarchy h, as a path inside that hierarchy
   (starts with '/').  cgroups_path NULL means the default "box-<id>".  */
int box_cgroup_resolve(const box_cgroup_host_t *host, const struct box_cgroup_hier_s *h,
                       const char *cgroups_path, const char *id, char **out, box_error_t *err);

/* ---- a container's cgroups ---- */

struct box_cgroup_dir_s
{
  char *controllers; /* as in box_cgroup_hier_s */
  char *cgroup;      /* the path inside the hierarchy, as /proc/PID/cgroup shows it */
  char *path;        /* the same directory on the host */
  char **created;    /* directories create made here, in mkdir order */
  size_t n_created;
};

struct box_cgroup_s
{
  struct box_cgroup_dir_s *dirs;
  size_t n;
};
typedef struct box_cgroup_s box_cgroup_t;

/* Create the container's cgroup in every hierarchy and apply r (may be
   NULL).  On failure everything it made is removed again.  */
int box_cgroup_create(const box_cgroup_host_t *host, const char *cgroups_path, const char *id,
                      const struct box_resources_s *r, box_cgroup_t **out, box_error_t *err);

/* What box_cgroup_create would make, without making it: the directories
   that do not exist yet, as `created`.  Recorded in the state directory
   before create makes them, so that a create killed part-way leaves
   `delete --force` the list of what to remove.  */
int box_cgroup_plan(const box_cgroup_host_t *host, const char *cgroups_path, const char *id,
                    box_cgroup_t **out, box_error_t *err);

/* Move pid into the container's cgroup in every hierarchy.  */
int box_cgroup_enter(const box_cgroup_t *cg, pid_t pid, box_error_t *err);
/* Same, only into the v1 hierarchies, the v2 one, or both (which).  */
#define BOX_CGROUP_V1 1u
#define BOX_CGROUP_V2 2u
int box_cgroup_enter_some(const box_cgroup_t *cg, pid_t pid, unsigned which, box_error_t *err);
/* In the (single-threaded) caller: move itself into the container's
   cgroup in every v1 hierarchy, without the global lock a move by pid
   takes (cgroup.c says why).  */
int box_cgroup_enter_self_v1(const box_cgroup_t *cg, box_error_t *err);
/* An O_DIRECTORY fd of the container's v2 cgroup, for clone3's
   CLONE_INTO_CGROUP; -1 when it has none.  */
int box_cgroup_open_v2(const box_cgroup_t *cg);

/* true when the container's cgroup is frozen or freezing (v1
   freezer.state, v2 cgroup.freeze): a process moved in would stop.  false
   without a freezer (box_cgroup_frozen, freezer.c, tells that apart).  */
bool box_cgroup_freezing(const box_cgroup_t *cg);

/* Send sig to every process in the container's cgroups and their
   sub-cgroups.  Returns the number of processes signalled.  */
int box_cgroup_signal_all(const box_cgroup_t *cg, int sig, box_error_t *err);

/* SIGKILL whatever is left, then rmdir depth-first every cgroup create
   made (sub-cgroups the container made itself included), polling until
   deadline_ms (box_now_ms() clock) for the processes to go.  */
int box_cgroup_destroy(const box_cgroup_t *cg, long long deadline_ms, box_error_t *err);

/* ---- live operations (update, pause, ps, events) ---- */

/* Apply r to the container's cgroups: what create does, also used by
   update on a live container (devices excluded by the caller).  */
int box_cgroup_apply(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err);

/* The directory holding controller's files (on a pure v2 host the one
   cgroup2 directory, *v2 set); NULL when the host has no such controller.  */
const struct box_cgroup_dir_s *box_cgroup_dir_for(const box_cgroup_t *cg, const char *controller, bool *v2);

/* Every pid in the container's cgroup and its sub-cgroups (the hierarchy
   that sees them all, as kill --all), caller frees *pids.  */
int box_cgroup_pids(const box_cgroup_t *cg, pid_t **pids, size_t *n, box_error_t *err);

/* freezer.c: freeze (v1 freezer.state FROZEN, v2 cgroup.freeze 1) or
   thaw, polling until the kernel reports it done or deadline_ms passes
   (then a freeze is undone).  Fails clearly without a freezer.  */
int box_cgroup_freeze(const box_cgroup_t *cg, bool freeze, long long deadline_ms, box_error_t *err);

/* 1 when the container's cgroup is frozen (all of it, not FREEZING), 0
   when not, -1 (err) when there is no freezer.  */
int box_cgroup_frozen(const box_cgroup_t *cg, box_error_t *err);

/* Thaw if frozen, ignoring errors: before processes must die.  */
void box_cgroup_thaw_quiet(const box_cgroup_t *cg);

/* cgroup_stats.c: runc's `events --stats` "data" object (cpu, memory,
   pids) read from the cgroup files.  Never NULL.  */
json_t *box_cgroup_stats(const box_cgroup_t *cg);

/* The record kept in state.json, and back.  */
json_t *box_cgroup_to_json(const box_cgroup_t *cg);
int box_cgroup_from_json(json_t *j, box_cgroup_t **out, box_error_t *err);

void box_cgroup_free(box_cgroup_t *cg);
void cleanup_cgroupp(box_cgroup_t **cg);
#define cleanup_cgroup __attribute__((cleanup(cleanup_cgroupp)))

#endif
