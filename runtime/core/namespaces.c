/* Joining existing namespaces (runtime-spec config-linux.md "Namespaces":
   "If a path is specified, that particular file is used to join that type
   of namespace").  As in runc's nsexec, the namespaces are joined first
   and the new ones made after: the parent enters them around clone(2)
   and returns to its own right after, so the init starts inside them and
   a new user namespace (made by the clone) does not stand in the way of
   setns, which needs CAP_SYS_ADMIN over the target's owner.  A pid
   namespace only applies to children anyway.  A mount or user namespace
   cannot be joined: every mount and pivot_root happens in the
   container's own.  */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

static const char *
ns_name(int flag)
{
  switch (flag)
    {
    case CLONE_NEWNET:
      return "network";
    case CLONE_NEWIPC:
      return "ipc";
    case CLONE_NEWUTS:
      return "uts";
    case CLONE_NEWPID:
      return "pid";
    case CLONE_NEWUSER:
      return "user";
    case CLONE_NEWNS:
      return "mount";
    default:
      return "cgroup";
    }
}

int
box_ns_join_parse(json_t *path, int flag, const char *field, box_config_t *c, box_error_t *err)
{
  if (!json_is_string(path) || json_string_value(path)[0] != '/')
    return box_make_error(err, 0, "config.json: `%s`: must be an absolute path", field);
  if (flag == CLONE_NEWNS || flag == CLONE_NEWUSER)
    return box_make_error(err, 0, "config.json: `%s`: joining an existing `%s` namespace is not supported",
                          field, ns_name(flag));
  if (c->n_ns_joins == sizeof(c->ns_joins) / sizeof(c->ns_joins[0]))
    return box_make_error(err, 0, "config.json: `%s`: too many namespaces", field);
  c->ns_joins[c->n_ns_joins].flag = flag;
  c->ns_joins[c->n_ns_joins++].path = xstrdup(json_string_value(path));
  c->join_flags |= flag;
  return 0;
}

int
box_ns_open(const struct box_ns_join_s *j, box_error_t *err)
{
  cleanup_close int fd = open(j->path, O_RDONLY | O_CLOEXEC);
  int type;

  if (fd < 0)
    return box_make_error(err, errno, "linux.namespaces: open `%s`", j->path);
  type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0 || type != j->flag)
    return box_make_error(err, type < 0 ? errno : 0, "linux.namespaces: `%s` is not a `%s` namespace",
                          j->path, ns_name(j->flag));
  return steal_fd(&fd);
}

static int
join_one(const struct box_ns_join_s *j, box_error_t *err)
{
  cleanup_close int fd = box_ns_open(j, err);

  if (fd < 0)
    return -1;
  if (setns(fd, j->flag) < 0)
    return box_make_error(err, errno, "linux.namespaces: join `%s` namespace `%s`", ns_name(j->flag),
                          j->path);
  return 0;
}

/* /proc/self/ns/NAME of a namespace type.  */
static const char *
proc_ns_name(int flag)
{
  switch (flag)
    {
    case CLONE_NEWNET:
      return "net";
    case CLONE_NEWPID:
      return "pid";
    default:
      return ns_name(flag);
    }
}

int
box_ns_join_enter(const box_config_t *c, int *saved, box_error_t *err)
{
  size_t i;

  for (i = 0; i < c->n_ns_joins; i++)
    {
      cleanup_free char *own = xasprintf("/proc/self/ns/%s", proc_ns_name(c->ns_joins[i].flag));
      saved[i] = open(own, O_RDONLY | O_CLOEXEC);
      if (saved[i] < 0)
        return box_make_error(err, errno, "open `%s`", own);
      if (join_one(&c->ns_joins[i], err) < 0)
        return -1;
    }
  return 0;
}

int
box_ns_join_leave(const box_config_t *c, int *saved, box_error_t *err)
{
  size_t i;
  int r = 0;

  for (i = c->n_ns_joins; i-- > 0;)
    {
      if (saved[i] < 0)
        continue;
      if (setns(saved[i], c->ns_joins[i].flag) < 0 && r == 0)
        r = box_make_error(err, errno, "return to our own `%s` namespace", ns_name(c->ns_joins[i].flag));
      close(steal_fd(&saved[i]));
    }
  return r;
}
