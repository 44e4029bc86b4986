/* The process's security context (runtime-spec config.md "Process",
   config-linux.md "Sysctl"): capabilities, rlimits, noNewPrivileges,
   oomScoreAdj, domainname, sysctl.  Parsing with errors naming the field,
   and the init's side, applied in runc's order (linux.c decides where).  */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "security.h"
#include "utils.h"

#define cfg_error(err, field, fmt, ...)                                                                      \
  box_make_error(err, 0, "config.json: `%s`: " fmt, field, ##__VA_ARGS__)
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#include "cap_names.h"
#include "rlimit_names.h"

int
box_cap_count(void)
{
  return (int)N_ELEMS(cap_names);
}

const char *
box_cap_name(int cap)
{
  return cap >= 0 && cap < box_cap_count() ? cap_names[cap] : NULL;
}

int
box_cap_from_name(const char *name)
{
  int i;
  for (i = 0; i < box_cap_count(); i++)
    if (strcmp(cap_names[i], name) == 0)
      return i;
  return -1;
}

int
box_caps_parse(json_t *list, const char *field, uint64_t *mask, box_error_t *err)
{
  json_t *e;
  size_t i;
  int cap;

  *mask = 0;
  if (list == NULL)
    return 0;
  if (!json_is_array(list))
    return cfg_error(err, field, "must be an array of capability names");
  json_array_foreach(list, i, e)
  {
    if (!json_is_string(e))
      return cfg_error(err, field, "must be an array of capability names");
    cap = box_cap_from_name(json_string_value(e));
    /* A name this kernel does not have (a newer capability, or a typo): runc
       and crun go on without it, with a warning, and engines rely on that
       when their default sets name capabilities an older kernel lacks.  */
    if (cap < 0)
      {
        box_log_warning("`%s`: ignoring unknown capability `%s`", field, json_string_value(e));
        continue;
      }
    *mask |= 1ULL << cap;
  }
  return 0;
}

static int
parse_caps(json_t *caps, box_security_t *s, box_error_t *err)
{
  static const char *const sets[BOX_CAP_SETS]
      = { "bounding", "effective", "permitted", "inheritable", "ambient" };
  int k;

  if (caps == NULL)
    return 0;
  if (!json_is_object(caps))
    return cfg_error(err, "process.capabilities", "must be an object");
  for (k = 0; k < BOX_CAP_SETS; k++)
    {
      cleanup_free char *field = xasprintf("process.capabilities.%s", sets[k]);
      if (box_caps_parse(json_object_get(caps, sets[k]), field, &s->caps[k], err) < 0)
        return -1;
    }
  s->has_caps = true;
  return 0;
}


static int
get_u64(json_t *o, const char *key, const char *field, unsigned long long *out, box_error_t *err)
{
  json_t *v = json_object_get(o, key);

  if (v == NULL)
    return cfg_error(err, field, "required");
  /* jansson holds json_int_t (long long): values above 2^63 do not parse;
     -1 is accepted as RLIM_INFINITY like Go's uint64 wrap would not be.  */
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return cfg_error(err, field, "must be a non-negative integer");
  *out = (unsigned long long)json_integer_value(v);
  return 0;
}

/* config.md "POSIX process": type (RLIMIT_*), soft, hard; a type twice is
   an error (the spec: "MUST be unique").  */
static int
parse_rlimit(json_t *r, size_t i, box_security_t *s, box_error_t *err)
{
  cleanup_free char *field = xasprintf("process.rlimits[%zu]", i);
  cleanup_free char *f = NULL;
  json_t *type = json_object_get(r, "type");
  struct box_rlimit_s *out = &s->rlimits[i];
  size_t k;

  if (!json_is_object(r))
    return cfg_error(err, field, "must be an object");
  f = xasprintf("%s.type", field);
  if (!json_is_string(type))
    return cfg_error(err, f, "must be a string like RLIMIT_NOFILE");
  for (k = 0; k < N_ELEMS(rlimit_names); k++)
    if (strcmp(rlimit_names[k].name, json_string_value(type)) == 0)
      break;
  if (k == N_ELEMS(rlimit_names))
    return cfg_error(err, f, "unknown rlimit type `%s`", json_string_value(type));
  out->resource = rlimit_names[k].resource;
  for (k = 0; k < i; k++)
    if (s->rlimits[k].resource == out->resource)
      return cfg_error(err, f, "duplicate rlimit type `%s`", json_string_value(type));
  free(f), f = xasprintf("%s.hard", field);
  if (get_u64(r, "hard", f, &out->hard, err) < 0)
    return -1;
  free(f), f = xasprintf("%s.soft", field);
  if (get_u64(r, "soft", f, &out->soft, err) < 0)
    return -1;
  if (out->soft > out->hard)
    return cfg_error(err, field, "soft limit %llu exceeds hard limit %llu", out->soft, out->hard);
  return 0;
}

static int
parse_rlimits(json_t *list, box_security_t *s, box_error_t *err)
{
  json_t *r;
  size_t i;

  if (list == NULL)
    return 0;
  if (!json_is_array(list))
    return cfg_error(err, "process.rlimits", "must be an array");
  s->rlimits = xcalloc(json_array_size(list) + 1, sizeof(*s->rlimits));
  json_array_foreach(list, i, r)
  {
    s->n_rlimits = i + 1;
    if (parse_rlimit(r, i, s, err) < 0)
      return -1;
  }
  return 0;
}

/* apparmorProfile and selinuxLabel: box has no LSM support; an empty
   string asks for nothing.  */
static int
reject_lsm(json_t *obj, const char *key, const char *field, box_error_t *err)
{
  json_t *v = json_object_get(obj, key);

  if (v == NULL || (json_is_string(v) && json_string_value(v)[0] == '\0'))
    return 0;
  return cfg_error(err, field, "not supported by box");
}

static int
parse_process_security(json_t *proc, box_security_t *s, box_error_t *err)
{
  json_t *v;

  if (!json_is_object(proc))
    return 0;
  if (parse_caps(json_object_get(proc, "capabilities"), s, err) < 0
      || parse_rlimits(json_object_get(proc, "rlimits"), s, err) < 0
      || reject_lsm(proc, "apparmorProfile", "process.apparmorProfile", err) < 0
      || reject_lsm(proc, "selinuxLabel", "process.selinuxLabel", err) < 0
      || reject_lsm(proc, "scheduler", "process.scheduler", err) < 0
      || reject_lsm(proc, "ioPriority", "process.ioPriority", err) < 0
      || reject_lsm(proc, "execCPUAffinity", "process.execCPUAffinity", err) < 0)
    return -1;
  v = json_object_get(proc, "noNewPrivileges");
  if (v && !json_is_boolean(v))
    return cfg_error(err, "process.noNewPrivileges", "must be a boolean");
  s->no_new_privs = json_is_true(v);
  v = json_object_get(proc, "oomScoreAdj");
  if (v == NULL)
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < -1000 || json_integer_value(v) > 1000)
    return cfg_error(err, "process.oomScoreAdj", "must be an integer from -1000 to 1000");
  s->has_oom_score_adj = true;
  s->oom_score_adj = (int)json_integer_value(v);
  return 0;
}

