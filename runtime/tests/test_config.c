/* config.json parsing and validation (spec.c) and mount options (mount.c).
   Every rejection must name the JSON field in its message.  */
#include <sched.h>
#include <sys/mount.h>

#include "linux.h"
#include "spec.h"
#include "tap.h"
#include "utils.h"

#define NS "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\"}, {\"type\": \"uts\"}]}"
#define ROOT "\"root\": {\"path\": \"rootfs\"}"
#define PROC "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}"

static box_config_t *
parse(const char *json, box_error_t *err)
{
  box_config_t *c = NULL;
  if (box_config_parse(json, strlen(json), &c, err) < 0)
    return NULL;
  return c;
}

/* Rejected, and the message contains each of want1, want2.  */
static void
check_error(const char *desc, const char *json, const char *want1, const char *want2)
{
  box_error_t err = NULL;
  box_config_t *c = parse(json, &err);

  tap_ok(c == NULL && err && tap_contains(err->msg, "config.json") && tap_contains(err->msg, want1)
             && (want2 == NULL || tap_contains(err->msg, want2)),
         "rejects %s", desc);
  tap_diag("%s", err ? err->msg : "(no error)");
  box_config_free(c);
  box_error_release(&err);
}

static void
test_errors(void)
{
  check_error("malformed JSON", "{\"ociVersion\": ", "invalid JSON", "line 1");
  check_error("a non-object document", "[1, 2]", "object", NULL);
  check_error("missing ociVersion", "{" ROOT ", " PROC ", " NS "}", "`ociVersion`", "required");
  check_error("ociVersion of the wrong type", "{\"ociVersion\": 1, " ROOT ", " NS "}", "`ociVersion`",
              "string");
  check_error("unsupported ociVersion major", "{\"ociVersion\": \"2.0.0\", " ROOT ", " NS "}", "`ociVersion`",
              "unsupported");
  check_error("garbage ociVersion", "{\"ociVersion\": \"x.1\", " ROOT ", " NS "}", "`ociVersion`", "invalid");
  check_error("missing root", "{\"ociVersion\": \"1.0.2\", " PROC ", " NS "}", "`root`", "required");
  check_error("root.path of the wrong type", "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": 3}, " NS "}",
              "`root.path`", "string");
  check_error("root.readonly of the wrong type",
              "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\", \"readonly\": \"yes\"}, " NS "}",
              "`root.readonly`", "boolean");
  check_error("missing process.args",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", \"process\": {\"cwd\": \"/\"}, " NS "}",
              "`process.args`", "non-empty array of strings");
  check_error("empty process.args",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", \"process\": {\"args\": [], \"cwd\": \"/\"}, " NS "}",
              "`process.args`", "non-empty");
  check_error("process.args with a number",
              "{\"ociVersion\": \"1.0.2\", " ROOT
              ", \"process\": {\"args\": [\"sh\", 1], \"cwd\": \"/\"}, " NS "}",
              "`process.args`", "strings");
  check_error("process.args as a string",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", \"process\": {\"args\": \"sh\", \"cwd\": \"/\"}, " NS
              "}",
              "`process.args`", NULL);
  check_error("relative process.cwd",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"tmp\"}, " NS
              "}",
              "`process.cwd`", "absolute");
  check_error("missing process.cwd",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", \"process\": {\"args\": [\"sh\"]}, " NS "}",
              "`process.cwd`", "required");
  check_error("process.env entry without `=`",
              "{\"ociVersion\": \"1.0.2\", " ROOT
              ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"PATH\"]}, " NS "}",
              "`process.env`", "KEY=VALUE");
  check_error("process.user.uid as a string",
              "{\"ociVersion\": \"1.0.2\", " ROOT
              ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": \"0\"}}, " NS "}",
              "`process.user.uid`", "integer");
  check_error("negative process.user.gid",
              "{\"ociVersion\": \"1.0.2\", " ROOT
              ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": -1}}, " NS
              "}",
              "`process.user.gid`", "integer");
  check_error("process.terminal as a string",
              "{\"ociVersion\": \"1.0.2\", " ROOT
              ", \"process\": {\"terminal\": \"yes\", \"args\": [\"sh\"], \"cwd\": \"/\"}, " NS "}",
              "`process.terminal`", "boolean");
  check_error("process.consoleSize without width",
              "{\"ociVersion\": \"1.0.2\", " ROOT
              ", \"process\": {\"consoleSize\": {\"height\": 3}, \"args\": [\"sh\"], \"cwd\": \"/\"}, " NS
              "}",
              "`process.consoleSize.width`", "integer");
  check_error("a mount namespace path",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC
              ", \"linux\": {\"namespaces\": [{\"type\": \"mount\", \"path\": "
              "\"/run/mntns/x\"}]}}",
              "`linux.namespaces[0].path`", "not supported");
  check_error("a user namespace without mappings",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC
              ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}]}}",
              "`linux.uidMappings`", "mappings");
  check_error("an unknown namespace type",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC
              ", \"linux\": {\"namespaces\": [{\"type\": \"time2\"}]}}",
              "`linux.namespaces[0].type`", "unknown");
  check_error("a duplicate namespace",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC
              ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"mount\"}]}}",
              "`linux.namespaces[1].type`", "duplicate");
  check_error("no mount namespace", "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC "}", "`linux.namespaces`",
              "mount");
  check_error("hostname without a uts namespace",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC
              ", \"hostname\": \"h\", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}",
              "`hostname`", "uts");
  check_error("a relative mount destination",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC ", " NS
              ", \"mounts\": [{\"destination\": \"proc\"}]}",
              "`mounts[0].destination`", "absolute");
  check_error("mount options that are not strings",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC ", " NS
              ", \"mounts\": [{\"destination\": \"/p\", \"options\": [1]}]}",
              "`mounts[0].options`", "strings");
  check_error("an idmapped mount (mounts[].uidMappings)",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC ", " NS
              ", \"mounts\": [{\"destination\": \"/p\", \"type\": \"bind\", \"source\": \"/tmp\", "
              "\"options\": [\"rbind\", \"idmap\"], "
              "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]}",
              "`mounts[0].uidMappings`", "not supported");
  check_error("an idmapped mount (mounts[].gidMappings)",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC ", " NS
              ", \"mounts\": [{\"destination\": \"/p\", \"type\": \"bind\", \"source\": \"/tmp\", "
              "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]}",
              "`mounts[0].gidMappings`", "not supported");
  check_error("an annotation that is not a string",
              "{\"ociVersion\": \"1.0.2\", " ROOT ", " PROC ", " NS ", \"annotations\": {\"a\": 1}}",
              "`annotations`", "`a`");
}

