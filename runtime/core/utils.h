/* Small helpers shared by the whole runtime: allocation that aborts on
   failure, __attribute__((cleanup)) helpers (bubblewrap/crun style), file
   helpers that report through box_error_t, and the container id rule.  */
#ifndef BOX_UTILS_H
#define BOX_UTILS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

#define BOX_ID_MAX 255 /* NAME_MAX: the id is a directory name under --root */

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void cleanup_freep(void *p);
void cleanup_closep(int *fd);
void cleanup_filep(FILE **f);
void cleanup_dirp(DIR **d);

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_file __attribute__((cleanup(cleanup_filep)))
#define cleanup_dir __attribute__((cleanup(cleanup_dirp)))

/* Hand ownership on: returns *pp and sets *pp to NULL.  */
static inline void *
steal_pointer(void *pp)
{
  void **p = (void **)pp;
  void *r = *p;
  *p = NULL;
  return r;
}

/* Same for a file descriptor: returns *fd and sets it to -1.  */
static inline int
steal_fd(int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

/* Validate a container id before any path is built from it (runtime.md:
   unique id; box restricts it to [A-Za-z0-9_+.-], not starting with '.',
   1..BOX_ID_MAX characters).  Returns 0, or -1 and fills err.  */
int box_validate_id(const char *id, box_error_t *err);

/* Read a whole file, NUL-terminated.  Returns 0, or -1 with errno kept in err.  */
int box_read_file(const char *path, char **out, size_t *len, box_error_t *err);

/* Write path atomically: path.tmp, fsync-free write, then rename(2).  */
int box_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, box_error_t *err);

/* mkdir -p; existing directories are fine.  */
int box_mkdir_p(const char *path, mode_t mode, box_error_t *err);

/* ROOT joined with UNSAFE, an absolute path as the container sees it:
   symlinks in it are followed as the container would follow them, with ROOT
   as `/`, so neither they nor `..` lead out of ROOT.  Missing components are
   taken as they are.  Returns a malloc'd path, or NULL with err (ELOOP).  */
char *box_join_in_root(const char *root, const char *unsafe, box_error_t *err);

/* rm -rf that never crosses into another mount.  ENOENT is success.  */
int box_rm_rf(const char *path, box_error_t *err);

/* Absolute path of `path` (must exist).  */
int box_realpath(const char *path, char **out, box_error_t *err);

/* RFC 3339 UTC timestamp with nanoseconds, like runc's "created".  */
char *box_now_rfc3339(void);
/* sec.nsec since the epoch as RFC 3339 in UTC with nanoseconds: 2024-01-31T23:59:59.000000001Z.  */
char *box_format_rfc3339(long long sec, long nsec);

/* Milliseconds on CLOCK_MONOTONIC, for deadlines.  */
long long box_now_ms(void);

/* Rootless (runc's model): box runs as a user other than root of the
   initial user namespace, so it may only do what an unprivileged user may
   (a user namespace first, cgroups only where delegated to it).  Decided
   once, at the first call, which main makes before anything else.  */
bool box_rootless(void);

/* Parse "KILL", "SIGKILL", "kill", "9" (or "0", no signal) into a signal number.  */
int box_parse_signal(const char *name, int *sig, box_error_t *err);

/* Close every fd >= from (close_range, /proc/self/fd fallback).  */
void box_close_fds_from(int from);
/* Just before execve: fds 3..3+n-1 (--preserve-fds) stay open and lose
   FD_CLOEXEC, as runc's ExtraFiles do; every fd after them is closed.  */
void box_pass_fds(int n);

/* passwd.c: env with HOME=<uid's home in the passwd file at passwd, else
   "/"> appended (the array is new, its strings are env's but the last), or
   NULL when env already has HOME.  */
char **box_env_with_home(char *const *env, uid_t uid, const char *passwd);
/* passwd.c: uid's user name in the passwd file at passwd, or NULL.  */
char *box_passwd_name(const char *passwd, uid_t uid);

#endif
