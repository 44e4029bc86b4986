/* The state directory root/ID: state.json (written tmp + rename) and
   exec.fifo.  The OCI status is never stored: box_status_derive() computes
   it on every read from the recorded pid, its start time (field 22 of
   /proc/PID/stat, so a recycled pid is never mistaken for the container)
   and the presence of the exec fifo.  */
#ifndef BOX_STATUS_H
#define BOX_STATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define BOX_STATE_FILE "state.json"
#define BOX_EXEC_FIFO "exec.fifo"
/* The config.json that `create` validated, kept for the hooks that
   `start` and `delete` run (runc keeps its config in state.json too):
   the bundle's copy may have changed since.  */
#define BOX_CONFIG_COPY "config.json"
/* The cgroups create is about to make, written before it makes them.  */
#define BOX_CGROUP_PLAN "cgroups.json"

enum box_status_e
{
  BOX_STATUS_CREATING = 0,
  BOX_STATUS_CREATED,
  BOX_STATUS_RUNNING,
  BOX_STATUS_STOPPED,
  BOX_STATUS_PAUSED, /* runc's: created or running, its cgroup frozen */
};

struct box_state_s
{
  char *oci_version;
  char *id;
  pid_t pid; /* host pid of the container init */
  unsigned long long start_time;
  char *bundle; /* absolute */
  char *rootfs; /* absolute */
  char *created;
  char *config_path;
  json_t *annotations; /* object or NULL */
  json_t *cgroups;     /* what create made (cgroup.c's record), or NULL */
};
typedef struct box_state_s box_state_t;

/* "ROOT/ID", caller frees.  The id must have been validated.  */
char *box_state_dir(const char *root, const char *id);

/* Write dir/state.json atomically.  */
int box_state_write(const char *dir, const box_state_t *st, box_error_t *err);

/* Read dir/state.json.  A missing file is not an error: *out is NULL
   (the container is still being created).  */
int box_state_read(const char *dir, box_state_t **out, box_error_t *err);

void box_state_free(box_state_t *st);
void cleanup_statep(box_state_t **st);
#define cleanup_state __attribute__((cleanup(cleanup_statep)))

/* Read /proc/PID/stat.  Returns 1 and fills state/start when the process
   exists, 0 when it does not, -1 (err) when /proc cannot be parsed.  */
int box_proc_stat(pid_t pid, char *state, unsigned long long *start, box_error_t *err);

/* true when pid exists, is not a zombie and started at `start`.  */
bool box_process_alive(pid_t pid, unsigned long long start);

/* Status of the container whose state dir is `dir`; st NULL = creating.  */
enum box_status_e box_status_derive(const char *dir, const box_state_t *st);

const char *box_status_name(enum box_status_e status);

/* true when st's cgroup is frozen (pause); false without a freezer.  */
bool box_state_frozen(const box_state_t *st);

/* The runtime-spec state document (runtime.md "State"), pretty-printed.
   pid is reported as 0 once stopped (and while st is NULL), like runc.
   st->created may be NULL (not known yet): then it is left out.  */
char *box_state_format(const box_state_t *st, const char *id, enum box_status_e status);
/* The same document as a JSON object, the caller's reference.  */
json_t *box_state_document(const box_state_t *st, const char *id, enum box_status_e status);

/* The same document on one line, as hooks get it on stdin (runc sends
   compact JSON; a hook reading one line must get all of it).  */
char *box_state_format_hook(const box_state_t *st, const char *id, enum box_status_e status);

/* Open a pidfd on st's init and check, after opening, that it is still
   the same process (start time) and alive.  Returns 1 with *pidfd set,
   0 when the process is gone, -1 on error.  */
int box_pidfd_open_checked(pid_t pid, unsigned long long start, int *pidfd, box_error_t *err);

#endif
