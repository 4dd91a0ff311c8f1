/* C tests of the access-log parser (ferrule_log_*), linked once against libferrule.a and once
 * against libferrule.so, and run under valgrind by `make test-c`. Prints one line per failed
 * check and ends with "N passed, N failed"; exits non-zero when a check failed.
 *
 * usage: test_logs [SAMPLE_LOG]   (default: examples/data/apache_combined.log, the bundled real
 * sample: 10,000 lines, 9,999 ok, line 8899 UNTERMINATED_QUOTE; run from the repository root).
 * The gzip tests need the `gzip` program and are skipped, with a note, without it. */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* Checks that run many times (every row, every split) count once, so that the totals stay
 * readable; the first failure is reported with its detail. Each use needs `int all_ok = 1;`
 * before and `CHECK(all_ok);` after. */
#define CHECK_ALL(cond, fmt, ...)                                                    \
    do {                                                                             \
        if (!(cond) && all_ok) {                                                     \
            fprintf(stderr, "FAIL %s:%d: %s (" fmt ")\n", __FILE__, __LINE__, #cond, \
                    __VA_ARGS__);                                                    \
            all_ok = 0;                                                              \
        }                                                                            \
    } while (0)

#define SAMPLE_LINES 10000
#define SAMPLE_BAD_LINE 8899

static const char *sample_path = "examples/data/apache_combined.log";
static uint8_t *sample;
static size_t sample_len;

static const char *last_error(void) {
    static char buf[1024];
    if (ferrule_last_error_message(buf, sizeof buf, NULL) != FERRULE_STATUS_OK) return "<no message>";
    return buf;
}

static const uint8_t *bytes(const char *s) { return (const uint8_t *)s; }

static int same_bytes(const void *a, size_t a_len, const void *b, size_t b_len) {
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

static int same_str(const void *a, size_t a_len, const char *s) { return same_bytes(a, a_len, s, strlen(s)); }

/* The whole file at `path`, malloc'd; NULL on failure. */
static uint8_t *read_file(const char *path, size_t *out_len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *grown = realloc(data, cap);
            if (grown == NULL) break;
            data = grown;
        }
        size_t got = fread(data + len, 1, cap - len, file);
        len += got;
        if (got == 0) break;
    }
    fclose(file);
    *out_len = len;
    return data;
}

static int write_file(const char *path, const void *data, size_t len) {
    FILE *file = fopen(path, "wb");
    if (file == NULL) return 0;
    int ok = fwrite(data, 1, len, file) == len;
    return fclose(file) == 0 && ok;
}

static ferrule_log_format *format_of(const char *spec, uint32_t kind) {
    ferrule_log_format *format = NULL;
    if (ferrule_log_format_parse(bytes(spec), strlen(spec), kind, &format) != FERRULE_STATUS_OK) {
        fprintf(stderr, "ferrule_log_format_parse(%s) failed: %s\n", spec, last_error());
        exit(2);
    }
    return format;
}

static ferrule_log_table *parse_text(const ferrule_log_format *format, const char *text,
                                     const ferrule_log_options *options) {
    ferrule_log_table *table = NULL;
    if (ferrule_log_parse_bytes(bytes(text), strlen(text), format, options, &table) != FERRULE_STATUS_OK) {
        fprintf(stderr, "ferrule_log_parse_bytes failed: %s\n", last_error());
        return NULL;
    }
    return table;
}

static size_t num_rows(const ferrule_log_table *table) {
    size_t rows = SIZE_MAX;
    if (ferrule_log_table_num_rows(table, &rows) != FERRULE_STATUS_OK) return SIZE_MAX;
    return rows;
}

static size_t column(const ferrule_log_table *table, const char *name) {
    size_t index = SIZE_MAX;
    if (ferrule_log_table_column_index(table, bytes(name), strlen(name), &index) != FERRULE_STATUS_OK) {
        return SIZE_MAX;
    }
    return index;
}

static ferrule_log_stats stats_of(const ferrule_log_table *table) {
    ferrule_log_stats stats;
    memset(&stats, 0xff, sizeof stats);
    if (ferrule_log_table_stats(table, &stats) != FERRULE_STATUS_OK) memset(&stats, 0xff, sizeof stats);
    return stats;
}

/* lines == ok + errors + skipped, rows == ok + errors: true of every table. */
static int stats_hold(const ferrule_log_table *table) {
    ferrule_log_stats s = stats_of(table);
    return s.lines == s.ok + s.errors + s.skipped && num_rows(table) == s.ok + s.errors && s.empty <= s.skipped;
}

/* ------------------------------------------------------------------------- table views */

/* Every pointer of one column, fetched once. */
typedef struct {
    ferrule_log_column_type type;
    const uint8_t *name;
    size_t name_len;
    const uint8_t *bits;
    size_t nulls;
    size_t rows;
    const void *values;            /* numeric and timestamp columns */
    const int64_t *offsets;        /* string columns */
    const uint8_t *string_bytes;
    const uint32_t *codes;         /* dictionary columns */
    const uint32_t *dict_offsets;
    const uint8_t *dict_bytes;
    size_t dict_count;
} column_view;

typedef struct {
    size_t rows, columns;
    column_view *cols;
} table_view;

static size_t element_size(ferrule_log_column_type type) {
    switch (type) {
        case FERRULE_LOG_COLUMN_UINT16:
        case FERRULE_LOG_COLUMN_INT16: return 2;
        case FERRULE_LOG_COLUMN_UINT64:
        case FERRULE_LOG_COLUMN_INT64:
        case FERRULE_LOG_COLUMN_FLOAT64:
        case FERRULE_LOG_COLUMN_TIMESTAMP: return 8;
        default: return 0;
    }
}

/* Fills `view` from `table` through the accessors; 0 when a call fails or a length disagrees. */
static int view_of(const ferrule_log_table *table, table_view *view) {
    memset(view, 0, sizeof *view);
    if (ferrule_log_table_num_rows(table, &view->rows) != FERRULE_STATUS_OK) return 0;
    if (ferrule_log_table_num_columns(table, &view->columns) != FERRULE_STATUS_OK) return 0;
    view->cols = calloc(view->columns ? view->columns : 1, sizeof *view->cols);
    if (view->cols == NULL) return 0;
    for (size_t i = 0; i < view->columns; i++) {
        column_view *c = &view->cols[i];
        size_t len = SIZE_MAX;
        if (ferrule_log_table_column_name(table, i, &c->name, &c->name_len) != FERRULE_STATUS_OK) return 0;
        if (ferrule_log_table_column_type(table, i, &c->type) != FERRULE_STATUS_OK) return 0;
        if (ferrule_log_table_validity(table, i, &c->bits, &c->nulls) != FERRULE_STATUS_OK) return 0;
        ferrule_status status = FERRULE_STATUS_INTERNAL;
        /* Typed locals, then stored as `const void *` (no aliasing casts of pointer slots). */
        const uint64_t *u64 = NULL;
        const uint16_t *u16 = NULL;
        const int16_t *i16 = NULL;
        const int64_t *i64 = NULL;
        const double *f64 = NULL;
        switch (c->type) {
            case FERRULE_LOG_COLUMN_UINT64:
                status = ferrule_log_table_column_u64(table, i, &u64, &len);
                c->values = u64;
                break;
            case FERRULE_LOG_COLUMN_UINT16:
                status = ferrule_log_table_column_u16(table, i, &u16, &len);
                c->values = u16;
                break;
            case FERRULE_LOG_COLUMN_INT16:
                status = ferrule_log_table_column_i16(table, i, &i16, &len);
                c->values = i16;
                break;
            case FERRULE_LOG_COLUMN_INT64:
                status = ferrule_log_table_column_i64(table, i, &i64, &len);
                c->values = i64;
                break;
            case FERRULE_LOG_COLUMN_FLOAT64:
                status = ferrule_log_table_column_f64(table, i, &f64, &len);
                c->values = f64;
                break;
            case FERRULE_LOG_COLUMN_TIMESTAMP:
                status = ferrule_log_table_column_timestamp(table, i, &i64, &len);
                c->values = i64;
                break;
            case FERRULE_LOG_COLUMN_STRING:
                status = ferrule_log_table_column_strings(table, i, &c->offsets, &c->string_bytes, &len);
                break;
            case FERRULE_LOG_COLUMN_DICTIONARY:
                status = ferrule_log_table_column_codes(table, i, &c->codes, &len);
                if (status == FERRULE_STATUS_OK) {
                    status = ferrule_log_table_dictionary(table, i, &c->dict_offsets, &c->dict_bytes,
                                                          &c->dict_count);
                }
                break;
        }
        if (status != FERRULE_STATUS_OK || len != view->rows) return 0;
        c->rows = len;
    }
    return 1;
}

static void view_free(table_view *view) {
    free(view->cols);
    view->cols = NULL;
}

static int is_valid(const column_view *c, size_t row) { return (c->bits[row / 8] >> (row % 8)) & 1; }

/* The bytes of a string or dictionary cell; 0 for other types or a bad code. */
static int cell_bytes(const column_view *c, size_t row, const uint8_t **ptr, size_t *len) {
    if (c->type == FERRULE_LOG_COLUMN_STRING) {
        *ptr = c->string_bytes + c->offsets[row];
        *len = (size_t)(c->offsets[row + 1] - c->offsets[row]);
        return c->offsets[row] <= c->offsets[row + 1];
    }
    if (c->type == FERRULE_LOG_COLUMN_DICTIONARY) {
        uint32_t code = c->codes[row];
        if (code >= c->dict_count) return 0;
        *ptr = c->dict_bytes + c->dict_offsets[code];
        *len = c->dict_offsets[code + 1] - c->dict_offsets[code];
        return 1;
    }
    return 0;
}

static int is_text(ferrule_log_column_type type) {
    return type == FERRULE_LOG_COLUMN_STRING || type == FERRULE_LOG_COLUMN_DICTIONARY;
}

/* Whether two cells hold the same decoded value (a string cell equals a dictionary cell of the
 * same bytes: the plain_columns option changes the layout, not the values). */
static int cells_equal(const column_view *a, size_t ra, const column_view *b, size_t rb) {
    if (is_valid(a, ra) != is_valid(b, rb)) return 0;
    if (!is_valid(a, ra)) return 1;
    if (is_text(a->type) && is_text(b->type)) {
        const uint8_t *pa = NULL, *pb = NULL;
        size_t la = 0, lb = 0;
        return cell_bytes(a, ra, &pa, &la) && cell_bytes(b, rb, &pb, &lb) && same_bytes(pa, la, pb, lb);
    }
    size_t size = element_size(a->type);
    return a->type == b->type && size > 0 &&
           memcmp((const uint8_t *)a->values + ra * size, (const uint8_t *)b->values + rb * size, size) == 0;
}

/* Whether `part` is rows start .. start + part.rows of `full`, value by value, with the same
 * column names; with `same_codes`, dictionary codes must be equal too (stable codes). Reports
 * the first difference. */
