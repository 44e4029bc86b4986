/* The OCI state document (runtime-spec runtime.md#state,
   schema/state-schema.json): validation and comparison with expectations. */
#ifndef OCITEST_STATEDOC_H
#define OCITEST_STATEDOC_H

#include "ocitest.h"

#include <jansson.h>

struct state_annotation_s
{
  const char *key;
  const char *value;
};

/* What the caller expects; NULL / false fields are not checked. */
struct state_expect_s
{
  const char *id;
  const char *status;
  const char *bundle;
  bool has_pid;
  long pid;
  bool pid_alive; /* the pid exists on this host and is not a zombie */
  const struct state_annotation_s *annotations;
  size_t n_annotations;
};
typedef struct state_expect_s state_expect_t;

/* Check doc against the schema.  Appends one "field: problem" line to
   failures per broken rule; returns how many it appended. */
size_t state_validate(json_t *doc, str_list_t *failures);

/* Compare doc with want, same reporting.  Fields that are missing or of the
   wrong type are left to state_validate and not reported twice, except pid,
   which the schema allows to be absent for a stopped container. */
size_t state_compare(json_t *doc, const state_expect_t *want, str_list_t *failures);

/* Parse buf, then validate and compare.  Returns the number of failed checks,
   or -1 with err set ("line L column C: ...") if buf is not a JSON object. */
int state_check_buffer(const char *buf, size_t len, const state_expect_t *want, str_list_t *failures,
                       ocitest_error_t *err);

/* SemVer 2.0.0 (semver.org), which config.md requires of ociVersion. */
bool is_semver(const char *s);

#endif
