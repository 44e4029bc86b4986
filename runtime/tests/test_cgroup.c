/* cgroup.c: /proc/self/cgroup and mountinfo parsing from fixture text
   (v1, v2, hybrid, a hierarchy mounted from a sub-cgroup), cgroupsPath
   resolution, the cpu.shares -> cpu.weight mapping, linux.resources
   parsing, and, as root, a real cgroup created, joined by a child,
   signalled and removed with a sub-cgroup of its own.  */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "tap.h"
#include "utils.h"

/* Lines as this Debian 12 hybrid host shows them.  */
static const char hybrid_mountinfo[]
    = "22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime shared:9 - cgroup cgroup rw,cpuset\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
      "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "45 30 0:31 /other /mnt/memory\\040copy rw - cgroup cgroup rw,memory\n";
static const char hybrid_cgroup[] = "9:name=systemd:/\n"
                                    "8:pids:/\n"
                                    "4:memory:/process_api/abc\n"
                                    "3:cpuset:/\n"
                                    "1:cpu:/\n"
                                    "0::/user.slice\n";

static const char v2_mountinfo[] = "30 22 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
static const char v2_cgroup[] = "0::/user.slice/session-1.scope\n";

static void
test_proc_line(void)
{
  char *c = NULL, *p = NULL;

  tap_ok(box_cgroup_parse_proc_line("4:memory:/process_api/abc\n", &c, &p) == 0 && strcmp(c, "memory") == 0
             && strcmp(p, "/process_api/abc") == 0,
         "proc line: v1 controllers and path");
  free(c), free(p);
  tap_ok(box_cgroup_parse_proc_line("0::/a:b", &c, &p) == 0 && c[0] == '\0' && strcmp(p, "/a:b") == 0,
         "proc line: cgroup2 entry, ':' kept inside the path");
  free(c), free(p);
  tap_ok(box_cgroup_parse_proc_line("garbage", &c, &p) < 0, "proc line: malformed refused");
  tap_ok(box_cgroup_parse_proc_line("1:cpu:relative", &c, &p) < 0, "proc line: relative path refused");
}

static void
test_mountinfo_line(void)
{
  char *fs = NULL, *root = NULL, *mnt = NULL, *opts = NULL;

  tap_ok(
      box_cgroup_parse_mountinfo_line(
          "33 30 0:30 / /sys/fs/cgroup/cpuset rw shared:9 - cgroup cgroup rw,cpuset", &fs, &root, &mnt, &opts)
              == 1
          && strcmp(fs, "cgroup") == 0 && strcmp(mnt, "/sys/fs/cgroup/cpuset") == 0
          && strcmp(opts, "rw,cpuset") == 0 && strcmp(root, "/") == 0,
      "mountinfo: v1 hierarchy with an optional field");
  free(fs), free(root), free(mnt), free(opts);
  tap_ok(box_cgroup_parse_mountinfo_line(
             "45 30 0:31 /other /mnt/memory\\040copy rw - cgroup cgroup rw,memory", &fs, &root, &mnt, &opts)
                 == 1
             && strcmp(mnt, "/mnt/memory copy") == 0 && strcmp(root, "/other") == 0,
         "mountinfo: octal escape undone, mount root kept");
  free(fs), free(root), free(mnt), free(opts);
  tap_ok(box_cgroup_parse_mountinfo_line("22 1 0:21 / /sys rw - sysfs sysfs rw", &fs, &root, &mnt, &opts)
             == 0,
         "mountinfo: other filesystems are not cgroups");
  tap_ok(box_cgroup_parse_mountinfo_line("22 1 0:21 / /sys rw", &fs, &root, &mnt, &opts) < 0,
         "mountinfo: line without separator refused");
}

static const struct box_cgroup_hier_s *
find_hier(const box_cgroup_host_t *host, const char *controllers)
{
  size_t i;
  for (i = 0; i < host->n; i++)
    if (strcmp(host->h[i].controllers, controllers) == 0)
      return &host->h[i];
  return NULL;
}

/* resolve() for one hierarchy; returns the path (caller frees) or NULL.  */
static char *
resolve(const box_cgroup_host_t *host, const char *controllers, const char *cgroups_path, box_error_t *err)
{
  const struct box_cgroup_hier_s *h = find_hier(host, controllers);
  char *out = NULL;

  if (h == NULL || box_cgroup_resolve(host, h, cgroups_path, "c1", &out, err) < 0)
    return NULL;
  return out;
}

