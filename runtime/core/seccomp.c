/* linux.seccomp (runtime-spec config-linux.md "Seccomp") with libseccomp:
   parsed and checked at create (errors name the field), compiled and
   loaded by the init right before exec.  Syscall names this architecture
   does not know are skipped, as runc does: profiles list syscalls of
   every architecture.  */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "security.h"
#include "spec.h"
#include "utils.h"

#define cfg_error(err, field, fmt, ...)                                                                      \
  box_make_error(err, 0, "config.json: `%s`: " fmt, field, ##__VA_ARGS__)
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 6

struct sc_rule_s
{
  char **names;
  uint32_t action;
  struct scmp_arg_cmp args[MAX_ARGS];
  unsigned n_args;
};

struct box_seccomp_s
{
  uint32_t default_action;
  uint32_t *archs;
  size_t n_archs;
  struct sc_rule_s *rules;
  size_t n_rules;
  bool log, ssb, tsync; /* flags */
  bool notify;          /* some rule's action is SCMP_ACT_NOTIFY */
  char *listener_path, *listener_metadata;
};

const char *const box_seccomp_actions[] = {
  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY", NULL
};
const char *const box_seccomp_operators[]
    = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };
const char *const box_seccomp_archs[] = { "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",
                                          "SCMP_ARCH_ARM",      "SCMP_ARCH_AARCH64",     "SCMP_ARCH_MIPS",
                                          "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
                                          "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
                                          "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",
                                          "SCMP_ARCH_S390X",    "SCMP_ARCH_RISCV64",     NULL };

