/* pause, resume, ps and events: runc's commands for a live container.
   The runtime-spec defines none of them; the status "paused" they
   add is runc's, derived from the freezer (status.c).  */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "control.h"
#include "status.h"
#include "utils.h"

#define FREEZE_TIMEOUT_MS 10000 /* a freeze not done by then is undone and fails */
#define EVENTS_POLL_MS 100      /* how often events looks for the container's deletion */

/* A loaded container: its state dir, state, status and cgroups.  */
struct loaded_s
{
  char *dir;
  box_state_t *st;
  box_cgroup_t *cg;
  enum box_status_e status;
};

static void
loaded_release(struct loaded_s *l)
{
  free(l->dir);
  box_state_free(l->st);
  box_cgroup_free(l->cg);
}

/* Load ctx->id with its cgroups; "what" names the command in errors.  */
static int
load(const box_context_t *ctx, const char *what, struct loaded_s *l, box_error_t *err)
{
  if (box_container_load(ctx, &l->dir, &l->st, err) < 0)
    return -1;
  l->status = box_status_derive(l->dir, l->st);
  if (l->st == NULL || l->st->cgroups == NULL)
    return box_make_error(err, 0, "%s container `%s`: %s", what, ctx->id,
                          l->st ? "the container has no cgroup" : "the container is still being created");
  if (box_cgroup_from_json(l->st->cgroups, &l->cg, err) < 0)
    return box_error_wrap(err, "%s container `%s`", what, ctx->id);
  return 0;
}

int
box_container_pause(const box_context_t *ctx, box_error_t *err)
{
  __attribute__((cleanup(loaded_release))) struct loaded_s l = { 0 };

  if (load(ctx, "pause", &l, err) < 0)
    return -1;
  /* runc pauses created containers too (its Pause: Running or Created).  */
  if (l.status != BOX_STATUS_RUNNING && l.status != BOX_STATUS_CREATED)
    return box_make_error(err, 0, "cannot pause container `%s`: status is %s, want running or created",
                          ctx->id, box_status_name(l.status));
  if (box_cgroup_freeze(l.cg, true, box_now_ms() + FREEZE_TIMEOUT_MS, err) < 0)
    return box_error_wrap(err, "pause container `%s`", ctx->id);
  return 0;
}

int
box_container_resume(const box_context_t *ctx, box_error_t *err)
{
  __attribute__((cleanup(loaded_release))) struct loaded_s l = { 0 };

  if (load(ctx, "resume", &l, err) < 0)
    return -1;
  if (l.status != BOX_STATUS_PAUSED)
    return box_make_error(err, 0, "cannot resume container `%s`: status is %s, want paused", ctx->id,
                          box_status_name(l.status));
  if (box_cgroup_freeze(l.cg, false, box_now_ms() + FREEZE_TIMEOUT_MS, err) < 0)
    return box_error_wrap(err, "resume container `%s`", ctx->id);
  return 0;
}

int
box_parse_format(const char *s, enum box_format_e *out, box_error_t *err)
{
  if (strcmp(s, "table") == 0)
    *out = BOX_FORMAT_TABLE;
  else if (strcmp(s, "json") == 0)
    *out = BOX_FORMAT_JSON;
  else
    return box_make_error(err, 0, "invalid format `%s`: want table or json", s);
  return 0;
}

/* Run `ps ARGS` (the host's, as runc does) and take its stdout.  */
static int
run_ps(char *const *ps_args, char **out, box_error_t *err)
{
  char *argv[64] = { (char *)"ps", (char *)"-ef", NULL };
  cleanup_free char *buf = NULL;
  size_t i, len = 0;
  int fds[2], status;
  pid_t pid;

  for (i = 0; ps_args && ps_args[i] && i < 62; i++)
    argv[i + 1] = ps_args[i], argv[i + 2] = NULL;
  if (pipe2(fds, O_CLOEXEC) < 0)
    return box_make_error(err, errno, "ps: pipe");
  pid = fork();
  if (pid < 0)
    return close(fds[0]), close(fds[1]), box_make_error(err, errno, "ps: fork");
  if (pid == 0)
    {
      dup2(fds[1], 1);
      execvp("ps", argv);
      _exit(127);
    }
  close(fds[1]);
  for (;;)
    {
      ssize_t r;
      buf = xrealloc(buf, len + 4097);
      r = TEMP_FAILURE_RETRY(read(fds[0], buf + len, 4096));
      if (r <= 0)
        break;
      len += (size_t)r;
    }
  buf[len] = '\0';
  close(fds[0]);
  if (TEMP_FAILURE_RETRY(waitpid(pid, &status, 0)) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return box_make_error(err, 0, "ps %s: failed (exit %d)", ps_args && ps_args[0] ? ps_args[0] : "-ef",
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  *out = steal_pointer(&buf);
  return 0;
}

int
box_container_ps(const box_context_t *ctx, enum box_format_e format, char *const *ps_args, char **out,
                 box_error_t *err)
{
  __attribute__((cleanup(loaded_release))) struct loaded_s l = { 0 };
  cleanup_free pid_t *pids = NULL;
  cleanup_free char *text = NULL;
  json_t *a;
  size_t n, i;

  if (load(ctx, "ps", &l, err) < 0 || box_cgroup_pids(l.cg, &pids, &n, err) < 0)
    return box_error_wrap(err, "ps");
  if (format == BOX_FORMAT_TABLE)
    {
      if (run_ps(ps_args, &text, err) < 0)
        return -1;
      return box_ps_filter(text, pids, n, out, err);
    }
  a = json_array();
  for (i = 0; i < n; i++)
    json_array_append_new(a, json_integer(pids[i]));
  *out = json_dumps(a, JSON_COMPACT);
  json_decref(a);
  return 0;
}

/* The first line of text, caller frees.  */
static char *
xstrndup_line(const char *text)
{
  size_t n = strcspn(text, "\n");
  char *s = xmalloc(n + 1);

  memcpy(s, text, n);
  s[n] = '\0';
  return s;
}

/* The index of the whitespace-separated field "PID" in header, or -1.  */
static int
pid_column(const char *header)
{
  cleanup_free char *copy = xstrndup_line(header);
  char *tok, *save = NULL;
  int i = 0;

  for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), i++)
    if (strcmp(tok, "PID") == 0)
      return i;
  return -1;
}

