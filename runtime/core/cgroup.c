/* Control groups: see cgroup.h.  Kernel interfaces used:
   Documentation/admin-guide/cgroup-v1/ (one .rst per controller) and cgroup-v2.rst.  */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "utils.h"

#define RES "linux.resources"
#define res_error(err, field, fmt, ...)                                                                      \
  box_make_error(err, 0, "config.json: `" RES ".%s`: " fmt, field, ##__VA_ARGS__)

#define POLL_INTERVAL_MS 10 /* how often destroy looks again for processes still exiting */

/* ---- linux.resources ---- */

/* Fields of linux.resources box does not implement: an error, so a limit
   asked for is never silently dropped.  */
static const char *const unsupported_fields[] = { "network",
                                                  "rdma",
                                                  "memory.useHierarchy",
                                                  "memory.checkBeforeUpdate",
                                                  "cpu.realtimeRuntime",
                                                  "cpu.realtimePeriod",
                                                  "cpu.idle",
                                                  "cpu.burst",
                                                  NULL };

static json_t *
get_path(json_t *res, const char *field)
{
  cleanup_free char *copy = xstrdup(field);
  char *dot = strchr(copy, '.');

  if (dot == NULL)
    return json_object_get(res, copy);
  *dot = '\0';
  return json_object_get(json_object_get(res, copy), dot + 1);
}

/* Optional integer member of res at field ("memory.limit"); null counts
   as absent (runc writes null for unset pointers).  */
static int
get_int(json_t *res, const char *field, bool *has, long long *out, box_error_t *err)
{
  json_t *v = get_path(res, field);

  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_integer(v))
    return res_error(err, field, "must be an integer");
  *has = true;
  *out = json_integer_value(v);
  return 0;
}

static int
get_uint(json_t *res, const char *field, bool *has, unsigned long long *out, box_error_t *err)
{
  long long v = 0;

  if (get_int(res, field, has, &v, err) < 0)
    return -1;
  if (*has && v < 0)
    return res_error(err, field, "must be a non-negative integer");
  *out = (unsigned long long)v;
  return 0;
}

static int
get_str(json_t *res, const char *field, char **out, box_error_t *err)
{
  json_t *v = get_path(res, field);

  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_string(v))
    return res_error(err, field, "must be a string");
  *out = xstrdup(json_string_value(v));
  return 0;
}

/* config-linux.md "Allowed Device Cgroup": allow (REQUIRED), type
   ("a" when absent), major/minor ("*" when absent), access ("rwm").  */
static int
parse_device(json_t *d, size_t i, struct box_device_rule_s *out, box_error_t *err)
{
  cleanup_free char *field = xasprintf("devices[%zu]", i);
  json_t *allow = json_object_get(d, "allow"), *type = json_object_get(d, "type");
  json_t *access = json_object_get(d, "access");
  bool has = false;
  const char *a;

  if (!json_is_object(d) || !json_is_boolean(allow))
    return res_error(err, field, "must be an object with a boolean `allow`");
  out->allow = json_is_true(allow);
  out->type = type ? (json_is_string(type) ? json_string_value(type)[0] : '?') : 'a';
  if (strchr("acb", out->type) == NULL || (type && strlen(json_string_value(type)) != 1))
    return res_error(err, field, "`type` must be one of a, c, b");
  out->major = out->minor = -1;
  free(field), field = xasprintf("devices[%zu].major", i);
  if (get_int(d, "major", &has, &out->major, err) < 0 || get_int(d, "minor", &has, &out->minor, err) < 0)
    return box_error_release(err), res_error(err, field, "major and minor must be integers");
  a = access == NULL ? "rwm" : json_is_string(access) ? json_string_value(access) : "?";
  if (strlen(a) > 3 || strspn(a, "rwm") != strlen(a))
    return res_error(err, field, "`access` must be a subset of rwm");
  snprintf(out->access, sizeof(out->access), "%s", a);
  return 0;
}

static int
parse_devices(json_t *res, struct box_resources_s *r, box_error_t *err)
{
  json_t *devs = json_object_get(res, "devices"), *d;
  size_t i;

  if (devs == NULL || json_is_null(devs))
    return 0;
  if (!json_is_array(devs))
    return res_error(err, "devices", "must be an array");
  r->has_devices = true;
  r->devices = xcalloc(json_array_size(devs), sizeof(*r->devices));
  json_array_foreach(devs, i, d)
  {
    if (parse_device(d, i, &r->devices[i], err) < 0)
      return -1;
    r->n_devices = i + 1;
  }
  return 0;
}

/* config-linux.md "Memory": kernel and kernelTCP are deprecated (1.1: "the
   kernel no longer supports" kmem limits since Linux 5.4 for v1 kmem.limit
   and never on v2). runc and crun ignore them with a warning; so does box.  */
static void
warn_ignored(json_t *res)
{
  static const char *const ignored[] = { "memory.kernel", "memory.kernelTCP" };
  size_t i;

  for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
    {
      json_t *v = get_path(res, ignored[i]);
      if (v && !json_is_null(v))
        box_log_warning("config.json: `" RES ".%s`: deprecated, ignored (kernel memory limits)", ignored[i]);
    }
}

/* config-linux.md "HugePage limits": hugepageLimits, an array of
   { pageSize, limit }; pageSize names the hugetlb.<pageSize>.* files.  */
static int
parse_hugepages(json_t *res, struct box_resources_s *r, box_error_t *err)
{
  json_t *arr = json_object_get(res, "hugepageLimits"), *h;
  size_t i;

  if (arr == NULL || json_is_null(arr))
    return 0;
  if (!json_is_array(arr))
    return res_error(err, "hugepageLimits", "must be an array");
  r->hugepages = xcalloc(json_array_size(arr) + 1, sizeof(*r->hugepages));
  json_array_foreach(arr, i, h)
  {
    json_t *size = json_object_get(h, "pageSize"), *limit = json_object_get(h, "limit");
    const char *s = json_is_string(size) ? json_string_value(size) : "";

    if (!json_is_object(h) || s[0] == '\0' || strspn(s, "0123456789KMGBkmgb") != strlen(s))
      return res_error(err, "hugepageLimits", "[%zu].pageSize must be a page size such as `2MB`", i);
    if (!json_is_integer(limit) || json_integer_value(limit) < 0)
      return res_error(err, "hugepageLimits", "[%zu].limit must be a non-negative integer", i);
    r->hugepages[i].page_size = xstrdup(s);
    r->hugepages[i].limit = (unsigned long long)json_integer_value(limit);
    r->n_hugepages = i + 1;
  }
  return 0;
}

/* config-linux.md "Unified": each key a file of the container's cgroup v2
   directory, its value written as given ("Configuration unknown to the
   runtime MUST still be written").  A key is a file name, nothing more.  */
static int
parse_unified(json_t *u, struct box_resources_s *r, box_error_t *err)
{
  const char *k;
  json_t *v;

  if (u == NULL || json_is_null(u))
    return 0;
  if (!json_is_object(u))
    return res_error(err, "unified", "must be an object of strings");
  r->unified_keys = xcalloc(json_object_size(u) + 1, sizeof(char *));
  r->unified_values = xcalloc(json_object_size(u) + 1, sizeof(char *));
  json_object_foreach(u, k, v)
  {
    if (!json_is_string(v))
      return res_error(err, "unified", "`%s`: must be a string", k);
    if (k[0] == '\0' || k[0] == '.' || strchr(k, '/') || !strchr(k, '.'))
      return res_error(err, "unified", "`%s`: not a cgroup v2 file name (controller.file)", k);
    r->unified_keys[r->n_unified] = xstrdup(k);
    r->unified_values[r->n_unified++] = xstrdup(json_string_value(v));
  }
  return 0;
}

static int
check_unsupported(json_t *res, box_error_t *err)
{
  const char *const *f;

  for (f = unsupported_fields; *f; f++)
    {
      json_t *v = get_path(res, *f);
      if (v && !json_is_null(v))
        return res_error(err, *f, "not supported by box");
    }
  return 0;
}

