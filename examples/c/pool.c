/* Dictionary-encodes the lines of a small access log with a ferrule string pool: each distinct
 * request is stored once and every line becomes a small integer id, which makes counting as
 * cheap as indexing an array. Checks its own results and exits non-zero if they are wrong.
 * Build: cc pool.c $(pkg-config --cflags --libs ferrule) */
#include <ferrule.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char LOG[] =
    "GET /index.html\n"
    "GET /static/app.css\n"
    "POST /api/login\n"
    "GET /index.html\n"
    "GET /static/app.js\n"
    "GET /static/app.css\n"
    "GET /index.html\n"
    "POST /api/login\n"
    "GET /favicon.ico\n"
    "GET /index.html\n";

static int fail(const char *what, ferrule_status status) {
    char message[256];
    ferrule_last_error_message(message, sizeof message, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, ferrule_status_str(status), message);
    return 1;
}

int main(void) {
    ferrule_pool *pool = NULL;
    ferrule_status status = ferrule_pool_new(&pool);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_new", status);

    /* NULL, 0 asks how many lines there are; the second call interns them all at once. */
    const uint8_t *data = (const uint8_t *)LOG;
    size_t len = sizeof LOG - 1, lines = 0, distinct = 0;
    status = ferrule_pool_intern_lines(pool, data, len, '\n', NULL, 0, &lines);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_intern_lines", status);
    uint32_t *ids = malloc(lines * sizeof *ids);
    if (ids == NULL) return 1;
    status = ferrule_pool_intern_lines(pool, data, len, '\n', ids, lines, &lines);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_intern_lines", status);
    status = ferrule_pool_len(pool, &distinct);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_len", status);

    /* Ids are dense from 0, so an array indexed by id counts the lines. */
    size_t *counts = calloc(distinct, sizeof *counts);
    if (counts == NULL) return 1;
    for (size_t i = 0; i < lines; i++) counts[ids[i]]++;

    printf("%zu lines, %zu distinct requests\n", lines, distinct);
    for (uint32_t id = 0; id < distinct; id++) {
        const uint8_t *value = NULL;
        size_t value_len = 0;
        status = ferrule_pool_resolve(pool, id, &value, &value_len);
        if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_resolve", status);
        /* Pool values are not NUL-terminated: print them with their length. */
        printf("  id %u  %zux  %.*s\n", (unsigned)id, counts[id], (int)value_len, (const char *)value);
    }

    bool found = false;
    uint32_t login = 0;
    status = ferrule_pool_get(pool, (const uint8_t *)"POST /api/login", 15, &found, &login);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_pool_get", status);

    int ok = lines == 10 && distinct == 5 && ids[0] == 0 && counts[0] == 4 && found && login == 2 &&
             counts[login] == 2;
    if (!ok) fprintf(stderr, "unexpected counts\n");
    free(counts);
    free(ids);
    ferrule_pool_free(pool);
    return ok ? 0 : 1;
}
