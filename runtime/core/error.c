#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utils.h"

int
box_make_error(box_error_t *err, int errnum, const char *fmt, ...)
{
  cleanup_free char *base = NULL;
  va_list ap;

  va_start(ap, fmt);
  if (vasprintf(&base, fmt, ap) < 0)
    abort();
  va_end(ap);

  /* Never overwrite (and leak) an error already set deeper down.  */
  box_error_release(err);
  *err = xmalloc(sizeof(**err));
  (*err)->errnum = errnum;
  if (errnum)
    (*err)->msg = xasprintf("%s: %s", base, strerror(errnum));
  else
    (*err)->msg = steal_pointer(&base);
  return -1;
}

int
box_error_wrap(box_error_t *err, const char *fmt, ...)
{
  cleanup_free char *prefix = NULL;
  char *msg;
  va_list ap;

  if (*err == NULL)
    return box_make_error(err, 0, "unknown error");
  va_start(ap, fmt);
  if (vasprintf(&prefix, fmt, ap) < 0)
    abort();
  va_end(ap);

  msg = xasprintf("%s: %s", prefix, (*err)->msg);
  free((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
box_error_release(box_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free((*err)->msg);
  free(*err);
  *err = NULL;
}