static int
parse_limits(json_t *res, struct box_resources_s *r, box_error_t *err)
{
  if (get_int(res, "pids.limit", &r->has_pids_limit, &r->pids_limit, err) < 0
      || get_int(res, "memory.limit", &r->has_mem_limit, &r->mem_limit, err) < 0
      || get_int(res, "memory.reservation", &r->has_mem_reservation, &r->mem_reservation, err) < 0
      || get_int(res, "memory.swap", &r->has_mem_swap, &r->mem_swap, err) < 0
      || get_uint(res, "memory.swappiness", &r->has_mem_swappiness, &r->mem_swappiness, err) < 0
      || get_uint(res, "cpu.shares", &r->has_cpu_shares, &r->cpu_shares, err) < 0
      || get_int(res, "cpu.quota", &r->has_cpu_quota, &r->cpu_quota, err) < 0
      || get_uint(res, "cpu.period", &r->has_cpu_period, &r->cpu_period, err) < 0
      || get_str(res, "cpu.cpus", &r->cpus, err) < 0 || get_str(res, "cpu.mems", &r->mems, err) < 0)
    return -1;
  /* runc treats 0 as "not set" for these (the Go zero value).  */
  r->has_pids_limit = r->has_pids_limit && r->pids_limit != 0;
  r->has_mem_limit = r->has_mem_limit && r->mem_limit != 0;
  r->has_mem_reservation = r->has_mem_reservation && r->mem_reservation != 0;
  r->has_mem_swap = r->has_mem_swap && r->mem_swap != 0;
  r->has_cpu_shares = r->has_cpu_shares && r->cpu_shares != 0;
  r->has_cpu_quota = r->has_cpu_quota && r->cpu_quota != 0;
  r->has_cpu_period = r->has_cpu_period && r->cpu_period != 0;
  return 0;
}

/* config-linux.md "Block IO": weight and leafWeight [10, 1000], the
   weightDevice entries (major, minor, weight and/or leafWeight) and the
   four throttle lists (major, minor, rate).  */
static int
parse_weight(json_t *o, const char *name, const char *field, unsigned long long *out, box_error_t *err)
{
  bool has = false;

  if (get_uint(o, name, &has, out, err) < 0)
    return -1;
  if (has && (*out < 10 || *out > 1000))
    return res_error(err, field, "must be between 10 and 1000, got %llu", *out);
  return 0;
}

static void
push_rule(struct box_resources_s *r, int kind, long long major, long long minor, unsigned long long value)
{
  r->blkio_rules[kind] = xrealloc(r->blkio_rules[kind], (r->n_blkio_rules[kind] + 1) * sizeof(struct box_blkio_rule_s));
  r->blkio_rules[kind][r->n_blkio_rules[kind]++] = (struct box_blkio_rule_s){ major, minor, value };
}

static int
parse_blkio_list(json_t *b, const char *name, int kind, struct box_resources_s *r, box_error_t *err)
{
  json_t *list = json_object_get(b, name), *d;
  size_t i;

  if (list == NULL || json_is_null(list))
    return 0;
  if (!json_is_array(list))
    return res_error(err, "blockIO", "`%s` must be an array", name);
  json_array_foreach(list, i, d)
  {
    cleanup_free char *field = xasprintf("blockIO.%s[%zu]", name, i);
    long long major = -1, minor = -1;
    unsigned long long value = 0, leaf = 0;
    bool has_major = false, has_minor = false, has = false;

    if (!json_is_object(d) || get_int(d, "major", &has_major, &major, err) < 0
        || get_int(d, "minor", &has_minor, &minor, err) < 0)
      return box_error_release(err), res_error(err, field, "must be an object with integer major and minor");
    if (!has_major || !has_minor || major < 0 || minor < 0)
      return res_error(err, field, "major and minor are REQUIRED");
    if (kind != BOX_BLKIO_WEIGHT)
      {
        if (get_uint(d, "rate", &has, &value, err) < 0)
          return -1;
        if (!has)
          return res_error(err, field, "rate is REQUIRED");
        push_rule(r, kind, major, minor, value);
        continue;
      }
    if (parse_weight(d, "weight", field, &value, err) < 0 || parse_weight(d, "leafWeight", field, &leaf, err) < 0)
      return -1;
    if (value)
      push_rule(r, BOX_BLKIO_WEIGHT, major, minor, value);
    if (leaf)
      push_rule(r, BOX_BLKIO_LEAF_WEIGHT, major, minor, leaf);
  }
  return 0;
}

static int
parse_blkio(json_t *res, struct box_resources_s *r, box_error_t *err)
{
  json_t *b = json_object_get(res, "blockIO");
  json_t *oom = get_path(res, "memory.disableOOMKiller");

  if (oom && !json_is_null(oom) && !json_is_boolean(oom))
    return res_error(err, "memory.disableOOMKiller", "must be a boolean");
  r->disable_oom_killer = oom && json_is_true(oom);
  if (b == NULL || json_is_null(b))
    return 0;
  if (!json_is_object(b))
    return res_error(err, "blockIO", "must be an object");
  if (parse_weight(b, "weight", "blockIO.weight", &r->blkio_weight, err) < 0
      || parse_weight(b, "leafWeight", "blockIO.leafWeight", &r->blkio_leaf_weight, err) < 0
      || parse_blkio_list(b, "weightDevice", BOX_BLKIO_WEIGHT, r, err) < 0
      || parse_blkio_list(b, "throttleReadBpsDevice", BOX_BLKIO_READ_BPS, r, err) < 0
      || parse_blkio_list(b, "throttleWriteBpsDevice", BOX_BLKIO_WRITE_BPS, r, err) < 0
      || parse_blkio_list(b, "throttleReadIOPSDevice", BOX_BLKIO_READ_IOPS, r, err) < 0
      || parse_blkio_list(b, "throttleWriteIOPSDevice", BOX_BLKIO_WRITE_IOPS, r, err) < 0)
    return -1;
  return 0;
}

int
box_resources_parse(json_t *res, struct box_resources_s **out, box_error_t *err)
{
  struct box_resources_s *r;
  static const char *const objects[] = { "pids", "memory", "cpu", "blockIO", NULL };
  const char *const *o;

  *out = NULL;
  if (res == NULL || json_is_null(res))
    return 0;
  if (!json_is_object(res))
    return box_make_error(err, 0, "config.json: `" RES "`: must be an object");
  for (o = objects; *o; o++)
    if (json_object_get(res, *o) && !json_is_object(json_object_get(res, *o))
        && !json_is_null(json_object_get(res, *o)))
      return res_error(err, *o, "must be an object");
  if (check_unsupported(res, err) < 0)
    return -1;
  warn_ignored(res);
  r = xcalloc(1, sizeof(*r));
  if (parse_limits(res, r, err) < 0 || parse_devices(res, r, err) < 0 || parse_hugepages(res, r, err) < 0
      || parse_blkio(res, r, err) < 0 || parse_unified(json_object_get(res, "unified"), r, err) < 0)
    return box_resources_free(r), -1;
  *out = r;
  return 0;
}

void
box_resources_free(struct box_resources_s *r)
{
  if (r == NULL)
    return;
  free(r->cpus);
  free(r->mems);
  free(r->devices);
  for (size_t i = 0; i < r->n_hugepages; i++)
    free(r->hugepages[i].page_size);
  free(r->hugepages);
  for (size_t i = 0; i < r->n_unified; i++)
    free(r->unified_keys[i]), free(r->unified_values[i]);
  free(r->unified_keys);
  free(r->unified_values);
  for (size_t i = 0; i < 6; i++)
    free(r->blkio_rules[i]);
  free(r);
}

unsigned long long
box_cpu_shares_to_weight(unsigned long long shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  /* runc libcontainer/cgroups/utils.go ConvertCPUSharesToCgroupV2Value:
     [2, 262144] onto [1, 10000], so 1024 (the v1 default) -> 39.  */
  return 1 + ((shares - 2) * 9999) / 262142;
}

/* ---- the host's hierarchies ---- */

/* Undo mountinfo's octal escapes (\040 for a space) in place.  */
static void
unescape_octal(char *s)
{
  char *w = s;

  for (; *s; s++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && isdigit((unsigned char)s[2])
          && isdigit((unsigned char)s[3]))
        {
          *w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
          s += 3;
        }
      else
        *w++ = *s;
    }
  *w = '\0';
}

int
box_cgroup_parse_proc_line(const char *line, char **controllers, char **path)
{
  const char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  size_t len;

  /* "ID:CONTROLLERS:PATH"; PATH may itself contain ':' (only the first
     two separate fields).  */
  if (c1 == NULL || c2 == NULL || c1 == line || c2[1] != '/')
    return -1;
  len = strcspn(c2 + 1, "\n");
  *controllers = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
  *path = strndup(c2 + 1, len);
  if (*controllers == NULL || *path == NULL)
    abort();
  return 0;
}