static void
test_hybrid(void)
{
  box_cgroup_host_t *host = NULL;
  box_error_t err = NULL;
  char *p;

  if (!tap_ok(box_cgroup_host_parse(hybrid_mountinfo, hybrid_cgroup, &host, &err) == 0, "hybrid host parsed"))
    return;
  tap_ok(host->n == 6 && !host->v2, "hybrid: 5 v1 hierarchies + unified, not v2 mode (got %zu)", host->n);
  tap_ok(find_hier(host, "name=systemd") && find_hier(host, "") && find_hier(host, "memory")
             && strcmp(find_hier(host, "memory")->mount, "/sys/fs/cgroup/memory") == 0,
         "hybrid: named hierarchy and unified kept, first memory mount wins");
  p = resolve(host, "memory", NULL, &err);
  tap_ok(p && strcmp(p, "/process_api/abc/box-c1") == 0, "default: box-<id> below our own cgroup (%s)", p);
  free(p);
  p = resolve(host, "pids", "/abs//x/./y/", &err);
  tap_ok(p && strcmp(p, "/abs/x/y") == 0, "absolute: from the hierarchy root, cleaned (%s)", p);
  free(p);
  p = resolve(host, "memory", "rel/z", &err);
  tap_ok(p && strcmp(p, "/process_api/abc/rel/z") == 0, "relative: joined to our own cgroup (%s)", p);
  free(p);
  p = resolve(host, "", "rel", &err);
  tap_ok(p && strcmp(p, "/user.slice/rel") == 0, "hybrid unified: own cgroup, not its parent (%s)", p);
  free(p);
  p = resolve(host, "pids", "../escape", &err);
  tap_ok(p == NULL && tap_contains(err ? err->msg : NULL, "`linux.cgroupsPath`: must not contain `..`"),
         "`..` refused");
  box_error_release(&err);
  p = resolve(host, "pids", "/", &err);
  tap_ok(p == NULL && err, "the root cgroup itself refused");
  box_error_release(&err);
  box_cgroup_host_free(host);
}

static void
test_v2(void)
{
  box_cgroup_host_t *host = NULL;
  box_error_t err = NULL;
  static const char sub_mountinfo[] = "30 22 0:27 /ns /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
  char *p;

  if (!tap_ok(box_cgroup_host_parse(v2_mountinfo, v2_cgroup, &host, &err) == 0, "v2 host parsed"))
    return;
  tap_ok(host->n == 1 && host->v2, "v2: one unified hierarchy, v2 mode");
  p = resolve(host, "", NULL, &err);
  tap_ok(p && strcmp(p, "/user.slice/box-c1") == 0, "v2 default: below the parent of our own cgroup (%s)", p);
  free(p);
  box_cgroup_host_free(host);
  /* A cgroup2 mounted from /ns that does not contain our cgroup: unusable.  */
  tap_ok(box_cgroup_host_parse(sub_mountinfo, v2_cgroup, &host, &err) < 0
             && tap_contains(err->msg, "no cgroup hierarchy"),
         "a mount that cannot reach our own cgroup is skipped");
  box_error_release(&err);
  tap_ok(box_cgroup_host_parse(sub_mountinfo, "0::/ns/inner\n", &host, &err) == 0, "mount root /ns parsed");
  if (host)
    {
      p = resolve(host, "", "/ns/c", &err);
      tap_ok(p && strcmp(p, "/ns/c") == 0, "absolute path below the mount root accepted (%s)", p);
      free(p);
      p = resolve(host, "", "/elsewhere", &err);
      tap_ok(p == NULL && err, "absolute path outside the mount root refused");
      box_error_release(&err);
      box_cgroup_host_free(host);
    }
}

static void
test_weight(void)
{
  tap_ok(box_cpu_shares_to_weight(0) == 0, "shares 0 -> weight unset");
  tap_ok(box_cpu_shares_to_weight(2) == 1, "shares 2 -> weight 1");
  tap_ok(box_cpu_shares_to_weight(1024) == 39, "shares 1024 -> weight 39 (runc)");
  tap_ok(box_cpu_shares_to_weight(262144) == 10000, "shares 262144 -> weight 10000");
  tap_ok(box_cpu_shares_to_weight(1 << 30) == 10000, "shares above the range clamp to 10000");
}

static int
parse_res(const char *text, struct box_resources_s **r, box_error_t *err)
{
  json_t *j = json_loads(text, 0, NULL);
  int ret = box_resources_parse(j, r, err);

  json_decref(j);
  return ret;
}

