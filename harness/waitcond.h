/* Conditions a case waits for, polled against a deadline. */
#ifndef OCITEST_WAITCOND_H
#define OCITEST_WAITCOND_H

#include "ocitest.h"

enum wait_kind_e
{
  WAIT_PID_GONE, /* /proc/PID absent or a zombie */
  WAIT_FILE,     /* path exists (and contains text) */
  WAIT_STATUS,   /* `argv` prints a state whose .status is `status` */
  WAIT_GONE,     /* `argv` exits non-zero: the container no longer exists */
};

struct wait_cond_s
{
  enum wait_kind_e kind;
  pid_t pid;
  const char *path;
  const char *contains; /* NULL: existence is enough */
  const char *status;
  char *const *argv;
  int64_t cmd_timeout_ms; /* per run of argv */
};
typedef struct wait_cond_s wait_cond_t;

/* Evaluate once.  Returns 1 if the condition holds, 0 if not yet (with a
   description of what was seen in *seen, owned by the caller), -1 on an error
   that polling cannot fix (the command cannot be executed). */
int wait_check_once(const wait_cond_t *c, int64_t deadline_ms, char **seen, ocitest_error_t *err);

/* Poll every interval_ms until the condition holds (returns 1) or timeout_ms
   has passed (returns 0, *last_seen says what was seen last). */
int wait_poll(const wait_cond_t *c, int64_t timeout_ms, int64_t interval_ms, char **last_seen,
              ocitest_error_t *err);

/* Human-readable description of the condition, for messages. */
char *wait_describe(const wait_cond_t *c);

#endif