int
box_cgroup_parse_mountinfo_line(const char *line, char **fstype, char **root, char **mount, char **superopts)
{
  cleanup_free char *copy = strndup(line, strcspn(line, "\n"));
  char *f[6], *save = NULL, *tok, *sep;
  int n = 0;

  /* proc(5): "ID PARENT MAJ:MIN ROOT MOUNT OPTS [OPTIONAL...] - FSTYPE
     SOURCE SUPEROPTS"; the optional fields end at a lone "-".  */
  sep = copy ? strstr(copy, " - ") : NULL;
  if (sep == NULL)
    return -1;
  *sep = '\0';
  for (tok = strtok_r(copy, " ", &save); tok && n < 6; tok = strtok_r(NULL, " ", &save))
    f[n++] = tok;
  if (n < 6)
    return -1;
  save = NULL;
  tok = strtok_r(sep + 3, " ", &save);
  if (tok == NULL || (strcmp(tok, "cgroup") != 0 && strcmp(tok, "cgroup2") != 0))
    return tok == NULL ? -1 : 0;
  *fstype = xstrdup(tok);
  strtok_r(NULL, " ", &save); /* source */
  tok = strtok_r(NULL, " ", &save);
  *superopts = xstrdup(tok ? tok : "");
  unescape_octal(f[3]);
  unescape_octal(f[4]);
  *root = xstrdup(f[3]);
  *mount = xstrdup(f[4]);
  return 1;
}

/* true when the comma-separated list has the token.  */
bool
box_cgroup_has_token(const char *list, const char *token)
{
  size_t n = strlen(token);
  const char *p = list;

  while (p && *p)
    {
      if (strncmp(p, token, n) == 0 && (p[n] == ',' || p[n] == '\0'))
        return true;
      p = strchr(p, ',');
      p = p ? p + 1 : NULL;
    }
  return false;
}

/* true when every controller of "cpu,cpuacct" is among the superopts.  */
static bool
all_tokens(const char *controllers, const char *superopts)
{
  cleanup_free char *copy = xstrdup(controllers);
  char *save = NULL, *tok;

  for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    if (!box_cgroup_has_token(superopts, tok))
      return false;
  return true;
}

