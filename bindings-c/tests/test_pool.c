/* C tests of ferrule_pool, linked once against libferrule.a and once against libferrule.so, and
 * run under valgrind by `make test-c`. Prints one line per failed check and ends with
 * "N passed, N failed"; exits non-zero when a check failed. */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Checks that run many times (every bit of a buffer) count once, so that the totals stay
 * readable; the first failure is reported with its detail. */
#define CHECK_ALL(cond, fmt, ...)                                               \
    do {                                                                        \
        if (!(cond) && all_ok) {                                                \
            fprintf(stderr, "FAIL %s:%d: %s (" fmt ")\n", __FILE__, __LINE__, #cond, \
                    __VA_ARGS__);                                               \
            all_ok = 0;                                                         \
        }                                                                       \
    } while (0)

static const char *last_error(void) {
    static char buf[512];
    if (ferrule_last_error_message(buf, sizeof buf, NULL) != FERRULE_STATUS_OK) return "<no message>";
    return buf;
}

static const uint8_t *bytes(const char *s) { return (const uint8_t *)s; }

static ferrule_pool *new_pool(void) {
    ferrule_pool *pool = NULL;
    if (ferrule_pool_new(&pool) != FERRULE_STATUS_OK || pool == NULL) {
        fprintf(stderr, "ferrule_pool_new failed: %s\n", last_error());
        exit(2);
    }
    return pool;
}

/* The id of a NUL-terminated string; UINT32_MAX on failure (which callers' id checks catch). */
static uint32_t intern(ferrule_pool *pool, const char *s) {
    uint32_t id = UINT32_MAX;
    if (ferrule_pool_intern(pool, bytes(s), strlen(s), &id) != FERRULE_STATUS_OK) return UINT32_MAX;
    return id;
}

static size_t pool_len(const ferrule_pool *pool) {
    size_t len = SIZE_MAX;
    if (ferrule_pool_len(pool, &len) != FERRULE_STATUS_OK) return SIZE_MAX;
    return len;
}

/* Whether `id` resolves to exactly the `len` bytes at `expected`. */
static int resolves_to(const ferrule_pool *pool, uint32_t id, const void *expected, size_t len) {
    const uint8_t *ptr = NULL;
    size_t got = SIZE_MAX;
    if (ferrule_pool_resolve(pool, id, &ptr, &got) != FERRULE_STATUS_OK) return 0;
    return ptr != NULL && got == len && memcmp(ptr, expected, len) == 0;
}

static int resolves_to_str(const ferrule_pool *pool, uint32_t id, const char *s) {
    return resolves_to(pool, id, s, strlen(s));
}

/* Serializes into a fresh malloc'd buffer (size query first); NULL on failure. */
static uint8_t *serialize(const ferrule_pool *pool, size_t *out_len) {
    size_t need = 0, written = 0;
    if (ferrule_pool_serialize(pool, NULL, 0, &need) != FERRULE_STATUS_OK) return NULL;
    uint8_t *buf = malloc(need);
    if (buf == NULL) return NULL;
    if (ferrule_pool_serialize(pool, buf, need, &written) != FERRULE_STATUS_OK || written != need) {
        free(buf);
        return NULL;
    }
    *out_len = written;
    return buf;
}

static void test_new_and_free(void) {
    CHECK(ferrule_pool_new(NULL) == FERRULE_STATUS_NULL_POINTER);
    CHECK(strcmp(last_error(), "argument `out_pool` must not be NULL") == 0);
    ferrule_pool *pool = new_pool();
    CHECK(pool_len(pool) == 0);
    ferrule_pool_free(pool);
    ferrule_pool_free(NULL);
}

static void test_intern_get_resolve(void) {
    ferrule_pool *pool = new_pool();
    CHECK(intern(pool, "GET") == 0);
    CHECK(intern(pool, "POST") == 1);
    CHECK(intern(pool, "GET") == 0);
    CHECK(intern(pool, "get") == 2);
    CHECK(pool_len(pool) == 3);
    CHECK(resolves_to_str(pool, 0, "GET"));
    CHECK(resolves_to_str(pool, 1, "POST"));
    CHECK(resolves_to_str(pool, 2, "get"));

    bool found = false;
    uint32_t id = 1234;
    CHECK(ferrule_pool_get(pool, bytes("POST"), 4, &found, &id) == FERRULE_STATUS_OK);
    CHECK(found && id == 1);
    /* Not found is a success; the id is left alone and nothing is interned. */
    found = true;
    id = 1234;
    CHECK(ferrule_pool_get(pool, bytes("PUT"), 3, &found, &id) == FERRULE_STATUS_OK);
    CHECK(!found && id == 1234);
    CHECK(pool_len(pool) == 3);
    /* A prefix of a held value is another value. */
    CHECK(ferrule_pool_get(pool, bytes("POST"), 3, &found, &id) == FERRULE_STATUS_OK && !found);
    ferrule_pool_free(pool);
}

