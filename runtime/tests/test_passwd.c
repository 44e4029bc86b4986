/* HOME for a config without it (passwd.c).  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "utils.h"

static char passwd_path[] = "/tmp/box-test-passwd.XXXXXX";

/* The HOME= entry box_env_with_home appends for uid (freed by the caller's
   array free), or NULL when it returned NULL.  */
static char *
home_for(char *const *env, uid_t uid)
{
  char **out = box_env_with_home(env, uid, passwd_path);
  size_t n = 0;
  char *home;

  if (out == NULL)
    return NULL;
  while (out[n + 1])
    n++;
  home = out[n];
  free(out);
  return home;
}

int
main(void)
{
  static const char text[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# a comment line\n"
                             "short:x\n"
                             "nohome:x:7:7:no home::/bin/false\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false";
  char *env[] = { (char *)"PATH=/bin", (char *)"TERM=xterm", NULL };
  char *with_home[] = { (char *)"PATH=/bin", (char *)"HOME=/x", NULL };
  char *home;
  int fd;

  tap_init();
  fd = mkstemp(passwd_path);
  if (fd < 0 || write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1))
    return 1;
  close(fd);

  tap_ok(box_env_with_home(with_home, 0, passwd_path) == NULL, "a config with HOME keeps its own");
  home = home_for(env, 0);
  tap_ok(home && strcmp(home, "HOME=/root") == 0, "uid 0: HOME from its passwd entry (%s)", home);
  free(home);
  home = home_for(env, 65534);
  tap_ok(home && strcmp(home, "HOME=/nonexistent") == 0, "uid 65534, the last line without a newline (%s)",
         home);
  free(home);
  home = home_for(env, 4242);
  tap_ok(home && strcmp(home, "HOME=/") == 0, "a uid with no entry: HOME=/ (%s)", home);
  free(home);
  home = home_for(env, 7);
  tap_ok(home && strcmp(home, "HOME=/") == 0, "an entry with an empty home: HOME=/ (%s)", home);
  free(home);
  home = home_for(NULL, 0);
  tap_ok(home && strcmp(home, "HOME=/root") == 0, "no env at all: HOME alone (%s)", home);
  free(home);
  unlink(passwd_path);
  home = home_for(env, 0);
  tap_ok(home && strcmp(home, "HOME=/") == 0, "no passwd file: HOME=/ (%s)", home);
  free(home);
  return tap_done();
}
