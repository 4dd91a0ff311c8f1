/* C tests of the ferrule_vec_* functions, linked static and shared, run on the portable kernels
 * (FERRULE_MAX_ISA=scalar) and under valgrind by `make test-c`. Every function against plain
 * double loops written here, for float and double, at every length 0..130 and larger ones, from
 * unaligned starts (one element into an allocation), with NaN, infinities and zeros; in-place
 * element-wise calls; strided matrices; top-k against a brute-force sort; NULLs, unknown enum
 * values, too-small outputs (left untouched), an unknown FERRULE_MAX_ISA (in a child process);
 * and threads calling at once. Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *last_error(void) {
    static char buf[512];
    if (ferrule_last_error_message(buf, sizeof buf, NULL) != FERRULE_STATUS_OK) return "<no message>";
    return buf;
}

/* Under valgrind (its preload library is in LD_PRELOAD) the heaviest loops use fewer sizes. */
static int under_valgrind(void) {
    const char *preload = getenv("LD_PRELOAD");
    return preload != NULL && strstr(preload, "vgpreload") != NULL;
}

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes > 0 ? bytes : 1);
    if (p == NULL) abort();
    return p;
}

/* ------------------------------------------------------------------------------------------
 * One table per element type, so that every test runs for float and double. The scalar results
 * come back as double; arrays are passed through untouched (void *). */

typedef struct {
    const char *name;
    size_t size;
    double eps; /* FLT_EPSILON or DBL_EPSILON */
    double (*get)(const void *buf, size_t i);
    void (*set)(void *buf, size_t i, double v);
    /* dot, cosine_distance, sqeuclidean, euclidean, manhattan: the FERRULE_METRIC_* order. */
    ferrule_status (*named[5])(const void *a, const void *b, size_t n, double *out);
    ferrule_status (*distance)(uint32_t metric, uint32_t precision, const void *a, const void *b, size_t n,
                               double *out);
    ferrule_status (*sum)(const void *x, size_t n, uint32_t precision, double *out);
    ferrule_status (*mean)(const void *x, size_t n, double *out);
    ferrule_status (*min)(const void *x, size_t n, double *out);
    ferrule_status (*max)(const void *x, size_t n, double *out);
    ferrule_status (*argmin)(const void *x, size_t n, size_t *out);
    ferrule_status (*argmax)(const void *x, size_t n, size_t *out);
    ferrule_status (*scale)(const void *x, size_t n, double alpha, void *out);
    ferrule_status (*add)(const void *a, const void *b, size_t n, void *out);
    ferrule_status (*subtract)(const void *a, const void *b, size_t n, void *out);
    ferrule_status (*multiply)(const void *a, const void *b, size_t n, void *out);
    ferrule_status (*axpy)(double alpha, const void *x, const void *y, size_t n, void *out);
    ferrule_status (*fma_op)(const void *a, const void *b, const void *c, size_t n, void *out);
    ferrule_status (*normalize)(const void *x, size_t n, void *out);
    ferrule_status (*one_to_many)(const void *query, size_t dim, const void *matrix, size_t rows, size_t stride,
                                  uint32_t metric, const ferrule_vec_options *options, void *out,
                                  size_t out_capacity);
    ferrule_status (*cdist)(const void *a, size_t a_rows, size_t a_stride, const void *b, size_t b_rows,
                            size_t b_stride, size_t dim, uint32_t metric, const ferrule_vec_options *options,
                            void *out, size_t out_capacity);
    ferrule_status (*topk)(const void *queries, size_t n_queries, size_t queries_stride, const void *database,
                           size_t database_rows, size_t database_stride, size_t dim, size_t k, uint32_t metric,
                           const ferrule_vec_options *options, size_t *out_indices, void *out_distances,
                           size_t out_capacity);
} vtype;

#define SCALAR_OUT(S, NAME, T, PARAMS, ARGS)                   \
    static ferrule_status NAME##_##S PARAMS {                  \
        T r = 0;                                               \
        ferrule_status status = ferrule_vec_##NAME##_##S ARGS; \
        if (status == FERRULE_STATUS_OK) *out = (double)r;     \
        return status;                                         \
    }

#define DEFINE_VTYPE(T, S, EPS)                                                                              \
    static double get_##S(const void *buf, size_t i) { return ((const T *)buf)[i]; }                         \
    static void set_##S(void *buf, size_t i, double v) { ((T *)buf)[i] = (T)v; }                             \
    SCALAR_OUT(S, dot, T, (const void *a, const void *b, size_t n, double *out), (a, b, n, &r))              \
    SCALAR_OUT(S, cosine_distance, T, (const void *a, const void *b, size_t n, double *out), (a, b, n, &r))  \
    SCALAR_OUT(S, sqeuclidean, T, (const void *a, const void *b, size_t n, double *out), (a, b, n, &r))      \
    SCALAR_OUT(S, euclidean, T, (const void *a, const void *b, size_t n, double *out), (a, b, n, &r))        \
    SCALAR_OUT(S, manhattan, T, (const void *a, const void *b, size_t n, double *out), (a, b, n, &r))        \
    SCALAR_OUT(S, distance, T,                                                                               \
               (uint32_t metric, uint32_t precision, const void *a, const void *b, size_t n, double *out),   \
               (metric, precision, a, b, n, &r))                                                             \
    SCALAR_OUT(S, sum, T, (const void *x, size_t n, uint32_t precision, double *out), (x, n, precision, &r)) \
    SCALAR_OUT(S, mean, double, (const void *x, size_t n, double *out), (x, n, &r))                          \
    SCALAR_OUT(S, min, T, (const void *x, size_t n, double *out), (x, n, &r))                                \
    SCALAR_OUT(S, max, T, (const void *x, size_t n, double *out), (x, n, &r))                                \
    static ferrule_status argmin_##S(const void *x, size_t n, size_t *out) {                                 \
        return ferrule_vec_argmin_##S(x, n, out);                                                            \
    }                                                                                                        \
    static ferrule_status argmax_##S(const void *x, size_t n, size_t *out) {                                 \
        return ferrule_vec_argmax_##S(x, n, out);                                                            \
    }                                                                                                        \
    static ferrule_status scale_##S(const void *x, size_t n, double alpha, void *out) {                      \
        return ferrule_vec_scale_##S(x, n, (T)alpha, out);                                                   \
    }                                                                                                        \
    static ferrule_status add_##S(const void *a, const void *b, size_t n, void *out) {                       \
        return ferrule_vec_add_##S(a, b, n, out);                                                            \
    }                                                                                                        \
    static ferrule_status subtract_##S(const void *a, const void *b, size_t n, void *out) {                  \
        return ferrule_vec_subtract_##S(a, b, n, out);                                                       \
    }                                                                                                        \
    static ferrule_status multiply_##S(const void *a, const void *b, size_t n, void *out) {                  \
        return ferrule_vec_multiply_##S(a, b, n, out);                                                       \
    }                                                                                                        \
    static ferrule_status axpy_##S(double alpha, const void *x, const void *y, size_t n, void *out) {        \
        return ferrule_vec_axpy_##S((T)alpha, x, y, n, out);                                                 \
    }                                                                                                        \
    static ferrule_status fma_##S(const void *a, const void *b, const void *c, size_t n, void *out) {        \
        return ferrule_vec_fma_##S(a, b, c, n, out);                                                         \
    }                                                                                                        \
    static ferrule_status normalize_##S(const void *x, size_t n, void *out) {                                \
        return ferrule_vec_normalize_##S(x, n, out);                                                         \
    }                                                                                                        \
    static ferrule_status one_to_many_##S(const void *query, size_t dim, const void *matrix, size_t rows,    \
                                          size_t stride, uint32_t metric, const ferrule_vec_options *options, \
                                          void *out, size_t out_capacity) {                                  \
        return ferrule_vec_one_to_many_##S(query, dim, matrix, rows, stride, metric, options, out,           \
                                           out_capacity);                                                    \
    }                                                                                                        \
    static ferrule_status cdist_##S(const void *a, size_t a_rows, size_t a_stride, const void *b, size_t b_rows, \
                                    size_t b_stride, size_t dim, uint32_t metric,                            \
                                    const ferrule_vec_options *options, void *out, size_t out_capacity) {    \
        return ferrule_vec_cdist_##S(a, a_rows, a_stride, b, b_rows, b_stride, dim, metric, options, out,    \
                                     out_capacity);                                                          \
    }                                                                                                        \
    static ferrule_status topk_##S(const void *queries, size_t n_queries, size_t queries_stride,             \
                                   const void *database, size_t database_rows, size_t database_stride,       \
                                   size_t dim, size_t k, uint32_t metric, const ferrule_vec_options *options, \
                                   size_t *out_indices, void *out_distances, size_t out_capacity) {          \
        return ferrule_vec_topk_##S(queries, n_queries, queries_stride, database, database_rows,             \
                                    database_stride, dim, k, metric, options, out_indices, out_distances,    \
                                    out_capacity);                                                           \
    }                                                                                                        \
    static const vtype vtype_##S = {                                                                         \
        #S, sizeof(T), EPS, get_##S, set_##S,                                                                \
        {dot_##S, cosine_distance_##S, sqeuclidean_##S, euclidean_##S, manhattan_##S},                       \
        distance_##S, sum_##S, mean_##S, min_##S, max_##S, argmin_##S, argmax_##S, scale_##S, add_##S,       \
        subtract_##S, multiply_##S, axpy_##S, fma_##S, normalize_##S, one_to_many_##S, cdist_##S, topk_##S};

DEFINE_VTYPE(float, f32, FLT_EPSILON)
DEFINE_VTYPE(double, f64, DBL_EPSILON)

static const vtype *const TYPES[2] = {&vtype_f32, &vtype_f64};

enum { METRICS = 5, PRECISIONS = 2 };
static const char *const METRIC_NAMES[METRICS] = {"dot", "cosine", "sqeuclidean", "euclidean", "manhattan"};

/* Element i of buf (a pointer one may pass to ferrule). */
static void *at(const vtype *t, void *buf, size_t i) { return (unsigned char *)buf + i * t->size; }

/* An array of n elements that starts one element into its allocation, so never on a vector
 * boundary (base is what to free). */
static void *unaligned(const vtype *t, size_t n, void **base) {
    *base = xmalloc((n + 1) * t->size);
    return at(t, *base, 1);
}

/* Values in about [-8, 8] with varied magnitudes. */
static double wave(size_t i, unsigned seed) {
    return sin((double)i * 0.61 + seed * 1.7) * (((i + seed) % 7 == 3) ? 8.0 : 1.0);
}

/* Small integers in [-4, 4]: every sum of their products here is exact, and ties are common. */
static double small_int(size_t i, unsigned seed) {
    uint32_t h = (uint32_t)i * 2654435761u + seed * 40503u;
    return (double)((h >> 13) % 9) - 4.0;
}

static int same(double got, double want) { return (isnan(got) && isnan(want)) || got == want; }

/* metric(a, b) in double over the n elements, and the magnitude its rounding error scales with. */
static double reference(uint32_t metric, const vtype *t, const void *a, const void *b, size_t n,
                        double *magnitude) {
    double dot = 0, mag = 0, aa = 0, bb = 0, sq = 0, l1 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = t->get(a, i), y = t->get(b, i);
        dot += x * y;
        mag += fabs(x * y);
        aa += x * x;
        bb += y * y;
        sq += (x - y) * (x - y);
        l1 += fabs(x - y);
    }
    switch (metric) {
        case FERRULE_METRIC_DOT: *magnitude = mag; return dot;
        case FERRULE_METRIC_COSINE: {
            if (aa == 0 || bb == 0) {
                *magnitude = 1;
                return 1.0;
            }
            double norms = sqrt(aa) * sqrt(bb);
            *magnitude = mag / norms + 1.0;
            double d = 1.0 - dot / norms;
            return d < 0 ? 0 : d > 2 ? 2 : d;
        }
        case FERRULE_METRIC_SQEUCLIDEAN: *magnitude = sq; return sq;
        case FERRULE_METRIC_EUCLIDEAN: *magnitude = sqrt(sq); return sqrt(sq);
        default: *magnitude = l1; return l1;
    }
}