static void test_bytes_values(void) {
    ferrule_pool *pool = new_pool();
    static const uint8_t not_utf8[] = {0xff, 0xfe, 0x80, 'x'};
    static const uint8_t with_nul[] = {'a', 0, 'b'};
    uint32_t bad = UINT32_MAX, nul = UINT32_MAX, a = UINT32_MAX, empty = UINT32_MAX, empty2 = 7;
    CHECK(ferrule_pool_intern(pool, not_utf8, sizeof not_utf8, &bad) == FERRULE_STATUS_OK && bad == 0);
    CHECK(ferrule_pool_intern(pool, with_nul, sizeof with_nul, &nul) == FERRULE_STATUS_OK && nul == 1);
    CHECK(ferrule_pool_intern(pool, with_nul, 1, &a) == FERRULE_STATUS_OK && a == 2);
    CHECK(resolves_to(pool, bad, not_utf8, sizeof not_utf8));
    CHECK(resolves_to(pool, nul, with_nul, sizeof with_nul));
    CHECK(resolves_to_str(pool, a, "a"));

    /* The empty value: NULL or any pointer with length 0, one id. */
    CHECK(ferrule_pool_intern(pool, NULL, 0, &empty) == FERRULE_STATUS_OK && empty == 3);
    CHECK(ferrule_pool_intern(pool, bytes("zzz"), 0, &empty2) == FERRULE_STATUS_OK && empty2 == 3);
    const uint8_t *ptr = NULL;
    size_t len = 99;
    CHECK(ferrule_pool_resolve(pool, empty, &ptr, &len) == FERRULE_STATUS_OK);
    CHECK(ptr != NULL && len == 0);
    bool found = false;
    uint32_t id = 99;
    CHECK(ferrule_pool_get(pool, NULL, 0, &found, &id) == FERRULE_STATUS_OK && found && id == 3);
    ferrule_pool_free(pool);
}

static void test_long_value(void) {
    ferrule_pool *pool = new_pool();
    size_t size = (size_t)1 << 20;
    uint8_t *big = malloc(size + 1);
    if (big == NULL) {
        CHECK(!"out of memory");
        return;
    }
    for (size_t i = 0; i <= size; i++) big[i] = (uint8_t)(i * 131 + (i >> 12));
    uint32_t id = UINT32_MAX, again = UINT32_MAX, longer = UINT32_MAX;
    CHECK(ferrule_pool_intern(pool, big, size, &id) == FERRULE_STATUS_OK && id == 0);
    CHECK(ferrule_pool_intern(pool, big, size, &again) == FERRULE_STATUS_OK && again == 0);
    CHECK(ferrule_pool_intern(pool, big, size + 1, &longer) == FERRULE_STATUS_OK && longer == 1);
    CHECK(resolves_to(pool, id, big, size));
    CHECK(resolves_to(pool, longer, big, size + 1));
    size_t usage = 0;
    CHECK(ferrule_pool_memory_usage(pool, &usage) == FERRULE_STATUS_OK);
    CHECK(usage >= 2 * size);
    /* A caller's buffer is copied: changing it changes nothing in the pool. */
    uint8_t first = big[0];
    big[0] ^= 0xff;
    CHECK(!resolves_to(pool, id, big, size));
    big[0] = first;
    CHECK(resolves_to(pool, id, big, size));
    free(big);
    ferrule_pool_free(pool);
}

static void test_unknown_ids(void) {
    ferrule_pool *pool = new_pool();
    const uint8_t *ptr = (const uint8_t *)"sentinel";
    size_t len = 4242;
    CHECK(ferrule_pool_resolve(pool, 0, &ptr, &len) == FERRULE_STATUS_OUT_OF_RANGE);
    CHECK(strstr(last_error(), "unknown id 0") != NULL);
    CHECK(intern(pool, "only") == 0);
    CHECK(ferrule_pool_resolve(pool, 1, &ptr, &len) == FERRULE_STATUS_OUT_OF_RANGE);
    CHECK(ferrule_pool_resolve(pool, UINT32_MAX, &ptr, &len) == FERRULE_STATUS_OUT_OF_RANGE);
    CHECK(ferrule_pool_resolve(pool, 0x7fffffff, &ptr, &len) == FERRULE_STATUS_OUT_OF_RANGE);
    CHECK(strcmp(ferrule_status_str(FERRULE_STATUS_OUT_OF_RANGE), "FERRULE_OUT_OF_RANGE") == 0);
    /* Outputs untouched on failure. */
    CHECK(len == 4242 && memcmp(ptr, "sentinel", 8) == 0);
    ferrule_pool_free(pool);
}

