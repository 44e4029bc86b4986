/* The freezer: pause and resume (runc's command line; the runtime-spec
   has no such operation).  v1: freezer.state, where FREEZING may last
   while tasks are caught (cgroup-v1/freezer-subsystem.rst); v2:
   cgroup.freeze, done once cgroup.events says "frozen 1"
   (cgroup-v2.rst "Core Interface Files").  */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "utils.h"

struct freezer_s
{
  const char *dir;
  bool v2;
};

/* The v1 freezer hierarchy, else a cgroup2 directory with cgroup.freeze
   (pure v2, or a hybrid host whose freezer is not mounted on v1).  */
static int
find_freezer(const box_cgroup_t *cg, struct freezer_s *f, box_error_t *err)
{
  const struct box_cgroup_dir_s *d = box_cgroup_dir_for(cg, "freezer", &f->v2);
  size_t i;

  if (d != NULL)
    return f->dir = d->path, 0;
  for (i = 0; i < cg->n; i++)
    {
      cleanup_free char *path = xasprintf("%s/cgroup.freeze", cg->dirs[i].path);
      if (cg->dirs[i].controllers[0] == '\0' && access(path, F_OK) == 0)
        return f->dir = cg->dirs[i].path, f->v2 = true, 0;
    }
  return box_make_error(err, 0,
                        "the container has no freezer cgroup (no v1 freezer hierarchy, no cgroup.freeze)");
}

static int
write_value(const char *dir, const char *file, const char *value, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/%s", dir, file);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen(value);

  if (fd < 0 || TEMP_FAILURE_RETRY(write(fd, value, len)) != (ssize_t)len)
    return box_make_error(err, errno, "write `%s` to `%s`", value, path);
  return 0;
}

/* 1 when the freezer reads as `freeze` asks (FROZEN / frozen 1, or
   THAWED / frozen 0), 0 while not yet, -1 when unreadable.  */
static int
reached(const struct freezer_s *f, bool freeze, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/%s", f->dir, f->v2 ? "cgroup.events" : "freezer.state");
  cleanup_free char *text = NULL;
  const char *line;

  if (box_read_file(path, &text, NULL, err) < 0)
    return -1;
  if (!f->v2)
    return strncmp(text, freeze ? "FROZEN" : "THAWED", 6) == 0;
  for (line = text; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
    if (strncmp(line, "frozen ", 7) == 0)
      return line[7] == (freeze ? '1' : '0');
  return box_make_error(err, 0, "`%s`: no `frozen` line", path);
}

int
box_cgroup_frozen(const box_cgroup_t *cg, box_error_t *err)
{
  struct freezer_s f;

  if (find_freezer(cg, &f, err) < 0)
    return -1;
  return reached(&f, true, err);
}

int
box_cgroup_freeze(const box_cgroup_t *cg, bool freeze, long long deadline_ms, box_error_t *err)
{
  const char *file, *value;
  box_error_t ignored = NULL;
  struct freezer_s f;
  int r, wait_ms = 0;

  if (find_freezer(cg, &f, err) < 0)
    return -1;
  file = f.v2 ? "cgroup.freeze" : "freezer.state";
  value = f.v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
  for (;;)
    {
      /* v1: written again each round, as runc does: a freeze that meets a
         task in the middle of a fork can stay FREEZING until retried.  */
      if (write_value(f.dir, file, value, err) < 0 || (r = reached(&f, freeze, err)) < 0)
        return -1;
      if (r == 1)
        return 0;
      if (box_now_ms() >= deadline_ms)
        break;
      wait_ms = wait_ms < 10 ? wait_ms + 1 : 10;
      poll(NULL, 0, wait_ms);
    }
  /* Not left half-frozen.  */
  if (freeze && write_value(f.dir, file, f.v2 ? "0" : "THAWED", &ignored) < 0)
    box_error_release(&ignored);
  return box_make_error(err, ETIMEDOUT, "%s cgroup `%s`", freeze ? "freeze" : "thaw", f.dir);
}

void
box_cgroup_thaw_quiet(const box_cgroup_t *cg)
{
  box_error_t ignored = NULL;
  struct freezer_s f;

  if (find_freezer(cg, &f, &ignored) == 0 && reached(&f, false, &ignored) == 0)
    write_value(f.dir, f.v2 ? "cgroup.freeze" : "freezer.state", f.v2 ? "0" : "THAWED", &ignored);
  box_error_release(&ignored);
}
