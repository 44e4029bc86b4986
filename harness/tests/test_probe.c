/* probe: answers are consistent with each other and with this process, and
   probing leaves nothing behind. */
#include "hostprobe.h"
#include "tap.h"

#include <string.h>

/* Any ocitest-probe-* group left in a cgroup hierarchy? */
static bool
probe_dirs_left(void)
{
  mount_table_t mt = { 0 };
  ocitest_error_t err = NULL;
  bool left = false;

  if (mount_table_read("/proc/self/mountinfo", &mt, &err) < 0)
    {
      ocitest_error_release(&err);
      return false;
    }
  for (size_t i = 0; i < mt.len; i++)
    {
      cleanup_free char *dir = xasprintf("%s/ocitest-probe-%d", mt.items[i].mount_point, (int)getpid());

      if (strncmp(mt.items[i].fstype, "cgroup", 6) == 0 && access(dir, F_OK) == 0)
        left = true;
    }
  mount_table_free(&mt);
  return left;
}

int
main(void)
{
  host_probe_t p;
  ocitest_error_t err = NULL;
  cleanup_free char *out = NULL;
  size_t len = 0;
  FILE *f;

  tap_init();
  if (!ok(host_probe(&p, &err) == 0, "host_probe succeeds"))
    {
      diag("%s", err->msg);
      return tap_done();
    }
  ok(p.euid == geteuid(), "euid is this process's");
  ok(p.root == (p.euid == 0 && p.cap_sys_admin), "root means euid 0 and CAP_SYS_ADMIN");
  ok(strcmp(p.cgroup, "v1") == 0 || strcmp(p.cgroup, "v2") == 0 || strcmp(p.cgroup, "hybrid") == 0
         || strcmp(p.cgroup, "none") == 0,
     "cgroup mode is one of v1|v2|hybrid|none (%s)", p.cgroup);
  ok((p.cgroup_v2_path[0] != '\0') == (strcmp(p.cgroup, "v2") == 0 || strcmp(p.cgroup, "hybrid") == 0),
     "a cgroup2 path exactly in v2 and hybrid mode (%s)", p.cgroup_v2_path);
  if (p.root)
    ok(p.ns[HOST_NS_MOUNT] && p.ns[HOST_NS_PID], "root can create mount and pid namespaces");
  else
    skip("not root", "root can create mount and pid namespaces");
  ok(!probe_dirs_left(), "no probe cgroup left behind");

  f = open_memstream(&out, &len);
  host_probe_print(&p, f);
  fclose(f);
  ok(strstr(out, "euid=") && strstr(out, "\nroot=") && strstr(out, "\nns_user=") && strstr(out, "\nuserns=")
         && strstr(out, "\ncgroup_v2_controllers=") && strstr(out, "\ncgroup_writable=")
         && strstr(out, "\npty="),
     "all keys printed");
  host_probe_free(&p);
  return tap_done();
}
