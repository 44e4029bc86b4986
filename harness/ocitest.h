/* ocitest: shared declarations of the harness driver.
 *
 * Conventions (see /work/shared/STYLE.md): a failing function returns a
 * negative value and fills the ocitest_error_t passed as its last argument; a
 * succeeding one returns >= 0 and leaves it alone.  Only main() prints errors.
 *
 * The header is deliberately not called error.h or utils.h: the unit tests are
 * compiled with -Iruntime/core before -Iharness, and box owns those names.
 */
#ifndef OCITEST_H
#define OCITEST_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

/* Exit codes shared by every subcommand. */
enum
{
  OCITEST_EXIT_OK = 0,    /* condition met, nothing wrong */
  OCITEST_EXIT_FAIL = 1,  /* check failed, timeout, leak found, or runtime error */
  OCITEST_EXIT_USAGE = 2, /* bad command line */
};

/* ---- errors (crun's libcrun_error_t) ---------------------------------- */

struct ocitest_error_s
{
  int status;    /* errno of the root cause, 0 if none */
  int exit_code; /* what main() exits with: OCITEST_EXIT_FAIL or OCITEST_EXIT_USAGE */
  char *msg;
};
typedef struct ocitest_error_s *ocitest_error_t;

/* Fill *err with printf-style text, ": strerror(status)" appended when
   status != 0.  Returns -1 so callers can `return ocitest_make_error (...)`. */
