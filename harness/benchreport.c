/* ocitest bench: the table and the JSON document of a latency bench. */
#include "bench.h"

#include <errno.h>
#include <string.h>

static json_t *
summary_json(const bench_summary_t *s, const bench_summary_t *base)
{
  json_t *j = json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:I}", "n", (json_int_t)s->n, "median_ms", s->median,
                        "p95_ms", s->p95, "max_ms", s->max, "min_ms", s->min, "mean_ms", s->mean,
                        "peak_rss_kib", (json_int_t)s->rss_max_kib);

  if (base)
    json_object_set_new(j, "ratio", json_real(bench_ratio(s, base)));
  json_object_set_new(j, "wide_spread", json_boolean(bench_spread_wide(s, BENCH_WIDE_SPREAD)));
  return j;
}

static void
print_row(const char *op, const char *who, const bench_summary_t *s, const bench_summary_t *base,
          const bench_summary_t *floor)
{
  char ratio[16] = "", vs_floor[16] = "";

  if (base)
    snprintf(ratio, sizeof(ratio), "%.2f", bench_ratio(s, base));
  if (floor)
    snprintf(vs_floor, sizeof(vs_floor), "%.2f", bench_ratio(s, floor));
  printf("%-7s %-8s %8.2f %8.2f %8.2f %6s %6s %9ld\n", op, who, s->median, s->p95, s->max, ratio, vs_floor,
         s->rss_max_kib);
}

/* The wide spreads, after the table: those medians deserve less trust. */
static void
print_notes(bench_rt_t *rts, int n, const bench_summary_t *floor)
{
  for (int op = 0; op < BENCH_OP_N; op++)
    for (int i = 0; i < n; i++)
      {
        bench_summary_t s;

        bench_summarize(&rts[i].s[op], &s);
        if (bench_spread_wide(&s, BENCH_WIDE_SPREAD))
          printf("# note: %s %s: wide spread, p95/median %.1f > %.1f (a busy machine?)\n", rts[i].label,
                 bench_op_names[op], s.p95 / s.median, BENCH_WIDE_SPREAD);
      }
  if (bench_spread_wide(floor, BENCH_WIDE_SPREAD))
    printf("# note: floor: wide spread, p95/median %.1f > %.1f\n", floor->p95 / floor->median, BENCH_WIDE_SPREAD);
}

static json_t *
report_json(bench_rt_t *rts, int n, const bench_summary_t *floor, const bench_opts_t *o)
{
  json_t *j = json_pack("{s:I, s:I, s:s, s:o}", "runs", (json_int_t)o->runs, "warmup", (json_int_t)o->warmup,
                        "config", o->config_path, "floor", summary_json(floor, NULL));
  json_t *list = json_array(), *ops = json_object();

  for (int i = 0; i < n; i++)
    json_array_append_new(list, json_pack("{s:s, s:s}", "name", rts[i].label, "path", rts[i].path));
  json_object_set_new(j, "runtimes", list);
  for (int op = 0; op < BENCH_OP_N; op++)
    {
      json_t *per = json_object();
      bench_summary_t base;

      bench_summarize(&rts[0].s[op], &base);
      for (int i = 0; i < n; i++)
        {
          bench_summary_t s;

          bench_summarize(&rts[i].s[op], &s);
          if (rts[i].has[op])
            json_object_set_new(per, rts[i].label, summary_json(&s, &base));
        }
      json_object_set_new(ops, bench_op_names[op], per);
    }
  json_object_set_new(j, "ops", ops);
  return j;
}

int
bench_report(bench_rt_t *rts, int n, const bench_samples_t *floor, const bench_opts_t *o, ocitest_error_t *err)
{
  bench_summary_t fs;
  int r = 0;

  bench_summarize(floor, &fs);
  printf("# ocitest bench: %ld counted rounds after %ld warm-up, runtimes interleaved; times in ms\n", o->runs,
         o->warmup);
  printf("# ratio: median / %s's median; floor: ocitest itself making the config's namespaces\n", rts[0].label);
  printf("# and running `true` in them; peak RSS: wait4 ru_maxrss of the runtime process, KiB\n");
  printf("%-7s %-8s %8s %8s %8s %6s %6s %9s\n", "op", "runtime", "median", "p95", "max", "ratio", "floor",
         "peak-rss");
  for (int op = 0; op < BENCH_OP_N; op++)
    {
      bench_summary_t base;

      bench_summarize(&rts[0].s[op], &base);
      for (int i = 0; i < n; i++)
        {
          bench_summary_t s;

          if (!rts[i].has[op])
            {
              printf("%-7s %-8s %8s\n", bench_op_names[op], rts[i].label, "absent");
              continue;
            }
          bench_summarize(&rts[i].s[op], &s);
          print_row(bench_op_names[op], rts[i].label, &s, rts[0].has[op] ? &base : NULL,
                    op == BENCH_RUN ? &fs : NULL);
        }
      if (op == BENCH_RUN)
        print_row("run", "floor", &fs, NULL, &fs);
    }
  print_notes(rts, n, &fs);
  if (o->json_path)
    {
      json_t *j = report_json(rts, n, &fs, o);

      if (json_dump_file(j, o->json_path, JSON_INDENT(2)) < 0)
        r = ocitest_make_error(err, errno, "write `%s`", o->json_path);
      json_decref(j);
    }
  return r;
}
