/* The security part of config.json (security.c, seccomp.c, paths.c) and
   the features document: every rejection names the JSON field, and the
   capability sets come out as the bits the kernel expects.  */
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "linux.h"
#include "security.h"
#include "spec.h"
#include "spec_features.h"
#include "tap.h"
#include "utils.h"

#define HEAD "\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
#define NS "\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"}, {\"type\": \"ipc\"}]"

/* A document with `process_extra` inside process and `linux_extra` inside
   linux (each "" or a leading ", k: v" list).  */
static char *
doc(const char *top, const char *process_extra, const char *linux_extra)
{
  return xasprintf("{" HEAD "%s \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"%s}, \"linux\": {" NS "%s}}",
                   top, process_extra, linux_extra);
}

/* Rejected, and the message contains want1 (and want2).  */
static void
check_raw(const char *desc, const char *json, const char *want1, const char *want2)
{
  box_config_t *c = NULL;
  box_error_t err = NULL;

  box_config_parse(json, strlen(json), &c, &err);
  tap_ok(c == NULL && err && tap_contains(err->msg, want1)
             && (want2 == NULL || tap_contains(err->msg, want2)),
         "rejects %s", desc);
  tap_diag("%s", err ? err->msg : "(no error)");
  box_config_free(c);
  box_error_release(&err);
}

/* Same, for a document made by doc().  */
static void
check_error(const char *desc, const char *top, const char *proc, const char *lin, const char *want1,
            const char *want2)
{
  cleanup_free char *json = doc(top, proc, lin);
  check_raw(desc, json, want1, want2);
}

static void
test_process_errors(void)
{
  check_error("a capability list of the wrong type", "", ", \"capabilities\": {\"ambient\": \"CAP_KILL\"}",
              "", "`process.capabilities.ambient`", "array");
  check_error("an unknown rlimit type", "",
              ", \"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"hard\": 1, \"soft\": 1}]", "",
              "`process.rlimits[0].type`", "RLIMIT_FOO");
  check_error("an rlimit without hard", "", ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]", "",
              "`process.rlimits[0].hard`", "required");
  check_error("soft above hard", "",
              ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 2}]", "",
              "`process.rlimits[0]`", "exceeds");
  check_error("a duplicate rlimit", "",
              ", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"hard\": 1, \"soft\": 1},"
              " {\"type\": \"RLIMIT_CORE\", \"hard\": 1, \"soft\": 1}]",
              "", "`process.rlimits[1].type`", "duplicate");
  check_error("noNewPrivileges of the wrong type", "", ", \"noNewPrivileges\": 1", "",
              "`process.noNewPrivileges`", "boolean");
  check_error("oomScoreAdj out of range", "", ", \"oomScoreAdj\": 1001", "", "`process.oomScoreAdj`",
              "-1000");
  check_error("an apparmor profile", "", ", \"apparmorProfile\": \"docker-default\"", "",
              "`process.apparmorProfile`", "not supported");
  check_error("a scheduler", "", ", \"scheduler\": {\"policy\": \"SCHED_OTHER\"}", "", "`process.scheduler`",
              "not supported");
  check_error("an selinux label", "", ", \"selinuxLabel\": \"system_u:system_r:container_t\"", "",
              "`process.selinuxLabel`", "not supported");
}

static void
test_linux_errors(void)
{
  check_error("a non-namespaced sysctl", "", "", ", \"sysctl\": {\"kernel.panic\": \"1\"}", "`linux.sysctl`",
              "kernel.panic");
  check_error("a net sysctl without a network namespace", "", "",
              ", \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}", "`linux.sysctl`", "network");
  check_error("a sysctl value of the wrong type", "", "", ", \"sysctl\": {\"kernel.shmmax\": 1}",
              "`linux.sysctl`", "string");
  check_raw("domainname without a uts namespace",
            "{" HEAD "\"domainname\": \"x\", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}",
            "`domainname`", "uts");
  check_error("a bad device type", "", "", ", \"devices\": [{\"path\": \"/dev/x\", \"type\": \"q\"}]",
              "`linux.devices[0].type`", "`c`");
  check_error("a char device without major", "", "",
              ", \"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"minor\": 1}]", "`linux.devices[0]`",
              "major");
  check_error("a relative device path", "", "",
              ", \"devices\": [{\"path\": \"dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1}]",
              "`linux.devices[0].path`", "absolute");
  check_error("a relative masked path", "", "", ", \"maskedPaths\": [\"proc/kcore\"]", "`linux.maskedPaths`",
              "absolute");
  check_error("readonlyPaths of the wrong type", "", "", ", \"readonlyPaths\": \"/proc/sys\"",
              "`linux.readonlyPaths`", "array");
  check_error("an unknown rootfsPropagation", "", "", ", \"rootfsPropagation\": \"sideways\"",
              "`linux.rootfsPropagation`", "sideways");
  check_error("uidMappings", "", "",
              ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]",
              "`linux.uidMappings`", "needs a new `user` namespace");
  check_raw("joining a mount namespace by path",
            "{" HEAD "\"linux\": {\"namespaces\": [{\"type\": \"mount\", \"path\": \"/proc/1/ns/mnt\"}]}}",
            "`linux.namespaces[0].path`", "not supported");
  check_raw(
      "a relative namespace path",
      "{" HEAD
      "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"ns\"}]}}",
      "`linux.namespaces[1].path`", "absolute");
  check_raw("a user namespace without mappings",
            "{" HEAD "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}]}}",
            "`linux.uidMappings`", NULL);
  check_raw("a mapping without its size",
            "{" HEAD "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}],"
            " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000}], \"gidMappings\": []}}",
            "`linux.uidMappings[0].size`", NULL);
}

