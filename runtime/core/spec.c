#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "spec.h"
#include "utils.h"

/* Every validation error names the JSON field it is about.  */
#define cfg_error(err, field, fmt, ...)                                                                      \
  box_make_error(err, 0, "config.json: `%s`: " fmt, field, ##__VA_ARGS__)

/* Optional string member: *out stays NULL when absent.  */
static int
get_string(json_t *obj, const char *key, const char *field, bool required, char **out, box_error_t *err)
{
  json_t *v = json_object_get(obj, key);

  if (v == NULL)
    return required ? cfg_error(err, field, "required") : 0;
  if (!json_is_string(v))
    return cfg_error(err, field, "must be a string");
  *out = xstrdup(json_string_value(v));
  return 0;
}

/* Array of strings into a NULL-terminated vector.  */
static int
get_string_array(json_t *v, const char *field, char ***out, size_t *n, box_error_t *err)
{
  size_t i;
  json_t *e;
  char **vec;

  if (!json_is_array(v))
    return cfg_error(err, field, "must be an array of strings");
  json_array_foreach(v, i, e) if (!json_is_string(e)) return cfg_error(err, field,
                                                                       "must be an array of strings");
  vec = xcalloc(json_array_size(v) + 1, sizeof(char *));
  json_array_foreach(v, i, e) vec[i] = xstrdup(json_string_value(e));
  *out = vec;
  *n = json_array_size(v);
  return 0;
}

static int
get_id(json_t *obj, const char *key, const char *field, unsigned *out, box_error_t *err)
{
  json_t *v = json_object_get(obj, key);

  if (v == NULL)
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= 0xffffffffLL)
    return cfg_error(err, field, "must be a non-negative integer");
  *out = (unsigned)json_integer_value(v);
  return 0;
}

static int
parse_user(json_t *user, struct box_process_s *p, box_error_t *err)
{
  json_t *gids, *e, *umask_v;
  size_t i;
  unsigned v;

  if (user == NULL)
    return 0;
  if (!json_is_object(user))
    return cfg_error(err, "process.user", "must be an object");
  v = 0;
  if (get_id(user, "uid", "process.user.uid", &v, err) < 0)
    return -1;
  p->uid = v;
  v = 0;
  if (get_id(user, "gid", "process.user.gid", &v, err) < 0)
    return -1;
  p->gid = v;
  umask_v = json_object_get(user, "umask");
  if (umask_v)
    {
      if (!json_is_integer(umask_v) || json_integer_value(umask_v) < 0 || json_integer_value(umask_v) > 0777)
        return cfg_error(err, "process.user.umask", "must be an integer between 0 and 0777");
      p->has_umask = true;
      p->umask = (mode_t)json_integer_value(umask_v);
    }
  gids = json_object_get(user, "additionalGids");
  if (gids == NULL)
    return 0;
  if (!json_is_array(gids))
    return cfg_error(err, "process.user.additionalGids", "must be an array of integers");
  p->additional_gids = xcalloc(json_array_size(gids), sizeof(gid_t));
  json_array_foreach(gids, i, e)
  {
    if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) >= 0xffffffffLL)
      return cfg_error(err, "process.user.additionalGids", "must be an array of integers");
    p->additional_gids[i] = (gid_t)json_integer_value(e);
  }
  p->n_additional_gids = json_array_size(gids);
  return 0;
}

static int
parse_env(json_t *env, struct box_process_s *p, box_error_t *err)
{
  size_t i;

  if (env == NULL)
    {
      p->env = xcalloc(1, sizeof(char *));
      return 0;
    }
  if (get_string_array(env, "process.env", &p->env, &p->n_env, err) < 0)
    return -1;
  for (i = 0; i < p->n_env; i++)
    if (strchr(p->env[i], '=') == NULL || p->env[i][0] == '=')
      return cfg_error(err, "process.env", "entry `%s` is not of the form KEY=VALUE", p->env[i]);
  return 0;
}

/* config.md "Process": consoleSize {height, width}, both uint, REQUIRED
   inside the object.  Applied only with a terminal.  */