static int rows_match(const table_view *full, size_t start, const table_view *part, int same_codes) {
    if (full->columns != part->columns || start + part->rows > full->rows) {
        fprintf(stderr, "  shape: %zu/%zu columns, rows %zu + %zu of %zu\n", full->columns, part->columns,
                start, part->rows, full->rows);
        return 0;
    }
    for (size_t i = 0; i < full->columns; i++) {
        const column_view *a = &full->cols[i], *b = &part->cols[i];
        if (!same_bytes(a->name, a->name_len, b->name, b->name_len)) {
            fprintf(stderr, "  column %zu: names differ\n", i);
            return 0;
        }
        for (size_t row = 0; row < part->rows; row++) {
            int equal = cells_equal(a, start + row, b, row);
            if (equal && same_codes && a->type == FERRULE_LOG_COLUMN_DICTIONARY && is_valid(a, start + row)) {
                equal = b->type == a->type && a->codes[start + row] == b->codes[row];
            }
            if (!equal) {
                fprintf(stderr, "  column %.*s differs at row %zu\n", (int)a->name_len, (const char *)a->name,
                        start + row);
                return 0;
            }
        }
    }
    return 1;
}

static int tables_equal(const ferrule_log_table *a, const ferrule_log_table *b, int same_codes) {
    table_view va, vb;
    int ok = view_of(a, &va) && view_of(b, &vb) && va.rows == vb.rows && rows_match(&va, 0, &vb, same_codes);
    view_free(&va);
    view_free(&vb);
    return ok;
}

/* A list of batch tables (streaming, reader) checked against one whole-input table. */
typedef struct {
    ferrule_log_table **items;
    size_t len, cap;
} batches;

static void batches_push(batches *list, ferrule_log_table *table) {
    if (list->len == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        ferrule_log_table **grown = realloc(list->items, list->cap * sizeof *grown);
        if (grown == NULL) exit(2);
        list->items = grown;
    }
    list->items[list->len++] = table;
}

static void batches_free(batches *list) {
    for (size_t i = 0; i < list->len; i++) ferrule_log_table_free(list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* Whether the batches, in order, are `full` row for row (same codes), and their stats add up to
 * its stats (all but the time). */
static int batches_match(const ferrule_log_table *full, const batches *list, size_t max_rows) {
    table_view vf;
    if (!view_of(full, &vf)) return 0;
    ferrule_log_stats want = stats_of(full), sum;
    memset(&sum, 0, sizeof sum);
    size_t start = 0;
    int ok = 1;
    for (size_t i = 0; ok && i < list->len; i++) {
        table_view vb;
        ok = view_of(list->items[i], &vb) && vb.rows <= max_rows && rows_match(&vf, start, &vb, 1) &&
             stats_hold(list->items[i]);
        if (!ok) fprintf(stderr, "  batch %zu of %zu (from row %zu) differs\n", i, list->len, start);
        start += vb.rows;
        view_free(&vb);
        ferrule_log_stats s = stats_of(list->items[i]);
        sum.lines += s.lines, sum.ok += s.ok, sum.errors += s.errors, sum.skipped += s.skipped;
        sum.empty += s.empty, sum.bytes += s.bytes;
    }
    view_free(&vf);
    if (ok && start != vf.rows) fprintf(stderr, "  batches hold %zu rows of %zu\n", start, vf.rows);
    return ok && start == vf.rows && sum.lines == want.lines && sum.ok == want.ok && sum.errors == want.errors &&
           sum.skipped == want.skipped && sum.empty == want.empty && sum.bytes == want.bytes;
}

/* Streams `data` through a parser in `chunk`-byte pushes, taking a batch every `take_every`
 * pushes (0: never) and at the end; the tables in `out`. 0 on a failed call. */
static int stream(const ferrule_log_format *format, const ferrule_log_options *options, const uint8_t *data,
                  size_t len, size_t chunk, size_t take_every, batches *out) {
    ferrule_log_parser *parser = NULL;
    if (ferrule_log_parser_new(format, options, &parser) != FERRULE_STATUS_OK) return 0;
    int ok = 1;
    size_t pushes = 0;
    for (size_t at = 0; ok && at < len; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        ok = ferrule_log_parser_push(parser, data + at, n) == FERRULE_STATUS_OK;
        if (ok && take_every && ++pushes % take_every == 0) {
            ferrule_log_table *batch = NULL;
            ok = ferrule_log_parser_take_batch(parser, &batch) == FERRULE_STATUS_OK;
            if (ok) batches_push(out, batch);
        }
    }
    ferrule_log_table *last = NULL;
    if (ok) ok = ferrule_log_parser_finish(parser, &last) == FERRULE_STATUS_OK;
    if (ok) batches_push(out, last);
    ferrule_log_parser_free(parser);
    return ok;
}

/* Reads `path` in batches of `batch_rows` into `out`. 0 on a failed call. */
static int read_batches(const char *path, const ferrule_log_format *format, const ferrule_log_options *options,
                        size_t batch_rows, batches *out) {
    ferrule_log_reader *reader = NULL;
    if (ferrule_log_reader_open(bytes(path), strlen(path), format, options, batch_rows, &reader) !=
        FERRULE_STATUS_OK) {
        return 0;
    }
    int ok = 1;
    for (;;) {
        ferrule_log_table *batch = (ferrule_log_table *)&ok; /* a sentinel that must be replaced */
        ok = ferrule_log_reader_next(reader, &batch) == FERRULE_STATUS_OK;
        if (!ok || batch == NULL) break;
        batches_push(out, batch);
    }
    if (ok) {
        /* The end is sticky. */
        ferrule_log_table *again = (ferrule_log_table *)&ok;
        ok = ferrule_log_reader_next(reader, &again) == FERRULE_STATUS_OK && again == NULL;
    }
    ferrule_log_reader_free(reader);
    return ok;
}

static ferrule_log_table *parse_sample(const ferrule_log_format *format, const ferrule_log_options *options) {
    ferrule_log_table *table = NULL;
    ferrule_status status = ferrule_log_parse_file(bytes(sample_path), strlen(sample_path), format, options, &table);
    if (status != FERRULE_STATUS_OK) {
        fprintf(stderr, "parse of %s failed: %s\n", sample_path, last_error());
        return NULL;
    }
    return table;
}

/* Line `n` (1-based) of `data`, without its end. */
static const uint8_t *line_of(const uint8_t *data, size_t len, size_t n, size_t *out_len) {
    size_t start = 0;
    for (size_t line = 1; line < n && start < len; line++) {
        const uint8_t *nl = memchr(data + start, '\n', len - start);
        if (nl == NULL) return NULL;
        start = (size_t)(nl - data) + 1;
    }
    const uint8_t *nl = memchr(data + start, '\n', len - start);
    size_t end = nl ? (size_t)(nl - data) : len;
    if (end > start && data[end - 1] == '\r') end--;
    *out_len = end - start;
    return data + start;
}

/* -------------------------------------------------------------------------------- tests */

static void test_formats(void) {
    ferrule_log_format *format = NULL;
    CHECK(ferrule_log_format_parse(bytes("combined"), 8, FERRULE_LOG_FORMAT_PRESET, &format) == FERRULE_STATUS_OK);
    ferrule_log_format_kind kind = FERRULE_LOG_FORMAT_APACHE;
    CHECK(ferrule_log_format_get_kind(format, &kind) == FERRULE_STATUS_OK && kind == FERRULE_LOG_FORMAT_PRESET);
    ferrule_log_format_free(format);
    format = format_of("$remote_addr $status", FERRULE_LOG_FORMAT_NGINX);
    CHECK(ferrule_log_format_get_kind(format, &kind) == FERRULE_STATUS_OK && kind == FERRULE_LOG_FORMAT_NGINX);
    ferrule_log_format_free(format);
    format = format_of("%h %>s", FERRULE_LOG_FORMAT_APACHE);
    CHECK(ferrule_log_format_get_kind(format, &kind) == FERRULE_STATUS_OK && kind == FERRULE_LOG_FORMAT_APACHE);
    ferrule_log_format_free(format);
    format = format_of("clf", FERRULE_LOG_FORMAT_PRESET);
    ferrule_log_format_free(format);
    ferrule_log_format_free(NULL);

    /* Bad format strings are parse errors; unknown presets and kinds invalid arguments; and the
     * output stays untouched. */
    struct {
        const char *spec;
        uint32_t kind;
        ferrule_status want;
        const char *message;
    } bad[] = {
        {"%h%l", FERRULE_LOG_FORMAT_APACHE, FERRULE_STATUS_PARSE, "ambiguous"},
        {"%{Referer i", FERRULE_LOG_FORMAT_APACHE, FERRULE_STATUS_PARSE, "{"},
        {"%h %", FERRULE_LOG_FORMAT_APACHE, FERRULE_STATUS_PARSE, "%"},
        {"%h %~", FERRULE_LOG_FORMAT_APACHE, FERRULE_STATUS_PARSE, "unknown directive"},
        {"no fields here", FERRULE_LOG_FORMAT_NGINX, FERRULE_STATUS_PARSE, "no fields"},
        {"", FERRULE_LOG_FORMAT_NGINX, FERRULE_STATUS_PARSE, ""},
        {"${msec", FERRULE_LOG_FORMAT_NGINX, FERRULE_STATUS_PARSE, ""},
        {"'$remote_addr", FERRULE_LOG_FORMAT_NGINX, FERRULE_STATUS_PARSE, ""},
        {"json", FERRULE_LOG_FORMAT_PRESET, FERRULE_STATUS_INVALID_ARGUMENT, "combined"},
        {"combined", 4, FERRULE_STATUS_INVALID_ARGUMENT, "FERRULE_LOG_FORMAT_PRESET"},
        {"combined", UINT32_MAX, FERRULE_STATUS_INVALID_ARGUMENT, "unknown format kind"},
        {"\xff\xfe", FERRULE_LOG_FORMAT_NGINX, FERRULE_STATUS_INVALID_UTF8, "spec"},
    };
    int all_ok = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ferrule_log_format *out = (ferrule_log_format *)&all_ok;
        ferrule_status status = ferrule_log_format_parse(bytes(bad[i].spec), strlen(bad[i].spec), bad[i].kind, &out);
        CHECK_ALL(status == bad[i].want && out == (ferrule_log_format *)&all_ok, "%s: %s", bad[i].spec,
                  ferrule_status_str(status));
        CHECK_ALL(strstr(last_error(), bad[i].message) != NULL, "%s: %s", bad[i].spec, last_error());
    }
    CHECK(all_ok);
    /* The spec may be NULL only when empty (an empty spec is itself a parse error). */
    CHECK(ferrule_log_format_parse(NULL, 0, FERRULE_LOG_FORMAT_NGINX, &format) == FERRULE_STATUS_PARSE);
}

static void test_names(void) {
    CHECK(strcmp(ferrule_log_column_type_name(FERRULE_LOG_COLUMN_UINT16), "uint16") == 0);
    CHECK(strcmp(ferrule_log_column_type_name(FERRULE_LOG_COLUMN_TIMESTAMP), "timestamp[us, UTC]") == 0);
    CHECK(strcmp(ferrule_log_column_type_name(FERRULE_LOG_COLUMN_DICTIONARY), "dictionary") == 0);
    CHECK(ferrule_log_column_type_name(9) == NULL);
    ferrule_on_error mode = FERRULE_ON_ERROR_ROW;
    CHECK(ferrule_log_on_error_parse(bytes("raise"), 5, &mode) == FERRULE_STATUS_OK && mode == FERRULE_ON_ERROR_RAISE);
    CHECK(ferrule_log_on_error_parse(bytes("skip"), 4, &mode) == FERRULE_STATUS_OK && mode == FERRULE_ON_ERROR_SKIP);
    CHECK(ferrule_log_on_error_parse(bytes("row"), 3, &mode) == FERRULE_STATUS_OK && mode == FERRULE_ON_ERROR_ROW);
    CHECK(ferrule_log_on_error_parse(bytes("RAISE"), 5, &mode) == FERRULE_STATUS_INVALID_ARGUMENT &&
          mode == FERRULE_ON_ERROR_ROW);
}

static const char *const COMBINED_COLUMNS[] = {
    "line",     "vhost",   "client", "ident",    "user",   "timestamp", "tz_offset", "request", "method",
    "path",     "protocol", "status", "bytes",   "referer", "user_agent", "error",    "error_offset",
};

static const ferrule_log_column_type COMBINED_TYPES[] = {
    FERRULE_LOG_COLUMN_UINT64,     FERRULE_LOG_COLUMN_DICTIONARY, FERRULE_LOG_COLUMN_DICTIONARY,
    FERRULE_LOG_COLUMN_DICTIONARY, FERRULE_LOG_COLUMN_DICTIONARY, FERRULE_LOG_COLUMN_TIMESTAMP,
    FERRULE_LOG_COLUMN_INT16,      FERRULE_LOG_COLUMN_STRING,     FERRULE_LOG_COLUMN_DICTIONARY,
    FERRULE_LOG_COLUMN_STRING,     FERRULE_LOG_COLUMN_DICTIONARY, FERRULE_LOG_COLUMN_UINT16,
    FERRULE_LOG_COLUMN_UINT64,     FERRULE_LOG_COLUMN_DICTIONARY, FERRULE_LOG_COLUMN_DICTIONARY,
    FERRULE_LOG_COLUMN_DICTIONARY, FERRULE_LOG_COLUMN_UINT64,
};

/* The bundled sample: the documented counts, the bad line, and a few known values. */
static void test_sample_file(const ferrule_log_format *combined) {
    ferrule_log_table *table = parse_sample(combined, NULL);
    CHECK(table != NULL);
    if (table == NULL) return;
    CHECK(num_rows(table) == SAMPLE_LINES);
    ferrule_log_stats s = stats_of(table);
    CHECK(s.lines == SAMPLE_LINES && s.ok == SAMPLE_LINES - 1 && s.errors == 1 && s.skipped == 0 && s.empty == 0);
    CHECK(s.bytes == sample_len);
    CHECK(s.seconds >= 0.0);
    CHECK(stats_hold(table));

    table_view v;
    CHECK(view_of(table, &v));
    CHECK(v.columns == sizeof COMBINED_COLUMNS / sizeof COMBINED_COLUMNS[0]);
    for (size_t i = 0; i < v.columns && i < sizeof COMBINED_COLUMNS / sizeof COMBINED_COLUMNS[0]; i++) {
        CHECK(same_str(v.cols[i].name, v.cols[i].name_len, COMBINED_COLUMNS[i]));
        CHECK(v.cols[i].type == COMBINED_TYPES[i]);
        CHECK(column(table, COMBINED_COLUMNS[i]) == i);
    }

    /* Line 1: 83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/...png HTTP/1.1"
     * 200 203023 "http://semicomplete.com/..." "Mozilla/5.0 (Macintosh; ...". */
    const uint8_t *p = NULL;
    size_t n = 0;
    const column_view *c = v.cols;
    CHECK(((const uint64_t *)c[0].values)[0] == 1 && ((const uint64_t *)c[0].values)[9999] == 10000);
    CHECK(!is_valid(&c[1], 0) && c[1].nulls == SAMPLE_LINES); /* vhost: none in this log */
    CHECK(cell_bytes(&c[2], 0, &p, &n) && same_str(p, n, "83.149.9.216"));
    CHECK(!is_valid(&c[3], 0) && !is_valid(&c[4], 0));
    CHECK(((const int64_t *)c[5].values)[0] == INT64_C(1431857103000000));
    CHECK(((const int16_t *)c[6].values)[0] == 0 && is_valid(&c[6], 0));
    CHECK(cell_bytes(&c[8], 0, &p, &n) && same_str(p, n, "GET"));
    CHECK(cell_bytes(&c[9], 0, &p, &n) &&
          same_str(p, n, "/presentations/logstash-monitorama-2013/images/kibana-search.png"));
    CHECK(cell_bytes(&c[10], 0, &p, &n) && same_str(p, n, "HTTP/1.1"));
    CHECK(((const uint16_t *)c[11].values)[0] == 200);
    CHECK(((const uint64_t *)c[12].values)[0] == 203023);
    CHECK(cell_bytes(&c[13], 0, &p, &n) && same_str(p, n, "http://semicomplete.com/presentations/logstash-monitorama-2013/"));
    CHECK(cell_bytes(&c[7], 0, &p, &n) &&
          same_str(p, n, "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1"));
    /* Line 8890: `200 -`: a null size, status kept. */
    CHECK(!is_valid(&c[12], 8889) && ((const uint64_t *)c[12].values)[8889] == 0);
    CHECK(((const uint16_t *)c[11].values)[8889] == 200 && is_valid(&c[11], 8889));
    CHECK(c[12].nulls > 0 && c[12].nulls < SAMPLE_LINES);

    /* The bad line: a row with its error set and the fields before the failure kept. */
    size_t bad = SAMPLE_BAD_LINE - 1;
    CHECK(is_valid(&c[15], bad) && cell_bytes(&c[15], bad, &p, &n) && same_str(p, n, "UNTERMINATED_QUOTE"));
    CHECK(c[15].nulls == SAMPLE_LINES - 1 && c[16].nulls == SAMPLE_LINES - 1);
    CHECK(!is_valid(&c[15], 0) && !is_valid(&c[16], 0));
    CHECK(cell_bytes(&c[2], bad, &p, &n) && same_str(p, n, "46.118.127.106"));
    CHECK(((const uint16_t *)c[11].values)[bad] == 200 && ((const uint64_t *)c[12].values)[bad] == 235);
    uint64_t row_offset = ((const uint64_t *)c[16].values)[bad];

    size_t errors = 0;
    CHECK(ferrule_log_table_error_count(table, &errors) == FERRULE_STATUS_OK && errors == 1);
    uint64_t line = 0, offset = 0;
    const uint8_t *code = NULL, *text = NULL;
    size_t code_len = 0, text_len = 0;
    CHECK(ferrule_log_table_error(table, 0, &line, &code, &code_len, &offset, &text, &text_len) == FERRULE_STATUS_OK);
    CHECK(line == SAMPLE_BAD_LINE && same_str(code, code_len, "UNTERMINATED_QUOTE"));
    CHECK(offset == row_offset && offset > 100 && offset < text_len);
    size_t raw_len = 0;
    const uint8_t *raw = line_of(sample, sample_len, SAMPLE_BAD_LINE, &raw_len);
    CHECK(raw != NULL && same_bytes(text, text_len, raw, raw_len));
    CHECK(ferrule_log_table_error(table, 1, &line, &code, &code_len, &offset, &text, &text_len) ==
          FERRULE_STATUS_OUT_OF_RANGE);
    CHECK(line == SAMPLE_BAD_LINE); /* untouched */

    /* Every valid dictionary code names a value; every string offset run is in bounds. */
    int all_ok = 1;
    for (size_t i = 0; i < v.columns; i++) {
        const column_view *col = &v.cols[i];
        size_t nulls = 0;
        for (size_t row = 0; row < v.rows; row++) {
            nulls += !is_valid(col, row);
            if (col->type == FERRULE_LOG_COLUMN_DICTIONARY) {
                CHECK_ALL(!is_valid(col, row) || col->codes[row] < col->dict_count, "column %zu row %zu", i, row);
            }
            if (col->type == FERRULE_LOG_COLUMN_STRING) {
                CHECK_ALL(col->offsets[row] <= col->offsets[row + 1], "column %zu row %zu", i, row);
            }
        }
        CHECK_ALL(nulls == col->nulls, "column %zu: %zu nulls counted, %zu reported", i, nulls, col->nulls);
        if (col->type == FERRULE_LOG_COLUMN_STRING) CHECK_ALL(col->offsets[0] == 0, "column %zu", i);
        if (col->type == FERRULE_LOG_COLUMN_DICTIONARY) CHECK_ALL(col->dict_offsets[0] == 0, "column %zu", i);
        /* Bits past the last row are 0. */
        if (v.rows % 8) CHECK_ALL((col->bits[v.rows / 8] >> (v.rows % 8)) == 0, "column %zu", i);
    }
    CHECK(all_ok);
    view_free(&v);
    ferrule_log_table_free(table);
}

/* parse_file == parse_bytes, on any number of threads, codes included. */
static void test_file_equals_bytes(const ferrule_log_format *combined) {
    ferrule_log_table *file = parse_sample(combined, NULL);
    size_t threads[] = {0, 1, 3};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        ferrule_log_options options = {0};
        options.threads = threads[i];
        ferrule_log_table *mem = NULL;
        CHECK(ferrule_log_parse_bytes(sample, sample_len, combined, &options, &mem) == FERRULE_STATUS_OK);
        CHECK(mem != NULL && tables_equal(file, mem, 1));
        CHECK(mem != NULL && stats_of(mem).bytes == sample_len && stats_hold(mem));
        ferrule_log_table_free(mem);
        if (threads[i] == 1) {
            ferrule_log_table *again = parse_sample(combined, &options);
            CHECK(again != NULL && tables_equal(file, again, 1));
            ferrule_log_table_free(again);
        }
    }
    ferrule_log_table_free(file);
}

