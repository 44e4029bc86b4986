#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "status.h"
#include "spec.h"
#include "utils.h"

char *
box_state_dir(const char *root, const char *id)
{
  return xasprintf("%s/%s", root, id);
}

int
box_state_write(const char *dir, const box_state_t *st, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/" BOX_STATE_FILE, dir);
  cleanup_free char *data = NULL;
  json_t *o;

  o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "ociVersion", st->oci_version, "id", st->id,
                "pid", (json_int_t)st->pid, "start_time", (json_int_t)st->start_time, "bundle", st->bundle,
                "rootfs", st->rootfs, "created", st->created, "config", st->config_path);
  if (o == NULL)
    return box_make_error(err, 0, "encode `%s`", path);
  if (st->annotations)
    json_object_set(o, "annotations", st->annotations);
  /* delete removes exactly these, so they are kept, not recomputed.  */
  if (st->cgroups)
    json_object_set(o, "cgroups", st->cgroups);
  data = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return box_write_file_atomic(path, data, strlen(data), 0600, err);
}

static int
state_from_json(json_t *o, box_state_t *st)
{
  const char *ver = NULL, *id = NULL, *bundle = NULL, *rootfs = NULL, *created = NULL, *config = NULL;
  json_int_t pid = 0, start = 0;
  json_t *ann = NULL, *cgroups = NULL;
  json_error_t jerr;

  if (json_unpack_ex(o, &jerr, 0, "{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s?o, s?o}", "ociVersion", &ver,
                     "id", &id, "pid", &pid, "start_time", &start, "bundle", &bundle, "rootfs", &rootfs,
                     "created", &created, "config", &config, "annotations", &ann, "cgroups", &cgroups)
      < 0)
    return -1;
  if (pid <= 0)
    return -1;
  st->oci_version = xstrdup(ver);
  st->id = xstrdup(id);
  st->pid = (pid_t)pid;
  st->start_time = (unsigned long long)start;
  st->bundle = xstrdup(bundle);
  st->rootfs = xstrdup(rootfs);
  st->created = xstrdup(created);
  st->config_path = xstrdup(config);
  st->annotations = json_is_object(ann) ? json_incref(ann) : NULL;
  st->cgroups = json_is_array(cgroups) ? json_incref(cgroups) : NULL;
  return 0;
}

