/* inside: /proc parsing on fixture text, the capability table, and each group
   of checks shown to pass on a matching fixture and fail on a mismatching one
   (a fake proc root and rootfs under a temporary directory). */
#include "insidechk.h"
#include "tap.h"

#include <string.h>
#include <sys/stat.h>

static char dir[] = "/tmp/ocitest-inside-XXXXXX";

static const char status_text[] = "Name:\tocitest\n"
                                  "Umask:\t0022\n"
                                  "State:\tR (running)\n"
                                  "NoNewPrivs:\t1\n"
                                  "Seccomp:\t2\n"
                                  "CapInh:\t0000000000000000\n"
                                  "CapPrm:\t00000000000004c1\n"
                                  "CapEff:\t00000000000004c1\n"
                                  "CapBnd:\t00000000000004c1\n"
                                  "CapAmb:\t0000000000000400\n";

static const char mountinfo_text[] = "100 90 0:50 / / rw,relatime shared:5 - overlay overlay rw,lowerdir=/l\n"
                                     "101 100 0:51 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
                                     "102 100 0:52 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
                                     "103 100 0:53 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n"
                                     "104 100 8:1 /src /mnt/with\\040space ro,nosuid - ext4 /dev/sda1 rw\n";

static void
put(const char *rel, const char *text)
{
  cleanup_free char *path = xasprintf("%s/%s", dir, rel);
  cleanup_free char *parent = xstrdup(path);
  cleanup_file FILE *f = NULL;

  *strrchr(parent, '/') = '\0';
  cleanup_free char *cmd = xasprintf("mkdir -p '%s'", parent);
  if (system(cmd) != 0)
    abort();
  f = fopen(path, "w");
  if (!f)
    abort();
  fputs(text, f);
}

/* Run one group against the fixtures with config text; counts in *t. */
static void
run_group(const char *group, const char *config, inside_t *t)
{
  ocitest_error_t err = NULL;
  json_error_t jerr;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  json_t *doc = json_loads(config, 0, &jerr);
  cleanup_free char *proc = xasprintf("%s/proc", dir);
  cleanup_free char *root = xasprintf("%s/root", dir);
  char *argv[] = { "/bin/ocitest", "inside", NULL };
  char *env[] = { "PATH=/bin", "HOME=/root", NULL };

  if (!doc)
    {
      diag("bad test config: %s", jerr.text);
      abort();
    }
  *t = (inside_t){
    .config = doc, .proc = proc, .root = root, .argc = 2, .argv = argv, .environ = env, .out = out
  };
  if (inside_run(t, group, &err) < 0)
    {
      diag("inside_run: %s", err->msg);
      ocitest_error_release(&err);
    }
  fclose(out);
  for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
    diag("  | %s", l);
  json_decref(doc);
}

/* The group passes (no failure, at least one check made) with good, and has
   at least one failure with bad. */
static void
pass_fail(const char *group, const char *good, const char *bad)
{
  inside_t t;

  run_group(group, good, &t);
  ok(t.failed == 0 && t.passed > 0, "%s: matching fixture passes (%d passed, %d failed)", group, t.passed,
     t.failed);
  run_group(group, bad, &t);
  ok(t.failed > 0, "%s: mismatching fixture fails (%d failed)", group, t.failed);
}

static void
test_parsers(void)
{
  cleanup_free char *umask = status_field(status_text, "Umask");
  cleanup_free char *none = status_field(status_text, "Nope");
  cleanup_free char *capnames = cap_mask_format(0x4c1);
  mi_table_t mi = { 0 };
  ocitest_error_t err = NULL;
  const mi_line_t *m;

  ok(umask && strcmp(umask, "0022") == 0, "status_field Umask");
  ok(none == NULL, "status_field of an absent key is NULL");
  ok(cap_from_name("CAP_CHOWN") == 0 && cap_from_name("CAP_SYS_ADMIN") == 21 && cap_from_name("CAP_BPF") == 39
         && cap_from_name("CAP_CHECKPOINT_RESTORE") == 40 && cap_from_name("CAP_NOPE") == -1,
     "capability names map to the kernel's bit numbers");
  ok(strcmp(cap_name(10), "CAP_NET_BIND_SERVICE") == 0 && cap_name(64) == NULL, "cap_name");
  ok(strcmp(capnames, "CAP_CHOWN,CAP_SETGID,CAP_SETUID,CAP_NET_BIND_SERVICE") == 0, "cap_mask_format: %s",
     capnames);
  ok(mi_parse(mountinfo_text, &mi, &err) == 0 && mi.len == 5, "mountinfo parses");
  m = mi_find(&mi, "/");
  ok(m && strcmp(m->optional, "shared:5") == 0 && strcmp(m->fstype, "overlay") == 0,
     "mountinfo optional fields");
  m = mi_find(&mi, "/mnt/with space");
  ok(m && opt_has(m->mount_opts, "ro") && !opt_has(m->mount_opts, "r"),
     "mountinfo unescapes, per-mount options");
  m = mi_find(&mi, "/dev");
  ok(m && strcmp(m->super_opts, "rw,size=65536k,mode=755") == 0, "mountinfo super options");
  mi_free(&mi);
  ok(mi_parse("garbage line\n", &mi, &err) < 0, "malformed mountinfo is an error");
  ocitest_error_release(&err);
}

