/* The shared harness of the C tests: CHECK counts each assertion, and check_report() prints the
 * "N passed, N failed" line scripts/test-all.sh adds up and gives the exit status. One test
 * program per .c file includes it once. */
#ifndef FERRULE_TESTS_CHECK_H
#define FERRULE_TESTS_CHECK_H

#include <stdio.h>

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

static int check_report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
