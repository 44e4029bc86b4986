/* box runs from a sealed copy of itself when it will clone a container init
   (CVE-2019-5736).  Until the init executes the user process it is a fork of
   box, so /proc/<init>/exe is box's own binary: a process in the container (a
   startContainer hook, say) can open it there and, once no box runs any more,
   reopen it for writing and replace the host's runtime.  From a memfd sealed
   against writes, that link leads to a copy nobody can change.  runc's
   libcontainer/nsenter/cloned_binary.c does the same.  */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int
box_ensure_cloned_exe(char **argv, box_error_t *err)
{
#ifdef BOX_BROKEN_EXE_WRITABLE
  /* Broken on purpose (harness/tests/broken/exe-writable): the init runs
     the host's binary.  */
  (void)argv;
  (void)err;
  return 0;
#else
  extern char **environ;
  cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int copy = -1;
  struct stat sb;
  int seals;

  if (exe < 0)
    return box_make_error(err, errno, "open `/proc/self/exe`");
  /* Already the sealed copy: this is the re-executed box.  */
  seals = fcntl(exe, F_GET_SEALS);
  if (seals >= 0 && (seals & SEALS) == SEALS)
    return 0;
  if (fstat(exe, &sb) < 0)
    return box_make_error(err, errno, "stat `/proc/self/exe`");
  copy = memfd_create("box-cloned-exe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (copy < 0)
    return box_make_error(err, errno, "memfd_create for box's own copy");
  for (off_t done = 0; done < sb.st_size;)
    {
      ssize_t n = sendfile(copy, exe, NULL, (size_t)(sb.st_size - done));
      if (n <= 0)
        return box_make_error(err, n < 0 ? errno : EIO, "copy box's binary into a memfd");
      done += n;
    }
  if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
    return box_make_error(err, errno, "seal box's own copy");
  fexecve(copy, argv, environ);
  return box_make_error(err, errno, "execute box's sealed copy");
#endif
}