/* Streaming: the sample pushed at many chunk sizes, with and without batches taken on the way,
 * gives the whole-input table row for row. Chunks of a few bytes go over the first 200 lines
 * (enough to cross every field boundary many times; the whole file that way is slow under
 * valgrind), larger ones over the whole file. */
static void test_streaming_splits(const ferrule_log_format *combined) {
    size_t prefix_len = 0;
    const uint8_t *line201 = line_of(sample, sample_len, 201, &prefix_len);
    prefix_len = (size_t)(line201 - sample);
    struct {
        size_t chunk, take_every;
        int whole;
    } runs[] = {{1, 0, 0},     {1, 997, 0},  {2, 0, 0},     {3, 1009, 0},  {5, 0, 0},
                {13, 0, 0},    {100, 50, 0}, {64, 0, 1},    {1000, 1, 1},  {4096, 7, 1},
                {65537, 3, 1}, {1 << 20, 1, 1}, {(size_t)-1 / 2, 0, 1}};
    ferrule_log_table *full = parse_sample(combined, NULL);
    ferrule_log_table *prefix = NULL;
    CHECK(ferrule_log_parse_bytes(sample, prefix_len, combined, NULL, &prefix) == FERRULE_STATUS_OK);
    CHECK(num_rows(prefix) == 200);
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        batches list = {0};
        size_t len = runs[i].whole ? sample_len : prefix_len;
        int ok = stream(combined, NULL, sample, len, runs[i].chunk, runs[i].take_every, &list);
        CHECK(ok);
        if (ok && !batches_match(runs[i].whole ? full : prefix, &list, SIZE_MAX)) {
            fprintf(stderr, "FAIL: chunk %zu, batch every %zu pushes\n", runs[i].chunk, runs[i].take_every);
            CHECK(0);
        } else {
            CHECK(ok);
        }
        batches_free(&list);
    }
    ferrule_log_table_free(prefix);
    ferrule_log_table_free(full);
}

