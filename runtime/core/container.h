/* The lifecycle operations of runtime-spec runtime.md, one call per
   command.  Every function returns 0 (or a value >= 0) on success, -1 and
   fills err on failure.  */
#ifndef BOX_CONTAINER_H
#define BOX_CONTAINER_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

#define BOX_DEFAULT_ROOT "/run/box"

struct box_context_s
{
  const char *root;           /* state root (--root) */
  const char *id;             /* container id, validated by each operation */
  const char *bundle;         /* NULL: current directory */
  const char *pid_file;       /* NULL: none */
  const char *console_socket; /* NULL: none; receives the pty master (process.terminal) */
  bool detach;                /* run --detach */
  bool keep;                  /* run --keep */
  bool force;                 /* delete --force */
  bool all;                   /* kill --all: every process in the container's cgroup */
  bool tty_relay;             /* set by run: no console socket, box relays its own pty */
  int preserve_fds;           /* --preserve-fds N: fds 3..3+N-1 passed to the process */
  bool no_pivot;              /* --no-pivot */
};
typedef struct box_context_s box_context_t;

/* Validate ctx->id, find root/ID (*dir, caller frees) and read its state
   (*st NULL while creating); "does not exist" has errnum ENOENT.  For every
   command.  */
struct box_state_s;
int box_container_load(const box_context_t *ctx, char **dir, struct box_state_s **st, box_error_t *err);

int box_container_create(const box_context_t *ctx, box_error_t *err);
int box_container_start(const box_context_t *ctx, box_error_t *err);

/* *out: the runtime-spec state document, caller frees.  */
int box_container_state(const box_context_t *ctx, char **out, box_error_t *err);

int box_container_kill(const box_context_t *ctx, const char *signal, box_error_t *err);
int box_container_delete(const box_context_t *ctx, box_error_t *err);

/* create + start; unless ctx->detach waits and stores the exit status in
 *exit_status (128+N when killed by signal N), then deletes unless keep.  */
int box_container_run(const box_context_t *ctx, int *exit_status, box_error_t *err);

/* ---- the commands engines drive beyond runtime.md (runc's; control.c,
   list.c, update.c) ---- */

/* pause: freeze a created or running container's cgroup; resume: thaw a
   paused one.  Any other status is an error naming it.  */
int box_container_pause(const box_context_t *ctx, box_error_t *err);
int box_container_resume(const box_context_t *ctx, box_error_t *err);

enum box_format_e
{
  BOX_FORMAT_TABLE,
  BOX_FORMAT_JSON,
};
/* "table" or "json" (--format/-f).  */
int box_parse_format(const char *s, enum box_format_e *out, box_error_t *err);

/* ps: *out what to print: json, an array of the host pids in the
   container's cgroup; table, the lines of `ps PS_ARGS` (default -ef; NULL
   terminated) whose PID column is one of them, after ps's header.  */
int box_container_ps(const box_context_t *ctx, enum box_format_e format, char *const *ps_args, char **out,
                     box_error_t *err);

/* list every container under ctx->root: runc's table (ID PID STATUS
   BUNDLE CREATED OWNER), ids alone (quiet) or a JSON array.  */
int box_container_list(const box_context_t *ctx, enum box_format_e format, bool quiet, char **out,
                       box_error_t *err);

/* update: option values as given on the command line (NULL: absent).  */
struct box_update_s
{
  const char *resources; /* FILE with a linux.resources object, "-": stdin */
  const char *memory, *memory_swap, *memory_reservation;
  const char *cpu_quota, *cpu_period, *cpu_shares, *pids_limit;
  const char *cpuset_cpus, *cpuset_mems;
};
int box_container_update(const box_context_t *ctx, const struct box_update_s *u, box_error_t *err);

/* events: one stats document (stats_only), else one every interval_ms
   until the container is deleted; each a line on out.  */
int box_container_events(const box_context_t *ctx, bool stats_only, long long interval_ms, FILE *out,
                         box_error_t *err);

/* exec (runc's command line): what to run in a running container.  */
struct box_exec_s
{
  const char *process_file; /* --process: a runtime-spec process object; NULL: the config's */
  char **args;              /* ARGS after the id (without --process), NULL-terminated */
  bool tty, detach, no_new_privs;
  int preserve_fds;   /* fds 3 .. 3+N-1 are passed on */
  const char *cwd;    /* NULL: the process's */
  const char *user;   /* "UID[:GID]", NULL: the process's */
  const char **env;   /* "K=V" each, n_env of them */
  const char **caps;  /* capability names, added to every set */
  const char **gids;  /* additional gids (decimal strings) */
  size_t n_env, n_caps, n_gids;
};

/* Run a process in the running container ctx->id (ctx->console_socket,
   ctx->pid_file apply).  Unless e->detach, waits and stores its exit
   status in *exit_status (128+N when killed by signal N).  */
int box_container_exec(const box_context_t *ctx, const struct box_exec_s *e, int *exit_status, box_error_t *err);

/* Write the default config.json into bundle (NULL: cwd); refuses to overwrite.  */
int box_write_default_spec(const char *bundle, box_error_t *err);
/* Same, `box spec --rootless`: for the caller's uid and gid.  */
int box_write_rootless_spec(const char *bundle, box_error_t *err);

#endif
