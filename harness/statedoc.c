/* Validation of the OCI state document.  The rules, from runtime-spec
   runtime.md "State" and schema/state-schema.json:
     ociVersion  string, REQUIRED (SemVer, as config.md requires of the field)
     id          string, REQUIRED, unique per host: an empty id identifies nothing
     status      string, REQUIRED, one of creating|created|running|stopped
     pid         integer >= 0; REQUIRED (and a real process, so > 0) on Linux
                 when status is created or running
     bundle      string, REQUIRED, "the absolute path to the bundle directory"
     annotations map of string to string, OPTIONAL (null allowed by defs.json)
   Other fields (runc's rootfs, created, owner) are allowed. */
#include "statedoc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

static const char *const valid_status[] = { "creating", "created", "running", "stopped" };

static const char *
json_type_name(const json_t *v)
{
  switch (json_typeof(v))
    {
    case JSON_OBJECT:
      return "an object";
    case JSON_ARRAY:
      return "an array";
    case JSON_STRING:
      return "a string";
    case JSON_INTEGER:
      return "an integer";
    case JSON_REAL:
      return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
      return "a boolean";
    case JSON_NULL:
      return "null";
    }
  return "unknown";
}

/* One dot-separated identifier of a SemVer pre-release or build part. */
static bool
semver_idents(const char *s, size_t n)
{
  size_t run = 0;

  for (size_t i = 0; i < n; i++)
    {
      if (s[i] == '.')
        {
          if (run == 0)
            return false;
          run = 0;
        }
      else if (isalnum((unsigned char)s[i]) || s[i] == '-')
        run++;
      else
        return false;
    }
  return run > 0;
}

bool
is_semver(const char *s)
{
  const char *p = s, *pre, *build;

  for (int part = 0; part < 3; part++)
    {
      const char *start = p;

      while (isdigit((unsigned char)*p))
        p++;
      /* Numeric parts: non-empty, no leading zero (semver.org item 2). */
      if (p == start || (p - start > 1 && *start == '0'))
        return false;
      if (part < 2 && *p++ != '.')
        return false;
    }
  if (*p == '\0')
    return true;
  build = strchr(p, '+');
  if (*p == '-')
    {
      pre = p + 1;
      if (!semver_idents(pre, build ? (size_t)(build - pre) : strlen(pre)))
        return false;
    }
  else if (*p != '+')
    return false;
  return build == NULL || semver_idents(build + 1, strlen(build + 1));
}

/* Fetch a required string member, reporting absence or a wrong type. */
static const char *
required_string(json_t *doc, const char *key, str_list_t *failures)
{
  json_t *v = json_object_get(doc, key);

  if (v == NULL)
    {
      str_list_pushf(failures, "%s: missing (required)", key);
      return NULL;
    }
  if (!json_is_string(v))
    {
      str_list_pushf(failures, "%s: got %s, want a string", key, json_type_name(v));
      return NULL;
    }
  return json_string_value(v);
}

static bool
status_is_valid(const char *status)
{
  for (size_t i = 0; i < sizeof(valid_status) / sizeof(valid_status[0]); i++)
    if (strcmp(status, valid_status[i]) == 0)
      return true;
  return false;
}

static void
validate_pid(json_t *doc, const char *status, str_list_t *failures)
{
  json_t *v = json_object_get(doc, "pid");
  /* runtime.md: "pid (int, REQUIRED when status is created or running on
     Linux)"; a pid of 0 names no process, so it does not satisfy that. */
  bool required = status && (strcmp(status, "created") == 0 || strcmp(status, "running") == 0);
  json_int_t pid;

  if (v == NULL)
    {
      if (required)
        str_list_pushf(failures, "pid: missing (required when status is %s)", status);
      return;
    }
  if (!json_is_integer(v))
    {
      str_list_pushf(failures, "pid: got %s, want an integer", json_type_name(v));
      return;
    }
  pid = json_integer_value(v);
  if (pid < 0)
    str_list_pushf(failures, "pid: got %" JSON_INTEGER_FORMAT ", want >= 0", pid);
  else if (required && pid == 0)
    str_list_pushf(failures, "pid: got 0, want > 0 (required when status is %s)", status);
}

static void
validate_annotations(json_t *doc, str_list_t *failures)
{
  json_t *v = json_object_get(doc, "annotations"), *value;
  const char *key;

  if (v == NULL || json_is_null(v))
    return;
  if (!json_is_object(v))
    {
      str_list_pushf(failures, "annotations: got %s, want an object", json_type_name(v));
      return;
    }
  json_object_foreach(v, key, value)
  {
    if (!json_is_string(value))
      str_list_pushf(failures, "annotations.%s: got %s, want a string", key, json_type_name(value));
  }
}

