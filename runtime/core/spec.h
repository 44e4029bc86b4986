/* config.json: parsing, validation (errors name the JSON field, e.g.
   "config.json: `process.args`: must be a non-empty array of strings") and
   the default document `box spec` writes.  */
#ifndef BOX_SPEC_H
#define BOX_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "security.h"

#define BOX_OCI_VERSION "1.0.2"

struct box_mount_s
{
  char *destination; /* absolute, inside the container */
  char *type;        /* may be NULL (bind mounts) */
  char *source;      /* may be NULL */
  char **options;    /* NULL-terminated */
  size_t n_options;
  int source_fd;     /* -1, or an O_PATH fd to source (box_open_mount_sources) */
  bool defer_ro;     /* ro held back until box_finish_rootfs */
};

/* config.md "POSIX-platform Hooks", in lifecycle order (runtime.md
   "Lifecycle").  prestart is deprecated and runs with createRuntime.  */
enum box_hook_kind_e
{
  BOX_HOOK_PRESTART = 0,
  BOX_HOOK_CREATE_RUNTIME,
  BOX_HOOK_CREATE_CONTAINER,
  BOX_HOOK_START_CONTAINER,
  BOX_HOOK_POSTSTART,
  BOX_HOOK_POSTSTOP,
  BOX_HOOK_KINDS,
};

struct box_hook_s
{
  char *path;  /* absolute */
  char **args; /* NULL-terminated; NULL when absent (argv is then {path}) */
  size_t n_args;
  char **env; /* NULL-terminated; NULL when absent (the caller's environment) */
  size_t n_env;
  int timeout; /* seconds, > 0; 0 when absent (no limit) */
};

struct box_hook_list_s
{
  struct box_hook_s *hooks;
  size_t n;
};

struct box_process_s
{
  char **args; /* NULL-terminated, at least one */
  size_t n_args;
  char **env; /* NULL-terminated, each "K=V" */
  size_t n_env;
  char *cwd; /* absolute */
  uid_t uid;
  gid_t gid;
  gid_t *additional_gids;
  size_t n_additional_gids;
  bool has_umask;
  mode_t umask;
  bool terminal;
  bool has_console_size;
  unsigned short console_height, console_width; /* process.consoleSize */
};

/* A linux.namespaces entry with a path: joined with setns(2).  */
struct box_ns_join_s
{
  int flag; /* CLONE_NEW* */
  char *path;
};

struct box_config_s;

/* namespaces.c: check a namespace path entry at parse time (which types
   box can join) and record it in c.  */
int box_ns_join_parse(json_t *path, int flag, const char *field, struct box_config_s *c, box_error_t *err);

struct box_config_s
{
  char *oci_version;
  char *root_path; /* as written: relative to the bundle or absolute */
  bool root_readonly;
  struct box_process_s *process; /* NULL when absent */
  char *hostname;                /* NULL when absent */
  struct box_mount_s *mounts;
  size_t n_mounts;
  int clone_flags;     /* CLONE_NEW* for the requested new namespaces */
  json_t *annotations; /* object of strings, or NULL */
  struct box_hook_list_s hooks[BOX_HOOK_KINDS];
  char *cgroups_path;                /* linux.cgroupsPath; NULL: box's default, box-<id> */
  struct box_resources_s *resources; /* linux.resources; NULL when absent */
  box_security_t *security;          /* caps, rlimits, seccomp, paths, ...: security.h */
  int join_flags;                    /* CLONE_NEW* of the namespaces joined by path */
  struct box_ns_join_s ns_joins[8];  /* linux.namespaces entries with a path (namespaces.c) */
  size_t n_ns_joins;
};
typedef struct box_config_s box_config_t;

/* Parse and validate a config document held in memory.  */
int box_config_parse(const char *data, size_t len, box_config_t **out, box_error_t *err);

/* Read and parse `path` (errors are prefixed with "config.json").  */
int box_config_load(const char *path, box_config_t **out, box_error_t *err);

/* "createRuntime", ... : the JSON key of a hook kind.  */
const char *box_hook_kind_name(enum box_hook_kind_e kind);

void box_config_free(box_config_t *config);

void cleanup_configp(box_config_t **config);
#define cleanup_config __attribute__((cleanup(cleanup_configp)))

/* The default config.json of `box spec`, pretty-printed, caller frees.  */
char *box_default_spec(void);
/* `box spec --rootless`: the default made to run as uid/gid, not root.  */
char *box_rootless_spec(unsigned uid, unsigned gid);

#endif
