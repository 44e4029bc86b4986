/* Lifecycle operations that need no privileges (container.c): missing
   containers, invalid ids, a container still being created, and the rules
   for which status allows which operation.  */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "tap.h"
#include "utils.h"

static char root[] = "/tmp/box-test-container.XXXXXX";

static void
expect_error(const char *desc, int r, box_error_t *err, const char *want)
{
  tap_ok(r < 0 && *err && tap_contains((*err)->msg, want), "%s", desc);
  tap_diag("%s", *err ? (*err)->msg : "(no error)");
  box_error_release(err);
}

static void
test_missing(void)
{
  box_context_t ctx = { .root = root, .id = "nosuch" };
  box_error_t err = NULL;
  char *out = NULL;

  expect_error("state of a missing container fails", box_container_state(&ctx, &out, &err), &err,
               "container `nosuch` does not exist");
  expect_error("start of a missing container fails", box_container_start(&ctx, &err), &err, "does not exist");
  expect_error("kill of a missing container fails", box_container_kill(&ctx, "KILL", &err), &err,
               "does not exist");
  expect_error("delete of a missing container fails", box_container_delete(&ctx, &err), &err,
               "does not exist");
  ctx.force = true;
  tap_ok(box_container_delete(&ctx, &err) == 0 && err == NULL,
         "delete --force of a missing container succeeds (like runc)");
  ctx.id = "../etc";
  expect_error("delete --force with an invalid id still fails", box_container_delete(&ctx, &err), &err,
               "invalid container id");
  expect_error("state with an invalid id fails", box_container_state(&ctx, &out, &err), &err,
               "invalid container id");
  ctx.id = "c1";
  expect_error("kill with an invalid signal names it", box_container_kill(&ctx, "FOO", &err), &err,
               "invalid signal `FOO`");
}

/* root/ID without state.json: a create still in progress.  */
static void
test_creating(void)
{
  cleanup_free char *dir = xasprintf("%s/busy", root);
  box_context_t ctx = { .root = root, .id = "busy" };
  cleanup_free char *out = NULL;
  box_error_t err = NULL;

  mkdir(dir, 0700);
  tap_ok(box_container_state(&ctx, &out, &err) == 0 && tap_contains(out, "\"status\": \"creating\""),
         "a state dir without state.json reports creating");
  expect_error("start while creating fails", box_container_start(&ctx, &err), &err, "status is creating");
  expect_error("kill while creating fails", box_container_kill(&ctx, "TERM", &err), &err, "is not running");
  expect_error("delete while creating fails without --force", box_container_delete(&ctx, &err), &err,
               "status is creating");
  tap_ok(access(dir, F_OK) == 0, "... and has no effect");
  ctx.force = true;
  tap_ok(box_container_delete(&ctx, &err) == 0 && access(dir, F_OK) < 0, "delete --force removes it");
  box_error_release(&err);
}

static void
test_spec(void)
{
  cleanup_free char *bundle = xasprintf("%s/bundle", root);
  box_error_t err = NULL;

  mkdir(bundle, 0755);
  tap_ok(box_write_default_spec(bundle, &err) == 0, "spec writes config.json");
  expect_error("spec refuses to overwrite config.json", box_write_default_spec(bundle, &err), &err,
               "already exists");
}

int
main(void)
{
  box_error_t err = NULL;

  tap_init();
  if (mkdtemp(root) == NULL)
    {
      printf("# SKIP cannot create a temporary directory\n");
      return 77;
    }
  test_missing();
  test_creating();
  test_spec();
  box_rm_rf(root, &err);
  box_error_release(&err);
  return tap_done();
}
