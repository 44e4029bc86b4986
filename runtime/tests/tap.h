/* Minimal TAP producer for the unit tests (bubblewrap test-utils style):
   "ok N - desc" / "not ok N - desc", diagnostics prefixed "# ", keep going
   after a failure, one summary line "N passed, N failed, N skipped".  */
#ifndef BOX_TAP_H
#define BOX_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_passed, tap_failed, tap_skipped;

static inline void
tap_init(void)
{
  setvbuf(stdout, NULL, _IONBF, 0);
}

/* Record one result; returns cond so callers can add diagnostics.  */
static inline bool __attribute__((format(printf, 2, 3))) tap_ok(bool cond, const char *fmt, ...)
{
  va_list ap;

  printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  if (cond)
    tap_passed++;
  else
    tap_failed++;
  return cond;
}

static inline void __attribute__((format(printf, 1, 2))) tap_diag(const char *fmt, ...)
{
  va_list ap;

  printf("# ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static inline void
tap_skip(const char *desc, const char *reason)
{
  printf("ok %d - %s # SKIP %s\n", ++tap_n, desc, reason);
  tap_skipped++;
}

/* true when s contains sub (NULL-safe).  */
static inline bool
tap_contains(const char *s, const char *sub)
{
  return s && sub && strstr(s, sub) != NULL;
}

static inline int
tap_done(void)
{
  printf("1..%d\n", tap_n);
  printf("%d passed, %d failed, %d skipped\n", tap_passed, tap_failed, tap_skipped);
  return tap_failed ? 1 : 0;
}

#endif
