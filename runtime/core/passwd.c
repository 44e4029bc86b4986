/* Entries of a passwd file, read by hand: box is linked statically, where
   getpwuid(3) would need glibc's NSS modules at run time.
 *
 * HOME for a process whose config has none.  The runtime-spec is silent;
 * runc (libcontainer/init_linux.go setupUser) and crun both set it from
 * the user's entry in the container's /etc/passwd, else "/", and many
 * programs misbehave without it.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

/* Field k (0: name, 5: home) of uid's entry in the passwd file at path, or
   NULL when the file or the entry is missing or the field is empty.  Caller
   frees.  */
static char *
passwd_field(const char *path, uid_t uid, int k)
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
      if (*end == '\0' && v == (unsigned long)uid && field[k][0] != '\0')
        return xstrdup(field[k]);
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
  home = passwd_field(passwd, uid, 5);
  out = xmalloc((n + 2) * sizeof(*out));
  for (i = 0; i < n; i++)
    out[i] = env[i];
  out[n] = xasprintf("HOME=%s", home ? home : "/");
  out[n + 1] = NULL;
  return out;
}

char *
box_passwd_name(const char *passwd, uid_t uid)
{
  return passwd_field(passwd, uid, 0);
}
