/* Nearest neighbours over a small embedding table with ferrule's vector math: normalize the rows
 * in place, find the top 3 documents for a query (cosine), then all query-document distances at
 * once (cdist) and the closest document per query (argmin). The table has two extra columns per
 * row that the distance calls skip through the row stride. Checks its own results and exits
 * non-zero if they are wrong.
 * Build: cc vector.c $(pkg-config --cflags --libs ferrule) */
#include <ferrule.h>
#include <stdio.h>
#include <string.h>

enum { DOCS = 8, DIM = 6, STRIDE = 8, K = 3, QUERIES = 2 };

static const char *const TITLES[DOCS] = {
    "cats sleeping in the sun", "a kitten meets a mirror", "dogs at the beach", "training a puppy",
    "bond yields rise",         "stock market today",      "football highlights", "tennis: the final set",
};

/* Each row: 6 embedding dimensions (pets, felines, canines, finance, sports, other), then the
 * document's views (thousands) and year, which are not part of the embedding. */
static float table[DOCS * STRIDE] = {
    0.8f, 0.9f, 0.1f, 0.0f, 0.0f, 0.2f, 12, 2021, /* cats */
    0.9f, 1.0f, 0.0f, 0.0f, 0.1f, 0.3f, 48, 2023, /* kitten */
    0.8f, 0.1f, 0.9f, 0.0f, 0.2f, 0.1f, 30, 2022, /* dogs */
    0.9f, 0.0f, 1.0f, 0.1f, 0.0f, 0.2f, 25, 2020, /* puppy */
    0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.2f, 3,  2024, /* bonds */
    0.0f, 0.1f, 0.0f, 0.9f, 0.1f, 0.3f, 7,  2024, /* stocks */
    0.1f, 0.0f, 0.1f, 0.1f, 1.0f, 0.2f, 90, 2023, /* football */
    0.0f, 0.1f, 0.0f, 0.0f, 0.9f, 0.4f, 41, 2022, /* tennis */
};

static int fail(const char *what, ferrule_status status) {
    char message[256];
    ferrule_last_error_message(message, sizeof message, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, ferrule_status_str(status), message);
    return 1;
}

int main(void) {
    ferrule_status status;
    /* Unit-length embeddings: in place, each row into itself. */
    for (size_t d = 0; d < DOCS; d++) {
        float *row = table + d * STRIDE;
        status = ferrule_vec_normalize_f32(row, DIM, row);
        if (status != FERRULE_STATUS_OK) return fail("ferrule_vec_normalize_f32", status);
    }

    /* "a kitten video" and "market news" */
    float queries[QUERIES * DIM] = {
        0.9f, 1.0f, 0.0f, 0.0f, 0.1f, 0.35f,
        0.0f, 0.0f, 0.1f, 0.8f, 0.1f, 0.4f,
    };
    ferrule_vec_options options = {0}; /* fast precision, all cores */
    size_t top[QUERIES * K];
    float top_distances[QUERIES * K];
    status = ferrule_vec_topk_f32(queries, QUERIES, DIM, table, DOCS, STRIDE, DIM, K, FERRULE_METRIC_COSINE,
                                  &options, top, top_distances, QUERIES * K);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_vec_topk_f32", status);
    for (size_t q = 0; q < QUERIES; q++) {
        printf("query %zu, the %d closest documents (%s distance):\n", q, K,
               ferrule_vec_metric_name(FERRULE_METRIC_COSINE));
        for (size_t j = 0; j < K; j++) {
            size_t doc = top[q * K + j];
            printf("  %.4f  %-26s (%.0fk views, %.0f)\n", top_distances[q * K + j], TITLES[doc],
                   table[doc * STRIDE + DIM], table[doc * STRIDE + DIM + 1]);
        }
    }

    /* Every query against every document, then the closest per query. On unit vectors the
     * squared Euclidean distance is twice the cosine distance, so it agrees with topk. */
    float all[QUERIES * DOCS];
    status = ferrule_vec_cdist_f32(queries, QUERIES, DIM, table, DOCS, STRIDE, DIM, FERRULE_METRIC_SQEUCLIDEAN,
                                   NULL, all, QUERIES * DOCS);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_vec_cdist_f32", status);
    int ok = 1;
    for (size_t q = 0; q < QUERIES; q++) {
        size_t closest = 0;
        status = ferrule_vec_argmin_f32(all + q * DOCS, DOCS, &closest);
        if (status != FERRULE_STATUS_OK) return fail("ferrule_vec_argmin_f32", status);
        printf("query %zu: closest by squared distance: %s\n", q, TITLES[closest]);
        ok = ok && closest == top[q * K];
    }

    /* A mistake is reported, not undefined: room for 7 results when 8 are needed. */
    float small[DOCS - 1];
    status = ferrule_vec_one_to_many_f32(queries, DIM, table, DOCS, STRIDE, FERRULE_METRIC_DOT, NULL, small,
                                         DOCS - 1);
    char message[256];
    ferrule_last_error_message(message, sizeof message, NULL);
    printf("a buffer too small: %s (%s)\n", ferrule_status_str(status), message);

    /* The kitten, then the cats, then a dog story; the market, then bonds. */
    ok = ok && top[0] == 1 && top[1] == 0 && (top[2] == 2 || top[2] == 3) && top[3] == 5 && top[4] == 4 &&
         top_distances[0] <= top_distances[1] && top_distances[1] <= top_distances[2] &&
         status == FERRULE_STATUS_LENGTH_MISMATCH;
    if (!ok) fprintf(stderr, "unexpected neighbours\n");
    return ok ? 0 : 1;
}
