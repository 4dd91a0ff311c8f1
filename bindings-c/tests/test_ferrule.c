/* C tests of libferrule, linked once against libferrule.a and once against libferrule.so.
 * Prints one line per failed check and ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

static const char *last_error(void) {
    static char buf[512];
    size_t len = 0;
    if (ferrule_last_error_message(buf, sizeof buf, &len) != FERRULE_STATUS_OK) return "<no message>";
    return buf;
}

static void test_version(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", FERRULE_VERSION_MAJOR, FERRULE_VERSION_MINOR,
             FERRULE_VERSION_PATCH);
    CHECK(strcmp(ferrule_version(), expected) == 0);
}

static void test_status_names(void) {
    CHECK(strcmp(ferrule_status_str(FERRULE_STATUS_OK), "FERRULE_OK") == 0);
    CHECK(strcmp(ferrule_status_str(FERRULE_STATUS_INVALID_ARGUMENT), "FERRULE_INVALID_ARGUMENT") == 0);
    CHECK(strcmp(ferrule_status_str(FERRULE_STATUS_PARSE), "FERRULE_PARSE") == 0);
    CHECK(strcmp(ferrule_status_str(FERRULE_STATUS_NULL_POINTER), "FERRULE_NULL_POINTER") == 0);
    CHECK(strcmp(ferrule_status_str(FERRULE_STATUS_PANIC), "FERRULE_PANIC") == 0);
    CHECK(strcmp(ferrule_status_str(1000), "FERRULE_UNKNOWN_STATUS") == 0);
    CHECK(FERRULE_STATUS_OK == 0);
}

static void test_capabilities(void) {
    ferrule_cpu_capabilities caps;
    CHECK(unsetenv("FERRULE_MAX_ISA") == 0);
    CHECK(ferrule_capabilities(&caps) == FERRULE_STATUS_OK);
    CHECK(caps.isa_name != NULL);
    static const char *names[] = {"scalar", "avx2", "avx512", "neon"};
    CHECK(caps.isa <= FERRULE_ISA_NEON && strcmp(caps.isa_name, names[caps.isa]) == 0);
    for (int bit = 0; bit < 64; bit++) {
        uint64_t flag = (uint64_t)1 << bit;
        if (caps.features & flag) CHECK(ferrule_feature_name(flag) != NULL);
    }
    if (caps.isa == FERRULE_ISA_AVX2 || caps.isa == FERRULE_ISA_AVX512) {
        CHECK((caps.features & FERRULE_FEATURE_AVX2) && (caps.features & FERRULE_FEATURE_FMA));
    }
    CHECK(strcmp(ferrule_feature_name(FERRULE_FEATURE_AVX512_BF16), "avx512_bf16") == 0);
    CHECK(ferrule_feature_name(0) == NULL);

    CHECK(setenv("FERRULE_MAX_ISA", "scalar", 1) == 0);
    CHECK(ferrule_capabilities(&caps) == FERRULE_STATUS_OK);
    CHECK(caps.isa == FERRULE_ISA_SCALAR && strcmp(caps.isa_name, "scalar") == 0);
    CHECK(unsetenv("FERRULE_MAX_ISA") == 0);
}

static void test_errors_leave_outputs_untouched(void) {
    ferrule_cpu_capabilities caps;
    memset(&caps, 0xAB, sizeof caps);
    ferrule_cpu_capabilities before = caps;
    CHECK(setenv("FERRULE_MAX_ISA", "avx9000", 1) == 0);
    CHECK(ferrule_capabilities(&caps) == FERRULE_STATUS_INVALID_ARGUMENT);
    CHECK(memcmp(&caps, &before, sizeof caps) == 0);
    CHECK(strstr(last_error(), "avx9000") != NULL);
    CHECK(strstr(last_error(), "FERRULE_MAX_ISA") != NULL);
    CHECK(unsetenv("FERRULE_MAX_ISA") == 0);

    CHECK(ferrule_capabilities(NULL) == FERRULE_STATUS_NULL_POINTER);
    CHECK(strcmp(last_error(), "argument `out` must not be NULL") == 0);
}

static void test_last_error_message_buffers(void) {
    CHECK(ferrule_capabilities(NULL) == FERRULE_STATUS_NULL_POINTER);
    const char *full = "argument `out` must not be NULL";
    size_t len = 0;
    CHECK(ferrule_last_error_message(NULL, 0, &len) == FERRULE_STATUS_OK);
    CHECK(len == strlen(full));
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK(ferrule_last_error_message(small, sizeof small, &len) == FERRULE_STATUS_OK);
    CHECK(len == strlen(full) && strcmp(small, "argumen") == 0);
    CHECK(ferrule_last_error_message(NULL, 4, &len) == FERRULE_STATUS_NULL_POINTER);
    CHECK(ferrule_last_error_message(small, sizeof small, NULL) == FERRULE_STATUS_OK);
    /* The failed query above did not replace the message. */
    CHECK(strcmp(last_error(), full) == 0);
}

static void *other_thread(void *arg) {
    (void)arg;
    size_t len = 99;
    int ok = ferrule_last_error_message(NULL, 0, &len) == FERRULE_STATUS_OK && len == 0;
    return ok ? (void *)1 : NULL;
}

static void test_messages_are_per_thread(void) {
    CHECK(ferrule_capabilities(NULL) == FERRULE_STATUS_NULL_POINTER);
    pthread_t thread;
    void *result = NULL;
    CHECK(pthread_create(&thread, NULL, other_thread, NULL) == 0);
    CHECK(pthread_join(thread, &result) == 0);
    CHECK(result == (void *)1);
    CHECK(strstr(last_error(), "out") != NULL);
}

int main(void) {
    test_version();
    test_status_names();
    test_capabilities();
    test_errors_leave_outputs_untouched();
    test_last_error_message_buffers();
    test_messages_are_per_thread();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
