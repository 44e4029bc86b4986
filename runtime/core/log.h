/* The --log/--log-format/--debug channel.  Errors are printed to stderr by
   main() only; this is the extra, machine-readable copy (runc's format:
   text `time="..." level=error msg="..."` or one JSON object per line).  */
#ifndef BOX_LOG_H
#define BOX_LOG_H

#include "error.h"

enum box_log_format_e
{
  BOX_LOG_TEXT = 0,
  BOX_LOG_JSON,
};

/* path may be NULL (no log file).  Returns 0, or -1 and fills err.  */
int box_log_init(const char *path, const char *format, int debug, box_error_t *err);

/* Debug line: written to the log file when --debug, else to stderr when --debug.  */
void box_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Warning: the operation goes on (a failing poststart or poststop hook,
   config.md).  Printed to stderr as "box: warning: ..." and written to the
   log file.  */
void box_log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Error line: written to the log file only (main prints stderr itself).  */
void box_log_error(const char *msg);

#endif
