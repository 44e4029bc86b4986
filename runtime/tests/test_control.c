/* The pure parts of pause/ps/list/update/events (control.h): option
   values (durations, byte sizes, update's flags into linux.resources),
   ps output cut to the container's pids, the list table and event lines.  */
#include <string.h>

#include "cgroup.h"
#include "control.h"
#include "tap.h"
#include "utils.h"

static void
test_duration(void)
{
  box_error_t err = NULL;
  long long ms = 0;

  tap_ok(box_parse_duration("5s", &ms, &err) == 0 && ms == 5000, "duration 5s = 5000 ms");
  tap_ok(box_parse_duration("500ms", &ms, &err) == 0 && ms == 500, "duration 500ms (ms before m)");
  tap_ok(box_parse_duration("1m30s", &ms, &err) == 0 && ms == 90000, "duration 1m30s = 90000 ms");
  tap_ok(box_parse_duration("1.5s", &ms, &err) == 0 && ms == 1500, "duration 1.5s = 1500 ms");
  tap_ok(box_parse_duration("2h", &ms, &err) == 0 && ms == 7200000, "duration 2h");
  tap_ok(box_parse_duration("5", &ms, &err) < 0 && strstr(err->msg, "unit"),
         "duration without unit refused: %s", err ? err->msg : "");
  box_error_release(&err);
  tap_ok(box_parse_duration("5x", &ms, &err) < 0, "duration with unknown unit refused");
  box_error_release(&err);
  tap_ok(box_parse_duration("-1s", &ms, &err) < 0, "negative duration refused");
  box_error_release(&err);
  tap_ok(box_parse_duration("", &ms, &err) < 0, "empty duration refused");
  box_error_release(&err);
  tap_ok(box_parse_duration("100us", &ms, &err) < 0, "duration under 1 ms refused");
  box_error_release(&err);
}

static void
test_bytes(void)
{
  box_error_t err = NULL;
  long long v = 0;

  tap_ok(box_parse_bytes("1024", &v, &err) == 0 && v == 1024, "bytes 1024");
  tap_ok(box_parse_bytes("512k", &v, &err) == 0 && v == 512 * 1024, "bytes 512k");
  tap_ok(box_parse_bytes("100M", &v, &err) == 0 && v == 100LL << 20, "bytes 100M");
  tap_ok(box_parse_bytes("1.5GiB", &v, &err) == 0 && v == 3LL << 29, "bytes 1.5GiB");
  tap_ok(box_parse_bytes("64mb", &v, &err) == 0 && v == 64LL << 20, "bytes 64mb");
  tap_ok(box_parse_bytes("-1", &v, &err) == 0 && v == -1, "bytes -1 (unlimited)");
  tap_ok(box_parse_bytes("ten", &v, &err) < 0, "bytes `ten` refused");
  box_error_release(&err);
  tap_ok(box_parse_bytes("10X", &v, &err) < 0, "bytes 10X refused");
  box_error_release(&err);
  tap_ok(box_parse_bytes("-5", &v, &err) < 0, "bytes -5 refused");
  box_error_release(&err);
}

static void
test_update_build(void)
{
  struct box_update_s u = { .memory = "64M", .pids_limit = "5", .cpu_shares = "512", .cpuset_cpus = "0-1" };
  struct box_resources_s *r = NULL;
  box_error_t err = NULL;
  json_t *res = NULL;

  tap_ok(box_update_build(&u, "{\"pids\": {\"limit\": 9}, \"cpu\": {\"quota\": 1000}}", &res, &err) == 0,
         "update: --resources text and options build");
  tap_ok(json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")) == 5,
         "update: an option wins over the --resources document");
  tap_ok(json_integer_value(json_object_get(json_object_get(res, "cpu"), "quota")) == 1000,
         "update: the document's other fields kept");
  tap_ok(box_resources_parse(res, &r, &err) == 0 && r && r->has_mem_limit && r->mem_limit == 64LL << 20
             && r->has_cpu_shares && r->cpu_shares == 512 && r->cpus && strcmp(r->cpus, "0-1") == 0,
         "update: the result is a linux.resources object box_resources_parse takes");
  box_resources_free(r);
  json_decref(res);
  u = (struct box_update_s){ .pids_limit = "five" };
  tap_ok(box_update_build(&u, NULL, &res, &err) < 0 && strstr(err->msg, "--pids-limit"),
         "update: a bad value names the option: %s", err ? err->msg : "");
  box_error_release(&err);
  u = (struct box_update_s){ .memory = "lots" };
  tap_ok(box_update_build(&u, NULL, &res, &err) < 0 && strstr(err->msg, "--memory"),
         "update: bad --memory named");
  box_error_release(&err);
  tap_ok(box_update_build(&u, "[1]", &res, &err) < 0, "update: --resources that is not an object refused");
  box_error_release(&err);
  tap_ok(box_update_build(&u, "{", &res, &err) < 0 && strstr(err->msg, "not JSON"),
         "update: bad JSON refused");
  box_error_release(&err);
}

