/* ocitest inside-host: the `--host` file of `ocitest inside`, written on
   the host side.  A direct child of the shell that starts the runtime has
   its namespaces and seccomp mode, so its own are the host's.  In bash each
   of the twenty `readlink` and `basename` calls this replaces was a fork of
   the case's shell, about 3 ms each on a 2-core host. */
#include "insidechk.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static const char inside_host_usage[]
    = "usage: ocitest inside-host [PATH...]\n"
      "Print the `KEY VALUE` lines `ocitest inside --host` reads: this process's\n"
      "namespaces (`net net:[4026531840]`, from /proc/self/ns), its seccomp mode\n"
      "(`seccomp 0`), and for each PATH (a /proc/PID/ns/TYPE) `PATH TARGET`.\n"
      "Exits 1 naming the path when a link cannot be read.\n";

/* Append `KEY TARGET` for the link PATH to out; -1 with err on failure. */
static int
inside_host_link(FILE *out, const char *key, const char *path, ocitest_error_t *err)
{
  char target[PATH_MAX];
  ssize_t n = readlink(path, target, sizeof target - 1);

  if (n < 0)
    return ocitest_make_error(err, errno, "readlink `%s`", path);
  target[n] = '\0';
  fprintf(out, "%s %s\n", key, target);
  return 0;
}

/* Every entry of /proc/self/ns, in the order readdir gives (the reader
   keys them by name). */
static int
inside_host_namespaces(FILE *out, ocitest_error_t *err)
{
  cleanup_dir DIR *d = opendir("/proc/self/ns");
  struct dirent *e;

  if (d == NULL)
    return ocitest_make_error(err, errno, "open /proc/self/ns");
  while ((e = readdir(d)) != NULL)
    {
      cleanup_free char *path = NULL;

      if (e->d_name[0] == '.')
        continue;
      path = xasprintf("/proc/self/ns/%s", e->d_name);
      if (inside_host_link(out, e->d_name, path, err) < 0)
        return -1;
    }
  return 0;
}

/* `seccomp N` from the Seccomp: line of /proc/self/status. */
static int
inside_host_seccomp(FILE *out, ocitest_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char *mode = NULL;

  if (read_file("/proc/self/status", 1 << 20, &text, NULL, err) < 0)
    return -1;
  mode = status_field(text, "Seccomp");
  if (mode == NULL)
    return ocitest_make_error(err, 0, "no Seccomp: line in /proc/self/status");
  fprintf(out, "seccomp %s\n", mode);
  return 0;
}

int
ocitest_cmd_inside_host(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c != 'h')
        return option_error(c, argv, "inside-host", err);
      fputs(inside_host_usage, stdout);
      return 0;
    }
  if (inside_host_namespaces(stdout, err) < 0 || inside_host_seccomp(stdout, err) < 0)
    return -1;
  for (int i = optind; i < argc; i++)
    if (inside_host_link(stdout, argv[i], argv[i], err) < 0)
      return -1;
  return 0;
}
