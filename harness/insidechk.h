/* The in-container checker: compare the live environment of the process with
   the config.json it was started from, one TAP line per spec requirement.
   Every check reads /proc through ctx->proc and files through ctx->root, so the
   unit tests can feed it fixture files instead of the live system. */
#ifndef INSIDECHK_H
#define INSIDECHK_H

#include "ocitest.h"

#include <jansson.h>

struct inside_s
{
  json_t *config;   /* the parsed config.json (borrowed) */
  json_t *host;     /* {"net": "net:[..]", "seccomp": "0", "/proc/1/ns/net": ...} or NULL */
  const char *proc; /* "/proc", or a fixture directory holding self/status, ... */
  const char *root; /* "" on the live system, a fixture directory in tests */
  int argc;         /* the process's own argv, for process.args */
  char **argv;
  char **environ; /* the process's environment, for process.env */
  FILE *out;      /* TAP goes here */
  int n, passed, failed, skipped;
};
typedef struct inside_s inside_t;

/* One group of checks: a name for --only and the function. */
struct inside_group_s
{
  const char *name;
  void (*run)(inside_t *t);
};
extern const struct inside_group_s inside_groups[];

/* TAP: a check passes when got equals want (both may be NULL: compare only
   `cond`).  spec names the section and the level, e.g.
   "config.md Process MUST". */
void inside_report(inside_t *t, bool cond, const char *spec, const char *got, const char *want,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void inside_skip(inside_t *t, const char *spec, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Capability names <-> bit numbers (include/uapi/linux/capability.h).  Returns
   -1 / NULL when unknown. */
int cap_from_name(const char *name);
const char *cap_name(int bit);
/* A config list of names as a bit mask; names this table does not know are
   appended to unknown (may be NULL). */
uint64_t cap_mask_from_json(const json_t *names, str_list_t *unknown);
/* "CAP_A,CAP_B" for a mask (owned). */
char *cap_mask_format(uint64_t mask);

/* The value of "Key:" in a /proc/PID/status text, leading blanks removed
   (owned), or NULL when absent. */
char *status_field(const char *status, const char *key);

/* One line of /proc/PID/mountinfo, unescaped. */
struct mi_line_s
{
  int id, parent;
  char *mount_point;
  char *mount_opts; /* per-mount: rw,nosuid,nodev,... */
  char *optional;   /* shared:N master:N ... (space separated, may be "") */
  char *fstype;
  char *source;
  char *super_opts; /* per-superblock: rw,size=...,mode=... */
};
typedef struct mi_line_s mi_line_t;

struct mi_table_s
{
  mi_line_t *items;
  size_t len;
};
typedef struct mi_table_s mi_table_t;

/* Parse mountinfo text.  Returns -1 (err filled) on a malformed line. */
int mi_parse(const char *text, mi_table_t *out, ocitest_error_t *err);
void mi_free(mi_table_t *t);
/* The topmost mount at a mount point (the last line naming it), or NULL. */
const mi_line_t *mi_find(const mi_table_t *t, const char *mount_point);
/* Is the comma-separated list opts holding opt (whole item)? */
bool opt_has(const char *opts, const char *opt);

/* Run the checks of every group (only == NULL) or of the comma-separated
   groups named in only.  Returns -1 (usage error) on an unknown group. */
int inside_run(inside_t *t, const char *only, ocitest_error_t *err);
/* Parse a host facts file: "KEY VALUE" lines into a JSON object (owned). */
int inside_read_host(const char *path, json_t **out, ocitest_error_t *err);

#endif
