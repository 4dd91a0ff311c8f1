/* A report on system logs, from C: a BSD syslog auth log and a JSON-lines application log.
 * Python and Node print the same text, byte for byte (examples/{python,node}/syslog_report.*).
 *
 * auth.log is parsed with the `syslog_rfc3164` preset. Its lines have no year, so the reference
 * time 2025-01-01T12:00:00Z dates them: December lines fall in 2024, January ones in 2025. The
 * report: line counts and failed lines, the earliest and latest timestamp (UTC, to the second),
 * the 5 most frequent app_name values (ties by name), failed passwords per source address, top
 * 5 (the word after "from" in messages containing "Failed password"; ties by address), lines
 * per hostname. app.jsonl is parsed with the `jsonl` preset and flatten (so `user.id` and
 * `user.plan` are columns): its columns, rows, failed lines and the mean of `duration_ms`.
 * Names are ordered by their bytes. Exits non-zero if a call fails or the counts do not add up.
 *
 * usage: syslog_report [AUTH_LOG [APP_JSONL]]   (default: examples/data/auth.log and
 * examples/data/app.jsonl, from the repository root)
 * Build: cc syslog_report.c $(pkg-config --cflags --libs ferrule) */
#include <ferrule.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what, ferrule_status status) {
    char message[512];
    ferrule_last_error_message(message, sizeof message, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, ferrule_status_str(status), message);
    return 1;
}

static int is_valid(const uint8_t *bits, size_t row) { return (bits[row / 8] >> (row % 8)) & 1; }

/* A text and how often it occurs. */
typedef struct {
    const uint8_t *bytes;
    size_t len;
    size_t count;
} text_count;

static int compare_bytes(const text_count *x, const text_count *y) {
    size_t common = x->len < y->len ? x->len : y->len;
    int order = common ? memcmp(x->bytes, y->bytes, common) : 0;
    return order != 0 ? order : (x->len > y->len) - (x->len < y->len);
}

/* More first; equal counts by bytes, ascending. */
static int by_count_then_bytes(const void *a, const void *b) {
    const text_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return compare_bytes(x, y);
}

static int by_bytes(const void *a, const void *b) { return compare_bytes(a, b); }

/* The index of the column called `name`, or SIZE_MAX with a message. */
static size_t column(const ferrule_log_table *table, const char *name) {
    size_t index = SIZE_MAX;
    ferrule_status status = ferrule_log_table_column_index(table, (const uint8_t *)name, strlen(name), &index);
    if (status != FERRULE_STATUS_OK) fail(name, status);
    return index;
}

/* The count of every value of dictionary column `name` over its non-null rows, one entry per
 * dictionary value (zero counts included); NULL on failure. */
static text_count *count_codes(const ferrule_log_table *table, const char *name, size_t *out_distinct) {
    size_t index = column(table, name), rows = 0, nulls = 0, distinct = 0;
    const uint32_t *codes = NULL, *offsets = NULL;
    const uint8_t *values = NULL, *valid = NULL;
    ferrule_status status;
    if (index == SIZE_MAX) return NULL;
    if ((status = ferrule_log_table_column_codes(table, index, &codes, &rows)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_dictionary(table, index, &offsets, &values, &distinct)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, index, &valid, &nulls)) != FERRULE_STATUS_OK) {
        fail(name, status);
        return NULL;
    }
    text_count *counts = calloc(distinct ? distinct : 1, sizeof *counts);
    if (counts == NULL) return NULL;
    for (size_t code = 0; code < distinct; code++) {
        counts[code].bytes = values + offsets[code];
        counts[code].len = offsets[code + 1] - offsets[code];
    }
    for (size_t row = 0; row < rows; row++) {
        if (is_valid(valid, row)) counts[codes[row]].count++;
    }
    *out_distinct = distinct;
    return counts;
}

/* Prints "  line N: CODE" for each failed line, or "  none". */
static int print_failed_lines(const ferrule_log_table *table) {
    size_t errors = 0;
    ferrule_status status = ferrule_log_table_error_count(table, &errors);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_table_error_count", status);
    for (size_t i = 0; i < errors; i++) {
        uint64_t line = 0, offset = 0;
        const uint8_t *code = NULL, *text = NULL;
        size_t code_len = 0, text_len = 0;
        status = ferrule_log_table_error(table, i, &line, &code, &code_len, &offset, &text, &text_len);
        if (status != FERRULE_STATUS_OK) return fail("ferrule_log_table_error", status);
        printf("  line %llu: %.*s\n", (unsigned long long)line, (int)code_len, (const char *)code);
    }
    if (errors == 0) printf("  none\n");
    return 0;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Microseconds since the epoch as YYYY-MM-DDTHH:MM:SSZ, the fraction dropped. */
static void print_utc(const char *label, int64_t micros) {
    int64_t seconds = micros / 1000000 - (micros % 1000000 < 0); /* floor */
    time_t t = (time_t)seconds;
    struct tm *tm = gmtime(&t);
    if (tm == NULL) return;
    printf("%s: %04d-%02d-%02dT%02d:%02d:%02dZ\n", label, tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
           tm->tm_hour, tm->tm_min, tm->tm_sec);
}

/* Whether `needle` occurs in the `len` bytes at `hay`. */
static int contains(const uint8_t *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(hay + i, needle, n) == 0) return 1;
    }
    return 0;
}

