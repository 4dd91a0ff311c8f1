/* C tests of libferrule, linked once against libferrule.a and once against libferrule.so.
 * Prints one line per failed check and ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

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

/* Child mode (argv[1] == "--print-capabilities"): one ferrule_capabilities call in a fresh
 * process, so that the FERRULE_MAX_ISA the parent set is the one read (once, at first use). */
static int print_capabilities(void) {
    ferrule_cpu_capabilities caps;
    memset(&caps, 0xAB, sizeof caps);
    ferrule_cpu_capabilities before = caps;
    ferrule_status status = ferrule_capabilities(&caps);
    /* Asked twice: a warning printed more than once would show in the output. */
    ferrule_cpu_capabilities twice;
    if (ferrule_capabilities(&twice) != status) printf("second call differs\n");
    if (status == FERRULE_STATUS_OK) {
        printf("ok %s %llu\n", caps.isa_name, (unsigned long long)caps.features);
    } else {
        printf("err %s untouched=%d %s\n", ferrule_status_str(status),
               memcmp(&caps, &before, sizeof caps) == 0, last_error());
    }
    return 0;
}

static const char *self_path;

/* Runs this binary in child mode with FERRULE_MAX_ISA set (NULL: unset); its output, stderr first
 * (unbuffered, written during the call) and then the one stdout line, without the last newline. */
static const char *capabilities_with(const char *max_isa) {
    static char line[1024];
    char command[1024];
    if (max_isa) {
        setenv("FERRULE_MAX_ISA", max_isa, 1);
    } else {
        unsetenv("FERRULE_MAX_ISA");
    }
    snprintf(command, sizeof command, "'%s' --print-capabilities 2>&1", self_path);
    FILE *child = popen(command, "r");
    size_t used = 0;
    if (child) {
        used = fread(line, 1, sizeof line - 1, child);
        pclose(child);
    }
    line[used] = '\0';
    unsetenv("FERRULE_MAX_ISA");
    if (used > 0 && line[used - 1] == '\n') line[used - 1] = '\0';
    return line;
}

static void test_capabilities(void) {
    ferrule_cpu_capabilities caps;
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

    /* Read once: changing the variable now changes nothing in this process. */
    setenv("FERRULE_MAX_ISA", caps.isa == FERRULE_ISA_SCALAR ? "avx2" : "scalar", 1);
    ferrule_cpu_capabilities again;
    CHECK(ferrule_capabilities(&again) == FERRULE_STATUS_OK && again.isa == caps.isa);
    unsetenv("FERRULE_MAX_ISA");
}

static void test_max_isa(void) {
    char expected[128];
    ferrule_cpu_capabilities caps;
    CHECK(ferrule_capabilities(&caps) == FERRULE_STATUS_OK);
    snprintf(expected, sizeof expected, "ok scalar %llu", (unsigned long long)caps.features);
    CHECK(strcmp(capabilities_with("scalar"), expected) == 0);
    snprintf(expected, sizeof expected, "ok %s %llu", caps.isa_name, (unsigned long long)caps.features);
    CHECK(strcmp(capabilities_with(NULL), expected) == 0);

    /* Garbage (a typo, another architecture's level) falls back to the unset level, with one
     * warning line on stderr however often the level is asked for. */
    const char *garbage[] = {"avx9000", "garbage", caps.isa == FERRULE_ISA_NEON ? "avx2" : "neon"};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        char warning[256];
        snprintf(warning, sizeof warning, "ferrule: warning: FERRULE_MAX_ISA");
        const char *out = capabilities_with(garbage[i]);
        CHECK(strncmp(out, warning, strlen(warning)) == 0);
        CHECK(strstr(out, garbage[i]) != NULL);
        const char *newline = strchr(out, '\n');
        CHECK(newline != NULL && strcmp(newline + 1, expected) == 0);
        snprintf(warning, sizeof warning, "ignored, using %s\n", caps.isa_name);
        CHECK(newline != NULL && strstr(out, warning) == newline + 1 - strlen(warning));
    }
}

static void test_null_pointers(void) {
    CHECK(ferrule_capabilities(NULL) == FERRULE_STATUS_NULL_POINTER);
    CHECK(strcmp(last_error(), "argument `out` must not be NULL") == 0);
}

static void test_panic_boundary(void) {
    /* A real panic inside the library this test links (release build, panic = unwind). */
    CHECK(ferrule_debug_panic() == FERRULE_STATUS_PANIC);
    CHECK(strstr(last_error(), "panic: ferrule_debug_panic") != NULL);
    ferrule_cpu_capabilities caps;
    CHECK(ferrule_capabilities(&caps) == FERRULE_STATUS_OK);
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

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--print-capabilities") == 0) return print_capabilities();
    self_path = argv[0];
    test_version();
    test_status_names();
    test_capabilities();
    test_max_isa();
    test_null_pointers();
    test_panic_boundary();
    test_last_error_message_buffers();
    test_messages_are_per_thread();
    return check_report();
}
