/* The lifecycle operations of runtime-spec runtime.md, one call per
   command.  Every function returns 0 (or a value >= 0) on success, -1 and
   fills err on failure.  */
#ifndef BOX_CONTAINER_H
#define BOX_CONTAINER_H

#include <stdbool.h>

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
};
typedef struct box_context_s box_context_t;

int box_container_create(const box_context_t *ctx, box_error_t *err);
int box_container_start(const box_context_t *ctx, box_error_t *err);

/* *out: the runtime-spec state document, caller frees.  */
int box_container_state(const box_context_t *ctx, char **out, box_error_t *err);

int box_container_kill(const box_context_t *ctx, const char *signal, box_error_t *err);
int box_container_delete(const box_context_t *ctx, box_error_t *err);

/* create + start; unless ctx->detach waits and stores the exit status in
 *exit_status (128+N when killed by signal N), then deletes unless keep.  */
int box_container_run(const box_context_t *ctx, int *exit_status, box_error_t *err);

/* Write the default config.json into bundle (NULL: cwd); refuses to overwrite.  */
int box_write_default_spec(const char *bundle, box_error_t *err);

#endif
