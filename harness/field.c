/* ocitest field: print fields of a JSON document, as `jq -er .a.b` would.
   The cases read a state's status, pid or bundle and a config's root.path
   several times each; gojq costs a Go runtime start (about 9 ms a call on a
   2-core host, jq 1.6 about 19 ms), this static binary about 1.5 ms. */
#include "ocitest.h"

#include <getopt.h>
#include <jansson.h>
#include <string.h>

#define FIELD_DOC_MAX (16u << 20)

static const char field_usage[]
    = "usage: ocitest field [--file FILE] PATH...\n"
      "Print each PATH (.key or .key.key...) of the JSON document on stdin (or FILE),\n"
      "one line each: a string raw, anything else as compact JSON.\n"
      "Exits 1 naming the path when one is missing or null, or the input is not JSON.\n";

/* The value at a dotted path, borrowed from doc; NULL when a component is
   missing or a parent is not an object.  Returns -1 on a malformed path. */
static int
field_lookup(json_t *doc, const char *path, json_t **out, ocitest_error_t *err)
{
  cleanup_free char *copy = NULL;
  char *save = NULL;
  json_t *v = doc;

  if (path[0] != '.' || path[1] == '\0' || strstr(path, "..") || path[strlen(path) - 1] == '.')
    return ocitest_usage_error(err, "field: `%s`: a path is .key or .key.key...", path);
  copy = xstrdup(path + 1);
  for (char *key = strtok_r(copy, ".", &save); key && v; key = strtok_r(NULL, ".", &save))
    v = json_is_object(v) ? json_object_get(v, key) : NULL;
  *out = v;
  return 0;
}

/* Print one value as jq -r does: a string raw, anything else as JSON. */
static int
field_print(json_t *v, ocitest_error_t *err)
{
  cleanup_free char *text = NULL;

  if (json_is_string(v))
    {
      fwrite(json_string_value(v), 1, json_string_length(v), stdout);
      putchar('\n');
      return 0;
    }
  text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  if (text == NULL)
    return ocitest_make_error(err, 0, "field: cannot encode a value");
  puts(text);
  return 0;
}

static int
field_read(const char *file, json_t **doc, ocitest_error_t *err)
{
  cleanup_free char *text = NULL;
  json_error_t jerr;
  size_t len = 0;
  int r;

  r = file ? read_file(file, FIELD_DOC_MAX, &text, &len, err)
           : read_all_fd(0, FIELD_DOC_MAX, &text, &len, err);
  if (r < 0)
    return -1;
  *doc = json_loadb(text, len, 0, &jerr);
  if (*doc == NULL)
    return ocitest_make_error(err, 0, "field: %s: not JSON: %s (line %d column %d)", file ? file : "stdin",
                              jerr.text, jerr.line, jerr.column);
  return 0;
}

int
ocitest_cmd_field(int argc, char **argv, ocitest_error_t *err)
{
  static const struct option opts[] = {
    { "file", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *file = NULL;
  json_t *doc = NULL;
  int c, rc = 0;

  options_reset();
  while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1)
    {
      if (c == 'f')
        file = optarg;
      else if (c == 'h')
        {
          fputs(field_usage, stdout);
          return 0;
        }
      else
        return option_error(c, argv, "field", err);
    }
  if (optind >= argc)
    return ocitest_usage_error(err, "field: no PATH given");
  if (field_read(file, &doc, err) < 0)
    return -1;
  for (int i = optind; i < argc && rc == 0; i++)
    {
      json_t *v = NULL;

      if (field_lookup(doc, argv[i], &v, err) < 0)
        rc = -1;
      else if (v == NULL || json_is_null(v))
        rc = ocitest_make_error(err, 0, "field: `%s`: not in the document", argv[i]);
      else
        rc = field_print(v, err);
    }
  json_decref(doc);
  return rc;
}
