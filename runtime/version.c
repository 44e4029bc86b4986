/* box version (also `box --version`).  */
#include <stdio.h>

#include "commands.h"
#include "spec.h"

int
box_cmd_version(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  (void)g;
  (void)argv;
  if (box_check_args("version", argc - 1, 0, 0, "", err) < 0)
    return -1;
  printf("box version %s\nspec: %s\n", BOX_VERSION, BOX_OCI_VERSION);
  return 0;
}
