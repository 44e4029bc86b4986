/* cgroupfs.c: the hierarchies a mount of type "cgroup" shows, from
   fixture text of /proc/self/mountinfo and /proc/self/cgroup as the
   container init sees them: with and without a cgroup namespace, on a
   hybrid host (this one), with co-mounted controllers, on a v2 host, with
   a hierarchy mounted twice or from a sub-cgroup; and the directory and
   symlink names.  */
#include "cgroupfs.h"
#include "tap.h"
#include "utils.h"

/* This Debian 12 hybrid host, cpu and cpuacct on hierarchies of their own.  */
static const char hybrid_mountinfo[]
    = "22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
      "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* The init in its cgroups (box's default box-<id> below box's own), no
   cgroup namespace.  */
static const char hybrid_cgroup[] = "9:name=systemd:/box-c1\n"
                                    "8:pids:/box-c1\n"
                                    "4:memory:/process_api/abc/box-c1\n"
                                    "2:cpuacct:/box-c1\n"
                                    "1:cpu:/box-c1\n"
                                    "0::/box-c1\n";

/* The same init after unshare(CLONE_NEWCGROUP): its cgroups are the
   namespace's root, and the host's mounts (of the hierarchies' roots) are
   above it, which mountinfo shows as "/..".  */
static const char ns_mountinfo[]
    = "31 30 0:28 /../.. /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "32 30 0:29 /../.. /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
      "34 30 0:31 /../../../.. /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "38 30 0:35 /../.. /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
      "39 30 0:36 /../.. /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
      "40 30 0:37 /../.. /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char ns_cgroup[] = "9:name=systemd:/\n8:pids:/\n4:memory:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

/* Co-mounted controllers, as most distributions have them.  */
static const char comounted_mountinfo[]
    = "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "32 30 0:29 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
      "33 30 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,clone_children\n";
static const char comounted_cgroup[]
    = "3:cpuset:/box-c1\n2:net_cls,net_prio:/box-c1\n1:cpu,cpuacct:/box-c1\n";

static const char v2_mountinfo[] = "30 22 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

static const struct box_cgroupfs_hier_s *
find(const box_cgroupfs_t *fs, const char *controllers)
{
  size_t i;

  for (i = 0; fs && i < fs->n; i++)
    if (strcmp(fs->h[i].controllers, controllers) == 0)
      return &fs->h[i];
  return NULL;
}

static bool
str_eq(const char *a, const char *b)
{
  return a && b && strcmp(a, b) == 0;
}

/* true when h's symlinks are exactly want (NULL-terminated).  */
static bool
links_are(const struct box_cgroupfs_hier_s *h, const char *const *want)
{
  size_t i;

  if (h == NULL)
    return false;
  for (i = 0; want[i]; i++)
    if (!str_eq(h->links[i], want[i]))
      return false;
  return h->links[i] == NULL;
}

static void
test_hybrid_no_ns(void)
{
  box_cgroupfs_t *fs = NULL;
  box_error_t err = NULL;
  const struct box_cgroupfs_hier_s *h;
  static const char *const none[] = { NULL };

  if (!tap_ok(box_cgroupfs_parse(hybrid_mountinfo, hybrid_cgroup, &fs, &err) == 0, "hybrid: parsed"))
    {
      tap_diag("%s", err ? err->msg : "(no error)");
      box_error_release(&err);
      return;
    }
  tap_ok(fs->n == 6 && !fs->v2, "hybrid: 5 v1 hierarchies + cgroup2, not v2 mode (got %zu)", fs->n);
  tap_ok(str_eq(fs->h[0].controllers, "cpu") && str_eq(fs->h[5].controllers, ""),
         "hybrid: in mountinfo order");
  h = find(fs, "pids");
  tap_ok(h && str_eq(h->name, "pids") && links_are(h, none) && !h->ns_root
             && str_eq(h->host_dir, "/sys/fs/cgroup/pids/box-c1"),
         "pids: directory `pids`, no symlink, bind source our own cgroup (%s)", h ? h->host_dir : "-");
  h = find(fs, "name=systemd");
  tap_ok(h && str_eq(h->name, "systemd") && links_are(h, none)
             && str_eq(h->host_dir, "/sys/fs/cgroup/systemd/box-c1"),
         "name=systemd: directory `systemd`, no symlink");
  h = find(fs, "");
  tap_ok(h && str_eq(h->name, "unified") && str_eq(h->host_dir, "/sys/fs/cgroup/unified/box-c1"),
         "cgroup2 of a hybrid host: directory `unified`");
  h = find(fs, "memory");
  tap_ok(h && str_eq(h->host_dir, "/sys/fs/cgroup/memory/process_api/abc/box-c1"),
         "memory: our cgroup below a non-root one (%s)", h ? h->host_dir : "-");
  box_cgroupfs_free(fs);
}