/* Whether got is within the documented error of precision of the double reference (which has
 * its own error of about n 2^-53 magnitude): fast, about n u sum|terms|; accurate, the exact value
 * rounded, plus a few roundings after the sums (floor: 1 for cosine, whose last steps are
 * relative to 1, else 0). */
static int within(double got, double want, double magnitude, size_t n, double eps, uint32_t precision,
                  double floor) {
    if (!isfinite(want)) return same(got, want);
    double reference_error = 4.0 * (double)(n + 1) * DBL_EPSILON * magnitude;
    double bound = precision == FERRULE_PRECISION_FAST ? (2.0 * (double)n + 8.0) * eps * magnitude
                                                       : 8.0 * eps * (fabs(want) + floor);
    return fabs(got - want) <= bound + reference_error + 1e-300;
}

/* ------------------------------------------------------------------------------------------
 * The 1:1 functions of the first part, against plain loops. */

static int close_to(double got, double want, double magnitude, size_t n, double eps) {
    double bound = 2.0 * (double)(n > 0 ? n : 1) * eps * magnitude + 1e-300;
    return fabs(got - want) <= bound;
}

static void test_every_length_against_plain_loops(void) {
    enum { MAX = 1100 };
    float *fa = malloc((MAX + 3) * sizeof *fa), *fb = malloc((MAX + 3) * sizeof *fb);
    double *da = malloc((MAX + 3) * sizeof *da), *db = malloc((MAX + 3) * sizeof *db);
    if (!fa || !fb || !da || !db) abort();
    for (size_t i = 0; i < MAX + 3; i++) {
        fa[i] = (float)sin((double)i * 0.7) * ((i % 13 == 5) ? 100.0f : 1.0f);
        fb[i] = (float)cos((double)i * 0.3);
        da[i] = fa[i];
        db[i] = fb[i];
    }
    int all_ok = 1;
    size_t sizes[] = {131, 255, 256, 257, 1000, 1024, 1100};
    for (size_t s = 0; s < 131 + sizeof sizes / sizeof *sizes; s++) {
        size_t n = s < 131 ? s : sizes[s - 131];
        for (size_t shift = 0; shift < 3; shift++) {
            const float *a = fa + shift, *b = fb + shift;
            const double *a2 = da + shift, *b2 = db + shift;
            double dot = 0, mag = 0, sq = 0, l1 = 0, aa = 0, bb = 0;
            for (size_t i = 0; i < n; i++) {
                dot += (double)a[i] * b[i];
                mag += fabs((double)a[i] * b[i]);
                sq += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
                l1 += fabs((double)a[i] - b[i]);
                aa += (double)a[i] * a[i];
                bb += (double)b[i] * b[i];
            }
            float f;
            double d;
            all_ok &= ferrule_vec_dot_f32(a, b, n, &f) == FERRULE_STATUS_OK && close_to(f, dot, mag, n, 1.2e-7);
            all_ok &= ferrule_vec_dot_f64(a2, b2, n, &d) == FERRULE_STATUS_OK && close_to(d, dot, mag, n, 2.3e-16);
            all_ok &= ferrule_vec_sqeuclidean_f32(a, b, n, &f) == FERRULE_STATUS_OK && close_to(f, sq, sq, n, 1.2e-7);
            all_ok &= ferrule_vec_sqeuclidean_f64(a2, b2, n, &d) == FERRULE_STATUS_OK && close_to(d, sq, sq, n, 2.3e-16);
            all_ok &= ferrule_vec_euclidean_f64(a2, b2, n, &d) == FERRULE_STATUS_OK && close_to(d * d, sq, sq, n, 1e-15);
            all_ok &= ferrule_vec_manhattan_f32(a, b, n, &f) == FERRULE_STATUS_OK && close_to(f, l1, l1, n, 1.2e-7);
            all_ok &= ferrule_vec_manhattan_f64(a2, b2, n, &d) == FERRULE_STATUS_OK && close_to(d, l1, l1, n, 2.3e-16);
            all_ok &= ferrule_vec_norm_f64(a2, n, &d) == FERRULE_STATUS_OK && close_to(d * d, aa, aa, n, 1e-15);
            double cos = (aa == 0 || bb == 0) ? 0.0 : dot / (sqrt(aa) * sqrt(bb));
            all_ok &= ferrule_vec_cosine_similarity_f64(a2, b2, n, &d) == FERRULE_STATUS_OK &&
                      fabs(d - cos) <= 1e-12 * (double)(n + 1) * (mag / (sqrt(aa) * sqrt(bb) + 1e-300) + 1);
            all_ok &= ferrule_vec_cosine_distance_f32(a, b, n, &f) == FERRULE_STATUS_OK && f >= 0.0f && f <= 2.0f;
            if (!all_ok) {
                fprintf(stderr, "FAIL: n=%zu shift=%zu\n", n, shift);
                break;
            }
        }
        if (!all_ok) break;
    }
    CHECK(all_ok);
    free(fa);
    free(fb);
    free(da);
    free(db);
}

static void test_bad_arguments_leave_outputs_alone(void) {
    float a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, out = 42.0f;
    CHECK(ferrule_vec_dot_f32(NULL, b, 3, &out) == FERRULE_STATUS_NULL_POINTER && out == 42.0f);
    CHECK(ferrule_vec_dot_f32(a, NULL, 3, &out) == FERRULE_STATUS_NULL_POINTER && out == 42.0f);
    CHECK(ferrule_vec_dot_f32(a, b, 3, NULL) == FERRULE_STATUS_NULL_POINTER);
    CHECK(ferrule_vec_norm_f32(NULL, 2, &out) == FERRULE_STATUS_NULL_POINTER && out == 42.0f);
    /* n == 0 accepts NULL inputs: empty vectors. */
    CHECK(ferrule_vec_dot_f32(NULL, NULL, 0, &out) == FERRULE_STATUS_OK && out == 0.0f);
    CHECK(ferrule_vec_cosine_distance_f32(NULL, NULL, 0, &out) == FERRULE_STATUS_OK && out == 1.0f);
    /* Exact small cases. */
    CHECK(ferrule_vec_dot_f32(a, b, 3, &out) == FERRULE_STATUS_OK && out == 32.0f);
    CHECK(ferrule_vec_sqeuclidean_f32(a, b, 3, &out) == FERRULE_STATUS_OK && out == 27.0f);
    CHECK(ferrule_vec_manhattan_f32(a, b, 3, &out) == FERRULE_STATUS_OK && out == 9.0f);
    float zero[3] = {0, 0, 0};
    CHECK(ferrule_vec_cosine_similarity_f32(a, zero, 3, &out) == FERRULE_STATUS_OK && out == 0.0f);
    float nan_in[3] = {1, NAN, 3};
    CHECK(ferrule_vec_dot_f32(nan_in, b, 3, &out) == FERRULE_STATUS_OK && isnan(out));
}


/* ------------------------------------------------------------------------------------------
 * 1:1 distances at any precision. */

