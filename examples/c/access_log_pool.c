/* Dictionary-encodes the client column of an access log in one batch call (`make demo` runs it
 * on the bundled log): the clients are described to ferrule as Arrow-style offsets into the file
 * buffer itself, so nothing is copied on the way in. Checks that every id decodes back to its
 * field and exits non-zero otherwise.
 * usage: access_log_pool ACCESS_LOG
 * Build: cc access_log_pool.c $(pkg-config --cflags --libs ferrule) */
#include <ferrule.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, ferrule_status status) {
    char message[256];
    ferrule_last_error_message(message, sizeof message, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, ferrule_status_str(status), message);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s ACCESS_LOG\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) {
        perror(argv[1]);
        return 1;
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    if (size <= 0 || size > INT32_MAX) return 1;
    uint8_t *data = malloc((size_t)size);
    if (data == NULL || fread(data, 1, (size_t)size, file) != (size_t)size) return 1;
    fclose(file);

    /* The client is each line's first field. Arrow layout needs one contiguous values buffer,
     * so the clients are packed to the front of a second buffer; offsets[i]..offsets[i + 1]
     * is client i. */
    size_t capacity = 1024, n = 0;
    int32_t *offsets = malloc((capacity + 1) * sizeof *offsets);
    uint8_t *clients = malloc((size_t)size);
    if (offsets == NULL || clients == NULL) return 1;
    offsets[0] = 0;
    for (size_t start = 0; start < (size_t)size;) {
        const uint8_t *newline = memchr(data + start, '\n', (size_t)size - start);
        size_t end = newline ? (size_t)(newline - data) : (size_t)size;
        const uint8_t *space = memchr(data + start, ' ', end - start);
        size_t field = space ? (size_t)(space - (data + start)) : end - start;
        if (n == capacity) {
            capacity *= 2;
            int32_t *grown = realloc(offsets, (capacity + 1) * sizeof *offsets);
            if (grown == NULL) return 1;
            offsets = grown;
        }
        memcpy(clients + offsets[n], data + start, field);
        offsets[n + 1] = offsets[n] + (int32_t)field;
        n++;
        start = end + 1;
    }

    ferrule_pool *pool = NULL;
    ferrule_status status = ferrule_pool_new(&pool);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_new", status);
    uint32_t *ids = malloc(n * sizeof *ids);
    if (ids == NULL) return 1;
    status = ferrule_pool_intern_many(pool, clients, offsets, n, ids);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_intern_many", status);
    size_t distinct = 0;
    status = ferrule_pool_len(pool, &distinct);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_len", status);

    size_t *counts = calloc(distinct, sizeof *counts);
    if (counts == NULL) return 1;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        counts[ids[i]]++;
        const uint8_t *value = NULL;
        size_t len = 0;
        status = ferrule_pool_resolve(pool, ids[i], &value, &len);
        if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_resolve", status);
        size_t field = (size_t)(offsets[i + 1] - offsets[i]);
        if (len != field || memcmp(value, clients + offsets[i], len) != 0) ok = 0;
    }
    uint32_t busiest = 0;
    for (uint32_t id = 1; id < distinct; id++)
        if (counts[id] > counts[busiest]) busiest = id;
    const uint8_t *value = NULL;
    size_t len = 0;
    status = ferrule_pool_resolve(pool, busiest, &value, &len);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_resolve", status);
    printf("%zu lines, %zu distinct clients; busiest %.*s (%zu requests)\n", n, distinct, (int)len,
           (const char *)value, counts[busiest]);
    if (!ok) fprintf(stderr, "an id did not decode to its client\n");

    free(counts);
    free(ids);
    free(clients);
    free(offsets);
    free(data);
    ferrule_pool_free(pool);
    return ok ? 0 : 1;
}
