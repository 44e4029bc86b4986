/* ocitest bench: a runtime under test, its bundles and commands (bench.h). */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_WORDS 24

const char *const bench_op_names[BENCH_OP_N] = {
  "create", "start", "state", "exec", "pause", "resume", "kill", "delete", "run", "version",
};

int
bench_rt_cmd(bench_rt_t *rt, const bench_opts_t *o, bench_samples_t *into, bench_proc_t *proc,
             ocitest_error_t *err, ...)
{
  char *argv[MAX_WORDS];
  bench_proc_t p, *pp = proc ? proc : &p;
  const char *w;
  va_list ap;
  int n = 0;

  argv[n++] = rt->path;
  argv[n++] = (char *)"--root";
  argv[n++] = rt->root;
  va_start(ap, err);
  while ((w = va_arg(ap, const char *)) && n < MAX_WORDS - 1)
    argv[n++] = (char *)w;
  va_end(ap);
  argv[n] = NULL;
  if (bench_spawn(argv, rt->err_fd, o->timeout_ms, pp, err) < 0)
    return -1;
  if (into)
    bench_samples_push(into, pp->ms, pp->rss_kib);
  return 0;
}

int
bench_rt_version(bench_rt_t *rt, const bench_opts_t *o, bench_samples_t *into, ocitest_error_t *err)
{
  char *argv[] = { rt->path, (char *)"--version", NULL };
  bench_proc_t p;

  if (bench_spawn(argv, rt->err_fd, o->timeout_ms, &p, err) < 0)
    return -1;
  if (into)
    bench_samples_push(into, p.ms, p.rss_kib);
  return 0;
}

/* Does the runtime know the command?  Asked about a container that does
   not exist: "unknown command" (box), "No help topic" (runc) or a usage
   error naming the command mean no; "does not exist" means yes. */
static bool
probe_command(bench_rt_t *rt, const bench_opts_t *o, const char *cmd)
{
  char *argv[] = { rt->path, (char *)"--root", rt->root, (char *)cmd, (char *)"ocitest-bench-probe", NULL };
  ocitest_error_t err = NULL;
  cleanup_free char *text = NULL;
  bench_proc_t p;

  if (bench_spawn_any(argv, rt->err_fd, o->timeout_ms, &p, &err) < 0)
    {
      ocitest_error_release(&err);
      return false;
    }
  text = bench_err_text(rt->err_fd);
  for (char *c = text; *c; c++)
    *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
  return strstr(text, "unknown command") == NULL && strstr(text, "no help topic") == NULL
         && strstr(text, "invalid command") == NULL && strstr(text, "unrecognized command") == NULL;
}

static void
probe_commands(bench_rt_t *rt, const bench_opts_t *o)
{
  for (int op = 0; op < BENCH_OP_N; op++)
    rt->has[op] = true;
  rt->has[BENCH_EXEC] = probe_command(rt, o, "exec");
  rt->has[BENCH_PAUSE] = rt->has[BENCH_RESUME] = probe_command(rt, o, "pause") && probe_command(rt, o, "resume");
  rt->has[BENCH_RUN] = probe_command(rt, o, "run");
  rt->has_ps = probe_command(rt, o, "ps");
  rt->has_list = probe_command(rt, o, "list");
}

/* cp -a: the rootfs copy each runtime gets (setup, not timed). */
static int
copy_rootfs(bench_rt_t *rt, const bench_opts_t *o, const char *to, ocitest_error_t *err)
{
  char *argv[] = { (char *)"/bin/cp", (char *)"-a", (char *)o->rootfs, (char *)to, NULL };
  bench_proc_t p;

  return bench_spawn(argv, rt->err_fd, 600000, &p, err);
}

static char *
label_of(const char *path)
{
  const char *b = strrchr(path, '/');
  char *l = xstrdup(b ? b + 1 : path);

  for (char *c = l; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
      *c = '_';
  return l;
}

int
bench_rt_setup(bench_rt_t *rt, int index, const char *path, const bench_opts_t *o, ocitest_error_t *err)
{
  static const char *const sleep_args[] = { "sleep", "1000000", NULL }, *const true_args[] = { "true", NULL };
  cleanup_free char *rootfs = NULL, *errpath = NULL;

  rt->err_fd = -1;
  rt->label = label_of(path);
  rt->path = xstrdup(path);
  rt->dir = xasprintf("%s/%d-%s", o->workdir, index, rt->label);
  rt->root = xasprintf("%s/root", rt->dir);
  rt->sleep = xasprintf("%s/sleep", rt->dir);
  rt->truebd = xasprintf("%s/true", rt->dir);
  rt->pid_file = xasprintf("%s/pid", rt->dir);
  rootfs = xasprintf("%s/rootfs", rt->dir);
  errpath = xasprintf("%s/stderr", rt->dir);
  if (access(path, X_OK) < 0)
    return ocitest_make_error(err, errno, "runtime `%s`", path);
  if (mkdir(rt->dir, 0755) < 0)
    return ocitest_make_error(err, errno, "mkdir `%s`", rt->dir);
  rt->err_fd = open(errpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (rt->err_fd < 0)
    return ocitest_make_error(err, errno, "create `%s`", errpath);
  if (copy_rootfs(rt, o, rootfs, err) < 0 || bench_write_bundle(rt->sleep, o->config, rootfs, sleep_args, err) < 0
      || bench_write_bundle(rt->truebd, o->config, rootfs, true_args, err) < 0)
    return ocitest_error_wrap(err, "bundle for `%s`", path);
  probe_commands(rt, o);
  return 0;
}

void
bench_rt_sweep(bench_rt_t *rt, const bench_opts_t *o)
{
  cleanup_dir DIR *d = rt->root ? opendir(rt->root) : NULL;
  struct dirent *e;

  while (d && (e = readdir(d)))
    {
      ocitest_error_t err = NULL;

      if (e->d_name[0] == '.')
        continue;
      if (bench_rt_cmd(rt, o, NULL, NULL, &err, "delete", "--force", e->d_name, NULL) < 0)
        {
          fprintf(stderr, "ocitest bench: cleanup: %s\n", err->msg);
          ocitest_error_release(&err);
        }
    }
}

void
bench_rt_free(bench_rt_t *rt)
{
  free(rt->label);
  free(rt->path);
  free(rt->dir);
  free(rt->root);
  free(rt->sleep);
  free(rt->truebd);
  free(rt->pid_file);
  cleanup_closep(&rt->err_fd);
  for (int op = 0; op < BENCH_OP_N; op++)
    bench_samples_free(&rt->s[op]);
}