static void test_distance_every_metric_precision_and_length(void) {
    const size_t larger[] = {257, 1000, 4099};
    size_t n_larger = under_valgrind() ? 1 : 3, max = 4099;
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *abase = xmalloc((max + 1) * t->size), *bbase = xmalloc((max + 1) * t->size);
        int ok = 1;
        for (size_t shift = 0; shift < 2; shift++) {
            void *a = at(t, abase, shift), *b = at(t, bbase, shift);
            for (size_t i = 0; i < max; i++) {
                t->set(a, i, wave(i, 1));
                t->set(b, i, wave(i, 2));
            }
            for (size_t s = 0; ok && s < 131 + n_larger; s++) {
                size_t n = s < 131 ? s : larger[s - 131];
                for (uint32_t m = 0; ok && m < METRICS; m++) {
                    double magnitude, want = reference(m, t, a, b, n, &magnitude);
                    for (uint32_t p = 0; ok && p < PRECISIONS; p++) {
                        double got = NAN;
                        ok = t->distance(m, p, a, b, n, &got) == FERRULE_STATUS_OK &&
                             within(got, want, magnitude, n, t->eps, p, m == FERRULE_METRIC_COSINE);
                        if (!ok)
                            fprintf(stderr, "FAIL %s %s precision %u n=%zu shift=%zu: %.17g, want %.17g\n",
                                    t->name, METRIC_NAMES[m], p, n, shift, got, want);
                    }
                    /* At fast precision it is the metric's own function, bit for bit. */
                    double fast = NAN, named = NAN;
                    ok = ok && t->distance(m, FERRULE_PRECISION_FAST, a, b, n, &fast) == FERRULE_STATUS_OK &&
                         t->named[m](a, b, n, &named) == FERRULE_STATUS_OK && same(fast, named);
                }
            }
        }
        CHECK(ok);
        free(abase);
        free(bbase);
    }
}

static void test_distance_special_values(void) {
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *mem = xmalloc(16 * t->size);
        void *a = at(t, mem, 0), *b = at(t, mem, 4), *zero = at(t, mem, 8), *c = at(t, mem, 12);
        const double av[4] = {1, NAN, 3, 4}, bv[4] = {1, 1, 1, 1}, cv[4] = {INFINITY, 1, 2, 3};
        for (size_t i = 0; i < 4; i++) {
            t->set(a, i, av[i]);
            t->set(b, i, bv[i]);
            t->set(zero, i, 0.0);
            t->set(c, i, cv[i]);
        }
        for (uint32_t m = 0; m < METRICS; m++) {
            for (uint32_t p = 0; p < PRECISIONS; p++) {
                double d = 0;
                /* NaN in, NaN out. */
                CHECK(t->distance(m, p, a, b, 4, &d) == FERRULE_STATUS_OK && isnan(d));
                /* Identical vectors: distance 0 (cosine up to rounding, never below 0). */
                CHECK(t->distance(m, p, b, b, 4, &d) == FERRULE_STATUS_OK &&
                      (m == FERRULE_METRIC_DOT ? d == 4.0 : m == FERRULE_METRIC_COSINE ? d >= 0 && d < 1e-6 : d == 0));
            }
            double d = 0;
            /* A zero vector: cosine distance 1 (not NaN), at both precisions. */
            CHECK(t->distance(FERRULE_METRIC_COSINE, FERRULE_PRECISION_FAST, zero, b, 4, &d) == FERRULE_STATUS_OK &&
                  d == 1.0);
            CHECK(t->distance(FERRULE_METRIC_COSINE, FERRULE_PRECISION_ACCURATE, b, zero, 4, &d) ==
                      FERRULE_STATUS_OK &&
                  d == 1.0);
        }
        double d = 0;
        for (uint32_t p = 0; p < PRECISIONS; p++) {
            CHECK(t->distance(FERRULE_METRIC_SQEUCLIDEAN, p, c, b, 4, &d) == FERRULE_STATUS_OK && d == INFINITY);
            CHECK(t->distance(FERRULE_METRIC_MANHATTAN, p, c, b, 4, &d) == FERRULE_STATUS_OK && d == INFINITY);
            CHECK(t->distance(FERRULE_METRIC_DOT, p, c, b, 4, &d) == FERRULE_STATUS_OK && d == INFINITY);
            /* inf * 0 is NaN. */
            CHECK(t->distance(FERRULE_METRIC_DOT, p, c, zero, 4, &d) == FERRULE_STATUS_OK && isnan(d));
        }
        /* Opposite vectors: cosine distance 2, never above. */
        for (size_t i = 0; i < 4; i++) t->set(c, i, -bv[i]);
        CHECK(t->distance(FERRULE_METRIC_COSINE, FERRULE_PRECISION_FAST, b, c, 4, &d) == FERRULE_STATUS_OK &&
              d <= 2.0 && d > 2.0 - 1e-6);
        free(mem);
    }

    /* Where fast accumulation cancels, accurate is exact: big + 999 ones - big. */
    enum { N = 1001 };
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *base_x, *base_ones;
        void *x = unaligned(t, N, &base_x), *ones = unaligned(t, N, &base_ones);
        double big = ti == 0 ? 1e8 : 1e17;
        for (size_t i = 0; i < N; i++) {
            t->set(x, i, i == 0 ? big : i == N - 1 ? -big : 1.0);
            t->set(ones, i, 1.0);
        }
        double d = 0;
        CHECK(t->distance(FERRULE_METRIC_DOT, FERRULE_PRECISION_ACCURATE, x, ones, N, &d) == FERRULE_STATUS_OK &&
              d == 999.0);
        CHECK(t->sum(x, N, FERRULE_PRECISION_ACCURATE, &d) == FERRULE_STATUS_OK && d == 999.0);
        CHECK(t->distance(FERRULE_METRIC_MANHATTAN, FERRULE_PRECISION_ACCURATE, x, ones, N, &d) ==
                  FERRULE_STATUS_OK &&
              d == 2 * big);
        free(base_x);
        free(base_ones);
    }

    /* Unknown enum values (C passes any integer), NULLs: failures that leave *out alone. */
    float fa[3] = {1, 2, 3}, fb[3] = {4, 5, 6}, f = 42.0f;
    double da[3] = {1, 2, 3}, db[3] = {4, 5, 6}, d = 42.0;
    CHECK(ferrule_vec_distance_f32(7, FERRULE_PRECISION_FAST, fa, fb, 3, &f) == FERRULE_STATUS_INVALID_ARGUMENT &&
          f == 42.0f && strstr(last_error(), "unknown metric 7") != NULL);
    CHECK(ferrule_vec_distance_f32((uint32_t)FERRULE_METRIC_MANHATTAN + 1, 0, fa, fb, 3, &f) ==
              FERRULE_STATUS_INVALID_ARGUMENT &&
          f == 42.0f);
    CHECK(ferrule_vec_distance_f64(FERRULE_METRIC_DOT, 7, da, db, 3, &d) == FERRULE_STATUS_INVALID_ARGUMENT &&
          d == 42.0 && strstr(last_error(), "unknown precision 7") != NULL);
    CHECK(ferrule_vec_distance_f64(UINT32_MAX, UINT32_MAX, da, db, 3, &d) == FERRULE_STATUS_INVALID_ARGUMENT &&
          d == 42.0);
    CHECK(ferrule_vec_distance_f32(FERRULE_METRIC_DOT, 0, NULL, fb, 3, &f) == FERRULE_STATUS_NULL_POINTER &&
          f == 42.0f);
    CHECK(ferrule_vec_distance_f64(FERRULE_METRIC_DOT, 0, da, db, 3, NULL) == FERRULE_STATUS_NULL_POINTER);
    CHECK(ferrule_vec_distance_f64(FERRULE_METRIC_SQEUCLIDEAN, 1, NULL, NULL, 0, &d) == FERRULE_STATUS_OK && d == 0);
    CHECK(ferrule_vec_distance_f32(FERRULE_METRIC_SQEUCLIDEAN, FERRULE_PRECISION_ACCURATE, fa, fb, 3, &f) ==
              FERRULE_STATUS_OK &&
          f == 27.0f);
    /* A float pointer that is not on a float boundary. */
    float raw[4] = {0, 0, 0, 0};
    f = 42.0f;
    CHECK(ferrule_vec_distance_f32(FERRULE_METRIC_DOT, 0, (const float *)(void *)((char *)raw + 1), fb, 2, &f) ==
              FERRULE_STATUS_INVALID_ARGUMENT &&
          f == 42.0f);
}

/* ------------------------------------------------------------------------------------------
 * Reductions. */

/* The NumPy rule: the first NaN if any, else the first of the extremes (sign 1: min, -1: max). */
static size_t reference_arg(const vtype *t, const void *x, size_t n, int sign) {
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        double v = t->get(x, i);
        if (isnan(v)) return i;
        if (sign * v < sign * t->get(x, best)) best = i;
    }
    return best;
}

