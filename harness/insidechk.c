/* The in-container checker's library: one function per group of checks, each
   comparing what the process sees with its config.json and printing one TAP
   line per requirement, with the runtime-spec section and level it traces to
   (config.md / config-linux.md, runtime-spec 1.0.2). */
#include "insidechk.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#define S_PROCESS "config.md Process MUST"
#define S_USER "config.md User MUST"
#define S_CAPS "config.md Process (capabilities) MUST"
#define S_RLIMITS "config.md Process (rlimits) MUST"
#define S_HOSTNAME "config.md Hostname MUST"
#define S_DOMAIN "config.md Domainname MUST"
#define S_ROOT "config.md Root MUST"
#define S_MOUNTS "config.md Mounts MUST"
#define S_PROPAGATION "config-linux.md Rootfs Mount Propagation MUST"
#define S_MASKED "config-linux.md Masked Paths MUST"
#define S_READONLY "config-linux.md Readonly Paths MUST"
#define S_DEFDEV "config-linux.md Default Devices MUST"
#define S_DEVLINKS "runtime.md / config-linux.md Default File Systems, /dev symbolic links MUST"
#define S_DEVICES "config-linux.md Devices MUST"
#define S_SYSCTL "config-linux.md Sysctl MUST"
#define S_NS "config-linux.md Namespaces MUST"
#define S_SECCOMP "config-linux.md Seccomp MUST"
#define S_IDMAP "config-linux.md User namespace mappings MUST"

/* ---- TAP ---------------------------------------------------------------- */

static void
vreport(inside_t *t, int verdict, const char *spec, const char *reason, const char *fmt, va_list ap)
{
  t->n++;
  fprintf(t->out, "%sok %d - ", verdict == 0 ? "not " : "", t->n);
  vfprintf(t->out, fmt, ap);
  fprintf(t->out, " (%s)", spec);
  if (verdict < 0)
    fprintf(t->out, " # SKIP %s", reason);
  fputc('\n', t->out);
  if (verdict > 0)
    t->passed++;
  else if (verdict == 0)
    t->failed++;
  else
    t->skipped++;
}

void
inside_report(inside_t *t, bool cond, const char *spec, const char *got, const char *want, const char *fmt,
              ...)
{
  va_list ap;

  va_start(ap, fmt);
  vreport(t, cond ? 1 : 0, spec, NULL, fmt, ap);
  va_end(ap);
  if (!cond && (got || want))
    fprintf(t->out, "# got %s, want %s\n", got ? got : "(nothing)", want ? want : "(nothing)");
}

void
inside_skip(inside_t *t, const char *spec, const char *reason, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vreport(t, -1, spec, reason, fmt, ap);
  va_end(ap);
}

/* Compare two strings and report. */
static void
report_str(inside_t *t, const char *spec, const char *got, const char *want, const char *what)
{
  bool same = got && want && strcmp(got, want) == 0;
  inside_report(t, same, spec, got, want, "%s", what);
}

static void
report_ll(inside_t *t, const char *spec, long long got, long long want, const char *what)
{
  char g[32], w[32];

  snprintf(g, sizeof g, "%lld", got);
  snprintf(w, sizeof w, "%lld", want);
  inside_report(t, got == want, spec, g, w, "%s", what);
}

/* ---- small readers ---------------------------------------------------- */

/* The contents of PROC/rel (owned, NUL-terminated) or NULL. */
static char *
read_proc(const inside_t *t, const char *rel)
{
  cleanup_free char *path = xasprintf("%s/%s", t->proc, rel);
  ocitest_error_t err = NULL;
  char *buf = NULL;
  size_t len;

  if (read_file(path, 1 << 20, &buf, &len, &err) < 0)
    {
      ocitest_error_release(&err);
      return NULL;
    }
  return buf;
}

/* ROOT + path, for files of the container's filesystem. */
static char *
rpath(const inside_t *t, const char *path)
{
  return xasprintf("%s%s", t->root, path);
}

static void
chomp(char *s)
{
  size_t n = strlen(s);

  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
}

char *
status_field(const char *status, const char *key)
{
  size_t klen = strlen(key);
  const char *p = status;

  while (p && *p)
    {
      if (strncmp(p, key, klen) == 0 && p[klen] == ':')
        {
          const char *v = p + klen + 1, *e;
          while (*v == ' ' || *v == '\t')
            v++;
          e = strchr(v, '\n');
          return e ? xstrndup(v, (size_t)(e - v)) : xstrdup(v);
        }
      p = strchr(p, '\n');
      if (p)
        p++;
    }
  return NULL;
}

static json_t *
jget(const json_t *o, const char *path)
{
  /* dot-separated object path */
  cleanup_free char *copy = xstrdup(path);
  char *save = NULL;
  json_t *v = (json_t *)o;

  for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
    v = json_is_object(v) ? json_object_get(v, k) : NULL;
  return v;
}

/* ---- capabilities ------------------------------------------------------ */

#include "cap_names.h"
#include "rlimit_names.h"
#define CAP_COUNT ((int)(sizeof cap_names / sizeof cap_names[0]))

int
cap_from_name(const char *name)
{
  for (int i = 0; i < CAP_COUNT; i++)
    if (strcmp(cap_names[i], name) == 0)
      return i;
  return -1;
}

const char *
cap_name(int bit)
{
  return bit >= 0 && bit < CAP_COUNT ? cap_names[bit] : NULL;
}

uint64_t
cap_mask_from_json(const json_t *names, str_list_t *unknown)
{
  uint64_t mask = 0;
  size_t i;
  json_t *v;

  json_array_foreach(names, i, v)
  {
    int bit = json_is_string(v) ? cap_from_name(json_string_value(v)) : -1;
    if (bit >= 0)
      mask |= 1ULL << bit;
    else if (unknown)
      str_list_push(unknown, xstrdup(json_is_string(v) ? json_string_value(v) : "(not a string)"));
  }
  return mask;
}

