/* ocitest bench --scale: placeholder, filled below. */
#include "bench.h"

int
bench_scale(bench_rt_t *rts, int n, const bench_opts_t *o, ocitest_error_t *err)
{
  (void)rts;
  (void)n;
  (void)o;
  return ocitest_make_error(err, 0, "--scale: not yet");
}