static void
test_groups(void)
{
  put("proc/self/status", status_text);
  put("proc/self/mountinfo", mountinfo_text);
  put("proc/self/oom_score_adj", "100\n");
  put("proc/self/uid_map", "         0     100000      65536\n");
  put("proc/self/gid_map", "         0     200000      65536\n");
  put("proc/sys/kernel/cap_last_cap", "40\n");
  put("proc/sys/net/ipv4/ip_forward", "1\n");
  put("proc/sys/net/ipv4/ping_group_range", "0\t0\n");
  put("root/masked-empty", "");
  put("root/leaky", "secret\n");

  pass_fail("caps",
            "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_SETGID\",\"CAP_SETUID\","
            "\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_CHOWN\",\"CAP_SETGID\",\"CAP_SETUID\","
            "\"CAP_NET_BIND_SERVICE\"],\"permitted\":[\"CAP_CHOWN\",\"CAP_SETGID\",\"CAP_SETUID\","
            "\"CAP_NET_BIND_SERVICE\"],\"inheritable\":[],\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}}}",
            "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"],\"ambient\":[]}}}");
  {
    char cwd[4096];
    cleanup_free char *good = NULL;
    if (!getcwd(cwd, sizeof cwd))
      abort();
    good = xasprintf(
        "{\"process\":{\"args\":[\"/bin/ocitest\",\"inside\"],\"env\":[\"PATH=/bin\",\"HOME=/root\"],"
        "\"cwd\":\"%s\",\"user\":{\"uid\":%u,\"gid\":%u,\"umask\":18},\"noNewPrivileges\":true,"
        "\"oomScoreAdj\":100}}",
        cwd, (unsigned)getuid(), (unsigned)getgid());
    pass_fail("process", good,
              "{\"process\":{\"args\":[\"/bin/ocitest\"],\"env\":[\"PATH=/bin\",\"TERM=x\"],"
              "\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0,\"umask\":63},\"oomScoreAdj\":5}}");
  }
  pass_fail(
      "mounts",
      "{\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},{\"destination\":\"/dev\",\"type\":"
      "\"tmpfs\",\"options\":[\"nosuid\",\"mode=755\",\"size=64m\"]},{\"destination\":\"/sys\",\"type\":"
      "\"sysfs\",\"options\":[\"ro\",\"nodev\"]}]}",
      "{\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"options\":[\"noexec\",\"mode=1777\"]},"
      "{\"destination\":\"/run\",\"type\":\"tmpfs\"}]}");
  pass_fail("root", "{\"root\":{\"path\":\"rootfs\"},\"linux\":{\"rootfsPropagation\":\"shared\"}}",
            "{\"root\":{\"path\":\"rootfs\"},\"linux\":{\"rootfsPropagation\":\"private\"}}");
  pass_fail("paths", "{\"linux\":{\"maskedPaths\":[\"/masked-empty\"]}}",
            "{\"linux\":{\"maskedPaths\":[\"/leaky\"]}}");
  pass_fail("sysctl",
            "{\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"net.ipv4.ping_group_range\":\"0 0\"}}}",
            "{\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"0\"}}}");
  pass_fail("idmap",
            "{\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
            "\"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":65536}]}}",
            "{\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
            "\"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":65536}]}}");
  pass_fail("seccomp", "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}", "{\"linux\":{}}");
  {
    /* The test runs unfiltered: setns(-1, 0) gives EBADF, not the rule's EPERM,
       so the probe is a failed check; a rule on a name the checker cannot
       probe (bpf) is a skip instead.  */
    inside_t probed, unprobed;
    run_group("seccomp",
              "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
              "[{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_ERRNO\"}]}}}",
              &probed);
    run_group("seccomp",
              "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
              "[{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ERRNO\"}]}}}",
              &unprobed);
    ok(probed.failed == unprobed.failed + 1 && unprobed.skipped == probed.skipped + 1,
       "seccomp: setns is probed (unfiltered: a failed check), bpf is not (%d/%d failed, %d/%d skipped)",
       probed.failed, unprobed.failed, probed.skipped, unprobed.skipped);
    run_group("seccomp",
              "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
              "[{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_ALLOW\"},"
              "{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_ERRNO\"}]}}}",
              &probed);
    ok(probed.skipped == unprobed.skipped && probed.failed == unprobed.failed,
       "seccomp: a name also under another action is not probed (%d skipped, %d failed)", probed.skipped,
       probed.failed);
  }
  {
    /* The fixture rootfs has no /dev: every default device and link fails. */
    inside_t t;
    run_group("devices", "{}", &t);
    ok(t.failed == 11 && t.passed == 0, "devices: missing default devices and links fail (%d failed)",
       t.failed);
  }
}

static void
test_only(void)
{
  inside_t t = { 0 };
  ocitest_error_t err = NULL;

  t.out = stdout;
  ok(inside_run(&t, "nosuchgroup", &err) < 0 && err->exit_code == OCITEST_EXIT_USAGE,
     "--only: unknown group");
  ocitest_error_release(&err);
}

int
main(void)
{
  tap_init();
  if (!mkdtemp(dir))
    return 1;
  test_parsers();
  test_groups();
  test_only();
  {
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
      diag("could not remove %s", dir);
  }
  return tap_done();
}
