/* Concurrency tests of libferrule through its C API (issue #7), run plain and under valgrind by
 * `make test-c`: every thread gets what a lone caller gets.
 * - One string pool shared by 8 threads interning overlapping values through every intern call,
 *   while they also look values up, resolve, count and serialize: every value gets exactly one id,
 *   the ids are 0..n-1, every id resolves to its bytes at a fixed address, and the pool equals a
 *   single-threaded one.
 * - A log table parsed on one thread and read at once by several others through every accessor
 *   (all nine column types, validity, dictionaries and their pools, failed lines, stats): each
 *   reader sees exactly the table a single-threaded parse gives. Also one streaming parser fed by
 *   several threads at once, and one batch reader drained by several threads at once.
 * - Every vector function called from 8 threads at once (with different thread options): results
 *   identical, bit for bit, to the single-threaded ones.
 * - ferrule_last_error_message and ferrule_log_last_error are per thread: one thread's failures
 *   never show in another's.
 * An alarm ends a deadlocked run. Prints one line per failed check and ends with
 * "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { THREADS = 8 };

static const char *last_error(void) {
    static _Thread_local char buf[512];
    if (ferrule_last_error_message(buf, sizeof buf, NULL) != FERRULE_STATUS_OK) return "<no message>";
    return buf;
}

static const uint8_t *bytes(const char *s) { return (const uint8_t *)s; }

static void *xmalloc(size_t size) {
    void *p = malloc(size > 0 ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* Starts `n` threads running `body(args + i * size)`; returns how many started. */
static int start_all(pthread_t *threads, int n, void *(*body)(void *), void *args, size_t size) {
    int started = 0;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&threads[i], NULL, body, (char *)args + (size_t)i * size) != 0) break;
        started++;
    }
    return started;
}

static void join_all(pthread_t *threads, int n) {
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
}

/* FNV-1a over everything a reader saw: equal digests mean equal reads. */
typedef struct {
    uint64_t h;
    int ok;
} digest;

static void mix(digest *d, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        d->h ^= p[i];
        d->h *= 1099511628211ULL;
    }
}

static void mix_u64(digest *d, uint64_t v) { mix(d, &v, sizeof v); }

/* --------------------------------------------------------------------------------------------
 * One pool, many threads. */

enum { POOL_VALUES = 4000, POOL_GROUP = 40, POOL_WINDOW = POOL_VALUES / 2 };

static char value_text[POOL_VALUES][32];
static size_t value_len[POOL_VALUES];

/* Value i: some special ones (empty, with a NUL, not UTF-8), the others of varying lengths. No
 * value holds '\n' (intern_lines splits at it) or ends with '\r'. */
static void make_values(void) {
    for (size_t i = 0; i < POOL_VALUES; i++) {
        char *s = value_text[i];
        if (i == 0) {
            value_len[i] = 0;
        } else if (i == 1) {
            memcpy(s, "a\0b", 3);
            value_len[i] = 3;
        } else if (i == 2) {
            memcpy(s, "\xff\xfe\x80", 3);
            value_len[i] = 3;
        } else {
            int n = snprintf(s, sizeof value_text[i], "v%05zu-", i);
            size_t extra = (i * 7) % 13;
            for (size_t k = 0; k < extra; k++) s[n + (int)k] = (char)('a' + (i + k) % 26);
            value_len[i] = (size_t)n + extra;
        }
    }
}

typedef struct {
    ferrule_pool *pool;
    int t;
    uint32_t ids[POOL_VALUES]; /* UINT32_MAX: not interned by this thread */
    const uint8_t *first_ptr;  /* where the thread's first value lives */
    uint32_t first_id;
    int ok;
    char why[160];
} pool_worker;

static void pool_fail(pool_worker *w, const char *what) {
    if (w->ok) snprintf(w->why, sizeof w->why, "thread %d: %s (%s)", w->t, what, last_error());
    w->ok = 0;
}

static int resolves_to(const ferrule_pool *pool, uint32_t id, size_t value) {
    const uint8_t *ptr = NULL;
    size_t len = SIZE_MAX;
    if (ferrule_pool_resolve(pool, id, &ptr, &len) != FERRULE_STATUS_OK) return 0;
    return ptr != NULL && len == value_len[value] && memcmp(ptr, value_text[value], len) == 0;
}

/* Interns `count` values (their indices in `idx`) with intern call `method`, storing the ids. */
static void intern_group(pool_worker *w, const size_t *idx, size_t count, int method) {
    uint32_t ids[POOL_GROUP];
    if (method == 0) {
        for (size_t k = 0; k < count; k++) {
            if (ferrule_pool_intern(w->pool, bytes(value_text[idx[k]]), value_len[idx[k]], &ids[k]) !=
                FERRULE_STATUS_OK)
                pool_fail(w, "ferrule_pool_intern");
        }
    } else if (method == 1 || method == 2) {
        /* Arrow layout; the large variant as a slice whose first offset is not 0. */
        uint8_t data[POOL_GROUP * 32 + 8];
        int32_t off32[POOL_GROUP + 1];
        int64_t off64[POOL_GROUP + 1];
        size_t at = method == 2 ? 5 : 0;
        memset(data, '#', at);
        for (size_t k = 0; k < count; k++) {
            off32[k] = (int32_t)at;
            off64[k] = (int64_t)at;
            memcpy(data + at, value_text[idx[k]], value_len[idx[k]]);
            at += value_len[idx[k]];
        }
        off32[count] = (int32_t)at;
        off64[count] = (int64_t)at;
        ferrule_status status = method == 1 ? ferrule_pool_intern_many(w->pool, data, off32, count, ids)
                                            : ferrule_pool_intern_many_large(w->pool, data, off64, count, ids);
        if (status != FERRULE_STATUS_OK) pool_fail(w, "ferrule_pool_intern_many");
    } else {
        uint8_t data[POOL_GROUP * 33];
        size_t at = 0, got = 0;
        for (size_t k = 0; k < count; k++) {
            memcpy(data + at, value_text[idx[k]], value_len[idx[k]]);
            at += value_len[idx[k]];
            data[at++] = '\n';
        }
        if (ferrule_pool_intern_lines(w->pool, data, at, '\n', ids, POOL_GROUP, &got) != FERRULE_STATUS_OK ||
            got != count)
            pool_fail(w, "ferrule_pool_intern_lines");
    }
    if (!w->ok) return;
    for (size_t k = 0; k < count; k++) {
        if (w->ids[idx[k]] != UINT32_MAX && w->ids[idx[k]] != ids[k]) pool_fail(w, "a value changed its id");
        w->ids[idx[k]] = ids[k];
        if (!resolves_to(w->pool, ids[k], idx[k])) pool_fail(w, "an id does not resolve to its value");
    }
}

