/* Prints the 10 most requested paths of an access log (combined format; plain text or gzip).
 * The path column is asked for dictionary-encoded (plain_columns lists only `request`), so
 * counting paths is counting small integer codes: no hashing in C. Checks that the counts add
 * up to the rows with a path and exits non-zero otherwise.
 * usage: top_paths ACCESS_LOG
 * Build: cc top_paths.c $(pkg-config --cflags --libs ferrule) */
#include <ferrule.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, ferrule_status status) {
    char message[512];
    ferrule_last_error_message(message, sizeof message, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, ferrule_status_str(status), message);
    return 1;
}

typedef struct {
    uint32_t code;
    size_t count;
    const uint8_t *bytes;
    size_t len;
} path_count;

/* More requests first; equal counts by path bytes, ascending. */
static int by_count_then_bytes(const void *a, const void *b) {
    const path_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    size_t common = x->len < y->len ? x->len : y->len;
    int order = common ? memcmp(x->bytes, y->bytes, common) : 0;
    if (order != 0) return order;
    return (x->len > y->len) - (x->len < y->len);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s ACCESS_LOG\n", argv[0]);
        return 2;
    }
    ferrule_log_format *format = NULL;
    ferrule_status status = ferrule_log_format_parse((const uint8_t *)"combined", 8, FERRULE_LOG_FORMAT_PRESET, &format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_format_parse", status);

    ferrule_log_options options = {0}; /* zero: the defaults */
    options.plain_columns = (const uint8_t *)"request";
    options.plain_columns_len = strlen("request");
    ferrule_log_table *table = NULL;
    status = ferrule_log_parse_file((const uint8_t *)argv[1], strlen(argv[1]), format, &options, &table);
    ferrule_log_format_free(format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_parse_file", status);

    size_t path = 0, rows = 0, count = 0, nulls = 0;
    const uint32_t *codes = NULL, *offsets = NULL;
    const uint8_t *values = NULL, *valid = NULL;
    if ((status = ferrule_log_table_column_index(table, (const uint8_t *)"path", 4, &path)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_column_codes(table, path, &codes, &rows)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_dictionary(table, path, &offsets, &values, &count)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, path, &valid, &nulls)) != FERRULE_STATUS_OK) {
        return fail("reading the path column", status);
    }

    path_count *counts = calloc(count ? count : 1, sizeof *counts);
    if (counts == NULL) return 1;
    for (uint32_t code = 0; code < count; code++) {
        counts[code].code = code;
        counts[code].bytes = values + offsets[code];
        counts[code].len = offsets[code + 1] - offsets[code];
    }
    size_t counted = 0;
    for (size_t row = 0; row < rows; row++) {
        if ((valid[row / 8] >> (row % 8)) & 1) { /* rows without a path (`-`, bad requests) skipped */
            counts[codes[row]].count++;
            counted++;
        }
    }
    qsort(counts, count, sizeof *counts, by_count_then_bytes);
    for (size_t i = 0; i < count && i < 10; i++) {
        printf("  %7zu %.*s\n", counts[i].count, (int)counts[i].len, (const char *)counts[i].bytes);
    }
    int ok = counted + nulls == rows;
    if (!ok) fprintf(stderr, "counts: %zu paths + %zu nulls != %zu rows\n", counted, nulls, rows);
    free(counts);
    ferrule_log_table_free(table);
    return ok ? 0 : 1;
}