/* A small input with every kind of line, split at every byte offset into two pushes. */
static const char SMALL[] =
    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 2326 \"-\" \"curl/7\"\r\n"
    "\n"
    "::1 - bob [10/Oct/2000:13:55:37 +0130] \"POST /caf\xc3\xa9 HTTP/1.1\" 404 - \"http://r/\" \"Mozilla \\\"x\\\"\"\n"
    "bad line\n"
    "host.example - - [10/Oct/2000:13:55:38 -0700] \"\\x16\\x03\" 400 0 \"-\" \"-\"\n"
    "5.6.7.8 - - [10/Oct/2000:13:55:39 -0700] \"GET /unterminated HTTP/1.0\" 200 1 \"-\" \"no end\n"
    "5.6.7.8 - - [10/Oct/2000:13:55:40 -0700] \"GET /last HTTP/1.0\" 200 1 \"-\" \"no newline\"";

static void test_streaming_every_offset(const ferrule_log_format *combined) {
    size_t len = sizeof SMALL - 1;
    ferrule_log_table *full = parse_text(combined, SMALL, NULL);
    CHECK(full != NULL && num_rows(full) == 6);
    ferrule_log_stats s = stats_of(full);
    CHECK(s.lines == 7 && s.empty == 1 && s.skipped == 1 && s.errors == 2 && s.ok == 4);
    int all_ok = 1;
    for (size_t split = 0; split <= len; split++) {
        ferrule_log_parser *parser = NULL;
        ferrule_log_table *table = NULL;
        int ok = ferrule_log_parser_new(combined, NULL, &parser) == FERRULE_STATUS_OK &&
                 ferrule_log_parser_push(parser, bytes(SMALL), split) == FERRULE_STATUS_OK &&
                 ferrule_log_parser_push(parser, bytes(SMALL) + split, len - split) == FERRULE_STATUS_OK &&
                 ferrule_log_parser_finish(parser, &table) == FERRULE_STATUS_OK;
        CHECK_ALL(ok, "split at %zu: %s", split, last_error());
        CHECK_ALL(ok && tables_equal(full, table, 1) && stats_hold(table), "split at %zu", split);
        ferrule_log_table_free(table);
        ferrule_log_parser_free(parser);
    }
    CHECK(all_ok);

    /* CRLF, escapes kept raw, a non-request kept raw with method/path/protocol null. */
    table_view v;
    CHECK(view_of(full, &v));
    const uint8_t *p = NULL;
    size_t n = 0;
    const column_view *c = v.cols;
    CHECK(cell_bytes(&c[14], 0, &p, &n) && same_str(p, n, "curl/7")); /* no \r */
    CHECK(cell_bytes(&c[14], 1, &p, &n) && same_str(p, n, "Mozilla \\\"x\\\""));
    CHECK(((const uint64_t *)c[0].values)[1] == 3); /* line numbers count the empty line */
    CHECK(((const int16_t *)c[6].values)[0] == -420 && ((const int16_t *)c[6].values)[1] == 90);
    CHECK(((const int64_t *)c[5].values)[0] == INT64_C(971211336000000));
    CHECK(cell_bytes(&c[4], 1, &p, &n) && same_str(p, n, "bob"));
    CHECK(cell_bytes(&c[9], 1, &p, &n) && same_str(p, n, "/caf\xc3\xa9"));
    CHECK(cell_bytes(&c[2], 3, &p, &n) && same_str(p, n, "host.example"));
    CHECK(cell_bytes(&c[7], 3, &p, &n) && same_str(p, n, "\\x16\\x03"));
    CHECK(!is_valid(&c[8], 3) && !is_valid(&c[9], 3) && !is_valid(&c[10], 3));
    CHECK(cell_bytes(&c[15], 2, &p, &n) && same_str(p, n, "TOO_FEW_FIELDS"));
    CHECK(cell_bytes(&c[15], 4, &p, &n) && same_str(p, n, "UNTERMINATED_QUOTE"));
    CHECK(cell_bytes(&c[14], 5, &p, &n) && same_str(p, n, "no newline"));
    view_free(&v);

    /* Unescaping is opt-in. */
    ferrule_log_options options = {0};
    options.unescape = 1;
    ferrule_log_table *unescaped = parse_text(combined, SMALL, &options);
    CHECK(unescaped != NULL && view_of(unescaped, &v));
    if (unescaped != NULL) {
        CHECK(cell_bytes(&v.cols[14], 1, &p, &n) && same_str(p, n, "Mozilla \"x\""));
        view_free(&v);
    }
    ferrule_log_table_free(unescaped);
    ferrule_log_table_free(full);
}

/* The batch reader: batches of any size give the whole-file table, codes included. */
static void test_reader(const ferrule_log_format *combined) {
    ferrule_log_table *full = parse_sample(combined, NULL);
    size_t sizes[] = {7, 1000, 4096, 9999, 10000, 1000000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        batches list = {0};
        int ok = read_batches(sample_path, combined, NULL, sizes[i], &list);
        CHECK(ok);
        size_t want = (SAMPLE_LINES + sizes[i] - 1) / sizes[i];
        if (!ok || list.len != want || !batches_match(full, &list, sizes[i])) {
            fprintf(stderr, "FAIL: batch_rows %zu: %zu batches\n", sizes[i], list.len);
            CHECK(0);
        } else {
            CHECK(1);
        }
        batches_free(&list);
    }
    /* batch_rows 0 is refused. */
    ferrule_log_reader *reader = (ferrule_log_reader *)&sizes;
    CHECK(ferrule_log_reader_open(bytes(sample_path), strlen(sample_path), combined, NULL, 0, &reader) ==
          FERRULE_STATUS_INVALID_ARGUMENT);
    CHECK(reader == (ferrule_log_reader *)&sizes);
    ferrule_log_table_free(full);
}

/* A file that ends with lines that make no row: the last batch holds their counts. */
static void test_reader_trailing_empty_lines(const ferrule_log_format *combined, const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/trailing.log", dir);
    const char *text =
        "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 1 \"-\" \"-\"\n\n\n";
    CHECK(write_file(path, text, strlen(text)));
    batches list = {0};
    CHECK(read_batches(path, combined, NULL, 1, &list));
    size_t lines = 0, rows = 0;
    for (size_t i = 0; i < list.len; i++) {
        lines += stats_of(list.items[i]).lines;
        rows += num_rows(list.items[i]);
        CHECK(stats_hold(list.items[i]));
    }
    CHECK(lines == 3 && rows == 1);
    batches_free(&list);
    /* An empty file: no batch at all. */
    CHECK(write_file(path, "", 0));
    CHECK(read_batches(path, combined, NULL, 10, &list) && list.len == 0);
    batches_free(&list);
    ferrule_log_table *table = NULL;
    CHECK(ferrule_log_parse_file(bytes(path), strlen(path), combined, NULL, &table) == FERRULE_STATUS_OK);
    CHECK(table != NULL && num_rows(table) == 0 && stats_of(table).lines == 0);
    ferrule_log_table_free(table);
    unlink(path);
}

static int have_gzip(void) { return system("gzip --version >/dev/null 2>&1") == 0; }

/* gzip input, found by its magic bytes: the same table; truncated gzip is corrupt. */
static void test_gzip(const ferrule_log_format *combined, const char *dir) {
    if (!have_gzip()) {
        printf("gzip not installed: gzip tests skipped\n");
        return;
    }
    char gz[512], cut[512], command[1400];
    snprintf(gz, sizeof gz, "%s/sample.log.gz", dir);
    snprintf(cut, sizeof cut, "%s/truncated.log", dir); /* no .gz: detection is by content */
    snprintf(command, sizeof command, "gzip -c '%s' > '%s'", sample_path, gz);
    CHECK(system(command) == 0);
    ferrule_log_table *plain = parse_sample(combined, NULL);
    ferrule_log_table *zipped = NULL;
    CHECK(ferrule_log_parse_file(bytes(gz), strlen(gz), combined, NULL, &zipped) == FERRULE_STATUS_OK);
    CHECK(zipped != NULL && tables_equal(plain, zipped, 1));
    CHECK(zipped != NULL && stats_of(zipped).bytes == sample_len && stats_hold(zipped));
    ferrule_log_table_free(zipped);
    batches list = {0};
    CHECK(read_batches(gz, combined, NULL, 3000, &list) && list.len == 4 && batches_match(plain, &list, 3000));
    batches_free(&list);

    size_t gz_len = 0;
    uint8_t *data = read_file(gz, &gz_len);
    CHECK(data != NULL && gz_len > 100 && data[0] == 0x1f && data[1] == 0x8b);
    if (data != NULL) {
        CHECK(write_file(cut, data, gz_len / 2));
        ferrule_log_table *table = (ferrule_log_table *)&list;
        CHECK(ferrule_log_parse_file(bytes(cut), strlen(cut), combined, NULL, &table) == FERRULE_STATUS_CORRUPT);
        CHECK(table == (ferrule_log_table *)&list);
        /* The reader fails when it reaches the cut, and stays failed. */
        ferrule_log_reader *reader = NULL;
        CHECK(ferrule_log_reader_open(bytes(cut), strlen(cut), combined, NULL, 100, &reader) == FERRULE_STATUS_OK);
        ferrule_status status = FERRULE_STATUS_OK;
        size_t batches_read = 0;
        while (status == FERRULE_STATUS_OK && batches_read < 1000) {
            ferrule_log_table *batch = NULL;
            status = ferrule_log_reader_next(reader, &batch);
            if (status == FERRULE_STATUS_OK && batch == NULL) break;
            ferrule_log_table_free(batch);
            batches_read++;
        }
        CHECK(status == FERRULE_STATUS_CORRUPT && batches_read > 0);
        table = (ferrule_log_table *)&list;
        CHECK(ferrule_log_reader_next(reader, &table) == FERRULE_STATUS_CORRUPT);
        CHECK(table == (ferrule_log_table *)&list);
        ferrule_log_reader_free(reader);
        free(data);
    }
    ferrule_log_table_free(plain);
    unlink(gz);
    unlink(cut);
}

/* Files that cannot be read are FERRULE_STATUS_IO, with the output untouched. */
static void test_io_errors(const ferrule_log_format *combined, const char *dir) {
    const char *paths[] = {"/nonexistent/ferrule/access.log", "", "missing\xff.log", dir};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        ferrule_log_table *table = (ferrule_log_table *)&paths;
        ferrule_status status = ferrule_log_parse_file(bytes(paths[i]), strlen(paths[i]), combined, NULL, &table);
        CHECK(status == FERRULE_STATUS_IO && table == (ferrule_log_table *)&paths);
        ferrule_log_reader *reader = (ferrule_log_reader *)&paths;
        status = ferrule_log_reader_open(bytes(paths[i]), strlen(paths[i]), combined, NULL, 10, &reader);
        CHECK(status == FERRULE_STATUS_IO && reader == (ferrule_log_reader *)&paths);
    }
    ferrule_log_table *table = NULL;
    ferrule_log_parse_file(bytes(paths[0]), strlen(paths[0]), combined, NULL, &table);
    CHECK(strstr(last_error(), "/nonexistent/ferrule/access.log") != NULL);
    /* The path is (ptr, len): bytes after len are not part of it. */
    char longer[1024];
    snprintf(longer, sizeof longer, "%sXYZ", sample_path);
    CHECK(ferrule_log_parse_file(bytes(longer), strlen(sample_path), combined, NULL, &table) == FERRULE_STATUS_OK);
    CHECK(table != NULL && num_rows(table) == SAMPLE_LINES);
    ferrule_log_table_free(table);
}