char *
cap_mask_format(uint64_t mask)
{
  size_t cap = 16, len = 0;
  char *s = xmalloc(cap);

  s[0] = '\0';
  for (int bit = 0; bit < 64; bit++)
    {
      char tmp[24];
      const char *n;
      size_t need;
      if (!(mask & (1ULL << bit)))
        continue;
      n = cap_name(bit);
      if (!n)
        {
          snprintf(tmp, sizeof tmp, "cap%d", bit);
          n = tmp;
        }
      need = len + strlen(n) + 2;
      if (need > cap)
        s = xrealloc(s, cap = need * 2);
      len += (size_t)sprintf(s + len, "%s%s", len ? "," : "", n);
    }
  return len ? s : (free(s), xstrdup("(none)"));
}

/* ---- mountinfo --------------------------------------------------------- */

static int
mi_parse_line(char *line, mi_line_t *m)
{
  /* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
  char *f[6], *save = NULL, *opt, *dash;
  int i;

  dash = strstr(line, " - ");
  if (!dash)
    return -1;
  *dash = '\0';
  for (i = 0; i < 6; i++)
    if (!(f[i] = strtok_r(i ? NULL : line, " ", &save)))
      return -1;
  m->id = atoi(f[0]);
  m->parent = atoi(f[1]);
  m->mount_point = xstrdup(f[4]);
  unescape_field(m->mount_point);
  m->mount_opts = xstrdup(f[5]);
  opt = strtok_r(NULL, "", &save);
  m->optional = xstrdup(opt ? opt : "");
  save = NULL;
  m->fstype = xstrdup((opt = strtok_r(dash + 3, " ", &save)) ? opt : "");
  m->source = xstrdup((opt = strtok_r(NULL, " ", &save)) ? opt : "");
  m->super_opts = xstrdup((opt = strtok_r(NULL, " ", &save)) ? opt : "");
  return 0;
}

int
mi_parse(const char *text, mi_table_t *out, ocitest_error_t *err)
{
  cleanup_free char *copy = xstrdup(text);
  char *save = NULL;

  out->items = NULL;
  out->len = 0;
  for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
    {
      out->items = xrealloc(out->items, (out->len + 1) * sizeof *out->items);
      memset(&out->items[out->len], 0, sizeof *out->items);
      if (mi_parse_line(l, &out->items[out->len]) < 0)
        {
          mi_free(out);
          return ocitest_make_error(err, 0, "malformed mountinfo line `%s`", l);
        }
      out->len++;
    }
  return 0;
}

void
mi_free(mi_table_t *t)
{
  for (size_t i = 0; i < t->len; i++)
    {
      mi_line_t *m = &t->items[i];
      free(m->mount_point);
      free(m->mount_opts);
      free(m->optional);
      free(m->fstype);
      free(m->source);
      free(m->super_opts);
    }
  free(t->items);
  t->items = NULL;
  t->len = 0;
}

const mi_line_t *
mi_find(const mi_table_t *t, const char *mount_point)
{
  for (size_t i = t->len; i > 0; i--)
    if (strcmp(t->items[i - 1].mount_point, mount_point) == 0)
      return &t->items[i - 1];
  return NULL;
}

bool
opt_has(const char *opts, const char *opt)
{
  size_t n = strlen(opt);

  for (const char *p = opts; p && *p;)
    {
      const char *e = strchr(p, ',');
      size_t len = e ? (size_t)(e - p) : strlen(p);
      if (len == n && strncmp(p, opt, n) == 0)
        return true;
      p = e ? e + 1 : NULL;
    }
  return false;
}

/* The value of "key=" in an option list (owned) or NULL. */
static char *
opt_value(const char *opts, const char *key)
{
  size_t n = strlen(key);

  for (const char *p = opts; p && *p;)
    {
      const char *e = strchr(p, ',');
      size_t len = e ? (size_t)(e - p) : strlen(p);
      if (len > n && strncmp(p, key, n) == 0 && p[n] == '=')
        return xstrndup(p + n + 1, len - n - 1);
      p = e ? e + 1 : NULL;
    }
  return NULL;
}

static int
load_mountinfo(const inside_t *t, mi_table_t *mi)
{
  cleanup_free char *text = read_proc(t, "self/mountinfo");
  ocitest_error_t err = NULL;

  if (!text || mi_parse(text, mi, &err) < 0)
    {
      ocitest_error_release(&err);
      return -1;
    }
  return 0;
}

/* ---- process ----------------------------------------------------------- */

static void
check_args(inside_t *t)
{
  json_t *args = jget(t->config, "process.args");
  size_t i, n = json_array_size(args);
  bool same = n == (size_t)t->argc;
  char got[1024] = "", want[1024] = "";

  for (i = 0; i < n; i++)
    {
      const char *a = json_string_value(json_array_get(args, i));
      if (same && (!a || strcmp(a, t->argv[i]) != 0))
        same = false;
      snprintf(want + strlen(want), sizeof want - strlen(want), "%s\"%s\"", i ? " " : "", a ? a : "?");
    }
  for (i = 0; i < (size_t)t->argc; i++)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s\"%s\"", i ? " " : "", t->argv[i]);
  inside_report(t, same, S_PROCESS, got, want, "process.args is argv, in order");
}

static bool
env_in(json_t *env, const char *kv)
{
  size_t i;
  json_t *v;

  json_array_foreach(env, i, v) if (json_is_string(v) && strcmp(json_string_value(v), kv) == 0) return true;
  return false;
}