static void
test_resources(void)
{
  struct box_resources_s *r = NULL;
  box_error_t err = NULL;

  tap_ok(parse_res(
             "{\"pids\":{\"limit\":16},\"memory\":{\"limit\":33554432,\"swap\":-1},"
             "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\"},"
             "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,"
             "\"minor\":3}]}",
             &r, &err)
                 == 0
             && r && r->has_pids_limit && r->pids_limit == 16 && r->mem_limit == 33554432 && r->mem_swap == -1
             && r->cpu_shares == 512 && r->cpu_quota == 50000 && strcmp(r->cpus, "0") == 0
             && r->n_devices == 2 && r->devices[0].type == 'a' && r->devices[0].major == -1
             && r->devices[1].minor == 3 && strcmp(r->devices[1].access, "rwm") == 0,
         "resources: every supported field parsed");
  box_resources_free(r), r = NULL;
  tap_ok(parse_res("{\"pids\":{\"limit\":0}}", &r, &err) == 0 && r && !r->has_pids_limit,
         "resources: pids.limit 0 means unset (runc)");
  box_resources_free(r), r = NULL;
  tap_ok(parse_res("{\"pids\":{\"limit\":\"x\"}}", &r, &err) < 0
             && tap_contains(err->msg, "config.json: `linux.resources.pids.limit`: must be an integer"),
         "resources: a bad value names its field");
  box_error_release(&err);
  tap_ok(parse_res("{\"network\":{\"classID\":1}}", &r, &err) < 0
             && tap_contains(err->msg, "`linux.resources.network`: not supported by box"),
         "resources: an unimplemented field is an error, not ignored");
  box_error_release(&err);
  tap_ok(parse_res("{\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":600}],"
                   "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":20,\"leafWeight\":30}]},"
                   "\"memory\":{\"disableOOMKiller\":true}}",
                   &r, &err)
             == 0
             && r && r->blkio_weight == 500 && r->n_blkio_rules[BOX_BLKIO_READ_BPS] == 1
             && r->blkio_rules[BOX_BLKIO_READ_BPS][0].major == 8 && r->blkio_rules[BOX_BLKIO_READ_BPS][0].value == 600
             && r->n_blkio_rules[BOX_BLKIO_WEIGHT] == 1 && r->blkio_rules[BOX_BLKIO_LEAF_WEIGHT][0].value == 30
             && r->disable_oom_killer,
         "resources: blockIO and disableOOMKiller parsed");
  box_resources_free(r), r = NULL;
  box_error_release(&err);
  tap_ok(parse_res("{\"blockIO\":{\"weight\":5}}", &r, &err) < 0
             && tap_contains(err->msg, "`linux.resources.blockIO.weight`: must be between 10 and 1000"),
         "resources: a blockIO weight out of range names its field");
  box_error_release(&err);
  tap_ok(parse_res("{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0}]}}", &r, &err) < 0
             && tap_contains(err->msg, "`linux.resources.blockIO.throttleWriteIOPSDevice[0]`: rate is REQUIRED"),
         "resources: a throttle rule without a rate names the entry");
  box_error_release(&err);
  tap_ok(parse_res("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", &r, &err) < 0
             && tap_contains(err->msg, "devices[0]"),
         "resources: bad device type names the entry");
  box_error_release(&err);
}

/* ---- as root, a real cgroup ---- */

/* Take the acceptance lock (ci/acceptance): the leak check is host-wide
   and must not see our scratch cgroup.  Returns the fd or -1 (busy).  */
static int
take_lock(void)
{
  const char *path = getenv("OCITEST_LOCK") ? getenv("OCITEST_LOCK") : "/tmp/ocitest-acceptance.lock";
  long long deadline = box_now_ms() + 60000;
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);

  while (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (box_now_ms() > deadline)
        return close(fd), -1;
      usleep(100000);
    }
  return fd;
}

static bool
in_cgroup(pid_t pid, const box_cgroup_t *cg)
{
  cleanup_free char *path = xasprintf("/proc/%d/cgroup", (int)pid), *text = NULL;
  box_error_t err = NULL;
  size_t i;

  if (box_read_file(path, &text, NULL, &err) < 0)
    return box_error_release(&err), false;
  for (i = 0; i < cg->n; i++)
    {
      cleanup_free char *line = xasprintf(":%s:%s\n", cg->dirs[i].controllers, cg->dirs[i].cgroup);
      if (!strstr(text, line))
        return tap_diag("not in %s", line), false;
    }
  return true;
}