/* on_error = raise: FERRULE_STATUS_PARSE at the first bad line, with its reason, line and offset,
 * in every way of parsing. */
static void test_raise(const ferrule_log_format *combined) {
    ferrule_log_options options = {0};
    options.on_error = FERRULE_ON_ERROR_RAISE;
    uint64_t line = 1, offset = 1;
    const uint8_t *reason = NULL;
    size_t reason_len = 99;

    /* The offset the row mode reports for the bad line. */
    ferrule_log_table *rows = parse_sample(combined, NULL);
    uint64_t want_offset = 0, error_line = 0;
    const uint8_t *code = NULL, *text = NULL;
    size_t code_len = 0, text_len = 0;
    CHECK(ferrule_log_table_error(rows, 0, &error_line, &code, &code_len, &want_offset, &text, &text_len) ==
          FERRULE_STATUS_OK);
    ferrule_log_table_free(rows);

    size_t threads[] = {1, 4};
    for (size_t i = 0; i < 2; i++) {
        options.threads = threads[i];
        ferrule_log_table *table = (ferrule_log_table *)&options;
        CHECK(ferrule_log_parse_file(bytes(sample_path), strlen(sample_path), combined, &options, &table) ==
              FERRULE_STATUS_PARSE);
        CHECK(table == (ferrule_log_table *)&options);
        const char *message = last_error();
        /* "UNTERMINATED_QUOTE: <snippet> (line 8899, byte offset N)" */
        CHECK(strstr(message, "UNTERMINATED_QUOTE") != NULL && strstr(message, "Googlebot") != NULL);
        char location[64];
        snprintf(location, sizeof location, "line %d, byte offset %llu", SAMPLE_BAD_LINE,
                 (unsigned long long)want_offset);
        CHECK(strstr(message, location) != NULL);
        CHECK(ferrule_log_last_error(&line, &offset, &reason, &reason_len) == FERRULE_STATUS_OK);
        CHECK(line == SAMPLE_BAD_LINE && offset == want_offset && same_str(reason, reason_len, "UNTERMINATED_QUOTE"));
        CHECK(ferrule_log_parse_bytes(sample, sample_len, combined, &options, &table) == FERRULE_STATUS_PARSE);
        CHECK(ferrule_log_last_error(&line, &offset, &reason, &reason_len) == FERRULE_STATUS_OK);
        CHECK(line == SAMPLE_BAD_LINE && offset == want_offset);
    }

    /* Another failure forgets the location; a success leaves it. */
    ferrule_log_table *table = NULL;
    CHECK(ferrule_log_parse_file(bytes("/nonexistent"), 12, combined, &options, &table) == FERRULE_STATUS_IO);
    CHECK(ferrule_log_last_error(&line, &offset, &reason, &reason_len) == FERRULE_STATUS_OK);
    CHECK(line == 0 && offset == 0 && reason != NULL && reason_len == 0);
    CHECK(ferrule_log_parse_bytes(sample, sample_len, combined, &options, &table) == FERRULE_STATUS_PARSE);
    table = parse_text(combined, SMALL + 0, NULL); /* a success */
    ferrule_log_table_free(table);
    CHECK(ferrule_log_last_error(&line, &offset, &reason, &reason_len) == FERRULE_STATUS_OK && line == SAMPLE_BAD_LINE);

    /* Streaming: the push that reaches the line fails, and so does everything after it. */
    ferrule_log_parser *parser = NULL;
    CHECK(ferrule_log_parser_new(combined, &options, &parser) == FERRULE_STATUS_OK);
    ferrule_status status = FERRULE_STATUS_OK;
    size_t at = 0, rows_before = 0;
    for (; at < sample_len && status == FERRULE_STATUS_OK; at += 65536) {
        size_t n = sample_len - at < 65536 ? sample_len - at : 65536;
        status = ferrule_log_parser_push(parser, sample + at, n);
        if (status == FERRULE_STATUS_OK) {
            ferrule_log_table *batch = NULL;
            CHECK(ferrule_log_parser_take_batch(parser, &batch) == FERRULE_STATUS_OK);
            rows_before += num_rows(batch);
            ferrule_log_table_free(batch);
        }
    }
    CHECK(status == FERRULE_STATUS_PARSE && rows_before < SAMPLE_BAD_LINE - 1 && rows_before > 8000);
    CHECK(ferrule_log_last_error(&line, &offset, &reason, &reason_len) == FERRULE_STATUS_OK);
    CHECK(line == SAMPLE_BAD_LINE && offset == want_offset);
    CHECK(ferrule_log_parser_push(parser, bytes("x\n"), 2) == FERRULE_STATUS_PARSE);
    /* The rows accepted before the bad line (in the failing push) are still handed out. */
    ferrule_log_table *accepted = NULL;
    CHECK(ferrule_log_parser_take_batch(parser, &accepted) == FERRULE_STATUS_OK);
    CHECK(rows_before + num_rows(accepted) == SAMPLE_BAD_LINE - 1 && stats_hold(accepted));
    ferrule_log_table_free(accepted);
    table = (ferrule_log_table *)&options;
    CHECK(ferrule_log_parser_finish(parser, &table) == FERRULE_STATUS_PARSE && table == (ferrule_log_table *)&options);
    ferrule_log_parser_free(parser);

    /* The reader: batches up to the bad line, then the error, then the error again. */
    ferrule_log_reader *reader = NULL;
    CHECK(ferrule_log_reader_open(bytes(sample_path), strlen(sample_path), combined, &options, 1000, &reader) ==
          FERRULE_STATUS_OK);
    size_t good = 0;
    status = FERRULE_STATUS_OK;
    while (status == FERRULE_STATUS_OK) {
        ferrule_log_table *batch = NULL;
        status = ferrule_log_reader_next(reader, &batch);
        if (status == FERRULE_STATUS_OK) {
            CHECK(batch != NULL && num_rows(batch) == 1000);
            if (batch == NULL) break;
            good++;
            ferrule_log_table_free(batch);
        }
    }
    CHECK(status == FERRULE_STATUS_PARSE && good == 8);
    CHECK(ferrule_log_last_error(&line, &offset, &reason, &reason_len) == FERRULE_STATUS_OK && line == SAMPLE_BAD_LINE);
    table = (ferrule_log_table *)&options;
    CHECK(ferrule_log_reader_next(reader, &table) == FERRULE_STATUS_PARSE && table == (ferrule_log_table *)&options);
    ferrule_log_reader_free(reader);
}

/* on_error = skip: the bad line is dropped but counted and listed. */
static void test_skip(const ferrule_log_format *combined) {
    ferrule_log_options options = {0};
    options.on_error = FERRULE_ON_ERROR_SKIP;
    ferrule_log_table *table = parse_sample(combined, &options);
    CHECK(table != NULL);
    if (table == NULL) return;
    ferrule_log_stats s = stats_of(table);
    CHECK(num_rows(table) == SAMPLE_LINES - 1 && s.ok == SAMPLE_LINES - 1 && s.errors == 0 && s.skipped == 1);
    CHECK(s.lines == SAMPLE_LINES && stats_hold(table));
    size_t errors = 0;
    CHECK(ferrule_log_table_error_count(table, &errors) == FERRULE_STATUS_OK && errors == 1);
    const uint64_t *lines = NULL;
    size_t len = 0;
    CHECK(ferrule_log_table_column_u64(table, 0, &lines, &len) == FERRULE_STATUS_OK && len == SAMPLE_LINES - 1);
    CHECK(lines[SAMPLE_BAD_LINE - 2] == SAMPLE_BAD_LINE - 1 && lines[SAMPLE_BAD_LINE - 1] == SAMPLE_BAD_LINE + 1);
    const uint8_t *bits = NULL;
    size_t nulls = 0;
    CHECK(ferrule_log_table_validity(table, column(table, "error"), &bits, &nulls) == FERRULE_STATUS_OK);
    CHECK(nulls == SAMPLE_LINES - 1);
    ferrule_log_table_free(table);
}

