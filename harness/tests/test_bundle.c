/* bundle: a copy of a template with the same names, contents, modes and
   symlink targets; files are copies (a write to one leaves the template as
   it was), symlinks a second name for the template's; an existing empty
   directory is filled; a directory with something in it, a missing
   template and a fifo in one each fail naming the problem. */
#include "ocitest.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/ocitest-bundle-XXXXXX";

static void __attribute__((noreturn)) bail(const char *what, const char *path)
{
  printf("Bail out! %s %s\n", what, path);
  exit(1);
}

/* `ocitest bundle TPL DST` in a child; its exit status, the error in *msg. */
static int
bundle(const char *tpl, const char *dst, char **msg)
{
  cleanup_free char *errf = xasprintf("%s/err", dir);
  ocitest_error_t err = NULL;
  char *argv[] = { "bundle", (char *)tpl, (char *)dst, NULL };
  size_t len;
  int status;
  pid_t pid = fork();

  if (pid == 0)
    {
      FILE *ef = fopen(errf, "w");

      if (ocitest_cmd_bundle(3, argv, &err) < 0)
        {
          fputs(err->msg, ef);
          fclose(ef);
          _exit(err->exit_code ? err->exit_code : 1);
        }
      fclose(ef);
      _exit(0);
    }
  waitpid(pid, &status, 0);
  if (read_file(errf, 1 << 20, msg, &len, &err) < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
put(const char *path, const char *text, mode_t mode)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    bail("write", path);
  close(fd);
  chmod(path, mode);
}

static char *
text_of(const char *path)
{
  ocitest_error_t err = NULL;
  char *out = NULL;
  size_t len;

  if (read_file(path, 1 << 20, &out, &len, &err) < 0)
    return xstrdup("(unreadable)");
  return out;
}

static mode_t
mode_of(const char *path)
{
  struct stat st;

  return lstat(path, &st) == 0 ? st.st_mode : 0;
}

int
main(void)
{
  cleanup_free char *tpl = NULL, *dst = NULL, *msg = NULL;
  char path[512], target[64];
  struct stat a, b;
  ssize_t n;
  int rc;

  tap_init();
  if (mkdtemp(dir) == NULL)
    bail("mkdtemp", dir);
  umask(022);
  tpl = xasprintf("%s/tpl", dir);
  dst = xasprintf("%s/case", dir);
  snprintf(path, sizeof path, "%s", tpl);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/rootfs", tpl);
  mkdir(path, 0711);
  snprintf(path, sizeof path, "%s/rootfs/bin", tpl);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/rootfs/tmp", tpl);
  mkdir(path, 01777);
  chmod(path, 01777);
  snprintf(path, sizeof path, "%s/config.json", tpl);
  put(path, "{\"ociVersion\": \"1.0.2\"}\n", 0644);
  snprintf(path, sizeof path, "%s/rootfs/bin/busybox", tpl);
  put(path, "#!/bin/sh\necho busybox\n", 04755);
  snprintf(path, sizeof path, "%s/rootfs/bin/sh", tpl);
  if (symlink("busybox", path) < 0)
    bail("symlink", path);
  {
    char etc[256];

    /* A read-only directory, its file written before: copied into all the same.  */
    snprintf(etc, sizeof etc, "%s/rootfs/etc", tpl);
    mkdir(etc, 0755);
    snprintf(path, sizeof path, "%s/passwd", etc);
    put(path, "root:x:0:0::/:/bin/sh\n", 0600);
    chmod(etc, 0555);
  }

  rc = bundle(tpl, dst, &msg);
  ok(rc == 0 && msg && msg[0] == '\0', "a template is copied (exit %d: %s)", rc, msg ? msg : "");

  {
    cleanup_free char *cfg = NULL, *bb = NULL, *pw = NULL;

    snprintf(path, sizeof path, "%s/config.json", dst);
    cfg = text_of(path);
    snprintf(path, sizeof path, "%s/rootfs/bin/busybox", dst);
    bb = text_of(path);
    snprintf(path, sizeof path, "%s/rootfs/etc/passwd", dst);
    pw = text_of(path);
    ok(strcmp(cfg, "{\"ociVersion\": \"1.0.2\"}\n") == 0 && strcmp(bb, "#!/bin/sh\necho busybox\n") == 0
           && strcmp(pw, "root:x:0:0::/:/bin/sh\n") == 0,
       "files have the template's contents");
  }

  {
    bool same = true;
    const char *names[] = { "", "/rootfs", "/rootfs/bin", "/rootfs/tmp", "/rootfs/etc", "/config.json",
                            "/rootfs/bin/busybox", "/rootfs/etc/passwd", "/rootfs/bin/sh" };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
      {
        char p1[512], p2[512];

        snprintf(p1, sizeof p1, "%s%s", tpl, names[i]);
        snprintf(p2, sizeof p2, "%s%s", dst, names[i]);
        if (mode_of(p1) != mode_of(p2) || mode_of(p1) == 0)
          {
            diag("%s: mode %o in the template, %o in the copy", names[i], mode_of(p1), mode_of(p2));
            same = false;
          }
      }
    ok(same, "every entry has the template's type and mode (set-user-ID, sticky, read-only directory)");
  }

  snprintf(path, sizeof path, "%s/rootfs/bin/sh", dst);
  n = readlink(path, target, sizeof target - 1);
  target[n > 0 ? n : 0] = '\0';
  ok(n > 0 && strcmp(target, "busybox") == 0, "a symlink keeps its target (%s)", target);
  {
    char p1[512];

    snprintf(p1, sizeof p1, "%s/rootfs/bin/sh", tpl);
    ok(lstat(p1, &a) == 0 && lstat(path, &b) == 0 && a.st_ino == b.st_ino,
       "a symlink is the template's own inode (a hard link)");
    snprintf(p1, sizeof p1, "%s/rootfs/bin/busybox", tpl);
    snprintf(path, sizeof path, "%s/rootfs/bin/busybox", dst);
    ok(lstat(p1, &a) == 0 && lstat(path, &b) == 0 && a.st_ino != b.st_ino, "a file is a copy, not a link");
    chmod(path, 0755);
    put(path, "changed\n", 0755);
    {
      cleanup_free char *orig = text_of(p1);

      ok(strcmp(orig, "#!/bin/sh\necho busybox\n") == 0, "a write to the copy leaves the template as it was");
    }
  }

  {
    cleanup_free char *empty = xasprintf("%s/empty", dir);
    cleanup_free char *m2 = NULL;
    cleanup_free char *cfg = NULL;

    mkdir(empty, 0700);
    rc = bundle(tpl, empty, &m2);
    snprintf(path, sizeof path, "%s/config.json", empty);
    cfg = text_of(path);
    ok(rc == 0 && strstr(cfg, "ociVersion") && (mode_of(empty) & 07777) == 0755,
       "an existing empty directory is filled and gets the template's mode");
  }

  free(msg);
  msg = NULL;
  rc = bundle(tpl, dst, &msg);
  ok(rc == 1 && msg && strstr(msg, "not empty") && strstr(msg, dst), "a directory with entries is refused (%s)",
     msg ? msg : "");

  {
    cleanup_free char *m2 = NULL, *missing = xasprintf("%s/nosuch", dir), *to = xasprintf("%s/x", dir);

    rc = bundle(missing, to, &m2);
    ok(rc == 1 && m2 && strstr(m2, "nosuch") && strstr(m2, "No such file"), "a missing template is named (%s)",
       m2 ? m2 : "");
  }

  {
    cleanup_free char *m2 = NULL, *to = xasprintf("%s/y", dir);

    snprintf(path, sizeof path, "%s/rootfs/fifo", tpl);
    if (mkfifo(path, 0600) < 0)
      bail("mkfifo", path);
    rc = bundle(tpl, to, &m2);
    ok(rc == 1 && m2 && strstr(m2, "rootfs/fifo") && strstr(m2, "not a file, directory or symlink"),
       "an entry of another kind is refused, named (%s)", m2 ? m2 : "");
  }

  {
    cleanup_free char *cmd = xasprintf("chmod -R u+w %s && rm -rf %s", dir, dir);

    if (system(cmd) != 0)
      diag("could not remove %s", dir);
  }
  return tap_done();
}