int ocitest_make_error(ocitest_error_t *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, but main() will exit with OCITEST_EXIT_USAGE. */
int ocitest_usage_error(ocitest_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepend "context: " to an existing error.  Returns -1. */
int ocitest_error_wrap(ocitest_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ocitest_error_release(ocitest_error_t *err);

/* ---- memory: allocation failure aborts, callers never check NULL ------ */

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- cleanup helpers (bubblewrap / crun) ------------------------------ */

static inline void
cleanup_freep(void *p)
{
  free(*(void **)p);
}
static inline void
cleanup_closep(int *fd)
{
  if (*fd >= 0)
    close(*fd);
}
static inline void
cleanup_filep(FILE **f)
{
  if (*f)
    fclose(*f);
}
static inline void
cleanup_dirp(DIR **d)
{
  if (*d)
    closedir(*d);
}
/* A child we forked must never outlive the scope that owns it. */
void cleanup_pidp(pid_t *pid);

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_file __attribute__((cleanup(cleanup_filep)))
#define cleanup_dir __attribute__((cleanup(cleanup_dirp)))
#define cleanup_pid __attribute__((cleanup(cleanup_pidp)))

static inline void *
steal_pointer_impl(void *pp)
{
  void **p = pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) steal_pointer_impl(pp)

/* A growable list of owned strings. */
struct str_list_s
{
  char **items;
  size_t len;
  size_t cap;
};
typedef struct str_list_s str_list_t;

void str_list_push(str_list_t *l, char *owned);
void str_list_pushf(str_list_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void str_list_free(str_list_t *l);
static inline void
cleanup_str_listp(str_list_t *l)
{
  str_list_free(l);
}
#define cleanup_str_list __attribute__((cleanup(cleanup_str_listp)))

/* ---- files and time --------------------------------------------------- */

/* Read everything from fd (up to max bytes) into a NUL-terminated buffer. */
int read_all_fd(int fd, size_t max, char **out, size_t *len, ocitest_error_t *err);
/* Same for a path; works for /proc files, whose st_size is 0. */
int read_file(const char *path, size_t max, char **out, size_t *len, ocitest_error_t *err);
/* Write data to path via path.tmp + rename(2), so readers never see half. */
int write_file_atomic(const char *path, const char *data, size_t len, ocitest_error_t *err);

int64_t now_ms(void);
void sleep_ms(int64_t ms);

/* Parse option values; return -1 (usage error filled) on garbage. */
int parse_seconds_ms(const char *opt, const char *s, int64_t *out_ms, ocitest_error_t *err);
int parse_long(const char *opt, const char *s, long min, long max, long *out, ocitest_error_t *err);

/* Escape backslash, tab and newline as \ooo (the octal form mountinfo uses)
   so any path fits in one field of a line-oriented, tab-separated file. */
char *escape_field(const char *s);
/* Undo escape_field / mountinfo escaping in place. */
void unescape_field(char *s);

/* true if path equals dir or lies below it (purely lexical, dir without
   trailing slash). */
bool path_is_under(const char *path, const char *dir);
/* Does any component-aligned occurrence of dir appear in s?  Used to match
   command lines such as `--root=/tmp/x/root` against a scope /tmp/x. */
bool text_mentions_path(const char *s, const char *dir);

/* ---- /proc ------------------------------------------------------------- */

struct proc_stat_s
{
  pid_t pid;
  char comm[64];
  char state; /* R S D Z X ... */
  pid_t ppid;
  pid_t session;
  unsigned long flags; /* PF_* */
  unsigned long long start_time;
};
typedef struct proc_stat_s proc_stat_t;

/* PF_KTHREAD from include/linux/sched.h: kernel threads have no mm to leak. */
#define OCITEST_PF_KTHREAD 0x00200000UL

/* Parse /proc/PID/stat.  Returns -1 with errno ENOENT in err->status when the
   process is gone (callers treat that as "not there", not as a failure). */
int proc_stat_read(pid_t pid, proc_stat_t *out, ocitest_error_t *err);
/* true when /proc/PID is absent or the task is a zombie / dead. */
bool proc_gone(pid_t pid, char *state_out);

struct mount_entry_s
{
  int mount_id;
  int parent_id;
  char *dev;         /* major:minor */
  char *root;        /* escaped, as in mountinfo */
  char *mount_point; /* escaped, as in mountinfo */
  char *fstype;
};
typedef struct mount_entry_s mount_entry_t;

struct mount_table_s
{
  mount_entry_t *items;
  size_t len;
};
typedef struct mount_table_s mount_table_t;

/* Parse a mountinfo file (normally /proc/self/mountinfo). */
int mount_table_read(const char *path, mount_table_t *out, ocitest_error_t *err);
void mount_table_free(mount_table_t *t);

/* ---- running a command with a deadline -------------------------------- */

struct cmd_result_s
{
  bool exited; /* false: killed because it ran past the timeout, or signalled */
  bool timed_out;
  int exit_status; /* valid when exited */
  int term_signal;
  char *out;    /* captured stdout, NUL-terminated */
  char *errout; /* captured stderr, NUL-terminated */
};
typedef struct cmd_result_s cmd_result_t;

/* Run argv[0] (PATH lookup) with stdin=/dev/null, stdout/stderr captured,
   every fd >= 3 closed, in its own process group which is SIGKILLed after
   timeout_ms.  Returns 0 once the command ran (whatever its exit status), -1
   if it could not be started (exec failure included). */
int run_command(char *const argv[], int64_t timeout_ms, cmd_result_t *res, ocitest_error_t *err);
void cmd_result_free(cmd_result_t *res);

/* As a child subreaper: append `PID STARTTIME` of each live descendant of
   this process to fd (ocitest reap --record, ocitest cycles). */
void reap_record_descendants(int fd);

/* ---- subcommands: parse options, make one core call, print results ---- */

/* Start a fresh getopt_long scan (a test may run several commands in one
   process) with getopt's own messages off: ours name the subcommand. */
void options_reset(void);
/* Turn getopt_long's '?' or ':' into a usage error naming the option. */
int option_error(int c, char **argv, const char *sub, ocitest_error_t *err);

int ocitest_cmd_probe(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_state_check(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_field(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_wait(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_snapshot(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_leaks(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_hook(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_console(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_seccomp_agent(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_mount_root(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_inside(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_cycles(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_bundle(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_reap(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_bench(int argc, char **argv, ocitest_error_t *err);
int ocitest_cmd_inside_host(int argc, char **argv, ocitest_error_t *err);

#endif
