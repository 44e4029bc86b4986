/* The one error type of ocitest, after crun's libcrun_error_t: a message with
   context prepended on the way up, the errno of the root cause, and the exit
   code main() should use. */
#include "ocitest.h"

#include <errno.h>
#include <string.h>

static char *
xvasprintf(const char *fmt, va_list ap)
{
  char *s = NULL;

  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  return s;
}

static int
make_error_v(ocitest_error_t *err, int status, int exit_code, const char *fmt, va_list ap)
{
  cleanup_free char *text = xvasprintf(fmt, ap);
  ocitest_error_t e;

  /* An error already filled means a caller forgot to release it; keep the
     first cause, it is the one worth reading. */
  if (*err != NULL)
    return -1;

  e = xcalloc(1, sizeof(*e));
  e->status = status;
  e->exit_code = exit_code;
  if (status != 0)
    e->msg = xasprintf("%s: %s", text, strerror(status));
  else
    e->msg = steal_pointer(&text);
  *err = e;
  return -1;
}

int
ocitest_make_error(ocitest_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start(ap, fmt);
  ret = make_error_v(err, status, OCITEST_EXIT_FAIL, fmt, ap);
  va_end(ap);
  return ret;
}

int
ocitest_usage_error(ocitest_error_t *err, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start(ap, fmt);
  ret = make_error_v(err, 0, OCITEST_EXIT_USAGE, fmt, ap);
  va_end(ap);
  return ret;
}

int
ocitest_error_wrap(ocitest_error_t *err, const char *fmt, ...)
{
  cleanup_free char *ctx = NULL;
  va_list ap;
  char *msg;

  if (*err == NULL)
    return -1;
  va_start(ap, fmt);
  ctx = xvasprintf(fmt, ap);
  va_end(ap);
  msg = xasprintf("%s: %s", ctx, (*err)->msg);
  free((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
ocitest_error_release(ocitest_error_t *err)
{
  if (*err == NULL)
    return;
  free((*err)->msg);
  free(*err);
  *err = NULL;
}