/* NULL for every pointer argument of every function; each names the argument, changes nothing
 * and writes no output. */
static void test_null_pointers(void) {
    ferrule_pool *pool = new_pool();
    uint32_t id = 77;
    bool found = true;
    size_t n = 55;
    const uint8_t *ptr = NULL;
    const int32_t offsets[] = {0, 1};
    const int64_t offsets64[] = {0, 1};
    const uint8_t *x = bytes("x");
    const ferrule_status NUL = FERRULE_STATUS_NULL_POINTER;
#define CHECK_NULL(call, name)                                                          \
    do {                                                                                \
        CHECK((call) == NUL);                                                           \
        CHECK(strcmp(last_error(), "argument `" name "` must not be NULL") == 0);       \
    } while (0)

    CHECK_NULL(ferrule_pool_intern(NULL, x, 1, &id), "pool");
    CHECK_NULL(ferrule_pool_intern(pool, NULL, 1, &id), "ptr");
    CHECK_NULL(ferrule_pool_intern(pool, x, 1, NULL), "out_id");
    CHECK_NULL(ferrule_pool_get(NULL, x, 1, &found, &id), "pool");
    CHECK_NULL(ferrule_pool_get(pool, NULL, 1, &found, &id), "ptr");
    CHECK_NULL(ferrule_pool_get(pool, x, 1, NULL, &id), "out_found");
    CHECK_NULL(ferrule_pool_get(pool, x, 1, &found, NULL), "out_id");
    CHECK_NULL(ferrule_pool_resolve(NULL, 0, &ptr, &n), "pool");
    CHECK_NULL(ferrule_pool_resolve(pool, 0, NULL, &n), "out_ptr");
    CHECK_NULL(ferrule_pool_resolve(pool, 0, &ptr, NULL), "out_len");
    CHECK_NULL(ferrule_pool_intern_many(NULL, x, offsets, 1, &id), "pool");
    CHECK_NULL(ferrule_pool_intern_many(pool, NULL, offsets, 1, &id), "values");
    CHECK_NULL(ferrule_pool_intern_many(pool, x, NULL, 1, &id), "offsets");
    CHECK_NULL(ferrule_pool_intern_many(pool, x, NULL, 0, &id), "offsets");
    CHECK_NULL(ferrule_pool_intern_many(pool, x, offsets, 1, NULL), "out_ids");
    CHECK_NULL(ferrule_pool_intern_many_large(NULL, x, offsets64, 1, &id), "pool");
    CHECK_NULL(ferrule_pool_intern_many_large(pool, NULL, offsets64, 1, &id), "values");
    CHECK_NULL(ferrule_pool_intern_many_large(pool, x, NULL, 1, &id), "offsets");
    CHECK_NULL(ferrule_pool_intern_many_large(pool, x, offsets64, 1, NULL), "out_ids");
    CHECK_NULL(ferrule_pool_intern_lines(NULL, x, 1, '\n', &id, 1, &n), "pool");
    CHECK_NULL(ferrule_pool_intern_lines(pool, NULL, 1, '\n', &id, 1, &n), "data");
    CHECK_NULL(ferrule_pool_intern_lines(pool, x, 1, '\n', NULL, 1, &n), "out_ids");
    CHECK_NULL(ferrule_pool_intern_lines(pool, x, 1, '\n', &id, 1, NULL), "out_count");
    CHECK_NULL(ferrule_pool_len(NULL, &n), "pool");
    CHECK_NULL(ferrule_pool_len(pool, NULL), "out_len");
    CHECK_NULL(ferrule_pool_memory_usage(NULL, &n), "pool");
    CHECK_NULL(ferrule_pool_memory_usage(pool, NULL), "out_bytes");
    uint8_t buf[256];
    CHECK_NULL(ferrule_pool_serialize(NULL, buf, sizeof buf, &n), "pool");
    CHECK_NULL(ferrule_pool_serialize(pool, NULL, sizeof buf, &n), "buf");
    CHECK_NULL(ferrule_pool_serialize(pool, buf, sizeof buf, NULL), "out_len");
    CHECK_NULL(ferrule_pool_serialize(pool, NULL, 0, NULL), "out_len");
    ferrule_pool *other = (ferrule_pool *)buf;
    CHECK_NULL(ferrule_pool_deserialize(NULL, 44, &other), "buf");
    size_t size = 0;
    CHECK(ferrule_pool_serialize(pool, buf, sizeof buf, &size) == FERRULE_STATUS_OK);
    CHECK_NULL(ferrule_pool_deserialize(buf, size, NULL), "out_pool");
#undef CHECK_NULL
    CHECK(id == 77 && found && n == 55 && ptr == NULL && other == (ferrule_pool *)buf);
    CHECK(pool_len(pool) == 0);
    ferrule_pool_free(pool);
}