/* The word after the first word "from" (words split at each single space), when "from" is not
 * the last word. */
static int word_after_from(const uint8_t *text, size_t len, const uint8_t **word, size_t *word_len) {
    size_t start = 0;
    int after_from = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != ' ') continue;
        if (after_from) {
            *word = text + start;
            *word_len = i - start;
            return 1;
        }
        if (i - start == 4 && memcmp(text + start, "from", 4) == 0) {
            if (i == len) return 0;
            after_from = 1;
        }
        start = i + 1;
    }
    return 0;
}

static int syslog_report(const char *path) {
    ferrule_log_format *format = NULL;
    const char *preset = "syslog_rfc3164";
    ferrule_status status =
        ferrule_log_format_parse((const uint8_t *)preset, strlen(preset), FERRULE_LOG_FORMAT_PRESET, &format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_format_parse", status);
    ferrule_log_options options = {0};
    options.has_reference_time = 1;
    options.reference_time_us = INT64_C(1735732800000000); /* 2025-01-01T12:00:00Z */
    ferrule_log_table *table = NULL;
    status = ferrule_log_parse_file((const uint8_t *)path, strlen(path), format, &options, &table);
    ferrule_log_format_free(format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_parse_file", status);

    ferrule_log_stats stats;
    size_t rows = 0;
    if ((status = ferrule_log_table_stats(table, &stats)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_num_rows(table, &rows)) != FERRULE_STATUS_OK) {
        return fail("reading the table", status);
    }
    if (stats.lines != stats.ok + stats.errors + stats.skipped || rows != stats.ok + stats.errors) {
        fprintf(stderr, "the counts do not add up\n");
        return 1;
    }
    printf("%s: %llu lines, %llu ok, %llu errors\n", base_name(path), (unsigned long long)stats.lines,
           (unsigned long long)stats.ok, (unsigned long long)stats.errors);
    if (print_failed_lines(table) != 0) return 1;

    size_t ts_col = column(table, "timestamp"), message_col = column(table, "message");
    if (ts_col == SIZE_MAX || message_col == SIZE_MAX) return 1;
    const int64_t *times = NULL;
    const uint8_t *ts_valid = NULL;
    size_t len = 0, nulls = 0;
    if ((status = ferrule_log_table_column_timestamp(table, ts_col, &times, &len)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, ts_col, &ts_valid, &nulls)) != FERRULE_STATUS_OK) {
        return fail("reading timestamp", status);
    }
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (size_t row = 0; row < len; row++) {
        if (!is_valid(ts_valid, row)) continue;
        if (times[row] < first) first = times[row];
        if (times[row] > last) last = times[row];
    }
    if (nulls < len) {
        print_utc("first", first);
        print_utc("last", last);
    }

    size_t distinct = 0;
    text_count *apps = count_codes(table, "app_name", &distinct);
    if (apps == NULL) return 1;
    qsort(apps, distinct, sizeof *apps, by_count_then_bytes);
    printf("top app_name:\n");
    for (size_t i = 0; i < distinct && i < 5 && apps[i].count > 0; i++) {
        printf("  %.*s: %zu\n", (int)apps[i].len, (const char *)apps[i].bytes, apps[i].count);
    }
    free(apps);

    /* `message` is a plain string column: offsets + bytes. */
    const int64_t *offsets = NULL;
    const uint8_t *text = NULL, *message_valid = NULL;
    if ((status = ferrule_log_table_column_strings(table, message_col, &offsets, &text, &len)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, message_col, &message_valid, &nulls)) != FERRULE_STATUS_OK) {
        return fail("reading message", status);
    }
    text_count *sources = calloc(rows ? rows : 1, sizeof *sources);
    if (sources == NULL) return 1;
    size_t n_sources = 0;
    for (size_t row = 0; row < len; row++) {
        const uint8_t *message = text + offsets[row], *word = NULL;
        size_t message_len = (size_t)(offsets[row + 1] - offsets[row]), word_len = 0;
        if (!is_valid(message_valid, row) || !contains(message, message_len, "Failed password") ||
            !word_after_from(message, message_len, &word, &word_len)) {
            continue;
        }
        text_count key = {word, word_len, 0};
        size_t i = 0;
        while (i < n_sources && compare_bytes(&sources[i], &key) != 0) i++;
        if (i == n_sources) sources[n_sources++] = key;
        sources[i].count++;
    }
    qsort(sources, n_sources, sizeof *sources, by_count_then_bytes);
    printf("failed passwords by source:\n");
    for (size_t i = 0; i < n_sources && i < 5; i++) {
        printf("  %.*s: %zu\n", (int)sources[i].len, (const char *)sources[i].bytes, sources[i].count);
    }
    free(sources);

    text_count *hosts = count_codes(table, "hostname", &distinct);
    if (hosts == NULL) return 1;
    qsort(hosts, distinct, sizeof *hosts, by_bytes);
    printf("lines per hostname:\n");
    for (size_t i = 0; i < distinct; i++) {
        if (hosts[i].count == 0) continue;
        printf("  %.*s: %zu\n", (int)hosts[i].len, (const char *)hosts[i].bytes, hosts[i].count);
    }
    free(hosts);
    ferrule_log_table_free(table);
    return 0;
}

