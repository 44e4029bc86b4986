/* box exec [--process FILE | ARGS...] [--tty] [--console-socket S] [--detach]
   [--pid-file F] [--cwd D] [--env K=V]... [--user UID[:GID]]
   [--additional-gids G]... [--cap C]... [--no-new-privs] [--preserve-fds N] ID
   runc's command line: a new process in a running container.  */
#include <stdlib.h>

#include "commands.h"
#include "utils.h"

#define EXEC_USAGE "[--process FILE | ARGS...] [--tty] [--console-socket S] [--detach] [--pid-file F] ID"

static const struct option exec_options[] = {
  { "process", required_argument, NULL, 'p' },
  { "tty", no_argument, NULL, 't' },
  { "console-socket", required_argument, NULL, 'S' },
  { "detach", no_argument, NULL, 'd' },
  { "pid-file", required_argument, NULL, 'P' },
  { "cwd", required_argument, NULL, 'w' },
  { "env", required_argument, NULL, 'e' },
  { "user", required_argument, NULL, 'u' },
  { "additional-gids", required_argument, NULL, 'g' },
  { "cap", required_argument, NULL, 'c' },
  { "no-new-privs", no_argument, NULL, 'n' },
  { "preserve-fds", required_argument, NULL, 'f' },
  { NULL, 0, NULL, 0 },
};

/* Append one value of a repeatable option.  */
static void
push(const char ***list, size_t *n)
{
  *list = xrealloc(*list, (*n + 1) * sizeof(**list));
  (*list)[(*n)++] = optarg;
}

static int
parse_option(int c, box_context_t *ctx, struct box_exec_s *e, box_error_t *err)
{
  switch (c)
    {
    case 'p': e->process_file = optarg; break;
    case 't': e->tty = true; break;
    case 'S': ctx->console_socket = optarg; break;
    case 'd': e->detach = true; break;
    case 'P': ctx->pid_file = optarg; break;
    case 'w': e->cwd = optarg; break;
    case 'e': push(&e->env, &e->n_env); break;
    case 'u': e->user = optarg; break;
    case 'g': push(&e->gids, &e->n_gids); break;
    case 'c': push(&e->caps, &e->n_caps); break;
    case 'n': e->no_new_privs = true; break;
    case 'f': return box_parse_preserve_fds("exec", optarg, &e->preserve_fds, err);
    default: return -1;
    }
  return 0;
}

int
box_cmd_exec(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  struct box_exec_s e = { 0 };
  int c, status = 0, r = -1;

  /* "+": options end at the id; what follows is the command and its own.  */
  while ((c = box_getopt(argc, argv, "+:p:tde:u:g:c:", exec_options, err)) != -1)
    if (parse_option(c, &ctx, &e, err) < 0)
      goto out;
  if (box_check_args("exec", argc - optind, 1, e.process_file ? 1 : argc, EXEC_USAGE, err) < 0)
    goto out;
  ctx.id = argv[optind];
  e.args = argv + optind + 1;
  ctx.detach = e.detach;
  r = box_container_exec(&ctx, &e, &status, err) < 0 ? -1 : status;
out:
  free(e.env);
  free(e.gids);
  free(e.caps);
  return r;
}