/* Whether the env array sets the variable name.  */
static bool
env_has(json_t *env, const char *name)
{
  size_t i, n = strlen(name);
  json_t *v;

  json_array_foreach(env, i, v)
  {
    const char *kv = json_string_value(v);
    if (kv && strncmp(kv, name, n) == 0 && kv[n] == '=')
      return true;
  }
  return false;
}

static void
check_env(inside_t *t)
{
  json_t *env = jget(t->config, "process.env");
  size_t i;
  json_t *v;
  bool all = true, extra = false;
  char missing[1024] = "", added[1024] = "";

  json_array_foreach(env, i, v)
  {
    bool found = false;
    for (char **e = t->environ; e && *e && !found; e++)
      found = strcmp(*e, json_string_value(v)) == 0;
    if (!found)
      {
        all = false;
        snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", json_string_value(v));
      }
  }
  inside_report(t, all, S_PROCESS, all ? NULL : "missing:", all ? NULL : missing,
                "process.env: every variable of the config is set, with its value");
  for (char **e = t->environ; e && *e; e++)
    /* HOME is the one variable every major runtime adds to a config without
       it (de-facto; the `home` group checks its value), so it is not
       counted here.  */
    if (!env_in(env, *e) && (strncmp(*e, "HOME=", 5) != 0 || env_has(env, "HOME")))
      {
        extra = true;
        snprintf(added + strlen(added), sizeof added - strlen(added), " %s", *e);
      }
  inside_report(t, !extra, S_PROCESS, extra ? added : NULL, extra ? "nothing beyond process.env" : NULL,
                "process.env: no variable beyond the config's");
}

static void
check_cwd(inside_t *t)
{
  char cwd[PATH_MAX];
  const char *want = json_string_value(jget(t->config, "process.cwd"));

  report_str(t, S_PROCESS, getcwd(cwd, sizeof cwd) ? cwd : strerror(errno), want,
             "process.cwd is the working directory");
}

static void
check_user(inside_t *t)
{
  json_t *user = jget(t->config, "process.user");
  json_int_t uid = json_integer_value(json_object_get(user, "uid"));
  json_int_t gid = json_integer_value(json_object_get(user, "gid"));
  json_t *extra = json_object_get(user, "additionalGids");
  uid_t ru, eu, su;
  gid_t rg, eg, sg, groups[256];
  int ng;
  char got[1024] = "", want[1024] = "";
  bool same;

  getresuid(&ru, &eu, &su);
  getresgid(&rg, &eg, &sg);
  report_ll(t, S_USER, ru, uid, "user.uid is the real uid");
  report_ll(t, S_USER, eu, uid, "user.uid is the effective uid");
  report_ll(t, S_USER, rg, gid, "user.gid is the real gid");
  report_ll(t, S_USER, eg, gid, "user.gid is the effective gid");
  ng = getgroups(256, groups);
  if (!extra)
    {
      inside_skip(t, S_USER, "no additionalGids in the config",
                  "user.additionalGids are the supplementary groups");
      return;
    }
  /* Same set, order aside. */
  same = ng >= 0 && (size_t)ng == json_array_size(extra);
  for (int i = 0; i < ng; i++)
    {
      bool found = false;
      size_t j;
      json_t *v;
      json_array_foreach(extra, j, v) found = found || json_integer_value(v) == (json_int_t)groups[i];
      same = same && found;
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u", i ? "," : "", (unsigned)groups[i]);
    }
  {
    size_t j;
    json_t *v;
    json_array_foreach(extra, j, v) snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld",
                                             j ? "," : "", (long long)json_integer_value(v));
  }
  inside_report(t, same, S_USER, got, want, "user.additionalGids are the supplementary groups (getgroups)");
}

static void
check_umask(inside_t *t)
{
  json_t *u = jget(t->config, "process.user.umask");
  cleanup_free char *status = read_proc(t, "self/status");
  cleanup_free char *got = status ? status_field(status, "Umask") : NULL;
  char want[16];

  if (!u)
    {
      inside_skip(t, S_USER, "no user.umask in the config", "user.umask is the umask");
      return;
    }
  snprintf(want, sizeof want, "%04llo", (unsigned long long)json_integer_value(u));
  report_str(t, S_USER, got, want, "user.umask is the umask (/proc/self/status Umask)");
}

static void
check_caps(inside_t *t)
{
  static const struct
  {
    const char *set, *field;
  } sets[] = { { "bounding", "CapBnd" },
               { "effective", "CapEff" },
               { "permitted", "CapPrm" },
               { "inheritable", "CapInh" },
               { "ambient", "CapAmb" } };
  json_t *caps = jget(t->config, "process.capabilities");
  cleanup_free char *status = read_proc(t, "self/status");
  cleanup_free char *last = read_proc(t, "sys/kernel/cap_last_cap");
  uint64_t known = ~0ULL;

  /* Bits past the kernel's last capability cannot be held: a runtime drops
     names the kernel does not know (runc and crun warn). */
  if (last && atoi(last) < 63)
    known = (1ULL << (atoi(last) + 1)) - 1;
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
    {
      json_t *names = json_object_get(caps, sets[i].set);
      cleanup_free char *field = status ? status_field(status, sets[i].field) : NULL;
      cleanup_free char *got = NULL, *want = NULL;
      uint64_t have, need;

      if (!caps || !names)
        {
          inside_skip(t, S_CAPS, "not in the config", "capabilities.%s", sets[i].set);
          continue;
        }
      have = field ? strtoull(field, NULL, 16) : ~0ULL;
      need = cap_mask_from_json(names, NULL) & known;
      got = field ? cap_mask_format(have) : xstrdup("(no status field)");
      want = cap_mask_format(need);
      inside_report(t, field && have == need, S_CAPS, got, want, "capabilities.%s is the %s set (%s)",
                    sets[i].set, sets[i].set, sets[i].field);
    }
}