static void
check_joined(box_cgroup_t *cg, pid_t child)
{
  box_error_t err = NULL;
  cleanup_free char *sub = NULL, *pids_max = NULL;
  size_t i;

  tap_ok(box_cgroup_enter(cg, child, &err) == 0, "child moved into every hierarchy");
  tap_ok(in_cgroup(child, cg), "/proc/CHILD/cgroup names the container's cgroup in each");
  for (i = 0; i < cg->n; i++)
    if (strstr(cg->dirs[i].controllers, "pids"))
      {
        cleanup_free char *f = xasprintf("%s/pids.max", cg->dirs[i].path);
        box_read_file(f, &pids_max, NULL, &err);
      }
  tap_ok(pids_max == NULL || strcmp(pids_max, "16\n") == 0, "pids.max is 16 (%s)",
         pids_max ? "v1 pids" : "no pids");
  /* A sub-cgroup as a container would make it: destroy must take it too.  */
  sub = xasprintf("%s/made-inside", cg->dirs[0].path);
  tap_ok(mkdir(sub, 0755) == 0, "sub-cgroup made below the container's");
  tap_ok(box_cgroup_signal_all(cg, SIGKILL, &err) == 1, "signal_all reaches the one process");
  box_error_release(&err);
}

static void
test_real(void)
{
  cleanup_free char *id = xasprintf("box-unit-%d", (int)getpid());
  box_cgroup_host_t *host = NULL;
  box_cgroup_t *cg = NULL;
  struct box_resources_s res = { .has_pids_limit = true, .pids_limit = 16 };
  box_error_t err = NULL;
  pid_t child;
  size_t i;
  int lock = geteuid() == 0 ? take_lock() : -1;
  bool gone = true;

  if (geteuid() != 0 || lock < 0 || box_cgroup_host_read(&host, &err) < 0)
    {
      tap_skip("real cgroup create/enter/destroy", geteuid() != 0 ? "needs root" : "no lock or no cgroups");
      box_error_release(&err);
      return;
    }
  if (box_cgroup_create(host, NULL, id, &res, &cg, &err) < 0
      && tap_contains(err->msg, "not supported on this host"))
    {
      /* A v2 host whose root does not hand out pids (e.g. hybrid's
         cgroup2 mounted alone): the error names the field, and the
         failed create took its directories with it.  */
      cleanup_free char *left = xasprintf("%s/box-%s", host->h[0].mount, id);
      tap_ok(tap_contains(err->msg, "`linux.resources.pids.limit`") && access(left, F_OK) < 0,
             "no pids controller: create fails naming the field, leaves nothing: %s", err->msg);
      box_error_release(&err);
      res.has_pids_limit = false;
      box_cgroup_create(host, NULL, id, &res, &cg, &err);
    }
  if (!tap_ok(cg != NULL, "create default cgroup box-%s (%s)", id, host->v2 ? "v2" : "v1/hybrid"))
    {
      tap_diag("%s", err->msg);
      box_error_release(&err), box_cgroup_host_free(host), close(lock);
      return;
    }
  child = fork();
  if (child == 0)
    for (;;)
      pause();
  check_joined(cg, child);
  waitpid(child, NULL, 0);
  tap_ok(box_cgroup_destroy(cg, box_now_ms() + 5000, &err) == 0, "destroy: %s", err ? err->msg : "ok");
  for (i = 0; i < cg->n; i++)
    gone = gone && access(cg->dirs[i].path, F_OK) < 0
           && (cg->dirs[i].n_created == 0 || access(cg->dirs[i].created[0], F_OK) < 0);
  tap_ok(gone, "every directory create made is gone");
  box_error_release(&err);
  box_cgroup_free(cg);
  box_cgroup_host_free(host);
  close(lock);
}

/* Two containers in box's default layout: each is one level, box-ID,
   right below box's own cgroup (no parent shared between them), and once
   both are destroyed nothing of either is left while box's own cgroup is
   untouched.  Then a shared parent a config names (`P/ID`): a create
   whose parent is removed between two levels (by the delete of the last
   container in it) makes it again.  */
