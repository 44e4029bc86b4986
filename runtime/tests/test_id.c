/* Container id validation and signal names (utils.c).  */
#include <signal.h>

#include "tap.h"
#include "utils.h"

static void
check_valid(const char *id)
{
  box_error_t err = NULL;
  tap_ok(box_validate_id(id, &err) == 0 && err == NULL, "id `%.40s` is valid", id);
  if (err)
    tap_diag("%s", err->msg);
  box_error_release(&err);
}

/* Invalid, and the message names the reason (`want`).  */
static void
check_invalid(const char *id, const char *desc, const char *want)
{
  box_error_t err = NULL;
  int r = box_validate_id(id, &err);

  tap_ok(r < 0 && err && tap_contains(err->msg, "invalid container id") && tap_contains(err->msg, want),
         "id rejected: %s", desc);
  if (err)
    tap_diag("%s", err->msg);
  box_error_release(&err);
}

static void
test_ids(void)
{
  char max[BOX_ID_MAX + 1], over[BOX_ID_MAX + 2];

  memset(max, 'a', BOX_ID_MAX);
  max[BOX_ID_MAX] = '\0';
  memset(over, 'b', BOX_ID_MAX + 1);
  over[BOX_ID_MAX + 1] = '\0';

  check_valid("c1");
  check_valid("a");
  check_valid("A-b_c.d+e9");
  check_valid("x..y");
  check_valid(max);
  check_invalid("", "empty", "empty");
  check_invalid(over, "longer than the bound", "longer than");
  check_invalid("a/b", "contains `/`", "`/`");
  check_invalid("/abs", "absolute path", "`/`");
  check_invalid("..", "`..`", "`.`");
  check_invalid(".", "`.`", "`.`");
  check_invalid(".hidden", "leading `.`", "`.`");
  check_invalid("x/../y", "embedded path", "`/`");
  check_invalid("a b", "space", "` `");
  check_invalid("a\nb", "newline", "0x0a");
  check_invalid("caf\xc3\xa9", "non-ASCII", "0xc3");
  check_invalid("a*", "glob character", "`*`");
}

static void
test_signals(void)
{
  static const struct
  {
    const char *name;
    int sig;
  } good[] = { { "KILL", SIGKILL }, { "SIGKILL", SIGKILL }, { "9", SIGKILL },
               { "term", SIGTERM }, { "SIGUSR1", SIGUSR1 }, { "HUP", SIGHUP }, { "0", 0 } };
  static const char *const bad[] = { "FOO", "", "-1", "100000", "SIG", "9x" };
  box_error_t err = NULL;
  size_t i;

  for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    {
      int sig = 0;
      tap_ok(box_parse_signal(good[i].name, &sig, &err) == 0 && sig == good[i].sig, "signal `%s` is %d",
             good[i].name, good[i].sig);
      box_error_release(&err);
    }
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    {
      int sig = 0;
      int r = box_parse_signal(bad[i], &sig, &err);
      tap_ok(r < 0 && err && tap_contains(err->msg, "invalid signal"), "signal `%s` rejected, named", bad[i]);
      box_error_release(&err);
    }
}

static void
test_errors(void)
{
  box_error_t err = NULL;

  box_make_error(&err, 2, "open `%s`", "x");
  tap_ok(err && strcmp(err->msg, "open `x`: No such file or directory") == 0 && err->errnum == 2,
         "box_make_error appends strerror once");
  box_error_wrap(&err, "create container `%s`", "c1");
  tap_ok(err && strcmp(err->msg, "create container `c1`: open `x`: No such file or directory") == 0,
         "box_error_wrap prefixes context");
  box_error_release(&err);
  tap_ok(err == NULL, "box_error_release resets the error");
}

int
main(void)
{
  tap_init();
  test_ids();
  test_signals();
  test_errors();
  return tap_done();
}