static void
check_rlimits(inside_t *t)
{
  json_t *list = jget(t->config, "process.rlimits");
  size_t i;
  json_t *r;

  if (json_array_size(list) == 0)
    {
      inside_skip(t, S_RLIMITS, "no rlimits in the config", "rlimits");
      return;
    }
  json_array_foreach(list, i, r)
  {
    const char *type = json_string_value(json_object_get(r, "type"));
    unsigned long long soft = (unsigned long long)json_integer_value(json_object_get(r, "soft"));
    unsigned long long hard = (unsigned long long)json_integer_value(json_object_get(r, "hard"));
    int res = -1;
    struct rlimit rl;
    char got[64], want[64];

    for (size_t k = 0; type && k < sizeof rlimit_names / sizeof rlimit_names[0]; k++)
      if (strcmp(rlimit_names[k].name, type) == 0)
        res = rlimit_names[k].resource;
    if (res < 0)
      {
        inside_skip(t, S_RLIMITS, "unknown type", "rlimits %s", type ? type : "?");
        continue;
      }
    getrlimit((__rlimit_resource_t)res, &rl);
    snprintf(got, sizeof got, "soft %llu hard %llu", (unsigned long long)rl.rlim_cur,
             (unsigned long long)rl.rlim_max);
    snprintf(want, sizeof want, "soft %llu hard %llu", soft, hard);
    report_str(t, S_RLIMITS, got, want, type);
  }
}

static void
check_status_bits(inside_t *t)
{
  cleanup_free char *status = read_proc(t, "self/status");
  cleanup_free char *nnp = status ? status_field(status, "NoNewPrivs") : NULL;
  cleanup_free char *oom = read_proc(t, "self/oom_score_adj");
  json_t *want_oom = jget(t->config, "process.oomScoreAdj");
  char want[32];

  report_str(t, S_PROCESS, nnp, json_is_true(jget(t->config, "process.noNewPrivileges")) ? "1" : "0",
             "noNewPrivileges (/proc/self/status NoNewPrivs)");
  if (!want_oom)
    {
      inside_skip(t, S_PROCESS, "no oomScoreAdj in the config", "oomScoreAdj");
      return;
    }
  if (oom)
    chomp(oom);
  snprintf(want, sizeof want, "%lld", (long long)json_integer_value(want_oom));
  report_str(t, S_PROCESS, oom, want, "oomScoreAdj (/proc/self/oom_score_adj)");
}

static void
group_process(inside_t *t)
{
  check_args(t);
  check_env(t);
  check_cwd(t);
  check_user(t);
  check_umask(t);
  check_rlimits(t);
  check_status_bits(t);
}

#define S_HOME "de-facto (runc, crun): HOME for a config without it"

/* The home of uid in the container's /etc/passwd, into buf; "/" when the
   file or the entry is missing (what runc and crun fall back to).  Read
   here on its own, not with box's code: a check sharing the code it
   checks cannot catch that code's bug.  */
static void
passwd_home(long long uid, char *buf, size_t size)
{
  cleanup_file FILE *f = fopen("/etc/passwd", "re");
  char line[1024];

  snprintf(buf, size, "/");
  while (f && fgets(line, sizeof line, f))
    {
      char *field[7] = { NULL }, *p = line;
      int n = 0;

      line[strcspn(line, "\n")] = '\0';
      while (n < 7 && (field[n] = strsep(&p, ":")) != NULL)
        n++;
      if (n >= 6 && field[2][0] && strtoll(field[2], NULL, 10) == uid && field[5][0])
        {
          snprintf(buf, size, "%s", field[5]);
          return;
        }
    }
}

/* A config without HOME: the process gets HOME from its user's passwd
   entry, or "/".  The spec is silent (config.md "Process": env); runc and
   crun both do it and programs rely on it.  */
static void
group_home(inside_t *t)
{
  json_t *env = jget(t->config, "process.env");
  const char *home = getenv("HOME");
  char want[512];

  if (env_has(env, "HOME"))
    {
      inside_skip(t, S_HOME, "the config sets HOME", "HOME");
      return;
    }
  passwd_home(json_integer_value(jget(t->config, "process.user.uid")), want, sizeof want);
  report_str(t, S_HOME, home ? home : "(unset)", want, "HOME is the user's home in /etc/passwd, or /");
}

static void
group_caps(inside_t *t)
{
  check_caps(t);
}

/* ---- hostname ---------------------------------------------------------- */

static void
group_uts(inside_t *t)
{
  const char *host = json_string_value(jget(t->config, "hostname"));
  const char *domain = json_string_value(jget(t->config, "domainname"));
  struct utsname u;

  uname(&u);
  if (host)
    report_str(t, S_HOSTNAME, u.nodename, host, "hostname");
  else
    inside_skip(t, S_HOSTNAME, "no hostname in the config", "hostname");
  if (domain)
    report_str(t, S_DOMAIN, u.domainname, domain, "domainname");
  else
    inside_skip(t, S_DOMAIN, "no domainname in the config", "domainname");
}

/* ---- root and mounts --------------------------------------------------- */

