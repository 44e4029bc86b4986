/* ocitest bench --scale: what one more operation costs with N containers
   already created in one --root (N from the list, 10,100,1000), so that a
   runtime that scans its whole root, or all cgroups, per operation shows
   as a cost growing with N; and kill --all and ps on one container with
   --procs processes.  One runtime after the other (each level holds N
   container inits), everything deleted and checked gone in between. */
#include "bench.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

/* The containers of one runtime at one level, and their init pids. */
struct scale_s
{
  bench_rt_t *rt;
  const bench_opts_t *o;
  pid_t *pids;
  long n;
  char prefix[32];
  json_t *json; /* { "N": { op: summary } } per runtime */
};

enum
{
  SC_CREATE,
  SC_STATE,
  SC_LIST,
  SC_DELETE,
  SC_DELETE_ALL,
  SC_N
};
static const char *const sc_names[SC_N] = { "create", "state", "list", "delete", "delete-all" };

static int
create_one(struct scale_s *s, const char *id, bench_samples_t *into, pid_t *pid, ocitest_error_t *err)
{
  if (bench_rt_cmd(s->rt, s->o, into, NULL, err, "create", "--bundle", s->rt->sleep, "--pid-file", s->rt->pid_file,
                   id, NULL)
      < 0)
    return -1;
  return bench_read_pid_file(s->rt->pid_file, pid, err);
}

/* Grow to n containers (untimed). */
static int
populate(struct scale_s *s, long n, ocitest_error_t *err)
{
  s->pids = xrealloc(s->pids, (size_t)n * sizeof(*s->pids));
  for (; s->n < n; s->n++)
    {
      cleanup_free char *id = xasprintf("%s-%ld", s->prefix, s->n);
      if (create_one(s, id, NULL, &s->pids[s->n], err) < 0)
        return -1;
    }
  return 0;
}

/* At the current level: one more create (and its delete), state, list. */
static int
measure_level(struct scale_s *s, bench_samples_t *sm, ocitest_error_t *err)
{
  cleanup_free char *mid = xasprintf("%s-%ld", s->prefix, s->n / 2);

  for (long k = 0; k < s->o->runs; k++)
    {
      cleanup_free char *id = xasprintf("%s-x%ld", s->prefix, k);
      pid_t pid;

      if (create_one(s, id, &sm[SC_CREATE], &pid, err) < 0
          || bench_rt_cmd(s->rt, s->o, &sm[SC_DELETE], NULL, err, "delete", "--force", id, NULL) < 0
          || bench_rt_cmd(s->rt, s->o, &sm[SC_STATE], NULL, err, "state", mid, NULL) < 0)
        return -1;
      if (s->rt->has_list && bench_rt_cmd(s->rt, s->o, &sm[SC_LIST], NULL, err, "list", NULL) < 0)
        return -1;
    }
  return 0;
}

/* Delete all (each timed), then check that every init is gone. */
static int
delete_all(struct scale_s *s, bench_samples_t *into, ocitest_error_t *err)
{
  for (long i = 0; i < s->n; i++)
    {
      cleanup_free char *id = xasprintf("%s-%ld", s->prefix, i);
      if (bench_rt_cmd(s->rt, s->o, into, NULL, err, "delete", "--force", id, NULL) < 0)
        return -1;
    }
  for (long i = 0; i < s->n; i++)
    {
      int64_t deadline = now_ms() + 10000;

      while (!proc_gone(s->pids[i], NULL) && now_ms() < deadline)
        sleep_ms(5);
      if (!proc_gone(s->pids[i], NULL))
        return ocitest_make_error(err, 0, "%s: container init %d still there after delete --force", s->rt->label,
                                  (int)s->pids[i]);
    }
  s->n = 0;
  return 0;
}

static json_t *
level_json(bench_samples_t *sm)
{
  json_t *j = json_object();

  for (int k = 0; k < SC_N; k++)
    {
      bench_summary_t sum;

      bench_summarize(&sm[k], &sum);
      if (sum.n)
        json_object_set_new(j, sc_names[k],
                            json_pack("{s:I, s:f, s:f, s:f}", "n", (json_int_t)sum.n, "median_ms", sum.median,
                                      "p95_ms", sum.p95, "max_ms", sum.max));
    }
  return j;
}

static void
print_level(const char *label, long n, bench_samples_t *sm)
{
  printf("%-8s %6ld", label, n);
  for (int k = 0; k < SC_N; k++)
    {
      bench_summary_t sum;

      bench_summarize(&sm[k], &sum);
      if (sum.n)
        printf(" %10.2f", sum.median);
      else
        printf(" %10s", "absent");
    }
  putchar('\n');
  fflush(stdout);
}

static int
scale_levels(struct scale_s *s, const long *levels, int nl, ocitest_error_t *err)
{
  for (int l = 0; l < nl; l++)
    {
      bench_samples_t sm[SC_N];
      char key[24];
      int r;

      memset(sm, 0, sizeof(sm));
      r = populate(s, levels[l], err);
      if (r == 0)
        r = measure_level(s, sm, err);
      if (r == 0)
        r = delete_all(s, &sm[SC_DELETE_ALL], err);
      if (r == 0)
        {
          print_level(s->rt->label, levels[l], sm);
          snprintf(key, sizeof(key), "%ld", levels[l]);
          json_object_set_new(s->json, key, level_json(sm));
        }
      for (int k = 0; k < SC_N; k++)
        bench_samples_free(&sm[k]);
      if (r < 0)
        return -1;
    }
  return 0;
}

int
bench_scale(bench_rt_t *rts, int n, const bench_opts_t *o, ocitest_error_t *err)
{
  cleanup_free long *levels = NULL;
  json_t *doc = json_object(), *per = json_object();
  int nl, r = 0;

  nl = bench_parse_levels("--scale", o->scale, 5000, &levels, err);
  if (nl < 0)
    return -1;
  printf("# ocitest bench --scale: N containers created in one --root; median ms of %ld runs at each N\n", o->runs);
  printf("# create/delete: one more container; delete-all: each of the N, --force\n");
  printf("%-8s %6s %10s %10s %10s %10s %10s\n", "runtime", "N", "create", "state", "list", "delete", "delete-all");
  for (int i = 0; i < n && r == 0; i++)
    {
      struct scale_s s = { .rt = &rts[i], .o = o, .json = json_object() };

      snprintf(s.prefix, sizeof(s.prefix), "s%d", (int)getpid());
      r = scale_levels(&s, levels, nl, err);
      if (r == 0)
        r = bench_scale_procs(&rts[i], o, s.json, err);
      json_object_set_new(per, rts[i].label, s.json);
      free(s.pids);
      bench_rt_sweep(&rts[i], o);
    }
  json_object_set_new(doc, "runs", json_integer(o->runs));
  json_object_set_new(doc, "procs", json_integer(o->procs));
  json_object_set_new(doc, "runtimes", per);
  if (r == 0 && o->json_path && json_dump_file(doc, o->json_path, JSON_INDENT(2)) < 0)
    r = ocitest_make_error(err, errno, "write `%s`", o->json_path);
  json_decref(doc);
  return r;
}
