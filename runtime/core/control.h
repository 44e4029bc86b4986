/* The pure parts of pause/ps/list/update/events (control.c, list.c,
   update.c), apart from the container for the unit tests.  */
#ifndef BOX_CONTROL_H
#define BOX_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "container.h"
#include "error.h"

/* A Go duration as runc's --interval takes it ("5s", "500ms", "1m30s",
   "1.5s"), in milliseconds (> 0; a unit is required).  */
int box_parse_duration(const char *s, long long *ms, box_error_t *err);

/* A byte count as runc's update takes it (docker's RAMInBytes: "1024",
   "512k", "100M", "1.5GiB", 1024-based), or "-1" (unlimited).  */
int box_parse_bytes(const char *s, long long *out, box_error_t *err);

/* The linux.resources object an update asks for: the --resources
   document (text, may be NULL) with the options on top.  Errors name the
   option.  */
int box_update_build(const struct box_update_s *u, const char *text, json_t **out, box_error_t *err);

/* The lines of ps output (header first) whose column headed PID holds
   one of pids; *out caller frees.  Fails when there is no PID column.  */
int box_ps_filter(const char *ps_output, const pid_t *pids, size_t n, char **out, box_error_t *err);

/* runc's list table: columns padded as Go's tabwriter (minwidth 12,
   padding 3) does it; items is list's JSON array.  */
char *box_list_table(json_t *items);

/* One event line: {"type":TYPE,"id":ID,"data":DATA} (steals data).  */
char *box_event_line(const char *type, const char *id, json_t *data);

#endif
