/* libFuzzer target: box's config.json parser and validator (spec.c) on
   arbitrary bytes.  Beyond "no crash, no leak" (ASan/UBSan/LSan), it checks
   the contract of box_config_parse() in spec.h: a failure fills err with a
   message and leaves *out alone; a success leaves err alone and yields a
   config whose documented invariants hold, since create.c and linux.c rely
   on them without checking again (e.g. args[0] exists, cwd is absolute).
   A broken invariant aborts, which libFuzzer reports as a crash.  */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
require(int cond, const char *what)
{
  if (!cond)
    {
      fprintf(stderr, "fuzz_config: broken invariant: %s\n", what);
      abort();
    }
}

/* A NULL-terminated vector with exactly n entries, each non-NULL.  */
static void
check_strv(char **v, size_t n, const char *what)
{
  size_t i;

  require(v != NULL, what);
  for (i = 0; i < n; i++)
    require(v[i] != NULL, what);
  require(v[n] == NULL, what);
}

static void
check_process(const struct box_process_s *p)
{
  size_t i;

  check_strv(p->args, p->n_args, "process.args is a NULL-terminated vector");
  require(p->n_args >= 1 && p->args[0][0] != '\0', "process.args[0] is a non-empty string");
  check_strv(p->env, p->n_env, "process.env is a NULL-terminated vector");
  for (i = 0; i < p->n_env; i++)
    require(strchr(p->env[i], '=') != NULL && p->env[i][0] != '=', "process.env entries are KEY=VALUE");
  require(p->cwd != NULL && p->cwd[0] == '/', "process.cwd is absolute");
  require(!p->has_umask || p->umask <= 0777, "process.user.umask is at most 0777");
}

static void
check_config(const box_config_t *c)
{
  size_t i, k;

  require(c->oci_version != NULL, "ociVersion is set");
  require(c->root_path != NULL && c->root_path[0] != '\0', "root.path is a non-empty string");
  if (c->process)
    check_process(c->process);
  require(c->n_mounts == 0 || c->mounts != NULL, "mounts has n_mounts entries");
  for (i = 0; i < c->n_mounts; i++)
    {
      require(c->mounts[i].destination && c->mounts[i].destination[0] == '/', "mount destination is absolute");
      check_strv(c->mounts[i].options, c->mounts[i].n_options, "mount options is a NULL-terminated vector");
    }
  for (k = 0; k < BOX_HOOK_KINDS; k++)
    for (i = 0; i < c->hooks[k].n; i++)
      require(c->hooks[k].hooks[i].path && c->hooks[k].hooks[i].path[0] == '/', "hook path is absolute");
  require(c->annotations == NULL || json_is_object(c->annotations), "annotations is an object");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  box_config_t *config = NULL;
  box_error_t err = NULL;

  if (box_config_parse((const char *)data, size, &config, &err) < 0)
    {
      require(err != NULL && err->msg != NULL && err->msg[0] != '\0', "a failure comes with a message");
      require(config == NULL, "a failure leaves *out alone");
      box_error_release(&err);
      return 0;
    }
  require(err == NULL, "a success leaves err alone");
  require(config != NULL, "a success yields a config");
  check_config(config);
  box_config_free(config);
  return 0;
}