static void test_reductions_every_length(void) {
    const size_t larger[] = {1000, 4099};
    size_t n_larger = under_valgrind() ? 1 : 2, max = 4099;
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *base = xmalloc((max + 1) * t->size);
        int ok = 1;
        for (int variant = 0; variant < 4; variant++) {
            void *x = at(t, base, variant % 2); /* odd variants from an unaligned start */
            for (size_t s = 0; ok && s < 131 + n_larger; s++) {
                size_t n = s < 131 ? s : larger[s - 131];
                for (size_t i = 0; i < n; i++) {
                    /* 0: smooth values; 1: small integers (ties); 2: with NaN; 3: with +-inf. */
                    t->set(x, i, variant == 0 || variant == 3 ? wave(i, 5) : small_int(i, 5));
                }
                if (variant == 2 && n > 0) {
                    t->set(x, n / 3, NAN);
                    t->set(x, n - 1, NAN);
                }
                if (variant == 3 && n > 1) {
                    t->set(x, n / 2, INFINITY);
                    t->set(x, n / 4, -INFINITY);
                }
                double want = 0, magnitude = 0;
                for (size_t i = 0; i < n; i++) {
                    want += t->get(x, i);
                    magnitude += fabs(t->get(x, i));
                }
                double got = NAN, mean = NAN, lo = NAN, hi = NAN;
                for (uint32_t p = 0; p < PRECISIONS; p++) {
                    ok = ok && t->sum(x, n, p, &got) == FERRULE_STATUS_OK &&
                         within(got, want, magnitude, n, t->eps, p, 0);
                }
                size_t argmin = SIZE_MAX, argmax = SIZE_MAX;
                if (n == 0) {
                    ok = ok && t->mean(x, n, &mean) == FERRULE_STATUS_INVALID_ARGUMENT &&
                         t->min(x, n, &lo) == FERRULE_STATUS_INVALID_ARGUMENT &&
                         t->max(x, n, &hi) == FERRULE_STATUS_INVALID_ARGUMENT &&
                         t->argmin(x, n, &argmin) == FERRULE_STATUS_INVALID_ARGUMENT &&
                         t->argmax(x, n, &argmax) == FERRULE_STATUS_INVALID_ARGUMENT && argmin == SIZE_MAX &&
                         argmax == SIZE_MAX;
                } else {
                    size_t want_min = reference_arg(t, x, n, 1), want_max = reference_arg(t, x, n, -1);
                    double want_mean = want / (double)n;
                    ok = ok && t->mean(x, n, &mean) == FERRULE_STATUS_OK &&
                         (isfinite(want_mean) ? fabs(mean - want_mean) <=
                                                    8.0 * (double)(n + 1) * DBL_EPSILON * magnitude / (double)n
                                              : same(mean, want_mean));
                    ok = ok && t->argmin(x, n, &argmin) == FERRULE_STATUS_OK && argmin == want_min &&
                         t->argmax(x, n, &argmax) == FERRULE_STATUS_OK && argmax == want_max &&
                         t->min(x, n, &lo) == FERRULE_STATUS_OK && same(lo, t->get(x, want_min)) &&
                         t->max(x, n, &hi) == FERRULE_STATUS_OK && same(hi, t->get(x, want_max));
                }
                if (!ok) {
                    fprintf(stderr, "FAIL %s reductions variant %d n=%zu: sum %.17g (want %.17g) mean %.17g "
                                    "argmin %zu argmax %zu\n",
                            t->name, variant, n, got, want, mean, argmin, argmax);
                }
            }
        }
        CHECK(ok);
        free(base);
    }
}

static void test_reduction_policies_and_failures(void) {
    /* Ties: the first of equal extremes; NaN: min/max NaN, arg* the first NaN. */
    float x[6] = {3, -1, 7, -1, 7, 0};
    float f = 0;
    size_t i = 0;
    double d = 0;
    CHECK(ferrule_vec_argmin_f32(x, 6, &i) == FERRULE_STATUS_OK && i == 1);
    CHECK(ferrule_vec_argmax_f32(x, 6, &i) == FERRULE_STATUS_OK && i == 2);
    CHECK(ferrule_vec_min_f32(x, 6, &f) == FERRULE_STATUS_OK && f == -1.0f);
    CHECK(ferrule_vec_max_f32(x, 6, &f) == FERRULE_STATUS_OK && f == 7.0f);
    CHECK(ferrule_vec_mean_f32(x, 6, &d) == FERRULE_STATUS_OK && d == 2.5);
    CHECK(ferrule_vec_sum_f32(x, 6, FERRULE_PRECISION_FAST, &f) == FERRULE_STATUS_OK && f == 15.0f);
    double y[5] = {1, NAN, -5, NAN, INFINITY};
    CHECK(ferrule_vec_argmin_f64(y, 5, &i) == FERRULE_STATUS_OK && i == 1);
    CHECK(ferrule_vec_argmax_f64(y, 5, &i) == FERRULE_STATUS_OK && i == 1);
    CHECK(ferrule_vec_min_f64(y, 5, &d) == FERRULE_STATUS_OK && isnan(d));
    CHECK(ferrule_vec_max_f64(y + 2, 1, &d) == FERRULE_STATUS_OK && d == -5.0);
    CHECK(ferrule_vec_argmax_f64(y + 4, 1, &i) == FERRULE_STATUS_OK && i == 0);
    CHECK(ferrule_vec_sum_f64(y, 5, FERRULE_PRECISION_ACCURATE, &d) == FERRULE_STATUS_OK && isnan(d));
    /* Empty input: sum is 0, everything else fails and leaves *out alone. */
    f = 42.0f;
    d = 42.0;
    i = 42;
    CHECK(ferrule_vec_sum_f32(NULL, 0, FERRULE_PRECISION_FAST, &f) == FERRULE_STATUS_OK && f == 0.0f);
    CHECK(ferrule_vec_sum_f64(NULL, 0, FERRULE_PRECISION_ACCURATE, &d) == FERRULE_STATUS_OK && d == 0.0);
    f = 42.0f;
    d = 42.0;
    CHECK(ferrule_vec_mean_f32(NULL, 0, &d) == FERRULE_STATUS_INVALID_ARGUMENT && d == 42.0 &&
          strstr(last_error(), "empty") != NULL);
    CHECK(ferrule_vec_mean_f64(y, 0, &d) == FERRULE_STATUS_INVALID_ARGUMENT && d == 42.0);
    CHECK(ferrule_vec_min_f32(x, 0, &f) == FERRULE_STATUS_INVALID_ARGUMENT && f == 42.0f);
    CHECK(ferrule_vec_max_f64(NULL, 0, &d) == FERRULE_STATUS_INVALID_ARGUMENT && d == 42.0);
    CHECK(ferrule_vec_argmin_f64(NULL, 0, &i) == FERRULE_STATUS_INVALID_ARGUMENT && i == 42);
    CHECK(ferrule_vec_argmax_f32(NULL, 0, &i) == FERRULE_STATUS_INVALID_ARGUMENT && i == 42);
    /* Unknown precision, NULLs. */
    CHECK(ferrule_vec_sum_f32(x, 6, 2, &f) == FERRULE_STATUS_INVALID_ARGUMENT && f == 42.0f);
    CHECK(ferrule_vec_sum_f64(y, 5, 7, &d) == FERRULE_STATUS_INVALID_ARGUMENT && d == 42.0);
    CHECK(ferrule_vec_sum_f32(NULL, 2, FERRULE_PRECISION_FAST, &f) == FERRULE_STATUS_NULL_POINTER && f == 42.0f);
    CHECK(ferrule_vec_min_f32(x, 6, NULL) == FERRULE_STATUS_NULL_POINTER);
    CHECK(ferrule_vec_argmin_f32(NULL, 6, &i) == FERRULE_STATUS_NULL_POINTER && i == 42);
    CHECK(ferrule_vec_mean_f64(y, 5, NULL) == FERRULE_STATUS_NULL_POINTER);
}

/* ------------------------------------------------------------------------------------------
 * Element-wise operations, out of place and in place. */

enum { OP_SCALE, OP_ADD, OP_SUBTRACT, OP_MULTIPLY, OP_AXPY, OP_FMA, OP_NORMALIZE, OPS };
static const char *const OP_NAMES[OPS] = {"scale", "add", "subtract", "multiply", "axpy", "fma", "normalize"};
static const int OP_INPUTS[OPS] = {1, 2, 2, 2, 2, 3, 1};
static const double ALPHA = -1.75; /* exact in float */

static ferrule_status run_op(const vtype *t, int op, void *const in[3], size_t n, void *out) {
    switch (op) {
        case OP_SCALE: return t->scale(in[0], n, ALPHA, out);
        case OP_ADD: return t->add(in[0], in[1], n, out);
        case OP_SUBTRACT: return t->subtract(in[0], in[1], n, out);
        case OP_MULTIPLY: return t->multiply(in[0], in[1], n, out);
        case OP_AXPY: return t->axpy(ALPHA, in[0], in[1], n, out);
        case OP_FMA: return t->fma_op(in[0], in[1], in[2], n, out);
        default: return t->normalize(in[0], n, out);
    }
}

/* v rounded to the element type. */
static double rounded(const vtype *t, double v) {
    union {
        float f;
        double d;
    } slot;
    t->set(&slot, 0, v);
    return t->get(&slot, 0);
}

/* Whether out holds op(in): exactly for the one-rounding operations (double holds every float
 * product and sum exactly enough: rounding twice is harmless), within two roundings for axpy and
 * fma, within the norm's error for normalize. */
static int check_op(const vtype *t, int op, void *const in[3], size_t n, const void *out) {
    double norm = 0;
    if (op == OP_NORMALIZE) {
        for (size_t i = 0; i < n; i++) norm += t->get(in[0], i) * t->get(in[0], i);
        norm = sqrt(norm);
    }
    for (size_t i = 0; i < n; i++) {
        double x = t->get(in[0], i), y = OP_INPUTS[op] > 1 ? t->get(in[1], i) : 0,
               z = OP_INPUTS[op] > 2 ? t->get(in[2], i) : 0, got = t->get(out, i), want = 0, tolerance = 0;
        switch (op) {
            case OP_SCALE: want = rounded(t, ALPHA * x); break;
            case OP_ADD: want = rounded(t, x + y); break;
            case OP_SUBTRACT: want = rounded(t, x - y); break;
            case OP_MULTIPLY: want = rounded(t, x * y); break;
            case OP_AXPY:
                want = ALPHA * x + y;
                tolerance = 2 * t->eps * (fabs(ALPHA * x) + fabs(y));
                break;
            case OP_FMA:
                want = x * y + z;
                tolerance = 2 * t->eps * (fabs(x * y) + fabs(z));
                break;
            default:
                want = norm == 0 ? 0.0 : x / norm;
                tolerance = ((double)n + 4) * t->eps * fabs(want);
                break;
        }
        int ok = isfinite(want) && tolerance > 0 ? fabs(got - want) <= tolerance : same(got, want);
        if (!ok) {
            fprintf(stderr, "FAIL %s %s n=%zu at %zu: %.17g, want %.17g\n", t->name, OP_NAMES[op], n, i, got, want);
            return 0;
        }
    }
    return 1;
}

