/* box_join_in_root (utils.c): paths in the rootfs resolved as the container
   would resolve them, over a real directory tree with symlinks.  */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "utils.h"

static char root[] = "/tmp/box-test-join.XXXXXX";

static void
make(const char *rel, const char *link_target)
{
  cleanup_free char *p = xasprintf("%s%s", root, rel);
  int r = link_target ? symlink(link_target, p) : mkdir(p, 0755);
  if (r < 0)
    {
      perror(p);
      exit(1);
    }
}

/* UNSAFE joins to root + WANT.  */
static void
check(const char *unsafe, const char *want)
{
  box_error_t err = NULL;
  cleanup_free char *got = box_join_in_root(root, unsafe, &err);
  cleanup_free char *expect = xasprintf("%s%s", root, want);

  if (!tap_ok(got && strcmp(got, expect) == 0, "`%s` resolves to `<root>%s`", unsafe, want))
    tap_diag("got %s%s", got ? got : "NULL: ", got ? "" : err->msg);
  box_error_release(&err);
}

int
main(void)
{
  tap_init();
  if (mkdtemp(root) == NULL)
    {
      perror("mkdtemp");
      return 1;
    }
  make("/etc", NULL);
  make("/data", NULL);
  make("/abs", "/etc");                   /* absolute: from the container's root */
  make("/escape", "/tmp/host-target");    /* absolute, pointing at a host path */
  make("/up", "../../../../../../../.."); /* relative, climbing above the root */
  make("/data/rel", "../etc");
  make("/loop", "loop");
  make("/chain", "abs");

  check("/", "/");
  check("/etc", "/etc");
  check("/etc/", "/etc");
  check("//etc/./", "/etc");
  check("/missing/dir", "/missing/dir");
  check("/abs", "/etc");
  check("/abs/sub", "/etc/sub");
  check("/escape", "/tmp/host-target");
  check("/escape/sub/dir", "/tmp/host-target/sub/dir");
  check("/up", "/");
  check("/up/etc", "/etc");
  check("/../../etc", "/etc");
  check("/data/rel/x", "/etc/x");
  check("/chain/y", "/etc/y");
  check("/data/../abs", "/etc");

  box_error_t err = NULL;
  char *got = box_join_in_root(root, "/loop/x", &err);
  tap_ok(got == NULL && err && err->errnum == ELOOP, "a symlink loop is ELOOP, not a hang");
  if (err)
    tap_diag("%s", err->msg);
  free(got);
  box_error_release(&err);

  cleanup_free char *cmd = xasprintf("rm -rf '%s'", root);
  if (system(cmd) != 0)
    tap_diag("could not remove %s", root);
  return tap_done();
}