/* Options: checked field by field; plain_columns changes the layout, never the values. */
static void test_options(const ferrule_log_format *combined) {
    ferrule_log_options bad[5];
    for (int i = 0; i < 5; i++) memset(&bad[i], 0, sizeof bad[i]);
    bad[0].on_error = 3;
    bad[1].unescape = 2;
    bad[2].strict_utf8 = 0xdeadbeef;
    bad[3].threads = 1025;
    bad[4].plain_columns = bytes("path,nope");
    bad[4].plain_columns_len = 9;
    for (int i = 0; i < 5; i++) {
        ferrule_log_table *table = (ferrule_log_table *)bad;
        CHECK(ferrule_log_parse_bytes(sample, 1000, combined, &bad[i], &table) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(table == (ferrule_log_table *)bad);
        ferrule_log_parser *parser = (ferrule_log_parser *)bad;
        CHECK(ferrule_log_parser_new(combined, &bad[i], &parser) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(parser == (ferrule_log_parser *)bad);
    }
    ferrule_log_table *table = NULL;
    ferrule_log_parse_bytes(sample, 1000, combined, &bad[4], &table);
    CHECK(strstr(last_error(), "nope") != NULL && strstr(last_error(), "user_agent") != NULL);
    ferrule_log_options null_names = {0};
    null_names.plain_columns_len = 4;
    CHECK(ferrule_log_parse_bytes(sample, 1000, combined, &null_names, &table) == FERRULE_STATUS_NULL_POINTER);

    ferrule_log_table *defaults = parse_sample(combined, NULL);
    ferrule_log_options options = {0};
    options.plain_columns = bytes(" user_agent , request ");
    options.plain_columns_len = strlen(" user_agent , request ");
    ferrule_log_table *plain = parse_sample(combined, &options);
    options.plain_columns_len = 0; /* non-NULL and empty: every string column a dictionary */
    ferrule_log_table *none = parse_sample(combined, &options);
    CHECK(plain != NULL && none != NULL);
    if (plain != NULL && none != NULL) {
        ferrule_log_column_type type = FERRULE_LOG_COLUMN_UINT64;
        CHECK(ferrule_log_table_column_type(plain, column(plain, "user_agent"), &type) == FERRULE_STATUS_OK &&
              type == FERRULE_LOG_COLUMN_STRING);
        CHECK(ferrule_log_table_column_type(plain, column(plain, "path"), &type) == FERRULE_STATUS_OK &&
              type == FERRULE_LOG_COLUMN_DICTIONARY);
        CHECK(ferrule_log_table_column_type(none, column(none, "request"), &type) == FERRULE_STATUS_OK &&
              type == FERRULE_LOG_COLUMN_DICTIONARY);
        CHECK(ferrule_log_table_column_type(defaults, column(defaults, "request"), &type) == FERRULE_STATUS_OK &&
              type == FERRULE_LOG_COLUMN_STRING);
        CHECK(tables_equal(defaults, plain, 0));
        CHECK(tables_equal(defaults, none, 0));
    }
    ferrule_log_table_free(plain);
    ferrule_log_table_free(none);
    ferrule_log_table_free(defaults);

    /* strict_utf8: a line that is not UTF-8 becomes an INVALID_UTF8 row; by default its bytes are
     * kept raw. */
    const char *text = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /\xff\xfe HTTP/1.0\" 200 1 \"-\" \"-\"\n";
    table = parse_text(combined, text, NULL);
    const int64_t *offsets = NULL;
    const uint8_t *values = NULL;
    size_t rows = 0;
    CHECK(table != NULL && stats_of(table).ok == 1);
    CHECK(ferrule_log_table_column_strings(table, column(table, "path"), &offsets, &values, &rows) ==
          FERRULE_STATUS_OK);
    CHECK(rows == 1 && same_bytes(values + offsets[0], (size_t)(offsets[1] - offsets[0]), "/\xff\xfe", 3));
    ferrule_log_table_free(table);
    ferrule_log_options strict = {0};
    strict.strict_utf8 = 1;
    table = parse_text(combined, text, &strict);
    uint64_t line = 0, offset = 0;
    const uint8_t *code = NULL, *raw = NULL;
    size_t code_len = 0, raw_len = 0;
    CHECK(table != NULL && stats_of(table).errors == 1);
    CHECK(ferrule_log_table_error(table, 0, &line, &code, &code_len, &offset, &raw, &raw_len) == FERRULE_STATUS_OK);
    CHECK(line == 1 && same_str(code, code_len, "INVALID_UTF8") && raw_len == strlen(text) - 1);
    ferrule_log_table_free(table);
}

/* Accessors on the wrong type or index fail, and write nothing. */
static void test_wrong_types(const ferrule_log_format *combined) {
    ferrule_log_table *table = parse_text(combined, SMALL, NULL);
    CHECK(table != NULL);
    if (table == NULL) return;
    size_t status_col = column(table, "status"), path = column(table, "path"), method = column(table, "method");
    size_t ts = column(table, "timestamp");
    const uint64_t *u64 = (const uint64_t *)&status_col;
    const uint16_t *u16 = (const uint16_t *)&status_col;
    const int16_t *i16 = (const int16_t *)&status_col;
    const int64_t *i64 = (const int64_t *)&status_col;
    const double *f64 = (const double *)&status_col;
    const uint32_t *u32 = (const uint32_t *)&status_col;
    const uint8_t *u8 = (const uint8_t *)&status_col;
    size_t len = 12345;
    ferrule_status inv = FERRULE_STATUS_INVALID_ARGUMENT;
    CHECK(ferrule_log_table_column_u64(table, status_col, &u64, &len) == inv);
    CHECK(strstr(last_error(), "uint16") != NULL && strstr(last_error(), "ferrule_log_table_column_u16") != NULL);
    CHECK(ferrule_log_table_column_u16(table, path, &u16, &len) == inv);
    CHECK(ferrule_log_table_column_i16(table, status_col, &i16, &len) == inv);
    CHECK(ferrule_log_table_column_i64(table, ts, &i64, &len) == inv); /* a timestamp is not int64 */
    CHECK(ferrule_log_table_column_timestamp(table, 0, &i64, &len) == inv);
    CHECK(ferrule_log_table_column_f64(table, status_col, &f64, &len) == inv);
    CHECK(ferrule_log_table_column_strings(table, method, &i64, &u8, &len) == inv);
    CHECK(ferrule_log_table_column_codes(table, path, &u32, &len) == inv);
    CHECK(ferrule_log_table_dictionary(table, status_col, &u32, &u8, &len) == inv);
    ferrule_pool *pool = (ferrule_pool *)&len;
    CHECK(ferrule_log_table_dictionary_pool(table, path, &pool) == inv && pool == (ferrule_pool *)&len);
    CHECK(u64 == (const uint64_t *)&status_col && u16 == (const uint16_t *)&status_col &&
          i16 == (const int16_t *)&status_col && i64 == (const int64_t *)&status_col &&
          f64 == (const double *)&status_col && u32 == (const uint32_t *)&status_col &&
          u8 == (const uint8_t *)&status_col && len == 12345);

    size_t columns = 0;
    CHECK(ferrule_log_table_num_columns(table, &columns) == FERRULE_STATUS_OK && columns == 17);
    ferrule_status oor = FERRULE_STATUS_OUT_OF_RANGE;
    ferrule_log_column_type type = FERRULE_LOG_COLUMN_UINT64;
    CHECK(ferrule_log_table_column_type(table, columns, &type) == oor && type == FERRULE_LOG_COLUMN_UINT64);
    CHECK(ferrule_log_table_column_name(table, columns, &u8, &len) == oor);
    CHECK(ferrule_log_table_validity(table, SIZE_MAX, &u8, &len) == oor);
    CHECK(ferrule_log_table_column_u64(table, columns, &u64, &len) == oor);
    CHECK(ferrule_log_table_column_codes(table, columns + 1, &u32, &len) == oor);
    CHECK(strstr(last_error(), "17 columns") != NULL);
    size_t index = 77;
    CHECK(ferrule_log_table_column_index(table, bytes("referrer"), 8, &index) == inv && index == 77);
    CHECK(strstr(last_error(), "referer") != NULL); /* lists the columns there are */
    CHECK(ferrule_log_table_column_index(table, bytes("status_code"), 6, &index) == FERRULE_STATUS_OK &&
          index == status_col); /* (ptr, len): "status" */
    CHECK(ferrule_log_table_column_index(table, bytes("\xff"), 1, &index) == FERRULE_STATUS_INVALID_UTF8);
    ferrule_log_table_free(table);
}

/* Custom formats: nginx durations (also upstream lists) and Apache %D / %T as doubles. */
static void test_custom_formats(void) {
    ferrule_log_format *nginx = format_of(
        "log_format timed '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent '\n"
        "                 '\"$http_referer\" \"$http_user_agent\" $request_time $upstream_response_time';",
        FERRULE_LOG_FORMAT_NGINX);
    const char *text =
        "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a?x=1 HTTP/1.1\" 200 2326 \"-\" \"curl/7\" 0.005 "
        "0.001, 0.002 : 0.003\n"
        "::1 - bob [10/Oct/2000:13:55:37 -0700] \"POST /b HTTP/2.0\" 502 - \"http://x/\" \"agent\" 1.250 -\n"
        "5.6.7.8 - - [10/Oct/2000:13:55:38 -0700] \"GET / HTTP/1.1\" 200 10 \"-\" \"a\" slow 0.1\n";
    ferrule_log_table *table = parse_text(nginx, text, NULL);
    CHECK(table != NULL && num_rows(table) == 3 && stats_hold(table));
    if (table != NULL) {
        size_t rt = column(table, "request_time"), up = column(table, "upstream_response_time");
        ferrule_log_column_type type = FERRULE_LOG_COLUMN_UINT64;
        CHECK(ferrule_log_table_column_type(table, rt, &type) == FERRULE_STATUS_OK && type == FERRULE_LOG_COLUMN_FLOAT64);
        CHECK(ferrule_log_table_column_type(table, up, &type) == FERRULE_STATUS_OK && type == FERRULE_LOG_COLUMN_FLOAT64);
        const double *times = NULL, *upstream = NULL;
        size_t len = 0, nulls = 0;
        const uint8_t *bits = NULL;
        CHECK(ferrule_log_table_column_f64(table, rt, &times, &len) == FERRULE_STATUS_OK && len == 3);
        CHECK(times[0] == 0.005 && times[1] == 1.25);
        CHECK(ferrule_log_table_column_f64(table, up, &upstream, &len) == FERRULE_STATUS_OK && len == 3);
        double diff = upstream[0] - 0.006;
        CHECK(diff < 1e-12 && diff > -1e-12);
        CHECK(ferrule_log_table_validity(table, up, &bits, &nulls) == FERRULE_STATUS_OK);
        CHECK((bits[0] & 1) && !(bits[0] & 2) && upstream[1] == 0.0);
        const uint64_t *size = NULL;
        CHECK(ferrule_log_table_column_u64(table, column(table, "bytes"), &size, &len) == FERRULE_STATUS_OK);
        CHECK(size[0] == 2326);
        const uint16_t *status = NULL;
        CHECK(ferrule_log_table_column_u16(table, column(table, "status"), &status, &len) == FERRULE_STATUS_OK);
        CHECK(status[0] == 200 && status[1] == 502);
        /* `slow` is not a number: an error row, the fields before it kept. */
        uint64_t line = 0, offset = 0;
        const uint8_t *code = NULL, *raw = NULL;
        size_t code_len = 0, raw_len = 0, errors = 0;
        CHECK(ferrule_log_table_error_count(table, &errors) == FERRULE_STATUS_OK && errors == 1);
        CHECK(ferrule_log_table_error(table, 0, &line, &code, &code_len, &offset, &raw, &raw_len) == FERRULE_STATUS_OK);
        CHECK(line == 3 && same_str(code, code_len, "BAD_NUMBER"));
        CHECK(offset == (uint64_t)(strstr((const char *)raw, "slow") - (const char *)raw));
        CHECK(status[2] == 200);
        /* A float column is not uint64. */
        CHECK(ferrule_log_table_column_u64(table, rt, &size, &len) == FERRULE_STATUS_INVALID_ARGUMENT);
    }
    ferrule_log_table_free(table);
    ferrule_log_format_free(nginx);

    ferrule_log_format *apache = format_of("%h %l %u %t \\\"%r\\\" %>s %b %D %T", FERRULE_LOG_FORMAT_APACHE);
    text = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.0\" 200 512 1234 0\n"
           "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /y HTTP/1.0\" 304 - 56 1\n";
    table = parse_text(apache, text, NULL);
    CHECK(table != NULL && num_rows(table) == 2 && stats_of(table).ok == 2);
    if (table != NULL) {
        const double *us = NULL, *s = NULL;
        size_t len = 0;
        CHECK(ferrule_log_table_column_f64(table, column(table, "duration_us"), &us, &len) == FERRULE_STATUS_OK);
        CHECK(len == 2 && us[0] == 1234.0 && us[1] == 56.0);
        CHECK(ferrule_log_table_column_f64(table, column(table, "duration_s"), &s, &len) == FERRULE_STATUS_OK);
        CHECK(len == 2 && s[0] == 0.0 && s[1] == 1.0);
        const uint8_t *bits = NULL;
        size_t nulls = 0;
        CHECK(ferrule_log_table_validity(table, column(table, "bytes"), &bits, &nulls) == FERRULE_STATUS_OK);
        CHECK(nulls == 1 && bits[0] == 1);
    }
    ferrule_log_table_free(table);
    ferrule_log_format_free(apache);
}

/* A table with no rows still hands out real pointers. */
static void test_empty(const ferrule_log_format *combined) {
    ferrule_log_table *table = NULL;
    CHECK(ferrule_log_parse_bytes(NULL, 0, combined, NULL, &table) == FERRULE_STATUS_OK);
    if (table == NULL) return;
    table_view v;
    CHECK(view_of(table, &v) && v.rows == 0 && v.columns == 17);
    int all_ok = 1;
    for (size_t i = 0; i < v.columns; i++) {
        const column_view *c = &v.cols[i];
        CHECK_ALL(c->bits != NULL && c->nulls == 0, "column %zu", i);
        CHECK_ALL(c->type != FERRULE_LOG_COLUMN_STRING || (c->offsets != NULL && c->offsets[0] == 0 &&
                                                          c->string_bytes != NULL), "column %zu", i);
        CHECK_ALL(c->type != FERRULE_LOG_COLUMN_DICTIONARY ||
                      (c->codes != NULL && c->dict_count == 0 && c->dict_offsets[0] == 0 && c->dict_bytes != NULL),
                  "column %zu", i);
        CHECK_ALL(element_size(c->type) == 0 || c->values != NULL, "column %zu", i);
    }
    CHECK(all_ok);
    view_free(&v);
    ferrule_log_stats s = stats_of(table);
    CHECK(s.lines == 0 && s.ok == 0 && s.bytes == 0 && stats_hold(table));
    ferrule_log_table_free(table);
    /* Only empty lines: no rows, every line counted. */
    table = parse_text(combined, "\n\r\n\n", NULL);
    s = stats_of(table);
    CHECK(table != NULL && num_rows(table) == 0 && s.lines == 3 && s.empty == 3 && s.skipped == 3);
    ferrule_log_table_free(table);
}

/* The streaming parser after finish, and pushes of nothing. */
static void test_parser_lifecycle(const ferrule_log_format *combined) {
    ferrule_log_parser *parser = NULL;
    CHECK(ferrule_log_parser_new(combined, NULL, &parser) == FERRULE_STATUS_OK);
    CHECK(ferrule_log_parser_push(parser, NULL, 0) == FERRULE_STATUS_OK);
    CHECK(ferrule_log_parser_push(parser, sample, 10) == FERRULE_STATUS_OK);
    ferrule_log_table *batch = NULL;
    CHECK(ferrule_log_parser_take_batch(parser, &batch) == FERRULE_STATUS_OK && num_rows(batch) == 0);
    ferrule_log_table_free(batch);
    ferrule_log_table *table = NULL;
    CHECK(ferrule_log_parser_finish(parser, &table) == FERRULE_STATUS_OK && num_rows(table) == 1);
    CHECK(stats_of(table).errors == 1 && stats_hold(table)); /* 10 bytes of a line */
    ferrule_log_table_free(table);
    ferrule_status inv = FERRULE_STATUS_INVALID_ARGUMENT;
    table = (ferrule_log_table *)&parser;
    CHECK(ferrule_log_parser_push(parser, sample, 10) == inv);
    CHECK(ferrule_log_parser_take_batch(parser, &table) == inv);
    CHECK(ferrule_log_parser_finish(parser, &table) == inv);
    CHECK(table == (ferrule_log_table *)&parser);
    CHECK(strstr(last_error(), "finished") != NULL);
    ferrule_log_parser_free(parser);
    ferrule_log_parser_free(NULL);
    /* The format may be freed while its parser lives. */
    ferrule_log_format *format = format_of("combined", FERRULE_LOG_FORMAT_PRESET);
    CHECK(ferrule_log_parser_new(format, NULL, &parser) == FERRULE_STATUS_OK);
    ferrule_log_format_free(format);
    CHECK(ferrule_log_parser_push(parser, bytes(SMALL), sizeof SMALL - 1) == FERRULE_STATUS_OK);
    CHECK(ferrule_log_parser_finish(parser, &table) == FERRULE_STATUS_OK && num_rows(table) == 6);
    ferrule_log_parser_free(parser);
    ferrule_log_table_free(table);
}

/* Dictionaries: zero-copy arrays, and a pool copy with the same ids. */
static void test_dictionary_pool(const ferrule_log_format *combined) {
    ferrule_log_table *table = parse_sample(combined, NULL);
    if (table == NULL) return;
    size_t method = column(table, "method");
    const uint32_t *codes = NULL, *offsets = NULL;
    const uint8_t *values = NULL;
    size_t rows = 0, count = 0;
    CHECK(ferrule_log_table_column_codes(table, method, &codes, &rows) == FERRULE_STATUS_OK);
    CHECK(ferrule_log_table_dictionary(table, method, &offsets, &values, &count) == FERRULE_STATUS_OK);
    CHECK(count >= 3 && count < 20);
    ferrule_pool *pool = NULL;
    CHECK(ferrule_log_table_dictionary_pool(table, method, &pool) == FERRULE_STATUS_OK && pool != NULL);
    size_t pool_len = 0;
    CHECK(ferrule_pool_len(pool, &pool_len) == FERRULE_STATUS_OK && pool_len == count);
    int all_ok = 1;
    for (uint32_t code = 0; code < count; code++) {
        const uint8_t *ptr = NULL;
        size_t len = 0;
        CHECK_ALL(ferrule_pool_resolve(pool, code, &ptr, &len) == FERRULE_STATUS_OK &&
                      same_bytes(ptr, len, values + offsets[code], offsets[code + 1] - offsets[code]),
                  "code %u", code);
    }
    CHECK(all_ok);
    bool found = false;
    uint32_t get = UINT32_MAX;
    CHECK(ferrule_pool_get(pool, bytes("GET"), 3, &found, &get) == FERRULE_STATUS_OK && found);
    size_t gets = 0, by_bytes = 0;
    for (size_t row = 0; row < rows; row++) {
        gets += codes[row] == get;
        by_bytes += same_bytes(values + offsets[codes[row]], offsets[codes[row] + 1] - offsets[codes[row]], "GET", 3);
    }
    CHECK(gets == by_bytes && gets > 9000);
    ferrule_pool_free(pool);
    /* The pool is independent of the table. */
    CHECK(ferrule_log_table_dictionary_pool(table, method, &pool) == FERRULE_STATUS_OK);
    ferrule_log_table_free(table);
    CHECK(ferrule_pool_get(pool, bytes("GET"), 3, &found, &get) == FERRULE_STATUS_OK && found);
    ferrule_pool_free(pool);
}

/* One table read by many threads; one parser fed by many threads (calls take turns). */
#define THREADS 4

typedef struct {
    const ferrule_log_table *table;
    ferrule_log_parser *parser;
    const uint8_t *lines;
    size_t lines_len;
    uint64_t sum;
    int ok;
} worker;

static void *read_worker(void *arg) {
    worker *w = arg;
    w->ok = 1;
    for (int round = 0; round < 20; round++) {
        const uint64_t *size = NULL;
        const uint8_t *bits = NULL;
        size_t len = 0, nulls = 0;
        size_t index = column(w->table, "bytes");
        w->ok &= ferrule_log_table_column_u64(w->table, index, &size, &len) == FERRULE_STATUS_OK;
        w->ok &= ferrule_log_table_validity(w->table, index, &bits, &nulls) == FERRULE_STATUS_OK;
        if (!w->ok) return NULL;
        uint64_t sum = 0;
        for (size_t row = 0; row < len; row++) sum += ((bits[row / 8] >> (row % 8)) & 1) ? size[row] : 0;
        w->sum = sum;
    }
    return NULL;
}

static void *push_worker(void *arg) {
    worker *w = arg;
    w->ok = 1;
    /* Whole lines per push, so that the threads' lines never interleave inside a line. */
    size_t start = 0;
    while (start < w->lines_len && w->ok) {
        const uint8_t *nl = memchr(w->lines + start, '\n', w->lines_len - start);
        size_t end = nl ? (size_t)(nl - w->lines) + 1 : w->lines_len;
        w->ok = ferrule_log_parser_push(w->parser, w->lines + start, end - start) == FERRULE_STATUS_OK;
        start = end;
    }
    return NULL;
}

static void test_threads(const ferrule_log_format *combined) {
    ferrule_log_table *table = parse_sample(combined, NULL);
    if (table == NULL) return;
    worker workers[THREADS];
    pthread_t threads[THREADS];
    int started = 0;
    for (int t = 0; t < THREADS; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].table = table;
        if (pthread_create(&threads[t], NULL, read_worker, &workers[t]) == 0) started++;
    }
    CHECK(started == THREADS);
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < started; t++) CHECK(workers[t].ok && workers[t].sum == workers[0].sum && workers[t].sum > 0);
    ferrule_log_table_free(table);

    /* The first 1000 lines of the sample, pushed by each thread. */
    size_t prefix = 0;
    const uint8_t *line1001 = line_of(sample, sample_len, 1001, &prefix);
    prefix = (size_t)(line1001 - sample);
    ferrule_log_parser *parser = NULL;
    CHECK(ferrule_log_parser_new(combined, NULL, &parser) == FERRULE_STATUS_OK);
    started = 0;
    for (int t = 0; t < THREADS; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].parser = parser;
        workers[t].lines = sample;
        workers[t].lines_len = prefix;
        if (pthread_create(&threads[t], NULL, push_worker, &workers[t]) == 0) started++;
    }
    CHECK(started == THREADS);
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < started; t++) CHECK(workers[t].ok);
    ferrule_log_table *all = NULL;
    CHECK(ferrule_log_parser_finish(parser, &all) == FERRULE_STATUS_OK);
    ferrule_log_stats s = stats_of(all);
    CHECK(num_rows(all) == 1000 * (size_t)started && s.ok == 1000 * (uint64_t)started && s.bytes == prefix * started);
    ferrule_log_table_free(all);
    ferrule_log_parser_free(parser);
}