/* A snapshot taken while others intern: a consistent pool whose ids all mean what they mean in
 * the live pool. */
static void check_snapshot(pool_worker *w) {
    uint8_t *buf = NULL;
    size_t need = 0, written = 0;
    ferrule_status status = FERRULE_STATUS_LENGTH_MISMATCH;
    for (int attempt = 0; attempt < 50 && status == FERRULE_STATUS_LENGTH_MISMATCH; attempt++) {
        free(buf);
        buf = NULL;
        if (ferrule_pool_serialize(w->pool, NULL, 0, &need) != FERRULE_STATUS_OK) break;
        buf = xmalloc(need + 64); /* room for a few values more, so that retries are rare */
        status = ferrule_pool_serialize(w->pool, buf, need + 64, &written);
    }
    if (status != FERRULE_STATUS_OK) {
        pool_fail(w, "ferrule_pool_serialize");
        free(buf);
        return;
    }
    ferrule_pool *copy = NULL;
    size_t copy_len = 0, live_len = 0;
    if (ferrule_pool_deserialize(buf, written, &copy) != FERRULE_STATUS_OK ||
        ferrule_pool_len(copy, &copy_len) != FERRULE_STATUS_OK ||
        ferrule_pool_len(w->pool, &live_len) != FERRULE_STATUS_OK || copy_len > live_len) {
        pool_fail(w, "the snapshot does not deserialize");
    } else {
        for (uint32_t id = 0; id < copy_len && w->ok; id++) {
            const uint8_t *a = NULL, *b = NULL;
            size_t al = 0, bl = 0;
            if (ferrule_pool_resolve(copy, id, &a, &al) != FERRULE_STATUS_OK ||
                ferrule_pool_resolve(w->pool, id, &b, &bl) != FERRULE_STATUS_OK || al != bl ||
                memcmp(a, b, al) != 0)
                pool_fail(w, "a snapshot id differs from the live pool");
        }
    }
    ferrule_pool_free(copy);
    free(buf);
}

static void *pool_main(void *arg) {
    pool_worker *w = arg;
    w->ok = 1;
    for (size_t i = 0; i < POOL_VALUES; i++) w->ids[i] = UINT32_MAX;
    size_t start = (size_t)w->t * (POOL_VALUES / THREADS);
    size_t order[POOL_WINDOW];
    for (size_t j = 0; j < POOL_WINDOW; j++) {
        size_t k = (w->t % 2) ? POOL_WINDOW - 1 - j : j; /* odd threads walk backwards */
        order[j] = (start + k) % POOL_VALUES;
    }
    size_t last_len = 0;
    for (size_t g = 0; g * POOL_GROUP < POOL_WINDOW && w->ok; g++) {
        const size_t *idx = order + g * POOL_GROUP;
        intern_group(w, idx, POOL_GROUP, (int)((g + (size_t)w->t) % 4));
        if (g == 0) {
            w->first_id = w->ids[idx[0]];
            size_t len = 0;
            if (ferrule_pool_resolve(w->pool, w->first_id, &w->first_ptr, &len) != FERRULE_STATUS_OK)
                pool_fail(w, "ferrule_pool_resolve");
        }
        /* Lookups of values this thread interned before: found, with the same id. */
        size_t back = idx[0];
        bool found = false;
        uint32_t id = UINT32_MAX;
        if (ferrule_pool_get(w->pool, bytes(value_text[back]), value_len[back], &found, &id) != FERRULE_STATUS_OK ||
            !found || id != w->ids[back])
            pool_fail(w, "ferrule_pool_get");
        /* The length never shrinks and covers every id handed out. */
        size_t len = 0, memory = 0;
        if (ferrule_pool_len(w->pool, &len) != FERRULE_STATUS_OK || len < last_len || len > POOL_VALUES)
            pool_fail(w, "ferrule_pool_len");
        for (size_t k = 0; k < POOL_GROUP; k++) {
            if (w->ids[idx[k]] >= len) pool_fail(w, "an id at or past the length");
        }
        last_len = len;
        if (ferrule_pool_memory_usage(w->pool, &memory) != FERRULE_STATUS_OK || memory == 0)
            pool_fail(w, "ferrule_pool_memory_usage");
        if (g % 10 == 5) check_snapshot(w);
    }
    return NULL;
}

static void test_shared_pool(void) {
    ferrule_pool *pool = NULL;
    CHECK(ferrule_pool_new(&pool) == FERRULE_STATUS_OK);
    if (pool == NULL) return;
    static pool_worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].pool = pool;
        workers[t].t = t;
    }
    int started = start_all(threads, THREADS, pool_main, workers, sizeof workers[0]);
    CHECK(started == THREADS);
    join_all(threads, started);
    for (int t = 0; t < started; t++) {
        CHECK(workers[t].ok);
        if (!workers[t].ok) fprintf(stderr, "  %s\n", workers[t].why);
    }

    /* Every value got one id, whichever thread asked; the ids are exactly 0..n-1. */
    uint32_t id_of[POOL_VALUES];
    unsigned char seen[POOL_VALUES];
    memset(seen, 0, sizeof seen);
    int agree = 1, covered = 1, dense = 1, resolve = 1;
    for (size_t i = 0; i < POOL_VALUES; i++) {
        id_of[i] = UINT32_MAX;
        for (int t = 0; t < started; t++) {
            uint32_t id = workers[t].ids[i];
            if (id == UINT32_MAX) continue;
            if (id_of[i] != UINT32_MAX && id_of[i] != id) agree = 0;
            id_of[i] = id;
        }
        if (id_of[i] == UINT32_MAX) {
            covered = 0;
            continue;
        }
        if (id_of[i] >= POOL_VALUES || seen[id_of[i]]) {
            dense = 0;
            continue;
        }
        seen[id_of[i]] = 1;
        if (!resolves_to(pool, id_of[i], i)) resolve = 0;
    }
    size_t len = 0;
    CHECK(ferrule_pool_len(pool, &len) == FERRULE_STATUS_OK && len == POOL_VALUES);
    CHECK(agree);
    CHECK(covered);
    CHECK(dense);
    CHECK(resolve);

    /* Values never moved while the others interned. */
    int fixed = 1;
    for (int t = 0; t < started; t++) {
        const uint8_t *ptr = NULL;
        size_t n = 0;
        if (ferrule_pool_resolve(pool, workers[t].first_id, &ptr, &n) != FERRULE_STATUS_OK || ptr != workers[t].first_ptr)
            fixed = 0;
    }
    CHECK(fixed);

    /* A lone caller now gets the same ids, and the pool does not grow. */
    int same = 1;
    for (size_t i = 0; i < POOL_VALUES; i++) {
        uint32_t id = UINT32_MAX;
        if (ferrule_pool_intern(pool, bytes(value_text[i]), value_len[i], &id) != FERRULE_STATUS_OK || id != id_of[i])
            same = 0;
    }
    CHECK(same);
    CHECK(ferrule_pool_len(pool, &len) == FERRULE_STATUS_OK && len == POOL_VALUES);

    /* The same values interned by one thread: the same set, the same size once serialized. */
    ferrule_pool *single = NULL;
    CHECK(ferrule_pool_new(&single) == FERRULE_STATUS_OK);
    int found_all = 1;
    for (size_t i = 0; i < POOL_VALUES && single; i++) {
        uint32_t id = 0;
        if (ferrule_pool_intern(single, bytes(value_text[i]), value_len[i], &id) != FERRULE_STATUS_OK || id != i)
            found_all = 0;
    }
    size_t single_len = 0, size_a = 0, size_b = 0;
    CHECK(ferrule_pool_len(single, &single_len) == FERRULE_STATUS_OK && single_len == len);
    for (size_t id = 0; id < len && single; id++) {
        const uint8_t *ptr = NULL;
        size_t n = 0;
        bool found = false;
        uint32_t other = UINT32_MAX;
        if (ferrule_pool_resolve(pool, (uint32_t)id, &ptr, &n) != FERRULE_STATUS_OK ||
            ferrule_pool_get(single, ptr, n, &found, &other) != FERRULE_STATUS_OK || !found || id_of[other] != id)
            found_all = 0;
    }
    CHECK(found_all);
    CHECK(ferrule_pool_serialize(pool, NULL, 0, &size_a) == FERRULE_STATUS_OK);
    CHECK(ferrule_pool_serialize(single, NULL, 0, &size_b) == FERRULE_STATUS_OK);
    CHECK(size_a == size_b && size_a > 0);
    ferrule_pool_free(single);
    ferrule_pool_free(pool);
}

