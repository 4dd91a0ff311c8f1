/* Churn through the C API and check that memory stays flat (issue #7, `make check-deep`).
 *
 * Creates and frees pools, formats, tables (a few lines parsed from memory), streaming parsers,
 * batch readers, structured data and dictionary pools; runs failing calls (whose messages are
 * kept per thread) and vector calls of every kind; N times per kind (argv[1], default
 * 1,000,000; threads that fail once and exit: N / 100). The resident set size (RSS, from
 * /proc/self/statm) is read during a warm-up of every kind (N / 20 iterations, at least 2000)
 * and at the end: the run fails (exit status 1) when it grew by more than 5% over the warm-up's
 * highest reading, or when any call returned an unexpected status.
 *
 *   scripts/deep/c_churn.sh [ITERATIONS]   builds against build/lib/libferrule.a and runs this */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const uint8_t *bytes(const char *s) { return (const uint8_t *)s; }

static const char LINES[] =
    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 2326 \"-\" \"curl/7\"\n"
    "::1 - bob [10/Oct/2000:13:55:37 +0130] \"POST /b?q=1 HTTP/1.1\" 404 - \"http://r/\" \"Mozilla\"\n"
    "bad line\n"
    "5.6.7.8 - - [10/Oct/2000:13:55:40 -0700] \"GET /last HTTP/1.0\" 200 1 \"-\" \"x\"\n";
enum { LINES_ROWS = 4 };

static ferrule_log_format *combined;
static char log_path[64];
static uint8_t pool_image[256];
static size_t pool_image_len;

enum { DIM = 32, ROWS = 16, K = 4 };
static float va[DIM], vb[DIM], matrix[ROWS * DIM], out_rows[ROWS], out_all[ROWS * ROWS], dists[K];
static double da[DIM], db[DIM];
static size_t idx[K];

/* The kinds: each runs one iteration and returns 1 when every call gave what it should. */

static int pool_kind(size_t i) {
    ferrule_pool *pool = NULL;
    uint32_t id = 0, ids[3] = {0};
    size_t count = 0;
    char value[32];
    int n = snprintf(value, sizeof value, "value-%zu", i);
    int ok = ferrule_pool_new(&pool) == FERRULE_STATUS_OK &&
             ferrule_pool_intern(pool, bytes("GET"), 3, &id) == FERRULE_STATUS_OK && id == 0 &&
             ferrule_pool_intern(pool, bytes(value), (size_t)n, &id) == FERRULE_STATUS_OK && id == 1 &&
             ferrule_pool_intern_lines(pool, bytes("a\nb\nGET\n"), 8, '\n', ids, 3, &count) == FERRULE_STATUS_OK &&
             count == 3 && ids[2] == 0;
    ferrule_pool_free(pool);
    return ok;
}

static int pool_serialize_kind(size_t i) {
    (void)i;
    ferrule_pool *pool = NULL;
    size_t len = 0, written = 0;
    uint8_t buf[256];
    int ok = ferrule_pool_deserialize(pool_image, pool_image_len, &pool) == FERRULE_STATUS_OK &&
             ferrule_pool_serialize(pool, NULL, 0, &len) == FERRULE_STATUS_OK && len == pool_image_len &&
             ferrule_pool_serialize(pool, buf, sizeof buf, &written) == FERRULE_STATUS_OK && written == len;
    ferrule_pool_free(pool);
    return ok;
}

static int format_kind(size_t i) {
    static const char *const specs[] = {"combined", "$remote_addr [$time_local] \"$request\" $status",
                                        "%h %l %u %t \"%r\" %>s %b", "<Date> <Level> <Content>"};
    static const uint32_t kinds[] = {FERRULE_LOG_FORMAT_PRESET, FERRULE_LOG_FORMAT_NGINX, FERRULE_LOG_FORMAT_APACHE,
                                     FERRULE_LOG_FORMAT_TEMPLATE};
    ferrule_log_format *format = NULL;
    int ok = ferrule_log_format_parse(bytes(specs[i % 4]), strlen(specs[i % 4]), kinds[i % 4], &format) ==
             FERRULE_STATUS_OK;
    ferrule_log_format_free(format);
    return ok;
}

static int rows_of(const ferrule_log_table *table, size_t want) {
    size_t rows = 0;
    return table != NULL && ferrule_log_table_num_rows(table, &rows) == FERRULE_STATUS_OK && rows == want;
}