static int
parse_console_size(json_t *size, struct box_process_s *p, box_error_t *err)
{
  static const char *const keys[] = { "height", "width" };
  unsigned short *dest[] = { &p->console_height, &p->console_width };
  size_t i;

  if (size == NULL)
    return 0;
  if (!json_is_object(size))
    return cfg_error(err, "process.consoleSize", "must be an object");
  for (i = 0; i < 2; i++)
    {
      json_t *v = json_object_get(size, keys[i]);
      if (v == NULL || !json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffff)
        return box_make_error(
            err, 0, "config.json: `process.consoleSize.%s`: must be an integer from 0 to 65535", keys[i]);
      *dest[i] = (unsigned short)json_integer_value(v);
    }
  p->has_console_size = true;
  return 0;
}

static int
parse_process(json_t *proc, box_config_t *c, box_error_t *err)
{
  struct box_process_s *p;
  json_t *args, *term;

  if (proc == NULL)
    return 0;
  if (!json_is_object(proc))
    return cfg_error(err, "process", "must be an object");
  p = c->process = xcalloc(1, sizeof(*p));

  term = json_object_get(proc, "terminal");
  if (term && !json_is_boolean(term))
    return cfg_error(err, "process.terminal", "must be a boolean");
  p->terminal = json_is_true(term);
  if (parse_console_size(json_object_get(proc, "consoleSize"), p, err) < 0)
    return -1;

  args = json_object_get(proc, "args");
  if (args == NULL || !json_is_array(args) || json_array_size(args) == 0
      || get_string_array(args, "process.args", &p->args, &p->n_args, err) < 0)
    return box_error_release(err), cfg_error(err, "process.args", "must be a non-empty array of strings");
  if (p->args[0][0] == '\0')
    return cfg_error(err, "process.args", "the executable (first element) must not be empty");

  if (parse_env(json_object_get(proc, "env"), p, err) < 0)
    return -1;
  if (get_string(proc, "cwd", "process.cwd", true, &p->cwd, err) < 0)
    return -1;
  if (p->cwd[0] != '/')
    return cfg_error(err, "process.cwd", "must be an absolute path, got `%s`", p->cwd);
  if (parse_user(json_object_get(proc, "user"), p, err) < 0)
    return -1;
  return 0;
}

static int
parse_version(json_t *doc, box_config_t *c, box_error_t *err)
{
  char *end;
  unsigned long major;

  if (get_string(doc, "ociVersion", "ociVersion", true, &c->oci_version, err) < 0)
    return -1;
  errno = 0;
  major = strtoul(c->oci_version, &end, 10);
  if (end == c->oci_version || errno || (*end != '.' && *end != '\0'))
    return cfg_error(err, "ociVersion", "invalid version `%s`", c->oci_version);
  if (major != 1)
    return cfg_error(err, "ociVersion", "unsupported version `%s`, want 1.x", c->oci_version);
  return 0;
}

static int
parse_root(json_t *root, box_config_t *c, box_error_t *err)
{
  json_t *ro;

  if (root == NULL)
    return cfg_error(err, "root", "required");
  if (!json_is_object(root))
    return cfg_error(err, "root", "must be an object");
  if (get_string(root, "path", "root.path", true, &c->root_path, err) < 0)
    return -1;
  if (c->root_path[0] == '\0')
    return cfg_error(err, "root.path", "must not be empty");
  ro = json_object_get(root, "readonly");
  if (ro && !json_is_boolean(ro))
    return cfg_error(err, "root.readonly", "must be a boolean");
  c->root_readonly = json_is_true(ro);
  return 0;
}

