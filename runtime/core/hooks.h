/* Lifecycle hooks (runtime-spec config.md "POSIX-platform Hooks"): run a
   hook binary with the state document on its stdin and its timeout, and
   run the hooks of one kind with the failure rules of runtime.md
   "Lifecycle".  Where each kind runs is decided by the callers
   (container.c in the runtime namespace, linux.c in the container init).  */
#ifndef BOX_HOOKS_H
#define BOX_HOOKS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

#define BOX_HOOK_MASK(kind) (1u << (kind))

/* Run one hook and wait for it: argv is h->args (else {h->path}), the
   environment exactly h->env (else ours, as runc does), stdin the state
   document, stdout and stderr our stderr, no other fd; cwd when not NULL.
   Past h->timeout seconds its process group is SIGKILLed.  Returns 0 when
   it exited with status 0, else -1 and err says why ("exited with status
   3", "timed out after 2s", "exec: Permission denied").  */
int box_hook_run(const struct box_hook_s *h, const char *state, const char *cwd, box_error_t *err);

/* Run the hooks of `kind` in order and stop at the first failure, whose
   error names it: "hook `createRuntime[0]` (`/bin/x`): exited with status 3".  */
int box_hooks_run(const box_config_t *c, enum box_hook_kind_e kind, const char *state, const char *cwd,
                  box_error_t *err);

/* Run them all; a failure is only logged as a warning (config.md:
   poststart and poststop failures do not stop the lifecycle).  */
void box_hooks_run_warn(const box_config_t *c, enum box_hook_kind_e kind, const char *state, const char *cwd);

/* Deadline (box_now_ms() clock) for waiting on someone who runs the hooks
   of the kinds in `mask`: now + grace_ms + their timeouts, or LLONG_MAX
   when one of them has no timeout (it may run as long as it likes).  */
long long box_hooks_deadline(const box_config_t *c, unsigned mask, long long grace_ms);

/* True when the config has a hook of one of the kinds in `mask`.  */
bool box_hooks_any(const box_config_t *c, unsigned mask);

/* prestart and createRuntime: the parent runs them while the init waits
   after its mounts; with none, neither side waits for the other there.  */
#define BOX_HOOKS_PARENT_CREATE (BOX_HOOK_MASK(BOX_HOOK_PRESTART) | BOX_HOOK_MASK(BOX_HOOK_CREATE_RUNTIME))

#endif