static int table_kind(size_t i) {
    (void)i;
    ferrule_log_options options = {.threads = 1};
    ferrule_log_table *table = NULL;
    ferrule_pool *dictionary = NULL;
    size_t method = 0;
    int ok = ferrule_log_parse_bytes(bytes(LINES), sizeof LINES - 1, combined, &options, &table) == FERRULE_STATUS_OK &&
             rows_of(table, LINES_ROWS) &&
             ferrule_log_table_column_index(table, bytes("method"), 6, &method) == FERRULE_STATUS_OK &&
             ferrule_log_table_dictionary_pool(table, method, &dictionary) == FERRULE_STATUS_OK;
    ferrule_pool_free(dictionary);
    ferrule_log_table_free(table);
    return ok;
}

static int parser_kind(size_t i) {
    ferrule_log_parser *parser = NULL;
    ferrule_log_table *first = NULL, *rest = NULL;
    size_t cut = 1 + i % (sizeof LINES - 2); /* anywhere, also inside a line */
    int ok = ferrule_log_parser_new(combined, NULL, &parser) == FERRULE_STATUS_OK &&
             ferrule_log_parser_push(parser, bytes(LINES), cut) == FERRULE_STATUS_OK &&
             ferrule_log_parser_take_batch(parser, &first) == FERRULE_STATUS_OK &&
             ferrule_log_parser_push(parser, bytes(LINES) + cut, sizeof LINES - 1 - cut) == FERRULE_STATUS_OK &&
             ferrule_log_parser_finish(parser, &rest) == FERRULE_STATUS_OK;
    size_t a = 0, b = 0;
    ok = ok && ferrule_log_table_num_rows(first, &a) == FERRULE_STATUS_OK &&
         ferrule_log_table_num_rows(rest, &b) == FERRULE_STATUS_OK && a + b == LINES_ROWS;
    ferrule_log_table_free(first);
    ferrule_log_table_free(rest);
    /* Every other parser is freed with a line still pending. */
    if (i % 2 == 1) {
        ferrule_log_parser_free(parser);
        parser = NULL;
        ok = ok && ferrule_log_parser_new(combined, NULL, &parser) == FERRULE_STATUS_OK &&
             ferrule_log_parser_push(parser, bytes(LINES), 30) == FERRULE_STATUS_OK;
    }
    ferrule_log_parser_free(parser);
    return ok;
}

static int reader_kind(size_t i) {
    ferrule_log_reader *reader = NULL;
    ferrule_log_table *batch = NULL;
    int ok = ferrule_log_reader_open(bytes(log_path), strlen(log_path), combined, NULL, 3, &reader) ==
                 FERRULE_STATUS_OK &&
             ferrule_log_reader_next(reader, &batch) == FERRULE_STATUS_OK && rows_of(batch, 3);
    ferrule_log_table_free(batch);
    if (i % 2 == 0) { /* read to the end half of the time, else free with rows left */
        batch = NULL;
        ok = ok && ferrule_log_reader_next(reader, &batch) == FERRULE_STATUS_OK && rows_of(batch, 1);
        ferrule_log_table_free(batch);
        batch = (ferrule_log_table *)&batch;
        ok = ok && ferrule_log_reader_next(reader, &batch) == FERRULE_STATUS_OK && batch == NULL;
    }
    ferrule_log_reader_free(reader);
    return ok;
}

static int sd_kind(size_t i) {
    (void)i;
    static const char sd_text[] = "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\\"x\\]\"][timeQuality]";
    ferrule_sd *sd = NULL;
    size_t count = 0;
    int ok = ferrule_log_structured_data_parse(bytes(sd_text), sizeof sd_text - 1, &sd) == FERRULE_STATUS_OK &&
             ferrule_sd_count(sd, &count) == FERRULE_STATUS_OK && count == 2;
    ferrule_sd_free(sd);
    return ok;
}

/* Calls that fail: each replaces this thread's message; a raise-mode parse keeps a location. */
static int failure_kind(size_t i) {
    ferrule_metric metric;
    ferrule_pool *pool = NULL;
    ferrule_log_table *table = NULL;
    ferrule_log_options raise = {.on_error = FERRULE_ON_ERROR_RAISE, .threads = 1};
    char name[32];
    int n = snprintf(name, sizeof name, "no-such-metric-%zu", i);
    return ferrule_vec_metric_parse(bytes(name), (size_t)n, &metric) == FERRULE_STATUS_INVALID_ARGUMENT &&
           ferrule_pool_deserialize(pool_image, pool_image_len - 1, &pool) == FERRULE_STATUS_CORRUPT && pool == NULL &&
           ferrule_log_parse_bytes(bytes(LINES), sizeof LINES - 1, combined, &raise, &table) == FERRULE_STATUS_PARSE &&
           table == NULL && ferrule_vec_topk_f32(va, 1, DIM, matrix, ROWS, DIM, DIM, ROWS + 1, FERRULE_METRIC_DOT, NULL,
                                                 idx, dists, K) == FERRULE_STATUS_INVALID_ARGUMENT;
}