size_t
state_validate(json_t *doc, str_list_t *failures)
{
  const char *version, *id, *status, *bundle;
  size_t before = failures->len;

  if (!json_is_object(doc))
    {
      str_list_pushf(failures, "document: got %s, want an object", json_type_name(doc));
      return 1;
    }
  version = required_string(doc, "ociVersion", failures);
  if (version && !is_semver(version))
    str_list_pushf(failures, "ociVersion: \"%s\" is not a SemVer version", version);
  id = required_string(doc, "id", failures);
  if (id && *id == '\0')
    str_list_pushf(failures, "id: empty");
  status = required_string(doc, "status", failures);
  if (status && !status_is_valid(status))
    {
      str_list_pushf(failures, "status: \"%s\" is not one of creating, created, running, stopped", status);
      status = NULL;
    }
  validate_pid(doc, status, failures);
  bundle = required_string(doc, "bundle", failures);
  if (bundle && bundle[0] != '/')
    str_list_pushf(failures, "bundle: \"%s\" is not an absolute path", bundle);
  validate_annotations(doc, failures);
  return failures->len - before;
}

static void
compare_string(json_t *doc, const char *key, const char *want, str_list_t *failures)
{
  json_t *v = json_object_get(doc, key);

  if (want && json_is_string(v) && strcmp(json_string_value(v), want) != 0)
    str_list_pushf(failures, "%s: got \"%s\", want \"%s\"", key, json_string_value(v), want);
}

/* Bundles are compared as the files they name: the runtime may have
   resolved a symlink (/tmp -> /private/tmp) or a relative --bundle. */
static void
compare_bundle(json_t *doc, const char *want, str_list_t *failures)
{
  json_t *v = json_object_get(doc, "bundle");
  cleanup_free char *got_real = NULL, *want_real = NULL;
  const char *got;

  if (want == NULL || !json_is_string(v))
    return;
  got = json_string_value(v);
  if (strcmp(got, want) == 0)
    return;
  got_real = realpath(got, NULL);
  want_real = realpath(want, NULL);
  if (strcmp(got_real ? got_real : got, want_real ? want_real : want) != 0)
    str_list_pushf(failures, "bundle: got \"%s\", want \"%s\"", got, want);
}

static void
compare_pid(json_t *doc, const state_expect_t *want, str_list_t *failures)
{
  json_t *v = json_object_get(doc, "pid");
  json_int_t pid;
  char state;

  if (!want->has_pid && !want->pid_alive)
    return;
  if (v == NULL)
    {
      str_list_pushf(failures, "pid: missing, want %s", want->has_pid ? "a pid" : "a live process");
      return;
    }
  if (!json_is_integer(v))
    return;
  pid = json_integer_value(v);
  if (want->has_pid && pid != want->pid)
    str_list_pushf(failures, "pid: got %" JSON_INTEGER_FORMAT ", want %ld", pid, want->pid);
  if (!want->pid_alive)
    return;
  if (pid <= 0 || pid > INT_MAX)
    str_list_pushf(failures, "pid: %" JSON_INTEGER_FORMAT " cannot be a live process", pid);
  else if (proc_gone((pid_t)pid, &state))
    str_list_pushf(failures, "pid: %" JSON_INTEGER_FORMAT " is not alive (%s)", pid,
                   state ? "zombie" : "no such process");
}

static void
compare_annotations(json_t *doc, const state_expect_t *want, str_list_t *failures)
{
  json_t *all = json_object_get(doc, "annotations");

  for (size_t i = 0; i < want->n_annotations; i++)
    {
      const struct state_annotation_s *a = &want->annotations[i];
      json_t *v = json_is_object(all) ? json_object_get(all, a->key) : NULL;

      if (v == NULL)
        str_list_pushf(failures, "annotations.%s: missing, want \"%s\"", a->key, a->value);
      else if (json_is_string(v) && strcmp(json_string_value(v), a->value) != 0)
        str_list_pushf(failures, "annotations.%s: got \"%s\", want \"%s\"", a->key, json_string_value(v),
                       a->value);
    }
}

size_t
state_compare(json_t *doc, const state_expect_t *want, str_list_t *failures)
{
  size_t before = failures->len;

  if (!json_is_object(doc))
    return 0;
  compare_string(doc, "id", want->id, failures);
  compare_string(doc, "status", want->status, failures);
  compare_pid(doc, want, failures);
  compare_bundle(doc, want->bundle, failures);
  compare_annotations(doc, want, failures);
  return failures->len - before;
}

int
state_check_buffer(const char *buf, size_t len, const state_expect_t *want, str_list_t *failures,
                   ocitest_error_t *err)
{
  json_error_t jerr;
  json_t *doc;
  size_t n;

  /* Duplicate keys make "the" status ambiguous; reject them. */
  doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
  if (doc == NULL)
    return ocitest_make_error(err, 0, "parse state JSON: line %d column %d: %s", jerr.line, jerr.column,
                              jerr.text);
  n = state_validate(doc, failures);
  n += state_compare(doc, want, failures);
  json_decref(doc);
  return n > INT_MAX ? INT_MAX : (int)n;
}