/* --------------------------------------------------------------------------------------------
 * Log tables: parsed on one thread, read on many. */

enum { LOG_LINES = 1200, READERS = 6, READ_ROUNDS = 2 };

static const char *const METHODS[] = {"GET", "POST", "HEAD", "PUT", "DELETE"};

/* A combined-format log of `lines` lines, every 37th one broken, each with a path naming its
 * line ("/p/<line>") so that rows can be matched to lines. Caller frees. */
static char *make_access_log(size_t lines, size_t *out_len) {
    size_t cap = lines * 220 + 1, len = 0;
    char *text = xmalloc(cap);
    for (size_t i = 1; i <= lines; i++) {
        int n;
        if (i % 37 == 0) {
            n = snprintf(text + len, cap - len, "10.0.%zu.%zu - - [broken line %zu\n", i % 7, i % 250, i);
        } else {
            n = snprintf(text + len, cap - len,
                         "10.0.%zu.%zu - %s [%02zu/Mar/2024:%02zu:%02zu:%02zu %c%02zu00] \"%s /p/%zu?q=%zu "
                         "HTTP/1.1\" %d %s \"%s\" \"agent/%zu\"\n",
                         i % 7, i % 250, i % 5 ? "-" : "alice", 1 + i % 28, i % 24, i % 60, (i * 7) % 60,
                         i % 3 ? '+' : '-', i % 12, METHODS[i % 5], i, i % 11, i % 9 ? 200 : 404,
                         i % 13 ? "512" : "-", i % 4 ? "-" : "http://example.com/", i % 17);
        }
        len += (size_t)n;
    }
    *out_len = len;
    return text;
}

/* JSON lines with int64, float64, bool and string columns, some nulls and a broken line. */
static char *make_jsonl(size_t lines, size_t *out_len) {
    size_t cap = lines * 120 + 1, len = 0;
    char *text = xmalloc(cap);
    for (size_t i = 1; i <= lines; i++) {
        int n;
        if (i % 41 == 0) {
            n = snprintf(text + len, cap - len, "{\"n\": %zu, \"broken\": \n", i);
        } else {
            n = snprintf(text + len, cap - len,
                         "{\"n\": %zu, \"ms\": %zu.%02zu, \"ok\": %s, \"lvl\": \"%s\", \"msg\": \"m%zu\"%s}\n", i,
                         i % 300, i % 100, i % 3 ? "true" : "false", i % 4 ? "info" : "warn", i,
                         i % 7 ? "" : ", \"extra\": null");
        }
        len += (size_t)n;
    }
    *out_len = len;
    return text;
}

static ferrule_log_format *preset(const char *name) {
    ferrule_log_format *format = NULL;
    if (ferrule_log_format_parse(bytes(name), strlen(name), FERRULE_LOG_FORMAT_PRESET, &format) != FERRULE_STATUS_OK) {
        fprintf(stderr, "cannot compile %s: %s\n", name, last_error());
        exit(2);
    }
    return format;
}

/* Reads a whole column through the accessor of its type (and the wrong accessor, which must
 * fail). */