static void
test_hybrid_ns(void)
{
  box_cgroupfs_t *fs = NULL;
  box_error_t err = NULL;
  size_t i;
  bool all = true;

  if (!tap_ok(box_cgroupfs_parse(ns_mountinfo, ns_cgroup, &fs, &err) == 0, "cgroup namespace: parsed"))
    {
      tap_diag("%s", err ? err->msg : "(no error)");
      box_error_release(&err);
      return;
    }
  tap_ok(fs->n == 6 && !fs->v2, "cgroup namespace: every hierarchy kept though its mount is above the root");
  for (i = 0; i < fs->n; i++)
    all = all && fs->h[i].ns_root && fs->h[i].host_dir == NULL;
  tap_ok(all, "cgroup namespace: each a new mount (our cgroup is the root), no bind source");
  box_cgroupfs_free(fs);
}

static void
test_comounted(void)
{
  box_cgroupfs_t *fs = NULL;
  box_error_t err = NULL;
  const struct box_cgroupfs_hier_s *h;
  static const char *const cpu[] = { "cpu", "cpuacct", NULL };
  static const char *const net[] = { "net_cls", "net_prio", NULL };
  static const char *const none[] = { NULL };

  if (!tap_ok(box_cgroupfs_parse(comounted_mountinfo, comounted_cgroup, &fs, &err) == 0,
              "co-mounted: parsed"))
    {
      tap_diag("%s", err ? err->msg : "(no error)");
      box_error_release(&err);
      return;
    }
  h = find(fs, "cpu,cpuacct");
  tap_ok(h && str_eq(h->name, "cpu,cpuacct") && links_are(h, cpu)
             && str_eq(h->host_dir, "/sys/fs/cgroup/cpu,cpuacct/box-c1"),
         "cpu,cpuacct: one directory, symlinks cpu and cpuacct");
  h = find(fs, "net_cls,net_prio");
  tap_ok(h && links_are(h, net), "net_cls,net_prio: symlinks net_cls and net_prio");
  h = find(fs, "cpuset");
  tap_ok(h && str_eq(h->name, "cpuset") && links_are(h, none),
         "cpuset: mount options (clone_children) are not controllers");
  box_cgroupfs_free(fs);
}

static void
test_v2(void)
{
  box_cgroupfs_t *fs = NULL;
  box_error_t err = NULL;

  if (tap_ok(box_cgroupfs_parse(v2_mountinfo, "0::/user.slice/box-c1\n", &fs, &err) == 0, "v2: parsed"))
    tap_ok(fs->n == 1 && fs->v2 && !fs->h[0].ns_root
               && str_eq(fs->h[0].host_dir, "/sys/fs/cgroup/user.slice/box-c1"),
           "v2: unified mode, bind source our own cgroup (%s)", fs->h[0].host_dir);
  box_cgroupfs_free(fs), fs = NULL;
  if (tap_ok(box_cgroupfs_parse(v2_mountinfo, "0::/\n", &fs, &err) == 0, "v2 in a cgroup namespace: parsed"))
    tap_ok(fs->n == 1 && fs->v2 && fs->h[0].ns_root, "v2 in a cgroup namespace: a new cgroup2 mount");
  box_cgroupfs_free(fs);
  box_error_release(&err);
}

