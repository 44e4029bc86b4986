/* HOME for a process whose config has none.  The runtime-spec is silent;
   runc (libcontainer/init_linux.go setupUser) and crun both set it from
   the user's entry in the container's /etc/passwd, else "/", and many
   programs misbehave without it.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

/* The home directory of uid in the passwd file at path (the container's,
   read after pivot_root), or NULL when the file or the entry is missing.
   Caller frees.  */
static char *
passwd_home(const char *path, uid_t uid)
{
  cleanup_file FILE *f = fopen(path, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return NULL;
  while (getline(&line, &cap, f) >= 0)
    {
      /* name:password:uid:gid:gecos:home:shell */
      char *field[7] = { NULL }, *p = line;
      char *end;
      int n = 0;
      unsigned long v;

      line[strcspn(line, "\n")] = '\0';
      for (; n < 7 && (field[n] = strsep(&p, ":")) != NULL; n++)
        ;
      if (n < 6 || field[2][0] == '\0')
        continue;
      v = strtoul(field[2], &end, 10);
      if (*end == '\0' && v == (unsigned long)uid && field[5][0] != '\0')
        return xstrdup(field[5]);
    }
  return NULL;
}

char **
box_env_with_home(char *const *env, uid_t uid, const char *passwd)
{
  cleanup_free char *home = NULL;
  char **out;
  size_t n = 0, i;

  for (; env && env[n]; n++)
    if (strncmp(env[n], "HOME=", 5) == 0)
      return NULL;
#ifdef BOX_BROKEN_NO_HOME
  /* Broken on purpose (harness/tests/broken/no-home): HOME left unset.  */
  return NULL;
#endif
  home = passwd_home(passwd, uid);
  out = xmalloc((n + 2) * sizeof(*out));
  for (i = 0; i < n; i++)
    out[i] = env[i];
  out[n] = xasprintf("HOME=%s", home ? home : "/");
  out[n + 1] = NULL;
  return out;
}