static void
test_default_layout(void)
{
  cleanup_free char *a_id = xasprintf("box-unit-a-%d", (int)getpid()), *b_id = xasprintf("box-unit-b-%d", (int)getpid());
  cleanup_free char *shared = xasprintf("box-unit-p-%d/c", (int)getpid());
  box_cgroup_host_t *host = NULL;
  box_cgroup_t *a = NULL, *b = NULL, *c = NULL;
  box_error_t err = NULL;
  int lock = geteuid() == 0 ? take_lock() : -1;
  bool flat = true, gone = true;
  size_t i;

  if (geteuid() != 0 || lock < 0 || box_cgroup_host_read(&host, &err) < 0)
    {
      tap_skip("default layout and a shared parent", geteuid() != 0 ? "needs root" : "no lock or no cgroups");
      box_error_release(&err);
      return;
    }
  if (box_cgroup_create(host, NULL, a_id, NULL, &a, &err) < 0 || box_cgroup_create(host, NULL, b_id, NULL, &b, &err) < 0)
    {
      tap_ok(false, "two containers' cgroups: %s", err->msg);
      box_error_release(&err), box_cgroup_free(a), box_cgroup_host_free(host), close(lock);
      return;
    }
  for (i = 0; i < b->n; i++)
    {
      cleanup_free char *want = xasprintf("/box-%s", b_id);
      const char *base = strrchr(b->dirs[i].cgroup, '/');

      if (b->dirs[i].n_created != 1 || strcmp(b->dirs[i].created[0], b->dirs[i].path) != 0 || base == NULL
          || strcmp(base, want) != 0)
        {
          tap_diag("%s: %zu made, the last %s", b->dirs[i].cgroup, b->dirs[i].n_created,
                   b->dirs[i].n_created ? b->dirs[i].created[b->dirs[i].n_created - 1] : "none");
          flat = false;
        }
    }
  tap_ok(flat, "default layout: one directory made in each hierarchy, box-<id>");
  tap_ok(box_cgroup_destroy(a, box_now_ms() + 5000, &err) == 0 && box_cgroup_destroy(b, box_now_ms() + 5000, &err) == 0,
         "destroy both: %s", err ? err->msg : "ok");
  for (i = 0; i < b->n; i++)
    {
      cleanup_free char *parent = xstrdup(b->dirs[i].path);

      *strrchr(parent, '/') = '\0';
      if (access(a->dirs[i].path, F_OK) == 0 || access(b->dirs[i].path, F_OK) == 0 || access(parent, F_OK) < 0)
        {
          tap_diag("%s: a or b left, or the parent gone", parent);
          gone = false;
        }
    }
  tap_ok(gone, "both gone, box's own cgroup kept in every hierarchy");

  /* The race, made on purpose: another process removes the shared parent
     over and over (as the last container's delete does) while creates
     run; each create must still succeed, making the parent again.  */
  {
    pid_t remover;
    int failed = 0, n;

    if (box_cgroup_create(host, shared, a_id, NULL, &c, &err) < 0)
      {
        tap_ok(false, "cgroupsPath %s: %s", shared, err->msg);
        box_error_release(&err);
        goto out;
      }
    remover = fork();
    if (remover == 0)
      {
        long long until = box_now_ms() + 10000;

        /* One pass every 2 ms: a delete removes the parent once, not in
           a loop that would win every retry too.  */
        while (box_now_ms() < until)
          {
            for (i = 0; i < c->n; i++)
              {
                char parent[4096];

                snprintf(parent, sizeof parent, "%s", c->dirs[i].path);
                *strrchr(parent, '/') = '\0';
                (void)rmdir(parent);
              }
            usleep(2000);
          }
        _exit(0);
      }
    for (n = 0; n < 200 && failed == 0; n++)
      {
        if (n > 0 && box_cgroup_create(host, shared, a_id, NULL, &c, &err) < 0)
          {
            tap_diag("create %d: %s", n, err->msg);
            box_error_release(&err);
            failed++;
            continue;
          }
        if (box_cgroup_destroy(c, box_now_ms() + 5000, &err) < 0)
          {
            tap_diag("destroy %d: %s", n, err->msg);
            box_error_release(&err);
            failed++;
          }
        box_cgroup_free(c);
        c = NULL;
      }
    kill(remover, SIGKILL);
    waitpid(remover, NULL, 0);
    tap_ok(failed == 0, "200 creates while another process removes their parent: none fails (%d did)", failed);
    /* The remover may have left one made again after the last delete.  */
    for (i = 0; i < a->n; i++)
      {
        cleanup_free char *own = xstrdup(a->dirs[i].path), *parent = NULL;

        *strrchr(own, '/') = '\0';
        parent = xasprintf("%s/box-unit-p-%d", own, (int)getpid());
        (void)rmdir(parent);
      }
  }
out:
  box_error_release(&err);
  box_cgroup_free(a);
  box_cgroup_free(b);
  box_cgroup_free(c);
  box_cgroup_host_free(host);
  close(lock);
}

int
main(void)
{
  tap_init();
  test_proc_line();
  test_mountinfo_line();
  test_hybrid();
  test_v2();
  test_weight();
  test_resources();
  test_real();
  test_default_layout();
  return tap_done();
}