static int jsonl_report(const char *path) {
    ferrule_log_format *format = NULL;
    ferrule_status status = ferrule_log_format_parse((const uint8_t *)"jsonl", 5, FERRULE_LOG_FORMAT_PRESET, &format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_format_parse", status);
    ferrule_log_options options = {0};
    options.flatten = 1;
    ferrule_log_table *table = NULL;
    status = ferrule_log_parse_file((const uint8_t *)path, strlen(path), format, &options, &table);
    ferrule_log_format_free(format);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_log_parse_file", status);

    size_t rows = 0, columns = 0;
    if ((status = ferrule_log_table_num_rows(table, &rows)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_num_columns(table, &columns)) != FERRULE_STATUS_OK) {
        return fail("reading the table", status);
    }
    printf("%s: %zu rows\ncolumns: ", base_name(path), rows);
    for (size_t i = 0; i < columns; i++) {
        const uint8_t *name = NULL;
        size_t name_len = 0;
        status = ferrule_log_table_column_name(table, i, &name, &name_len);
        if (status != FERRULE_STATUS_OK) return fail("ferrule_log_table_column_name", status);
        printf("%s%.*s", i ? "," : "", (int)name_len, (const char *)name);
    }
    printf("\n");
    if (print_failed_lines(table) != 0) return 1;

    /* JSON numbers mixing ints and floats make a float64 column; an all-int one is int64. */
    size_t index = column(table, "duration_ms"), len = 0, nulls = 0;
    if (index == SIZE_MAX) return 1;
    ferrule_log_column_type type;
    const uint8_t *valid = NULL;
    if ((status = ferrule_log_table_column_type(table, index, &type)) != FERRULE_STATUS_OK ||
        (status = ferrule_log_table_validity(table, index, &valid, &nulls)) != FERRULE_STATUS_OK) {
        return fail("reading duration_ms", status);
    }
    const double *f64 = NULL;
    const int64_t *i64 = NULL;
    if (type == FERRULE_LOG_COLUMN_FLOAT64) {
        status = ferrule_log_table_column_f64(table, index, &f64, &len);
    } else {
        status = ferrule_log_table_column_i64(table, index, &i64, &len);
    }
    if (status != FERRULE_STATUS_OK) return fail("reading duration_ms", status);
    double total = 0.0; /* summed in row order, as the other runtimes do */
    size_t n = 0;
    for (size_t row = 0; row < len; row++) {
        if (!is_valid(valid, row)) continue;
        total += f64 ? f64[row] : (double)i64[row];
        n++;
    }
    if (n > 0) {
        printf("mean duration_ms: %.3f (%zu values)\n", total / (double)n, n);
    } else {
        printf("mean duration_ms: - (0 values)\n");
    }
    ferrule_log_table_free(table);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 3) {
        fprintf(stderr, "usage: %s [AUTH_LOG [APP_JSONL]]\n", argv[0]);
        return 2;
    }
    const char *auth = argc > 1 ? argv[1] : "examples/data/auth.log";
    const char *app = argc > 2 ? argv[2] : "examples/data/app.jsonl";
    if (syslog_report(auth) != 0 || jsonl_report(app) != 0) return 1;
    return 0;
}