static void test_elementwise_every_length_and_in_place(void) {
    const size_t larger[] = {511, 512, 513, 1025, 3000};
    size_t n_larger = under_valgrind() ? 3 : 5, max = 3000;
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *base[3], *out_base, *work_base;
        for (int k = 0; k < 3; k++) base[k] = xmalloc((max + 1) * t->size);
        out_base = xmalloc((max + 1) * t->size);
        work_base = xmalloc((max + 1) * t->size);
        int ok = 1;
        for (int variant = 0; variant < 2; variant++) {
            size_t shift = (size_t)variant; /* the variant with special values also starts unaligned */
            void *in[3];
            for (int k = 0; k < 3; k++) in[k] = at(t, base[k], shift);
            void *out = at(t, out_base, shift), *work = at(t, work_base, shift);
            for (size_t i = 0; i < max; i++) {
                for (int k = 0; k < 3; k++) t->set(in[k], i, wave(i, (unsigned)k + 1));
                if (variant == 1) {
                    if (i % 11 == 3) t->set(in[0], i, INFINITY);
                    if (i % 13 == 5) t->set(in[1], i, NAN);
                    if (i % 17 == 7) t->set(in[0], i, -0.0);
                    if (i % 19 == 2) t->set(in[2], i, -INFINITY);
                }
            }
            for (size_t s = 0; ok && s < 131 + n_larger; s++) {
                size_t n = s < 131 ? s : larger[s - 131];
                for (int op = 0; ok && op < OPS; op++) {
                    memset(out, 0x7f, n * t->size);
                    ok = run_op(t, op, in, n, out) == FERRULE_STATUS_OK && check_op(t, op, in, n, out);
                    /* In place into each input in turn: the same bits as out of place. */
                    for (int k = 0; ok && k < OP_INPUTS[op]; k++) {
                        void *aliased[3] = {in[0], in[1], in[2]};
                        if (n > 0) memcpy(work, in[k], n * t->size);
                        aliased[k] = work;
                        ok = run_op(t, op, aliased, n, work) == FERRULE_STATUS_OK &&
                             (n == 0 || memcmp(work, out, n * t->size) == 0);
                        if (!ok)
                            fprintf(stderr, "FAIL %s %s in place of input %d, n=%zu\n", t->name, OP_NAMES[op], k, n);
                    }
                }
            }
            /* Every input and the output the same array, e.g. add(a, a, n, a) = 2a. */
            size_t n = 700;
            void *all_out[3] = {in[0], in[0], in[0]};
            for (int op = 0; ok && op < OPS; op++) {
                ok = run_op(t, op, all_out, n, out) == FERRULE_STATUS_OK;
                memcpy(work, in[0], n * t->size);
                void *all_work[3] = {work, work, work};
                ok = ok && run_op(t, op, all_work, n, work) == FERRULE_STATUS_OK && memcmp(work, out, n * t->size) == 0;
                if (!ok) fprintf(stderr, "FAIL %s %s with every argument the same array\n", t->name, OP_NAMES[op]);
            }
        }
        CHECK(ok);
        for (int k = 0; k < 3; k++) free(base[k]);
        free(out_base);
        free(work_base);
    }
}

