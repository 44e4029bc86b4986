/* Statistics of ocitest bench: samples of one operation, their summary,
   and the option lists bench parses.  Pure functions, unit tested in
   tests/test_benchstat.c. */
#ifndef OCITEST_BENCHSTAT_H
#define OCITEST_BENCHSTAT_H

#include "ocitest.h"

/* The spread is called wide when p95 is more than this times the median:
   the machine was busy, and the medians deserve less trust. */
#define BENCH_WIDE_SPREAD 2.0

struct bench_samples_s
{
  double *ms;       /* wall time of each counted run, milliseconds */
  long *rss_kib;    /* peak RSS of each run (wait4 ru_maxrss), KiB */
  size_t n, cap;
};
typedef struct bench_samples_s bench_samples_t;

struct bench_summary_s
{
  size_t n;
  double median, p95, max, min, mean; /* ms */
  long rss_max_kib;                   /* the highest peak RSS seen */
};
typedef struct bench_summary_s bench_summary_t;

void bench_samples_push(bench_samples_t *s, double ms, long rss_kib);
void bench_samples_free(bench_samples_t *s);

/* Nearest-rank percentile (p in (0, 1]) of n sorted values: the smallest
   value with at least p*n values at or below it.  n > 0. */
double bench_percentile_sorted(const double *sorted, size_t n, double p);
/* Median of n sorted values: the middle one, or the mean of the middle
   two.  n > 0. */
double bench_median_sorted(const double *sorted, size_t n);
/* Summarize s (n may be 0: all zero).  s is not changed. */
void bench_summarize(const bench_samples_t *s, bench_summary_t *out);
/* true when p95/median > threshold (false for an empty summary). */
bool bench_spread_wide(const bench_summary_t *sum, double threshold);
/* median / base median, 0 when base has none. */
double bench_ratio(const bench_summary_t *sum, const bench_summary_t *base);

/* "10,100,1000": strictly increasing positive integers, each <= max.
   Returns the count (> 0), or -1 with a usage error naming opt. */
int bench_parse_levels(const char *opt, const char *s, long max, long **out, ocitest_error_t *err);

#endif
