/* User namespaces (runtime-spec config-linux.md "User namespace
   mappings"): parse the maps, write them from the parent while the init
   waits on the sync socket, then the init becomes root of its namespace.
   The rootfs's ownership is the caller's business, as with runc.
   Rootless (box not root: utils.c box_rootless), as runc does: a map of
   the caller's own id alone (size 1) is written by box itself, after
   "deny" to /proc/PID/setgroups for the gid map (user_namespaces(7):
   an unprivileged writer of gid_map must deny setgroups first); any
   other map goes through the setuid helpers newuidmap/newgidmap, which
   allow what /etc/subuid and /etc/subgid grant the caller.  */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "security.h"
#include "utils.h"

#define MAX_MAPS 340 /* the kernel's limit of lines per map (since 4.15) */

static int
get_ulong(json_t *o, const char *key, const char *field, unsigned long *out, box_error_t *err)
{
  json_t *v = json_object_get(o, key);

  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffffffffLL)
    return box_make_error(err, 0, "config.json: `%s.%s`: must be an integer from 0 to 4294967295", field,
                          key);
  *out = (unsigned long)json_integer_value(v);
  return 0;
}

static int
parse_maps(json_t *list, const char *key, struct box_idmap_s **out, size_t *n, box_error_t *err)
{
  json_t *m;
  size_t i;

  if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_MAPS)
    return box_make_error(err, 0, "config.json: `linux.%s`: must be a non-empty array of mappings", key);
  *out = xcalloc(json_array_size(list), sizeof(**out));
  json_array_foreach(list, i, m)
  {
    cleanup_free char *field = xasprintf("linux.%s[%zu]", key, i);
    if (!json_is_object(m))
      return box_make_error(err, 0, "config.json: `%s`: must be an object", field);
    if (get_ulong(m, "containerID", field, &(*out)[i].container_id, err) < 0
        || get_ulong(m, "hostID", field, &(*out)[i].host_id, err) < 0
        || get_ulong(m, "size", field, &(*out)[i].size, err) < 0)
      return -1;
    *n = i + 1;
  }
  return 0;
}

int
box_userns_parse(json_t *linux_obj, int clone_flags, box_security_t *s, box_error_t *err)
{
  json_t *uid = json_object_get(linux_obj, "uidMappings"), *gid = json_object_get(linux_obj, "gidMappings");

  s->userns = (clone_flags & CLONE_NEWUSER) != 0;
  /* Rootless, a container without a user namespace of its own would need
     privileges box does not have (runc: "rootless container requires
     user namespaces").  */
  if (!s->userns && box_rootless())
    return box_make_error(err, 0,
                          "config.json: `linux.namespaces`: box runs as uid %u (rootless): the container needs "
                          "a new `user` namespace with linux.uidMappings and gidMappings (see `box spec --rootless`)",
                          (unsigned)geteuid());
  if (!s->userns)
    {
      /* config-linux.md: mappings without a user namespace mean nothing.  */
      if ((uid && json_array_size(uid) > 0) || (gid && json_array_size(gid) > 0))
        return box_make_error(err, 0, "config.json: `linux.%s`: needs a new `user` namespace",
                              uid ? "uidMappings" : "gidMappings");
      return 0;
    }
  if (parse_maps(uid, "uidMappings", &s->uid_map, &s->n_uid_map, err) < 0
      || parse_maps(gid, "gidMappings", &s->gid_map, &s->n_gid_map, err) < 0)
    return -1;
  return 0;
}

/* Write one /proc/PID/{uid,gid}_map in a single write(2), as the kernel
   requires.  */
static int
write_map(pid_t pid, const char *file, const struct box_idmap_s *m, size_t n, box_error_t *err)
{
  cleanup_free char *path = xasprintf("/proc/%d/%s", (int)pid, file);
  cleanup_free char *text = xstrdup("");
  cleanup_close int fd = -1;
  size_t i;

  for (i = 0; i < n; i++)
    {
      char *next = xasprintf("%s%lu %lu %lu\n", text, m[i].container_id, m[i].host_id, m[i].size);
      free(text);
      text = next;
    }
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    return box_make_error(err, errno, "write `%s`", path);
  return 0;
}

/* The caller's own id alone, which an unprivileged process may map.  */
static bool
maps_only_self(const struct box_idmap_s *m, size_t n, unsigned long self)
{
  return n == 1 && m[0].host_id == self && m[0].size == 1;
}

/* Run HELPER PID (containerID hostID size)... (newuidmap(1)); its
   output goes into the error when it fails.  */