static void test_elementwise_failures_write_nothing(void) {
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *buf = xmalloc(16 * t->size), *copy = xmalloc(16 * t->size), *out = xmalloc(4 * t->size);
        for (size_t i = 0; i < 16; i++) t->set(buf, i, (double)i + 1);
        memcpy(copy, buf, 16 * t->size);
        void *p0 = at(t, buf, 0), *p1 = at(t, buf, 1), *p2 = at(t, buf, 2), *p3 = at(t, buf, 3),
             *p4 = at(t, buf, 4), *p8 = at(t, buf, 8);
        /* Partial overlaps of the output with an input. */
        CHECK(t->add(p0, p8, 4, p1) == FERRULE_STATUS_INVALID_ARGUMENT && strstr(last_error(), "overlaps `a`") != NULL);
        CHECK(t->add(p8, p0, 4, p3) == FERRULE_STATUS_INVALID_ARGUMENT && strstr(last_error(), "overlaps `b`") != NULL);
        CHECK(t->scale(p2, 4, 2.0, p0) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(t->normalize(p0, 4, p3) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(t->fma_op(p8, p8, p1, 4, p2) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(t->axpy(1.0, p8, p0, 4, p1) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(memcmp(buf, copy, 16 * t->size) == 0);
        /* Adjacent (not overlapping) arrays are fine. */
        CHECK(t->add(p0, p0, 4, p4) == FERRULE_STATUS_OK && t->get(p4, 3) == 8.0 && t->get(p0, 3) == 4.0);
        memcpy(buf, copy, 16 * t->size);
        /* NULL: out untouched; NULL with n == 0 is the empty vector. */
        memcpy(out, copy, 4 * t->size);
        void *null = NULL;
        CHECK(t->add(null, p0, 4, out) == FERRULE_STATUS_NULL_POINTER && strstr(last_error(), "`a`") != NULL);
        CHECK(t->fma_op(p0, p1, null, 4, out) == FERRULE_STATUS_NULL_POINTER && strstr(last_error(), "`c`") != NULL);
        CHECK(t->axpy(2.0, p0, p1, 4, null) == FERRULE_STATUS_NULL_POINTER && strstr(last_error(), "`out`") != NULL);
        CHECK(t->normalize(null, 1, out) == FERRULE_STATUS_NULL_POINTER);
        CHECK(memcmp(out, copy, 4 * t->size) == 0);
        for (int op = 0; op < OPS; op++) {
            void *none[3] = {NULL, NULL, NULL};
            CHECK(run_op(t, op, none, 0, NULL) == FERRULE_STATUS_OK);
        }
        /* A pointer not on an element boundary. */
        CHECK(t->multiply((unsigned char *)p0 + 1, p4, 2, out) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(t->multiply(p0, p4, 2, (unsigned char *)out + 2) == FERRULE_STATUS_INVALID_ARGUMENT);
        CHECK(memcmp(out, copy, 4 * t->size) == 0);
        /* normalize: a zero vector stays zero, NaN spreads, in place too. */
        for (size_t i = 0; i < 4; i++) t->set(out, i, 0.0);
        CHECK(t->normalize(out, 4, out) == FERRULE_STATUS_OK && t->get(out, 0) == 0.0 && t->get(out, 3) == 0.0);
        t->set(out, 0, 3.0);
        t->set(out, 1, 4.0);
        CHECK(t->normalize(out, 2, out) == FERRULE_STATUS_OK && fabs(t->get(out, 0) - 0.6) < 4 * t->eps &&
              fabs(t->get(out, 1) - 0.8) < 4 * t->eps);
        t->set(out, 1, NAN);
        CHECK(t->normalize(out, 4, out) == FERRULE_STATUS_OK && isnan(t->get(out, 0)) && isnan(t->get(out, 3)));
        free(buf);
        free(copy);
        free(out);
    }
}

/* ------------------------------------------------------------------------------------------
 * Batch calls: one_to_many, cdist, topk. */

/* The elements a matrix of rows x dim with this stride spans (what ferrule may read). */
static size_t span(size_t rows, size_t dim, size_t stride) { return rows == 0 ? 0 : (rows - 1) * stride + dim; }

/* A strided matrix in an allocation of exactly its span, from an unaligned start: valgrind
 * reports any read past it. The padding between rows is NaN, so reading it shows in results. */
static void *matrix(const vtype *t, size_t rows, size_t dim, size_t stride, unsigned seed, int integers,
                    void **base) {
    size_t len = span(rows, dim, stride);
    void *m = unaligned(t, len, base);
    for (size_t i = 0; i < len; i++) {
        size_t col = i % stride;
        t->set(m, i, col >= dim ? NAN : integers ? small_int(i, seed) : wave(i, seed));
    }
    return m;
}

static void test_one_to_many_and_cdist_against_loops(void) {
    const size_t dims[] = {0, 1, 3, 8, 17, 64, 130};
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        int ok = 1;
        for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
            size_t dim = dims[di], a_rows = 5, b_rows = 37, a_stride = dim + 3, b_stride = dim + 1;
            void *a_base, *b_base, *out_base, *row_base;
            void *a = matrix(t, a_rows, dim, a_stride, 1, 0, &a_base);
            void *b = matrix(t, b_rows, dim, b_stride, 2, 0, &b_base);
            void *out = unaligned(t, a_rows * b_rows, &out_base), *row = unaligned(t, b_rows + 3, &row_base);
            for (uint32_t m = 0; m < METRICS; m++) {
                for (uint32_t p = 0; p < PRECISIONS; p++) {
                    ferrule_vec_options options = {p, 0};
                    /* one_to_many with room to spare: the 3 extra slots stay as they were. */
                    memset(row, 0x55, (b_rows + 3) * t->size);
                    ok = ok && t->one_to_many(a, dim, b, b_rows, b_stride, m, &options, row, b_rows + 3) ==
                                   FERRULE_STATUS_OK;
                    for (size_t j = b_rows; j < b_rows + 3; j++) ok = ok && *((unsigned char *)at(t, row, j)) == 0x55;
                    ok = ok && t->cdist(a, a_rows, a_stride, b, b_rows, b_stride, dim, m, &options, out,
                                        a_rows * b_rows) == FERRULE_STATUS_OK;
                    for (size_t i = 0; ok && i < a_rows; i++) {
                        for (size_t j = 0; ok && j < b_rows; j++) {
                            double magnitude,
                                want = reference(m, t, at(t, a, i * a_stride), at(t, b, j * b_stride), dim, &magnitude);
                            double got = t->get(out, i * b_rows + j);
                            ok = within(got, want, magnitude, dim, t->eps, p, m == FERRULE_METRIC_COSINE) &&
                                 (i != 0 || within(t->get(row, j), want, magnitude, dim, t->eps, p,
                                                   m == FERRULE_METRIC_COSINE));
                            if (!ok)
                                fprintf(stderr, "FAIL %s cdist %s precision %u dim %zu (%zu, %zu): %.17g, want %.17g\n",
                                        t->name, METRIC_NAMES[m], p, dim, i, j, got, want);
                        }
                    }
                }
            }
            /* A matrix against itself: sqeuclidean 0 on the diagonal, exactly. */
            ok = ok && t->cdist(b, 5, b_stride, b, 5, b_stride, dim, FERRULE_METRIC_SQEUCLIDEAN, NULL, out, 25) ==
                           FERRULE_STATUS_OK;
            for (size_t i = 0; i < 5; i++) ok = ok && t->get(out, i * 5 + i) == 0.0;
            free(a_base);
            free(b_base);
            free(out_base);
            free(row_base);
        }
        CHECK(ok);
    }
}

/* Rows 100 away from the origin that differ in three coordinates by 1e-3 or so: the expanded
 * form |a|^2 + |b|^2 - 2ab loses every digit; ferrule sums the differences. */
static void test_cdist_near_duplicates_are_exact(void) {
    enum { DIM = 128, ROWS = 20 };
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *a_base, *b_base, *out_base;
        void *a = unaligned(t, ROWS * DIM, &a_base), *b = unaligned(t, ROWS * DIM, &b_base),
             *out = unaligned(t, ROWS * ROWS, &out_base);
        for (size_t r = 0; r < ROWS; r++) {
            for (size_t i = 0; i < DIM; i++) {
                double base = 100.0 + wave(i, 9);
                t->set(b, r * DIM + i, base);
                t->set(a, r * DIM + i, base);
            }
            size_t cols[3] = {r % DIM, (r * 7 + 3) % DIM, (r * 13 + 5) % DIM};
            for (int c = 0; c < 3; c++) {
                size_t i = r * DIM + cols[c];
                t->set(a, i, t->get(a, i) + 1e-3 * (double)(r + c + 1));
            }
        }
        int ok = 1;
        double worst_expanded = 0;
        for (uint32_t p = 0; p < PRECISIONS; p++) {
            ferrule_vec_options options = {p, 0};
            ok = ok && t->cdist(a, ROWS, DIM, b, ROWS, DIM, DIM, FERRULE_METRIC_SQEUCLIDEAN, &options, out,
                                ROWS * ROWS) == FERRULE_STATUS_OK;
            for (size_t i = 0; i < ROWS; i++) {
                for (size_t j = 0; j < ROWS; j++) {
                    double want = 0, aa = 0, bb = 0, ab = 0;
                    for (size_t k = 0; k < DIM; k++) {
                        double x = t->get(a, i * DIM + k), y = t->get(b, j * DIM + k);
                        want += (x - y) * (x - y);
                        aa += x * x;
                        bb += y * y;
                        ab += x * y;
                    }
                    double got = t->get(out, i * ROWS + j);
                    ok = ok && want > 0 && fabs(got - want) <= 1e-6 * want;
                    /* The expanded form, rounded to the element type like a GEMM would. */
                    double expanded = rounded(t, rounded(t, aa) + rounded(t, bb) - 2 * rounded(t, ab));
                    double error = fabs(expanded - want) / want;
                    if (error > worst_expanded) worst_expanded = error;
                }
            }
        }
        CHECK(ok);
        /* The check above has teeth: in float the shortcut is off by far more than 1e-6 here. */
        if (t->size == sizeof(float)) CHECK(worst_expanded > 1e-3);
        free(a_base);
        free(b_base);
        free(out_base);
    }
}

typedef struct {
    double key;
    size_t row;
} ranked;

/* Closest first: by key, NaN last, ties by lower row. */
static int by_key_then_row(const void *x, const void *y) {
    const ranked *a = x, *b = y;
    int a_nan = isnan(a->key), b_nan = isnan(b->key);
    if (a_nan != b_nan) return a_nan - b_nan;
    if (!a_nan && a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* topk against sorting every row's 1:1 distance (integer data: every value exact, many ties). */
static void test_topk_against_brute_force(void) {
    const struct {
        size_t rows, queries, dim;
        int nan_row;
    } cases[] = {{1, 1, 4, 0}, {7, 5, 1, 1}, {7, 5, 9, 0}, {300, 3, 4, 1}, {300, 3, 9, 0}, {2000, 1, 4, 1}};
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        int ok = 1;
        for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
            size_t rows = cases[ci].rows, nq = cases[ci].queries, dim = cases[ci].dim;
            size_t db_stride = dim + 2, q_stride = dim + 1;
            void *db_base, *q_base, *dist_base;
            void *db = matrix(t, rows, dim, db_stride, 3, 1, &db_base);
            void *q = matrix(t, nq, dim, q_stride, 4, 1, &q_base);
            if (cases[ci].nan_row) t->set(db, (rows / 2) * db_stride, NAN);
            ranked *all = xmalloc(rows * sizeof *all);
            size_t *indices = xmalloc(nq * rows * sizeof *indices);
            void *distances = unaligned(t, nq * rows, &dist_base);
            for (uint32_t m = 0; m < METRICS; m++) {
                const size_t ks[] = {0, 1, 3, rows};
                for (size_t ki = 0; ki < 4; ki++) {
                    size_t k = ks[ki];
                    if (k > rows) continue;
                    ok = ok && t->topk(q, nq, q_stride, db, rows, db_stride, dim, k, m, NULL, indices, distances,
                                       nq * k) == FERRULE_STATUS_OK;
                    for (size_t qi = 0; ok && qi < nq; qi++) {
                        for (size_t r = 0; r < rows; r++) {
                            double v = NAN;
                            ok = ok && t->distance(m, FERRULE_PRECISION_FAST, at(t, q, qi * q_stride),
                                                   at(t, db, r * db_stride), dim, &v) == FERRULE_STATUS_OK;
                            all[r].key = m == FERRULE_METRIC_DOT ? -v : v;
                            all[r].row = r;
                        }
                        qsort(all, rows, sizeof *all, by_key_then_row);
                        for (size_t j = 0; ok && j < k; j++) {
                            double want = m == FERRULE_METRIC_DOT ? -all[j].key : all[j].key;
                            ok = indices[qi * k + j] == all[j].row && same(t->get(distances, qi * k + j), want);
                            if (!ok)
                                fprintf(stderr, "FAIL %s topk %s rows %zu dim %zu k %zu query %zu #%zu: row %zu "
                                                "(%.17g), want %zu (%.17g)\n",
                                        t->name, METRIC_NAMES[m], rows, dim, k, qi, j, indices[qi * k + j],
                                        t->get(distances, qi * k + j), all[j].row, want);
                        }
                    }
                }
            }
            free(all);
            free(indices);
            free(db_base);
            free(q_base);
            free(dist_base);
        }
        CHECK(ok);
    }
}

/* Every failure of the batch calls, each leaving the outputs byte for byte as they were. */
static void test_batch_failures_write_nothing(void) {
    enum { DIM = 4, ROWS = 6, STRIDE = 5, SPAN = (ROWS - 1) * STRIDE + DIM, K = 2 };
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        void *m_base, *q_base, *out_base, *before = xmalloc(ROWS * ROWS * 8);
        void *mat = matrix(t, ROWS, DIM, STRIDE, 6, 0, &m_base), *query = matrix(t, 1, DIM, DIM, 7, 0, &q_base);
        void *out = unaligned(t, ROWS * ROWS, &out_base);
        size_t indices[ROWS * K], indices_before[ROWS * K];
        memset(out, 0xA5, ROWS * ROWS * t->size);
        memcpy(before, out, ROWS * ROWS * t->size);
        memset(indices, 0xA5, sizeof indices);
        memcpy(indices_before, indices, sizeof indices);
#define UNTOUCHED                                       \
    (memcmp(out, before, ROWS * ROWS * t->size) == 0 && \
     memcmp(indices, indices_before, sizeof indices) == 0)
        const ferrule_vec_options bad_precision = {7, 0}, too_many_threads = {0, 5000}, one_thread = {1, 1};
        const void *null = NULL;
        void *null_out = NULL;

        /* one_to_many */
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 7, NULL, out, ROWS) == FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED && strstr(last_error(), "unknown metric 7") != NULL);
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 0, &bad_precision, out, ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED && strstr(last_error(), "unknown precision 7") != NULL);
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 0, &too_many_threads, out, ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED && strstr(last_error(), "5000") != NULL);
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 0, NULL, out, ROWS - 1) == FERRULE_STATUS_LENGTH_MISMATCH &&
              UNTOUCHED && strstr(last_error(), "room for 5") != NULL);
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 0, NULL, null_out, 0) == FERRULE_STATUS_LENGTH_MISMATCH);
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 0, NULL, null_out, ROWS) == FERRULE_STATUS_NULL_POINTER &&
              strstr(last_error(), "`out`") != NULL);
        CHECK(t->one_to_many(null, DIM, mat, ROWS, STRIDE, 0, NULL, out, ROWS) == FERRULE_STATUS_NULL_POINTER &&
              UNTOUCHED && strstr(last_error(), "`query`") != NULL);
        CHECK(t->one_to_many(query, DIM, null, ROWS, STRIDE, 0, NULL, out, ROWS) == FERRULE_STATUS_NULL_POINTER &&
              UNTOUCHED && strstr(last_error(), "`matrix`") != NULL);
        CHECK(t->one_to_many(query, DIM, mat, ROWS, DIM - 1, 0, NULL, out, ROWS) == FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED && strstr(last_error(), "stride") != NULL);
        CHECK(t->one_to_many(query, DIM, mat, SIZE_MAX, SIZE_MAX, 0, NULL, out, ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        CHECK(t->one_to_many(query, DIM, mat, 2, SIZE_MAX / 4, 0, NULL, out, ROWS) == FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        /* The output over the matrix or the query. */
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 0, NULL, at(t, mat, 3), ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              strstr(last_error(), "overlaps `matrix`") != NULL);
        CHECK(t->one_to_many(mat, DIM, at(t, mat, STRIDE), ROWS - 1, STRIDE, 0, NULL, at(t, mat, 3), ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              strstr(last_error(), "overlaps `query`") != NULL);
        CHECK(t->one_to_many(query, DIM, mat, ROWS, STRIDE, 0, NULL, (unsigned char *)out + 1, ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        /* Nothing to do: NULLs are fine. Dimension 0: every row is the empty vector. */
        CHECK(t->one_to_many(query, DIM, null, 0, STRIDE, 0, NULL, null_out, 0) == FERRULE_STATUS_OK);
        CHECK(t->one_to_many(null, 0, null, 3, 0, FERRULE_METRIC_COSINE, &one_thread, out, 3) == FERRULE_STATUS_OK &&
              t->get(out, 0) == 1.0 && t->get(out, 2) == 1.0);
        CHECK(t->one_to_many(null, 0, null, 3, 0, FERRULE_METRIC_SQEUCLIDEAN, NULL, out, 3) == FERRULE_STATUS_OK &&
              t->get(out, 0) == 0.0 && t->get(out, 2) == 0.0);
        memcpy(out, before, ROWS * ROWS * t->size);

        /* cdist */
        CHECK(t->cdist(mat, ROWS, STRIDE, query, 1, DIM, DIM, 5, NULL, out, ROWS) == FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        CHECK(t->cdist(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, 0, NULL, out, ROWS * ROWS - 1) ==
                  FERRULE_STATUS_LENGTH_MISMATCH &&
              UNTOUCHED && strstr(last_error(), "room for 35") != NULL);
        CHECK(t->cdist(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, 0, &bad_precision, out, ROWS * ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        CHECK(t->cdist(mat, ROWS, STRIDE, null, ROWS, STRIDE, DIM, 0, NULL, out, ROWS * ROWS) ==
                  FERRULE_STATUS_NULL_POINTER &&
              UNTOUCHED && strstr(last_error(), "`b`") != NULL);
        CHECK(t->cdist(mat, ROWS, STRIDE, mat, ROWS, 3, DIM, 0, NULL, out, ROWS * ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        /* a_rows * b_rows overflows (dimension 0: the matrices span nothing). */
        CHECK(t->cdist(null, SIZE_MAX / 2 + 1, 0, null, 2, 0, 0, 0, NULL, out, ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        CHECK(t->cdist(query, 1, DIM, mat, ROWS, STRIDE, DIM, 0, NULL, at(t, mat, STRIDE), ROWS) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              strstr(last_error(), "overlaps `b`") != NULL);
        CHECK(t->cdist(null, 0, DIM, mat, ROWS, STRIDE, DIM, 0, NULL, null_out, 0) == FERRULE_STATUS_OK);
        CHECK(t->cdist(mat, ROWS, STRIDE, null, 0, DIM, DIM, 0, NULL, null_out, 0) == FERRULE_STATUS_OK);

        /* topk */
        CHECK(t->topk(query, 1, DIM, mat, ROWS, STRIDE, DIM, ROWS + 1, 0, NULL, indices, out, ROWS * K) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED && strstr(last_error(), "k = 7 but the database has 6 rows") != NULL);
        CHECK(t->topk(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, K, 0, NULL, indices, out, ROWS * K - 1) ==
                  FERRULE_STATUS_LENGTH_MISMATCH &&
              UNTOUCHED);
        CHECK(t->topk(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, K, 9, NULL, indices, out, ROWS * K) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        CHECK(t->topk(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, K, 0, &too_many_threads, indices, out, ROWS * K) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        CHECK(t->topk(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, K, 0, NULL, NULL, out, ROWS * K) ==
                  FERRULE_STATUS_NULL_POINTER &&
              UNTOUCHED && strstr(last_error(), "`out_indices`") != NULL);
        CHECK(t->topk(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, K, 0, NULL, indices, null_out, ROWS * K) ==
                  FERRULE_STATUS_NULL_POINTER &&
              UNTOUCHED && strstr(last_error(), "`out_distances`") != NULL);
        /* The two outputs over each other, or over the database. */
        CHECK(t->topk(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, K, 0, NULL, indices, (void *)(indices + 1),
                      ROWS * K) == FERRULE_STATUS_INVALID_ARGUMENT &&
              strstr(last_error(), "`out_indices` overlaps `out_distances`") != NULL);
        CHECK(t->topk(query, 1, DIM, mat, ROWS, STRIDE, DIM, K, 0, NULL, indices, at(t, mat, SPAN - 1), K) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED && strstr(last_error(), "overlaps `database`") != NULL);
        /* n_queries * k overflows. */
        CHECK(t->topk(null, SIZE_MAX / 2 + 1, 0, null, 3, 0, 0, 2, 0, NULL, indices, out, ROWS * K) ==
                  FERRULE_STATUS_INVALID_ARGUMENT &&
              UNTOUCHED);
        /* k == 0 and no queries are empty results: nothing to write, NULL outputs fine. */
        CHECK(t->topk(mat, ROWS, STRIDE, mat, ROWS, STRIDE, DIM, 0, 0, NULL, NULL, null_out, 0) == FERRULE_STATUS_OK);
        CHECK(t->topk(null, 0, DIM, mat, ROWS, STRIDE, DIM, ROWS, 0, NULL, NULL, null_out, 0) == FERRULE_STATUS_OK);
        CHECK(UNTOUCHED);
        /* k == rows, of a database of rows that are all equal: ties by row. */
        void *equal = xmalloc(3 * DIM * t->size);
        for (size_t r = 0; r < 3; r++) memcpy(at(t, equal, r * DIM), query, DIM * t->size);
        CHECK(t->topk(query, 1, DIM, equal, 3, DIM, DIM, 3, FERRULE_METRIC_COSINE, NULL, indices, out, 3) ==
                  FERRULE_STATUS_OK &&
              indices[0] == 0 && indices[1] == 1 && indices[2] == 2 && t->get(out, 0) == t->get(out, 2));
        free(equal);
#undef UNTOUCHED
        free(m_base);
        free(q_base);
        free(out_base);
        free(before);
    }
}

/* The thread count changes the schedule, never the result. */
static void test_thread_counts_give_identical_results(void) {
    const ferrule_vec_options choices[4] = {{0, 0}, {0, 1}, {0, 2}, {0, 3}};
    for (int ti = 0; ti < 2; ti++) {
        const vtype *t = TYPES[ti];
        size_t dim = 19, a_rows = 9, b_rows = 120, big = 1100, k = 10;
        void *a_base, *b_base, *big_base, *outs_base[4], *dists_base[4];
        void *a = matrix(t, a_rows, dim, dim + 2, 10, 0, &a_base), *b = matrix(t, b_rows, dim, dim, 11, 0, &b_base);
        void *large = matrix(t, big, dim, dim + 1, 12, 0, &big_base);
        void *outs[4], *dists[4], *one_dists[4];
        size_t *idx[4], *one_idx[4];
        for (int c = 0; c < 4; c++) {
            outs[c] = unaligned(t, a_rows * b_rows, &outs_base[c]);
            dists[c] = unaligned(t, a_rows * k, &dists_base[c]);
            idx[c] = xmalloc(a_rows * k * sizeof(size_t));
            one_dists[c] = xmalloc(k * t->size);
            one_idx[c] = xmalloc(k * sizeof(size_t));
        }
        int ok = 1;
        for (uint32_t m = 0; m < METRICS; m++) {
            for (uint32_t p = 0; p < PRECISIONS; p++) {
                for (int c = 0; c < 4; c++) {
                    ferrule_vec_options options = choices[c];
                    options.precision = p;
                    ok = ok && t->cdist(a, a_rows, dim + 2, b, b_rows, dim, dim, m, &options, outs[c],
                                        a_rows * b_rows) == FERRULE_STATUS_OK;
                    ok = ok && (c == 0 || memcmp(outs[c], outs[0], a_rows * b_rows * t->size) == 0);
                    /* Many queries (parallel over queries)... */
                    ok = ok && t->topk(a, a_rows, dim + 2, b, b_rows, dim, dim, k, m, &options, idx[c], dists[c],
                                       a_rows * k) == FERRULE_STATUS_OK;
                    ok = ok && (c == 0 || (memcmp(idx[c], idx[0], a_rows * k * sizeof(size_t)) == 0 &&
                                           memcmp(dists[c], dists[0], a_rows * k * t->size) == 0));
                    /* ... and one query against a larger database (parallel over its blocks). */
                    ok = ok && t->topk(a, 1, dim, large, big, dim + 1, dim, k, m, &options, one_idx[c],
                                       one_dists[c], k) == FERRULE_STATUS_OK;
                    ok = ok && (c == 0 || (memcmp(one_idx[c], one_idx[0], k * sizeof(size_t)) == 0 &&
                                           memcmp(one_dists[c], one_dists[0], k * t->size) == 0));
                    if (!ok) fprintf(stderr, "FAIL %s %s precision %u threads %zu\n", t->name, METRIC_NAMES[m], p,
                                     options.threads);
                }
            }
        }
        CHECK(ok);
        free(a_base);
        free(b_base);
        free(big_base);
        for (int c = 0; c < 4; c++) {
            free(outs_base[c]);
            free(dists_base[c]);
            free(idx[c]);
            free(one_dists[c]);
            free(one_idx[c]);
        }
    }
}

/* Several C threads share the inputs and call cdist and topk at once (on the shared pool and on
 * pools of their own): each gets the single-threaded results. */
enum { SHARED_A = 40, SHARED_B = 150, SHARED_DIM = 24, SHARED_K = 7, CALLERS = 4, ROUNDS = 3 };

typedef struct {
    const float *a, *b;
    const float *want_cdist, *want_dists;
    const size_t *want_idx;
    size_t threads;
    int ok;
} caller;

static void *caller_main(void *arg) {
    caller *c = arg;
    float *out = xmalloc(SHARED_A * SHARED_B * sizeof *out), *dists = xmalloc(SHARED_A * SHARED_K * sizeof *dists);
    size_t *idx = xmalloc(SHARED_A * SHARED_K * sizeof *idx);
    ferrule_vec_options options = {FERRULE_PRECISION_FAST, c->threads};
    c->ok = 1;
    for (int round = 0; round < ROUNDS; round++) {
        c->ok = c->ok &&
                ferrule_vec_cdist_f32(c->a, SHARED_A, SHARED_DIM, c->b, SHARED_B, SHARED_DIM, SHARED_DIM,
                                      FERRULE_METRIC_COSINE, &options, out, SHARED_A * SHARED_B) == FERRULE_STATUS_OK &&
                memcmp(out, c->want_cdist, SHARED_A * SHARED_B * sizeof *out) == 0;
        c->ok = c->ok &&
                ferrule_vec_topk_f32(c->a, SHARED_A, SHARED_DIM, c->b, SHARED_B, SHARED_DIM, SHARED_DIM, SHARED_K,
                                     FERRULE_METRIC_SQEUCLIDEAN, &options, idx, dists,
                                     SHARED_A * SHARED_K) == FERRULE_STATUS_OK &&
                memcmp(idx, c->want_idx, SHARED_A * SHARED_K * sizeof *idx) == 0 &&
                memcmp(dists, c->want_dists, SHARED_A * SHARED_K * sizeof *dists) == 0;
    }
    free(out);
    free(dists);
    free(idx);
    return NULL;
}

static void test_threads_share_inputs(void) {
    float *a = xmalloc(SHARED_A * SHARED_DIM * sizeof *a), *b = xmalloc(SHARED_B * SHARED_DIM * sizeof *b);
    for (size_t i = 0; i < SHARED_A * SHARED_DIM; i++) a[i] = (float)wave(i, 20);
    for (size_t i = 0; i < SHARED_B * SHARED_DIM; i++) b[i] = (float)wave(i, 21);
    float *want_cdist = xmalloc(SHARED_A * SHARED_B * sizeof *want_cdist);
    float *want_dists = xmalloc(SHARED_A * SHARED_K * sizeof *want_dists);
    size_t *want_idx = xmalloc(SHARED_A * SHARED_K * sizeof *want_idx);
    ferrule_vec_options one = {FERRULE_PRECISION_FAST, 1};
    CHECK(ferrule_vec_cdist_f32(a, SHARED_A, SHARED_DIM, b, SHARED_B, SHARED_DIM, SHARED_DIM, FERRULE_METRIC_COSINE,
                                &one, want_cdist, SHARED_A * SHARED_B) == FERRULE_STATUS_OK);
    CHECK(ferrule_vec_topk_f32(a, SHARED_A, SHARED_DIM, b, SHARED_B, SHARED_DIM, SHARED_DIM, SHARED_K,
                               FERRULE_METRIC_SQEUCLIDEAN, &one, want_idx, want_dists,
                               SHARED_A * SHARED_K) == FERRULE_STATUS_OK);
    caller callers[CALLERS];
    pthread_t threads[CALLERS];
    int started = 0;
    for (int i = 0; i < CALLERS; i++) {
        callers[i] = (caller){a, b, want_cdist, want_dists, want_idx, (size_t)(i % 3), 0};
        if (pthread_create(&threads[i], NULL, caller_main, &callers[i]) == 0) started++;
    }
    CHECK(started == CALLERS);
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < started; i++) CHECK(callers[i].ok);
    free(a);
    free(b);
    free(want_cdist);
    free(want_dists);
    free(want_idx);
}

/* ------------------------------------------------------------------------------------------
 * The enums: values, names, parsing. */

static void test_metric_and_precision_names(void) {
    CHECK(FERRULE_METRIC_DOT == 0 && FERRULE_METRIC_COSINE == 1 && FERRULE_METRIC_SQEUCLIDEAN == 2 &&
          FERRULE_METRIC_EUCLIDEAN == 3 && FERRULE_METRIC_MANHATTAN == 4);
    CHECK(FERRULE_PRECISION_FAST == 0 && FERRULE_PRECISION_ACCURATE == 1);
    for (uint32_t m = 0; m < METRICS; m++) {
        const char *name = ferrule_vec_metric_name(m);
        ferrule_metric parsed = 99;
        CHECK(name != NULL && strcmp(name, METRIC_NAMES[m]) == 0);
        CHECK(ferrule_vec_metric_parse((const uint8_t *)METRIC_NAMES[m], strlen(METRIC_NAMES[m]), &parsed) ==
                  FERRULE_STATUS_OK &&
              parsed == m);
    }
    CHECK(ferrule_vec_metric_name(5) == NULL && ferrule_vec_metric_name(UINT32_MAX) == NULL);
    CHECK(strcmp(ferrule_vec_precision_name(FERRULE_PRECISION_ACCURATE), "accurate") == 0);
    CHECK(strcmp(ferrule_vec_precision_name(FERRULE_PRECISION_FAST), "fast") == 0);
    CHECK(ferrule_vec_precision_name(2) == NULL);
    ferrule_metric metric = 99;
    ferrule_precision precision = 99;
    /* Lengths, not NUL terminators: "cosine" out of "cosine_similarity". */
    CHECK(ferrule_vec_metric_parse((const uint8_t *)"cosine_similarity", 6, &metric) == FERRULE_STATUS_OK &&
          metric == FERRULE_METRIC_COSINE);
    metric = 99;
    CHECK(ferrule_vec_metric_parse((const uint8_t *)"cosine_similarity", 17, &metric) ==
              FERRULE_STATUS_INVALID_ARGUMENT &&
          metric == 99);
    CHECK(ferrule_vec_metric_parse(NULL, 0, &metric) == FERRULE_STATUS_INVALID_ARGUMENT && metric == 99);
    CHECK(ferrule_vec_metric_parse(NULL, 3, &metric) == FERRULE_STATUS_NULL_POINTER);
    CHECK(ferrule_vec_metric_parse((const uint8_t *)"dot", 3, NULL) == FERRULE_STATUS_NULL_POINTER);
    CHECK(ferrule_vec_precision_parse((const uint8_t *)"accurate", 8, &precision) == FERRULE_STATUS_OK &&
          precision == FERRULE_PRECISION_ACCURATE);
    CHECK(ferrule_vec_precision_parse((const uint8_t *)"\xff", 1, &precision) == FERRULE_STATUS_INVALID_UTF8 &&
          precision == FERRULE_PRECISION_ACCURATE);
    CHECK(ferrule_vec_precision_parse((const uint8_t *)"Fast", 4, &precision) == FERRULE_STATUS_INVALID_ARGUMENT);
    /* What a parsed value is for. */
    float x[2] = {1, 2}, y[2] = {2, 0}, d = 0;
    CHECK(ferrule_vec_metric_parse((const uint8_t *)"manhattan", 9, &metric) == FERRULE_STATUS_OK &&
          ferrule_vec_distance_f32(metric, precision, x, y, 2, &d) == FERRULE_STATUS_OK && d == 3.0f);
}

/* Child mode (argv[1] == "--batch-with-unknown-isa"), run with FERRULE_MAX_ISA naming no level:
 * ferrule ignores the value (one warning on stderr) and the batch calls work. Prints one line. */
static int batch_with_unknown_isa(void) {
    float a[4] = {1, 2, 3, 4}, out[4] = {42, 42, 42, 42}, all_out[4] = {42, 42, 42, 42}, dist[2] = {42, 42};
    size_t idx[2] = {42, 42};
    ferrule_status one = ferrule_vec_one_to_many_f32(a, 2, a, 2, 2, FERRULE_METRIC_DOT, NULL, out, 4);
    ferrule_status all = ferrule_vec_cdist_f32(a, 2, 2, a, 2, 2, 2, FERRULE_METRIC_DOT, NULL, all_out, 4);
    ferrule_status top = ferrule_vec_topk_f32(a, 1, 2, a, 2, 2, 2, 2, FERRULE_METRIC_DOT, NULL, idx, dist, 2);
    printf("%s %s %s %g %g %g %g %g %zu\n", ferrule_status_str(one), ferrule_status_str(all),
           ferrule_status_str(top), out[0], out[1], all_out[1], all_out[3], dist[0] + dist[1], idx[0] + idx[1]);
    return 0;
}

static void test_batch_with_an_unknown_isa_falls_back(const char *self) {
    char saved[64] = "", command[1024], line[256] = "";
    const char *previous = getenv("FERRULE_MAX_ISA");
    if (previous) snprintf(saved, sizeof saved, "%s", previous);
    setenv("FERRULE_MAX_ISA", "avx9000", 1);
    snprintf(command, sizeof command, "'%s' --batch-with-unknown-isa 2>/dev/null", self);
    FILE *child = popen(command, "r");
    if (child) {
        if (!fgets(line, sizeof line, child)) line[0] = '\0';
        pclose(child);
    }
    if (previous) {
        setenv("FERRULE_MAX_ISA", saved, 1);
    } else {
        unsetenv("FERRULE_MAX_ISA");
    }
    line[strcspn(line, "\n")] = '\0';
    /* Dots of (1,2) with (1,2), (3,4): 5 and 11; of (3,4) with itself: 25; top-2 is both rows. */
    CHECK(strcmp(line, "FERRULE_OK FERRULE_OK FERRULE_OK 5 11 11 25 16 1") == 0);
    if (strncmp(line, "FERRULE_OK", 10) != 0) fprintf(stderr, "child said: %s\n", line);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--batch-with-unknown-isa") == 0) return batch_with_unknown_isa();
    test_every_length_against_plain_loops();
    test_bad_arguments_leave_outputs_alone();
    test_distance_every_metric_precision_and_length();
    test_distance_special_values();
    test_reductions_every_length();
    test_reduction_policies_and_failures();
    test_elementwise_every_length_and_in_place();
    test_elementwise_failures_write_nothing();
    test_one_to_many_and_cdist_against_loops();
    test_cdist_near_duplicates_are_exact();
    test_topk_against_brute_force();
    test_batch_failures_write_nothing();
    test_thread_counts_give_identical_results();
    test_threads_share_inputs();
    test_metric_and_precision_names();
    test_batch_with_an_unknown_isa_falls_back(argv[0]);
    return check_report();
}
