/* The record `ocitest hook` appends to its log: one JSON object per line,
   describing one call of a hook (runtime-spec config.md "POSIX-platform
   Hooks") as the hook itself saw it. */
#ifndef OCITEST_HOOKLOG_H
#define OCITEST_HOOKLOG_H

#include "ocitest.h"

#include <jansson.h>

/* What the caller knows; the rest (pid, namespaces, cwd, root, time) the
   record reads from the live process. */
struct hook_call_s
{
  const char *kind;       /* --kind, or NULL: recorded as null */
  char *const *argv;      /* the hook's argv exactly as exec'd, NULL-terminated */
  char *const *envp;      /* its environment, NULL-terminated */
  const char *stdin_text; /* what was read from stdin (NULL: could not read) */
  size_t stdin_len;
  const char *stdin_error; /* why stdin could not be read, or NULL */
};
typedef struct hook_call_s hook_call_t;

/* The namespaces a record names, in /proc/self/ns/ spelling. */
extern const char *const hook_ns_names[];

/* Build the record: {kind, argv, env, state | state_error (+ stdin), pid,
   ppid, proc_self, uid, gid, ns: {mnt, pid, net, uts, ipc, user, cgroup},
   cwd, root_ino ("st_dev:st_ino" of /, as `stat -c %d:%i` prints it),
   time_ns (CLOCK_MONOTONIC), realtime_ns}.  Never fails: what cannot be
   read is recorded as null.  Returns a new reference. */
json_t *hook_record_build(const hook_call_t *call);

/* Serialise rec as one compact line ending in "\n" and append it to path
   (created 0644) with a single write(2) on an O_APPEND descriptor, so lines
   of hooks running one after another, or in different mount namespaces on
   the same file, never interleave.  Returns -1 with err set. */
int hook_log_append(const char *path, json_t *rec, ocitest_error_t *err);

/* Read stdin until EOF, at most max bytes, giving up after timeout_ms with
   what was read so far: a runtime that never closes the hook's stdin must
   not hang the hook (and so the runtime) forever.  Returns -1 with err set
   on a read error or timeout; *out is then still the partial text. */
int hook_read_stdin(int fd, size_t max, int64_t timeout_ms, char **out, size_t *len, ocitest_error_t *err);

#endif
