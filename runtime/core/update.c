/* update: change linux.resources of a live container (runc's command;
   config-linux.md "Control groups" is the schema of --resources).  The
   new values go through the code create uses (box_cgroup_apply), then
   into the config kept in the state dir, so a later update, `events`
   and a re-read see them.  */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "control.h"
#include "status.h"
#include "utils.h"

/* Fields fixed at create: the device cgroup (v1 rules cannot be changed
   without a moment of denying everything; v2 needs a new eBPF program).  */
static const char *const not_live[] = { "devices", NULL };

int
box_parse_bytes(const char *s, long long *out, box_error_t *err)
{
  static const char units[] = "kmgtp";
  char *end = NULL;
  const char *u;
  double v;
  int i;

  if (strcmp(s, "-1") == 0)
    return *out = -1, 0;
  if (!isdigit((unsigned char)s[0]))
    return box_make_error(err, 0, "invalid size `%s`", s);
  v = strtod(s, &end);
  while (*end == ' ')
    end++;
  /* RAMInBytes: an optional k/m/g/t/p, "i", "b", case-insensitive.  */
  if (*end && (u = strchr(units, tolower((unsigned char)*end))) != NULL)
    {
      for (i = 0; i <= u - units; i++)
        v *= 1024;
      end++;
    }
  if (tolower((unsigned char)*end) == 'i')
    end++;
  if (tolower((unsigned char)*end) == 'b')
    end++;
  if (*end != '\0' || v > 9.2e18)
    return box_make_error(err, 0, "invalid size `%s`", s);
  *out = (long long)v;
  return 0;
}

static int
parse_integer(const char *s, long long *out, box_error_t *err)
{
  char *end = NULL;

  errno = 0;
  *out = strtoll(s, &end, 10);
  if (s[0] == '\0' || *end != '\0' || errno)
    return box_make_error(err, 0, "invalid integer `%s`", s);
  return 0;
}

/* res[obj][key] = v, making res[obj] when needed.  */
static void
set_member(json_t *res, const char *obj, const char *key, json_t *v)
{
  json_t *o = json_object_get(res, obj);

  if (!json_is_object(o))
    json_object_set_new(res, obj, o = json_object());
  json_object_set_new(o, key, v);
}

struct flag_s
{
  const char *option, *obj, *key;
  enum
  {
    BYTES,
    INTEGER,
    STRING
  } kind;
  size_t offset;
};

#define F(opt, o, k, kind, field)                                                                            \
  {                                                                                                          \
    opt, o, k, kind, offsetof(struct box_update_s, field)                                                    \
  }
static const struct flag_s flags[] = {
  F("--memory", "memory", "limit", BYTES, memory),
  F("--memory-swap", "memory", "swap", BYTES, memory_swap),
  F("--memory-reservation", "memory", "reservation", BYTES, memory_reservation),
  F("--cpu-quota", "cpu", "quota", INTEGER, cpu_quota),
  F("--cpu-period", "cpu", "period", INTEGER, cpu_period),
  F("--cpu-share", "cpu", "shares", INTEGER, cpu_shares),
  F("--pids-limit", "pids", "limit", INTEGER, pids_limit),
  F("--cpuset-cpus", "cpu", "cpus", STRING, cpuset_cpus),
  F("--cpuset-mems", "cpu", "mems", STRING, cpuset_mems),
};

static int
add_flag(json_t *res, const struct flag_s *f, const char *value, box_error_t *err)
{
  long long v = 0;

  if (f->kind == STRING)
    return set_member(res, f->obj, f->key, json_string(value)), 0;
  if ((f->kind == BYTES ? box_parse_bytes(value, &v, err) : parse_integer(value, &v, err)) < 0)
    return box_error_wrap(err, "update: %s", f->option);
  set_member(res, f->obj, f->key, json_integer(v));
  return 0;
}