static void
group_root(inside_t *t)
{
  bool want = json_is_true(jget(t->config, "root.readonly"));
  const char *prop = json_string_value(jget(t->config, "linux.rootfsPropagation"));
  mi_table_t mi = { 0 };
  const mi_line_t *m;
  bool ok;

  {
    cleanup_free char *root = rpath(t, "/");
    struct statvfs sv;
    bool ro = statvfs(root, &sv) == 0 && (sv.f_flag & ST_RDONLY);
    inside_report(t, ro == want, S_ROOT, ro ? "read-only" : "read-write", want ? "read-only" : "read-write",
                  "root.readonly: / is %s", want ? "read-only" : "read-write");
  }
  if (!prop)
    {
      inside_skip(t, S_PROPAGATION, "no rootfsPropagation in the config", "rootfsPropagation");
      return;
    }
  if (load_mountinfo(t, &mi) < 0 || !(m = mi_find(&mi, "/")))
    {
      inside_report(t, false, S_PROPAGATION, "no mountinfo entry for /", prop, "rootfsPropagation");
      mi_free(&mi);
      return;
    }
  /* mountinfo's optional fields: shared:N (shared), master:N (slave),
     unbindable, or none (private). */
  if (strcmp(prop, "shared") == 0)
    ok = strstr(m->optional, "shared:") != NULL;
  else if (strcmp(prop, "slave") == 0)
    /* master:N shows only when the mount it is a slave of still has peers;
       runc and crun make the rootfs's parent private before binding it, so
       a slave / often shows no fields: only "not shared" can be asserted. */
    ok = strstr(m->optional, "shared:") == NULL && strstr(m->optional, "unbindable") == NULL;
  else if (strcmp(prop, "unbindable") == 0)
    ok = strstr(m->optional, "unbindable") != NULL;
  else
    ok = strstr(m->optional, "shared:") == NULL && strstr(m->optional, "master:") == NULL;
  inside_report(t, ok, S_PROPAGATION, *m->optional ? m->optional : "(no optional fields)", prop,
                "rootfsPropagation %s: optional fields of / in mountinfo", prop);
  mi_free(&mi);
}

/* Octal mode of a tmpfs: the kernel omits mode= when it is the default 1777. */
static unsigned long
tmpfs_mode(const char *opts)
{
  cleanup_free char *v = opt_value(opts, "mode");
  return v ? strtoul(v, NULL, 8) : 01777;
}

/* Size in bytes of "65536k", "64m", "1g" or a byte count. */
static unsigned long long
size_bytes(const char *s)
{
  char *end;
  unsigned long long n = strtoull(s, &end, 10);

  switch (*end)
    {
    case 'k':
    case 'K':
      return n << 10;
    case 'm':
    case 'M':
      return n << 20;
    case 'g':
    case 'G':
      return n << 30;
    default:
      return n;
    }
}

static void
check_mount_opts(inside_t *t, const char *dest, const mi_line_t *m, json_t *opts, const char *type)
{
  static const char *const flags[] = { "ro", "nosuid", "nodev", "noexec" };
  size_t i;
  json_t *o;

  json_array_foreach(opts, i, o)
  {
    const char *opt = json_string_value(o);
    if (!opt)
      continue;
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
      if (strcmp(opt, flags[k]) == 0)
        inside_report(t, opt_has(m->mount_opts, opt), S_MOUNTS, m->mount_opts, opt,
                      "mount %s: option %s in the per-mount flags", dest, opt);
    if (strcmp(opt, "rw") == 0)
      inside_report(t, opt_has(m->mount_opts, "rw"), S_MOUNTS, m->mount_opts, "rw", "mount %s: option rw",
                    dest);
    if (strcmp(type, "tmpfs") == 0 && strncmp(opt, "mode=", 5) == 0)
      {
        char g[16], w[16];
        snprintf(g, sizeof g, "%lo", tmpfs_mode(m->super_opts));
        snprintf(w, sizeof w, "%lo", strtoul(opt + 5, NULL, 8));
        inside_report(t, strcmp(g, w) == 0, S_MOUNTS, g, w, "mount %s: tmpfs mode=%s", dest, w);
      }
    if (strcmp(type, "tmpfs") == 0 && strncmp(opt, "size=", 5) == 0)
      {
        cleanup_free char *have = opt_value(m->super_opts, "size");
        inside_report(t, have && size_bytes(have) == size_bytes(opt + 5), S_MOUNTS, have ? have : "(none)",
                      opt + 5, "mount %s: tmpfs %s", dest, opt);
      }
  }
}

static void
check_one_mount(inside_t *t, const mi_table_t *mi, json_t *mnt)
{
  const char *dest = json_string_value(json_object_get(mnt, "destination"));
  const char *type = json_string_value(json_object_get(mnt, "type"));
  json_t *opts = json_object_get(mnt, "options");
  cleanup_free char *canon = NULL;
  const mi_line_t *m;
  bool bind = (type && strcmp(type, "bind") == 0);
  size_t i;
  json_t *o;

  json_array_foreach(opts, i, o) if (json_is_string(o)
                                     && (strcmp(json_string_value(o), "bind") == 0
                                         || strcmp(json_string_value(o), "rbind") == 0)) bind
      = true;
  if (!dest)
    return;
  /* mountinfo shows the path without a trailing slash */
  canon = xstrdup(dest);
  for (size_t n = strlen(canon); n > 1 && canon[n - 1] == '/'; n--)
    canon[n - 1] = '\0';
  m = mi_find(mi, canon);
  inside_report(t, m != NULL, S_MOUNTS, m ? canon : "no mount there", canon, "mount %s is a mount point",
                canon);
  if (!m)
    return;
  if (bind)
    inside_skip(t, S_MOUNTS, "the source of a bind mount is not visible from inside", "mount %s: source",
                canon);
  else if (type)
    inside_report(t, strcmp(m->fstype, type) == 0, S_MOUNTS, m->fstype, type, "mount %s: type %s", canon,
                  type);
  check_mount_opts(t, canon, m, opts, bind ? "bind" : type ? type : "");
}

static void
group_mounts(inside_t *t)
{
  json_t *mounts = jget(t->config, "mounts");
  mi_table_t mi = { 0 };
  size_t i;
  json_t *mnt;

  if (load_mountinfo(t, &mi) < 0)
    {
      inside_report(t, false, S_MOUNTS, "unreadable", "self/mountinfo", "mountinfo readable");
      return;
    }
  json_array_foreach(mounts, i, mnt) check_one_mount(t, &mi, mnt);
  mi_free(&mi);
}