/* An action name plus its errno (errnoRet, default EPERM like runc).  */
static int
parse_action(const char *name, json_t *errno_ret, const char *field, uint32_t *out, box_error_t *err)
{
  int ret = EPERM;

  if (errno_ret)
    {
      if (!json_is_integer(errno_ret) || json_integer_value(errno_ret) < 0
          || json_integer_value(errno_ret) > 0xffff)
        return cfg_error(err, field, "errnoRet must be an integer from 0 to 65535");
      ret = (int)json_integer_value(errno_ret);
    }
  if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO((uint32_t)ret);
  else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE((uint32_t)ret);
  else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp(name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
    *out = SCMP_ACT_NOTIFY;
  else
    return cfg_error(err, field, "unknown action `%s`", name);
  return 0;
}

static int
parse_op(const char *name, enum scmp_compare *op)
{
  static const enum scmp_compare ops[]
      = { SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ };
  size_t i;

  for (i = 0; i < N_ELEMS(ops); i++)
    if (strcmp(box_seccomp_operators[i], name) == 0)
      {
        *op = ops[i];
        return 0;
      }
  return -1;
}

static int
parse_arg(json_t *a, const char *field, struct scmp_arg_cmp *out, box_error_t *err)
{
  json_t *index = json_object_get(a, "index"), *value = json_object_get(a, "value");
  json_t *two = json_object_get(a, "valueTwo"), *op = json_object_get(a, "op");
  enum scmp_compare cmp;

  if (!json_is_object(a))
    return cfg_error(err, field, "must be an object");
  if (!json_is_integer(index) || json_integer_value(index) < 0 || json_integer_value(index) >= MAX_ARGS)
    return cfg_error(err, field, "index must be an integer from 0 to 5");
  if (!json_is_integer(value) || (two && !json_is_integer(two)))
    return cfg_error(err, field, "value and valueTwo must be integers");
  if (!json_is_string(op) || parse_op(json_string_value(op), &cmp) < 0)
    return cfg_error(err, field, "unknown operator `%s`",
                     json_is_string(op) ? json_string_value(op) : "(none)");
  *out = (struct scmp_arg_cmp){ .arg = (unsigned)json_integer_value(index),
                                .op = cmp,
                                .datum_a = (scmp_datum_t)json_integer_value(value),
                                .datum_b = two ? (scmp_datum_t)json_integer_value(two) : 0 };
  return 0;
}

static int
parse_rule(json_t *r, const char *field, struct sc_rule_s *out, box_error_t *err)
{
  cleanup_free char *f = xasprintf("%s.names", field);
  json_t *names = json_object_get(r, "names"), *action = json_object_get(r, "action"), *args, *e;
  size_t i;

  if (!json_is_object(r))
    return cfg_error(err, field, "must be an object");
  if (!json_is_array(names) || json_array_size(names) == 0)
    return cfg_error(err, f, "must be a non-empty array of strings");
  out->names = xcalloc(json_array_size(names) + 1, sizeof(char *));
  json_array_foreach(names, i, e)
  {
    if (!json_is_string(e))
      return cfg_error(err, f, "must be a non-empty array of strings");
    out->names[i] = xstrdup(json_string_value(e));
  }
  free(f), f = xasprintf("%s.action", field);
  if (!json_is_string(action))
    return cfg_error(err, f, "required");
  if (parse_action(json_string_value(action), json_object_get(r, "errnoRet"), f, &out->action, err) < 0)
    return -1;
  args = json_object_get(r, "args");
  if (args && (!json_is_array(args) || json_array_size(args) > MAX_ARGS))
    return cfg_error(err, field, "args must be an array of at most 6 objects");
  json_array_foreach(args, i, e)
  {
    free(f), f = xasprintf("%s.args[%zu]", field, i);
    if (parse_arg(e, f, &out->args[i], err) < 0)
      return -1;
    out->n_args = (unsigned)i + 1;
  }
  return 0;
}

static int
parse_archs(json_t *list, struct box_seccomp_s *sc, box_error_t *err)
{
  json_t *e;
  size_t i, k;

  if (list == NULL)
    return 0;
  if (!json_is_array(list))
    return cfg_error(err, "linux.seccomp.architectures", "must be an array");
  sc->archs = xcalloc(json_array_size(list) + 1, sizeof(uint32_t));
  json_array_foreach(list, i, e)
  {
    cleanup_free char *lower = NULL;
    const char *name = json_is_string(e) ? json_string_value(e) : "";
    if (strncmp(name, "SCMP_ARCH_", 10) != 0)
      return cfg_error(err, "linux.seccomp.architectures", "unknown architecture `%s`", name);
    /* libseccomp spells SCMP_ARCH_X86_64 as "x86_64".  */
    lower = xstrdup(name + 10);
    for (k = 0; lower[k]; k++)
      lower[k] = (char)(lower[k] >= 'A' && lower[k] <= 'Z' ? lower[k] - 'A' + 'a' : lower[k]);
    sc->archs[i] = seccomp_arch_resolve_name(lower);
    if (sc->archs[i] == 0)
      return cfg_error(err, "linux.seccomp.architectures", "unknown architecture `%s`", name);
    sc->n_archs = i + 1;
  }
  return 0;
}

/* flags: the three runc and the spec know; anything else is an error.  */
static int
parse_flags(json_t *list, struct box_seccomp_s *sc, box_error_t *err)
{
  json_t *e;
  size_t i;

  if (list && !json_is_array(list))
    return cfg_error(err, "linux.seccomp.flags", "must be an array");
  json_array_foreach(list, i, e)
  {
    const char *f = json_is_string(e) ? json_string_value(e) : "";
    if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
      sc->log = true;
    else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
      sc->ssb = true;
    else if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
      sc->tsync = true;
    else
      return cfg_error(err, "linux.seccomp.flags", "unknown flag `%s`", f);
  }
  return 0;
}

/* listenerPath and listenerMetadata (config-linux.md "Seccomp"):
   "listenerMetadata ... MUST NOT be set if listenerPath is not set".  */
static int
parse_listener(json_t *j, struct box_seccomp_s *sc, box_error_t *err)
{
  json_t *path = json_object_get(j, "listenerPath"), *meta = json_object_get(j, "listenerMetadata");
  struct sockaddr_un addr;

  if (path && (!json_is_string(path) || json_string_value(path)[0] == '\0'))
    return cfg_error(err, "linux.seccomp.listenerPath", "must be a non-empty string");
  if (meta && !json_is_string(meta))
    return cfg_error(err, "linux.seccomp.listenerMetadata", "must be a string");
  if (meta && !path)
    return cfg_error(err, "linux.seccomp.listenerMetadata", "MUST NOT be set if listenerPath is not set");
  if (path && strlen(json_string_value(path)) >= sizeof(addr.sun_path))
    return cfg_error(err, "linux.seccomp.listenerPath", "longer than a unix socket path may be (%zu bytes)",
                     sizeof(addr.sun_path) - 1);
  sc->listener_path = path ? xstrdup(json_string_value(path)) : NULL;
  sc->listener_metadata = meta ? xstrdup(json_string_value(meta)) : NULL;
  return 0;
}

/* SCMP_ACT_NOTIFY: the init loads the filter, then hands the listener to
   `create` with sendmsg(2) on the sync socket; until the agent has it, a
   notified syscall of the init would wait for nobody.  So not as the
   default action (every syscall), nor for sendmsg; and not without a
   listenerPath (runc: "listenerPath is not set"): the fd would have no
   reader and every notified syscall fail with ENOSYS.  */
static int
check_notify(const struct box_seccomp_s *sc, box_error_t *err)
{
  size_t i, k;

  if (sc->default_action == SCMP_ACT_NOTIFY)
    return cfg_error(err, "linux.seccomp.defaultAction",
                     "`SCMP_ACT_NOTIFY` cannot be the default action "
                     "(the runtime's own syscalls would wait for the agent)");
  for (i = 0; i < sc->n_rules; i++)
    for (k = 0; sc->rules[i].action == SCMP_ACT_NOTIFY && sc->rules[i].names[k]; k++)
      if (strcmp(sc->rules[i].names[k], "sendmsg") == 0)
        return cfg_error(err, "linux.seccomp.syscalls",
                         "`SCMP_ACT_NOTIFY` cannot be used for `sendmsg` (box "
                         "passes the listener to the agent with it)");
  if (sc->notify && sc->listener_path == NULL)
    return cfg_error(err, "linux.seccomp.listenerPath", "required when a rule's action is `SCMP_ACT_NOTIFY`");
#ifdef BOX_BROKEN_REFUSES_UNUSED_LISTENER
  /* Broken on purpose (harness/tests/broken/refuses-unused-listener).  */
  if (!sc->notify && sc->listener_path)
    return cfg_error(err, "linux.seccomp.listenerPath", "set, but no rule's action is `SCMP_ACT_NOTIFY`");
#endif
  return 0;
}

static int
parse_seccomp_body(json_t *j, struct box_seccomp_s *sc, box_error_t *err)
{
  json_t *def = json_object_get(j, "defaultAction"), *rules = json_object_get(j, "syscalls"), *r;
  size_t i;

  if (parse_listener(j, sc, err) < 0)
    return -1;
  if (!json_is_string(def))
    return cfg_error(err, "linux.seccomp.defaultAction", "required");
  if (parse_action(json_string_value(def), json_object_get(j, "defaultErrnoRet"),
                   "linux.seccomp.defaultAction", &sc->default_action, err)
          < 0
      || parse_archs(json_object_get(j, "architectures"), sc, err) < 0
      || parse_flags(json_object_get(j, "flags"), sc, err) < 0)
    return -1;
  if (rules && !json_is_array(rules))
    return cfg_error(err, "linux.seccomp.syscalls", "must be an array");
  sc->rules = xcalloc(json_array_size(rules) + 1, sizeof(*sc->rules));
  json_array_foreach(rules, i, r)
  {
    cleanup_free char *field = xasprintf("linux.seccomp.syscalls[%zu]", i);
    sc->n_rules = i + 1;
    if (parse_rule(r, field, &sc->rules[i], err) < 0)
      return -1;
    sc->notify |= sc->rules[i].action == SCMP_ACT_NOTIFY;
  }
  return check_notify(sc, err);
}

static int check_filter(const struct box_seccomp_s *sc, box_error_t *err);

int
box_seccomp_parse(json_t *j, struct box_seccomp_s **out, box_error_t *err)
{
  struct box_seccomp_s *sc;

  if (j == NULL || json_is_null(j))
    return 0;
  if (!json_is_object(j))
    return cfg_error(err, "linux.seccomp", "must be an object");
  sc = *out = xcalloc(1, sizeof(*sc));
  if (parse_seccomp_body(j, sc, err) < 0)
    return -1;
  return check_filter(sc, err);
}

void
box_seccomp_free(struct box_seccomp_s *sc)
{
  size_t i, k;

  if (sc == NULL)
    return;
  for (i = 0; i < sc->n_rules; i++)
    {
      for (k = 0; sc->rules[i].names && sc->rules[i].names[k]; k++)
        free(sc->rules[i].names[k]);
      free(sc->rules[i].names);
    }
  free(sc->rules);
  free(sc->archs);
  free(sc->listener_path);
  free(sc->listener_metadata);
  free(sc);
}

/* runc: several conditions on the same argument are alternatives (one
   rule each); on distinct arguments they must all hold (one rule).  */
static int
add_rule(scmp_filter_ctx ctx, const struct sc_rule_s *r, int nr, box_error_t *err)
{
  bool same_index = false;
  unsigned i, k;
  int rc = 0;

  for (i = 0; i < r->n_args; i++)
    for (k = i + 1; k < r->n_args; k++)
      same_index |= r->args[i].arg == r->args[k].arg;
  if (!same_index)
    rc = seccomp_rule_add_array(ctx, r->action, nr, r->n_args, r->args);
  for (i = 0; same_index && i < r->n_args && rc == 0; i++)
    rc = seccomp_rule_add_array(ctx, r->action, nr, 1, &r->args[i]);
  if (rc < 0)
    return box_make_error(err, -rc, "linux.seccomp: add rule for syscall %d", nr);
  return 0;
}

static int
add_rules(scmp_filter_ctx ctx, const struct box_seccomp_s *sc, box_error_t *err)
{
  size_t i, k;
  int nr;

  for (i = 0; i < sc->n_rules; i++)
    {
      /* libseccomp refuses a rule whose action is the default one.  */
      if (sc->rules[i].action == sc->default_action)
        continue;
      for (k = 0; sc->rules[i].names[k]; k++)
        {
          nr = seccomp_syscall_resolve_name(sc->rules[i].names[k]);
          if (nr == __NR_SCMP_ERROR)
            {
              box_log_debug("linux.seccomp: unknown syscall `%s`, skipped", sc->rules[i].names[k]);
              continue;
            }
          if (add_rule(ctx, &sc->rules[i], nr, err) < 0)
            return box_error_wrap(err, "`%s`", sc->rules[i].names[k]);
        }
    }
  return 0;
}

static void
cleanup_filter(scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release(*ctx);
}

/* Compile sc into a libseccomp context (not loaded).  */
static int
build_filter(const struct box_seccomp_s *sc, scmp_filter_ctx *out, box_error_t *err)
{
  __attribute__((cleanup(cleanup_filter))) scmp_filter_ctx ctx = seccomp_init(sc->default_action);
  size_t i;
  int rc;

  if (ctx == NULL)
    return box_make_error(err, EINVAL, "linux.seccomp: seccomp_init");
  for (i = 0; i < sc->n_archs; i++)
    if ((rc = seccomp_arch_add(ctx, sc->archs[i])) < 0 && rc != -EEXIST)
      return box_make_error(err, -rc, "linux.seccomp: add architecture");
  /* We set NO_NEW_PRIVS ourselves (noNewPrivileges); libseccomp must not.  */
  if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0
      || (sc->log && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)) < 0)
      || (sc->ssb && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1)) < 0)
      || (sc->tsync && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0))
    return box_make_error(err, -rc, "linux.seccomp: set filter attribute");
  if (add_rules(ctx, sc, err) < 0)
    return -1;
  *out = steal_pointer(&ctx);
  return 0;
}

