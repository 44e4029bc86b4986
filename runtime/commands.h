/* The command table of `box`: one file per command, each parses its own
   options into a box_context_t and makes one core call.  */
#ifndef BOX_COMMANDS_H
#define BOX_COMMANDS_H

#include <getopt.h>
#include <stddef.h>

#include "container.h"
#include "error.h"

#define BOX_VERSION "0.1.0"

struct box_global_s
{
  const char *root;
  const char *log;
  const char *log_format;
  int debug;
};

/* Each returns the process exit code (>= 0) or -1 with err set.  argv[0]
   is the command name.  */
int box_cmd_create(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_start(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_state(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_kill(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_delete(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_run(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_pause(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_resume(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_ps(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_list(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_update(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_events(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_exec(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_spec(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_features(struct box_global_s *g, int argc, char **argv, box_error_t *err);
int box_cmd_version(struct box_global_s *g, int argc, char **argv, box_error_t *err);

/* cli.c: getopt_long without getopt's own printing.  Returns the option,
   -1 at the end, or -2 with err set for an unknown option or a missing
   argument.  */
int box_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, box_error_t *err);

/* Check the positional arguments left after options: between min and max.  */
/* --preserve-fds N (run, create, exec): N fds after stdio, each open in
   the caller (a count naming a closed fd is an error here, not a
   surprise in the container).  Returns 0 or -1 (err, naming cmd).  */
int box_parse_preserve_fds(const char *cmd, const char *s, int *out, box_error_t *err);

int box_check_args(const char *cmd, int argc, int min, int max, const char *usage, box_error_t *err);

#endif