/* ---- masked and read-only paths ---------------------------------------- */

static void
check_masked(inside_t *t, const char *path)
{
  cleanup_free char *p = rpath(t, path);
  struct stat st;

  if (stat(p, &st) < 0)
    {
      /* The spec masks what exists; a path absent from this kernel is fine. */
      inside_skip(t, S_MASKED, "does not exist in this container", "maskedPaths %s", path);
      return;
    }
  if (S_ISDIR(st.st_mode))
    {
      cleanup_dir DIR *d = opendir(p);
      struct dirent *de;
      int n = 0;
      while (d && (de = readdir(d)))
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
      char g[64];
      snprintf(g, sizeof g, "%d entries%s", n, d ? "" : " (unreadable)");
      inside_report(t, n == 0, S_MASKED, g, "an empty directory", "maskedPaths %s (directory) shows nothing",
                    path);
      return;
    }
  {
    cleanup_close int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    char buf[64];
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    char g[96];
    if (n > 0)
      snprintf(g, sizeof g, "%zd bytes readable", n);
    else if (n < 0)
      snprintf(g, sizeof g, "read fails: %s", strerror(errno));
    else
      snprintf(g, sizeof g, "nothing");
    /* Unreadable (EACCES/EPERM on open) masks too; contents must not leak. */
    inside_report(t, n <= 0, S_MASKED, g, "nothing", "maskedPaths %s reads nothing", path);
  }
}

static void
check_readonly(inside_t *t, const char *path)
{
  cleanup_free char *p = rpath(t, path);
  struct statvfs sv;
  struct stat st;

  if (stat(p, &st) < 0)
    {
      inside_skip(t, S_READONLY, "does not exist in this container", "readonlyPaths %s", path);
      return;
    }
  bool ro = statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY);
  inside_report(t, ro, S_READONLY, ro ? "read-only" : "writable mount", "read-only",
                "readonlyPaths %s is on a read-only mount", path);
  if (S_ISREG(st.st_mode))
    {
      cleanup_close int fd = open(p, O_WRONLY | O_CLOEXEC);
      int e = fd < 0 ? errno : 0;
      inside_report(t, e == EROFS, S_READONLY, e ? strerror(e) : "opened for writing", strerror(EROFS),
                    "readonlyPaths %s: open for writing fails with EROFS", path);
    }
}

static void
group_paths(inside_t *t)
{
  json_t *masked = jget(t->config, "linux.maskedPaths"), *ro = jget(t->config, "linux.readonlyPaths");
  size_t i;
  json_t *v;

  if (json_array_size(masked) == 0)
    inside_skip(t, S_MASKED, "no maskedPaths in the config", "maskedPaths");
  json_array_foreach(masked, i, v) check_masked(t, json_string_value(v));
  if (json_array_size(ro) == 0)
    inside_skip(t, S_READONLY, "no readonlyPaths in the config", "readonlyPaths");
  json_array_foreach(ro, i, v) check_readonly(t, json_string_value(v));
}

/* ---- devices ----------------------------------------------------------- */

static void
check_device(inside_t *t, const char *spec, const char *path, char type, unsigned maj, unsigned min,
             long mode, long long uid, long long gid)
{
  cleanup_free char *p = rpath(t, path);
  struct stat st;
  char g[128], w[128];
  char have_type;

  if (lstat(p, &st) < 0)
    {
      snprintf(g, sizeof g, "%s", strerror(errno));
      snprintf(w, sizeof w, "%c %u:%u", type, maj, min);
      inside_report(t, false, spec, g, w, "device %s exists", path);
      return;
    }
  have_type = S_ISCHR(st.st_mode) ? 'c' : S_ISBLK(st.st_mode) ? 'b' : S_ISFIFO(st.st_mode) ? 'p' : '?';
  snprintf(g, sizeof g, "%c %u:%u", have_type, major(st.st_rdev), minor(st.st_rdev));
  if (type == 'p')
    snprintf(w, sizeof w, "p 0:0");
  else
    snprintf(w, sizeof w, "%c %u:%u", type == 'u' ? 'c' : type, maj, min);
  report_str(t, spec, g, w, path);
  if (mode >= 0)
    {
      snprintf(g, sizeof g, "%04o", (unsigned)(st.st_mode & 07777));
      snprintf(w, sizeof w, "%04lo", mode);
      inside_report(t, strcmp(g, w) == 0, spec, g, w, "%s mode %s", path, w);
    }
  if (uid >= 0 || gid >= 0)
    {
      snprintf(g, sizeof g, "%u:%u", (unsigned)st.st_uid, (unsigned)st.st_gid);
      snprintf(w, sizeof w, "%lld:%lld", uid >= 0 ? uid : (long long)st.st_uid,
               gid >= 0 ? gid : (long long)st.st_gid);
      inside_report(t, strcmp(g, w) == 0, spec, g, w, "%s owner uid:gid", path);
    }
}