static void
test_full(void)
{
  static const char json[]
      = "{\"ociVersion\": \"1.0.2-dev\", \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
        " \"process\": {\"args\": [\"sh\", \"-c\", \"true\"], \"cwd\": \"/tmp\", \"env\": [\"A=1\", \"B=\"],"
        "   \"user\": {\"uid\": 1000, \"gid\": 100, \"additionalGids\": [5, 6]},"
        "   \"capabilities\": {}, \"rlimits\": [], \"noNewPrivileges\": true},"
        " \"hostname\": \"h\", \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": "
        "\"proc\"},"
        "   {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"d\", \"options\": [\"rbind\", "
        "\"ro\"]}],"
        " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
        "   {\"type\": \"uts\"}, {\"type\": \"mount\"}], \"seccomp\": {\"defaultAction\": "
        "\"SCMP_ACT_ALLOW\"},"
        "   \"maskedPaths\": []},"
        " \"annotations\": {\"k\": \"v\"}, \"unknownField\": 1}";
  box_error_t err = NULL;
  box_config_t *c = parse(json, &err);

  if (!tap_ok(c != NULL, "a full config parses (unknown top-level fields ignored)"))
    {
      tap_diag("%s", err ? err->msg : "?");
      box_error_release(&err);
      return;
    }
  tap_ok(strcmp(c->oci_version, "1.0.2-dev") == 0 && strcmp(c->root_path, "rootfs") == 0 && c->root_readonly,
         "ociVersion and root");
  tap_ok(c->process->n_args == 3 && strcmp(c->process->args[2], "true") == 0 && c->process->args[3] == NULL,
         "process.args, NULL-terminated");
  tap_ok(c->process->n_env == 2 && strcmp(c->process->env[1], "B=") == 0, "process.env");
  tap_ok(strcmp(c->process->cwd, "/tmp") == 0 && c->process->uid == 1000 && c->process->gid == 100
             && c->process->n_additional_gids == 2 && c->process->additional_gids[1] == 6,
         "process.cwd and user");
  tap_ok(c->clone_flags == (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS),
         "namespaces to clone flags");
  tap_ok(c->n_mounts == 2 && strcmp(c->mounts[1].source, "d") == 0 && c->mounts[1].n_options == 2
             && c->mounts[0].options[0] == NULL,
         "mounts");
  tap_ok(c->hostname && strcmp(c->hostname, "h") == 0, "hostname");
  tap_ok(c->annotations && strcmp(json_string_value(json_object_get(c->annotations, "k")), "v") == 0,
         "annotations");
  box_config_free(c);
}