static void test_intern_many(void) {
    ferrule_pool *pool = new_pool();
    /* "b", "", "ab", "b", "\xff" */
    const uint8_t values[] = {'b', 'a', 'b', 'b', 0xff};
    const int32_t offsets[] = {0, 1, 1, 3, 4, 5};
    uint32_t ids[5] = {0};
    CHECK(ferrule_pool_intern_many(pool, values, offsets, 5, ids) == FERRULE_STATUS_OK);
    CHECK(ids[0] == 0 && ids[1] == 1 && ids[2] == 2 && ids[3] == 0 && ids[4] == 3);
    CHECK(resolves_to_str(pool, 2, "ab") && resolves_to(pool, 1, "", 0));

    /* The same ids as one call per value. */
    ferrule_pool *one_by_one = new_pool();
    for (int i = 0; i < 5; i++) {
        uint32_t id = UINT32_MAX;
        size_t len = (size_t)(offsets[i + 1] - offsets[i]);
        CHECK(ferrule_pool_intern(one_by_one, values + offsets[i], len, &id) == FERRULE_STATUS_OK);
        CHECK(id == ids[i]);
    }
    ferrule_pool_free(one_by_one);

    /* A slice of an Arrow array: offsets need not start at 0. */
    const int32_t sliced[] = {3, 4, 5};
    uint32_t two[2] = {0};
    CHECK(ferrule_pool_intern_many(pool, values, sliced, 2, two) == FERRULE_STATUS_OK);
    CHECK(two[0] == 0 && two[1] == 3);

    /* 64-bit offsets. */
    const int64_t large[] = {1, 3, 5};
    CHECK(ferrule_pool_intern_many_large(pool, values, large, 2, two) == FERRULE_STATUS_OK);
    CHECK(two[0] == 2 && two[1] == 4 && resolves_to(pool, 4, "b\xff", 2));

    /* n == 0: values and out_ids may be NULL. */
    const int32_t none[] = {0};
    const int64_t none64[] = {0};
    CHECK(ferrule_pool_intern_many(pool, NULL, none, 0, NULL) == FERRULE_STATUS_OK);
    CHECK(ferrule_pool_intern_many_large(pool, NULL, none64, 0, NULL) == FERRULE_STATUS_OK);
    /* All values empty: values may be NULL (offsets[n] is 0). */
    const int32_t empties[] = {0, 0, 0};
    CHECK(ferrule_pool_intern_many(pool, NULL, empties, 2, two) == FERRULE_STATUS_OK);
    CHECK(two[0] == 1 && two[1] == 1);
    CHECK(pool_len(pool) == 5);
    ferrule_pool_free(pool);
}

