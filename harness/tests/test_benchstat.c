/* bench statistics: median, nearest-rank p95, summary, spread, ratio, and
   the --scale list parser. */
#include "benchrun.h"
#include "tap.h"

#include <string.h>
#include <sys/wait.h>

static bool
near(double a, double b)
{
  return a - b < 1e-9 && b - a < 1e-9;
}

static void
test_median_percentile(void)
{
  const double one[] = { 4 }, two[] = { 1, 3 }, odd[] = { 1, 2, 3, 4, 100 };
  double twenty[20];

  for (int i = 0; i < 20; i++)
    twenty[i] = i + 1;
  ok(near(bench_median_sorted(one, 1), 4), "median of one value is that value");
  ok(near(bench_median_sorted(two, 2), 2), "median of two is their mean");
  ok(near(bench_median_sorted(odd, 5), 3), "median of five is the middle one, the outlier ignored");
  ok(near(bench_percentile_sorted(twenty, 20, 0.95), 19), "p95 of 1..20 is 19 (nearest rank 19, not 20)");
  ok(near(bench_percentile_sorted(twenty, 20, 0.5), 10), "p50 of 1..20 is 10 by nearest rank");
  ok(near(bench_percentile_sorted(odd, 5, 0.95), 100), "p95 of five values is the largest");
  ok(near(bench_percentile_sorted(one, 1, 0.95), 4), "p95 of one value is that value");
  ok(near(bench_percentile_sorted(twenty, 20, 1.0), 20), "p100 is the max");
}

static void
test_summary(void)
{
  bench_samples_t s = { 0 }, base = { 0 };
  bench_summary_t sum, bsum, empty;
  const double v[] = { 5, 1, 4, 2, 3 };

  for (int i = 0; i < 5; i++)
    bench_samples_push(&s, v[i], 1000 + i * 10);
  bench_summarize(&s, &sum);
  ok(sum.n == 5 && near(sum.median, 3) && near(sum.min, 1) && near(sum.max, 5) && near(sum.mean, 3),
     "summary of unsorted samples: n, median, min, max, mean");
  ok(sum.rss_max_kib == 1040, "peak RSS is the highest of the runs (%ld)", sum.rss_max_kib);
  ok(near(s.ms[0], 5), "summarizing does not reorder the samples");
  ok(!bench_spread_wide(&sum, 2.0), "p95/median 5/3 is not wide at 2.0");
  ok(bench_spread_wide(&sum, 1.5), "p95/median 5/3 is wide at 1.5");
  for (int i = 0; i < 3; i++)
    bench_samples_push(&base, 1.5, 0);
  bench_summarize(&base, &bsum);
  ok(near(bench_ratio(&sum, &bsum), 2), "ratio is median over the base median");
  bench_samples_free(&s);
  bench_summarize(&s, &empty);
  ok(empty.n == 0 && !bench_spread_wide(&empty, 2.0) && near(bench_ratio(&empty, &bsum), 0)
         && near(bench_ratio(&bsum, &empty), 0),
     "empty samples: zero summary, no spread note, ratio 0 both ways");
  bench_samples_free(&base);
}

static void
test_levels(void)
{
  const char *bad[] = { "", "0", "10,5", "10,10", "1,x", "10,", ",10", "-1", "2000" };
  ocitest_error_t err = NULL;
  long *v = NULL;
  int n;

  n = bench_parse_levels("--scale", "10,100,1000", 1000, &v, &err);
  ok(n == 3 && v[0] == 10 && v[1] == 100 && v[2] == 1000, "10,100,1000 parses to three levels");
  free(v);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    {
      n = bench_parse_levels("--scale", bad[i], 1000, &v, &err);
      ok(n < 0 && err && err->exit_code == OCITEST_EXIT_USAGE && strstr(err->msg, "--scale"),
         "`%s` is a usage error naming the option", bad[i]);
      ocitest_error_release(&err);
    }
}

static void
test_spawn(void)
{
  char *const t[] = { (char *)"/bin/true", NULL }, *const f[] = { (char *)"/bin/sh", (char *)"-c",
                                                                  (char *)"echo oops >&2; exit 3", NULL };
  char path[] = "/tmp/ocitest-bench-XXXXXX";
  int fd = mkstemp(path);
  ocitest_error_t err = NULL;
  bench_proc_t p;

  unlink(path);
  ok(bench_spawn(t, fd, 5000, &p, &err) == 0 && p.ms > 0 && p.rss_kib > 0, "true runs: time and peak RSS");
  ok(bench_spawn(f, fd, 5000, &p, &err) < 0 && strstr(err->msg, "exit status 3") && strstr(err->msg, "oops"),
     "a failing command is an error with its status and stderr");
  ocitest_error_release(&err);
  ok(bench_spawn_any(f, fd, 5000, &p, &err) == 0 && WEXITSTATUS(p.status) == 3,
     "bench_spawn_any reports the status without failing");
  close(fd);
}

int
main(void)
{
  tap_init();
  test_median_percentile();
  test_summary();
  test_levels();
  test_spawn();
  return tap_done();
}