static void
test_default_spec(void)
{
  cleanup_free char *spec = box_default_spec();
  box_error_t err = NULL;
  box_config_t *c = parse(spec, &err);

  tap_ok(c != NULL, "the default spec of `box spec` parses");
  if (err)
    tap_diag("%s", err->msg);
  tap_ok(c && c->process->terminal && c->root_readonly && c->resources && strcmp(c->process->args[0], "sh") == 0 && c->n_mounts == 7
             && strcmp(c->mounts[6].type, "cgroup") == 0
             && c->clone_flags == (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS),
         "default spec (runc's): args [sh], terminal and root.readonly true, resources, 5 namespaces, 7 mounts");
  box_config_free(c);
  box_error_release(&err);

  {
    /* `box spec --rootless` (runc's ToRootless): a user namespace mapping
       the caller to root, no network namespace, /sys bound, no gid=.  */
    cleanup_free char *rl = box_rootless_spec(1234, 5678);
    const box_security_t *s;
    size_t i;
    bool sys_bound = false, no_gid = strstr(rl, "gid=") == NULL;
    c = parse(rl, &err);
    tap_ok(c != NULL, "the rootless spec of `box spec --rootless` parses");
    if (err)
      tap_diag("%s", err->msg);
    s = c ? c->security : NULL;
    for (i = 0; c && i < c->n_mounts; i++)
      {
        if (strcmp(c->mounts[i].destination, "/sys") == 0)
          sys_bound = c->mounts[i].source && strcmp(c->mounts[i].source, "/sys") == 0;
      }
    tap_ok(c && s && s->userns && s->n_uid_map == 1 && s->uid_map[0].container_id == 0
               && s->uid_map[0].host_id == 1234 && s->uid_map[0].size == 1 && s->n_gid_map == 1
               && s->gid_map[0].host_id == 5678
               && c->clone_flags == (CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWUSER)
               && sys_bound && no_gid,
           "rootless spec: user namespace 0 -> caller (1234/5678, size 1), no network namespace, /sys bound, "
           "no gid= option");
    box_config_free(c);
    box_error_release(&err);
  }
}

static void
test_mount_options(void)
{
  char *opts1[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "ro", "rw", "rprivate", NULL };
  char *opts2[] = { "rbind", "ro", "nodev", NULL };
  struct box_mount_opts_s o;

  box_parse_mount_options(opts1, &o);
  tap_ok(o.flags == (MS_NOSUID | MS_NOEXEC) && o.propagation == (MS_PRIVATE | MS_REC) && o.data
             && strcmp(o.data, "newinstance,ptmxmode=0666") == 0,
         "mount options: flags, later rw clears ro, propagation, data");
  free(o.data);
  box_parse_mount_options(opts2, &o);
  tap_ok(o.flags == (MS_BIND | MS_REC | MS_RDONLY | MS_NODEV) && o.data == NULL && o.propagation == 0,
         "mount options: rbind ro nodev");
}

int
main(void)
{
  tap_init();
  test_errors();
  test_full();
  test_default_spec();
  test_mount_options();
  return tap_done();
}