static int
parse_mount(json_t *m, size_t i, struct box_mount_s *out, box_error_t *err)
{
  cleanup_free char *field = NULL;
  json_t *opts;

  out->source_fd = -1;
  if (!json_is_object(m))
    return cfg_error(err, (field = xasprintf("mounts[%zu]", i)), "must be an object");
  free(field), field = xasprintf("mounts[%zu].destination", i);
  if (get_string(m, "destination", field, true, &out->destination, err) < 0)
    return -1;
  if (out->destination[0] != '/')
    return cfg_error(err, field, "must be an absolute path, got `%s`", out->destination);
  free(field), field = xasprintf("mounts[%zu].type", i);
  if (get_string(m, "type", field, false, &out->type, err) < 0)
    return -1;
  free(field), field = xasprintf("mounts[%zu].source", i);
  if (get_string(m, "source", field, false, &out->source, err) < 0)
    return -1;
  /* config.md "Mounts" (1.1): idmapped mounts.  An empty list asks for
     nothing; any mapping is refused rather than ignored.  */
  static const char *const idmap_keys[] = { "uidMappings", "gidMappings" };
  for (size_t k = 0; k < sizeof(idmap_keys) / sizeof(idmap_keys[0]); k++)
    {
      json_t *v = json_object_get(m, idmap_keys[k]);
      if (v == NULL || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
        continue;
      free(field), field = xasprintf("mounts[%zu].%s", i, idmap_keys[k]);
      return cfg_error(err, field, "idmapped mounts are not supported by box");
    }
  free(field), field = xasprintf("mounts[%zu].options", i);
  opts = json_object_get(m, "options");
  if (opts)
    return get_string_array(opts, field, &out->options, &out->n_options, err);
  out->options = xcalloc(1, sizeof(char *));
  return 0;
}

static int
parse_mounts(json_t *mounts, box_config_t *c, box_error_t *err)
{
  json_t *m;
  size_t i;

  if (mounts == NULL)
    return 0;
  if (!json_is_array(mounts))
    return cfg_error(err, "mounts", "must be an array");
  c->mounts = xcalloc(json_array_size(mounts), sizeof(*c->mounts));
  json_array_foreach(mounts, i, m)
  {
    c->n_mounts = i + 1;
    if (parse_mount(m, i, &c->mounts[i], err) < 0)
      return -1;
  }
  return 0;
}

static int
namespace_flag(const char *type)
{
  static const struct
  {
    const char *name;
    int flag;
  } table[] = { { "pid", CLONE_NEWPID },      { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
                { "ipc", CLONE_NEWIPC },      { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
                { "cgroup", CLONE_NEWCGROUP } };
  size_t i;

  for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    if (strcmp(table[i].name, type) == 0)
      return table[i].flag;
  return 0;
}

static int
parse_namespace(json_t *ns, size_t i, box_config_t *c, box_error_t *err)
{
  cleanup_free char *field = xasprintf("linux.namespaces[%zu]", i);
  cleanup_free char *type = NULL;
  int flag;

  if (!json_is_object(ns))
    return cfg_error(err, field, "must be an object");
  free(field), field = xasprintf("linux.namespaces[%zu].type", i);
  if (get_string(ns, "type", field, true, &type, err) < 0)
    return -1;
  flag = namespace_flag(type);
  if (flag == 0)
    return cfg_error(err, field, "unknown namespace type `%s`", type);
  if ((c->clone_flags | c->join_flags) & flag)
    return cfg_error(err, field, "duplicate `%s` namespace", type);
  if (json_object_get(ns, "path"))
    {
      free(field), field = xasprintf("linux.namespaces[%zu].path", i);
      return box_ns_join_parse(json_object_get(ns, "path"), flag, field, c, err);
    }
  c->clone_flags |= flag;
  return 0;
}

/* config-linux.md "Cgroups Path" (a string, absolute or relative) and
   "Control groups" (linux.resources, parsed and checked by cgroup.c).  */
static int
parse_cgroups(json_t *linux_obj, box_config_t *c, box_error_t *err)
{
  if (get_string(linux_obj, "cgroupsPath", "linux.cgroupsPath", false, &c->cgroups_path, err) < 0)
    return -1;
  if (c->cgroups_path && c->cgroups_path[0] == '\0')
    return cfg_error(err, "linux.cgroupsPath", "must not be empty");
  return box_resources_parse(json_object_get(linux_obj, "resources"), &c->resources, err);
}

static int
parse_linux(json_t *linux_obj, box_config_t *c, box_error_t *err)
{
  json_t *nss, *ns;
  size_t i;

  if (linux_obj && !json_is_object(linux_obj))
    return cfg_error(err, "linux", "must be an object");
  nss = json_object_get(linux_obj, "namespaces");
  if (nss && !json_is_array(nss))
    return cfg_error(err, "linux.namespaces", "must be an array");
  json_array_foreach(nss, i, ns) if (parse_namespace(ns, i, c, err) < 0) return -1;
  /* pivot_root and every mount happen in the container's own mount
     namespace; without one they would change the host.  */
  if (!(c->clone_flags & CLONE_NEWNS))
    return cfg_error(err, "linux.namespaces", "a new `mount` namespace is required");
  if (c->hostname && !((c->clone_flags | c->join_flags) & CLONE_NEWUTS))
    return cfg_error(err, "hostname", "setting the hostname requires a new `uts` namespace");
  if (parse_cgroups(linux_obj, c, err) < 0)
    return -1;
  return 0;
}

static int
parse_annotations(json_t *ann, box_config_t *c, box_error_t *err)
{
  const char *key;
  json_t *v;

  if (ann == NULL)
    return 0;
  if (!json_is_object(ann))
    return cfg_error(err, "annotations", "must be an object of strings");
  json_object_foreach(ann, key, v) if (!json_is_string(v)) return cfg_error(
      err, "annotations", "value of `%s` must be a string", key);
  c->annotations = json_incref(ann);
  return 0;
}

static const char *const hook_kind_names[BOX_HOOK_KINDS]
    = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };

const char *
box_hook_kind_name(enum box_hook_kind_e kind)
{
  return kind < BOX_HOOK_KINDS ? hook_kind_names[kind] : "unknown";
}

static bool
is_hook_kind(const char *key)
{
  size_t k;
  for (k = 0; k < BOX_HOOK_KINDS; k++)
    if (strcmp(key, hook_kind_names[k]) == 0)
      return true;
  return false;
}

/* config.md "POSIX-platform Hooks": path (REQUIRED, absolute), args and
   env (OPTIONAL arrays of strings), timeout (OPTIONAL, MUST be > 0).  */
static int
parse_hook(json_t *h, const char *field, struct box_hook_s *out, box_error_t *err)
{
  cleanup_free char *f = NULL;
  json_t *v;

  if (!json_is_object(h))
    return cfg_error(err, field, "must be an object");
  f = xasprintf("%s.path", field);
  if (get_string(h, "path", f, true, &out->path, err) < 0)
    return -1;
  if (out->path[0] != '/')
    return cfg_error(err, f, "must be an absolute path, got `%s`", out->path);
  free(f), f = xasprintf("%s.args", field);
  v = json_object_get(h, "args");
  if (v && get_string_array(v, f, &out->args, &out->n_args, err) < 0)
    return -1;
  free(f), f = xasprintf("%s.env", field);
  v = json_object_get(h, "env");
  if (v && get_string_array(v, f, &out->env, &out->n_env, err) < 0)
    return -1;
  free(f), f = xasprintf("%s.timeout", field);
  v = json_object_get(h, "timeout");
  if (v && (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > 0x7fffffff))
    return cfg_error(err, f, "must be a positive integer (seconds)");
  out->timeout = v ? (int)json_integer_value(v) : 0;
  return 0;
}

static int
parse_hooks(json_t *hooks, box_config_t *c, box_error_t *err)
{
  const char *key;
  json_t *v, *h;
  size_t k, i;

  if (hooks == NULL)
    return 0;
  if (!json_is_object(hooks))
    return cfg_error(err, "hooks", "must be an object");
  for (k = 0; k < BOX_HOOK_KINDS; k++)
    {
      cleanup_free char *field = xasprintf("hooks.%s", hook_kind_names[k]);
      struct box_hook_list_s *l = &c->hooks[k];

      v = json_object_get(hooks, hook_kind_names[k]);
      if (v == NULL)
        continue;
      if (!json_is_array(v))
        return cfg_error(err, field, "must be an array");
      l->hooks = xcalloc(json_array_size(v), sizeof(*l->hooks));
      json_array_foreach(v, i, h)
      {
        cleanup_free char *f = xasprintf("%s[%zu]", field, i);
        l->n = i + 1;
        if (parse_hook(h, f, &l->hooks[i], err) < 0)
          return -1;
      }
    }
  /* Like runc, a hook kind this version does not know is ignored.  */
  json_object_foreach(hooks, key, v) if (!is_hook_kind(key))
      box_log_debug("config.json: `hooks.%s`: unknown hook kind, ignored", key);
  return 0;
}

static int
parse_document(json_t *doc, box_config_t *c, box_error_t *err)
{
  if (!json_is_object(doc))
    return box_make_error(err, 0, "config.json: the document must be a JSON object");
  if (parse_version(doc, c, err) < 0 || parse_root(json_object_get(doc, "root"), c, err) < 0
      || parse_process(json_object_get(doc, "process"), c, err) < 0
      || get_string(doc, "hostname", "hostname", false, &c->hostname, err) < 0
      || parse_mounts(json_object_get(doc, "mounts"), c, err) < 0
      || parse_linux(json_object_get(doc, "linux"), c, err) < 0
      || box_security_parse(doc, c->clone_flags | c->join_flags, &c->security, err) < 0
      || parse_annotations(json_object_get(doc, "annotations"), c, err) < 0
      || parse_hooks(json_object_get(doc, "hooks"), c, err) < 0)
    return -1;
  return 0;
}

int
box_config_parse(const char *data, size_t len, box_config_t **out, box_error_t *err)
{
  cleanup_config box_config_t *c = xcalloc(1, sizeof(*c));
  json_error_t jerr;
  json_t *doc;
  int r;

  doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (doc == NULL)
    return box_make_error(err, 0, "config.json: invalid JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
  r = parse_document(doc, c, err);
  json_decref(doc);
  if (r < 0)
    return -1;
  *out = steal_pointer(&c);
  return 0;
}

int
box_config_load(const char *path, box_config_t **out, box_error_t *err)
{
  cleanup_free char *data = NULL;
  size_t len;

  if (box_read_file(path, &data, &len, err) < 0)
    return box_error_wrap(err, "config.json");
  return box_config_parse(data, len, out, err);
}

static void
free_strv(char **v)
{
  size_t i;
  for (i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

static void
free_hooks(struct box_hook_list_s *l)
{
  size_t i;
  for (i = 0; i < l->n; i++)
    {
      free(l->hooks[i].path);
      free_strv(l->hooks[i].args);
      free_strv(l->hooks[i].env);
    }
  free(l->hooks);
}

void
box_config_free(box_config_t *c)
{
  size_t i;

  if (c == NULL)
    return;
  free(c->oci_version);
  free(c->root_path);
  free(c->hostname);
  if (c->process)
    {
      free_strv(c->process->args);
      free_strv(c->process->env);
      free(c->process->cwd);
      free(c->process->additional_gids);
      free(c->process);
    }
  for (i = 0; i < c->n_mounts; i++)
    {
      free(c->mounts[i].destination);
      free(c->mounts[i].type);
      free(c->mounts[i].source);
      free_strv(c->mounts[i].options);
    }
  free(c->mounts);
  for (i = 0; i < BOX_HOOK_KINDS; i++)
    free_hooks(&c->hooks[i]);
  json_decref(c->annotations);
  free(c->cgroups_path);
  box_resources_free(c->resources);
  box_security_free(c->security);
  for (i = 0; i < c->n_ns_joins; i++)
    free(c->ns_joins[i].path);
  free(c);
}

void
cleanup_configp(box_config_t **config)
{
  box_config_free(*config);
}

/* What `runc spec` (1.1) writes, field for field but the hostname:
   terminal true (`run` by hand gets box's own pty), root.readonly true, and
   linux.resources.devices a deny-all rule (the default devices are
   allowed on top of it, config-linux.md "Allowed Device List").  Scripts
   built on `runc spec` edit exactly these.  The spec itself says nothing
   of a default config.  */
static const char default_spec[]
    = "{\n"
      "  \"ociVersion\": \"" BOX_OCI_VERSION "\",\n"
      "  \"process\": {\n"
      "    \"terminal\": true,\n"
      "    \"user\": {\n"
      "      \"uid\": 0,\n"
      "      \"gid\": 0\n"
      "    },\n"
      "    \"args\": [\n"
      "      \"sh\"\n"
      "    ],\n"
      "    \"env\": [\n"
      "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
      "      \"TERM=xterm\"\n"
      "    ],\n"
      "    \"cwd\": \"/\",\n"
      "    \"capabilities\": {\n"
      "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
      "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
      "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
      "      \"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
      "    },\n"
      "    \"rlimits\": [\n"
      "      {\n"
      "        \"type\": \"RLIMIT_NOFILE\",\n"
      "        \"hard\": 1024,\n"
      "        \"soft\": 1024\n"
      "      }\n"
      "    ],\n"
      "    \"noNewPrivileges\": true\n"
      "  },\n"
      "  \"root\": {\n"
      "    \"path\": \"rootfs\",\n"
      "    \"readonly\": true\n"
      "  },\n"
      "  \"hostname\": \"box\",\n"
      "  \"mounts\": [\n"
      "    {\n"
      "      \"destination\": \"/proc\",\n"
      "      \"type\": \"proc\",\n"
      "      \"source\": \"proc\"\n"
      "    },\n"
      "    {\n"
      "      \"destination\": \"/dev\",\n"
      "      \"type\": \"tmpfs\",\n"
      "      \"source\": \"tmpfs\",\n"
      "      \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]\n"
      "    },\n"
      "    {\n"
      "      \"destination\": \"/dev/pts\",\n"
      "      \"type\": \"devpts\",\n"
      "      \"source\": \"devpts\",\n"
      "      \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
      "\"mode=0620\", \"gid=5\"]\n"
      "    },\n"
      "    {\n"
      "      \"destination\": \"/dev/shm\",\n"
      "      \"type\": \"tmpfs\",\n"
      "      \"source\": \"shm\",\n"
      "      \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]\n"
      "    },\n"
      "    {\n"
      "      \"destination\": \"/dev/mqueue\",\n"
      "      \"type\": \"mqueue\",\n"
      "      \"source\": \"mqueue\",\n"
      "      \"options\": [\"nosuid\", \"noexec\", \"nodev\"]\n"
      "    },\n"
      "    {\n"
      "      \"destination\": \"/sys\",\n"
      "      \"type\": \"sysfs\",\n"
      "      \"source\": \"sysfs\",\n"
      "      \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]\n"
      "    },\n"
      "    {\n"
      "      \"destination\": \"/sys/fs/cgroup\",\n"
      "      \"type\": \"cgroup\",\n"
      "      \"source\": \"cgroup\",\n"
      "      \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]\n"
      "    }\n"
      "  ],\n"
      "  \"linux\": {\n"
      "    \"resources\": {\n"
      "      \"devices\": [\n"
      "        { \"allow\": false, \"access\": \"rwm\" }\n"
      "      ]\n"
      "    },\n"
      "    \"namespaces\": [\n"
      "      { \"type\": \"pid\" },\n"
      "      { \"type\": \"network\" },\n"
      "      { \"type\": \"ipc\" },\n"
      "      { \"type\": \"uts\" },\n"
      "      { \"type\": \"mount\" }\n"
      "    ],\n"
      "    \"maskedPaths\": [\n"
      "      \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
      "\"/proc/latency_stats\",\n"
      "      \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", "
      "\"/sys/firmware\", \"/proc/scsi\"\n"
      "    ],\n"
      "    \"readonlyPaths\": [\n"
      "      \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
      "\"/proc/sysrq-trigger\"\n"
      "    ]\n"
      "  }\n"
      "}\n";

char *
box_default_spec(void)
{
  return xstrdup(default_spec);
}

/* `runc spec --rootless` (libcontainer/specconv ToRootless): the default
   without a network namespace (the host's, which a user namespace may
   not configure), with a user namespace mapping the caller to root,
   devpts without gid= (group 5 is not mapped), /sys bound from the host
   (sysfs may be mounted only by the owner of the network namespace), no
   linux.resources.  */
char *
box_rootless_spec(unsigned uid, unsigned gid)
{
  json_error_t jerr;
  json_t *doc = json_loads(default_spec, 0, &jerr), *linux_obj, *ns, *m, *v;
  json_t *opts;
  size_t i, j;
  char *out;

  if (!doc)
    abort();
  linux_obj = json_object_get(doc, "linux");
  ns = json_array();
  json_array_foreach(json_object_get(linux_obj, "namespaces"), i, v)
  {
    if (strcmp(json_string_value(json_object_get(v, "type")), "network") != 0)
      json_array_append(ns, v);
  }
  json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
  json_object_set_new(linux_obj, "namespaces", ns);
  json_object_set_new(linux_obj, "uidMappings",
                      json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID", (json_int_t)uid, "size", 1));
  json_object_set_new(linux_obj, "gidMappings",
                      json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID", (json_int_t)gid, "size", 1));
  json_object_del(linux_obj, "resources");
  json_array_foreach(json_object_get(doc, "mounts"), i, m)
  {
    const char *type = json_string_value(json_object_get(m, "type"));
    if (type && strcmp(type, "sysfs") == 0)
      {
        json_object_set_new(m, "type", json_string("none"));
        json_object_set_new(m, "source", json_string("/sys"));
        json_object_set_new(m, "options", json_pack("[s,s,s,s,s]", "rbind", "nosuid", "noexec", "nodev", "ro"));
        continue;
      }
    opts = json_array();
    json_array_foreach(json_object_get(m, "options"), j, v)
    {
      if (strncmp(json_string_value(v), "gid=", 4) != 0)
        json_array_append(opts, v);
    }
    if (json_object_get(m, "options"))
      json_object_set(m, "options", opts);
    json_decref(opts);
  }
  out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  if (!out)
    abort();
  {
    char *nl = xasprintf("%s\n", out);
    free(out);
    return nl;
  }
}
