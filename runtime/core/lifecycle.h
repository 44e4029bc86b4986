/* What the lifecycle operations (container.c) share with the commands
   built on them (exec.c).  */
#ifndef BOX_LIFECYCLE_H
#define BOX_LIFECYCLE_H

#include <sys/types.h>

#include "container.h"
#include "error.h"
#include "status.h"

/* Write pid (no newline, tmp + rename, as runc) to pid_file unless NULL.  */
int box_write_pid_file(const char *pid_file, pid_t pid, box_error_t *err);

/* Pass the signals a foreground runtime gets on to pid (like runc).  */
void box_forward_signals(pid_t pid);

/* waitpid our child; *exit_status its status, 128+N for signal N.  */
int box_wait_exit_status(pid_t pid, int *exit_status, box_error_t *err);

#endif
