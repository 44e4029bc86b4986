/* Statistics of ocitest bench (see benchstat.h). */
#include "benchstat.h"

#include <errno.h>
#include <string.h>

void
bench_samples_push(bench_samples_t *s, double ms, long rss_kib)
{
  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 16;
      s->ms = xrealloc(s->ms, s->cap * sizeof(*s->ms));
      s->rss_kib = xrealloc(s->rss_kib, s->cap * sizeof(*s->rss_kib));
    }
  s->ms[s->n] = ms;
  s->rss_kib[s->n] = rss_kib;
  s->n++;
}

void
bench_samples_free(bench_samples_t *s)
{
  free(s->ms);
  free(s->rss_kib);
  memset(s, 0, sizeof(*s));
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

double
bench_percentile_sorted(const double *sorted, size_t n, double p)
{
  /* Nearest rank: ceil(p*n), 1-based; the epsilon keeps 0.95*20 = 19
     from becoming 20 through rounding error. */
  double want = p * (double)n - 1e-9;
  size_t rank = (size_t)want;

  if ((double)rank < want)
    rank++;
  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return sorted[rank - 1];
}

double
bench_median_sorted(const double *sorted, size_t n)
{
  if (n % 2 == 1)
    return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

void
bench_summarize(const bench_samples_t *s, bench_summary_t *out)
{
  cleanup_free double *v = NULL;
  double sum = 0;

  memset(out, 0, sizeof(*out));
  if (s->n == 0)
    return;
  v = xmalloc(s->n * sizeof(*v));
  memcpy(v, s->ms, s->n * sizeof(*v));
  qsort(v, s->n, sizeof(*v), cmp_double);
  for (size_t i = 0; i < s->n; i++)
    {
      sum += v[i];
      if (s->rss_kib[i] > out->rss_max_kib)
        out->rss_max_kib = s->rss_kib[i];
    }
  out->n = s->n;
  out->min = v[0];
  out->max = v[s->n - 1];
  out->mean = sum / (double)s->n;
  out->median = bench_median_sorted(v, s->n);
  out->p95 = bench_percentile_sorted(v, s->n, 0.95);
}

bool
bench_spread_wide(const bench_summary_t *sum, double threshold)
{
  return sum->n > 0 && sum->median > 0 && sum->p95 / sum->median > threshold;
}

double
bench_ratio(const bench_summary_t *sum, const bench_summary_t *base)
{
  if (base->n == 0 || base->median <= 0 || sum->n == 0)
    return 0;
  return sum->median / base->median;
}

int
bench_parse_levels(const char *opt, const char *s, long max, long **out, ocitest_error_t *err)
{
  cleanup_free long *v = NULL;
  const char *p = s;
  int n = 0;

  *out = NULL;
  while (*p)
    {
      char *end;
      long x;

      errno = 0;
      x = strtol(p, &end, 10);
      if (end == p || errno || x < 1 || x > max || (*end && *end != ',') || (n > 0 && x <= v[n - 1]))
        return ocitest_usage_error(err, "%s: `%s`: want increasing integers in [1, %ld], comma-separated", opt,
                                   s, max);
      v = xrealloc(v, (size_t)(n + 1) * sizeof(*v));
      v[n++] = x;
      p = *end ? end + 1 : end;
      if (*end == ',' && *p == '\0')
        return ocitest_usage_error(err, "%s: `%s`: trailing comma", opt, s);
    }
  if (n == 0)
    return ocitest_usage_error(err, "%s: empty list", opt);
  *out = steal_pointer(&v);
  return n;
}