int
box_update_build(const struct box_update_s *u, const char *text, json_t **out, box_error_t *err)
{
  json_error_t jerr;
  json_t *res;
  size_t i;

  res = text ? json_loads(text, 0, &jerr) : json_object();
  if (res == NULL)
    return box_make_error(err, 0, "update: --resources: not JSON: %s (line %d)", jerr.text, jerr.line);
  if (!json_is_object(res))
    return json_decref(res), box_make_error(err, 0, "update: --resources: must be a linux.resources object");
  for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
    {
      const char *value = *(const char *const *)((const char *)u + flags[i].offset);
      if (value && add_flag(res, &flags[i], value, err) < 0)
        return json_decref(res), -1;
    }
  *out = res;
  return 0;
}

/* The saved linux.resources with each member of the update's objects on
   top (what an update leaves out keeps its value).  */
static int
merge(json_t *saved, json_t *delta, box_error_t *err)
{
  const char *key;
  json_t *v;
  size_t i;

  for (i = 0; not_live[i]; i++)
    if (json_object_get(delta, not_live[i]))
      return box_make_error(err, 0, "update: `linux.resources.%s`: cannot be changed on a live container",
                            not_live[i]);
  json_object_foreach(delta, key, v)
  {
    if (json_is_object(v) && json_is_object(json_object_get(saved, key)))
      json_object_update(json_object_get(saved, key), v);
    else
      json_object_set(saved, key, v);
  }
  return 0;
}

/* Read --resources (a file, or "-" for stdin).  */
static int
read_resources(const char *path, char **text, box_error_t *err)
{
  if (path == NULL)
    return *text = NULL, 0;
  if (box_read_file(strcmp(path, "-") == 0 ? "/dev/stdin" : path, text, NULL, err) < 0)
    return box_error_wrap(err, "update: --resources");
  return 0;
}

/* Apply res (devices left out: create's alone) to the live cgroups.  */
static int
apply(const box_state_t *st, json_t *res, box_error_t *err)
{
  cleanup_cgroup box_cgroup_t *cg = NULL;
  struct box_resources_s *r = NULL;
  json_t *copy = json_deep_copy(res);
  int ret;

  json_object_del(copy, "devices");
  ret = box_resources_parse(copy, &r, err);
  json_decref(copy);
  if (ret == 0 && (ret = box_cgroup_from_json(st->cgroups, &cg, err)) == 0 && r)
    ret = box_cgroup_apply(cg, r, err);
  box_resources_free(r);
  return ret;
}

/* Apply and save: the kept config gets the merged linux.resources.  */
static int
update_saved(const char *dir, const box_state_t *st, json_t *delta, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/" BOX_CONFIG_COPY, dir), *text = NULL;
  json_t *config, *lnx, *res;
  json_error_t jerr;
  int r = -1;

  config = json_load_file(path, 0, &jerr);
  if (config == NULL)
    return box_make_error(err, 0, "read `%s`: %s", path, jerr.text);
  lnx = json_object_get(config, "linux");
  if (!json_is_object(lnx))
    json_object_set_new(config, "linux", lnx = json_object());
  res = json_object_get(lnx, "resources");
  if (!json_is_object(res))
    json_object_set_new(lnx, "resources", res = json_object());
  if (merge(res, delta, err) == 0 && apply(st, res, err) == 0)
    {
      text = json_dumps(config, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      r = box_write_file_atomic(path, text, strlen(text), 0600, err);
    }
  json_decref(config);
  return r;
}

int
box_container_update(const box_context_t *ctx, const struct box_update_s *u, box_error_t *err)
{
  cleanup_free char *dir = NULL, *text = NULL;
  cleanup_state box_state_t *st = NULL;
  enum box_status_e status;
  json_t *delta = NULL;
  int r;

  if (box_container_load(ctx, &dir, &st, err) < 0)
    return -1;
  status = box_status_derive(dir, st);
  if (status != BOX_STATUS_CREATED && status != BOX_STATUS_RUNNING && status != BOX_STATUS_PAUSED)
    return box_make_error(err, 0, "cannot update container `%s`: status is %s", ctx->id,
                          box_status_name(status));
  if (st->cgroups == NULL)
    return box_make_error(err, 0, "update container `%s`: the container has no cgroup", ctx->id);
  if (read_resources(u->resources, &text, err) < 0 || box_update_build(u, text, &delta, err) < 0)
    return -1;
  r = update_saved(dir, st, delta, err);
  json_decref(delta);
  return r < 0 ? box_error_wrap(err, "update container `%s`", ctx->id) : 0;
}
