/* box features: print what this build implements (runtime-spec
   features.md), for callers that adapt their config to the runtime.  */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "spec_features.h"

int
box_cmd_features(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  char *doc;

  (void)g;
  (void)argv;
  if (box_check_args("features", argc - 1, 0, 0, "", err) < 0)
    return -1;
  doc = box_features();
  printf("%s\n", doc);
  free(doc);
  return 0;
}