static void test_bad_offsets(void) {
    ferrule_pool *pool = new_pool();
    const uint8_t values[] = "abcdef";
    /* Each row: n + 1 offsets (n = 3); values is offsets[3] bytes long. */
    static const int32_t bad[][4] = {
        {0, 3, 2, 6},   /* decreasing */
        {-1, 2, 3, 6},  /* negative first */
        {0, -2, 3, 6},  /* negative inside */
        {0, 2, 3, -6},  /* negative last (the length of values) */
        {0, 7, 7, 6},   /* beyond offsets[n] */
        {5, 2, 3, 4},   /* first beyond the others */
        {0, 0, 0, INT32_MIN},
    };
    for (size_t row = 0; row < sizeof bad / sizeof bad[0]; row++) {
        uint32_t ids[3] = {11, 12, 13};
        ferrule_status status = ferrule_pool_intern_many(pool, values, bad[row], 3, ids);
        if (status != FERRULE_STATUS_INVALID_ARGUMENT) fprintf(stderr, "row %zu\n", row);
        CHECK(status == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(ids[0] == 11 && ids[1] == 12 && ids[2] == 13);
    }
    CHECK(strstr(last_error(), "offset") != NULL);
    static const int64_t bad64[][3] = {
        {0, 4, 2},
        {-1, 0, 3},
        {0, 1, -1},
        {0, INT64_MAX, 4},
        {0, 2, INT64_MIN},
    };
    for (size_t row = 0; row < sizeof bad64 / sizeof bad64[0]; row++) {
        uint32_t ids[2] = {11, 12};
        ferrule_status status = ferrule_pool_intern_many_large(pool, values, bad64[row], 2, ids);
        CHECK(status == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(ids[0] == 11 && ids[1] == 12);
    }
    /* n + 1 offsets would overflow size_t. */
    uint32_t id = 5;
    CHECK(ferrule_pool_intern_many(pool, values, bad[0], SIZE_MAX, &id) == FERRULE_STATUS_INVALID_ARGUMENT);
    CHECK(id == 5);
    CHECK(pool_len(pool) == 0);
    ferrule_pool_free(pool);
}

static void test_intern_lines(void) {
    ferrule_pool *pool = new_pool();
    const char *log = "10.0.0.1\r\n10.0.0.2\r\n\r\n10.0.0.1\r\n";
    size_t len = strlen(log), count = 99;
    /* Counting only. */
    CHECK(ferrule_pool_intern_lines(pool, bytes(log), len, '\n', NULL, 0, &count) == FERRULE_STATUS_OK);
    CHECK(count == 4 && pool_len(pool) == 0);
    /* Too small: fails, interns nothing, writes nothing. */
    uint32_t ids[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    count = 99;
    CHECK(ferrule_pool_intern_lines(pool, bytes(log), len, '\n', ids, 3, &count) ==
          FERRULE_STATUS_LENGTH_MISMATCH);
    CHECK(count == 99 && ids[0] == 9 && pool_len(pool) == 0);
    CHECK(strstr(last_error(), "4 are needed") != NULL);
    CHECK(ferrule_pool_intern_lines(pool, bytes(log), len, '\n', ids, 0, &count) ==
          FERRULE_STATUS_LENGTH_MISMATCH);
    /* Room for more: only count ids written. */
    CHECK(ferrule_pool_intern_lines(pool, bytes(log), len, '\n', ids, 8, &count) == FERRULE_STATUS_OK);
    CHECK(count == 4 && ids[0] == 0 && ids[1] == 1 && ids[2] == 2 && ids[3] == 0 && ids[4] == 9);
    CHECK(resolves_to_str(pool, 0, "10.0.0.1") && resolves_to(pool, 2, "", 0));

    /* Another separator keeps '\r'; no trailing separator. */
    CHECK(ferrule_pool_intern_lines(pool, bytes("a,b\r,a"), 6, ',', ids, 8, &count) == FERRULE_STATUS_OK);
    CHECK(count == 3 && ids[0] == 3 && ids[1] == 4 && ids[2] == 3 && resolves_to_str(pool, 4, "b\r"));
    /* Empty data holds no values; a lone separator one empty value. */
    CHECK(ferrule_pool_intern_lines(pool, NULL, 0, '\n', NULL, 0, &count) == FERRULE_STATUS_OK && count == 0);
    CHECK(ferrule_pool_intern_lines(pool, bytes("\n"), 1, '\n', ids, 1, &count) == FERRULE_STATUS_OK);
    CHECK(count == 1 && ids[0] == 2);
    ferrule_pool_free(pool);
}

static void test_memory_usage(void) {
    ferrule_pool *pool = new_pool();
    size_t before = 0, after = 0;
    CHECK(ferrule_pool_memory_usage(pool, &before) == FERRULE_STATUS_OK && before > 0);
    char value[32];
    int all_ok = 1;
    for (int i = 0; i < 10000; i++) {
        snprintf(value, sizeof value, "user-agent-%d", i);
        CHECK_ALL(intern(pool, value) == (uint32_t)i, "value %d", i);
    }
    CHECK(all_ok);
    CHECK(ferrule_pool_memory_usage(pool, &after) == FERRULE_STATUS_OK);
    CHECK(after > before + 10000 * 10);
    ferrule_pool_free(pool);
}

/* A small pool with awkward values, for the serialization tests. */
static ferrule_pool *small_pool(void) {
    ferrule_pool *pool = new_pool();
    static const uint8_t odd[] = {0, 0xff, '\n'};
    uint32_t id = UINT32_MAX;
    int ok = intern(pool, "alpha") == 0 && intern(pool, "") == 1 &&
             ferrule_pool_intern(pool, odd, sizeof odd, &id) == FERRULE_STATUS_OK && id == 2 &&
             intern(pool, "beta gamma") == 3;
    CHECK(ok);
    return pool;
}

static void test_serialize_round_trip(void) {
    ferrule_pool *pool = small_pool();
    size_t size = 0;
    uint8_t *data = serialize(pool, &size);
    CHECK(data != NULL && size > 44);
    if (data == NULL) return;
    CHECK(memcmp(data, "FERPOOL", 8) == 0);
    ferrule_pool *copy = NULL;
    CHECK(ferrule_pool_deserialize(data, size, &copy) == FERRULE_STATUS_OK && copy != NULL);
    CHECK(pool_len(copy) == 4);
    for (uint32_t id = 0; id < 4; id++) {
        const uint8_t *ptr = NULL;
        size_t len = 0;
        CHECK(ferrule_pool_resolve(pool, id, &ptr, &len) == FERRULE_STATUS_OK);
        CHECK(resolves_to(copy, id, ptr, len));
        bool found = false;
        uint32_t got = UINT32_MAX;
        CHECK(ferrule_pool_get(copy, ptr, len, &found, &got) == FERRULE_STATUS_OK && found && got == id);
    }
    /* The copy is a full pool: new values continue the ids, and it serializes to the same bytes. */
    size_t again_size = 0;
    uint8_t *again = serialize(copy, &again_size);
    CHECK(again != NULL && again_size == size && memcmp(again, data, size) == 0);
    CHECK(intern(copy, "alpha") == 0 && intern(copy, "delta") == 4);
    free(again);

    /* An empty pool round-trips too. */
    ferrule_pool *empty = new_pool(), *empty_copy = NULL;
    size_t empty_size = 0;
    uint8_t *empty_data = serialize(empty, &empty_size);
    CHECK(empty_data != NULL && empty_size == 44);
    CHECK(ferrule_pool_deserialize(empty_data, empty_size, &empty_copy) == FERRULE_STATUS_OK);
    CHECK(pool_len(empty_copy) == 0);
    free(empty_data);
    ferrule_pool_free(empty_copy);
    ferrule_pool_free(empty);
    free(data);
    ferrule_pool_free(copy);
    ferrule_pool_free(pool);
}

static void test_serialize_buffers(void) {
    ferrule_pool *pool = small_pool();
    size_t need = 0;
    CHECK(ferrule_pool_serialize(pool, NULL, 0, &need) == FERRULE_STATUS_OK && need > 44);
    uint8_t *buf = malloc(need + 16);
    if (buf == NULL) return;
    /* Every too-small length: an error, and not one byte of the buffer or *out_len written. */
    int all_ok = 1;
    for (size_t len = 0; len < need; len++) {
        memset(buf, 0xAA, need + 16);
        size_t out_len = 7;
        ferrule_status status = ferrule_pool_serialize(pool, buf, len, &out_len);
        CHECK_ALL(status == FERRULE_STATUS_LENGTH_MISMATCH, "len %zu", len);
        CHECK_ALL(out_len == 7, "len %zu", len);
        for (size_t i = 0; i < need + 16; i++) CHECK_ALL(buf[i] == 0xAA, "len %zu byte %zu", len, i);
    }
    CHECK(all_ok);
    CHECK(strstr(last_error(), "needed") != NULL);
    /* A larger buffer: exactly `need` bytes written. */
    memset(buf, 0xAA, need + 16);
    size_t written = 0;
    CHECK(ferrule_pool_serialize(pool, buf, need + 16, &written) == FERRULE_STATUS_OK && written == need);
    CHECK(buf[need] == 0xAA && buf[need + 15] == 0xAA);
    ferrule_pool *copy = NULL;
    CHECK(ferrule_pool_deserialize(buf, written, &copy) == FERRULE_STATUS_OK && pool_len(copy) == 4);
    ferrule_pool_free(copy);
    free(buf);
    ferrule_pool_free(pool);
}

static void test_corrupt_data(void) {
    ferrule_pool *pool = small_pool();
    size_t size = 0;
    uint8_t *data = serialize(pool, &size);
    if (data == NULL) {
        CHECK(!"serialize failed");
        return;
    }
    ferrule_pool *const sentinel = (ferrule_pool *)(void *)&size;
    ferrule_pool *out = sentinel;

    /* Every truncation, each from its own exact-size allocation so valgrind sees any read past
     * the end. */
    int all_ok = 1;
    for (size_t len = 0; len < size; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        if (cut == NULL) break;
        memcpy(cut, data, len);
        ferrule_status status = ferrule_pool_deserialize(cut, len, &out);
        CHECK_ALL(status == FERRULE_STATUS_CORRUPT, "length %zu, status %u", len, (unsigned)status);
        CHECK_ALL(out == sentinel, "length %zu", len);
        free(cut);
    }
    CHECK(all_ok);
    CHECK(ferrule_pool_deserialize(NULL, 0, &out) == FERRULE_STATUS_CORRUPT && out == sentinel);

    /* One byte too many. */
    uint8_t *padded = malloc(size + 1);
    if (padded != NULL) {
        memcpy(padded, data, size);
        padded[size] = 0;
        CHECK(ferrule_pool_deserialize(padded, size + 1, &out) == FERRULE_STATUS_CORRUPT && out == sentinel);
        free(padded);
    }

    /* Every single bit flip. */
    all_ok = 1;
    for (size_t bit = 0; bit < size * 8; bit++) {
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ferrule_status status = ferrule_pool_deserialize(data, size, &out);
        CHECK_ALL(status == FERRULE_STATUS_CORRUPT, "bit %zu, status %u", bit, (unsigned)status);
        CHECK_ALL(out == sentinel, "bit %zu", bit);
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK(all_ok);
    CHECK(strstr(last_error(), "not a valid serialized ferrule string pool") != NULL);

    /* Not a pool at all. */
    static const char text[] = "this is just some text that is long enough to be a pool";
    CHECK(ferrule_pool_deserialize(bytes(text), sizeof text, &out) == FERRULE_STATUS_CORRUPT && out == sentinel);
    /* Undamaged, it still reads. */
    CHECK(ferrule_pool_deserialize(data, size, &out) == FERRULE_STATUS_OK && out != sentinel);
    if (out != sentinel) ferrule_pool_free(out);
    free(data);
    ferrule_pool_free(pool);
}

/* ---------------------------------------------------------------------------- threads */

enum { THREADS = 8, DISTINCT = 3000 };

struct worker {
    ferrule_pool *pool;
    int index;
    uint32_t ids[DISTINCT]; /* ids[v]: the id this thread got for value v */
    int ok;
};

static void value_name(char *buf, size_t size, int v) { snprintf(buf, size, "client-%05d.example", v); }

/* Every thread interns every value, each starting at another place and alternating single calls
 * with batches, so that threads race to insert the same new values. */
static void *intern_worker(void *arg) {
    struct worker *w = arg;
    w->ok = 1;
    int start = w->index * (DISTINCT / THREADS);
    char value[64];
    for (int k = 0; k < DISTINCT;) {
        if ((k / 50) % 2 == 0) {
            int v = (start + k) % DISTINCT;
            value_name(value, sizeof value, v);
            if (ferrule_pool_intern(w->pool, bytes(value), strlen(value), &w->ids[v]) != FERRULE_STATUS_OK)
                w->ok = 0;
            k++;
        } else {
            /* A batch of up to 50 values in Arrow layout. */
            uint8_t values[50 * 32];
            int32_t offsets[51];
            int vs[50];
            uint32_t ids[50];
            int n = 0;
            offsets[0] = 0;
            for (; n < 50 && k < DISTINCT; n++, k++) {
                vs[n] = (start + k) % DISTINCT;
                value_name(value, sizeof value, vs[n]);
                size_t len = strlen(value);
                memcpy(values + offsets[n], value, len);
                offsets[n + 1] = offsets[n] + (int32_t)len;
            }
            if (ferrule_pool_intern_many(w->pool, values, offsets, (size_t)n, ids) != FERRULE_STATUS_OK)
                w->ok = 0;
            for (int i = 0; i < n; i++) w->ids[vs[i]] = ids[i];
        }
    }
    return NULL;
}

static void test_threads_agree_on_ids(void) {
    ferrule_pool *pool = new_pool();
    static struct worker workers[THREADS];
    pthread_t threads[THREADS];
    int started = 0;
    for (int t = 0; t < THREADS; t++) {
        workers[t].pool = pool;
        workers[t].index = t;
        if (pthread_create(&threads[t], NULL, intern_worker, &workers[t]) == 0) started++;
    }
    CHECK(started == THREADS);
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < started; t++) CHECK(workers[t].ok);

    /* One id per value, the same in every thread; ids dense 0..DISTINCT-1; each resolves to
     * its value. */
    CHECK(pool_len(pool) == DISTINCT);
    static unsigned char seen[DISTINCT];
    memset(seen, 0, sizeof seen);
    int all_ok = 1;
    char value[64];
    for (int v = 0; v < DISTINCT; v++) {
        uint32_t id = workers[0].ids[v];
        for (int t = 1; t < started; t++) CHECK_ALL(workers[t].ids[v] == id, "value %d thread %d", v, t);
        CHECK_ALL(id < DISTINCT && !seen[id], "value %d id %u", v, (unsigned)id);
        if (id < DISTINCT) seen[id] = 1;
        value_name(value, sizeof value, v);
        CHECK_ALL(resolves_to_str(pool, id, value), "value %d", v);
    }
    CHECK(all_ok);
    ferrule_pool_free(pool);
}

/* ---------------------------------------------------------------------------- pointer lifetime */

enum { MORE_VALUES = 100000, GROWERS = 2 };

struct grower {
    ferrule_pool *pool;
    int index;
    int ok;
};

/* Interns MORE_VALUES / GROWERS new values in batches of 1000. */
static void *grow_worker(void *arg) {
    struct grower *g = arg;
    enum { BATCH = 1000 };
    uint8_t values[BATCH * 24];
    int32_t offsets[BATCH + 1];
    uint32_t ids[BATCH];
    g->ok = 1;
    for (int base = 0; base < MORE_VALUES / GROWERS; base += BATCH) {
        offsets[0] = 0;
        for (int i = 0; i < BATCH; i++) {
            int len = snprintf((char *)values + offsets[i], 24, "grow-%d-%d", g->index, base + i);
            offsets[i + 1] = offsets[i] + len;
        }
        if (ferrule_pool_intern_many(g->pool, values, offsets, BATCH, ids) != FERRULE_STATUS_OK) g->ok = 0;
    }
    return NULL;
}

static void test_resolved_pointers_stay_valid(void) {
    ferrule_pool *pool = new_pool();
    const char *anchor = "anchor value, interned first";
    uint32_t id = intern(pool, anchor);
    const uint8_t *ptr = NULL;
    size_t len = 0;
    CHECK(ferrule_pool_resolve(pool, id, &ptr, &len) == FERRULE_STATUS_OK && len == strlen(anchor));

    /* Other threads intern 100k values while this one keeps reading the pointer. */
    struct grower growers[GROWERS];
    pthread_t threads[GROWERS];
    int started = 0;
    for (int g = 0; g < GROWERS; g++) {
        growers[g].pool = pool;
        growers[g].index = g;
        if (pthread_create(&threads[g], NULL, grow_worker, &growers[g]) == 0) started++;
    }
    CHECK(started == GROWERS);
    int all_ok = 1;
    for (int i = 0; i < 2000; i++) CHECK_ALL(memcmp(ptr, anchor, len) == 0, "read %d", i);
    CHECK(all_ok);
    for (int g = 0; g < started; g++) pthread_join(threads[g], NULL);
    for (int g = 0; g < started; g++) CHECK(growers[g].ok);

    /* And one batch of 100k more from this thread (a batch long enough to take the parallel
     * lookup path). */
    uint8_t *values = malloc((size_t)MORE_VALUES * 16);
    int32_t *offsets = malloc(sizeof(int32_t) * (MORE_VALUES + 1));
    uint32_t *ids = malloc(sizeof(uint32_t) * MORE_VALUES);
    if (values && offsets && ids) {
        offsets[0] = 0;
        for (int i = 0; i < MORE_VALUES; i++) {
            int n = snprintf((char *)values + offsets[i], 16, "more-%d", i);
            offsets[i + 1] = offsets[i] + n;
        }
        CHECK(ferrule_pool_intern_many(pool, values, offsets, MORE_VALUES, ids) == FERRULE_STATUS_OK);
        CHECK(ids[0] == 1 + MORE_VALUES && ids[MORE_VALUES - 1] == 2 * MORE_VALUES);
    } else {
        CHECK(!"out of memory");
    }
    free(values);
    free(offsets);
    free(ids);

    CHECK(pool_len(pool) == 1 + 2 * (size_t)MORE_VALUES);
    CHECK(memcmp(ptr, anchor, len) == 0);
    const uint8_t *again = NULL;
    size_t again_len = 0;
    CHECK(ferrule_pool_resolve(pool, id, &again, &again_len) == FERRULE_STATUS_OK);
    CHECK(again == ptr && again_len == len);
    /* Serializing reads the pool, it does not move it. */
    size_t size = 0;
    uint8_t *data = serialize(pool, &size);
    CHECK(data != NULL && memcmp(ptr, anchor, len) == 0);
    free(data);
    ferrule_pool_free(pool);
}

int main(void) {
    test_new_and_free();
    test_intern_get_resolve();
    test_bytes_values();
    test_long_value();
    test_unknown_ids();
    test_null_pointers();
    test_intern_many();
    test_bad_offsets();
    test_intern_lines();
    test_memory_usage();
    test_serialize_round_trip();
    test_serialize_buffers();
    test_corrupt_data();
    test_threads_agree_on_ids();
    test_resolved_pointers_stay_valid();
    return check_report();
}