/* Field col of line as a pid, or -1.  */
static long
field_pid(const char *line, int col)
{
  cleanup_free char *copy = xstrndup_line(line);
  char *tok, *save = NULL, *end;
  int i = 0;
  long v;

  for (tok = strtok_r(copy, " \t", &save); tok && i < col; tok = strtok_r(NULL, " \t", &save))
    i++;
  if (tok == NULL)
    return -1;
  v = strtol(tok, &end, 10);
  return *end == '\0' ? v : -1;
}

int
box_ps_filter(const char *ps_output, const pid_t *pids, size_t n, char **out, box_error_t *err)
{
  const char *line = ps_output, *next;
  size_t len = strcspn(line, "\n"), i;
  int col = pid_column(line);
  char *res;

  if (col < 0)
    return box_make_error(err, 0, "ps: no PID column in the output of ps");
  res = xasprintf("%.*s\n", (int)len, line);
  for (line = strchr(line, '\n'); line && line[1]; line = next)
    {
      long pid = field_pid(++line, col);
      next = strchr(line, '\n');
      for (i = 0; i < n; i++)
        if (pid == (long)pids[i])
          {
            char *more = xasprintf("%s%.*s\n", res, (int)strcspn(line, "\n"), line);
            free(res);
            res = more;
            break;
          }
      if (next == NULL)
        break;
    }
  *out = res;
  return 0;
}

char *
box_event_line(const char *type, const char *id, json_t *data)
{
  json_t *o = json_pack("{s:s, s:s, s:o}", "type", type, "id", id, "data", data);
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

  json_decref(o);
  return s;
}

/* One stats line of the container, or NULL once its state dir is gone
   (deleted while we read: nothing to report, and not an error).  */
static char *
stats_line(const box_context_t *ctx, box_error_t *err)
{
  __attribute__((cleanup(loaded_release))) struct loaded_s l = { 0 };
  char *line;

  if (load(ctx, "events", &l, err) < 0)
    return NULL;
  line = box_event_line("stats", ctx->id, box_cgroup_stats(l.cg));
  if (access(l.dir, F_OK) < 0)
    return free(line), NULL;
  return line;
}

static int
gone(const box_context_t *ctx)
{
  cleanup_free char *dir = box_state_dir(ctx->root, ctx->id);
  return access(dir, F_OK) < 0 && errno == ENOENT;
}

int
box_container_events(const box_context_t *ctx, bool stats_only, long long interval_ms, FILE *out,
                     box_error_t *err)
{
  cleanup_free char *line = stats_line(ctx, err);
  long long next;

  if (line == NULL)
    return *err ? -1 : 0;
  if (stats_only)
    return fprintf(out, "%s\n", line) < 0 ? box_make_error(err, errno, "events: write") : 0;
  /* runc: the first document after one interval, then one per interval;
     box ends the stream (exit 0) once the container is deleted.  */
  for (next = box_now_ms() + interval_ms;; next += interval_ms)
    {
      while (box_now_ms() < next)
        {
          if (gone(ctx))
            return 0;
          long long left = next - box_now_ms();
          poll(NULL, 0, (int)(left < EVENTS_POLL_MS ? left : EVENTS_POLL_MS) + 1);
        }
      free(line);
      line = stats_line(ctx, err);
      if (line == NULL)
        return gone(ctx) ? box_error_release(err), 0 : -1;
      if (fprintf(out, "%s\n", line) < 0 || fflush(out) != 0)
        return box_make_error(err, errno, "events: write");
    }
}

int
box_parse_duration(const char *s, long long *ms, box_error_t *err)
{
  static const struct
  {
    const char *unit;
    double ms;
  } units[] = { { "ns", 1e-6 }, { "us", 1e-3 }, { "µs", 1e-3 }, { "ms", 1 },
                { "s", 1e3 },   { "m", 6e4 },   { "h", 3.6e6 } };
  const char *p = s;
  double total = 0;

  /* Go's time.ParseDuration: [number unit]..., the longest unit name
     first matched ("ms" before "m").  */
  if (*p == '\0')
    return box_make_error(err, 0, "invalid duration `%s`", s);
  while (*p)
    {
      char *end = NULL;
      double v = strtod(p, &end);
      size_t i, best = 0, best_len = 0;

      if (end == p || *end == '\0' || v < 0 || *p == '-' || *p == '+')
        return box_make_error(err, 0, "invalid duration `%s`: want a number and a unit (5s, 500ms)", s);
      for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strncmp(end, units[i].unit, strlen(units[i].unit)) == 0 && strlen(units[i].unit) > best_len)
          best = i, best_len = strlen(units[i].unit);
      if (best_len == 0)
        return box_make_error(err, 0, "invalid duration `%s`: unknown unit `%s`", s, end);
      total += v * units[best].ms;
      p = end + best_len;
    }
  if (total < 1 || total > 1e12)
    return box_make_error(err, 0, "invalid duration `%s`: must be between 1ms and 1e12ms", s);
  *ms = (long long)total;
  return 0;
}