static void read_column(digest *d, const ferrule_log_table *table, size_t c, ferrule_log_column_type type,
                        size_t rows) {
    const void *values = NULL;
    size_t len = SIZE_MAX, size = 0;
    ferrule_status status = FERRULE_STATUS_INTERNAL;
    switch (type) {
    case FERRULE_LOG_COLUMN_UINT64:
        status = ferrule_log_table_column_u64(table, c, (const uint64_t **)&values, &len);
        size = sizeof(uint64_t);
        break;
    case FERRULE_LOG_COLUMN_UINT16:
        status = ferrule_log_table_column_u16(table, c, (const uint16_t **)&values, &len);
        size = sizeof(uint16_t);
        break;
    case FERRULE_LOG_COLUMN_INT16:
        status = ferrule_log_table_column_i16(table, c, (const int16_t **)&values, &len);
        size = sizeof(int16_t);
        break;
    case FERRULE_LOG_COLUMN_INT64:
        status = ferrule_log_table_column_i64(table, c, (const int64_t **)&values, &len);
        size = sizeof(int64_t);
        break;
    case FERRULE_LOG_COLUMN_FLOAT64:
        status = ferrule_log_table_column_f64(table, c, (const double **)&values, &len);
        size = sizeof(double);
        break;
    case FERRULE_LOG_COLUMN_TIMESTAMP:
        status = ferrule_log_table_column_timestamp(table, c, (const int64_t **)&values, &len);
        size = sizeof(int64_t);
        break;
    case FERRULE_LOG_COLUMN_BOOL:
        status = ferrule_log_table_column_bool(table, c, (const uint8_t **)&values, &len);
        size = 1;
        break;
    case FERRULE_LOG_COLUMN_STRING: {
        const int64_t *offsets = NULL;
        const uint8_t *data = NULL;
        if (ferrule_log_table_column_strings(table, c, &offsets, &data, &len) != FERRULE_STATUS_OK || len != rows ||
            offsets == NULL || data == NULL || offsets[0] != 0) {
            d->ok = 0;
            return;
        }
        mix(d, offsets, (rows + 1) * sizeof *offsets);
        mix(d, data, (size_t)offsets[rows]);
        status = FERRULE_STATUS_OK;
        break;
    }
    case FERRULE_LOG_COLUMN_DICTIONARY: {
        const uint32_t *codes = NULL, *offsets = NULL;
        const uint8_t *data = NULL;
        size_t count = 0, pool_len = 0;
        if (ferrule_log_table_column_codes(table, c, &codes, &len) != FERRULE_STATUS_OK || len != rows ||
            ferrule_log_table_dictionary(table, c, &offsets, &data, &count) != FERRULE_STATUS_OK || offsets[0] != 0) {
            d->ok = 0;
            return;
        }
        for (size_t r = 0; r < rows; r++) {
            if (codes[r] >= count && !(count == 0 && codes[r] == 0)) d->ok = 0;
        }
        mix(d, codes, rows * sizeof *codes);
        mix(d, offsets, (count + 1) * sizeof *offsets);
        mix(d, data, offsets[count]);
        /* The dictionary as a pool: the same values under the same ids. */
        ferrule_pool *pool = NULL;
        if (ferrule_log_table_dictionary_pool(table, c, &pool) != FERRULE_STATUS_OK ||
            ferrule_pool_len(pool, &pool_len) != FERRULE_STATUS_OK || pool_len != count) {
            d->ok = 0;
        } else {
            for (size_t v = 0; v < count; v++) {
                const uint8_t *ptr = NULL;
                size_t n = 0;
                if (ferrule_pool_resolve(pool, (uint32_t)v, &ptr, &n) != FERRULE_STATUS_OK ||
                    n != offsets[v + 1] - offsets[v] || memcmp(ptr, data + offsets[v], n) != 0)
                    d->ok = 0;
            }
        }
        ferrule_pool_free(pool);
        status = FERRULE_STATUS_OK;
        break;
    }
    default:
        d->ok = 0;
        return;
    }
    if (status != FERRULE_STATUS_OK) {
        d->ok = 0;
        return;
    }
    if (size > 0) {
        if (values == NULL || len != rows) {
            d->ok = 0;
            return;
        }
        mix(d, values, rows * size);
    }
    /* A wrong accessor fails and leaves its outputs alone. */
    const uint64_t *u64 = NULL;
    const uint32_t *u32 = NULL;
    size_t untouched = 77;
    if (type != FERRULE_LOG_COLUMN_UINT64) {
        if (ferrule_log_table_column_u64(table, c, &u64, &untouched) != FERRULE_STATUS_INVALID_ARGUMENT) d->ok = 0;
    } else if (ferrule_log_table_column_codes(table, c, &u32, &untouched) != FERRULE_STATUS_INVALID_ARGUMENT) {
        d->ok = 0;
    }
    if (u64 != NULL || u32 != NULL || untouched != 77) d->ok = 0;
}

/* Everything the accessors give, as one digest (the parse time excluded). */
static digest table_digest(const ferrule_log_table *table) {
    digest d = {14695981039346656037ULL, 1};
    size_t rows = 0, cols = 0;
    if (ferrule_log_table_num_rows(table, &rows) != FERRULE_STATUS_OK ||
        ferrule_log_table_num_columns(table, &cols) != FERRULE_STATUS_OK) {
        d.ok = 0;
        return d;
    }
    mix_u64(&d, rows);
    mix_u64(&d, cols);
    for (size_t c = 0; c < cols; c++) {
        const uint8_t *name = NULL, *bits = NULL;
        size_t name_len = 0, index = SIZE_MAX, nulls = SIZE_MAX;
        ferrule_log_column_type type = UINT32_MAX;
        if (ferrule_log_table_column_name(table, c, &name, &name_len) != FERRULE_STATUS_OK ||
            ferrule_log_table_column_index(table, name, name_len, &index) != FERRULE_STATUS_OK || index != c ||
            ferrule_log_table_column_type(table, c, &type) != FERRULE_STATUS_OK ||
            ferrule_log_table_validity(table, c, &bits, &nulls) != FERRULE_STATUS_OK || bits == NULL || nulls > rows) {
            d.ok = 0;
            return d;
        }
        mix(&d, name, name_len);
        mix_u64(&d, type);
        mix(&d, bits, (rows + 7) / 8);
        mix_u64(&d, nulls);
        read_column(&d, table, c, type, rows);
    }
    ferrule_log_column_type type = 42;
    if (ferrule_log_table_column_type(table, cols, &type) != FERRULE_STATUS_OUT_OF_RANGE || type != 42) d.ok = 0;
    size_t errors = 0, memory = 0;
    if (ferrule_log_table_error_count(table, &errors) != FERRULE_STATUS_OK) d.ok = 0;
    mix_u64(&d, errors);
    for (size_t i = 0; i < errors; i++) {
        uint64_t line = 0, offset = 0;
        const uint8_t *code = NULL, *text = NULL;
        size_t code_len = 0, text_len = 0;
        if (ferrule_log_table_error(table, i, &line, &code, &code_len, &offset, &text, &text_len) != FERRULE_STATUS_OK) {
            d.ok = 0;
            break;
        }
        mix_u64(&d, line);
        mix_u64(&d, offset);
        mix(&d, code, code_len);
        mix(&d, text, text_len);
    }
    ferrule_log_stats stats;
    if (ferrule_log_table_stats(table, &stats) != FERRULE_STATUS_OK ||
        stats.lines != stats.ok + stats.errors + stats.skipped)
        d.ok = 0;
    mix_u64(&d, stats.lines);
    mix_u64(&d, stats.ok);
    mix_u64(&d, stats.errors);
    mix_u64(&d, stats.skipped);
    mix_u64(&d, stats.empty);
    mix_u64(&d, stats.bytes);
    if (ferrule_log_table_memory_usage(table, &memory) != FERRULE_STATUS_OK || memory == 0) d.ok = 0;
    return d;
}

/* The producer parses and publishes; the readers wait for the table, then read it all. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    const ferrule_log_format *format;
    const char *text;
    size_t len;
    ferrule_log_table *table; /* set by the producer */
    int done;                 /* the producer finished (table may be NULL on failure) */
} shared_table;

typedef struct {
    shared_table *shared;
    digest seen[READ_ROUNDS];
} table_reader;

