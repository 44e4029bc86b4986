/* `events --stats`: the container's resource usage from its cgroup files,
   in the shape of runc's stats document (runc types/events.go): cpu
   (nanoseconds), memory (bytes), pids.  A file the host lacks leaves its
   fields out instead of failing: stats are what the host can say.  */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "utils.h"

/* The text of dir/file, or NULL.  */
static char *
read_text(const struct box_cgroup_dir_s *d, const char *file)
{
  cleanup_free char *path = NULL;
  box_error_t ignored = NULL;
  char *text = NULL;

  if (d == NULL)
    return NULL;
  path = xasprintf("%s/%s", d->path, file);
  if (box_read_file(path, &text, NULL, &ignored) < 0)
    box_error_release(&ignored);
  return text;
}

/* A single-number file into o[key]; "max" (v2's unlimited) leaves it out.  */
static void
set_uint(json_t *o, const char *key, const struct box_cgroup_dir_s *d, const char *file)
{
  cleanup_free char *text = read_text(d, file);
  char *end = NULL;
  unsigned long long v;

  if (text == NULL)
    return;
  v = strtoull(text, &end, 10);
  if (end != text)
    json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* A flat-keyed file ("key value" lines: memory.stat, cpu.stat) as an
   object of integers; NULL when unreadable.  */
static json_t *
flat_keyed(const struct box_cgroup_dir_s *d, const char *file)
{
  cleanup_free char *text = read_text(d, file);
  char *line, *save = NULL;
  json_t *o;

  if (text == NULL)
    return NULL;
  o = json_object();
  for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    {
      char *sp = strchr(line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      json_object_set_new(o, line, json_integer((json_int_t)strtoull(sp + 1, NULL, 10)));
    }
  return o;
}

/* o[to] = src[from] * scale, when src has it.  */
static void
copy_scaled(json_t *o, const char *to, json_t *src, const char *from, long long scale)
{
  json_t *v = src ? json_object_get(src, from) : NULL;

  if (json_is_integer(v))
    json_object_set_new(o, to, json_integer(json_integer_value(v) * scale));
}

static json_t *
cpu_stats(const box_cgroup_t *cg)
{
  bool v2;
  const struct box_cgroup_dir_s *acct = box_cgroup_dir_for(cg, "cpuacct", &v2);
  const struct box_cgroup_dir_s *cpu = box_cgroup_dir_for(cg, "cpu", &v2);
  json_t *usage = json_object(), *thr = json_object(), *stat, *st;
  long long tick_ns = 1000000000LL / sysconf(_SC_CLK_TCK);

  if (v2)
    {
      /* cpu.stat in microseconds (cgroup-v2.rst "CPU Interface Files").  */
      stat = flat_keyed(cpu, "cpu.stat");
      copy_scaled(usage, "total", stat, "usage_usec", 1000);
      copy_scaled(usage, "kernel", stat, "system_usec", 1000);
      copy_scaled(usage, "user", stat, "user_usec", 1000);
      copy_scaled(thr, "throttled_time", stat, "throttled_usec", 1000);
    }
  else
    {
      set_uint(usage, "total", acct, "cpuacct.usage");
      /* cpuacct.stat counts USER_HZ ticks.  */
      st = flat_keyed(acct, "cpuacct.stat");
      copy_scaled(usage, "kernel", st, "system", tick_ns);
      copy_scaled(usage, "user", st, "user", tick_ns);
      json_decref(st);
      stat = flat_keyed(cpu, "cpu.stat");
      copy_scaled(thr, "throttled_time", stat, "throttled_time", 1);
    }
  copy_scaled(thr, "periods", stat, "nr_periods", 1);
  copy_scaled(thr, "throttled_periods", stat, "nr_throttled", 1);
  json_decref(stat);
  return json_pack("{s:o, s:o}", "usage", usage, "throttling", thr);
}

static json_t *
memory_stats(const box_cgroup_t *cg)
{
  bool v2;
  const struct box_cgroup_dir_s *d = box_cgroup_dir_for(cg, "memory", &v2);
  json_t *usage = json_object(), *swap = json_object(), *raw = flat_keyed(d, "memory.stat");
  json_t *o = json_object();

  set_uint(usage, "usage", d, v2 ? "memory.current" : "memory.usage_in_bytes");
  set_uint(usage, "limit", d, v2 ? "memory.max" : "memory.limit_in_bytes");
  set_uint(usage, "max", d, v2 ? "memory.peak" : "memory.max_usage_in_bytes");
  set_uint(usage, "failcnt", d, "memory.failcnt");
  set_uint(swap, "usage", d, v2 ? "memory.swap.current" : "memory.memsw.usage_in_bytes");
  set_uint(swap, "limit", d, v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes");
  copy_scaled(o, "cache", raw, v2 ? "file" : "cache", 1);
  json_object_set_new(o, "usage", usage);
  json_object_set_new(o, "swap", swap);
  if (raw)
    json_object_set_new(o, "raw", raw);
  return o;
}

json_t *
box_cgroup_stats(const box_cgroup_t *cg)
{
  bool v2;
  const struct box_cgroup_dir_s *pids = box_cgroup_dir_for(cg, "pids", &v2);
  json_t *p = json_object();

  set_uint(p, "current", pids, "pids.current");
  set_uint(p, "limit", pids, "pids.max");
  return json_pack("{s:o, s:o, s:o}", "cpu", cpu_stats(cg), "memory", memory_stats(cg), "pids", p);
}