static void
group_devices(inside_t *t)
{
  /* config-linux.md "Default Devices": char devices a runtime MUST supply. */
  static const struct
  {
    const char *path;
    unsigned maj, min;
  } defaults[] = { { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
                   { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 } };
  /* runtime-spec runtime.md... config-linux.md "Default File Systems" and the
     /dev symlinks every runtime makes (runc, crun: "dev symbolic links"). */
  static const struct
  {
    const char *path, *target;
  } links[] = { { "/dev/fd", "/proc/self/fd" },
                { "/dev/stdin", "/proc/self/fd/0" },
                { "/dev/stdout", "/proc/self/fd/1" },
                { "/dev/stderr", "/proc/self/fd/2" },
                { "/dev/ptmx", "pts/ptmx" } };
  json_t *devs = jget(t->config, "linux.devices");
  size_t i;
  json_t *d;

  for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
    check_device(t, S_DEFDEV, defaults[i].path, 'c', defaults[i].maj, defaults[i].min, 0666, -1, -1);
  for (i = 0; i < sizeof links / sizeof links[0]; i++)
    {
      cleanup_free char *p = rpath(t, links[i].path);
      char buf[PATH_MAX];
      ssize_t n = readlink(p, buf, sizeof buf - 1);
      buf[n > 0 ? n : 0] = '\0';
      report_str(t, S_DEVLINKS, n > 0 ? buf : strerror(errno), links[i].target, links[i].path);
    }
  json_array_foreach(devs, i, d)
  {
    const char *path = json_string_value(json_object_get(d, "path"));
    const char *type = json_string_value(json_object_get(d, "type"));
    json_t *mode = json_object_get(d, "fileMode"), *uid = json_object_get(d, "uid"),
           *gid = json_object_get(d, "gid");
    if (!path || !type)
      continue;
    check_device(t, S_DEVICES, path, type[0], (unsigned)json_integer_value(json_object_get(d, "major")),
                 (unsigned)json_integer_value(json_object_get(d, "minor")),
                 mode ? (long)(json_integer_value(mode) & 07777) : -1, uid ? json_integer_value(uid) : -1,
                 gid ? json_integer_value(gid) : -1);
  }
}

/* ---- sysctl ------------------------------------------------------------ */

static void
group_sysctl(inside_t *t)
{
  json_t *sysctl = jget(t->config, "linux.sysctl");
  const char *key;
  json_t *v;

  if (json_object_size(sysctl) == 0)
    {
      inside_skip(t, S_SYSCTL, "no sysctl in the config", "linux.sysctl");
      return;
    }
  json_object_foreach(sysctl, key, v)
  {
    cleanup_free char *rel = xasprintf("sys/%s", key);
    cleanup_free char *got = NULL;
    cleanup_free char *want = xstrdup(json_string_value(v) ? json_string_value(v) : "");
    for (char *c = rel + 4; *c; c++)
      if (*c == '.')
        *c = '/';
    got = read_proc(t, rel);
    /* Multi-value entries read back tab-separated. */
    for (char *c = got; c && *c; c++)
      if (*c == '\t')
        *c = ' ';
    if (got)
      chomp(got);
    report_str(t, S_SYSCTL, got, want, key);
  }
}

/* ---- namespaces -------------------------------------------------------- */

static void
group_ns(inside_t *t)
{
  static const struct
  {
    const char *type, *file;
  } kinds[] = { { "pid", "pid" }, { "network", "net" }, { "mount", "mnt" },     { "ipc", "ipc" },
                { "uts", "uts" }, { "user", "user" },   { "cgroup", "cgroup" }, { "time", "time" } };
  json_t *nss = jget(t->config, "linux.namespaces");

  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    {
      cleanup_free char *link = xasprintf("%s/self/ns/%s", t->proc, kinds[k].file);
      const char *host = json_string_value(json_object_get(t->host, kinds[k].file));
      const char *path = NULL, *target;
      bool listed = false;
      char self[128];
      ssize_t n;
      size_t i;
      json_t *ns;

      json_array_foreach(
          nss, i, ns) if (strcmp(json_string_value(json_object_get(ns, "type")) ?: "", kinds[k].type) == 0)
      {
        listed = true;
        path = json_string_value(json_object_get(ns, "path"));
      }
      n = readlink(link, self, sizeof self - 1);
      if (n < 0)
        {
          inside_skip(t, S_NS, "this kernel has no such namespace", "namespace %s", kinds[k].type);
          continue;
        }
      self[n] = '\0';
      if (!t->host || !host)
        {
          inside_skip(t, S_NS, "no host namespace ids given (--host)", "namespace %s", kinds[k].type);
          continue;
        }
      if (listed && path)
        {
          target = json_string_value(json_object_get(t->host, path));
          if (!target)
            inside_skip(t, S_NS, "the target's id not given (--host)", "namespace %s joined at %s",
                        kinds[k].type, path);
          else
            inside_report(t, strcmp(self, target) == 0, S_NS, self, target, "namespace %s is the one at %s",
                          kinds[k].type, path);
        }
      else if (listed)
        inside_report(t, strcmp(self, host) != 0, S_NS, self, "not the host's", "namespace %s is new",
                      kinds[k].type);
      else
        inside_report(t, strcmp(self, host) == 0, S_NS, self, host,
                      "namespace %s not listed: the runtime's (host's) is shared", kinds[k].type);
    }
}

/* ---- seccomp ----------------------------------------------------------- */

/* Syscalls this checker can make harmlessly to see a profile's action. */
static long
probe_syscall(const char *name, bool *known)
{
  *known = true;
  errno = 0;
  if (strcmp(name, "mkdir") == 0 || strcmp(name, "mkdirat") == 0)
    return syscall(SYS_mkdirat, AT_FDCWD, "/.ocitest-seccomp-probe", 0700);
  if (strcmp(name, "uname") == 0)
    {
      struct utsname u;
      return syscall(SYS_uname, &u);
    }
  /* setns(-1, 0) does nothing: EBADF without a filter, errnoRet with one
     (engine profiles, podman's among them, deny setns without CAP_SYS_ADMIN).  */
  if (strcmp(name, "setns") == 0)
    return syscall(SYS_setns, -1, 0);
  if (strcmp(name, "getcwd") == 0)
    {
      char buf[PATH_MAX];
      return syscall(SYS_getcwd, buf, sizeof buf);
    }
  *known = false;
  return 0;
}

/* Whether NAME is in a rule of RULES whose action is not SCMP_ACT_ERRNO.  A
   name listed under two actions (podman's profile allows setns in its main
   list and denies it in another rule) gets whichever libseccomp lets win, so
   it is no probe of the ERRNO rule.  */
static bool
named_elsewhere(json_t *rules, const char *name)
{
  size_t i, j;
  json_t *r, *nm;

  json_array_foreach(rules, i, r)
  {
    const char *action = json_string_value(json_object_get(r, "action"));
    if (action && strcmp(action, "SCMP_ACT_ERRNO") == 0)
      continue;
    json_array_foreach(json_object_get(r, "names"), j,
                       nm) if (json_is_string(nm) && strcmp(json_string_value(nm), name) == 0) return true;
  }
  return false;
}

static void
group_seccomp(inside_t *t)
{
  json_t *sc = jget(t->config, "linux.seccomp");
  json_t *rules = json_object_get(sc, "syscalls");
  cleanup_free char *status = read_proc(t, "self/status");
  cleanup_free char *mode = status ? status_field(status, "Seccomp") : NULL;
  const char *host = json_string_value(json_object_get(t->host, "seccomp"));
  size_t i;
  json_t *r;
  bool probed = false;

  /* Without a profile the process keeps the runtime's own mode. */
  report_str(t, S_SECCOMP, mode,
             sc     ? "2"
             : host ? host
                    : "0",
             sc ? "seccomp filter mode (Seccomp: 2)" : "no seccomp filter of the runtime's own");
  json_array_foreach(rules, i, r)
  {
    const char *action = json_string_value(json_object_get(r, "action"));
    json_t *eret = json_object_get(r, "errnoRet");
    size_t j;
    json_t *nm;
    if (!action || strcmp(action, "SCMP_ACT_ERRNO") != 0)
      continue;
    json_array_foreach(json_object_get(r, "names"), j, nm)
    {
      bool known;
      long rc;
      int e;
      char g[64], w[64];
      if (probed || !json_is_string(nm) || named_elsewhere(rules, json_string_value(nm)))
        continue;
      rc = probe_syscall(json_string_value(nm), &known);
      e = errno;
      if (!known)
        continue;
      probed = true;
      rmdir("/.ocitest-seccomp-probe");
      snprintf(g, sizeof g, rc < 0 ? "errno %d" : "success", e);
      snprintf(w, sizeof w, "errno %lld", eret ? (long long)json_integer_value(eret) : (long long)EPERM);
      report_str(t, S_SECCOMP, g, w, json_string_value(nm));
      fprintf(t->out, "# (seccomp probe of %s: SCMP_ACT_ERRNO returns errnoRet, EPERM by default)\n",
              json_string_value(nm));
    }
  }
  if (sc && !probed)
    inside_skip(t, S_SECCOMP, "no SCMP_ACT_ERRNO rule on a syscall this checker can probe", "seccomp probe");
}

/* ---- user namespace mappings --------------------------------------------- */

static void
check_map(inside_t *t, const char *file, json_t *maps, const char *what)
{
  cleanup_free char *text = read_proc(t, file);
  char got[512] = "", want[512] = "";
  char *save = NULL;
  size_t i;
  json_t *m;

  for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
    {
      unsigned long a, b, c;
      if (sscanf(l, "%lu %lu %lu", &a, &b, &c) == 3)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lu %lu %lu", *got ? ";" : "", a, b, c);
    }
  json_array_foreach(maps, i, m)
      snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld %lld %lld", i ? ";" : "",
               (long long)json_integer_value(json_object_get(m, "containerID")),
               (long long)json_integer_value(json_object_get(m, "hostID")),
               (long long)json_integer_value(json_object_get(m, "size")));
  report_str(t, S_IDMAP, got, want, what);
}