static bool
has_prefix(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* config-linux.md "Sysctl" leaves the check to the runtime; this is runc's
   (libcontainer/configs/validate): only sysctls namespaced by the ipc, net
   or uts namespace, and only when the container has its own.  */
int
box_sysctl_check(const char *key, int clone_flags, box_error_t *err)
{
  static const char *const ipc_keys[]
      = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
          "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced" };
  int need = 0;
  size_t i;

  for (i = 0; i < N_ELEMS(ipc_keys); i++)
    if (strcmp(key, ipc_keys[i]) == 0)
      need = CLONE_NEWIPC;
  if (has_prefix(key, "fs.mqueue."))
    need = CLONE_NEWIPC;
  else if (has_prefix(key, "net."))
    need = CLONE_NEWNET;
  else if (strcmp(key, "kernel.hostname") == 0)
    /* runc and crun refuse it: it would fight config.md "Hostname", the
       field made for it (kernel.domainname has no such field).  */
    return box_make_error(err, 0,
                          "config.json: `linux.sysctl`: `%s` is not allowed: it conflicts with the "
                          "`hostname` field",
                          key);
  else if (strcmp(key, "kernel.domainname") == 0)
    need = CLONE_NEWUTS;
  if (need == 0 || strstr(key, "..") || strchr(key, '/'))
    return box_make_error(err, 0, "config.json: `linux.sysctl`: `%s` is not in a separate kernel namespace",
                          key);
  if (!(clone_flags & need))
    return box_make_error(err, 0, "config.json: `linux.sysctl`: `%s` needs a new `%s` namespace", key,
                          need == CLONE_NEWIPC   ? "ipc"
                          : need == CLONE_NEWNET ? "network"
                                                 : "uts");
  return 0;
}