static void
test_ps_filter(void)
{
  const char *ps = "UID        PID  PPID  C STIME TTY          TIME CMD\n"
                   "root         1     0  0 10:00 ?        00:00:01 /sbin/init\n"
                   "root       412     1  0 10:00 ?        00:00:00 sleep 100\n"
                   "root       413   412  0 10:00 ?        00:00:00 sleep 4120\n";
  pid_t pids[] = { 413, 412 };
  cleanup_free char *out = NULL;
  box_error_t err = NULL;

  tap_ok(box_ps_filter(ps, pids, 2, &out, &err) == 0, "ps: filter");
  tap_ok(out && strncmp(out, "UID", 3) == 0 && strstr(out, "sleep 100\n") && strstr(out, "sleep 4120\n")
             && !strstr(out, "init"),
         "ps: the header, then the container's lines only");
  free(out), out = NULL;
  tap_ok(box_ps_filter("  PID COMMAND\n   12 sh\n  120 sleep\n", (pid_t[]){ 12 }, 1, &out, &err) == 0
             && strcmp(out, "  PID COMMAND\n   12 sh\n") == 0,
         "ps -o pid,comm: matched by the PID column, not a prefix (12 is not 120)");
  free(out), out = NULL;
  tap_ok(box_ps_filter("USER COMMAND\nroot sh\n", pids, 2, &out, &err) < 0 && strstr(err->msg, "PID"),
         "ps: output without a PID column refused");
  box_error_release(&err);
}

static void
test_list_table(void)
{
  json_t *items
      = json_loads("[{\"id\":\"a\",\"pid\":42,\"status\":\"running\",\"bundle\":\"/b\","
                   "\"created\":\"2024-01-01T00:00:00.5Z\",\"owner\":\"root\"},"
                   "{\"id\":\"a-much-longer-id\",\"pid\":0,\"status\":\"stopped\",\"bundle\":\"/b2\","
                   "\"created\":\"2024-01-01T00:00:01Z\",\"owner\":\"#1000\"}]",
                   0, NULL);
  cleanup_free char *t = box_list_table(items);
  cleanup_free char *empty = NULL;
  json_t *none = json_array();

  tap_ok(strncmp(t, "ID                 PID         STATUS      BUNDLE      CREATED                  OWNER\n",
                 84)
             == 0,
         "list: header padded as runc's tabwriter (widest + 3, at least 12)");
  tap_ok(strstr(t, "\na                  42          running     /b          2024-01-01T00:00:00.5Z   root\n")
             != NULL,
         "list: a row, last column unpadded");
  tap_ok(strstr(t, "a-much-longer-id   0           stopped") != NULL, "list: stopped with pid 0");
  empty = box_list_table(none);
  tap_ok(strcmp(empty, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n") == 0,
         "list: no containers, the header alone");
  json_decref(items);
  json_decref(none);
}

static void
test_event_line(void)
{
  cleanup_free char *line = box_event_line("stats", "c1", json_pack("{s:{s:i}}", "pids", "current", 3));

  tap_ok(strcmp(line, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"pids\":{\"current\":3}}}") == 0,
         "events: one compact line, runc's field order: %s", line);
}

int
main(void)
{
  tap_init();
  test_duration();
  test_bytes();
  test_update_build();
  test_ps_filter();
  test_list_table();
  test_event_line();
  return tap_done();
}