static void
group_idmap(inside_t *t)
{
  json_t *u = jget(t->config, "linux.uidMappings"), *g = jget(t->config, "linux.gidMappings");

  if (!u && !g)
    {
      inside_skip(t, S_IDMAP, "no uidMappings/gidMappings in the config", "uid/gid mappings");
      return;
    }
  check_map(t, "self/uid_map", u, "uidMappings (/proc/self/uid_map)");
  check_map(t, "self/gid_map", g, "gidMappings (/proc/self/gid_map)");
}

/* ---- driver ------------------------------------------------------------- */

const struct inside_group_s inside_groups[] = {
  { "process", group_process },
  { "caps", group_caps },
  { "uts", group_uts },
  { "root", group_root },
  { "mounts", group_mounts },
  { "paths", group_paths },
  { "devices", group_devices },
  { "sysctl", group_sysctl },
  { "ns", group_ns },
  { "seccomp", group_seccomp },
  { "idmap", group_idmap },
  { "home", group_home },
  { NULL, NULL },
};

int
inside_run(inside_t *t, const char *only, ocitest_error_t *err)
{
  if (!only)
    {
      for (const struct inside_group_s *g = inside_groups; g->name; g++)
        g->run(t);
      return 0;
    }
  {
    cleanup_free char *copy = xstrdup(only);
    char *save = NULL;
    for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save))
      {
        const struct inside_group_s *g = inside_groups;
        while (g->name && strcmp(g->name, name) != 0)
          g++;
        if (!g->name)
          return ocitest_usage_error(err, "--only: unknown group `%s`", name);
        g->run(t);
      }
  }
  return 0;
}

int
inside_read_host(const char *path, json_t **out, ocitest_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  char *save = NULL;
  json_t *o;

  if (read_file(path, 1 << 20, &text, &len, err) < 0)
    return -1;
  o = json_object();
  for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
    {
      char *sp = strchr(l, ' ');
      if (!sp)
        continue;
      *sp = '\0';
      json_object_set_new(o, l, json_string(sp + 1));
    }
  *out = o;
  return 0;
}
