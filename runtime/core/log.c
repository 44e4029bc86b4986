#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "utils.h"

static int log_fd = -1;
static int log_format = BOX_LOG_TEXT;
static int log_debug;

int
box_log_init(const char *path, const char *format, int debug, box_error_t *err)
{
  log_debug = debug;
  if (format == NULL || strcmp(format, "text") == 0)
    log_format = BOX_LOG_TEXT;
  else if (strcmp(format, "json") == 0)
    log_format = BOX_LOG_JSON;
  else
    return box_make_error(err, 0, "invalid --log-format `%s`: want `text` or `json`", format);
  if (path == NULL || *path == '\0')
    return 0;
  /* O_APPEND: several box processes may log to the same file.  */
  log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return box_make_error(err, errno, "open log file `%s`", path);
  return 0;
}

static void
log_line(const char *level, const char *msg)
{
  cleanup_free char *now = box_now_rfc3339();
  cleanup_free char *line = NULL;
  int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;

  if (log_format == BOX_LOG_JSON)
    {
      json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", now);
      char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
      line = xasprintf("%s\n", s);
      free(s);
      json_decref(o);
    }
  else
    {
      /* logfmt like runc: the message is quoted, so escape its quotes.  */
      json_t *quoted = json_string(msg);
      char *q = json_dumps(quoted, JSON_ENCODE_ANY);
      line = xasprintf("time=\"%s\" level=%s msg=%s\n", now, level, q);
      free(q);
      json_decref(quoted);
    }
  if (write(fd, line, strlen(line)) < 0)
    return; /* nowhere left to report a failing log */
}

void
box_log_debug(const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  if (!log_debug)
    return;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  if (msg)
    log_line("debug", msg);
}

void
box_log_error(const char *msg)
{
  if (log_fd >= 0)
    log_line("error", msg);
}

void
box_log_warning(const char *fmt, ...)
{
  cleanup_free char *msg = NULL, *line = NULL;
  va_list ap;

  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  if (msg == NULL)
    return;
  line = xasprintf("box: warning: %s\n", msg);
  if (write(STDERR_FILENO, line, strlen(line)) < 0)
    return;
  if (log_fd >= 0)
    log_line("warning", msg);
}