static int
parse_sysctl(json_t *obj, int clone_flags, box_security_t *s, box_error_t *err)
{
  const char *key;
  json_t *v;

  if (obj == NULL)
    return 0;
  if (!json_is_object(obj))
    return cfg_error(err, "linux.sysctl", "must be an object of strings");
  s->sysctl = xcalloc(json_object_size(obj) + 1, sizeof(*s->sysctl));
  json_object_foreach(obj, key, v)
  {
    if (!json_is_string(v))
      return box_make_error(err, 0, "config.json: `linux.sysctl`: value of `%s` must be a string", key);
    if (box_sysctl_check(key, clone_flags, err) < 0)
      return -1;
    s->sysctl[s->n_sysctl].key = xstrdup(key);
    s->sysctl[s->n_sysctl++].value = xstrdup(json_string_value(v));
  }
  return 0;
}

/* Fields box does not implement: an error naming them, never ignored.  */
static int
reject_unsupported(json_t *linux_obj, box_error_t *err)
{
  static const char *const keys[]
      = { "personality", "intelRdt", "timeOffsets", "memoryPolicy", "netDevices", NULL };
  const char *const *k;
  json_t *v = json_object_get(linux_obj, "mountLabel");

  /* config-linux.md "Mount Label" is an SELinux context: on a host without
     SELinux there is nothing to label with, and runc and crun ignore it;
     with SELinux box cannot apply it, so it refuses.  */
  if (json_is_string(v) && json_string_value(v)[0] != '\0')
    {
      if (access("/sys/fs/selinux/enforce", F_OK) == 0)
        return box_make_error(err, 0, "config.json: `linux.mountLabel`: not supported by box");
      box_log_warning("config.json: `linux.mountLabel`: ignored, SELinux is not enabled on this host");
    }

  for (k = keys; *k; k++)
    {
      v = json_object_get(linux_obj, *k);
      if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_value(v)[0] == '\0')
          || (json_is_array(v) && json_array_size(v) == 0))
        continue;
      return box_make_error(err, 0, "config.json: `linux.%s`: not supported by box", *k);
    }
  return 0;
}

static int
parse_linux_security(json_t *linux_obj, int clone_flags, box_security_t *s, box_error_t *err)
{
  if (!json_is_object(linux_obj))
    return 0;
  if (reject_unsupported(linux_obj, err) < 0 || box_userns_parse(linux_obj, clone_flags, s, err) < 0
      || parse_sysctl(json_object_get(linux_obj, "sysctl"), clone_flags, s, err) < 0
      || box_paths_parse(linux_obj, s, err) < 0)
    return -1;
  if (json_object_get(linux_obj, "seccomp") == NULL)
    return 0;
  return box_seccomp_parse(json_object_get(linux_obj, "seccomp"), &s->seccomp, err);
}

int
box_security_parse(json_t *doc, int clone_flags, box_security_t **out, box_error_t *err)
{
  box_security_t *s = xcalloc(1, sizeof(*s));
  json_t *dn = json_object_get(doc, "domainname");

  *out = s;
  if (parse_process_security(json_object_get(doc, "process"), s, err) < 0
      || parse_linux_security(json_object_get(doc, "linux"), clone_flags, s, err) < 0)
    return -1;
  if (dn == NULL)
    return 0;
  if (!json_is_string(dn))
    return cfg_error(err, "domainname", "must be a string");
  if (!(clone_flags & CLONE_NEWUTS))
    return cfg_error(err, "domainname", "setting the domainname requires a new `uts` namespace");
  s->domainname = xstrdup(json_string_value(dn));
  return 0;
}

