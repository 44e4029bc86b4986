/* The receiving end of `--console-socket` (runc's protocol, which crun and
   youki share; runtime-spec config.md "terminal" leaves the transport to the
   runtime): the runtime connects to a unix socket and sends the pty master
   in one message, one fd in SCM_RIGHTS, the pty's name as the payload. */
#ifndef OCITEST_CONSRECV_H
#define OCITEST_CONSRECV_H

#include "ocitest.h"

/* socket(AF_UNIX, SOCK_STREAM), bind to path (which must not exist), listen.
   Returns the listening fd, or -1 with err set. */
int console_listen(const char *path, ocitest_error_t *err);

/* Accept one connection on lfd before deadline_ms (now_ms() clock).
   Returns the connection fd, or -1 with err set. */
int console_accept(int lfd, int64_t deadline_ms, ocitest_error_t *err);

/* Receive the master: exactly one fd in one message (closing any extra fds
   a confused sender passes).  *name gets the payload (may be empty), owned
   by the caller.  Returns the fd, or -1 with err set. */
int console_recv_master(int conn, int64_t deadline_ms, char **name, ocitest_error_t *err);

/* Undo the escapes a shell cannot put in an argument easily: \n \r \t \\
   and \xHH.  Returns a new string and its length in *len. */
char *console_unescape(const char *s, size_t *len);

struct console_pump_s
{
  int master;
  int out_fd;        /* -1: output is read and dropped */
  const char *input; /* written to the master first; NULL for none */
  size_t input_len;
  int64_t deadline_ms; /* now_ms() clock */
  size_t bytes_out;    /* filled: how many bytes were copied */
};
typedef struct console_pump_s console_pump_t;

/* Write the input, then copy everything the master yields to out_fd until
   the slave side is closed everywhere (EIO or EOF on the master: the
   container's processes are gone).  Returns 0 then, -1 with err set on a
   timeout or an I/O error. */
int console_pump(console_pump_t *p, ocitest_error_t *err);

#endif