static void *failing_thread(void *arg) {
    ferrule_metric metric;
    *(int *)arg = ferrule_vec_metric_parse(bytes("nope"), 4, &metric) == FERRULE_STATUS_INVALID_ARGUMENT;
    return NULL;
}

/* A thread that fails once and exits: its message must be freed with it. */
static int thread_kind(size_t i) {
    (void)i;
    pthread_t thread;
    int ok = 0;
    if (pthread_create(&thread, NULL, failing_thread, &ok) != 0) return 0;
    pthread_join(thread, NULL);
    return ok;
}

static int vector_1to1_kind(size_t i) {
    float f = 0;
    double d = 0, mean = 0;
    size_t arg = 0;
    uint32_t metric = (uint32_t)(i % 5);
    return ferrule_vec_dot_f32(va, vb, DIM, &f) == FERRULE_STATUS_OK &&
           ferrule_vec_distance_f32(metric, (uint32_t)(i % 2), va, vb, DIM, &f) == FERRULE_STATUS_OK &&
           ferrule_vec_distance_f64(metric, FERRULE_PRECISION_FAST, da, db, DIM, &d) == FERRULE_STATUS_OK &&
           ferrule_vec_sum_f64(da, DIM, FERRULE_PRECISION_ACCURATE, &d) == FERRULE_STATUS_OK &&
           ferrule_vec_mean_f32(va, DIM, &mean) == FERRULE_STATUS_OK &&
           ferrule_vec_argmax_f32(va, DIM, &arg) == FERRULE_STATUS_OK;
}

static int vector_elementwise_kind(size_t i) {
    float out[DIM];
    double dout[DIM];
    return ferrule_vec_axpy_f32((float)(i % 3), va, vb, DIM, out) == FERRULE_STATUS_OK &&
           ferrule_vec_normalize_f32(out, DIM, out) == FERRULE_STATUS_OK &&
           ferrule_vec_fma_f64(da, db, da, DIM, dout) == FERRULE_STATUS_OK;
}

static int vector_batch_kind(size_t i) {
    ferrule_vec_options one = {FERRULE_PRECISION_FAST, 1};
    uint32_t metric = (uint32_t)(i % 5);
    return ferrule_vec_one_to_many_f32(va, DIM, matrix, ROWS, DIM, metric, &one, out_rows, ROWS) == FERRULE_STATUS_OK &&
           ferrule_vec_cdist_f32(matrix, 4, DIM, matrix, ROWS, DIM, DIM, metric, &one, out_all, ROWS * ROWS) ==
               FERRULE_STATUS_OK &&
           ferrule_vec_topk_f32(va, 1, DIM, matrix, ROWS, DIM, DIM, K, metric, &one, idx, dists, K) == FERRULE_STATUS_OK;
}

/* The same on ferrule's shared thread pool (options NULL: all cores). */
static int vector_batch_shared_kind(size_t i) {
    uint32_t metric = (uint32_t)(i % 5);
    return ferrule_vec_cdist_f32(matrix, ROWS, DIM, matrix, ROWS, DIM, DIM, metric, NULL, out_all, ROWS * ROWS) ==
               FERRULE_STATUS_OK &&
           ferrule_vec_topk_f32(matrix, 2, DIM, matrix, ROWS, DIM, DIM, K, metric, NULL, idx, dists, K) ==
               FERRULE_STATUS_LENGTH_MISMATCH /* room for one query of two: fails before any work */
           && ferrule_vec_topk_f32(va, 1, DIM, matrix, ROWS, DIM, DIM, K, metric, NULL, idx, dists, K) ==
                  FERRULE_STATUS_OK;
}

typedef struct {
    const char *name;
    int (*run)(size_t i);
    size_t divisor; /* iterations = N / divisor */
} kind;

static const kind KINDS[] = {
    {"pool new, intern, free", pool_kind, 1},
    {"pool deserialize, serialize, free", pool_serialize_kind, 1},
    {"format parse, free", format_kind, 1},
    {"table parse (4 lines), dictionary pool, free", table_kind, 1},
    {"streaming parser new, push, take, finish, free", parser_kind, 1},
    {"batch reader open, next, free", reader_kind, 1},
    {"structured data parse, free", sd_kind, 1},
    {"failing calls (messages, locations)", failure_kind, 1},
    {"threads failing once and exiting", thread_kind, 100},
    {"vector 1:1 and reductions", vector_1to1_kind, 1},
    {"vector element-wise", vector_elementwise_kind, 1},
    {"vector one_to_many, cdist, topk (1 thread)", vector_batch_kind, 1},
    {"vector cdist, topk (shared pool)", vector_batch_shared_kind, 1},
};
enum { NKINDS = sizeof KINDS / sizeof KINDS[0] };