static void
test_mounted_twice(void)
{
  static const char mountinfo[] = "45 30 0:35 /other /mnt/pids-copy rw - cgroup cgroup rw,pids\n"
                                  "38 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
                                  "46 30 0:35 /box /mnt/pids-box rw - cgroup cgroup rw,pids\n";
  static const char sub_mountinfo[] = "30 22 0:27 /box /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
  box_cgroupfs_t *fs = NULL;
  box_error_t err = NULL;

  if (tap_ok(box_cgroupfs_parse(mountinfo, "8:pids:/box-c1\n", &fs, &err) == 0, "mounted twice: parsed"))
    tap_ok(fs->n == 1 && str_eq(fs->h[0].host_dir, "/sys/fs/cgroup/pids/box-c1"),
           "mounted three times: listed once, bind source from the first mount that reaches our cgroup (%s)",
           fs->h[0].host_dir);
  box_cgroupfs_free(fs), fs = NULL;
  if (tap_ok(box_cgroupfs_parse(sub_mountinfo, "0::/box/c1\n", &fs, &err) == 0, "sub-cgroup mount: parsed"))
    tap_ok(str_eq(fs->h[0].host_dir, "/sys/fs/cgroup/c1"), "mount of cgroup /box: its root taken off (%s)",
           fs->h[0].host_dir);
  box_cgroupfs_free(fs), fs = NULL;
  if (tap_ok(box_cgroupfs_parse(sub_mountinfo, "0::/elsewhere/c1\n", &fs, &err) == 0,
             "mount not containing our cgroup: parsed"))
    tap_ok(fs->h[0].host_dir == NULL && !fs->h[0].ns_root, "mount not containing our cgroup: no bind source");
  box_cgroupfs_free(fs);
  box_error_release(&err);
}

static void
test_errors(void)
{
  box_cgroupfs_t *fs = NULL;
  box_error_t err = NULL;

  tap_ok(box_cgroupfs_parse("22 1 0:21 / /sys rw - sysfs sysfs rw\n", "0::/\n", &fs, &err) < 0 && fs == NULL
             && tap_contains(err->msg, "no cgroup hierarchy is mounted"),
         "no cgroup mount: an error");
  box_error_release(&err);
  tap_ok(box_cgroupfs_parse(hybrid_mountinfo, "", &fs, &err) < 0 && fs == NULL,
         "not in any hierarchy (empty /proc/self/cgroup): an error");
  box_error_release(&err);
  tap_ok(box_cgroupfs_parse("39 30 0:36 / /x rw - cgroup cgroup rw,name=..\n", "9:name=..:/\n", &fs, &err) < 0
             && tap_contains(err->msg, "`name=..`"),
         "a hierarchy name that is no file name: an error naming it");
  box_error_release(&err);
}

static void
test_dir_name(void)
{
  static const char *const cases[][2] = { { "pids", "pids" },
                                          { "cpu,cpuacct", "cpu,cpuacct" },
                                          { "name=systemd", "systemd" },
                                          { "", "unified" },
                                          { "cpu,name=x", "cpu,x" },
                                          { "name=..", NULL },
                                          { "name=", NULL },
                                          { "name=a/b", NULL } };
  size_t i;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
      cleanup_free char *got = box_cgroupfs_dir_name(cases[i][0]);
      tap_ok(cases[i][1] ? str_eq(got, cases[i][1]) : got == NULL, "dir name of `%s`: %s (got %s)",
             cases[i][0], cases[i][1] ? cases[i][1] : "refused", got ? got : "NULL");
    }
}

int
main(void)
{
  tap_init();
  test_hybrid_no_ns();
  test_hybrid_ns();
  test_comounted();
  test_v2();
  test_mounted_twice();
  test_errors();
  test_dir_name();
  return tap_done();
}