static int
run_map_helper(const char *helper, const char *field, pid_t pid, const struct box_idmap_s *m, size_t n,
               box_error_t *err)
{
  size_t argc = 2 + 3 * n + 1, i, k = 0;
  char **argv = xcalloc(argc, sizeof(*argv));
  char out[1024];
  ssize_t len = 0, r;
  int fds[2], status = 0, ret = 0;
  pid_t child;

  argv[k++] = xstrdup(helper);
  argv[k++] = xasprintf("%d", (int)pid);
  for (i = 0; i < n; i++)
    {
      argv[k++] = xasprintf("%lu", m[i].container_id);
      argv[k++] = xasprintf("%lu", m[i].host_id);
      argv[k++] = xasprintf("%lu", m[i].size);
    }
  if (pipe2(fds, O_CLOEXEC) < 0)
    {
      ret = box_make_error(err, errno, "%s: pipe", field);
      goto out;
    }
  child = fork();
  if (child < 0)
    {
      close(fds[0]);
      close(fds[1]);
      ret = box_make_error(err, errno, "%s: fork for %s", field, helper);
      goto out;
    }
  if (child == 0)
    {
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);
      execvp(helper, argv);
      dprintf(STDERR_FILENO, "exec: %s", strerror(errno));
      _exit(127);
    }
  close(fds[1]);
  while (len < (ssize_t)sizeof(out) - 1 && (r = TEMP_FAILURE_RETRY(read(fds[0], out + len, sizeof(out) - 1 - (size_t)len))) > 0)
    len += r;
  out[len] = '\0';
  while (len > 0 && out[len - 1] == '\n')
    out[--len] = '\0';
  close(fds[0]);
  if (TEMP_FAILURE_RETRY(waitpid(child, &status, 0)) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    ret = box_make_error(err, 0,
                         "config.json: `%s`: a rootless box maps more than the caller's own id through `%s`, "
                         "which failed (status %d: %s; does /etc/sub%cid grant uid %u that range?)",
                         field, helper, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                         len ? out : "no output", helper[3] == 'u' ? 'u' : 'g',
                         (unsigned)getuid());
out:
  for (i = 0; i < k; i++)
    free(argv[i]);
  free(argv);
  return ret;
}

static int
write_text(const char *path, const char *text, box_error_t *err)
{
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    return box_make_error(err, errno, "write `%s`", path);
  return 0;
}

/* Rootless: the caller's own ids are written here, anything more by the
   helpers (see the top of this file).  */
static int
write_maps_rootless(pid_t pid, const box_security_t *s, box_error_t *err)
{
  if (maps_only_self(s->gid_map, s->n_gid_map, (unsigned long)getegid()))
    {
      cleanup_free char *setgroups = xasprintf("/proc/%d/setgroups", (int)pid);
      if (write_text(setgroups, "deny", err) < 0 || write_map(pid, "gid_map", s->gid_map, s->n_gid_map, err) < 0)
        return box_error_wrap(err, "linux.gidMappings");
    }
  else if (run_map_helper("newgidmap", "linux.gidMappings", pid, s->gid_map, s->n_gid_map, err) < 0)
    return -1;
  if (maps_only_self(s->uid_map, s->n_uid_map, (unsigned long)geteuid()))
    {
      if (write_map(pid, "uid_map", s->uid_map, s->n_uid_map, err) < 0)
        return box_error_wrap(err, "linux.uidMappings");
    }
  else if (run_map_helper("newuidmap", "linux.uidMappings", pid, s->uid_map, s->n_uid_map, err) < 0)
    return -1;
  return 0;
}

static int
write_oom_score_adj(pid_t pid, int value, box_error_t *err)
{
  cleanup_free char *path = xasprintf("/proc/%d/oom_score_adj", (int)pid);
  cleanup_free char *text = xasprintf("%d", value);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    return box_make_error(err, errno, "process.oomScoreAdj: write `%s`", path);
  return 0;
}

int
box_setup_init_process(pid_t pid, const box_security_t *s, box_error_t *err)
{
  if (s->has_oom_score_adj && write_oom_score_adj(pid, s->oom_score_adj, err) < 0)
    return -1;
  if (!s->userns)
    return 0;
  if (box_rootless())
    return write_maps_rootless(pid, s, err);
  /* box runs as root here (CAP_SETUID/CAP_SETGID in the parent
     namespace), so setgroups stays allowed; gid_map before uid_map
     changes nothing but matches runc.  */
  if (write_map(pid, "gid_map", s->gid_map, s->n_gid_map, err) < 0
      || write_map(pid, "uid_map", s->uid_map, s->n_uid_map, err) < 0)
    return box_error_wrap(err, "linux.uidMappings/gidMappings");
  return 0;
}

int
box_userns_become_root(const box_security_t *s, box_error_t *err)
{
  if (!s->userns)
    return 0;
  if (setresgid(0, 0, 0) < 0)
    return box_make_error(err, errno, "become gid 0 in the user namespace (is 0 in gidMappings?)");
  if (setresuid(0, 0, 0) < 0)
    return box_make_error(err, errno, "become uid 0 in the user namespace (is 0 in uidMappings?)");
  /* A credential change clears the parent-death signal.  */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  return 0;
}
