/* The report of `make demo`, from C: parses an access log (combined format; plain text or gzip)
 * into typed columns and prints requests, error lines, the status histogram, the top paths,
 * bytes served, response size percentiles and the parse speed. Python and Node print the same
 * text (all but the last line, the speed). Exits non-zero if the parse's counts do not add up.
 * usage: access_report ACCESS_LOG
 * Build: cc access_report.c $(pkg-config --cflags --libs ferrule) */
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

static int is_valid(const uint8_t *bits, size_t row) { return (bits[row / 8] >> (row % 8)) & 1; }

typedef struct {
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

static int ascending(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The index of the column called `name`; SIZE_MAX (and a message) when there is none. */
static size_t column(const ferrule_log_table *table, const char *name) {
    size_t index = SIZE_MAX;
    ferrule_status status = ferrule_log_table_column_index(table, (const uint8_t *)name, strlen(name), &index);
    if (status != FERRULE_STATUS_OK) fail(name, status);
    return index;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s ACCESS_LOG\n", argv[0]);
        return 2;
    }
    ferrule_log_format *format = NULL;
    ferrule_status status =
        ferrule_log_format_parse((const uint8_t *)"combined", 8, FERRULE_LOG_FORMAT_PRESET, &format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_format_parse", status);
    /* `path` dictionary-encoded (only `request` plain), so paths are counted by code. */
    ferrule_log_options options = {0};
    options.plain_columns = (const uint8_t *)"request";
    options.plain_columns_len = strlen("request");
    ferrule_log_table *table = NULL;
    status = ferrule_log_parse_file((const uint8_t *)argv[1], strlen(argv[1]), format, &options, &table);
    ferrule_log_format_free(format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_parse_file", status);

    ferrule_log_stats stats;
    size_t rows = 0, errors = 0;
    if ((status = ferrule_log_table_stats(table, &stats)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_num_rows(table, &rows)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_error_count(table, &errors)) != FERRULE_STATUS_OK) {
        return fail("reading the table", status);
    }
    printf("requests: %llu lines, %llu ok, %llu errors, %llu skipped\n", (unsigned long long)stats.lines,
           (unsigned long long)stats.ok, (unsigned long long)stats.errors, (unsigned long long)stats.skipped);

    printf("error lines:\n");
    for (size_t i = 0; i < errors; i++) {
        uint64_t line = 0, offset = 0;
        const uint8_t *code = NULL, *text = NULL;
        size_t code_len = 0, text_len = 0;
        status = ferrule_log_table_error(table, i, &line, &code, &code_len, &offset, &text, &text_len);
        if (status != FERRULE_STATUS_OK) return fail("ferrule_log_table_error", status);
        printf("  line %llu: %.*s at byte %llu\n", (unsigned long long)line, (int)code_len, (const char *)code,
               (unsigned long long)offset);
    }
    if (errors == 0) printf("  none\n");

    /* Status histogram: a counter per possible uint16 value, nulls apart. */
    size_t status_col = column(table, "status"), path_col = column(table, "path"), bytes_col = column(table, "bytes");
    if (status_col == SIZE_MAX || path_col == SIZE_MAX || bytes_col == SIZE_MAX) return 1;
    const uint16_t *statuses = NULL;
    const uint8_t *status_valid = NULL;
    size_t len = 0, status_nulls = 0;
    if ((status = ferrule_log_table_column_u16(table, status_col, &statuses, &len)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, status_col, &status_valid, &status_nulls)) != FERRULE_STATUS_OK) {
        return fail("reading status", status);
    }
    size_t *by_status = calloc(65536, sizeof *by_status);
    if (by_status == NULL) return 1;
    for (size_t row = 0; row < rows; row++) {
        if (is_valid(status_valid, row)) by_status[statuses[row]]++;
    }
    printf("status:\n");
    size_t histogram_total = status_nulls;
    for (size_t value = 0; value < 65536; value++) {
        if (by_status[value]) printf("  %zu %7zu\n", value, by_status[value]);
        histogram_total += by_status[value];
    }
    if (status_nulls) printf("  - %7zu\n", status_nulls);
    free(by_status);

    /* Top paths: count codes, then sort the distinct paths. */
    const uint32_t *codes = NULL, *offsets = NULL;
    const uint8_t *values = NULL, *path_valid = NULL;
    size_t distinct = 0, path_nulls = 0;
    if ((status = ferrule_log_table_column_codes(table, path_col, &codes, &len)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_dictionary(table, path_col, &offsets, &values, &distinct)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, path_col, &path_valid, &path_nulls)) != FERRULE_STATUS_OK) {
        return fail("reading path", status);
    }
    path_count *paths = calloc(distinct ? distinct : 1, sizeof *paths);
    if (paths == NULL) return 1;
    for (size_t code = 0; code < distinct; code++) {
        paths[code].bytes = values + offsets[code];
        paths[code].len = offsets[code + 1] - offsets[code];
    }
    for (size_t row = 0; row < rows; row++) {
        if (is_valid(path_valid, row)) paths[codes[row]].count++;
    }
    qsort(paths, distinct, sizeof *paths, by_count_then_bytes);
    printf("top paths:\n");
    for (size_t i = 0; i < distinct && i < 10 && paths[i].count > 0; i++) {
        printf("  %7zu %.*s\n", paths[i].count, (int)paths[i].len, (const char *)paths[i].bytes);
    }
    free(paths);

    /* Bytes served and nearest-rank percentiles of the response sizes present. */
    const uint64_t *sizes = NULL;
    const uint8_t *size_valid = NULL;
    size_t size_nulls = 0;
    if ((status = ferrule_log_table_column_u64(table, bytes_col, &sizes, &len)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, bytes_col, &size_valid, &size_nulls)) != FERRULE_STATUS_OK) {
        return fail("reading bytes", status);
    }
    uint64_t *present = malloc((rows ? rows : 1) * sizeof *present);
    if (present == NULL) return 1;
    size_t n = 0;
    uint64_t served = 0;
    for (size_t row = 0; row < rows; row++) {
        if (is_valid(size_valid, row)) {
            present[n++] = sizes[row];
            served += sizes[row];
        }
    }
    printf("bytes served: %llu\n", (unsigned long long)served);
    if (n == 0) {
        printf("response size p50: - p99: -\n");
    } else {
        qsort(present, n, sizeof *present, ascending);
        size_t p50 = (50 * n + 99) / 100, p99 = (99 * n + 99) / 100; /* ceil(p / 100 * n) */
        printf("response size p50: %llu p99: %llu\n", (unsigned long long)present[p50 - 1],
               (unsigned long long)present[p99 - 1]);
    }
    free(present);

    double mbps = stats.seconds > 0 ? (double)stats.bytes / 1e6 / stats.seconds : 0.0;
    printf("parse: %.1f MB/s (%.3f s)\n", mbps, stats.seconds);

    int ok = stats.lines == stats.ok + stats.errors + stats.skipped && rows == stats.ok + stats.errors &&
             histogram_total == rows && n + size_nulls == rows;
    if (!ok) fprintf(stderr, "the counts do not add up\n");
    ferrule_log_table_free(table);
    return ok ? 0 : 1;
}
