/* The process object of `box exec` (runc's exec.go getProcess): either a
   runtime-spec process object from --process, or the container's own
   process with ARGS and the flags applied.  The result goes through the
   config parser, so exec validates exactly what create does.  */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "utils.h"

/* A decimal id (uid or gid) from the command line.  */
static int
parse_id(const char *s, const char *what, json_int_t *out, box_error_t *err)
{
  char *end;
  unsigned long long v;

  errno = 0;
  v = strtoull(s, &end, 10);
  if (*s == '\0' || *s == '-' || *end != '\0' || errno || v >= 0xffffffffULL)
    return box_make_error(err, 0, "%s: `%s` is not a numeric id", what, s);
  *out = (json_int_t)v;
  return 0;
}

/* --user UID[:GID] and --additional-gids into process.user.  */
static int
apply_user(json_t *proc, const struct box_exec_s *e, box_error_t *err)
{
  json_t *user = json_object_get(proc, "user"), *gids;
  cleanup_free char *uid = NULL;
  json_int_t v;
  size_t i;
  char *colon;

  if (!json_is_object(user))
    json_object_set_new(proc, "user", user = json_object());
  if (e->user)
    {
      uid = xstrdup(e->user);
      colon = strchr(uid, ':');
      if (colon)
        *colon++ = '\0';
      if (parse_id(uid, "--user", &v, err) < 0)
        return -1;
      json_object_set_new(user, "uid", json_integer(v));
      if (colon && parse_id(colon, "--user", &v, err) < 0)
        return -1;
      if (colon)
        json_object_set_new(user, "gid", json_integer(v));
    }
  gids = json_object_get(user, "additionalGids");
  if (e->n_gids && !json_is_array(gids))
    json_object_set_new(user, "additionalGids", gids = json_array());
  for (i = 0; i < e->n_gids; i++)
    {
      if (parse_id(e->gids[i], "--additional-gids", &v, err) < 0)
        return -1;
      json_array_append_new(gids, json_integer(v));
    }
  return 0;
}

/* --env K=V: replaces K if the process has it, else is appended.  */
static int
apply_env(json_t *proc, const struct box_exec_s *e, box_error_t *err)
{
  json_t *env = json_object_get(proc, "env"), *v;
  size_t i, j, klen;

  if (!json_is_array(env))
    json_object_set_new(proc, "env", env = json_array());
  for (i = 0; i < e->n_env; i++)
    {
      const char *eq = strchr(e->env[i], '=');
      if (eq == NULL || eq == e->env[i])
        return box_make_error(err, 0, "--env: `%s` is not of the form KEY=VALUE", e->env[i]);
      klen = (size_t)(eq - e->env[i]) + 1;
      json_array_foreach(env, j, v) if (json_is_string(v) && strncmp(json_string_value(v), e->env[i], klen) == 0)
          break;
      if (j < json_array_size(env))
        json_array_set_new(env, j, json_string(e->env[i]));
      else
        json_array_append_new(env, json_string(e->env[i]));
    }
  return 0;
}

/* --cap C: added to every set (runc 1.1).  */
static void
apply_caps(json_t *proc, const struct box_exec_s *e)
{
  static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
  json_t *caps = json_object_get(proc, "capabilities"), *set;
  size_t i, k;

  if (e->n_caps == 0)
    return;
  if (!json_is_object(caps))
    json_object_set_new(proc, "capabilities", caps = json_object());
  for (k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
    {
      set = json_object_get(caps, sets[k]);
      if (!json_is_array(set))
        json_object_set_new(caps, sets[k], set = json_array());
      for (i = 0; i < e->n_caps; i++)
        json_array_append_new(set, json_string(e->caps[i]));
    }
}

/* The saved process with ARGS and the flags applied.  */
static int
process_from_flags(json_t *saved, const struct box_exec_s *e, json_t **out, box_error_t *err)
{
  json_t *proc = json_is_object(saved) ? json_deep_copy(saved) : json_object(), *args = json_array();
  size_t i;

  *out = proc;
  for (i = 0; e->args && e->args[i]; i++)
    json_array_append_new(args, json_string(e->args[i]));
  json_object_set_new(proc, "args", args);
  if (json_array_size(args) == 0)
    return box_make_error(err, 0, "no command given: ARGS or --process FILE");
  json_object_set_new(proc, "terminal", json_boolean(e->tty));
  if (e->cwd)
    json_object_set_new(proc, "cwd", json_string(e->cwd));
  if (e->no_new_privs)
    json_object_set_new(proc, "noNewPrivileges", json_true());
  if (apply_env(proc, e, err) < 0 || apply_user(proc, e, err) < 0)
    return -1;
  apply_caps(proc, e);
  return 0;
}

/* --process FILE.  What the object leaves out of the security context is
   the container's, not box's own (runc: capabilities and rlimits).  */
static int
process_from_file(json_t *saved, const char *path, json_t **out, box_error_t *err)
{
  static const char *const inherited[] = { "capabilities", "rlimits" };
  json_error_t jerr;
  json_t *proc;
  size_t k;

  proc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (proc == NULL)
    return box_make_error(err, 0, "--process `%s`: invalid JSON at line %d column %d: %s", path, jerr.line,
                          jerr.column, jerr.text);
  *out = proc;
  if (!json_is_object(proc))
    return box_make_error(err, 0, "--process `%s`: `process`: must be an object", path);
  for (k = 0; k < sizeof(inherited) / sizeof(inherited[0]); k++)
    if (json_object_get(proc, inherited[k]) == NULL && json_object_get(saved, inherited[k]))
      json_object_set(proc, inherited[k], json_object_get(saved, inherited[k]));
  return 0;
}

/* The parser's "config.json: `process.cwd`: ..." names a field of what
   exec was given: the --process file, or the command line.  */
static int
rename_source(const struct box_exec_s *e, box_error_t *err)
{
  static const char prefix[] = "config.json: ";
  cleanup_free char *rest = NULL;

  if (strncmp((*err)->msg, prefix, strlen(prefix)) != 0)
    return -1;
  rest = xstrdup((*err)->msg + strlen(prefix));
  if (e->process_file)
    return box_make_error(err, 0, "--process `%s`: %s", e->process_file, rest);
  return box_make_error(err, 0, "%s", rest);
}

int
box_exec_build_config(const char *saved, size_t len, const struct box_exec_s *e, box_config_t **out,
                      box_error_t *err)
{
  cleanup_free char *text = NULL;
  json_t *doc, *proc = NULL;
  json_error_t jerr;
  int r;

  doc = json_loadb(saved, len, 0, &jerr);
  if (!json_is_object(doc))
    {
      json_decref(doc);
      return box_make_error(err, 0, "the container's saved config.json is not a JSON object");
    }
  if (e->process_file)
    r = process_from_file(json_object_get(doc, "process"), e->process_file, &proc, err);
  else
    r = process_from_flags(json_object_get(doc, "process"), e, &proc, err);
  if (r == 0)
    {
      json_object_set(doc, "process", proc);
      text = json_dumps(doc, JSON_COMPACT);
    }
  json_decref(proc);
  json_decref(doc);
  if (r < 0)
    return -1;
  if (box_config_parse(text, strlen(text), out, err) < 0)
    return rename_source(e, err);
  return 0;
}
