/* box update [--resources FILE|-] [--memory N] [--memory-swap N]
   [--memory-reservation N] [--cpu-quota N] [--cpu-period N]
   [--cpu-share|--cpu-shares N] [--pids-limit N] [--cpuset-cpus L]
   [--cpuset-mems L] ID: change a live container's linux.resources
   (runc's command; runc spells it --cpu-share).  */
#include "commands.h"

enum
{
  OPT_MEMORY = 256,
  OPT_MEMORY_SWAP,
  OPT_MEMORY_RESERVATION,
  OPT_CPU_QUOTA,
  OPT_CPU_PERIOD,
  OPT_CPU_SHARES,
  OPT_PIDS_LIMIT,
  OPT_CPUSET_CPUS,
  OPT_CPUSET_MEMS,
};

static const struct option update_options[] = {
  { "resources", required_argument, NULL, 'r' },
  { "memory", required_argument, NULL, OPT_MEMORY },
  { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
  { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
  { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
  { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
  { "cpu-share", required_argument, NULL, OPT_CPU_SHARES },
  { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
  { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
  { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
  { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
  { NULL, 0, NULL, 0 },
};

/* The field of u an option fills, or NULL.  */
static const char **
option_field(struct box_update_s *u, int c)
{
  switch (c)
    {
    case 'r':
      return &u->resources;
    case OPT_MEMORY:
      return &u->memory;
    case OPT_MEMORY_SWAP:
      return &u->memory_swap;
    case OPT_MEMORY_RESERVATION:
      return &u->memory_reservation;
    case OPT_CPU_QUOTA:
      return &u->cpu_quota;
    case OPT_CPU_PERIOD:
      return &u->cpu_period;
    case OPT_CPU_SHARES:
      return &u->cpu_shares;
    case OPT_PIDS_LIMIT:
      return &u->pids_limit;
    case OPT_CPUSET_CPUS:
      return &u->cpuset_cpus;
    case OPT_CPUSET_MEMS:
      return &u->cpuset_mems;
    }
  return NULL;
}

int
box_cmd_update(struct box_global_s *g, int argc, char **argv, box_error_t *err)
{
  box_context_t ctx = { .root = g->root };
  struct box_update_s u = { 0 };
  const char **field;
  int c;

  while ((c = box_getopt(argc, argv, ":r:", update_options, err)) != -1)
    {
      if ((field = option_field(&u, c)) == NULL)
        return -1;
      *field = optarg;
    }
  if (box_check_args("update", argc - optind, 1, 1, "[--resources FILE|-] [OPTIONS...] ID", err) < 0)
    return -1;
  ctx.id = argv[optind];
  return box_container_update(&ctx, &u, err) < 0 ? -1 : 0;
}
