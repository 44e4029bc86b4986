/* ocitest state-check: validate a `state` document and compare it with what
   the case expects; one stderr line per failed check. */
#include "statedoc.h"

#include <getopt.h>
#include <string.h>

#define STATE_DOC_MAX (16u << 20)

static const char state_check_usage[]
    = "usage: ocitest state-check [options] [FILE|-]\n"
      "Validate an OCI state document (stdin by default) and compare it with expectations.\n"
      "  --id ID               expect this id\n"
      "  --status STATUS       expect this status (creating|created|running|stopped)\n"
      "  --pid N               expect this pid\n"
      "  --pid-alive           the pid must exist on this host and not be a zombie\n"
      "  --bundle PATH         expect this bundle (compared after realpath)\n"
      "  --annotation KEY=VAL  expect this annotation (repeatable)\n";

enum
{
  OPT_ID = 256,
  OPT_STATUS,
  OPT_PID,
  OPT_PID_ALIVE,
  OPT_BUNDLE,
  OPT_ANNOTATION,
};

struct state_check_opts_s
{
  state_expect_t want;
  struct state_annotation_s *annotations;
  const char *file;
};

static int
add_annotation(struct state_check_opts_s *o, char *arg, ocitest_error_t *err)
{
  char *eq = strchr(arg, '=');

  if (eq == NULL || eq == arg)
    return ocitest_usage_error(err, "--annotation: want KEY=VALUE, got `%s`", arg);
  *eq = '\0';
  o->annotations = xrealloc(o->annotations, (o->want.n_annotations + 1) * sizeof(*o->annotations));
  o->annotations[o->want.n_annotations++] = (struct state_annotation_s){ .key = arg, .value = eq + 1 };
  o->want.annotations = o->annotations;
  return 0;
}

static int
parse_state_check_opts(int argc, char **argv, struct state_check_opts_s *o, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "id", required_argument, NULL, OPT_ID },
    { "status", required_argument, NULL, OPT_STATUS },
    { "pid", required_argument, NULL, OPT_PID },
    { "pid-alive", no_argument, NULL, OPT_PID_ALIVE },
    { "bundle", required_argument, NULL, OPT_BUNDLE },
    { "annotation", required_argument, NULL, OPT_ANNOTATION },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  options_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_ID:
          o->want.id = optarg;
          break;
        case OPT_STATUS:
          o->want.status = optarg;
          break;
        case OPT_PID:
          o->want.has_pid = true;
          if (parse_long("--pid", optarg, 0, INT32_MAX, &o->want.pid, err) < 0)
            return -1;
          break;
        case OPT_PID_ALIVE:
          o->want.pid_alive = true;
          break;
        case OPT_BUNDLE:
          o->want.bundle = optarg;
          break;
        case OPT_ANNOTATION:
          if (add_annotation(o, optarg, err) < 0)
            return -1;
          break;
        case 'h':
          fputs(state_check_usage, stdout);
          return 1;
        default:
          return option_error(c, argv, "state-check", err);
        }
    }
  if (argc - optind > 1)
    return ocitest_usage_error(err, "at most one FILE, got `%s` and `%s`", argv[optind], argv[optind + 1]);
  o->file = optind < argc ? argv[optind] : "-";
  return 0;
}

int
ocitest_cmd_state_check(int argc, char **argv, ocitest_error_t *err)
{
  struct state_check_opts_s o = { 0 };
  cleanup_free struct state_annotation_s *annotations = NULL;
  cleanup_str_list str_list_t failures = { 0 };
  cleanup_free char *buf = NULL;
  size_t len = 0;
  int r;

  r = parse_state_check_opts(argc, argv, &o, err);
  annotations = o.annotations;
  if (r != 0)
    return r < 0 ? -1 : OCITEST_EXIT_OK;

  if (strcmp(o.file, "-") == 0)
    r = read_all_fd(STDIN_FILENO, STATE_DOC_MAX, &buf, &len, err) < 0 ? ocitest_error_wrap(err, "stdin") : 0;
  else
    r = read_file(o.file, STATE_DOC_MAX, &buf, &len, err);
  if (r < 0)
    return -1;

  if (state_check_buffer(buf, len, &o.want, &failures, err) < 0)
    return -1;
  for (size_t i = 0; i < failures.len; i++)
    fprintf(stderr, "ocitest state-check: %s\n", failures.items[i]);
  return failures.len ? OCITEST_EXIT_FAIL : OCITEST_EXIT_OK;
}
