/* Prints ferrule's version and what it detected about this CPU.
 * Build: cc hello.c $(pkg-config --cflags --libs ferrule) */
#include <ferrule.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, ferrule_status status) {
    char message[256];
    ferrule_last_error_message(message, sizeof message, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, ferrule_status_str(status), message);
    return 1;
}

int main(void) {
    /* A header and a library from different releases would disagree here. */
    char header_version[32];
    snprintf(header_version, sizeof header_version, "%d.%d.%d", FERRULE_VERSION_MAJOR,
             FERRULE_VERSION_MINOR, FERRULE_VERSION_PATCH);
    if (strcmp(header_version, ferrule_version()) != 0) {
        fprintf(stderr, "header %s but library %s\n", header_version, ferrule_version());
        return 1;
    }
    printf("ferrule %s (C)\n", ferrule_version());

    ferrule_cpu_capabilities caps;
    ferrule_status status = ferrule_capabilities(&caps);
    if (status != FERRULE_STATUS_OK) return fail("ferrule_capabilities", status);
    printf("SIMD level: %s\nCPU features:", caps.isa_name);
    for (int bit = 0; bit < 64; bit++) {
        uint64_t flag = (uint64_t)1 << bit;
        if (caps.features & flag) printf(" %s", ferrule_feature_name(flag));
    }
    printf("\n");
    return 0;
}