const char *
box_seccomp_listener(const struct box_seccomp_s *sc)
{
  /* "If the SCMP_ACT_NOTIFY action is not used this value is ignored."  */
  return sc && sc->notify ? sc->listener_path : NULL;
}

int
box_seccomp_load(const struct box_seccomp_s *sc, int listener_sync_fd, box_error_t *err)
{
  __attribute__((cleanup(cleanup_filter))) scmp_filter_ctx ctx = NULL;
  cleanup_close int notify_fd = -1;
  int rc;

  if (sc == NULL)
    return 0;
  if (build_filter(sc, &ctx, err) < 0)
    return -1;
  if ((rc = seccomp_load(ctx)) < 0)
    return box_make_error(err, -rc, "linux.seccomp: load filter");
  if (!sc->notify)
    return 0;
  /* libseccomp loaded it with SECCOMP_FILTER_FLAG_NEW_LISTENER; the fd is
     close-on-exec, and ours: without someone to pass it to (an exec'd
     process) it is closed, so its notified syscalls fail with ENOSYS
     rather than wait on a listener the process itself holds.  */
  notify_fd = seccomp_notify_fd(ctx);
  if (notify_fd < 0)
    return box_make_error(err, -notify_fd, "linux.seccomp: get the notify fd");
  if (listener_sync_fd >= 0 && box_seccomp_send_listener_fd(listener_sync_fd, notify_fd, err) < 0)
    return -1;
  return 0;
}

