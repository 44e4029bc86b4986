/* ocitest probe: print what this host allows, one key=value per line, for
   the bats `requires` helper to turn into skips with a reason. */
#include "hostprobe.h"

#include <getopt.h>

static const char probe_usage[]
    = "usage: ocitest probe\n"
      "Print what this host allows as key=value lines (values 1/0 unless stated).\n";

int
ocitest_cmd_probe(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  host_probe_t probe;
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
    {
      if (c != 'h')
        return option_error(c, argv, "probe", err);
      fputs(probe_usage, stdout);
      return OCITEST_EXIT_OK;
    }
  if (optind < argc)
    return ocitest_usage_error(err, "unexpected argument `%s`", argv[optind]);

  if (host_probe(&probe, err) < 0)
    return -1;
  host_probe_print(&probe, stdout);
  host_probe_free(&probe);
  return OCITEST_EXIT_OK;
}