static double rss_mb(void) {
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return -1;
    int got = fscanf(f, "%ld %ld", &size, &resident);
    fclose(f);
    return got == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0) : -1;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs `count` iterations of a kind from `start`; returns the number that failed. */
static size_t run_kind(const kind *k, size_t start, size_t count) {
    size_t failures = 0;
    for (size_t i = start; i < start + count; i++) {
        if (!k->run(i)) {
            if (failures == 0) {
                char message[512] = "";
                ferrule_last_error_message(message, sizeof message, NULL);
                fprintf(stderr, "%s: iteration %zu failed (last error: %s)\n", k->name, i, message);
            }
            failures++;
        }
    }
    return failures;
}

static int setup(void) {
    for (size_t i = 0; i < DIM; i++) {
        va[i] = (float)(i % 7) - 3.0f, vb[i] = (float)(i % 5) * 0.5f;
        da[i] = va[i], db[i] = vb[i];
    }
    for (size_t i = 0; i < ROWS * DIM; i++) matrix[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    if (ferrule_log_format_parse(bytes("combined"), 8, FERRULE_LOG_FORMAT_PRESET, &combined) != FERRULE_STATUS_OK)
        return 0;
    ferrule_pool *pool = NULL;
    uint32_t id;
    int ok = ferrule_pool_new(&pool) == FERRULE_STATUS_OK &&
             ferrule_pool_intern(pool, bytes("GET"), 3, &id) == FERRULE_STATUS_OK &&
             ferrule_pool_intern(pool, bytes("POST"), 4, &id) == FERRULE_STATUS_OK &&
             ferrule_pool_serialize(pool, pool_image, sizeof pool_image, &pool_image_len) == FERRULE_STATUS_OK;
    ferrule_pool_free(pool);
    snprintf(log_path, sizeof log_path, "/tmp/ferrule-churn-XXXXXX");
    int fd = mkstemp(log_path);
    if (fd < 0) return 0;
    ok = ok && write(fd, LINES, sizeof LINES - 1) == (ssize_t)(sizeof LINES - 1);
    close(fd);
    return ok;
}

int main(int argc, char **argv) {
    size_t iterations = 1000000;
    if (argc > 1) {
        char *end = NULL;
        unsigned long long n = strtoull(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || n == 0) {
            fprintf(stderr, "usage: %s [ITERATIONS per kind, default 1000000]\n", argv[0]);
            return 2;
        }
        iterations = (size_t)n;
    }
    if (!setup()) {
        fprintf(stderr, "setup failed\n");
        return 2;
    }
    double started = now();
    size_t warmup = iterations / 20 > 2000 ? iterations / 20 : 2000, failures = 0;
    printf("c_churn: %zu iterations per kind (ferrule %s), warm-up %zu per kind\n", iterations, ferrule_version(),
           warmup);
    /* The baseline is the highest RSS seen during the warm-up (read after each kind): the
     * allocator returns the top of its heap once more than 128 kB are free there, so a single
     * reading of a ~3 MB process can be that much lower than its steady state. */
    double baseline = 0;
    for (int k = 0; k < NKINDS; k++) {
        failures += run_kind(&KINDS[k], 0, warmup / KINDS[k].divisor + 1);
        double rss = rss_mb();
        if (rss > baseline) baseline = rss;
    }
    printf("RSS after the warm-up: %.2f MB at most (%.1f s)\n", baseline, now() - started);
    for (int k = 0; k < NKINDS; k++) {
        size_t count = iterations / KINDS[k].divisor;
        if (count == 0) count = 1;
        double t0 = now();
        failures += run_kind(&KINDS[k], warmup, count);
        double seconds = now() - t0;
        printf("  %-48s %9zu x %7.2f s %8.2f us/iteration  RSS %.2f MB\n", KINDS[k].name, count, seconds,
               seconds * 1e6 / (double)count, rss_mb());
        fflush(stdout);
    }
    double end = rss_mb(), growth = baseline > 0 ? (end - baseline) / baseline * 100.0 : 0;
    int flat = baseline > 0 && end >= 0 && end <= baseline * 1.05;
    printf("RSS: %.2f MB after the warm-up, %.2f MB at the end (%+.1f%%; limit +5%%): %s\n", baseline, end, growth,
           flat ? "flat" : "GREW");
    printf("failed iterations: %zu\n", failures);
    printf("runtime: %.1f s\n", now() - started);
    ferrule_log_format_free(combined);
    unlink(log_path);
    return flat && failures == 0 ? 0 : 1;
}
