/* ocitest inside: run as the container's process, compare the live
   environment with the config.json it was started from, print TAP naming the
   spec requirement of each check. */
#include "insidechk.h"

#include <getopt.h>

extern char **environ;

static const char inside_usage[]
    = "usage: ocitest inside [--config PATH] [--host FILE] [--only GROUP,...]\n"
      "Compare this process's environment with the config (default /config.json); TAP\n"
      "on stdout, the last line `N passed, N failed, N skipped`; exit 1 if any failed.\n"
      "  --host FILE   `KEY VALUE` lines: the host's namespaces (`net net:[...]`, from\n"
      "                readlink /proc/self/ns/*), joined targets (`/proc/PID/ns/net net:[...]`)\n"
      "                and `seccomp N` (the runtime's own seccomp mode)\n"
      "  --only LIST   groups: process,caps,uts,root,mounts,paths,devices,sysctl,ns,seccomp,idmap\n";

int
ocitest_cmd_inside(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
                                        { "host", required_argument, NULL, 'H' },
                                        { "only", required_argument, NULL, 'o' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  /* Captured before getopt, which may permute argv. */
  cleanup_free char **self_argv = xcalloc((size_t)argc + 2, sizeof *self_argv);
  const char *config = "/config.json", *host = NULL, *only = NULL;
  json_error_t jerr;
  json_t *doc, *hostdoc = NULL;
  inside_t t = { 0 };
  int c, r;

  /* argv here starts at "inside": main() passes argv + 1, so the process's
     own argv[0] is the element before it, in the same array. */
  for (int i = 0; i <= argc; i++)
    self_argv[i] = argv[i - 1];
  options_reset();
  while ((c = getopt_long(argc, argv, "+:c:H:o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'c':
        config = optarg;
        break;
      case 'H':
        host = optarg;
        break;
      case 'o':
        only = optarg;
        break;
      case 'h':
        fputs(inside_usage, stdout);
        return OCITEST_EXIT_OK;
      default:
        return option_error(c, argv, "inside", err);
      }
  if (optind < argc)
    return ocitest_usage_error(err, "unexpected argument `%s`", argv[optind]);
  doc = json_load_file(config, 0, &jerr);
  if (!doc)
    return ocitest_make_error(err, 0, "read config `%s`: %s", config, jerr.text);
  if (host && inside_read_host(host, &hostdoc, err) < 0)
    {
      json_decref(doc);
      return ocitest_error_wrap(err, "--host");
    }
  setvbuf(stdout, NULL, _IONBF, 0);
  t = (inside_t){ .config = doc,
                  .host = hostdoc,
                  .proc = "/proc",
                  .root = "",
                  .argc = argc + 1,
                  .argv = self_argv,
                  .environ = environ,
                  .out = stdout };
  r = inside_run(&t, only, err);
  if (r >= 0)
    {
      printf("1..%d\n%d passed, %d failed, %d skipped\n", t.n, t.passed, t.failed, t.skipped);
      r = t.failed ? OCITEST_EXIT_FAIL : OCITEST_EXIT_OK;
    }
  json_decref(doc);
  json_decref(hostdoc);
  return r;
}
