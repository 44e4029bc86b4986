/* exec's process object (exec_process.c): the command line applied to the
   container's process, --process files, and the errors naming the field.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "tap.h"
#include "utils.h"

static const char saved[]
    = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
      "\"process\":{\"args\":[\"sleep\",\"1\"],\"cwd\":\"/\",\"env\":[\"PATH=/bin\",\"A=1\"],"
      "\"user\":{\"uid\":0,\"gid\":0},\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},"
      "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":20}]},"
      "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]}}";

static box_config_t *
build(const struct box_exec_s *e, box_error_t *err)
{
  box_config_t *c = NULL;

  if (box_exec_build_config(saved, strlen(saved), e, &c, err) < 0)
    return NULL;
  return c;
}

static void
test_flags(void)
{
  char *args[] = { "sh", "-c", "true", NULL };
  const char *env[] = { "A=2", "B=3" }, *gids[] = { "5", "7" }, *caps[] = { "CAP_CHOWN" };
  struct box_exec_s e = { .args = args, .cwd = "/tmp", .user = "65534:65533", .env = env, .n_env = 2,
                          .gids = gids, .n_gids = 2, .caps = caps, .n_caps = 1, .no_new_privs = true, .tty = true };
  box_error_t err = NULL;
  cleanup_config box_config_t *c = build(&e, &err);
  const struct box_process_s *p = c ? c->process : NULL;

  tap_ok(c != NULL, "flags applied to the container's process parse");
  if (c == NULL)
    {
      tap_diag("%s", err->msg);
      box_error_release(&err);
      return;
    }
  tap_ok(p->n_args == 3 && strcmp(p->args[0], "sh") == 0, "ARGS replace process.args");
  tap_ok(strcmp(p->cwd, "/tmp") == 0, "--cwd replaces process.cwd");
  tap_ok(p->uid == 65534 && p->gid == 65533, "--user UID:GID");
  tap_ok(p->n_additional_gids == 2 && p->additional_gids[1] == 7, "--additional-gids appended");
  tap_ok(p->n_env == 3 && strcmp(p->env[1], "A=2") == 0 && strcmp(p->env[2], "B=3") == 0,
         "--env replaces a variable the process has and appends the others");
  tap_ok(c->security->caps[BOX_CAP_BOUNDING] == ((1ULL << 5) | 1ULL) && c->security->caps[BOX_CAP_AMBIENT] == 1ULL,
         "--cap is added to every set");
  tap_ok(c->security->no_new_privs && p->terminal, "--no-new-privs and --tty");
  tap_ok(c->security->n_rlimits == 1, "the container's rlimits stay");
}

static void
check_flag_error(struct box_exec_s *e, const char *want, const char *desc)
{
  box_error_t err = NULL;
  cleanup_config box_config_t *c = build(e, &err);

  tap_ok(c == NULL && err && tap_contains(err->msg, want), "refused: %s", desc);
  if (err)
    tap_diag("%s", err->msg);
  box_error_release(&err);
}

static void
test_flag_errors(void)
{
  char *args[] = { "true", NULL }, *none[] = { NULL };
  const char *bad_env[] = { "NOEQUALS" }, *bad_gid[] = { "x" };
  struct box_exec_s e = { .args = none };

  check_flag_error(&e, "no command given", "no ARGS and no --process");
  e = (struct box_exec_s){ .args = args, .cwd = "tmp" };
  check_flag_error(&e, "`process.cwd`: must be an absolute path", "a relative --cwd, naming process.cwd");
  e = (struct box_exec_s){ .args = args, .user = "nobody" };
  check_flag_error(&e, "--user", "a --user that is not numeric");
  e = (struct box_exec_s){ .args = args, .env = bad_env, .n_env = 1 };
  check_flag_error(&e, "--env", "an --env without =");
  e = (struct box_exec_s){ .args = args, .gids = bad_gid, .n_gids = 1 };
  check_flag_error(&e, "--additional-gids", "a gid that is not numeric");
}

/* A --process file with `text`; the error (if want) names `want`.  */
static void
check_file(const char *text, const char *want, const char *desc)
{
  char path[] = "/tmp/test_exec.XXXXXX";
  int fd = mkstemp(path);
  struct box_exec_s e = { .process_file = path };
  box_error_t err = NULL;
  box_config_t *c = NULL;

  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    abort();
  close(fd);
  c = build(&e, &err);
  if (want == NULL)
    tap_ok(c != NULL, "--process accepted: %s", desc);
  else
    tap_ok(c == NULL && err && tap_contains(err->msg, want) && tap_contains(err->msg, path), "--process refused: %s",
           desc);
  if (err)
    tap_diag("%s", err->msg);
  if (c && want == NULL)
    tap_ok(c->security->caps[BOX_CAP_BOUNDING] == (1ULL << 5) && c->process->n_env == 0,
           "the object's env exactly; the container's capabilities when it names none");
  box_config_free(c);
  box_error_release(&err);
  unlink(path);
}

static void
test_process_file(void)
{
  check_file("{\"args\":[\"true\"],\"cwd\":\"/\"}", NULL, "args and cwd");
  check_file("{\"args\":[\"true\"],\"cwd\":\"/\"", "invalid JSON", "not JSON");
  check_file("[1]", "must be an object", "not an object");
  check_file("{\"cwd\":\"/\"}", "`process.args`", "no args");
  check_file("{\"args\":[\"true\"]}", "`process.cwd`: required", "no cwd");
  check_file("{\"args\":[\"true\"],\"cwd\":\"tmp\"}", "`process.cwd`: must be an absolute path", "relative cwd");
  check_file("{\"args\":[\"true\"],\"cwd\":\"/\",\"apparmorProfile\":\"p\"}", "`process.apparmorProfile`",
             "an apparmor profile box cannot apply");
  check_file("{\"args\":[\"true\"],\"cwd\":\"/\",\"selinuxLabel\":\"l\"}", "`process.selinuxLabel`",
             "an selinux label box cannot apply");
  check_file("{\"args\":[\"true\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOPE\",\"soft\":1,\"hard\":1}]}",
             "`process.rlimits[0].type`", "an unknown rlimit");
}

int
main(void)
{
  tap_init();
  test_flags();
  test_flag_errors();
  test_process_file();
  return tap_done();
}