static void
free_strv(char **v)
{
  size_t i;
  for (i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

void
box_security_free(box_security_t *s)
{
  size_t i;

  if (s == NULL)
    return;
  free(s->rlimits);
  free(s->uid_map);
  free(s->gid_map);
  free(s->domainname);
  for (i = 0; i < s->n_sysctl; i++)
    free(s->sysctl[i].key), free(s->sysctl[i].value);
  free(s->sysctl);
  free_strv(s->masked_paths);
  free_strv(s->readonly_paths);
  for (i = 0; i < s->n_devices; i++)
    free(s->devices[i].path);
  free(s->devices);
  box_seccomp_free(s->seccomp);
  free(s);
}

/* ---- the init's side ---- */

int
box_apply_process_limits(const box_security_t *s, box_error_t *err)
{
  size_t i;

  for (i = 0; i < s->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = s->rlimits[i].soft, .rlim_max = s->rlimits[i].hard };
      if (setrlimit(s->rlimits[i].resource, &rl) < 0)
        return box_make_error(err, errno, "process.rlimits[%zu]: setrlimit", i);
    }
  return 0;
}

/* Write one sysctl through the container's /proc (its net/ipc/uts
   namespaces are ours now).  */
static int
write_sysctl(const struct box_sysctl_s *sc, box_error_t *err)
{
  cleanup_free char *path = xasprintf("/proc/sys/%s", sc->key);
  cleanup_close int fd = -1;
  char *p;

  for (p = path + strlen("/proc/sys/"); *p; p++)
    if (*p == '.')
      *p = '/';
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, sc->value, strlen(sc->value)) != (ssize_t)strlen(sc->value))
    return box_make_error(err, errno, "linux.sysctl: write `%s` to `%s`", sc->value, path);
  return 0;
}

int
box_apply_namespace_settings(const box_security_t *s, box_error_t *err)
{
  size_t i;

  if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
    return box_make_error(err, errno, "set domainname `%s`", s->domainname);
  for (i = 0; i < s->n_sysctl; i++)
    if (write_sysctl(&s->sysctl[i], err) < 0)
      return -1;
  return 0;
}

/* Highest capability the running kernel knows; names box knows beyond it
   are skipped, as runc does.  */
static int
last_cap(void)
{
  cleanup_free char *data = NULL;
  box_error_t ignored = NULL;
  size_t len;
  int r = box_cap_count() - 1;

  if (box_read_file("/proc/sys/kernel/cap_last_cap", &data, &len, &ignored) < 0)
    box_error_release(&ignored);
  else if (atoi(data) < r)
    r = atoi(data);
  return r;
}

int
box_caps_before_setuid(const box_security_t *s, box_error_t *err)
{
  int cap, last = last_cap();

  if (!s->has_caps)
    return 0;
  /* The permitted set must survive the setuid to a non-root user; the
     effective one is set again afterwards (runc: PR_SET_KEEPCAPS).  */
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return box_make_error(err, errno, "prctl(PR_SET_KEEPCAPS)");
  for (cap = 0; cap <= last; cap++)
    if (!(s->caps[BOX_CAP_BOUNDING] & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      return box_make_error(err, errno, "process.capabilities.bounding: drop `%s`", box_cap_name(cap));
  return 0;
}

static int
capset_sets(const box_security_t *s, uint64_t known, box_error_t *err)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2];
  const uint64_t eff = s->caps[BOX_CAP_EFFECTIVE] & known, perm = s->caps[BOX_CAP_PERMITTED] & known,
                 inh = s->caps[BOX_CAP_INHERITABLE] & known;
  int i;

  for (i = 0; i < 2; i++)
    {
      data[i].effective = (uint32_t)(eff >> (32 * i));
      data[i].permitted = (uint32_t)(perm >> (32 * i));
      data[i].inheritable = (uint32_t)(inh >> (32 * i));
    }
  if (syscall(SYS_capset, &hdr, data) < 0)
    return box_make_error(err, errno, "process.capabilities: capset");
  return 0;
}

int
box_caps_after_setuid(const box_security_t *s, box_error_t *err)
{
  int last = last_cap(), cap;
  uint64_t known = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;

  if (s->has_caps)
    {
      if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return box_make_error(err, errno, "prctl(PR_SET_KEEPCAPS)");
      if (capset_sets(s, known, err) < 0)
        return -1;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return box_make_error(err, errno, "process.capabilities.ambient: clear");
      /* Like runc, a capability that cannot be raised (not in permitted
         and inheritable) is skipped with a note, not fatal.  */
      for (cap = 0; cap <= last; cap++)
        if ((s->caps[BOX_CAP_AMBIENT] & (1ULL << cap))
            && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
          box_log_debug("process.capabilities.ambient: cannot raise `%s`: %s", box_cap_name(cap),
                        strerror(errno));
    }
  if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return box_make_error(err, errno, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
  return 0;
}