static void
test_seccomp_errors(void)
{
  check_error("an unknown seccomp default action", "", "",
              ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOPE\"}", "`linux.seccomp.defaultAction`",
              "SCMP_ACT_NOPE");
  check_error(
      "a seccomp rule with an unknown action", "", "",
      ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
      "\"action\": \"SCMP_ACT_MAYBE\"}]}",
      "`linux.seccomp.syscalls[0].action`", "SCMP_ACT_MAYBE");
  check_error("an unknown seccomp operator", "", "",
              ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], "
              "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 9, \"op\": "
              "\"SCMP_CMP_ABOUT\"}]}]}",
              "`linux.seccomp.syscalls[0].args[0]`", "SCMP_CMP_ABOUT");
  check_error(
      "an argument index out of range", "", "",
      ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], "
      "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]}]}",
      "`linux.seccomp.syscalls[0].args[0]`", "index");
  check_error(
      "an unknown seccomp flag", "", "",
      ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_FOO\"]}",
      "`linux.seccomp.flags`", "SECCOMP_FILTER_FLAG_FOO");
  check_error(
      "an unknown architecture", "", "",
      ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
      "`linux.seccomp.architectures`", "SCMP_ARCH_VAX");
  /* config-linux.md "Seccomp": listenerMetadata "MUST NOT be set if
     listenerPath is not set"; a notify rule needs a listener (runc).  */
  check_error("listenerMetadata without listenerPath", "", "",
              ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"m\"}",
              "`linux.seccomp.listenerMetadata`", "listenerPath");
  check_error(
      "a notify rule without listenerPath", "", "",
      ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
      "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
      "`linux.seccomp.listenerPath`", "SCMP_ACT_NOTIFY");
  check_error("SCMP_ACT_NOTIFY as the default action", "", "",
              ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/run/x.sock\"}",
              "`linux.seccomp.defaultAction`", "default");
  check_error("SCMP_ACT_NOTIFY for sendmsg", "", "",
              ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/x.sock\", "
              "\"syscalls\": [{\"names\": [\"sendmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
              "`linux.seccomp.syscalls`", "sendmsg");
}

static box_config_t *
parse_ok(const char *top, const char *proc, const char *lin)
{
  cleanup_free char *json = doc(top, proc, lin);
  box_config_t *c = NULL;
  box_error_t err = NULL;

  if (box_config_parse(json, strlen(json), &c, &err) < 0)
    tap_diag("unexpected error: %s", err->msg);
  box_error_release(&err);
  return c;
}

static void
test_capability_sets(void)
{
  box_config_t *c
      = parse_ok("",
                 ", \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\", \"CAP_SYS_ADMIN\"],"
                 " \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\", \"CAP_CHECKPOINT_RESTORE\"],"
                 " \"ambient\": []}",
                 "");

  if (!tap_ok(c != NULL, "parses a capabilities object"))
    return;
  tap_ok(c->security->has_caps, "capabilities are marked present");
  tap_ok(c->security->caps[BOX_CAP_BOUNDING] == ((1ULL << 0) | (1ULL << 5) | (1ULL << 21)),
         "bounding = CHOWN|KILL|SYS_ADMIN (bits 0, 5, 21)");
  tap_ok(c->security->caps[BOX_CAP_EFFECTIVE] == (1ULL << 5), "effective = KILL");
  tap_ok(c->security->caps[BOX_CAP_PERMITTED] == ((1ULL << 5) | (1ULL << 40)),
         "permitted = KILL|CHECKPOINT_RESTORE");
  tap_ok(c->security->caps[BOX_CAP_INHERITABLE] == 0 && c->security->caps[BOX_CAP_AMBIENT] == 0,
         "absent and empty sets are empty");
  box_config_free(c);
  /* runc and crun ignore a capability they do not know, with a warning.  */
  c = parse_ok("", ", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_UNKNOWN\"]}", "");
  tap_ok(c && c->security->caps[BOX_CAP_BOUNDING] == (1ULL << 5),
         "an unknown capability is ignored: bounding = KILL");
  tap_ok(box_cap_from_name("CAP_NET_RAW") == 13 && strcmp(box_cap_name(39), "CAP_BPF") == 0,
         "name table matches linux/capability.h");
  box_config_free(c);
  c = parse_ok("", "", "");
  tap_ok(c && !c->security->has_caps, "no capabilities object: sets are left alone");
  box_config_free(c);
}

