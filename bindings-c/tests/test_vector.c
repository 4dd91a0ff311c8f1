/* C tests of the ferrule_vec_* 1:1 functions, linked static and shared and run under valgrind by
 * `make test-c`: every length 0..130 plus larger ones at unaligned starts against plain double
 * loops, NULL handling, outputs untouched on failure. Ends with "N passed, N failed". */
#include "ferrule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

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

int main(void) {
    test_every_length_against_plain_loops();
    test_bad_arguments_leave_outputs_alone();
    return check_report();
}
