/* Option parsing shared by the command files.  */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

int
box_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, box_error_t *err)
{
  int c;

  opterr = 0; /* only main() prints */
  c = getopt_long(argc, argv, shortopts, longopts, NULL);
  if (c == '?' || c == ':')
    {
      const char *arg = argv[optind - 1];
      if (optopt && strncmp(arg, "--", 2) != 0)
        return box_make_error(err, 0, "%s: %s option `-%c`", argv[0],
                              strchr(shortopts, optopt) ? "missing argument for" : "unknown", optopt),
               -2;
      return box_make_error(err, 0, "%s: unknown option or missing argument `%s`", argv[0], arg), -2;
    }
  return c;
}

int
box_check_args(const char *cmd, int argc, int min, int max, const char *usage, box_error_t *err)
{
  if (argc < min)
    return box_make_error(err, 0, "%s: missing argument, usage: box %s %s", cmd, cmd, usage);
  if (argc > max)
    return box_make_error(err, 0, "%s: too many arguments, usage: box %s %s", cmd, cmd, usage);
  return 0;
}

int
box_parse_preserve_fds(const char *cmd, const char *s, int *out, box_error_t *err)
{
  char *end;
  long v = strtol(s, &end, 10), i;

  if (*s == '\0' || *end != '\0' || v < 0 || v > 65536)
    return box_make_error(err, 0, "%s: --preserve-fds: `%s` is not a count of fds", cmd, s);
  for (i = 3; i < 3 + v; i++)
    if (fcntl((int)i, F_GETFD) < 0)
      return box_make_error(err, 0, "%s: --preserve-fds %ld: fd %ld is not open", cmd, v, i);
  *out = (int)v;
  return 0;
}
