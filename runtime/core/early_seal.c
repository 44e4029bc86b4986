/* box's entry point on x86-64: create, run and exec re-execute box from
   a sealed copy of itself (cloned_exe.c), and here they do it before the C
   library starts, in the common case: root, an explicit absolute --root,
   overlayfs.  The first process then never runs glibc's start-up nor
   box's own.  On a 2-core VM a static glibc main(){} took 1.31 ms to
   spawn, one without libc 0.60 ms, and in one interleaved bench this
   took 0.9 ms off every create and exec, of about 11.

   The same overlay as cloned_exe.c's overlay_exe, made with raw system
   calls: no libc function may run before _start (no TLS, no errno, the
   IFUNCs behind memcpy and strlen not resolved yet), so nothing here calls
   one, and the compiler is kept from turning a loop into one.  Whenever
   anything is not as expected (another command, an option this parser
   does not know, rootless, no overlayfs, a failed call), it returns and
   _start runs box as always: main's box_ensure_cloned_exe then seals it
   the usual way, with the memfd behind the overlay.  The sealed box checks
   the seal itself (already_sealed), whoever made it.  */
#include <fcntl.h>
#include <linux/mount.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "container.h"
#include "linux.h"

#if defined(__x86_64__)

#define EARLY_PATH_MAX 4096
#define EARLY_ENV_MAX 1024
/* No stack protector (its canary is in the TLS, not set up yet), and no
   loop turned into a call of memcpy or strlen.  */
#if defined(__clang__)
#define EARLY __attribute__((no_stack_protector, noinline, no_builtin))
#else
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#define EARLY __attribute__((no_stack_protector, noinline))
#endif

/* Entered with the kernel's stack: argc, argv..., NULL, envp..., NULL.  */
void box_early_seal(long *sp);

__asm__(".text\n"
        ".globl box_early_start\n"
        ".type box_early_start, @function\n"
        "box_early_start:\n"
        "  mov %rsp, %rbx\n"  /* callee-saved: the entry stack */
        "  mov %rdx, %r12\n"  /* and the ABI's rtld_fini */
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call box_early_seal\n"
        "  mov %rbx, %rsp\n"
        "  mov %r12, %rdx\n"
        "  xor %ebx, %ebx\n"
        "  xor %r12d, %r12d\n"
        "  jmp _start\n"
        ".size box_early_start, . - box_early_start\n");

#ifdef BOX_BROKEN_EXE_WRITABLE
/* Broken on purpose (harness/tests/broken/exe-writable): never sealed.  */
void EARLY
box_early_seal(long *sp)
{
  (void)sp;
}
#else

static long EARLY
sys5(long n, long a, long b, long c, long d, long e)
{
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  long ret;

  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
  return ret;
}
#define SYS(n, a, b, c, d, e) sys5((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

static int EARLY
same(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

/* The value of global flag `flag` at argv[*i] ("--flag VALUE" or
   "--flag=VALUE"), as main.c's flag_value; NULL when it is not that flag
   or its value is missing.  */
static const char *EARLY
flag_value(const char *flag, char **argv, int argc, int *i)
{
  const char *a = argv[*i];

  while (*flag && *flag == *a)
    flag++, a++;
  if (*flag != '\0')
    return NULL;
  if (*a == '=')
    return a + 1;
  if (*a != '\0' || *i + 1 >= argc)
    return NULL;
  return argv[++*i];
}

/* Append s to buf at *n, escaping `:` and `\` as lowerdir wants them.
   Returns 0, or -1 when it does not fit.  */
static int EARLY
put_escaped(char *buf, size_t *n, const char *s, size_t len)
{
  for (size_t k = 0; k < len; k++)
    {
      if (*n + 3 >= EARLY_PATH_MAX * 2)
        return -1;
      if (s[k] == ':' || s[k] == '\\')
        buf[(*n)++] = '\\';
      buf[(*n)++] = s[k];
    }
  buf[*n] = '\0';
  return 0;
}

static void EARLY
seal(char **argv, char **envp, const char *root)
{
  static const char sealed_env[] = BOX_SEALED_ENV "=1";
  char self[EARLY_PATH_MAX], lower[EARLY_PATH_MAX * 2];
  char *env[EARLY_ENV_MAX + 2];
  long len, ctx, mnt = -1, fd = -1, name;
  size_t n = 0, e = 0;

  /* The root must be a directory: the overlay's second layer.  */
  fd = SYS(__NR_open, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
  if (fd < 0)
    return;
  SYS(__NR_close, fd, 0, 0, 0, 0);
  len = SYS(__NR_readlink, "/proc/self/exe", self, sizeof(self) - 1, 0, 0);
  if (len <= 1 || len >= (long)sizeof(self) - 1 || self[0] != '/')
    return;
  self[len] = '\0';
  for (name = len; name > 0 && self[name - 1] != '/'; name--)
    ;
  if (put_escaped(lower, &n, self, name > 1 ? (size_t)name - 1 : 1) < 0 || n + 2 >= sizeof(lower))
    return;
  lower[n++] = ':';
  lower[n] = '\0';
  for (len = 0; root[len]; len++)
    ;
  if (put_escaped(lower, &n, root, (size_t)len) < 0)
    return;
  for (char **p = envp; *p; p++)
    {
      if (e == EARLY_ENV_MAX)
        return;
      env[e++] = *p;
    }
  env[e++] = (char *)sealed_env;
  env[e] = NULL;

  ctx = SYS(__NR_fsopen, "overlay", FSOPEN_CLOEXEC, 0, 0, 0);
  if (ctx < 0)
    return;
  if (SYS(__NR_fsconfig, ctx, FSCONFIG_SET_STRING, "lowerdir", lower, 0) == 0)
    {
      (void)SYS(__NR_fsconfig, ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
      if (SYS(__NR_fsconfig, ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        mnt = SYS(__NR_fsmount, ctx, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, 0,
                  0);
    }
  SYS(__NR_close, ctx, 0, 0, 0, 0);
  if (mnt < 0)
    return;
  fd = SYS(__NR_openat, mnt, self + name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0);
  SYS(__NR_close, mnt, 0, 0, 0, 0);
  if (fd < 0)
    return;
  SYS(__NR_execveat, fd, "", argv, env, AT_EMPTY_PATH);
  SYS(__NR_close, fd, 0, 0, 0, 0);
}

void EARLY
box_early_seal(long *sp)
{
  int argc = (int)sp[0], i;
  char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
  const char *root = NULL, *v;

  if (SYS(__NR_geteuid, 0, 0, 0, 0, 0) != 0)
    return;
  for (char **p = envp; *p; p++)
    {
      const char *a = *p, *b = BOX_SEALED_ENV "=";

      while (*b && *a == *b)
        a++, b++;
      if (*b == '\0')
        return;
    }
  /* main.c's parse_globals, for the flags it knows.  */
  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      if (same(argv[i], "--debug"))
        continue;
      if ((v = flag_value("--root", argv, argc, &i)))
        root = v;
      else if (!flag_value("--log-format", argv, argc, &i) && !flag_value("--log", argv, argc, &i))
        return;
    }
  if (i >= argc || !(same(argv[i], "create") || same(argv[i], "run") || same(argv[i], "exec")))
    return;
  for (int k = i + 1; k < argc && !same(argv[k], "--"); k++)
    if (same(argv[k], "--help") || same(argv[k], "-h"))
      return;
  if (root == NULL)
    root = BOX_DEFAULT_ROOT;
  if (root[0] != '/')
    return;
  seal(argv, envp, root);
}
#endif

#endif