/* Every pointer argument is checked; NULL never crashes and never writes. */
#define CHECK_NULL(call, name)                                                      \
    do {                                                                            \
        CHECK((call) == FERRULE_STATUS_NULL_POINTER);                               \
        CHECK(strstr(last_error(), "`" name "`") != NULL);                          \
    } while (0)

static void test_null_pointers(const ferrule_log_format *combined) {
    ferrule_log_table *table = parse_text(combined, SMALL, NULL);
    ferrule_log_parser *parser = NULL;
    ferrule_log_reader *reader = NULL;
    CHECK(ferrule_log_parser_new(combined, NULL, &parser) == FERRULE_STATUS_OK);
    CHECK(ferrule_log_reader_open(bytes(sample_path), strlen(sample_path), combined, NULL, 10, &reader) ==
          FERRULE_STATUS_OK);
    ferrule_log_format *format = NULL;
    ferrule_log_table *out = NULL;
    ferrule_log_parser *out_parser = NULL;
    ferrule_log_reader *out_reader = NULL;
    ferrule_log_format_kind kind;
    ferrule_on_error mode;
    ferrule_log_column_type type;
    ferrule_log_stats stats;
    ferrule_pool *pool = NULL;
    const uint8_t *u8 = NULL;
    const uint16_t *u16 = NULL;
    const int16_t *i16 = NULL;
    const uint32_t *u32 = NULL;
    const int64_t *i64 = NULL;
    const uint64_t *u64 = NULL;
    const double *f64 = NULL;
    size_t n = 0;
    uint64_t line = 0, offset = 0;
    const char *p = sample_path;
    size_t pl = strlen(sample_path);

    CHECK_NULL(ferrule_log_format_parse(bytes("combined"), 8, 0, NULL), "out_format");
    CHECK_NULL(ferrule_log_format_parse(NULL, 8, 0, &format), "spec");
    CHECK_NULL(ferrule_log_format_get_kind(NULL, &kind), "format");
    CHECK_NULL(ferrule_log_format_get_kind(combined, NULL), "out_kind");
    CHECK_NULL(ferrule_log_on_error_parse(NULL, 3, &mode), "name");
    CHECK_NULL(ferrule_log_on_error_parse(bytes("row"), 3, NULL), "out");
    CHECK_NULL(ferrule_log_last_error(NULL, &offset, &u8, &n), "out_line");
    CHECK_NULL(ferrule_log_last_error(&line, NULL, &u8, &n), "out_offset");
    CHECK_NULL(ferrule_log_last_error(&line, &offset, NULL, &n), "out_reason");
    CHECK_NULL(ferrule_log_last_error(&line, &offset, &u8, NULL), "out_reason_len");

    CHECK_NULL(ferrule_log_parse_file(NULL, pl, combined, NULL, &out), "path");
    CHECK_NULL(ferrule_log_parse_file(bytes(p), pl, NULL, NULL, &out), "format");
    CHECK_NULL(ferrule_log_parse_file(bytes(p), pl, combined, NULL, NULL), "out_table");
    CHECK_NULL(ferrule_log_parse_bytes(NULL, 5, combined, NULL, &out), "data");
    CHECK_NULL(ferrule_log_parse_bytes(sample, 5, NULL, NULL, &out), "format");
    CHECK_NULL(ferrule_log_parse_bytes(sample, 5, combined, NULL, NULL), "out_table");

    CHECK_NULL(ferrule_log_parser_new(NULL, NULL, &out_parser), "format");
    CHECK_NULL(ferrule_log_parser_new(combined, NULL, NULL), "out_parser");
    CHECK_NULL(ferrule_log_parser_push(NULL, sample, 5), "parser");
    CHECK_NULL(ferrule_log_parser_push(parser, NULL, 5), "data");
    CHECK_NULL(ferrule_log_parser_take_batch(NULL, &out), "parser");
    CHECK_NULL(ferrule_log_parser_take_batch(parser, NULL), "out_table");
    CHECK_NULL(ferrule_log_parser_finish(NULL, &out), "parser");
    CHECK_NULL(ferrule_log_parser_finish(parser, NULL), "out_table");

    CHECK_NULL(ferrule_log_reader_open(NULL, pl, combined, NULL, 10, &out_reader), "path");
    CHECK_NULL(ferrule_log_reader_open(bytes(p), pl, NULL, NULL, 10, &out_reader), "format");
    CHECK_NULL(ferrule_log_reader_open(bytes(p), pl, combined, NULL, 10, NULL), "out_reader");
    CHECK_NULL(ferrule_log_reader_next(NULL, &out), "reader");
    CHECK_NULL(ferrule_log_reader_next(reader, NULL), "out_table");

    CHECK_NULL(ferrule_log_table_num_rows(NULL, &n), "table");
    CHECK_NULL(ferrule_log_table_num_rows(table, NULL), "out_rows");
    CHECK_NULL(ferrule_log_table_num_columns(NULL, &n), "table");
    CHECK_NULL(ferrule_log_table_num_columns(table, NULL), "out_columns");
    CHECK_NULL(ferrule_log_table_column_index(NULL, bytes("line"), 4, &n), "table");
    CHECK_NULL(ferrule_log_table_column_index(table, NULL, 4, &n), "name");
    CHECK_NULL(ferrule_log_table_column_index(table, bytes("line"), 4, NULL), "out_index");
    CHECK_NULL(ferrule_log_table_column_name(NULL, 0, &u8, &n), "table");
    CHECK_NULL(ferrule_log_table_column_name(table, 0, NULL, &n), "out_name");
    CHECK_NULL(ferrule_log_table_column_name(table, 0, &u8, NULL), "out_len");
    CHECK_NULL(ferrule_log_table_column_type(NULL, 0, &type), "table");
    CHECK_NULL(ferrule_log_table_column_type(table, 0, NULL), "out_type");
    CHECK_NULL(ferrule_log_table_column_u64(NULL, 0, &u64, &n), "table");
    CHECK_NULL(ferrule_log_table_column_u64(table, 0, NULL, &n), "out_values");
    CHECK_NULL(ferrule_log_table_column_u64(table, 0, &u64, NULL), "out_len");
    CHECK_NULL(ferrule_log_table_column_u16(NULL, 11, &u16, &n), "table");
    CHECK_NULL(ferrule_log_table_column_u16(table, 11, NULL, &n), "out_values");
    CHECK_NULL(ferrule_log_table_column_i16(table, 6, &i16, NULL), "out_len");
    CHECK_NULL(ferrule_log_table_column_i64(NULL, 0, &i64, &n), "table");
    CHECK_NULL(ferrule_log_table_column_f64(NULL, 0, &f64, &n), "table");
    CHECK_NULL(ferrule_log_table_column_timestamp(table, 5, NULL, &n), "out_values");
    CHECK_NULL(ferrule_log_table_validity(NULL, 0, &u8, &n), "table");
    CHECK_NULL(ferrule_log_table_validity(table, 0, NULL, &n), "out_bits");
    CHECK_NULL(ferrule_log_table_validity(table, 0, &u8, NULL), "out_null_count");
    CHECK_NULL(ferrule_log_table_column_strings(NULL, 9, &i64, &u8, &n), "table");
    CHECK_NULL(ferrule_log_table_column_strings(table, 9, NULL, &u8, &n), "out_offsets");
    CHECK_NULL(ferrule_log_table_column_strings(table, 9, &i64, NULL, &n), "out_values");
    CHECK_NULL(ferrule_log_table_column_strings(table, 9, &i64, &u8, NULL), "out_rows");
    CHECK_NULL(ferrule_log_table_column_codes(NULL, 8, &u32, &n), "table");
    CHECK_NULL(ferrule_log_table_column_codes(table, 8, NULL, &n), "out_codes");
    CHECK_NULL(ferrule_log_table_column_codes(table, 8, &u32, NULL), "out_len");
    CHECK_NULL(ferrule_log_table_dictionary(NULL, 8, &u32, &u8, &n), "table");
    CHECK_NULL(ferrule_log_table_dictionary(table, 8, NULL, &u8, &n), "out_offsets");
    CHECK_NULL(ferrule_log_table_dictionary(table, 8, &u32, NULL, &n), "out_values");
    CHECK_NULL(ferrule_log_table_dictionary(table, 8, &u32, &u8, NULL), "out_count");
    CHECK_NULL(ferrule_log_table_dictionary_pool(NULL, 8, &pool), "table");
    CHECK_NULL(ferrule_log_table_dictionary_pool(table, 8, NULL), "out_pool");
    CHECK_NULL(ferrule_log_table_error_count(NULL, &n), "table");
    CHECK_NULL(ferrule_log_table_error_count(table, NULL), "out_count");
    CHECK_NULL(ferrule_log_table_error(NULL, 0, &line, &u8, &n, &offset, &u8, &n), "table");
    CHECK_NULL(ferrule_log_table_error(table, 0, NULL, &u8, &n, &offset, &u8, &n), "out_line");
    CHECK_NULL(ferrule_log_table_error(table, 0, &line, NULL, &n, &offset, &u8, &n), "out_code");
    CHECK_NULL(ferrule_log_table_error(table, 0, &line, &u8, NULL, &offset, &u8, &n), "out_code_len");
    CHECK_NULL(ferrule_log_table_error(table, 0, &line, &u8, &n, NULL, &u8, &n), "out_offset");
    CHECK_NULL(ferrule_log_table_error(table, 0, &line, &u8, &n, &offset, NULL, &n), "out_text");
    CHECK_NULL(ferrule_log_table_error(table, 0, &line, &u8, &n, &offset, &u8, NULL), "out_text_len");
    CHECK_NULL(ferrule_log_table_stats(NULL, &stats), "table");
    CHECK_NULL(ferrule_log_table_stats(table, NULL), "out_stats");
    CHECK_NULL(ferrule_log_table_memory_usage(NULL, &n), "table");
    CHECK_NULL(ferrule_log_table_memory_usage(table, NULL), "out_bytes");

    /* Nothing was written, and the objects still work. */
    CHECK(format == NULL && out == NULL && out_parser == NULL && out_reader == NULL && pool == NULL);
    CHECK(ferrule_log_parser_push(parser, bytes(SMALL), sizeof SMALL - 1) == FERRULE_STATUS_OK);
    CHECK(ferrule_log_parser_finish(parser, &out) == FERRULE_STATUS_OK && num_rows(out) == 6);
    ferrule_log_table_free(out);
    CHECK(ferrule_log_reader_next(reader, &out) == FERRULE_STATUS_OK && num_rows(out) == 10);
    ferrule_log_table_free(out);
    size_t memory = 0;
    CHECK(ferrule_log_table_memory_usage(table, &memory) == FERRULE_STATUS_OK && memory > 0);

    ferrule_log_table_free(NULL);
    ferrule_log_parser_free(NULL);
    ferrule_log_reader_free(NULL);
    ferrule_log_format_free(NULL);
    ferrule_log_reader_free(reader);
    ferrule_log_parser_free(parser);
    ferrule_log_table_free(table);
}