static void
test_valid_fields(void)
{
  box_config_t *c
      = parse_ok("\"domainname\": \"example.org\", ",
                 ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 2048, \"soft\": 1024}],"
                 " \"noNewPrivileges\": true, \"oomScoreAdj\": -500, \"apparmorProfile\": \"\"",
                 ", \"sysctl\": {\"kernel.shmmax\": \"4096\", \"fs.mqueue.msg_max\": \"20\"},"
                 " \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"],"
                 " \"rootfsPropagation\": \"shared\", \"devices\": [{\"path\": \"/dev/fuse\","
                 " \"type\": \"c\", \"major\": 10, \"minor\": 229, \"fileMode\": 438}],"
                 " \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
                 " \"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": [\"read\"],"
                 " \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 0, \"op\": "
                 "\"SCMP_CMP_EQ\"}]}]}");
  const box_security_t *s;

  if (!tap_ok(c != NULL, "parses every supported field"))
    return;
  s = c->security;
  tap_ok(s->n_rlimits == 1 && s->rlimits[0].resource == RLIMIT_NOFILE && s->rlimits[0].soft == 1024
             && s->rlimits[0].hard == 2048,
         "rlimits");
  tap_ok(s->no_new_privs && s->has_oom_score_adj && s->oom_score_adj == -500,
         "noNewPrivileges and oomScoreAdj");
  tap_ok(s->domainname && strcmp(s->domainname, "example.org") == 0, "domainname");
  tap_ok(s->n_sysctl == 2, "ipc sysctls with an ipc namespace");
  tap_ok(s->masked_paths && strcmp(s->masked_paths[0], "/proc/kcore") == 0 && s->masked_paths[1] == NULL,
         "maskedPaths");
  tap_ok(s->rootfs_propagation == (MS_SHARED | MS_REC) && box_initial_propagation(s) == (MS_SHARED | MS_REC),
         "rootfsPropagation shared");
  tap_ok(s->n_devices == 1 && s->devices[0].type == 'c' && s->devices[0].major == 10
             && s->devices[0].mode == 0666,
         "devices");
  tap_ok(s->seccomp != NULL, "seccomp");
  box_config_free(c);
  tap_ok(box_initial_propagation(NULL) == (MS_SLAVE | MS_REC), "default propagation is rslave, like runc");
}

static void
test_features(void)
{
  cleanup_free char *text = box_features();
  json_error_t jerr;
  json_t *d = json_loads(text, 0, &jerr);
  json_t *l = json_object_get(d, "linux");

  tap_ok(d != NULL, "features document is JSON");
  tap_ok(json_array_size(json_object_get(l, "capabilities")) == (size_t)box_cap_count(),
         "features lists every known capability");
  tap_ok(json_is_true(json_object_get(json_object_get(l, "seccomp"), "enabled"))
             && json_is_false(json_object_get(json_object_get(l, "apparmor"), "enabled")),
         "seccomp enabled, apparmor disabled");
  tap_ok(json_is_string(json_object_get(d, "ociVersionMax")), "ociVersionMax present");
  json_decref(d);
}

static void
test_ns_path_type(void)
{
  struct box_ns_join_s wrong = { .flag = CLONE_NEWNET, .path = (char *)"/proc/self/ns/ipc" };
  struct box_ns_join_s right = { .flag = CLONE_NEWIPC, .path = (char *)"/proc/self/ns/ipc" };
  box_error_t err = NULL;
  int fd;

  fd = box_ns_open(&wrong, &err);
  tap_ok(fd < 0 && err && tap_contains(err->msg, "/proc/self/ns/ipc")
             && tap_contains(err->msg, "not a `network`"),
         "rejects a namespace path of the wrong type");
  tap_diag("%s", err ? err->msg : "(no error)");
  box_error_release(&err);
  fd = box_ns_open(&right, &err);
  tap_ok(fd >= 0, "accepts a namespace path of the right type");
  if (fd >= 0)
    close(fd);
  box_error_release(&err);
}

int
main(void)
{
  tap_init();
  test_process_errors();
  test_linux_errors();
  test_seccomp_errors();
  test_capability_sets();
  test_valid_fields();
  test_features();
  test_ns_path_type();
  return tap_done();
}
