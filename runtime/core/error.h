/* One error type for the whole runtime, after crun's libcrun_error_t.
   A failing function returns a negative value and fills *err; a succeeding
   one returns >= 0 and leaves *err alone.  Context is added on the way up
   with box_error_wrap(), so the final message reads
   "create container `x`: mount `proc` on `/proc`: Permission denied".  */
#ifndef BOX_ERROR_H
#define BOX_ERROR_H

struct box_error_s
{
  int errnum; /* errno of the root cause, 0 if none */
  char *msg;  /* full message, errno text included once */
};
typedef struct box_error_s *box_error_t;

/* Fill *err with fmt (and ": strerror(errnum)" when errnum != 0); returns -1. */
int box_make_error(box_error_t *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix the message in *err with "fmt: "; returns -1.  */
int box_error_wrap(box_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free *err (if any) and reset it to NULL.  */
void box_error_release(box_error_t *err);

#endif