/* Pointers stay valid after the reader, parser and format that made a table are gone. */
static void test_lifetimes(void) {
    ferrule_log_format *format = format_of("combined", FERRULE_LOG_FORMAT_PRESET);
    ferrule_log_reader *reader = NULL;
    CHECK(ferrule_log_reader_open(bytes(sample_path), strlen(sample_path), format, NULL, 100, &reader) ==
          FERRULE_STATUS_OK);
    ferrule_log_format_free(format);
    ferrule_log_table *first = NULL, *second = NULL;
    CHECK(ferrule_log_reader_next(reader, &first) == FERRULE_STATUS_OK);
    CHECK(ferrule_log_reader_next(reader, &second) == FERRULE_STATUS_OK);
    const uint32_t *offsets = NULL;
    const uint8_t *values = NULL;
    size_t count = 0;
    size_t client = column(first, "client");
    CHECK(ferrule_log_table_dictionary(first, client, &offsets, &values, &count) == FERRULE_STATUS_OK);
    /* Later batches extend the dictionary; the first batch's is unchanged. */
    const uint32_t *offsets2 = NULL;
    const uint8_t *values2 = NULL;
    size_t count2 = 0;
    CHECK(ferrule_log_table_dictionary(second, client, &offsets2, &values2, &count2) == FERRULE_STATUS_OK);
    CHECK(count2 >= count && memcmp(offsets2, offsets, (count + 1) * sizeof *offsets) == 0 &&
          memcmp(values2, values, offsets[count]) == 0);
    ferrule_log_reader_free(reader);
    ferrule_log_table_free(second);
    CHECK(count > 0 && same_str(values + offsets[0], offsets[1] - offsets[0], "83.149.9.216"));
    ferrule_log_table_free(first);
}

int main(int argc, char **argv) {
    if (argc > 1) sample_path = argv[1];
    sample = read_file(sample_path, &sample_len);
    if (sample == NULL || sample_len == 0) {
        fprintf(stderr, "cannot read the sample log %s (run from the repository root or pass its path)\n",
                sample_path);
        return 2;
    }
    char dir[] = "/tmp/ferrule-test-logs-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    ferrule_log_format *combined = format_of("combined", FERRULE_LOG_FORMAT_PRESET);

    test_formats();
    test_names();
    test_sample_file(combined);
    test_file_equals_bytes(combined);
    test_streaming_splits(combined);
    test_streaming_every_offset(combined);
    test_reader(combined);
    test_reader_trailing_empty_lines(combined, dir);
    test_gzip(combined, dir);
    test_io_errors(combined, dir);
    test_raise(combined);
    test_skip(combined);
    test_options(combined);
    test_wrong_types(combined);
    test_custom_formats();
    test_empty(combined);
    test_parser_lifecycle(combined);
    test_dictionary_pool(combined);
    test_threads(combined);
    test_null_pointers(combined);
    test_lifetimes();

    ferrule_log_format_free(combined);
    free(sample);
    rmdir(dir);
    return check_report();
}
