/* Minimal TAP producer for the harness unit tests (bubblewrap's
   test-utils.c style): unbuffered stdout, "ok N - desc" / "not ok N - desc",
   "# " diagnostics, keep going after a failure, one summary line at the end.
   Header-only: every test binary is a single .c plus the harness library. */
#ifndef OCITEST_TAP_H
#define OCITEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_count, tap_passed, tap_failed, tap_skipped;

static inline void
tap_init(void)
{
  setvbuf(stdout, NULL, _IONBF, 0);
}

static inline void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
  va_list ap;

  fputs("# ", stdout);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
}

/* Returns cond, so a caller can add diagnostics on failure. */
static inline bool __attribute__((format(printf, 2, 3))) ok(bool cond, const char *fmt, ...)
{
  va_list ap;

  tap_count++;
  if (cond)
    tap_passed++;
  else
    tap_failed++;
  printf("%sok %d - ", cond ? "" : "not ", tap_count);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  return cond;
}

static inline void __attribute__((format(printf, 2, 3))) skip(const char *reason, const char *fmt, ...)
{
  va_list ap;

  tap_count++;
  tap_skipped++;
  printf("ok %d - ", tap_count);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf(" # SKIP %s\n", reason);
}

/* Plan, summary line; the exit status of the test binary. */
static inline int
tap_done(void)
{
  printf("1..%d\n", tap_count);
  printf("%d passed, %d failed, %d skipped\n", tap_passed, tap_failed, tap_skipped);
  return tap_failed ? 1 : 0;
}

#endif