static void *producer_main(void *arg) {
    shared_table *s = arg;
    ferrule_log_options options = {0}; /* all cores */
    ferrule_log_table *table = NULL;
    if (ferrule_log_parse_bytes(bytes(s->text), s->len, s->format, &options, &table) != FERRULE_STATUS_OK)
        table = NULL;
    pthread_mutex_lock(&s->lock);
    s->table = table;
    s->done = 1;
    pthread_cond_broadcast(&s->ready);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void *reader_main(void *arg) {
    table_reader *r = arg;
    shared_table *s = r->shared;
    pthread_mutex_lock(&s->lock);
    while (!s->done) pthread_cond_wait(&s->ready, &s->lock);
    const ferrule_log_table *table = s->table;
    pthread_mutex_unlock(&s->lock);
    for (int round = 0; round < READ_ROUNDS; round++) {
        if (table == NULL) {
            r->seen[round].ok = 0;
        } else {
            r->seen[round] = table_digest(table);
        }
    }
    return NULL;
}

static void check_table_read_by_many(const char *format_name, const char *text, size_t len, size_t want_columns) {
    ferrule_log_format *format = preset(format_name);
    /* The reference: parsed and read on this thread alone. */
    ferrule_log_options one = {.threads = 1};
    ferrule_log_table *reference = NULL;
    CHECK(ferrule_log_parse_bytes(bytes(text), len, format, &one, &reference) == FERRULE_STATUS_OK);
    digest want = table_digest(reference);
    size_t cols = 0, errors = 0;
    CHECK(want.ok);
    CHECK(ferrule_log_table_num_columns(reference, &cols) == FERRULE_STATUS_OK && cols == want_columns);
    CHECK(ferrule_log_table_error_count(reference, &errors) == FERRULE_STATUS_OK && errors > 0);

    shared_table shared = {.format = format, .text = text, .len = len};
    pthread_mutex_init(&shared.lock, NULL);
    pthread_cond_init(&shared.ready, NULL);
    table_reader readers[READERS];
    pthread_t reader_threads[READERS], producer;
    memset(readers, 0, sizeof readers);
    for (int i = 0; i < READERS; i++) readers[i].shared = &shared;
    int started = start_all(reader_threads, READERS, reader_main, readers, sizeof readers[0]);
    CHECK(started == READERS);
    int produced = pthread_create(&producer, NULL, producer_main, &shared) == 0;
    CHECK(produced);
    if (produced) {
        pthread_join(producer, NULL);
    } else {
        pthread_mutex_lock(&shared.lock);
        shared.done = 1;
        pthread_cond_broadcast(&shared.ready);
        pthread_mutex_unlock(&shared.lock);
    }
    join_all(reader_threads, started);
    CHECK(shared.table != NULL);
    int all_same = 1;
    for (int i = 0; i < started; i++) {
        for (int round = 0; round < READ_ROUNDS; round++) {
            if (!readers[i].seen[round].ok || readers[i].seen[round].h != want.h) all_same = 0;
        }
    }
    CHECK(all_same);
    if (!all_same) fprintf(stderr, "  %s: a reader saw another table than the single-threaded parse\n", format_name);
    ferrule_log_table_free(shared.table);
    ferrule_log_table_free(reference);
    pthread_cond_destroy(&shared.ready);
    pthread_mutex_destroy(&shared.lock);
    ferrule_log_format_free(format);
}

/* Inputs over 1 MB, so that the producer's parse runs on several threads (ferrule parses
 * smaller inputs on the calling thread). */
static void test_table_read_by_many(void) {
    size_t len = 0;
    char *text = make_access_log(12000, &len);
    CHECK(len > (1u << 20));
    check_table_read_by_many("combined", text, len, 17);
    free(text);
    text = make_jsonl(17000, &len);
    CHECK(len > (1u << 20));
    check_table_read_by_many("jsonl", text, len, 9);
    free(text);
}

/* The line each row came from, by its path "/p/<line>"; 0 when the row has none. */
static size_t path_line(const int64_t *offsets, const uint8_t *values, size_t row) {
    size_t n = (size_t)(offsets[row + 1] - offsets[row]);
    const uint8_t *p = values + offsets[row];
    if (n < 4 || memcmp(p, "/p/", 3) != 0) return 0;
    size_t line = 0;
    for (size_t i = 3; i < n && p[i] >= '0' && p[i] <= '9'; i++) line = line * 10 + (size_t)(p[i] - '0');
    return line;
}

/* Marks the lines of a batch's rows in `seen` (row i of a good line holds "/p/<line>"), checking
 * that each row's `line` column (the input line number) is new. Returns 0 on any surprise. */
static int mark_rows(const ferrule_log_table *table, unsigned char *seen_path, unsigned char *seen_line,
                     size_t total_lines, size_t *rows_seen) {
    size_t rows = 0, path = SIZE_MAX, line = SIZE_MAX;
    const int64_t *offsets = NULL;
    const uint8_t *values = NULL;
    const uint64_t *lines = NULL;
    size_t n = 0;
    if (ferrule_log_table_num_rows(table, &rows) != FERRULE_STATUS_OK ||
        ferrule_log_table_column_index(table, bytes("path"), 4, &path) != FERRULE_STATUS_OK ||
        ferrule_log_table_column_index(table, bytes("line"), 4, &line) != FERRULE_STATUS_OK ||
        ferrule_log_table_column_strings(table, path, &offsets, &values, &n) != FERRULE_STATUS_OK || n != rows ||
        ferrule_log_table_column_u64(table, line, &lines, &n) != FERRULE_STATUS_OK || n != rows)
        return 0;
    for (size_t r = 0; r < rows; r++) {
        if (lines[r] == 0 || lines[r] > total_lines || seen_line[lines[r]]) return 0;
        seen_line[lines[r]] = 1;
        size_t p = path_line(offsets, values, r);
        if (p != 0) {
            if (p > total_lines || seen_path[p]) return 0;
            seen_path[p] = 1;
        }
    }
    *rows_seen += rows;
    return 1;
}

/* Several threads push whole lines into one streaming parser while another takes batches. */
enum { PUSHERS = 4 };

typedef struct {
    ferrule_log_parser *parser;
    const char *text;
    size_t len;
    int ok;
} pusher;

static void *pusher_main(void *arg) {
    pusher *p = arg;
    p->ok = 1;
    size_t start = 0;
    while (start < p->len && p->ok) {
        /* Three lines per push. */
        size_t end = start;
        for (int k = 0; k < 3 && end < p->len; k++) {
            const char *nl = memchr(p->text + end, '\n', p->len - end);
            end = nl ? (size_t)(nl - p->text) + 1 : p->len;
        }
        p->ok = ferrule_log_parser_push(p->parser, bytes(p->text + start), end - start) == FERRULE_STATUS_OK;
        start = end;
    }
    return NULL;
}

typedef struct {
    ferrule_log_parser *parser;
    atomic_int *stop;
    ferrule_log_table *batches[4096];
    size_t count;
    int ok;
} taker;

static void *taker_main(void *arg) {
    taker *t = arg;
    t->ok = 1;
    while (!atomic_load(t->stop) && t->count < 4000) {
        ferrule_log_table *batch = NULL;
        if (ferrule_log_parser_take_batch(t->parser, &batch) != FERRULE_STATUS_OK || batch == NULL) {
            t->ok = 0;
            break;
        }
        t->batches[t->count++] = batch;
        sched_yield();
    }
    return NULL;
}

static void test_parser_fed_by_many(void) {
    ferrule_log_format *combined = preset("combined");
    size_t len = 0;
    char *text = make_access_log(LOG_LINES, &len);
    /* Thread i pushes the i-th quarter (cut at line ends). */
    pusher pushers[PUSHERS];
    size_t cut[PUSHERS + 1];
    cut[0] = 0;
    cut[PUSHERS] = len;
    for (int i = 1; i < PUSHERS; i++) {
        const char *nl = memchr(text + len * (size_t)i / PUSHERS, '\n', len - len * (size_t)i / PUSHERS);
        cut[i] = nl ? (size_t)(nl - text) + 1 : len;
    }
    ferrule_log_parser *parser = NULL;
    CHECK(ferrule_log_parser_new(combined, NULL, &parser) == FERRULE_STATUS_OK);
    ferrule_log_format_free(combined); /* a parser keeps what it needs */
    for (int i = 0; i < PUSHERS; i++) pushers[i] = (pusher){parser, text + cut[i], cut[i + 1] - cut[i], 0};
    static taker take;
    atomic_int stop = 0;
    memset(&take, 0, sizeof take);
    take.parser = parser;
    take.stop = &stop;
    pthread_t threads[PUSHERS], taker_thread;
    int taking = pthread_create(&taker_thread, NULL, taker_main, &take) == 0;
    int started = start_all(threads, PUSHERS, pusher_main, pushers, sizeof pushers[0]);
    CHECK(started == PUSHERS && taking);
    join_all(threads, started);
    atomic_store(&stop, 1);
    if (taking) pthread_join(taker_thread, NULL);
    for (int i = 0; i < started; i++) CHECK(pushers[i].ok);
    CHECK(take.ok);
    ferrule_log_table *last = NULL;
    CHECK(ferrule_log_parser_finish(parser, &last) == FERRULE_STATUS_OK);
    ferrule_log_parser_free(parser);

    /* Every line became one row, with its line number, in exactly one batch. */
    unsigned char *seen_path = calloc(LOG_LINES + 1, 1), *seen_line = calloc(LOG_LINES + 1, 1);
    size_t rows = 0;
    int ok = seen_path != NULL && seen_line != NULL;
    uint64_t errors = 0;
    for (size_t b = 0; b <= take.count && ok; b++) {
        ferrule_log_table *batch = b < take.count ? take.batches[b] : last;
        ferrule_log_stats s;
        ok = batch != NULL && mark_rows(batch, seen_path, seen_line, LOG_LINES, &rows) &&
             ferrule_log_table_stats(batch, &s) == FERRULE_STATUS_OK;
        if (ok) errors += s.errors;
    }
    CHECK(ok);
    CHECK(rows == LOG_LINES);
    CHECK(errors == LOG_LINES / 37);
    size_t paths = 0;
    for (size_t i = 1; ok && i <= LOG_LINES; i++) paths += seen_path[i];
    CHECK(paths == LOG_LINES - LOG_LINES / 37);
    for (size_t b = 0; b < take.count; b++) ferrule_log_table_free(take.batches[b]);
    ferrule_log_table_free(last);
    free(seen_path);
    free(seen_line);
    free(text);
}

/* Several threads drain one batch reader: each batch goes to one of them, none is lost. */
enum { DRAINERS = 4, BATCH_ROWS = 50 };

typedef struct {
    ferrule_log_reader *reader;
    ferrule_log_table *batches[256];
    size_t count;
    int ok;
} drainer;

static void *drainer_main(void *arg) {
    drainer *d = arg;
    d->ok = 1;
    for (;;) {
        ferrule_log_table *batch = NULL;
        if (ferrule_log_reader_next(d->reader, &batch) != FERRULE_STATUS_OK) {
            d->ok = 0;
            return NULL;
        }
        if (batch == NULL) return NULL;
        if (d->count == 256) {
            ferrule_log_table_free(batch);
            d->ok = 0;
            return NULL;
        }
        d->batches[d->count++] = batch;
    }
}

static void test_reader_drained_by_many(void) {
    char path[] = "/tmp/ferrule-test-concurrency-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    size_t len = 0;
    char *text = make_access_log(LOG_LINES, &len);
    int written = write(fd, text, len) == (ssize_t)len;
    close(fd);
    CHECK(written);
    free(text);
    ferrule_log_format *combined = preset("combined");
    ferrule_log_reader *reader = NULL;
    CHECK(ferrule_log_reader_open(bytes(path), strlen(path), combined, NULL, BATCH_ROWS, &reader) ==
          FERRULE_STATUS_OK);
    ferrule_log_format_free(combined);
    static drainer drainers[DRAINERS];
    pthread_t threads[DRAINERS];
    for (int i = 0; i < DRAINERS; i++) {
        memset(&drainers[i], 0, sizeof drainers[i]);
        drainers[i].reader = reader;
    }
    int started = reader ? start_all(threads, DRAINERS, drainer_main, drainers, sizeof drainers[0]) : 0;
    CHECK(started == DRAINERS);
    join_all(threads, started);
    unsigned char *seen_path = calloc(LOG_LINES + 1, 1), *seen_line = calloc(LOG_LINES + 1, 1);
    size_t rows = 0, batches = 0;
    int ok = seen_path != NULL && seen_line != NULL, small = 1;
    for (int i = 0; i < started; i++) {
        CHECK(drainers[i].ok);
        for (size_t b = 0; b < drainers[i].count; b++) {
            size_t n = 0;
            ok = ok && mark_rows(drainers[i].batches[b], seen_path, seen_line, LOG_LINES, &rows);
            if (ferrule_log_table_num_rows(drainers[i].batches[b], &n) != FERRULE_STATUS_OK || n > BATCH_ROWS ||
                n == 0)
                small = 0;
            ferrule_log_table_free(drainers[i].batches[b]);
            batches++;
        }
    }
    CHECK(ok);
    CHECK(small);
    CHECK(rows == LOG_LINES);
    CHECK(batches == (LOG_LINES + BATCH_ROWS - 1) / BATCH_ROWS);
    /* Exhausted: later calls keep giving NULL. */
    ferrule_log_table *after = (ferrule_log_table *)path;
    CHECK(reader && ferrule_log_reader_next(reader, &after) == FERRULE_STATUS_OK && after == NULL);
    ferrule_log_reader_free(reader);
    free(seen_path);
    free(seen_line);
    unlink(path);
}

/* --------------------------------------------------------------------------------------------
 * Vector functions from many threads. */

enum { VDIM = 37, VROWS = 23, VQUERIES = 5, VK = 6, VROUNDS = 2 };

typedef struct {
    unsigned char *data;
    size_t len, cap;
    int ok; /* every call returned OK */
} results;

static void put(results *r, const void *value, size_t size) {
    if (r->len + size > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4096;
        while (cap < r->len + size) cap *= 2;
        unsigned char *grown = realloc(r->data, cap);
        if (grown == NULL) {
            r->ok = 0;
            return;
        }
        r->data = grown;
        r->cap = cap;
    }
    memcpy(r->data + r->len, value, size);
    r->len += size;
}

static void status_ok(results *r, ferrule_status status) {
    if (status != FERRULE_STATUS_OK) r->ok = 0;
}

typedef struct {
    float a32[VDIM], b32[VDIM], c32[VDIM];
    double a64[VDIM], b64[VDIM], c64[VDIM];
    float m32[VROWS * (VDIM + 3)], q32[VQUERIES * VDIM];
    double m64[VROWS * (VDIM + 3)], q64[VQUERIES * VDIM];
} vinputs;

static vinputs vin;

static void make_vector_inputs(void) {
    for (size_t i = 0; i < VDIM; i++) {
        vin.a64[i] = sin((double)i * 0.37) * 3.0;
        vin.b64[i] = cos((double)i * 0.11) - 0.25;
        vin.c64[i] = (double)(i % 7) - 3.0;
        vin.a32[i] = (float)vin.a64[i];
        vin.b32[i] = (float)vin.b64[i];
        vin.c32[i] = (float)vin.c64[i];
    }
    for (size_t i = 0; i < VROWS * (VDIM + 3); i++) {
        vin.m64[i] = sin((double)i * 0.013 + 1.0) * (1.0 + (double)(i % 5));
        vin.m32[i] = (float)vin.m64[i];
    }
    for (size_t i = 0; i < VQUERIES * VDIM; i++) {
        vin.q64[i] = cos((double)i * 0.029) * 2.0;
        vin.q32[i] = (float)vin.q64[i];
    }
    /* Ties for top-k: a repeated row. */
    memcpy(vin.m32 + 4 * (VDIM + 3), vin.m32 + 9 * (VDIM + 3), VDIM * sizeof(float));
    memcpy(vin.m64 + 4 * (VDIM + 3), vin.m64 + 9 * (VDIM + 3), VDIM * sizeof(double));
}

/* Every vector function of one element type, its results appended to `r`. */
#define VECTOR_SUITE(T, S, A, B, C, M, Q)                                                              \
    static void suite_##S(results *r, size_t threads) {                                                \
        T v, out[VDIM], buf[VDIM];                                                                     \
        double mean;                                                                                   \
        size_t arg;                                                                                    \
        status_ok(r, ferrule_vec_dot_##S(A, B, VDIM, &v)), put(r, &v, sizeof v);                     \
        status_ok(r, ferrule_vec_sqeuclidean_##S(A, B, VDIM, &v)), put(r, &v, sizeof v);             \
        status_ok(r, ferrule_vec_euclidean_##S(A, B, VDIM, &v)), put(r, &v, sizeof v);               \
        status_ok(r, ferrule_vec_manhattan_##S(A, B, VDIM, &v)), put(r, &v, sizeof v);               \
        status_ok(r, ferrule_vec_cosine_similarity_##S(A, B, VDIM, &v)), put(r, &v, sizeof v);       \
        status_ok(r, ferrule_vec_cosine_distance_##S(A, B, VDIM, &v)), put(r, &v, sizeof v);         \
        status_ok(r, ferrule_vec_norm_##S(A, VDIM, &v)), put(r, &v, sizeof v);                       \
        for (uint32_t m = 0; m < 5; m++) {                                                             \
            for (uint32_t p = 0; p < 2; p++) {                                                         \
                status_ok(r, ferrule_vec_distance_##S(m, p, A, B, VDIM, &v)), put(r, &v, sizeof v);  \
            }                                                                                          \
        }                                                                                              \
        for (uint32_t p = 0; p < 2; p++) status_ok(r, ferrule_vec_sum_##S(A, VDIM, p, &v)), put(r, &v, sizeof v); \
        status_ok(r, ferrule_vec_mean_##S(A, VDIM, &mean)), put(r, &mean, sizeof mean);              \
        status_ok(r, ferrule_vec_min_##S(A, VDIM, &v)), put(r, &v, sizeof v);                        \
        status_ok(r, ferrule_vec_max_##S(A, VDIM, &v)), put(r, &v, sizeof v);                        \
        status_ok(r, ferrule_vec_argmin_##S(A, VDIM, &arg)), put(r, &arg, sizeof arg);               \
        status_ok(r, ferrule_vec_argmax_##S(A, VDIM, &arg)), put(r, &arg, sizeof arg);               \
        status_ok(r, ferrule_vec_scale_##S(A, VDIM, (T)-1.5, out)), put(r, out, sizeof out);         \
        status_ok(r, ferrule_vec_add_##S(A, B, VDIM, out)), put(r, out, sizeof out);                 \
        status_ok(r, ferrule_vec_subtract_##S(A, B, VDIM, out)), put(r, out, sizeof out);            \
        status_ok(r, ferrule_vec_multiply_##S(A, B, VDIM, out)), put(r, out, sizeof out);            \
        status_ok(r, ferrule_vec_axpy_##S((T)0.75, A, B, VDIM, out)), put(r, out, sizeof out);       \
        status_ok(r, ferrule_vec_fma_##S(A, B, C, VDIM, out)), put(r, out, sizeof out);              \
        status_ok(r, ferrule_vec_normalize_##S(A, VDIM, out)), put(r, out, sizeof out);              \
        memcpy(buf, B, sizeof buf); /* in place */                                                     \
        status_ok(r, ferrule_vec_axpy_##S((T)2, A, buf, VDIM, buf));                                  \
        status_ok(r, ferrule_vec_normalize_##S(buf, VDIM, buf)), put(r, buf, sizeof buf);            \
        for (uint32_t m = 0; m < 5; m++) {                                                             \
            for (uint32_t p = 0; p < 2; p++) {                                                         \
                ferrule_vec_options o = {p, threads};                                                  \
                T many[VROWS], all[VQUERIES * VROWS], dist[VQUERIES * VK];                             \
                size_t idx[VQUERIES * VK];                                                             \
                status_ok(r, ferrule_vec_one_to_many_##S(Q, VDIM, M, VROWS, VDIM + 3, m, &o, many, VROWS)); \
                put(r, many, sizeof many);                                                             \
                status_ok(r, ferrule_vec_cdist_##S(Q, VQUERIES, VDIM, M, VROWS, VDIM + 3, VDIM, m, &o, all,  \
                                                   VQUERIES * VROWS));                                 \
                put(r, all, sizeof all);                                                               \
                status_ok(r, ferrule_vec_topk_##S(Q, VQUERIES, VDIM, M, VROWS, VDIM + 3, VDIM, VK, m, &o, idx, \
                                                  dist, VQUERIES * VK));                               \
                put(r, idx, sizeof idx), put(r, dist, sizeof dist);                                   \
                status_ok(r, ferrule_vec_topk_##S(Q, 1, VDIM, M, VROWS, VDIM + 3, VDIM, VK, m, &o, idx, dist, VK)); \
                put(r, idx, VK * sizeof idx[0]), put(r, dist, VK * sizeof dist[0]);                   \
            }                                                                                          \
        }                                                                                              \
    }

VECTOR_SUITE(float, f32, vin.a32, vin.b32, vin.c32, vin.m32, vin.q32)
VECTOR_SUITE(double, f64, vin.a64, vin.b64, vin.c64, vin.m64, vin.q64)

static results vector_results(size_t threads) {
    results r = {NULL, 0, 0, 1};
    suite_f32(&r, threads);
    suite_f64(&r, threads);
    return r;
}

typedef struct {
    const results *want;
    size_t threads;
    int ok;
} vector_worker;

static void *vector_main(void *arg) {
    vector_worker *w = arg;
    w->ok = 1;
    for (int round = 0; round < VROUNDS; round++) {
        results got = vector_results(w->threads);
        w->ok = w->ok && got.ok && got.len == w->want->len && memcmp(got.data, w->want->data, got.len) == 0;
        free(got.data);
    }
    return NULL;
}

static void test_vector_from_many_threads(void) {
    make_vector_inputs();
    results want = vector_results(1);
    CHECK(want.ok && want.len > 0);
    vector_worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) workers[t] = (vector_worker){&want, (size_t)(t % 3), 0};
    int started = start_all(threads, THREADS, vector_main, workers, sizeof workers[0]);
    CHECK(started == THREADS);
    join_all(threads, started);
    for (int t = 0; t < started; t++) {
        CHECK(workers[t].ok);
        if (!workers[t].ok) fprintf(stderr, "  vector thread %d (options.threads %zu) differs\n", t, workers[t].threads);
    }
    free(want.data);
}

/* --------------------------------------------------------------------------------------------
 * Error state is per thread. */

enum { ERROR_ROUNDS = 60 };

static pthread_barrier_t error_barrier;

typedef struct {
    int t;
    int ok;
} error_worker;

/* Each round every thread fails with a message of its own, all wait, then each checks that its
 * message is still its own; thread 0 never fails and must keep an empty message. */
static void *error_main(void *arg) {
    error_worker *w = arg;
    w->ok = 1;
    char name[64], mine[80];
    for (int round = 0; round < ERROR_ROUNDS; round++) {
        ferrule_metric metric = 99;
        if (w->t != 0) {
            snprintf(name, sizeof name, "no-metric-t%d-r%d", w->t, round);
            snprintf(mine, sizeof mine, "\"%s\"", name);
            if (ferrule_vec_metric_parse(bytes(name), strlen(name), &metric) != FERRULE_STATUS_INVALID_ARGUMENT ||
                metric != 99)
                w->ok = 0;
        } else if (ferrule_vec_metric_parse(bytes("cosine"), 6, &metric) != FERRULE_STATUS_OK ||
                   metric != FERRULE_METRIC_COSINE) {
            w->ok = 0;
        }
        pthread_barrier_wait(&error_barrier);
        size_t len = SIZE_MAX;
        if (w->t == 0) {
            if (ferrule_last_error_message(NULL, 0, &len) != FERRULE_STATUS_OK || len != 0) w->ok = 0;
        } else if (strstr(last_error(), mine) == NULL) {
            w->ok = 0;
        }
        /* ferrule_log_last_error: a parse that fails at a line of this thread's own. */
        if (round % 10 == 0) {
            const ferrule_log_format *format = NULL;
            ferrule_log_format *owned = preset("common");
            format = owned;
            char text[2048];
            size_t at = 0;
            int bad_line = 2 + w->t + round / 10;
            for (int line = 1; line <= bad_line; line++) {
                at += (size_t)snprintf(text + at, sizeof text - at, line == bad_line ? "garbage %d\n" :
                                       "1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] \"GET /%d HTTP/1.1\" 200 5\n", line);
            }
            ferrule_log_options raise = {.on_error = FERRULE_ON_ERROR_RAISE};
            ferrule_log_table *table = NULL;
            ferrule_status want = w->t == 0 ? FERRULE_STATUS_OK : FERRULE_STATUS_PARSE;
            if (w->t == 0) at = strchr(text, '\n') + 1 - text; /* thread 0: only the good first line */
            if (ferrule_log_parse_bytes(bytes(text), at, format, &raise, &table) != want ||
                (table != NULL) != (w->t == 0))
                w->ok = 0;
            ferrule_log_table_free(table);
            ferrule_log_format_free(owned);
            pthread_barrier_wait(&error_barrier);
            uint64_t line = 0, offset = 99;
            const uint8_t *reason = NULL;
            size_t reason_len = 0;
            if (ferrule_log_last_error(&line, &offset, &reason, &reason_len) != FERRULE_STATUS_OK || reason == NULL)
                w->ok = 0;
            if (w->t == 0 ? line != 0 || offset != 0 || reason_len != 0 : line != (uint64_t)bad_line || reason_len == 0)
                w->ok = 0;
        }
        pthread_barrier_wait(&error_barrier);
    }
    return NULL;
}

static void test_errors_are_per_thread(void) {
    if (pthread_barrier_init(&error_barrier, NULL, THREADS) != 0) {
        CHECK(!"pthread_barrier_init");
        return;
    }
    error_worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) workers[t] = (error_worker){t, 0};
    int started = start_all(threads, THREADS, error_main, workers, sizeof workers[0]);
    CHECK(started == THREADS);
    if (started != THREADS) {
        /* The barrier would never open: the alarm ends the run. */
        fprintf(stderr, "could not start the error threads\n");
        exit(2);
    }
    join_all(threads, started);
    for (int t = 0; t < started; t++) {
        CHECK(workers[t].ok);
        if (!workers[t].ok) fprintf(stderr, "  error thread %d saw another thread's error state\n", t);
    }
    pthread_barrier_destroy(&error_barrier);
}

int main(void) {
    alarm(600); /* a deadlock ends the run (SIGALRM) instead of hanging the suite */
    make_values();
    test_shared_pool();
    test_table_read_by_many();
    test_parser_fed_by_many();
    test_reader_drained_by_many();
    test_vector_from_many_threads();
    test_errors_are_per_thread();
    return check_report();
}