/* true when cgroup path p is dir itself or below it.  */
static bool
path_under(const char *p, const char *dir)
{
  size_t n = strlen(dir);

  if (strcmp(dir, "/") == 0)
    return true;
  return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

void
box_cgroup_entries_free(struct box_cgroup_entry_s *e, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    free(e[i].controllers), free(e[i].path);
  free(e);
}

struct box_cgroup_entry_s *
box_cgroup_parse_proc(const char *text, size_t *n)
{
  struct box_cgroup_entry_s *e = NULL;
  const char *line;

  *n = 0;
  for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
    {
      e = xrealloc(e, (*n + 1) * sizeof(*e));
      if (box_cgroup_parse_proc_line(line, &e[*n].controllers, &e[*n].path) == 0)
        (*n)++;
    }
  return e;
}

/* The /proc/self/cgroup entry a mount belongs to: "" for cgroup2, else
   the v1 line whose controllers the mount carries.  */
const struct box_cgroup_entry_s *
box_cgroup_entry_for_mount(const struct box_cgroup_entry_s *e, size_t n, const char *fstype,
                           const char *superopts)
{
  bool v2 = strcmp(fstype, "cgroup2") == 0;
  size_t i;

  for (i = 0; i < n; i++)
    {
      if (v2 ? e[i].controllers[0] == '\0'
             : e[i].controllers[0] != '\0' && all_tokens(e[i].controllers, superopts))
        return &e[i];
    }
  return NULL;
}

static bool
host_has(const box_cgroup_host_t *host, const char *controllers)
{
  size_t i;
  for (i = 0; i < host->n; i++)
    if (strcmp(host->h[i].controllers, controllers) == 0)
      return true;
  return false;
}

/* Add the hierarchy of one mountinfo line, unless it is not a cgroup
   mount, already known (a second mount of it), or mounted from a cgroup
   that does not contain ours (we could not reach our own cgroup there).  */
static void
host_add_mount(box_cgroup_host_t *host, const char *line, const struct box_cgroup_entry_s *e, size_t n)
{
  cleanup_free char *fstype = NULL, *root = NULL, *mount = NULL, *superopts = NULL;
  const struct box_cgroup_entry_s *pe;
  struct box_cgroup_hier_s *h;

  if (box_cgroup_parse_mountinfo_line(line, &fstype, &root, &mount, &superopts) != 1)
    return;
  pe = box_cgroup_entry_for_mount(e, n, fstype, superopts);
  if (pe == NULL || host_has(host, pe->controllers) || !path_under(pe->path, root))
    return;
  host->h = xrealloc(host->h, (host->n + 1) * sizeof(*host->h));
  h = &host->h[host->n++];
  h->controllers = xstrdup(pe->controllers);
  h->mount = steal_pointer(&mount);
  h->root = steal_pointer(&root);
  h->own = xstrdup(pe->path);
}

int
box_cgroup_host_parse(const char *mountinfo, const char *proc_cgroup, box_cgroup_host_t **out,
                      box_error_t *err)
{
  box_cgroup_host_t *host = xcalloc(1, sizeof(*host));
  struct box_cgroup_entry_s *e;
  const char *line;
  size_t n, i;

  e = box_cgroup_parse_proc(proc_cgroup, &n);
  for (line = mountinfo; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
    host_add_mount(host, line, e, n);
  box_cgroup_entries_free(e, n);
  if (host->n == 0)
    {
      box_cgroup_host_free(host);
      return box_make_error(err, 0, "no cgroup hierarchy is mounted");
    }
  /* Unified mode: cgroup2 alone (runc's rule; a cgroup2 mount beside v1
     hierarchies is the hybrid mode, where v1 holds the controllers).  */
  host->v2 = true;
  for (i = 0; i < host->n; i++)
    host->v2 = host->v2 && host->h[i].controllers[0] == '\0';
  *out = host;
  return 0;
}

int
box_cgroup_host_read(box_cgroup_host_t **out, box_error_t *err)
{
  cleanup_free char *mountinfo = NULL, *proc_cgroup = NULL;

  if (box_read_file("/proc/self/mountinfo", &mountinfo, NULL, err) < 0
      || box_read_file("/proc/self/cgroup", &proc_cgroup, NULL, err) < 0)
    return box_error_wrap(err, "cgroups");
  return box_cgroup_host_parse(mountinfo, proc_cgroup, out, err);
}

void
box_cgroup_host_free(box_cgroup_host_t *host)
{
  size_t i;

  if (host == NULL)
    return;
  for (i = 0; i < host->n; i++)
    {
      free(host->h[i].controllers);
      free(host->h[i].mount);
      free(host->h[i].root);
      free(host->h[i].own);
    }
  free(host->h);
  free(host);
}

/* Join base and rel into a clean absolute cgroup path (no "//", no "."
   components, no trailing '/').  ".." is refused: a config must not reach
   outside the parent it is given.  */
static int
join_clean(const char *base, const char *rel, char **out, box_error_t *err)
{
  cleanup_free char *joined = xasprintf("%s/%s", base, rel);
  char *r = xcalloc(1, strlen(joined) + 2), *save = NULL, *tok;

  for (tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
    {
      if (strcmp(tok, ".") == 0)
        continue;
      if (strcmp(tok, "..") == 0)
        {
          free(r);
          return box_make_error(err, 0, "config.json: `linux.cgroupsPath`: must not contain `..`");
        }
      strcat(strcat(r, "/"), tok);
    }
  if (r[0] == '\0')
    strcpy(r, "/");
  *out = r;
  return 0;
}

int
box_cgroup_resolve(const box_cgroup_host_t *host, const struct box_cgroup_hier_s *h, const char *cgroups_path,
                   const char *id, char **out, box_error_t *err)
{
  /* No cgroupsPath: one level of box's own, `box-ID`, as runc and crun
     make one (`ID`): the prefix keeps an id such as `tasks` off the
     parent's own files and says whose the directory is.  */
  cleanup_free char *def = xasprintf("box-%s", id), *parent = NULL;
  const char *rel = cgroups_path ? cgroups_path : def;
  char *slash;

  /* config-linux.md "Cgroups Path": absolute is relative to the cgroup
     mount point; a relative path's meaning is the runtime's to choose.  */
  if (rel[0] == '/')
    parent = xstrdup("/");
  else
    {
      parent = xstrdup(h->own);
      /* Pure v2: our own cgroup has a process (us), so it may not hand
         controllers down to a child (cgroup-v2.rst "No Internal Process
         Constraint"); its parent can, as in runc.  */
      slash = strrchr(parent, '/');
      if (host->v2 && slash && strcmp(parent, "/") != 0)
        slash == parent ? (void)(parent[1] = '\0') : (void)(*slash = '\0');
    }
  if (join_clean(parent, rel, out, err) < 0)
    return -1;
  /* The container gets a cgroup of its own, strictly below what the
     hierarchy's mount shows (a process in a cgroup namespace, say).  */
  if (strcmp(*out, h->root) == 0 || !path_under(*out, h->root))
    {
      box_make_error(err, 0,
                     "config.json: `linux.cgroupsPath`: `%s` is not below the cgroup mounted at `%s` (%s)",
                     rel, h->mount, h->root);
      free(steal_pointer(out));
      return -1;
    }
  return 0;
}

/* ---- a container's cgroups: create ---- */

static void
free_dir(struct box_cgroup_dir_s *d)
{
  size_t i;

  free(d->controllers);
  free(d->cgroup);
  free(d->path);
  for (i = 0; i < d->n_created; i++)
    free(d->created[i]);
  free(d->created);
}

void
box_cgroup_free(box_cgroup_t *cg)
{
  size_t i;

  if (cg == NULL)
    return;
  for (i = 0; i < cg->n; i++)
    free_dir(&cg->dirs[i]);
  free(cg->dirs);
  free(cg);
}

void
cleanup_cgroupp(box_cgroup_t **cg)
{
  box_cgroup_free(*cg);
}

/* Write value to dir/file.  Returns 0, or -1 with errno set.  */
static int
write_file(const char *dir, const char *file, const char *value)
{
  cleanup_free char *path = xasprintf("%s/%s", dir, file);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen(value);

  if (fd < 0)
    return -1;
  if (TEMP_FAILURE_RETRY(write(fd, value, len)) != (ssize_t)len)
    return -1;
  return 0;
}

/* v1 cpuset: a new cgroup starts with empty cpuset.cpus and cpuset.mems,
   and no process may join it until both are set
   (cgroup-v1/cpusets.rst 1.4): copy them from the parent.  Also for a
   level that already exists but was left empty by whoever made it (runc's
   cpuset ensureParent does the same); a value already set is kept.  */
static int
copy_cpuset(const char *path, box_error_t *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  cleanup_free char *parent = xstrdup(path);
  size_t i;

  *strrchr(parent, '/') = '\0';
  for (i = 0; i < 2; i++)
    {
      cleanup_free char *from = xasprintf("%s/%s", parent, files[i]), *value = NULL;
      cleanup_free char *own_path = xasprintf("%s/%s", path, files[i]), *own = NULL;
      box_error_t ignored = NULL;

      if (box_read_file(own_path, &own, NULL, &ignored) == 0 && own[0] != '\n' && own[0] != '\0')
        continue;
      box_error_release(&ignored);
      if (box_read_file(from, &value, NULL, err) < 0)
        return box_error_wrap(err, "cgroup cpuset");
      if (value[0] != '\n' && value[0] != '\0' && write_file(path, files[i], value) < 0)
        return box_make_error(err, errno, "cgroup: write `%s/%s`", path, files[i]);
    }
  return 0;
}

/* v2: the controllers a cgroup's children may use are those written to
   its cgroup.subtree_control (cgroup-v2.rst "Enabling and Disabling").
   Best effort, one by one like runc: a resource whose file is then
   missing fails with its own name.  */
static void
enable_controllers(const char *dir)
{
  static const char *const wanted[] = { "cpu", "cpuset", "memory", "pids", "hugetlb" };
  cleanup_free char *path = xasprintf("%s/cgroup.controllers", dir), *avail = NULL;
  box_error_t ignored = NULL;
  size_t i;

  if (box_read_file(path, &avail, NULL, &ignored) < 0)
    return box_error_release(&ignored);
  avail[strcspn(avail, "\n")] = '\0';
  for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
    {
      cleanup_free char *spaced = xasprintf(" %s ", avail), *tok = xasprintf(" %s ", wanted[i]);
      cleanup_free char *cmd = xasprintf("+%s", wanted[i]);
      if (strstr(spaced, tok))
        (void)write_file(dir, "cgroup.subtree_control", cmd);
    }
}

/* Note path in d->created (once: a retry of make_dirs may make it again).  */
static void
note_created(struct box_cgroup_dir_s *d, const char *path)
{
  for (size_t i = 0; i < d->n_created; i++)
    if (strcmp(d->created[i], path) == 0)
      return;
  d->created = xrealloc(d->created, (d->n_created + 1) * sizeof(char *));
  d->created[d->n_created++] = xstrdup(path);
}

/* mkdir one level; records it in d->created when we made it.  */
static int
make_level(struct box_cgroup_dir_s *d, const char *path, bool leaf, box_error_t *err)
{
  if (mkdir(path, 0755) == 0)
    note_created(d, path);
  else if (errno != EEXIST)
    return box_make_error(err, errno, "create cgroup `%s`", path);
  if (box_cgroup_has_token(d->controllers, "cpuset") && copy_cpuset(path, err) < 0)
    return -1;
  if (!leaf && d->controllers[0] == '\0')
    enable_controllers(path);
  return 0;
}

/* mkdir -p of d->path below the mount point, level by level, once.  */
static int
make_dirs_once(const struct box_cgroup_hier_s *h, struct box_cgroup_dir_s *d, box_error_t *err)
{
  cleanup_free char *path = xstrdup(d->path);
  char *p = path + strlen(h->mount);

  if (d->controllers[0] == '\0')
    enable_controllers(h->mount);
  while ((p = strchr(p + 1, '/')) != NULL)
    {
      *p = '\0';
      if (make_level(d, path, false, err) < 0)
        return -1;
      *p = '/';
    }
  return make_level(d, path, true, err);
}

/* A parent level found (EEXIST) can be removed by the delete of the last
   container in it before our level below it is made: mkdir then fails
   with ENOENT (a write to a file of it, with ENODEV), and the levels are
   made again from the top.  */
#define MAKE_DIRS_TRIES 8

static int
make_dirs(const struct box_cgroup_hier_s *h, struct box_cgroup_dir_s *d, box_error_t *err)
{
  for (int i = 1;; i++)
    {
      if (make_dirs_once(h, d, err) == 0)
        return 0;
      if (i == MAKE_DIRS_TRIES || ((*err)->errnum != ENOENT && (*err)->errnum != ENODEV))
        return -1;
      box_error_release(err);
    }
}

/* Append the container's directory in hierarchy h to cg, not made yet.  */
static struct box_cgroup_dir_s *
fill_dir(box_cgroup_t *cg, const box_cgroup_host_t *host, const struct box_cgroup_hier_s *h,
         const char *cgroups_path, const char *id, box_error_t *err)
{
  struct box_cgroup_dir_s *d;
  cleanup_free char *cgroup = NULL;
  size_t skip = strcmp(h->root, "/") == 0 ? 0 : strlen(h->root);

  if (box_cgroup_resolve(host, h, cgroups_path, id, &cgroup, err) < 0)
    return NULL;
  cg->dirs = xrealloc(cg->dirs, (cg->n + 1) * sizeof(*cg->dirs));
  d = &cg->dirs[cg->n++];
  memset(d, 0, sizeof(*d));
  d->controllers = xstrdup(h->controllers);
  d->path = xasprintf("%s%s", h->mount, cgroup + skip);
  d->cgroup = steal_pointer(&cgroup);
  return d;
}

static int
add_dir(box_cgroup_t *cg, const box_cgroup_host_t *host, const struct box_cgroup_hier_s *h,
        const char *cgroups_path, const char *id, box_error_t *err)
{
  struct box_cgroup_dir_s *d = fill_dir(cg, host, h, cgroups_path, id, err);

  return d == NULL ? -1 : make_dirs(h, d, err);
}

/* Every level of d->path below the mount point that does not exist yet,
   in mkdir order, as d->created: what create is about to make.  */
static void
plan_levels(const struct box_cgroup_hier_s *h, struct box_cgroup_dir_s *d)
{
  cleanup_free char *path = xstrdup(d->path);
  char *p = path + strlen(h->mount), *next;
  struct stat sb;

  do
    {
      next = strchr(p + 1, '/');
      if (next)
        *next = '\0';
      if (stat(path, &sb) < 0 && errno == ENOENT)
        note_created(d, path);
      if (next)
        *next = '/';
      p = next;
    }
  while (p != NULL);
}

int
box_cgroup_plan(const box_cgroup_host_t *host, const char *cgroups_path, const char *id, box_cgroup_t **out,
                box_error_t *err)
{
  cleanup_cgroup box_cgroup_t *cg = xcalloc(1, sizeof(*cg));
  struct box_cgroup_dir_s *d;
  size_t i;

  for (i = 0; i < host->n; i++)
    {
      d = fill_dir(cg, host, &host->h[i], cgroups_path, id, err);
      if (d == NULL)
        return -1;
      plan_levels(&host->h[i], d);
    }
  *out = steal_pointer(&cg);
  return 0;
}

/* ---- linux.resources applied ---- */

/* Where a resource goes: the v1 hierarchy of the controller, or the
   unified one on a pure v2 host; NULL when the host has neither.  */
static const struct box_cgroup_dir_s *
dir_for(const box_cgroup_t *cg, const char *controller, bool *v2)
{
  size_t i;

  *v2 = cg->n == 1 && cg->dirs[0].controllers[0] == '\0';
  if (*v2)
    return &cg->dirs[0];
  for (i = 0; i < cg->n; i++)
    if (box_cgroup_has_token(cg->dirs[i].controllers, controller))
      return &cg->dirs[i];
  return NULL;
}

/* Write one resource value; errors name the config field and, when the
   host cannot apply it at all, say so.  */
static int
set_res(const struct box_cgroup_dir_s *d, const char *controller, const char *file, const char *value,
        const char *field, box_error_t *err)
{
  if (d == NULL)
    return res_error(err, field, "not supported on this host: no `%s` cgroup controller", controller);
  if (write_file(d->path, file, value) == 0)
    return 0;
  if (errno == ENOENT)
    return res_error(err, field, "not supported on this host: no %s", file);
  return box_make_error(err, errno, "config.json: `" RES ".%s`: write `%s` to `%s/%s`", field, value, d->path,
                        file);
}

static int
set_num(const struct box_cgroup_dir_s *d, const char *controller, const char *file, long long v, bool v2,
        const char *field, box_error_t *err)
{
  cleanup_free char *value = v < 0 ? xstrdup(v2 ? "max" : "-1") : xasprintf("%lld", v);

  return set_res(d, controller, file, value, field, err);
}

static int
apply_pids(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "pids", &v2);

  if (!r->has_pids_limit)
    return 0;
  /* pids.max takes "max", not -1, in v1 too (cgroup-v1/pids.rst).  */
  return set_num(d, "pids", "pids.max", r->pids_limit, true, "pids.limit", err);
}

/* v2 memory.swap.max is swap alone; the spec's swap is memory+swap (the
   v1 memsw meaning), so subtract, as runc does.  */
static int
apply_swap_v2(const struct box_cgroup_dir_s *d, const struct box_resources_s *r, box_error_t *err)
{
  if (r->mem_swap < 0)
    return set_num(d, "memory", "memory.swap.max", -1, true, "memory.swap", err);
  if (!r->has_mem_limit || r->mem_limit < 0)
    return res_error(err, "memory.swap", "needs a `" RES ".memory.limit` to convert to cgroup v2");
  if (r->mem_swap < r->mem_limit)
    return res_error(err, "memory.swap", "must not be below `" RES ".memory.limit`");
  return set_num(d, "memory", "memory.swap.max", r->mem_swap - r->mem_limit, true, "memory.swap", err);
}

static int
apply_memory(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "memory", &v2);

  /* v1: the limit before memsw, which may never be below it; a new
     cgroup starts unlimited in both (cgroup-v1/memory.rst 2.4).  */
  if (r->has_mem_limit
      && set_num(d, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", r->mem_limit, v2, "memory.limit",
                 err)
             < 0)
    return -1;
  if (r->has_mem_reservation
      && set_num(d, "memory", v2 ? "memory.low" : "memory.soft_limit_in_bytes", r->mem_reservation, v2,
                 "memory.reservation", err)
             < 0)
    return -1;
  /* config-linux.md "Memory": swappiness, v1 memory.swappiness [0, 100];
     cgroup v2 has no such file, and runc and crun skip it there.  */
  if (r->has_mem_swappiness && r->mem_swappiness > 100)
    return res_error(err, "memory.swappiness", "must be between 0 and 100, got %llu", r->mem_swappiness);
  if (r->has_mem_swappiness && !v2
      && set_num(d, "memory", "memory.swappiness", (long long)r->mem_swappiness, false, "memory.swappiness", err)
             < 0)
    return -1;
  if (!r->has_mem_swap)
    return 0;
  if (v2)
    return apply_swap_v2(d, r, err);
  return set_num(d, "memory", "memory.memsw.limit_in_bytes", r->mem_swap, false, "memory.swap", err);
}

/* v1 on a live cgroup (update): memory.limit_in_bytes may never exceed
   memsw, so a limit raised above the current memsw needs memsw first
   (runc orders the two the same way).  */
static int
apply_memory_live(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  struct box_resources_s swap_only = { .has_mem_swap = true, .mem_swap = r->mem_swap };
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "memory", &v2);

  if (apply_memory(cg, r, err) == 0)
    return 0;
  if (v2 || d == NULL || !r->has_mem_limit || !r->has_mem_swap || (*err)->errnum != EINVAL)
    return -1;
  box_error_release(err);
  if (apply_memory(cg, &swap_only, err) < 0)
    return -1;
  return apply_memory(cg, r, err);
}

