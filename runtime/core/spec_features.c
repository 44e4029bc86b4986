/* The features document (runtime-spec features.md): what this build of
   box implements, generated from the same tables the config parser and
   the init use, so it cannot drift from them.  */
#include <jansson.h>
#include <seccomp.h>
#include <stdlib.h>

#include "spec_features.h"
#include "linux.h"
#include "security.h"
#include "spec.h"
#include "utils.h"

static json_t *
strv_json(const char *const *v)
{
  json_t *a = json_array();

  for (; *v; v++)
    json_array_append_new(a, json_string(*v));
  return a;
}

static void
append_name(const char *name, void *data)
{
  json_array_append_new((json_t *)data, json_string(name));
}

static json_t *
capabilities_json(void)
{
  json_t *a = json_array();
  int i;

  for (i = 0; i < box_cap_count(); i++)
    json_array_append_new(a, json_string(box_cap_name(i)));
  return a;
}

static json_t *
seccomp_json(void)
{
  static const char *const flags[]
      = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };

  return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions", strv_json(box_seccomp_actions),
                   "operators", strv_json(box_seccomp_operators), "archs", strv_json(box_seccomp_archs),
                   "knownFlags", strv_json(flags), "supportedFlags", strv_json(flags));
}

static json_t *
linux_json(void)
{
  static const char *const namespaces[] = { "mount", "pid", "network", "ipc", "uts", "user", "cgroup", NULL };

  return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, s:{s:b}}", "namespaces",
                   strv_json(namespaces), "capabilities", capabilities_json(), "cgroup", "v1", 1, "v2", 1,
                   "systemd", 0, "systemdUser", 0, "seccomp", seccomp_json(), "apparmor", "enabled", 0,
                   "selinux", "enabled", 0, "intelRdt", "enabled", 0);
}

char *
box_features(void)
{
  static const char *const hooks[]
      = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };
  json_t *mount_options = json_array();
  json_t *doc;
  char *out;

  box_mount_option_names(append_name, mount_options);
  doc = json_pack("{s:s, s:s, s:o, s:o, s:o}", "ociVersionMin", "1.0.0", "ociVersionMax", BOX_OCI_VERSION,
                  "hooks", strv_json(hooks), "mountOptions", mount_options, "linux", linux_json());
  out = json_dumps(doc, JSON_INDENT(2));
  json_decref(doc);
  if (out == NULL)
    abort();
  return out;
}
