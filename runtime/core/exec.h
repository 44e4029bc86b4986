/* exec: the process a `box exec` runs, built from the container's saved
   config and the command line (exec_process.c), and run inside the
   container's namespaces and cgroups (exec.c).  */
#ifndef BOX_EXEC_H
#define BOX_EXEC_H

#include <stddef.h>

#include "container.h"
#include "error.h"
#include "spec.h"

/* The config the exec'd process is held to: the container's saved
   config.json (saved, len) with its `process` replaced by the one exec
   asks for: e->process_file's object, which inherits only the
   container's capabilities and rlimits when it has none (as runc), or
   the saved process with e's ARGS and flags applied.  Parsed and
   validated like a config (spec.c, security.c): an error names the
   field (`process.cwd`: must be an absolute path).  */
int box_exec_build_config(const char *saved, size_t len, const struct box_exec_s *e, box_config_t **out,
                          box_error_t *err);

#endif