static int
apply_cpu_v2(const struct box_cgroup_dir_s *d, const struct box_resources_s *r, box_error_t *err)
{
  cleanup_free char *max = NULL;

  if (r->has_cpu_shares
      && set_num(d, "cpu", "cpu.weight", (long long)box_cpu_shares_to_weight(r->cpu_shares), true,
                 "cpu.shares", err)
             < 0)
    return -1;
  if (!r->has_cpu_quota && !r->has_cpu_period)
    return 0;
  /* cpu.max is "QUOTA PERIOD" in one write (cgroup-v2.rst "CPU").  */
  if (r->has_cpu_quota && r->cpu_quota > 0)
    max = xasprintf("%lld %llu", r->cpu_quota, r->has_cpu_period ? r->cpu_period : 100000ULL);
  else
    max = xasprintf("max %llu", r->has_cpu_period ? r->cpu_period : 100000ULL);
  return set_res(d, "cpu", "cpu.max", max, r->has_cpu_quota ? "cpu.quota" : "cpu.period", err);
}

static int
apply_cpu(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "cpu", &v2);

  if (v2)
    return apply_cpu_v2(d, r, err);
  if (r->has_cpu_shares
      && set_num(d, "cpu", "cpu.shares", (long long)r->cpu_shares, false, "cpu.shares", err) < 0)
    return -1;
  /* The period first: a quota is checked against the current period.  */
  if (r->has_cpu_period
      && set_num(d, "cpu", "cpu.cfs_period_us", (long long)r->cpu_period, false, "cpu.period", err) < 0)
    return -1;
  if (r->has_cpu_quota && set_num(d, "cpu", "cpu.cfs_quota_us", r->cpu_quota, false, "cpu.quota", err) < 0)
    return -1;
  return 0;
}

static int
apply_cpuset(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "cpuset", &v2);

  /* Same files in v1 and v2; mems first so cpus never meets an empty
     mems (either order works on a cgroup copied from its parent).  */
  if (r->mems && set_res(d, "cpuset", "cpuset.mems", r->mems, "cpu.mems", err) < 0)
    return -1;
  if (r->cpus && set_res(d, "cpuset", "cpuset.cpus", r->cpus, "cpu.cpus", err) < 0)
    return -1;
  return 0;
}

