/* Polling a condition against a deadline.  Cases never sleep a fixed time:
   a fixed sleep is either too short on a loaded CI runner or wasted time
   everywhere else. */
#include "waitcond.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#define WAIT_FILE_MAX (64u << 20)
/* Enough of a command's stderr to say why it failed, not a whole log. */
#define SEEN_STDERR_MAX 400
/* A `state` call started just before the deadline still gets this long: a
   call killed after 1 ms tells nothing. */
#define MIN_CMD_TIMEOUT_MS 250

static char *
join_argv(char *const *argv)
{
  size_t len = 1;
  char *out, *p;

  for (size_t i = 0; argv[i]; i++)
    len += strlen(argv[i]) + 1;
  p = out = xmalloc(len);
  for (size_t i = 0; argv[i]; i++)
    p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
  *p = '\0';
  return out;
}

char *
wait_describe(const wait_cond_t *c)
{
  cleanup_free char *cmd = c->argv ? join_argv(c->argv) : NULL;

  switch (c->kind)
    {
    case WAIT_PID_GONE:
      return xasprintf("pid %d to be gone", (int)c->pid);
    case WAIT_FILE:
      if (c->contains)
        return xasprintf("`%s` to contain \"%s\"", c->path, c->contains);
      return xasprintf("`%s` to exist", c->path);
    case WAIT_STATUS:
      return xasprintf("status \"%s\" from `%s`", c->status, cmd);
    case WAIT_GONE:
      return xasprintf("`%s` to fail (container gone)", cmd);
    }
  return xstrdup("?");
}

static int
check_pid_gone(const wait_cond_t *c, char **seen)
{
  ocitest_error_t err = NULL;
  proc_stat_t st;

  if (proc_gone(c->pid, NULL))
    return 1;
  if (proc_stat_read(c->pid, &st, &err) < 0)
    {
      *seen = xasprintf("pid %d: %s", (int)c->pid, err->msg);
      ocitest_error_release(&err);
      return 0;
    }
  *seen = xasprintf("pid %d still alive (state %c, comm %s)", (int)c->pid, st.state, st.comm);
  return 0;
}

static int
check_file(const wait_cond_t *c, char **seen)
{
  cleanup_free char *buf = NULL;
  ocitest_error_t err = NULL;
  size_t len = 0;

  if (c->contains == NULL)
    {
      if (access(c->path, F_OK) == 0)
        return 1;
      *seen = xasprintf("`%s`: %s", c->path, strerror(errno));
      return 0;
    }
  if (read_file(c->path, WAIT_FILE_MAX, &buf, &len, &err) < 0)
    {
      *seen = xstrdup(err->msg);
      ocitest_error_release(&err);
      return 0;
    }
  /* memmem, not strstr: a log may contain NUL bytes before the text. */
  if (memmem(buf, len, c->contains, strlen(c->contains)) != NULL)
    return 1;
  *seen = xasprintf("`%s` (%zu bytes) does not contain \"%s\"", c->path, len, c->contains);
  return 0;
}

static char *
trimmed(const char *s)
{
  size_t n = strlen(s);

  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
    n--;
  if (n > SEEN_STDERR_MAX)
    return xasprintf("%.*s...", SEEN_STDERR_MAX, s);
  return xstrndup(s, n);
}

/* What a successful run of the state command says the status is. */
static int
status_from_output(const wait_cond_t *c, const char *out, char **seen)
{
  json_error_t jerr;
  json_t *doc = json_loads(out, 0, &jerr);
  json_t *status = json_object_get(doc, "status");
  int met = 0;

  if (doc == NULL)
    *seen = xasprintf("output is not JSON (line %d column %d: %s)", jerr.line, jerr.column, jerr.text);
  else if (!json_is_string(status))
    *seen = xstrdup("output has no string .status");
  else if (strcmp(json_string_value(status), c->status) == 0)
    met = 1;
  else
    *seen = xasprintf("status \"%s\"", json_string_value(status));
  json_decref(doc);
  return met;
}

static int
check_command(const wait_cond_t *c, int64_t deadline_ms, char **seen, ocitest_error_t *err)
{
  cleanup_free char *cmd = join_argv(c->argv);
  cleanup_free char *errout = NULL;
  int64_t budget = deadline_ms - now_ms();
  cmd_result_t res;
  int met = 0;

  if (budget < MIN_CMD_TIMEOUT_MS)
    budget = MIN_CMD_TIMEOUT_MS;
  if (budget > c->cmd_timeout_ms)
    budget = c->cmd_timeout_ms;
  if (run_command(c->argv, budget, &res, err) < 0)
    return -1;
  errout = trimmed(res.errout);

  if (res.timed_out)
    *seen = xasprintf("`%s` killed after %lld ms without finishing", cmd, (long long)budget);
  else if (!res.exited)
    *seen = xasprintf("`%s` killed by signal %d: %s", cmd, res.term_signal, errout);
  else if (c->kind == WAIT_GONE && res.exit_status != 0)
    met = 1;
  else if (c->kind == WAIT_GONE)
    *seen = xasprintf("`%s` still succeeds", cmd);
  else if (res.exit_status != 0)
    *seen = xasprintf("`%s` exit %d: %s", cmd, res.exit_status, errout);
  else
    met = status_from_output(c, res.out, seen);
  cmd_result_free(&res);
  return met;
}

int
wait_check_once(const wait_cond_t *c, int64_t deadline_ms, char **seen, ocitest_error_t *err)
{
  *seen = NULL;
  switch (c->kind)
    {
    case WAIT_PID_GONE:
      return check_pid_gone(c, seen);
    case WAIT_FILE:
      return check_file(c, seen);
    case WAIT_STATUS:
    case WAIT_GONE:
      return check_command(c, deadline_ms, seen, err);
    }
  return ocitest_make_error(err, EINVAL, "unknown wait condition %d", (int)c->kind);
}

int
wait_poll(const wait_cond_t *c, int64_t timeout_ms, int64_t interval_ms, char **last_seen,
          ocitest_error_t *err)
{
  int64_t deadline = now_ms() + timeout_ms;

  *last_seen = NULL;
  for (;;)
    {
      char *seen = NULL;
      int64_t left;
      int r = wait_check_once(c, deadline, &seen, err);

      if (r != 0)
        {
          free(seen);
          return r;
        }
      free(*last_seen);
      *last_seen = seen;
      /* Checked after the attempt, so even a zero timeout evaluates once. */
      left = deadline - now_ms();
      if (left <= 0)
        return 0;
      sleep_ms(left < interval_ms ? left : interval_ms);
    }
}