/* One sendmsg(2) with fd in SCM_RIGHTS and payload.  Returns 0, or -1
   with errno set.  */
static int
send_with_fd(int sock, int fd, const char *payload, size_t len)
{
  union
  {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
  struct cmsghdr *cm;
  ssize_t n;

  memset(&ctl, 0, sizeof(ctl));
  cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  n = TEMP_FAILURE_RETRY(sendmsg(sock, &msg, MSG_NOSIGNAL));
  if (n >= 0 && (size_t)n != len)
    errno = EMSGSIZE;
  return n >= 0 && (size_t)n == len ? 0 : -1;
}

/* The container process state (config-linux.md "The Container Process
   State"): ociVersion, fds, pid, metadata, state, all REQUIRED but fds
   and metadata.  */
static char *
process_state(const struct box_seccomp_s *sc, pid_t pid, const char *state_json)
{
  json_t *state = json_loads(state_json, 0, NULL), *o;
  char *s;

  if (state == NULL)
    abort();
#ifdef BOX_BROKEN_SECCOMP_STATE_WRONG
  /* Broken on purpose (harness/tests/broken/seccomp-state-wrong): box's
     own pid, and no metadata.  */
  pid = getpid();
  o = json_pack("{s:s, s:[s], s:I, s:o}", "ociVersion", BOX_OCI_VERSION, "fds", "seccompFd", "pid",
                (json_int_t)pid, "state", state);
  if (o == NULL)
    abort();
  if (0)
#else
  o = json_pack("{s:s, s:[s], s:I, s:o}", "ociVersion", BOX_OCI_VERSION, "fds", "seccompFd", "pid",
                (json_int_t)pid, "state", state);
  if (o == NULL)
    abort();
  if (sc->listener_metadata)
#endif
    json_object_set_new(o, "metadata", json_string(sc->listener_metadata));
  s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (s == NULL)
    abort();
  return s;
}

int
box_seccomp_send_state(const struct box_seccomp_s *sc, int notify_fd, pid_t pid, const char *state_json,
                       box_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_free char *doc = process_state(sc, pid, state_json);
  cleanup_close int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (sock < 0)
    return box_make_error(err, errno, "linux.seccomp.listenerPath: socket");
  /* "This socket MUST use AF_UNIX domain and SOCK_STREAM type."  The
     length was checked at parse time.  */
  memcpy(addr.sun_path, sc->listener_path, strlen(sc->listener_path) + 1);
  if (TEMP_FAILURE_RETRY(connect(sock, (struct sockaddr *)&addr, sizeof(addr))) < 0)
    return box_make_error(err, errno, "config.json: `linux.seccomp.listenerPath`: connect to `%s`",
                          sc->listener_path);
  /* "If sending to this socket fails, the runtime MUST generate an
     error."  One state per connection, in one sendmsg with the fd; "the
     connection MUST NOT be reused and it MUST be closed after sending"
     (cleanup_close, on return).  */
  if (send_with_fd(sock, notify_fd, doc, strlen(doc)) < 0)
    return box_make_error(err, errno, "config.json: `linux.seccomp.listenerPath`: send the state to `%s`",
                          sc->listener_path);
  return 0;
}

/* At create: a filter libseccomp refuses (say, rules that contradict
   each other) fails `create`, not the exec after `start`.  */
static int
check_filter(const struct box_seccomp_s *sc, box_error_t *err)
{
  __attribute__((cleanup(cleanup_filter))) scmp_filter_ctx ctx = NULL;

  if (build_filter(sc, &ctx, err) < 0)
    return box_error_wrap(err, "config.json");
  return 0;
}