/* "c 1:3 rwm", with '*' for a wildcard (cgroup-v1/devices.rst).  */
static char *
device_rule(char type, long long major, long long minor, const char *access)
{
  cleanup_free char *ma = major < 0 ? xstrdup("*") : xasprintf("%lld", major);
  cleanup_free char *mi = minor < 0 ? xstrdup("*") : xasprintf("%lld", minor);

  return xasprintf("%c %s:%s %s", type, ma, mi, access);
}

/* What box itself puts in the container's /dev (config-linux.md "Default
   Devices", and /dev/pts, /dev/ptmx): allowed after the config's rules,
   as runc appends its AllowedDevices, so a config that denies everything
   still leaves the container a working /dev/null.  */
static const struct box_device_rule_s default_devices[] = {
  { true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },
  { true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
  { true, 'c', 5, 1, "rwm" }, { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
#ifndef BOX_BROKEN_DENY_MKNOD
  /* mknod of any node (runc's AllowedDevices "c *:* m", "b *:* m"): the
     init makes linux.devices after it joined this cgroup, and under an
     engine's deny-all rule mknod would fail with EPERM (config-linux.md
     "Devices": they MUST be available in the container).  */
  { true, 'c', -1, -1, "m" },  { true, 'b', -1, -1, "m" },
#endif
};

static int
apply_device(const struct box_cgroup_dir_s *d, const struct box_device_rule_s *rule, const char *field,
             box_error_t *err)
{
  cleanup_free char *value = device_rule(rule->type, rule->major, rule->minor, rule->access);

  return set_res(d, "devices", rule->allow ? "devices.allow" : "devices.deny", value, field, err);
}

static int
apply_devices(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "devices", &v2);
  size_t i;

  if (!r->has_devices)
    return 0;
  /* v2 has no devices files: access is an eBPF program, which box does
     not build.  */
  if (v2)
    return res_error(err, "devices", "not supported on this host: cgroup v2 device rules need eBPF");
  /* Deny everything first, then the rules in order: the list is a
     whitelist, as in runc's default spec.  */
  if (set_res(d, "devices", "devices.deny", "a", "devices", err) < 0)
    return -1;
  for (i = 0; i < r->n_devices; i++)
    {
      cleanup_free char *field = xasprintf("devices[%zu]", i);
      if (apply_device(d, &r->devices[i], field, err) < 0)
        return -1;
    }
  for (i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
    if (apply_device(d, &default_devices[i], "devices", err) < 0)
      return -1;
  return 0;
}

/* v1 hugetlb.<size>.limit_in_bytes, v2 hugetlb.<size>.max.  */
static int
apply_hugepages(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "hugetlb", &v2);
  size_t i;

  for (i = 0; i < r->n_hugepages; i++)
    {
      cleanup_free char *file = xasprintf("hugetlb.%s.%s", r->hugepages[i].page_size, v2 ? "max" : "limit_in_bytes");
      cleanup_free char *value = xasprintf("%llu", r->hugepages[i].limit);
      if (set_res(d, "hugetlb", file, value, "hugepageLimits", err) < 0)
        return -1;
    }
  return 0;
}

/* v1 blkio.*: weight (blkio.weight, or blkio.bfq.weight where only BFQ
   has one), leaf_weight, the *_device files "MAJ:MIN VALUE" one rule a
   write; v2 io.weight ("default W", "MAJ:MIN W", on [1, 10000]: runc's
   linear mapping of [10, 1000]) and io.max ("MAJ:MIN rbps=N").  */
static unsigned long long
blkio_weight_v2(unsigned long long w)
{
  return 1 + (w - 10) * 9999 / 990;
}

static int
set_weight(const struct box_cgroup_dir_s *d, const char *v1file, bool v2, const char *dev,
           unsigned long long w, const char *field, box_error_t *err)
{
  const char *file = v2 ? "io.weight" : v1file;
  cleanup_free char *value = NULL, *bfq = NULL;

  if (v2)
    value = dev ? xasprintf("%s %llu", dev, blkio_weight_v2(w)) : xasprintf("default %llu", blkio_weight_v2(w));
  else
    value = dev ? xasprintf("%s %llu", dev, w) : xasprintf("%llu", w);
  if (d == NULL || write_file(d->path, file, value) == 0)
    return d == NULL ? set_res(d, "blkio", file, value, field, err) : 0;
  if (errno != ENOENT || dev != NULL)
    return set_res(d, "blkio", file, value, field, err);
  /* No CFQ: the weight file is BFQ's (v1 blkio.bfq.weight, v2 io.bfq.weight,
     both on v1's range).  */
  bfq = xasprintf("%llu", w);
  return set_res(d, "blkio", v2 ? "io.bfq.weight" : "blkio.bfq.weight", bfq, field, err);
}

static int
apply_blkio(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  static const char *const v1files[6] = { "blkio.weight_device", "blkio.leaf_weight_device",
                                          "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                                          "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device" };
  static const char *const v2keys[6] = { NULL, NULL, "rbps", "wbps", "riops", "wiops" };
  static const char *const fields[6] = { "blockIO.weightDevice", "blockIO.weightDevice",
                                         "blockIO.throttleReadBpsDevice", "blockIO.throttleWriteBpsDevice",
                                         "blockIO.throttleReadIOPSDevice", "blockIO.throttleWriteIOPSDevice" };
  bool v2, any = r->blkio_weight || r->blkio_leaf_weight;
  const struct box_cgroup_dir_s *d;

  for (int k = 0; k < 6; k++)
    any = any || r->n_blkio_rules[k];
  if (!any)
    return 0;
  d = dir_for(cg, "blkio", &v2);
  if (r->blkio_weight && set_weight(d, "blkio.weight", v2, NULL, r->blkio_weight, "blockIO.weight", err) < 0)
    return -1;
  if (r->blkio_leaf_weight)
    {
      if (v2)
        return res_error(err, "blockIO.leafWeight", "cgroup v2 has no leaf weight");
      if (set_num(d, "blkio", "blkio.leaf_weight", (long long)r->blkio_leaf_weight, false, "blockIO.leafWeight", err) < 0)
        return -1;
    }
  for (int k = 0; k < 6; k++)
    for (size_t i = 0; i < r->n_blkio_rules[k]; i++)
      {
        const struct box_blkio_rule_s *rule = &r->blkio_rules[k][i];
        cleanup_free char *dev = xasprintf("%lld:%lld", rule->major, rule->minor), *value = NULL;

        if (k <= BOX_BLKIO_LEAF_WEIGHT)
          {
            if (v2 && k == BOX_BLKIO_LEAF_WEIGHT)
              return res_error(err, fields[k], "cgroup v2 has no leaf weight");
            if (set_weight(d, v1files[k], v2, dev, rule->value, fields[k], err) < 0)
              return -1;
            continue;
          }
        value = v2 ? xasprintf("%s %s=%llu", dev, v2keys[k], rule->value) : xasprintf("%s %llu", dev, rule->value);
        if (set_res(d, v2 ? "io" : "blkio", v2 ? "io.max" : v1files[k], value, fields[k], err) < 0)
          return -1;
      }
  return 0;
}

/* config-linux.md "Memory": disableOOMKiller, v1 memory.oom_control; cgroup
   v2 has no way to turn the OOM killer off for a cgroup.  */
static int
apply_oom(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  bool v2;
  const struct box_cgroup_dir_s *d = dir_for(cg, "memory", &v2);

  if (!r->disable_oom_killer)
    return 0;
  if (v2)
    return res_error(err, "memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer");
  return set_res(d, "memory", "memory.oom_control", "1", "memory.disableOOMKiller", err);
}

/* true when word is one of the blank-separated words of text
   (cgroup.controllers: "cpu io memory pids\n").  */
static bool
has_word(const char *text, const char *word)
{
  size_t n = strlen(word);
  const char *p = text;

  while ((p = strstr(p, word)))
    {
      if ((p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
        return true;
      p += n;
    }
  return false;
}

/* linux.resources.unified into the v2 directory.  "The runtime MUST
   generate an error when the configuration refers to a cgroup controller
   that is not present" (config-linux.md "Unified"): on a hybrid host the
   controllers are on v1 and the v2 hierarchy has none, so only the
   cgroup.* core files apply there; any other key is an error naming it
   (runc and crun refuse `unified` on such a host outright).  */
static int
apply_unified(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  const struct box_cgroup_dir_s *d = NULL;
  cleanup_free char *avail = NULL;
  box_error_t ignored = NULL;
  size_t i;

  for (i = 0; i < cg->n && r->n_unified; i++)
    if (cg->dirs[i].controllers[0] == '\0')
      d = &cg->dirs[i];
  if (r->n_unified && d == NULL)
    return res_error(err, "unified", "`%s`: this host has no cgroup v2 hierarchy", r->unified_keys[0]);
  if (d)
    {
      cleanup_free char *path = xasprintf("%s/cgroup.controllers", d->path);
      if (box_read_file(path, &avail, NULL, &ignored) < 0)
        box_error_release(&ignored);
    }
  for (i = 0; i < r->n_unified; i++)
    {
      const char *k = r->unified_keys[i];
      cleanup_free char *ctrl = xasprintf("%.*s", (int)strcspn(k, "."), k);
      if (strcmp(ctrl, "cgroup") != 0 && !(avail && has_word(avail, ctrl)))
        return res_error(err, "unified",
                         "`%s`: the %s controller is not on this host's cgroup v2 hierarchy%s", k, ctrl,
                         cg->n > 1 ? " (a hybrid host: the controllers are on v1)" : "");
      if (write_file(d->path, k, r->unified_values[i]) < 0)
        return box_make_error(err, errno, "config.json: `" RES ".unified`: write `%s` to `%s/%s`",
                              r->unified_values[i], d->path, k);
    }
  return 0;
}

const struct box_cgroup_dir_s *
box_cgroup_dir_for(const box_cgroup_t *cg, const char *controller, bool *v2)
{
  return dir_for(cg, controller, v2);
}

int
box_cgroup_apply(const box_cgroup_t *cg, const struct box_resources_s *r, box_error_t *err)
{
  if (r == NULL)
    return 0;
  if (apply_pids(cg, r, err) < 0 || apply_memory_live(cg, r, err) < 0 || apply_cpuset(cg, r, err) < 0
      || apply_cpu(cg, r, err) < 0 || apply_devices(cg, r, err) < 0 || apply_hugepages(cg, r, err) < 0
      || apply_blkio(cg, r, err) < 0 || apply_oom(cg, r, err) < 0 || apply_unified(cg, r, err) < 0)
    return -1;
  return 0;
}

static const char *frozen_dir(const box_cgroup_t *cg);

int
box_cgroup_create(const box_cgroup_host_t *host, const char *cgroups_path, const char *id,
                  const struct box_resources_s *r, box_cgroup_t **out, box_error_t *err)
{
  cleanup_cgroup box_cgroup_t *cg = xcalloc(1, sizeof(*cg));
  box_error_t ignored = NULL;
  size_t i;

  for (i = 0; i < host->n; i++)
    if (add_dir(cg, host, &host->h[i], cgroups_path, id, err) < 0)
      break;
  /* A cgroupsPath that exists frozen would freeze the init on joining
     and `create` with it (runc: "container's cgroup unexpectedly
     frozen").  The spec says only that the runtime joins an existing
     cgroup (config-linux.md "Cgroups path"); box refuses, before any
     process is in it.  */
#ifndef BOX_BROKEN_JOINS_FROZEN_CGROUP
  if (i == host->n && frozen_dir(cg))
    {
      box_make_error(err, 0, "cgroup `%s` is frozen: thaw it or give another linux.cgroupsPath", frozen_dir(cg));
      i = 0;
    }
#endif
  if (i < host->n || box_cgroup_apply(cg, r, err) < 0)
    {
      /* Nothing has joined yet: only our own directories to remove.  */
      if (box_cgroup_destroy(cg, box_now_ms() + 1000, &ignored) < 0)
        box_error_release(&ignored);
      return -1;
    }
  *out = steal_pointer(&cg);
  return 0;
}

int
box_cgroup_enter_some(const box_cgroup_t *cg, pid_t pid, unsigned which, box_error_t *err)
{
  cleanup_free char *value = xasprintf("%d", (int)pid);
  size_t i;

  for (i = 0; i < cg->n; i++)
    {
      unsigned kind = cg->dirs[i].controllers[0] ? BOX_CGROUP_V1 : BOX_CGROUP_V2;
      if ((which & kind) && write_file(cg->dirs[i].path, "cgroup.procs", value) < 0)
        return box_make_error(err, errno, "move process %d into cgroup `%s`", (int)pid, cg->dirs[i].path);
    }
  return 0;
}

int
box_cgroup_enter(const box_cgroup_t *cg, pid_t pid, box_error_t *err)
{
  return box_cgroup_enter_some(cg, pid, BOX_CGROUP_V1 | BOX_CGROUP_V2, err);
}

/* Writing a pid to cgroup.procs takes the kernel's global threadgroup
   rwsem for writing (cgroup_procs_write_start), and its write side waits
   for an RCU grace period: 5 to 20 ms per create on a busy 2-core host.
   A v1 `tasks` write of 0 moves only the caller's own thread and skips
   that lock; for a single-threaded process it is the same move.  */
int
box_cgroup_enter_self_v1(const box_cgroup_t *cg, box_error_t *err)
{
  size_t i;

  for (i = 0; i < cg->n; i++)
    if (cg->dirs[i].controllers[0] && write_file(cg->dirs[i].path, "tasks", "0") < 0)
      return box_make_error(err, errno, "move the container init into cgroup `%s`", cg->dirs[i].path);
  return 0;
}

int
box_cgroup_open_v2(const box_cgroup_t *cg)
{
  size_t i;

  for (i = 0; i < cg->n; i++)
    if (cg->dirs[i].controllers[0] == '\0')
      return open(cg->dirs[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return -1;
}

/* The first of cg's directories that is frozen or freezing (v1
   freezer.state not THAWED, v2 cgroup.freeze 1), or NULL.  */
static const char *
frozen_dir(const box_cgroup_t *cg)
{
  size_t i;

  for (i = 0; cg && i < cg->n; i++)
    {
      const struct box_cgroup_dir_s *d = &cg->dirs[i];
      bool v2 = d->controllers[0] == '\0';
      cleanup_free char *path = NULL, *text = NULL;
      box_error_t ignored = NULL;

      if (!v2 && !box_cgroup_has_token(d->controllers, "freezer"))
        continue;
      path = xasprintf("%s/%s", d->path, v2 ? "cgroup.freeze" : "freezer.state");
      if (box_read_file(path, &text, NULL, &ignored) < 0)
        {
          box_error_release(&ignored);
          continue;
        }
      if (v2 ? text[0] == '1' : strncmp(text, "THAWED", 6) != 0)
        return d->path;
    }
  return NULL;
}

bool
box_cgroup_freezing(const box_cgroup_t *cg)
{
  return frozen_dir(cg) != NULL;
}

/* ---- signalling and removal ---- */

/* Append the pids in dir/cgroup.procs and, depth-first, in its
   sub-cgroups to *pids (a cgroup that vanished meanwhile adds none).  */
static void
collect_tree(const char *dir, pid_t **pids, size_t *n)
{
  cleanup_free char *path = xasprintf("%s/cgroup.procs", dir);
  cleanup_file FILE *f = fopen(path, "re");
  cleanup_dir DIR *dp = opendir(dir);
  struct dirent *de;
  int pid;

  while (f && fscanf(f, "%d", &pid) == 1)
    {
      *pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
      (*pids)[(*n)++] = (pid_t)pid;
    }
  while (dp && (de = readdir(dp)) != NULL)
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      sub = xasprintf("%s/%s", dir, de->d_name);
      collect_tree(sub, pids, n);
    }
}

static int
compare_pids(const void *a, const void *b)
{
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

  return (x > y) - (x < y);
}

/* pidfds held open at once while signalling (well under RLIMIT_NOFILE).  */
#define SIGNAL_BATCH 256

/* Signal n pids read from dir's tree.  Each pid is opened as a pidfd
   first; then the tree is read again.  A pid number belongs to one live
   process at a time, so a pidfd whose number is listed again, after it
   was opened, refers to a process in the container's cgroup now, not to
   a recycled pid; one whose process has gone meanwhile fails to signal
   (ESRCH) and is not counted.  One more read of cgroup.procs per batch,
   where reading /proc/PID/cgroup for each pid cost ~0.15 ms a process.
   Returns how many were signalled.  */
static int
signal_batch(const char *dir, const pid_t *pids, size_t n, int sig)
{
  int fds[SIGNAL_BATCH];
  cleanup_free pid_t *now = NULL;
  size_t n_now = 0, i;
  int signalled = 0;

  for (i = 0; i < n; i++)
    fds[i] = (int)syscall(SYS_pidfd_open, pids[i], 0);
  collect_tree(dir, &now, &n_now);
  if (n_now > 1)
    qsort(now, n_now, sizeof(*now), compare_pids);
  for (i = 0; i < n; i++)
    {
      if (fds[i] < 0)
        continue;
      if (n_now && bsearch(&pids[i], now, n_now, sizeof(*now), compare_pids)
          && syscall(SYS_pidfd_send_signal, fds[i], sig, NULL, 0) == 0)
        signalled++;
      close(fds[i]);
    }
  return signalled;
}

/* Signal every process in dir and, depth-first, its sub-cgroups.  */
static int
signal_tree(const char *dir, int sig)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = 0, i;
  int signalled = 0;

  collect_tree(dir, &pids, &n);
  for (i = 0; i < n; i += SIGNAL_BATCH)
    signalled += signal_batch(dir, pids + i, n - i < SIGNAL_BATCH ? n - i : SIGNAL_BATCH, sig);
  return signalled;
}

/* The hierarchy that sees every process of the container: on v1 the
   pids or freezer one (runc's choice), else whichever is there.  */
static const struct box_cgroup_dir_s *
procs_dir(const box_cgroup_t *cg)
{
  size_t i;

  for (i = 0; i < cg->n; i++)
    if (box_cgroup_has_token(cg->dirs[i].controllers, "pids"))
      return &cg->dirs[i];
  for (i = 0; i < cg->n; i++)
    if (box_cgroup_has_token(cg->dirs[i].controllers, "freezer") || cg->dirs[i].controllers[0] == '\0')
      return &cg->dirs[i];
  return cg->n ? &cg->dirs[0] : NULL;
}

int
box_cgroup_signal_all(const box_cgroup_t *cg, int sig, box_error_t *err)
{
  const struct box_cgroup_dir_s *d = procs_dir(cg);

  if (d == NULL)
    return box_make_error(err, 0, "the container has no cgroup to find its processes in");
  return signal_tree(d->path, sig);
}

int
box_cgroup_pids(const box_cgroup_t *cg, pid_t **pids, size_t *n, box_error_t *err)
{
  const struct box_cgroup_dir_s *d = procs_dir(cg);

  *pids = NULL;
  *n = 0;
  if (d == NULL)
    return box_make_error(err, 0, "the container has no cgroup to find its processes in");
  collect_tree(d->path, pids, n);
  return 0;
}

/* rmdir dir after its sub-cgroups, depth-first.  Returns 0 when gone,
   1 while a process still holds one (EBUSY), -1 on another error.  */
static int
rmdir_tree(const char *dir, box_error_t *err)
{
  cleanup_dir DIR *dp = opendir(dir);
  struct dirent *de;
  int r;

  while (dp && (de = readdir(dp)) != NULL)
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      sub = xasprintf("%s/%s", dir, de->d_name);
      if ((r = rmdir_tree(sub, err)) != 0)
        return r;
    }
  if (rmdir(dir) == 0 || errno == ENOENT)
    return 0;
  if (errno == EBUSY)
    return 1;
  return box_make_error(err, errno, "remove cgroup `%s`", dir);
}

/* Remove what create made in one hierarchy: the container's cgroup with
   everything below it, then the parents it had to make, unless another
   container uses them now (ENOTEMPTY, EBUSY: theirs to remove).  */
static int
remove_dir(const struct box_cgroup_dir_s *d, box_error_t *err)
{
  size_t i;
  int r;

  if (d->n_created == 0)
    return 0;
  if (strcmp(d->created[d->n_created - 1], d->path) == 0 && (r = rmdir_tree(d->path, err)) != 0)
    return r;
  for (i = d->n_created; i-- > 0;)
    if (rmdir(d->created[i]) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
      return box_make_error(err, errno, "remove cgroup `%s`", d->created[i]);
  return 0;
}

/* One pass: kill what is left, try to remove.  0 done, 1 busy, -1 error.  */
static int
destroy_pass(const box_cgroup_t *cg, const char **busy, box_error_t *err)
{
  size_t i;
  int r, any = 0;

  for (i = 0; i < cg->n; i++)
    signal_tree(cg->dirs[i].path, SIGKILL);
  /* A frozen process does not die of SIGKILL until thawed (a paused
     container deleted with --force).  */
  box_cgroup_thaw_quiet(cg);
  for (i = 0; i < cg->n; i++)
    {
      r = remove_dir(&cg->dirs[i], err);
      if (r < 0)
        return -1;
      if (r > 0)
        any = 1, *busy = cg->dirs[i].path;
    }
  return any;
}

/* The common case first: a cgroup with no process and no sub-cgroup left
   goes with one rmdir, without reading cgroup.procs and listing the
   directory in every hierarchy.  Returns 0 when everything went; 1 when
   something is busy or failed: the kill-and-poll passes then deal with
   it (and with what is already gone, as ENOENT).  */
static int
destroy_empty(const box_cgroup_t *cg)
{
  int left = 0;
  size_t i, j;

  for (i = 0; i < cg->n; i++)
    {
      const struct box_cgroup_dir_s *d = &cg->dirs[i];
      bool own = d->n_created > 0 && strcmp(d->created[d->n_created - 1], d->path) == 0;

      if (own && rmdir(d->path) < 0 && errno != ENOENT)
        {
          left = 1;
          continue;
        }
      for (j = own ? d->n_created - 1 : d->n_created; j-- > 0;)
        if (rmdir(d->created[j]) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
          left = 1;
    }
  return left;
}

int
box_cgroup_destroy(const box_cgroup_t *cg, long long deadline_ms, box_error_t *err)
{
  const char *busy = NULL;
  int r;

  if (destroy_empty(cg) == 0)
    return 0;

  /* A killed process leaves its cgroup only once it has exited and been
     reaped, which its parent does in its own time: poll until then.  */
  while ((r = destroy_pass(cg, &busy, err)) > 0)
    {
      if (box_now_ms() >= deadline_ms)
        return box_make_error(err, EBUSY, "remove cgroup `%s`: processes still in it", busy);
      poll(NULL, 0, POLL_INTERVAL_MS);
    }
  return r;
}

/* ---- the record in state.json ---- */

json_t *
box_cgroup_to_json(const box_cgroup_t *cg)
{
  json_t *a = json_array();
  size_t i, j;

  for (i = 0; i < cg->n; i++)
    {
      const struct box_cgroup_dir_s *d = &cg->dirs[i];
      json_t *created = json_array();
      for (j = 0; j < d->n_created; j++)
        json_array_append_new(created, json_string(d->created[j]));
      json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}", "controllers", d->controllers, "cgroup",
                                         d->cgroup, "path", d->path, "created", created));
    }
  return a;
}

static int
dir_from_json(json_t *o, struct box_cgroup_dir_s *d)
{
  const char *controllers, *cgroup, *path;
  json_t *created, *c;
  size_t i;

  if (json_unpack(o, "{s:s, s:s, s:s, s:o}", "controllers", &controllers, "cgroup", &cgroup, "path", &path,
                  "created", &created)
          < 0
      || !json_is_array(created))
    return -1;
  d->controllers = xstrdup(controllers);
  d->cgroup = xstrdup(cgroup);
  d->path = xstrdup(path);
  d->created = xcalloc(json_array_size(created), sizeof(char *));
  json_array_foreach(created, i, c)
  {
    if (!json_is_string(c))
      return -1;
    d->created[d->n_created++] = xstrdup(json_string_value(c));
  }
  return 0;
}

int
box_cgroup_from_json(json_t *j, box_cgroup_t **out, box_error_t *err)
{
  cleanup_cgroup box_cgroup_t *cg = xcalloc(1, sizeof(*cg));
  json_t *o;
  size_t i;

  if (!json_is_array(j))
    return box_make_error(err, 0, "state: `cgroups` must be an array");
  cg->dirs = xcalloc(json_array_size(j), sizeof(*cg->dirs));
  json_array_foreach(j, i, o)
  {
    cg->n = i + 1;
    if (dir_from_json(o, &cg->dirs[i]) < 0)
      return box_make_error(err, 0, "state: `cgroups[%zu]` is invalid", i);
  }
  *out = steal_pointer(&cg);
  return 0;
}