int
box_state_read(const char *dir, box_state_t **out, box_error_t *err)
{
  cleanup_free char *path = xasprintf("%s/" BOX_STATE_FILE, dir);
  cleanup_state box_state_t *st = NULL;
  json_error_t jerr;
  json_t *o;
  int r;

  *out = NULL;
  o = json_load_file(path, 0, &jerr);
  if (o == NULL)
    {
      if (access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
      return box_make_error(err, 0, "read `%s`: %s", path, jerr.text);
    }
  st = xcalloc(1, sizeof(*st));
  r = state_from_json(o, st);
  json_decref(o);
  if (r < 0)
    return box_make_error(err, 0, "read `%s`: invalid state file", path);
  *out = steal_pointer(&st);
  return 0;
}

void
box_state_free(box_state_t *st)
{
  if (st == NULL)
    return;
  free(st->oci_version);
  free(st->id);
  free(st->bundle);
  free(st->rootfs);
  free(st->created);
  free(st->config_path);
  json_decref(st->annotations);
  json_decref(st->cgroups);
  free(st);
}

void
cleanup_statep(box_state_t **st)
{
  box_state_free(*st);
}

int
box_proc_stat(pid_t pid, char *state, unsigned long long *start, box_error_t *err)
{
  cleanup_free char *path = xasprintf("/proc/%d/stat", (int)pid);
  cleanup_free char *data = NULL;
  char *p;
  int field;

  if (box_read_file(path, &data, NULL, err) < 0)
    {
      if ((*err)->errnum == ENOENT || (*err)->errnum == ESRCH)
        {
          box_error_release(err);
          return 0;
        }
      return -1;
    }
  /* comm (field 2) may contain spaces and ')': the fields we want follow
     the LAST ')'.  */
  p = strrchr(data, ')');
  if (p == NULL || p[1] != ' ')
    return box_make_error(err, 0, "parse `%s`", path);
  p += 2;
  *state = *p;
  /* p is at field 3; skip to field 22 (starttime).  */
  for (field = 3; field < 22 && p; field++)
    {
      p = strchr(p, ' ');
      if (p)
        p++;
    }
  if (p == NULL)
    return box_make_error(err, 0, "parse `%s`: no start time", path);
  *start = strtoull(p, NULL, 10);
  return 1;
}

bool
box_process_alive(pid_t pid, unsigned long long start)
{
  box_error_t err = NULL;
  unsigned long long actual = 0;
  char state = 0;
  int r;

  if (pid <= 0)
    return false;
  r = box_proc_stat(pid, &state, &actual, &err);
  box_error_release(&err);
  if (r <= 0)
    return false;
  /* A zombie has finished: for the OCI status it is stopped.  */
  if (state == 'Z' || state == 'X' || state == 'x')
    return false;
  return actual == start;
}

enum box_status_e
box_status_derive(const char *dir, const box_state_t *st)
{
  cleanup_free char *fifo = NULL;

  if (st == NULL)
    return BOX_STATUS_CREATING;
  if (!box_process_alive(st->pid, st->start_time))
    return BOX_STATUS_STOPPED;
  /* A live init in a frozen cgroup is paused, whether created or
     running before (runc's rule); never stored: read from the freezer.  */
  if (box_state_frozen(st))
    return BOX_STATUS_PAUSED;
  /* start unlinks the fifo once the init has been released.  */
  fifo = xasprintf("%s/" BOX_EXEC_FIFO, dir);
  if (access(fifo, F_OK) == 0)
    return BOX_STATUS_CREATED;
  return BOX_STATUS_RUNNING;
}

bool
box_state_frozen(const box_state_t *st)
{
  cleanup_cgroup box_cgroup_t *cg = NULL;
  box_error_t ignored = NULL;
  int r = 0;

  if (st->cgroups && box_cgroup_from_json(st->cgroups, &cg, &ignored) == 0)
    r = box_cgroup_frozen(cg, &ignored);
  box_error_release(&ignored);
  return r == 1;
}

const char *
box_status_name(enum box_status_e status)
{
  switch (status)
    {
    case BOX_STATUS_CREATING:
      return "creating";
    case BOX_STATUS_CREATED:
      return "created";
    case BOX_STATUS_RUNNING:
      return "running";
    case BOX_STATUS_STOPPED:
      return "stopped";
    case BOX_STATUS_PAUSED:
      return "paused";
    }
  return "unknown";
}

/* pid only while there is a process to name: runc reports 0 once
   stopped; st is NULL while `create` has not written state.json yet.  */
json_t *
box_state_document(const box_state_t *st, const char *id, enum box_status_e status)
{
  bool has_pid = st && status != BOX_STATUS_STOPPED;
  json_t *o;

  o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", st ? st->oci_version : BOX_OCI_VERSION, "id", id,
                "status", box_status_name(status), "pid", (json_int_t)(has_pid ? st->pid : 0), "bundle",
                st ? st->bundle : "");
  if (o == NULL)
    abort();
  if (st)
    {
      json_object_set_new(o, "rootfs", json_string(st->rootfs));
      if (st->created)
        json_object_set_new(o, "created", json_string(st->created));
      if (st->annotations && json_object_size(st->annotations) > 0)
        json_object_set(o, "annotations", st->annotations);
    }
  return o;
}

static char *
state_dump(const box_state_t *st, const char *id, enum box_status_e status, size_t flags)
{
  json_t *o = box_state_document(st, id, status);
  char *s = json_dumps(o, flags | JSON_PRESERVE_ORDER);

  json_decref(o);
  if (s == NULL)
    abort();
  return s;
}

char *
box_state_format(const box_state_t *st, const char *id, enum box_status_e status)
{
  return state_dump(st, id, status, JSON_INDENT(2));
}

char *
box_state_format_hook(const box_state_t *st, const char *id, enum box_status_e status)
{
  return state_dump(st, id, status, JSON_COMPACT);
}

int
box_pidfd_open_checked(pid_t pid, unsigned long long start, int *pidfd, box_error_t *err)
{
  cleanup_close int fd = -1;

  fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0 && errno == ESRCH)
    return 0;
  if (fd < 0)
    return box_make_error(err, errno, "pidfd_open %d", (int)pid);
  /* The pidfd pins this process; checking the start time after opening
     proves it is the container init and not a recycled pid.  */
  if (!box_process_alive(pid, start))
    return 0;
  *pidfd = steal_fd(&fd);
  return 1;
}
