/* Bad input for every function of include/ferrule.h (issue #7), table-driven, run plain and
 * under valgrind by `make test-c`.
 *
 * SPECS has one row per public function: how to call it, a valid call, and the names of its
 * pointer arguments in order. For every row the harness runs the valid call (it must succeed and
 * write its outputs), then each pointer argument set to NULL (FERRULE_STATUS_NULL_POINTER naming
 * the argument, unless documented as allowed). CASES adds rows of bad input per function: zero
 * lengths with and without NULL, sizes that overflow size_t or would need terabytes (a status
 * before anything is allocated), NaN and infinities, out-of-range ids, indices and k, strides
 * below the dimension, outputs too small or overlapping, bad enum values and options, missing
 * files, directories, unreadable files, truncated gzip, invalid UTF-8 in paths and data, damaged
 * serialized pools. After every failure: the status is the documented one, every output buffer
 * and input is untouched, and ferrule_last_error_message holds a new, non-empty message.
 *
 * Also: every `ferrule_*` function declared in the header (its path is argv[1], default
 * include/ferrule.h) must have a row, with exactly the header's pointer parameters; the whole
 * table runs again in a child under an address-space limit (so that an attempt to allocate for
 * a huge size aborts it); and FERRULE_MAX_ISA set to garbage in a child: ferrule falls back to
 * the level it uses without the variable and warns once on stderr.
 * Prints one line per failed check and ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "ferrule.h"

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static const uint8_t *bytes(const char *s) { return (const uint8_t *)s; }

static const char *last_error(void) {
    static char buf[1024];
    if (ferrule_last_error_message(buf, sizeof buf, NULL) != FERRULE_STATUS_OK) return "<no message>";
    return buf;
}

static int under_valgrind(void) {
    const char *preload = getenv("LD_PRELOAD");
    return preload != NULL && strstr(preload, "vgpreload") != NULL;
}

/* ------------------------------------------------------------------------------------------
 * Fixtures: inputs (compared with a pristine copy after every failure), objects, files. */

enum { VN = 16, VD = 8, MR = 6, MS = 10, NANPOS = 3, INFPOS = 2, NANROW = 2 };

typedef struct {
    float x32[VN], y32[VN], z32[VN], nan32[VN], inf32[VN], zero32[VN];
    double x64[VN], y64[VN], z64[VN], nan64[VN], inf64[VN], zero64[VN];
    float m32[MR * MS], mnan32[MR * MS];
    double m64[MR * MS], mnan64[MR * MS];
    int32_t off32[5], off32_desc[5], off32_neg[5], off32_zero[5];
    int64_t off64[5], off64_desc[5], off64_neg[5];
    uint8_t pool_bytes[4096]; /* a serialized pool */
    size_t pool_bytes_len;
} inputs;

static inputs in, pristine;

#define SMALL_ROWS 4
static const char SMALL[] =
    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 2326 \"-\" \"curl/7\"\n"
    "::1 - bob [10/Oct/2000:13:55:37 +0130] \"POST /b HTTP/1.1\" 404 - \"http://r/\" \"Mozilla\"\n"
    "bad line\n"
    "5.6.7.8 - - [10/Oct/2000:13:55:40 -0700] \"GET /last HTTP/1.0\" 200 1 \"-\" \"x\"\n";

static struct {
    ferrule_pool *pool; /* "GET", "POST", "" */
    ferrule_log_format *combined, *jsonl;
    ferrule_log_table *table, *jtable;
    ferrule_sd *sd;
    size_t c_line, c_bytes, c_status, c_tz, c_ts, c_path, c_method, c_i, c_f, c_b;
    char dir[64];
    char small[128], gz[128], cut[128], badcrc[128], empty[128], sub[128], unreadable[128], latin1[128];
    char missing[128], with_nul[160];
    size_t with_nul_len;
    uint8_t gz_data[1024];
    size_t gz_len;
    int rlimited; /* running in the address-space-limited child */
} fx;

/* Output buffers live in one scratch area, filled with a pattern before every call: after a
 * failure it must still hold the pattern everywhere. */
enum { SCRATCH = 16384, PATTERN = 0xA5 };
static _Alignas(16) unsigned char scratch[SCRATCH];
static size_t scratch_used;

static void *out_buf(size_t size) {
    size_t at = (scratch_used + 15) & ~(size_t)15;
    if (at + size > SCRATCH) {
        fprintf(stderr, "scratch area too small\n");
        exit(2);
    }
    scratch_used = at + size;
    return scratch + at;
}

static int scratch_untouched(void) {
    for (size_t i = 0; i < SCRATCH; i++) {
        if (scratch[i] != PATTERN) return 0;
    }
    return 1;
}

static int write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) return 0;
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static uint32_t crc32_of(const uint8_t *data, size_t len) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* A gzip member holding `data` in one stored deflate block (no compressor needed). */
static size_t make_gzip(const uint8_t *data, size_t len, uint8_t *out) {
    static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    size_t at = 0;
    memcpy(out, header, sizeof header);
    at += sizeof header;
    out[at++] = 1; /* final block, stored */
    out[at++] = (uint8_t)(len & 0xff);
    out[at++] = (uint8_t)(len >> 8);
    out[at++] = (uint8_t)(~len & 0xff);
    out[at++] = (uint8_t)((~len >> 8) & 0xff);
    memcpy(out + at, data, len);
    at += len;
    uint32_t crc = crc32_of(data, len);
    for (int k = 0; k < 4; k++) out[at++] = (uint8_t)(crc >> (8 * k));
    for (int k = 0; k < 4; k++) out[at++] = (uint8_t)(len >> (8 * k));
    return at;
}

/* The checksum of ferrule's pool format (to build data that lies with a valid checksum). */
static uint64_t pool_checksum(const uint8_t *data, size_t len) {
    const uint64_t prime = 0x00000100000001b3ULL;
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--) w = (w << 8) | data[i + (size_t)k];
        h = (h ^ w) * prime;
    }
    for (; i < len; i++) h = (h ^ data[i]) * prime;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

static size_t column_of(const ferrule_log_table *table, const char *name) {
    size_t index = SIZE_MAX;
    if (ferrule_log_table_column_index(table, bytes(name), strlen(name), &index) != FERRULE_STATUS_OK) {
        fprintf(stderr, "no column %s: %s\n", name, last_error());
        exit(2);
    }
    return index;
}

static ferrule_log_format *preset(const char *name) {
    ferrule_log_format *format = NULL;
    if (ferrule_log_format_parse(bytes(name), strlen(name), FERRULE_LOG_FORMAT_PRESET, &format) != FERRULE_STATUS_OK) {
        fprintf(stderr, "cannot compile %s: %s\n", name, last_error());
        exit(2);
    }
    return format;
}

static void setup(void) {
    for (size_t i = 0; i < VN; i++) {
        double x = (double)i * 0.5 - 2.0, y = 1.0 + (double)(i % 3), z = (double)(i % 5) - 1.5;
        in.x64[i] = x, in.y64[i] = y, in.z64[i] = z, in.nan64[i] = x, in.inf64[i] = y, in.zero64[i] = 0;
        in.x32[i] = (float)x, in.y32[i] = (float)y, in.z32[i] = (float)z, in.nan32[i] = (float)x;
        in.inf32[i] = (float)y, in.zero32[i] = 0;
    }
    in.nan64[NANPOS] = NAN, in.nan32[NANPOS] = NAN, in.inf64[INFPOS] = INFINITY, in.inf32[INFPOS] = INFINITY;
    for (size_t i = 0; i < MR * MS; i++) {
        in.m64[i] = in.mnan64[i] = sin((double)i) * 2.0;
        in.m32[i] = in.mnan32[i] = (float)in.m64[i];
    }
    in.mnan64[NANROW * MS + 1] = NAN, in.mnan32[NANROW * MS + 1] = NAN;
    /* "ab", "", "cde", "f": Arrow offsets, and broken ones. */
    int32_t good[5] = {0, 2, 2, 5, 6}, desc[5] = {0, 2, 1, 5, 6}, neg[5] = {-1, 2, 2, 5, 6};
    memcpy(in.off32, good, sizeof good);
    memcpy(in.off32_desc, desc, sizeof desc);
    memcpy(in.off32_neg, neg, sizeof neg);
    memset(in.off32_zero, 0, sizeof in.off32_zero);
    for (int i = 0; i < 5; i++) in.off64[i] = good[i], in.off64_desc[i] = desc[i], in.off64_neg[i] = neg[i];

    uint32_t id = 0;
    if (ferrule_pool_new(&fx.pool) != FERRULE_STATUS_OK ||
        ferrule_pool_intern(fx.pool, bytes("GET"), 3, &id) != FERRULE_STATUS_OK ||
        ferrule_pool_intern(fx.pool, bytes("POST"), 4, &id) != FERRULE_STATUS_OK ||
        ferrule_pool_intern(fx.pool, NULL, 0, &id) != FERRULE_STATUS_OK ||
        ferrule_pool_serialize(fx.pool, in.pool_bytes, sizeof in.pool_bytes, &in.pool_bytes_len) != FERRULE_STATUS_OK) {
        fprintf(stderr, "pool setup failed: %s\n", last_error());
        exit(2);
    }
    fx.combined = preset("combined");
    fx.jsonl = preset("jsonl");
    const char *json = "{\"i\": 1, \"f\": 1.5, \"b\": true}\n{\"i\": 2, \"f\": -0.5, \"b\": false}\n";
    if (ferrule_log_parse_bytes(bytes(SMALL), strlen(SMALL), fx.combined, NULL, &fx.table) != FERRULE_STATUS_OK ||
        ferrule_log_parse_bytes(bytes(json), strlen(json), fx.jsonl, NULL, &fx.jtable) != FERRULE_STATUS_OK) {
        fprintf(stderr, "table setup failed: %s\n", last_error());
        exit(2);
    }
    fx.c_line = column_of(fx.table, "line"), fx.c_bytes = column_of(fx.table, "bytes");
    fx.c_status = column_of(fx.table, "status"), fx.c_tz = column_of(fx.table, "tz_offset");
    fx.c_ts = column_of(fx.table, "timestamp"), fx.c_path = column_of(fx.table, "path");
    fx.c_method = column_of(fx.table, "method");
    fx.c_i = column_of(fx.jtable, "i"), fx.c_f = column_of(fx.jtable, "f"), fx.c_b = column_of(fx.jtable, "b");
    const char *sd = "[id@1 a=\"1\" b=\"x\\\"y\"][t]";
    if (ferrule_log_structured_data_parse(bytes(sd), strlen(sd), &fx.sd) != FERRULE_STATUS_OK) {
        fprintf(stderr, "sd setup failed: %s\n", last_error());
        exit(2);
    }

    snprintf(fx.dir, sizeof fx.dir, "/tmp/ferrule-bad-input-XXXXXX");
    if (mkdtemp(fx.dir) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(fx.small, sizeof fx.small, "%s/small.log", fx.dir);
    snprintf(fx.gz, sizeof fx.gz, "%s/small.log.gz", fx.dir);
    snprintf(fx.cut, sizeof fx.cut, "%s/cut.log", fx.dir); /* gzip is found by content, not name */
    snprintf(fx.badcrc, sizeof fx.badcrc, "%s/badcrc.gz", fx.dir);
    snprintf(fx.empty, sizeof fx.empty, "%s/empty.log", fx.dir);
    snprintf(fx.sub, sizeof fx.sub, "%s/a-directory", fx.dir);
    snprintf(fx.unreadable, sizeof fx.unreadable, "%s/unreadable.log", fx.dir);
    snprintf(fx.latin1, sizeof fx.latin1, "%s/caf\xe9.log", fx.dir); /* not UTF-8 */
    snprintf(fx.missing, sizeof fx.missing, "%s/missing.log", fx.dir);
    /* A path with a NUL byte inside its length. */
    fx.with_nul_len = (size_t)snprintf(fx.with_nul, sizeof fx.with_nul, "%s", fx.small) + 2;
    memcpy(fx.with_nul + fx.with_nul_len - 2, "\0x", 2);
    fx.gz_len = make_gzip(bytes(SMALL), strlen(SMALL), fx.gz_data);
    uint8_t bad[sizeof fx.gz_data];
    memcpy(bad, fx.gz_data, fx.gz_len);
    bad[fx.gz_len - 8] ^= 0x01; /* the CRC */
    int ok = write_file(fx.small, SMALL, strlen(SMALL)) && write_file(fx.gz, fx.gz_data, fx.gz_len) &&
             write_file(fx.badcrc, bad, fx.gz_len) && write_file(fx.empty, "", 0) &&
             write_file(fx.unreadable, SMALL, strlen(SMALL)) && write_file(fx.latin1, SMALL, strlen(SMALL)) &&
             mkdir(fx.sub, 0700) == 0 && chmod(fx.unreadable, 0) == 0;
    if (!ok) {
        perror("fixture files");
        exit(2);
    }
    pristine = in;
}

static void teardown(void) {
    const char *files[] = {fx.small, fx.gz, fx.cut, fx.badcrc, fx.empty, fx.unreadable, fx.latin1};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) unlink(files[i]);
    rmdir(fx.sub);
    rmdir(fx.dir);
    ferrule_pool_free(fx.pool);
    ferrule_log_table_free(fx.table);
    ferrule_log_table_free(fx.jtable);
    ferrule_log_format_free(fx.combined);
    ferrule_log_format_free(fx.jsonl);
    ferrule_sd_free(fx.sd);
}

/* ------------------------------------------------------------------------------------------
 * The arguments of one call. Pointer arguments are p[0], p[1], ... in the order of the C
 * signature; sizes n[], 32-bit values u[] (ids, enums, separators), the uint64 x, a double d. */

enum { NP = 8, NN = 8, NU = 3, NOWN = 4 };

typedef struct args {
    const void *p[NP];
    size_t n[NN];
    uint32_t u[NU];
    uint64_t x;
    double d;
    size_t elem; /* 4 or 8 for vector functions */
    int opt;     /* index in p of the options pointer, -1 when none */
    int i;       /* the repetition of a repeated case */
    const char *str;
    void *own[NOWN]; /* objects the case made, freed after it */
    void (*own_free[NOWN])(void *);
    int nown;
} args;

static void own(args *a, void *object, void (*release)(void *)) {
    if (object == NULL) return;
    if (a->nown == NOWN) {
        fprintf(stderr, "too many owned objects\n");
        exit(2);
    }
    a->own[a->nown] = object;
    a->own_free[a->nown++] = release;
}

static void free_pool(void *p) { ferrule_pool_free(p); }
static void free_format(void *p) { ferrule_log_format_free(p); }
static void free_table(void *p) { ferrule_log_table_free(p); }
static void free_parser(void *p) { ferrule_log_parser_free(p); }
static void free_reader(void *p) { ferrule_log_reader_free(p); }
static void free_sd(void *p) { ferrule_sd_free(p); }

static const void *X(const args *a) { return a->elem == 4 ? (const void *)in.x32 : (const void *)in.x64; }
static const void *Y(const args *a) { return a->elem == 4 ? (const void *)in.y32 : (const void *)in.y64; }
static const void *Z(const args *a) { return a->elem == 4 ? (const void *)in.z32 : (const void *)in.z64; }
static const void *NANS(const args *a) { return a->elem == 4 ? (const void *)in.nan32 : (const void *)in.nan64; }
static const void *INFS(const args *a) { return a->elem == 4 ? (const void *)in.inf32 : (const void *)in.inf64; }
static const void *ZEROS(const args *a) { return a->elem == 4 ? (const void *)in.zero32 : (const void *)in.zero64; }
static const void *M(const args *a) { return a->elem == 4 ? (const void *)in.m32 : (const void *)in.m64; }
static const void *MNAN(const args *a) { return a->elem == 4 ? (const void *)in.mnan32 : (const void *)in.mnan64; }

/* Output value k of the array at p[i], as a double. */
static double val(const args *a, int i, size_t k) {
    return a->elem == 4 ? (double)((const float *)a->p[i])[k] : ((const double *)a->p[i])[k];
}

#define P(i, T) ((T)(uintptr_t)a->p[i]) /* a pointer argument, const cast away for outputs */
#define CALL(name, expr) \
    static ferrule_status call_##name(args *a) { return expr; }
#define CALL_STR(name, expr)               \
    static ferrule_status call_##name(args *a) { \
        a->str = expr;                     \
        return FERRULE_STATUS_OK;          \
    }
#define CALL_VOID(name, expr)              \
    static ferrule_status call_##name(args *a) { \
        expr;                              \
        return FERRULE_STATUS_OK;          \
    }
#define VALID(name, body) \
    static void valid_##name(args *a) { body; }

/* --- general ------------------------------------------------------------------------------ */
CALL_STR(version, ((void)a, ferrule_version()))
CALL(last_error_message, ferrule_last_error_message(P(0, char *), a->n[0], P(1, size_t *)))
CALL(capabilities, ferrule_capabilities(P(0, ferrule_cpu_capabilities *)))
CALL(debug_panic, ((void)a, ferrule_debug_panic()))
CALL_STR(feature_name, ferrule_feature_name(a->x))
CALL_STR(status_str, ferrule_status_str(a->u[0]))
VALID(none, (void)a)
VALID(last_error_message, a->p[0] = out_buf(64); a->n[0] = 64; a->p[1] = out_buf(sizeof(size_t)))
VALID(capabilities, a->p[0] = out_buf(sizeof(ferrule_cpu_capabilities)))
VALID(feature_name, a->x = FERRULE_FEATURE_AVX2)
VALID(status_str, a->u[0] = FERRULE_STATUS_PARSE)

/* --- pool --------------------------------------------------------------------------------- */
CALL(pool_new, ferrule_pool_new(P(0, ferrule_pool **)))
CALL_VOID(pool_free, ferrule_pool_free(P(0, ferrule_pool *)))
CALL(pool_intern, ferrule_pool_intern(P(0, ferrule_pool *), a->p[1], a->n[0], P(2, uint32_t *)))
CALL(pool_get, ferrule_pool_get(a->p[0], a->p[1], a->n[0], P(2, bool *), P(3, uint32_t *)))
CALL(pool_resolve, ferrule_pool_resolve(a->p[0], a->u[0], P(1, const uint8_t **), P(2, size_t *)))
CALL(pool_intern_many, ferrule_pool_intern_many(P(0, ferrule_pool *), a->p[1], a->p[2], a->n[0], P(3, uint32_t *)))
CALL(pool_intern_many_large,
     ferrule_pool_intern_many_large(P(0, ferrule_pool *), a->p[1], a->p[2], a->n[0], P(3, uint32_t *)))
CALL(pool_intern_lines, ferrule_pool_intern_lines(P(0, ferrule_pool *), a->p[1], a->n[0], (uint8_t)a->u[0],
                                                  P(2, uint32_t *), a->n[1], P(3, size_t *)))
CALL(pool_len, ferrule_pool_len(a->p[0], P(1, size_t *)))
CALL(pool_memory_usage, ferrule_pool_memory_usage(a->p[0], P(1, size_t *)))
CALL(pool_serialize, ferrule_pool_serialize(a->p[0], P(1, uint8_t *), a->n[0], P(2, size_t *)))
CALL(pool_deserialize, ferrule_pool_deserialize(a->p[0], a->n[0], P(1, ferrule_pool **)))

/* A pool of its own for calls that intern (so that cases do not see each other's values). */
static ferrule_pool *own_pool(args *a) {
    ferrule_pool *pool = NULL;
    if (ferrule_pool_new(&pool) != FERRULE_STATUS_OK) exit(2);
    own(a, pool, free_pool);
    return pool;
}

VALID(pool_new, a->p[0] = out_buf(sizeof(void *)))
static void valid_pool_free(args *a) {
    ferrule_pool *pool = NULL;
    if (ferrule_pool_new(&pool) != FERRULE_STATUS_OK) exit(2);
    a->p[0] = pool;
}
VALID(pool_intern, a->p[0] = own_pool(a); a->p[1] = "abc"; a->n[0] = 3; a->p[2] = out_buf(4))
VALID(pool_get, a->p[0] = fx.pool; a->p[1] = "POST"; a->n[0] = 4; a->p[2] = out_buf(1); a->p[3] = out_buf(4))
VALID(pool_resolve, a->p[0] = fx.pool; a->u[0] = 1; a->p[1] = out_buf(sizeof(void *)); a->p[2] = out_buf(8))
VALID(pool_intern_many, a->p[0] = own_pool(a); a->p[1] = "abcdef"; a->p[2] = in.off32; a->n[0] = 4;
      a->p[3] = out_buf(16))
VALID(pool_intern_many_large, a->p[0] = own_pool(a); a->p[1] = "abcdef"; a->p[2] = in.off64; a->n[0] = 4;
      a->p[3] = out_buf(16))
VALID(pool_intern_lines, a->p[0] = own_pool(a); a->p[1] = "a\nbb\n\nc"; a->n[0] = 7; a->u[0] = '\n';
      a->p[2] = out_buf(4 * 8); a->n[1] = 8; a->p[3] = out_buf(8))
VALID(pool_len, a->p[0] = fx.pool; a->p[1] = out_buf(8))
VALID(pool_memory_usage, a->p[0] = fx.pool; a->p[1] = out_buf(8))
VALID(pool_serialize, a->p[0] = fx.pool; a->p[1] = out_buf(512); a->n[0] = 512; a->p[2] = out_buf(8))
VALID(pool_deserialize, a->p[0] = in.pool_bytes; a->n[0] = in.pool_bytes_len; a->p[1] = out_buf(sizeof(void *)))

/* --- vector: names ------------------------------------------------------------------------ */
CALL(metric_parse, ferrule_vec_metric_parse(a->p[0], a->n[0], P(1, ferrule_metric *)))
CALL_STR(metric_name, ferrule_vec_metric_name(a->u[0]))
CALL(precision_parse, ferrule_vec_precision_parse(a->p[0], a->n[0], P(1, ferrule_precision *)))
CALL_STR(precision_name, ferrule_vec_precision_name(a->u[0]))
VALID(metric_parse, a->p[0] = "cosine"; a->n[0] = 6; a->p[1] = out_buf(4))
VALID(metric_name, a->u[0] = FERRULE_METRIC_MANHATTAN)
VALID(precision_parse, a->p[0] = "accurate"; a->n[0] = 8; a->p[1] = out_buf(4))
VALID(precision_name, a->u[0] = FERRULE_PRECISION_ACCURATE)

/* --- vector: one pair, one vector ---------------------------------------------------------- */
#define PAIR(F)                                                                                   \
    CALL(F##_f32, ferrule_vec_##F##_f32(a->p[0], a->p[1], a->n[0], P(2, float *)))              \
    CALL(F##_f64, ferrule_vec_##F##_f64(a->p[0], a->p[1], a->n[0], P(2, double *)))
PAIR(dot)
PAIR(sqeuclidean)
PAIR(euclidean)
PAIR(manhattan)
PAIR(cosine_similarity)
PAIR(cosine_distance)
CALL(norm_f32, ferrule_vec_norm_f32(a->p[0], a->n[0], P(1, float *)))
CALL(norm_f64, ferrule_vec_norm_f64(a->p[0], a->n[0], P(1, double *)))
CALL(distance_f32, ferrule_vec_distance_f32(a->u[0], a->u[1], a->p[0], a->p[1], a->n[0], P(2, float *)))
CALL(distance_f64, ferrule_vec_distance_f64(a->u[0], a->u[1], a->p[0], a->p[1], a->n[0], P(2, double *)))
CALL(sum_f32, ferrule_vec_sum_f32(a->p[0], a->n[0], a->u[1], P(1, float *)))
CALL(sum_f64, ferrule_vec_sum_f64(a->p[0], a->n[0], a->u[1], P(1, double *)))
CALL(mean_f32, ferrule_vec_mean_f32(a->p[0], a->n[0], P(1, double *)))
CALL(mean_f64, ferrule_vec_mean_f64(a->p[0], a->n[0], P(1, double *)))
#define ONE(F, OUT32, OUT64)                                                                      \
    CALL(F##_f32, ferrule_vec_##F##_f32(a->p[0], a->n[0], P(1, OUT32 *)))                        \
    CALL(F##_f64, ferrule_vec_##F##_f64(a->p[0], a->n[0], P(1, OUT64 *)))
ONE(min, float, double)
ONE(max, float, double)
ONE(argmin, size_t, size_t)
ONE(argmax, size_t, size_t)
VALID(pair, a->p[0] = X(a); a->p[1] = Y(a); a->n[0] = VN; a->p[2] = out_buf(8))
VALID(distance, a->u[0] = FERRULE_METRIC_EUCLIDEAN; a->u[1] = FERRULE_PRECISION_ACCURATE; a->p[0] = X(a);
      a->p[1] = Y(a); a->n[0] = VN; a->p[2] = out_buf(8))
VALID(single, a->p[0] = X(a); a->n[0] = VN; a->p[1] = out_buf(8); a->u[1] = FERRULE_PRECISION_ACCURATE)

/* --- vector: element-wise ----------------------------------------------------------------- */
CALL(scale_f32, ferrule_vec_scale_f32(a->p[0], a->n[0], (float)a->d, P(1, float *)))
CALL(scale_f64, ferrule_vec_scale_f64(a->p[0], a->n[0], a->d, P(1, double *)))
CALL(normalize_f32, ferrule_vec_normalize_f32(a->p[0], a->n[0], P(1, float *)))
CALL(normalize_f64, ferrule_vec_normalize_f64(a->p[0], a->n[0], P(1, double *)))
#define BINARY(F)                                                                                 \
    CALL(F##_f32, ferrule_vec_##F##_f32(a->p[0], a->p[1], a->n[0], P(2, float *)))              \
    CALL(F##_f64, ferrule_vec_##F##_f64(a->p[0], a->p[1], a->n[0], P(2, double *)))
BINARY(add)
BINARY(subtract)
BINARY(multiply)
CALL(axpy_f32, ferrule_vec_axpy_f32((float)a->d, a->p[0], a->p[1], a->n[0], P(2, float *)))
CALL(axpy_f64, ferrule_vec_axpy_f64(a->d, a->p[0], a->p[1], a->n[0], P(2, double *)))
CALL(fma_f32, ferrule_vec_fma_f32(a->p[0], a->p[1], a->p[2], a->n[0], P(3, float *)))
CALL(fma_f64, ferrule_vec_fma_f64(a->p[0], a->p[1], a->p[2], a->n[0], P(3, double *)))
VALID(unary, a->p[0] = X(a); a->n[0] = VN; a->d = -1.5; a->p[1] = out_buf(VN * 8))
VALID(binary, a->p[0] = X(a); a->p[1] = Y(a); a->n[0] = VN; a->d = 0.5; a->p[2] = out_buf(VN * 8))
VALID(ternary, a->p[0] = X(a); a->p[1] = Y(a); a->p[2] = Z(a); a->n[0] = VN; a->p[3] = out_buf(VN * 8))

/* --- vector: batches ----------------------------------------------------------------------- */
static const ferrule_vec_options VOPT_DEFAULT = {0, 0}, VOPT_ONE = {0, 1}, VOPT_PRECISION = {2, 0},
                                 VOPT_THREADS = {0, 1025}, VOPT_THREADS_MAX = {0, SIZE_MAX};
CALL(one_to_many_f32, ferrule_vec_one_to_many_f32(a->p[0], a->n[0], a->p[1], a->n[1], a->n[2], a->u[0], a->p[2],
                                                  P(3, float *), a->n[3]))
CALL(one_to_many_f64, ferrule_vec_one_to_many_f64(a->p[0], a->n[0], a->p[1], a->n[1], a->n[2], a->u[0], a->p[2],
                                                  P(3, double *), a->n[3]))
CALL(cdist_f32, ferrule_vec_cdist_f32(a->p[0], a->n[0], a->n[1], a->p[1], a->n[2], a->n[3], a->n[4], a->u[0],
                                      a->p[2], P(3, float *), a->n[5]))
CALL(cdist_f64, ferrule_vec_cdist_f64(a->p[0], a->n[0], a->n[1], a->p[1], a->n[2], a->n[3], a->n[4], a->u[0],
                                      a->p[2], P(3, double *), a->n[5]))
CALL(topk_f32, ferrule_vec_topk_f32(a->p[0], a->n[0], a->n[1], a->p[1], a->n[2], a->n[3], a->n[4], a->n[5],
                                    a->u[0], a->p[2], P(3, size_t *), P(4, float *), a->n[6]))
CALL(topk_f64, ferrule_vec_topk_f64(a->p[0], a->n[0], a->n[1], a->p[1], a->n[2], a->n[3], a->n[4], a->n[5],
                                    a->u[0], a->p[2], P(3, size_t *), P(4, double *), a->n[6]))
VALID(one_to_many, a->p[0] = X(a); a->n[0] = VD; a->p[1] = M(a); a->n[1] = MR; a->n[2] = MS;
      a->u[0] = FERRULE_METRIC_COSINE; a->p[2] = &VOPT_ONE; a->p[3] = out_buf(MR * 8); a->n[3] = MR)
VALID(cdist, a->p[0] = M(a); a->n[0] = MR; a->n[1] = MS; a->p[1] = M(a); a->n[2] = MR; a->n[3] = MS; a->n[4] = VD;
      a->u[0] = FERRULE_METRIC_SQEUCLIDEAN; a->p[2] = &VOPT_DEFAULT; a->p[3] = out_buf(MR * MR * 8);
      a->n[5] = MR * MR)
VALID(topk, a->p[0] = M(a); a->n[0] = 2; a->n[1] = MS; a->p[1] = M(a); a->n[2] = MR; a->n[3] = MS; a->n[4] = VD;
      a->n[5] = 3; a->u[0] = FERRULE_METRIC_DOT; a->p[2] = &VOPT_DEFAULT; a->p[3] = out_buf(6 * sizeof(size_t));
      a->p[4] = out_buf(6 * 8); a->n[6] = 6)

/* --- logs: names, formats ----------------------------------------------------------------- */
CALL(log_last_error, ferrule_log_last_error(P(0, uint64_t *), P(1, uint64_t *), P(2, const uint8_t **),
                                            P(3, size_t *)))
CALL(on_error_parse, ferrule_log_on_error_parse(a->p[0], a->n[0], P(1, ferrule_on_error *)))
CALL_STR(column_type_name, ferrule_log_column_type_name(a->u[0]))
CALL(format_parse, ferrule_log_format_parse(a->p[0], a->n[0], a->u[0], P(1, ferrule_log_format **)))
CALL_VOID(format_free, ferrule_log_format_free(P(0, ferrule_log_format *)))
CALL(format_get_kind, ferrule_log_format_get_kind(a->p[0], P(1, ferrule_log_format_kind *)))
VALID(log_last_error, a->p[0] = out_buf(8); a->p[1] = out_buf(8); a->p[2] = out_buf(sizeof(void *));
      a->p[3] = out_buf(8))
VALID(on_error_parse, a->p[0] = "skip"; a->n[0] = 4; a->p[1] = out_buf(4))
VALID(column_type_name, a->u[0] = FERRULE_LOG_COLUMN_BOOL)
VALID(format_parse, a->p[0] = "$remote_addr [$time_local] \"$request\" $status"; a->n[0] = strlen(a->p[0]);
      a->u[0] = FERRULE_LOG_FORMAT_NGINX; a->p[1] = out_buf(sizeof(void *)))
static void valid_format_free(args *a) { a->p[0] = preset("common"); }
VALID(format_get_kind, a->p[0] = fx.jsonl; a->p[1] = out_buf(4))

/* --- logs: parsing ------------------------------------------------------------------------ */
static const ferrule_log_options LOPT_DEFAULT = {0};
CALL(parse_file, ferrule_log_parse_file(a->p[0], a->n[0], a->p[1], a->p[2], P(3, ferrule_log_table **)))
CALL(parse_bytes, ferrule_log_parse_bytes(a->p[0], a->n[0], a->p[1], a->p[2], P(3, ferrule_log_table **)))
CALL(parser_new, ferrule_log_parser_new(a->p[0], a->p[1], P(2, ferrule_log_parser **)))
CALL(parser_push, ferrule_log_parser_push(P(0, ferrule_log_parser *), a->p[1], a->n[0]))
CALL(parser_take_batch, ferrule_log_parser_take_batch(P(0, ferrule_log_parser *), P(1, ferrule_log_table **)))
CALL(parser_finish, ferrule_log_parser_finish(P(0, ferrule_log_parser *), P(1, ferrule_log_table **)))
CALL_VOID(parser_free, ferrule_log_parser_free(P(0, ferrule_log_parser *)))
CALL(reader_open, ferrule_log_reader_open(a->p[0], a->n[0], a->p[1], a->p[2], a->n[1], P(3, ferrule_log_reader **)))
CALL(reader_next, ferrule_log_reader_next(P(0, ferrule_log_reader *), P(1, ferrule_log_table **)))
CALL_VOID(reader_free, ferrule_log_reader_free(P(0, ferrule_log_reader *)))
CALL_VOID(table_free, ferrule_log_table_free(P(0, ferrule_log_table *)))

static ferrule_log_parser *new_parser(args *a, const ferrule_log_options *options) {
    ferrule_log_parser *parser = NULL;
    if (ferrule_log_parser_new(fx.combined, options, &parser) != FERRULE_STATUS_OK) exit(2);
    own(a, parser, free_parser);
    return parser;
}

static ferrule_log_reader *new_reader(args *a, const char *path, size_t batch_rows) {
    ferrule_log_reader *reader = NULL;
    if (ferrule_log_reader_open(bytes(path), strlen(path), fx.combined, NULL, batch_rows, &reader) !=
        FERRULE_STATUS_OK) {
        fprintf(stderr, "cannot open a reader on %s: %s\n", path, last_error());
        exit(2);
    }
    own(a, reader, free_reader);
    return reader;
}

VALID(parse_file, a->p[0] = fx.small; a->n[0] = strlen(fx.small); a->p[1] = fx.combined; a->p[2] = &LOPT_DEFAULT;
      a->p[3] = out_buf(sizeof(void *)))
VALID(parse_bytes, a->p[0] = SMALL; a->n[0] = strlen(SMALL); a->p[1] = fx.combined; a->p[2] = &LOPT_DEFAULT;
      a->p[3] = out_buf(sizeof(void *)))
VALID(parser_new, a->p[0] = fx.combined; a->p[1] = &LOPT_DEFAULT; a->p[2] = out_buf(sizeof(void *)))
VALID(parser_push, a->p[0] = new_parser(a, NULL); a->p[1] = SMALL; a->n[0] = strlen(SMALL))
static void valid_parser_out(args *a) {
    ferrule_log_parser *parser = new_parser(a, NULL);
    if (ferrule_log_parser_push(parser, bytes(SMALL), strlen(SMALL)) != FERRULE_STATUS_OK) exit(2);
    a->p[0] = parser;
    a->p[1] = out_buf(sizeof(void *));
}
static void valid_parser_free(args *a) {
    ferrule_log_parser *parser = NULL;
    if (ferrule_log_parser_new(fx.combined, NULL, &parser) != FERRULE_STATUS_OK ||
        ferrule_log_parser_push(parser, bytes("half a li"), 9) != FERRULE_STATUS_OK)
        exit(2);
    a->p[0] = parser;
}
VALID(reader_open, a->p[0] = fx.small; a->n[0] = strlen(fx.small); a->p[1] = fx.combined; a->p[2] = &LOPT_DEFAULT;
      a->n[1] = 2; a->p[3] = out_buf(sizeof(void *)))
VALID(reader_next, a->p[0] = new_reader(a, fx.small, 2); a->p[1] = out_buf(sizeof(void *)))
static void valid_reader_free(args *a) {
    ferrule_log_reader *reader = NULL;
    if (ferrule_log_reader_open(bytes(fx.small), strlen(fx.small), fx.combined, NULL, 1, &reader) != FERRULE_STATUS_OK)
        exit(2);
    a->p[0] = reader;
}
static void valid_table_free(args *a) {
    ferrule_log_table *table = NULL;
    if (ferrule_log_parse_bytes(bytes(SMALL), strlen(SMALL), fx.combined, NULL, &table) != FERRULE_STATUS_OK) exit(2);
    a->p[0] = table;
}

/* --- logs: tables ------------------------------------------------------------------------- */
CALL(num_rows, ferrule_log_table_num_rows(a->p[0], P(1, size_t *)))
CALL(num_columns, ferrule_log_table_num_columns(a->p[0], P(1, size_t *)))
CALL(column_index, ferrule_log_table_column_index(a->p[0], a->p[1], a->n[0], P(2, size_t *)))
CALL(column_name, ferrule_log_table_column_name(a->p[0], a->n[0], P(1, const uint8_t **), P(2, size_t *)))
CALL(column_type, ferrule_log_table_column_type(a->p[0], a->n[0], P(1, ferrule_log_column_type *)))
#define TYPED(F, T) CALL(F, ferrule_log_table_##F(a->p[0], a->n[0], P(1, const T **), P(2, size_t *)))
TYPED(column_u64, uint64_t)
TYPED(column_u16, uint16_t)
TYPED(column_i16, int16_t)
TYPED(column_i64, int64_t)
TYPED(column_f64, double)
TYPED(column_timestamp, int64_t)
TYPED(column_bool, uint8_t)
TYPED(column_codes, uint32_t)
CALL(validity, ferrule_log_table_validity(a->p[0], a->n[0], P(1, const uint8_t **), P(2, size_t *)))
CALL(column_strings, ferrule_log_table_column_strings(a->p[0], a->n[0], P(1, const int64_t **),
                                                      P(2, const uint8_t **), P(3, size_t *)))
CALL(dictionary, ferrule_log_table_dictionary(a->p[0], a->n[0], P(1, const uint32_t **), P(2, const uint8_t **),
                                              P(3, size_t *)))
CALL(dictionary_pool, ferrule_log_table_dictionary_pool(a->p[0], a->n[0], P(1, ferrule_pool **)))
CALL(error_count, ferrule_log_table_error_count(a->p[0], P(1, size_t *)))
CALL(table_error, ferrule_log_table_error(a->p[0], a->n[0], P(1, uint64_t *), P(2, const uint8_t **), P(3, size_t *),
                                          P(4, uint64_t *), P(5, const uint8_t **), P(6, size_t *)))
CALL(stats, ferrule_log_table_stats(a->p[0], P(1, ferrule_log_stats *)))
CALL(table_memory_usage, ferrule_log_table_memory_usage(a->p[0], P(1, size_t *)))
VALID(table_out1, a->p[0] = fx.table; a->p[1] = out_buf(sizeof(ferrule_log_stats)))
VALID(column_index, a->p[0] = fx.table; a->p[1] = "status"; a->n[0] = 6; a->p[2] = out_buf(8))
/* Accessors of column n[0] with outputs p[1..]. */
static void table_column(args *a, const ferrule_log_table *table, size_t column, int outputs) {
    a->p[0] = table;
    a->n[0] = column;
    for (int k = 1; k <= outputs; k++) a->p[k] = out_buf(8);
}
VALID(column_name, table_column(a, fx.table, fx.c_path, 2))
VALID(column_type, table_column(a, fx.table, fx.c_status, 1))
VALID(column_u64, table_column(a, fx.table, fx.c_bytes, 2))
VALID(column_u16, table_column(a, fx.table, fx.c_status, 2))
VALID(column_i16, table_column(a, fx.table, fx.c_tz, 2))
VALID(column_i64, table_column(a, fx.jtable, fx.c_i, 2))
VALID(column_f64, table_column(a, fx.jtable, fx.c_f, 2))
VALID(column_timestamp, table_column(a, fx.table, fx.c_ts, 2))
VALID(column_bool, table_column(a, fx.jtable, fx.c_b, 2))
VALID(column_codes, table_column(a, fx.table, fx.c_method, 2))
VALID(validity, table_column(a, fx.table, fx.c_bytes, 2))
VALID(column_strings, table_column(a, fx.table, fx.c_path, 3))
VALID(dictionary, table_column(a, fx.table, fx.c_method, 3))
VALID(dictionary_pool, table_column(a, fx.table, fx.c_method, 1))
VALID(table_error, table_column(a, fx.table, 0, 6))

/* --- logs: structured data ---------------------------------------------------------------- */
CALL(sd_parse, ferrule_log_structured_data_parse(a->p[0], a->n[0], P(1, ferrule_sd **)))
CALL_VOID(sd_free, ferrule_sd_free(P(0, ferrule_sd *)))
CALL(sd_count, ferrule_sd_count(a->p[0], P(1, size_t *)))
CALL(sd_id, ferrule_sd_id(a->p[0], a->n[0], P(1, const uint8_t **), P(2, size_t *)))
CALL(sd_param_count, ferrule_sd_param_count(a->p[0], a->n[0], P(1, size_t *)))
CALL(sd_param, ferrule_sd_param(a->p[0], a->n[0], a->n[1], P(1, const uint8_t **), P(2, size_t *),
                                P(3, const uint8_t **), P(4, size_t *)))
VALID(sd_parse, a->p[0] = "[a@1 k=\"v\"]"; a->n[0] = 11; a->p[1] = out_buf(sizeof(void *)))
static void valid_sd_free(args *a) {
    ferrule_sd *sd = NULL;
    if (ferrule_log_structured_data_parse(bytes("[x]"), 3, &sd) != FERRULE_STATUS_OK) exit(2);
    a->p[0] = sd;
}
VALID(sd_count, a->p[0] = fx.sd; a->p[1] = out_buf(8))
VALID(sd_id, a->p[0] = fx.sd; a->n[0] = 1; a->p[1] = out_buf(8); a->p[2] = out_buf(8))
VALID(sd_param_count, a->p[0] = fx.sd; a->n[0] = 0; a->p[1] = out_buf(8))
VALID(sd_param, a->p[0] = fx.sd; a->n[0] = 0; a->n[1] = 1; for (int k = 1; k <= 4; k++) a->p[k] = out_buf(8))

/* ------------------------------------------------------------------------------------------
 * One row per public function. `pointers`: its pointer parameters in order, as named in the
 * header; a trailing '?' marks one documented as accepting NULL in the valid call (options:
 * the defaults; out_len of ferrule_last_error_message). */

typedef enum { RET_STATUS, RET_STRING, RET_VOID } ret_kind;

typedef struct {
    const char *name;
    ret_kind ret;
    ferrule_status (*call)(args *);
    void (*valid)(args *);
    const char *pointers;
    size_t elem;
    int out;                 /* index in p of an object output to free after success, -1: none */
    void (*out_free)(void *);
    int opt;                 /* index in p of the options pointer, -1: none */
    ferrule_status valid_status;
    int keeps_message;       /* its own failures leave the recorded message as it was */
} fn_spec;

#define S(name, call, valid, pointers) {name, RET_STATUS, call_##call, valid_##valid, pointers, 0, -1, NULL, -1, 0, 0}
#define STR(name, call, valid) {name, RET_STRING, call_##call, valid_##valid, "", 0, -1, NULL, -1, 0, 0}
#define RVOID(name, call, valid, pointers) {name, RET_VOID, call_##call, valid_##valid, pointers, 0, -1, NULL, -1, 0, 0}
#define MAKES(name, call, valid, pointers, out, release) \
    {name, RET_STATUS, call_##call, valid_##valid, pointers, 0, out, release, -1, 0, 0}
#define MAKES_OPT(name, call, valid, pointers, out, release, opt) \
    {name, RET_STATUS, call_##call, valid_##valid, pointers, 0, out, release, opt, 0, 0}
#define VEC(name, call, valid, pointers, elem) {name, RET_STATUS, call_##call, valid_##valid, pointers, elem, -1, NULL, -1, 0, 0}
#define VEC_OPT(name, call, valid, pointers, elem) \
    {name, RET_STATUS, call_##call, valid_##valid, pointers, elem, -1, NULL, 2, 0, 0}
#define VEC2(F, valid, pointers) \
    VEC("ferrule_vec_" #F "_f32", F##_f32, valid, pointers, 4), VEC("ferrule_vec_" #F "_f64", F##_f64, valid, pointers, 8)

static const fn_spec SPECS[] = {
    STR("ferrule_version", version, none),
    {"ferrule_last_error_message", RET_STATUS, call_last_error_message, valid_last_error_message, "buf out_len?", 0,
     -1, NULL, -1, 0, 1},
    S("ferrule_capabilities", capabilities, capabilities, "out"),
    {"ferrule_debug_panic", RET_STATUS, call_debug_panic, valid_none, "", 0, -1, NULL, -1, FERRULE_STATUS_PANIC, 0},
    STR("ferrule_feature_name", feature_name, feature_name),
    MAKES("ferrule_pool_new", pool_new, pool_new, "out_pool", 0, free_pool),
    RVOID("ferrule_pool_free", pool_free, pool_free, "pool?"),
    S("ferrule_pool_intern", pool_intern, pool_intern, "pool ptr out_id"),
    S("ferrule_pool_get", pool_get, pool_get, "pool ptr out_found out_id"),
    S("ferrule_pool_resolve", pool_resolve, pool_resolve, "pool out_ptr out_len"),
    S("ferrule_pool_intern_many", pool_intern_many, pool_intern_many, "pool values offsets out_ids"),
    S("ferrule_pool_intern_many_large", pool_intern_many_large, pool_intern_many_large, "pool values offsets out_ids"),
    S("ferrule_pool_intern_lines", pool_intern_lines, pool_intern_lines, "pool data out_ids out_count"),
    S("ferrule_pool_len", pool_len, pool_len, "pool out_len"),
    S("ferrule_pool_memory_usage", pool_memory_usage, pool_memory_usage, "pool out_bytes"),
    S("ferrule_pool_serialize", pool_serialize, pool_serialize, "pool buf out_len"),
    MAKES("ferrule_pool_deserialize", pool_deserialize, pool_deserialize, "buf out_pool", 1, free_pool),
    STR("ferrule_status_str", status_str, status_str),
    S("ferrule_vec_metric_parse", metric_parse, metric_parse, "name out"),
    STR("ferrule_vec_metric_name", metric_name, metric_name),
    S("ferrule_vec_precision_parse", precision_parse, precision_parse, "name out"),
    STR("ferrule_vec_precision_name", precision_name, precision_name),
    VEC2(dot, pair, "a b out"),
    VEC2(sqeuclidean, pair, "a b out"),
    VEC2(euclidean, pair, "a b out"),
    VEC2(manhattan, pair, "a b out"),
    VEC2(cosine_similarity, pair, "a b out"),
    VEC2(cosine_distance, pair, "a b out"),
    VEC2(norm, single, "a out"),
    VEC2(distance, distance, "a b out"),
    VEC2(sum, single, "x out"),
    VEC2(mean, single, "x out"),
    VEC2(min, single, "x out"),
    VEC2(max, single, "x out"),
    VEC2(argmin, single, "x out"),
    VEC2(argmax, single, "x out"),
    VEC2(scale, unary, "x out"),
    VEC2(add, binary, "a b out"),
    VEC2(subtract, binary, "a b out"),
    VEC2(multiply, binary, "a b out"),
    VEC2(axpy, binary, "x y out"),
    VEC2(fma, ternary, "a b c out"),
    VEC2(normalize, unary, "x out"),
    VEC_OPT("ferrule_vec_one_to_many_f32", one_to_many_f32, one_to_many, "query matrix options? out", 4),
    VEC_OPT("ferrule_vec_one_to_many_f64", one_to_many_f64, one_to_many, "query matrix options? out", 8),
    VEC_OPT("ferrule_vec_cdist_f32", cdist_f32, cdist, "a b options? out", 4),
    VEC_OPT("ferrule_vec_cdist_f64", cdist_f64, cdist, "a b options? out", 8),
    VEC_OPT("ferrule_vec_topk_f32", topk_f32, topk, "queries database options? out_indices out_distances", 4),
    VEC_OPT("ferrule_vec_topk_f64", topk_f64, topk, "queries database options? out_indices out_distances", 8),
    S("ferrule_log_last_error", log_last_error, log_last_error, "out_line out_offset out_reason out_reason_len"),
    S("ferrule_log_on_error_parse", on_error_parse, on_error_parse, "name out"),
    STR("ferrule_log_column_type_name", column_type_name, column_type_name),
    MAKES("ferrule_log_format_parse", format_parse, format_parse, "spec out_format", 1, free_format),
    RVOID("ferrule_log_format_free", format_free, format_free, "format?"),
    S("ferrule_log_format_get_kind", format_get_kind, format_get_kind, "format out_kind"),
    MAKES_OPT("ferrule_log_parse_file", parse_file, parse_file, "path format options? out_table", 3, free_table, 2),
    MAKES_OPT("ferrule_log_parse_bytes", parse_bytes, parse_bytes, "data format options? out_table", 3, free_table, 2),
    MAKES_OPT("ferrule_log_parser_new", parser_new, parser_new, "format options? out_parser", 2, free_parser, 1),
    S("ferrule_log_parser_push", parser_push, parser_push, "parser data"),
    MAKES("ferrule_log_parser_take_batch", parser_take_batch, parser_out, "parser out_table", 1, free_table),
    MAKES("ferrule_log_parser_finish", parser_finish, parser_out, "parser out_table", 1, free_table),
    RVOID("ferrule_log_parser_free", parser_free, parser_free, "parser?"),
    MAKES_OPT("ferrule_log_reader_open", reader_open, reader_open, "path format options? out_reader", 3, free_reader,
              2),
    MAKES("ferrule_log_reader_next", reader_next, reader_next, "reader out_table", 1, free_table),
    RVOID("ferrule_log_reader_free", reader_free, reader_free, "reader?"),
    RVOID("ferrule_log_table_free", table_free, table_free, "table?"),
    S("ferrule_log_table_num_rows", num_rows, table_out1, "table out_rows"),
    S("ferrule_log_table_num_columns", num_columns, table_out1, "table out_columns"),
    S("ferrule_log_table_column_index", column_index, column_index, "table name out_index"),
    S("ferrule_log_table_column_name", column_name, column_name, "table out_name out_len"),
    S("ferrule_log_table_column_type", column_type, column_type, "table out_type"),
    S("ferrule_log_table_column_u64", column_u64, column_u64, "table out_values out_len"),
    S("ferrule_log_table_column_u16", column_u16, column_u16, "table out_values out_len"),
    S("ferrule_log_table_column_i16", column_i16, column_i16, "table out_values out_len"),
    S("ferrule_log_table_column_i64", column_i64, column_i64, "table out_values out_len"),
    S("ferrule_log_table_column_f64", column_f64, column_f64, "table out_values out_len"),
    S("ferrule_log_table_column_timestamp", column_timestamp, column_timestamp, "table out_values out_len"),
    S("ferrule_log_table_column_bool", column_bool, column_bool, "table out_values out_len"),
    S("ferrule_log_table_validity", validity, validity, "table out_bits out_null_count"),
    S("ferrule_log_table_column_strings", column_strings, column_strings, "table out_offsets out_values out_rows"),
    S("ferrule_log_table_column_codes", column_codes, column_codes, "table out_codes out_len"),
    S("ferrule_log_table_dictionary", dictionary, dictionary, "table out_offsets out_values out_count"),
    MAKES("ferrule_log_table_dictionary_pool", dictionary_pool, dictionary_pool, "table out_pool", 1, free_pool),
    S("ferrule_log_table_error_count", error_count, table_out1, "table out_count"),
    S("ferrule_log_table_error", table_error, table_error,
      "table out_line out_code out_code_len out_offset out_text out_text_len"),
    S("ferrule_log_table_stats", stats, table_out1, "table out_stats"),
    S("ferrule_log_table_memory_usage", table_memory_usage, table_out1, "table out_bytes"),
    MAKES("ferrule_log_structured_data_parse", sd_parse, sd_parse, "text out_sd", 1, free_sd),
    RVOID("ferrule_sd_free", sd_free, sd_free, "sd?"),
    S("ferrule_sd_count", sd_count, sd_count, "sd out_count"),
    S("ferrule_sd_id", sd_id, sd_id, "sd out_id out_len"),
    S("ferrule_sd_param_count", sd_param_count, sd_param_count, "sd out_count"),
    S("ferrule_sd_param", sd_param, sd_param, "sd out_name out_name_len out_value out_value_len"),
};
enum { NSPECS = sizeof SPECS / sizeof SPECS[0] };

/* ------------------------------------------------------------------------------------------
 * Edits of the valid arguments, and checks of documented results. */

#define EDIT(name, body) \
    static void name(args *a) { body; }
#define RESULT(name, expr) \
    static int name(args *a) {         \
        (void)a;                        \
        return expr;                    \
    }

static const size_t HUGE_ROWS = (size_t)1 << 40; /* a terabyte of output, or more */
static const size_t OVERFLOW_BYTES = SIZE_MAX / 4 + 1; /* n elements of 4 or 8 bytes overflow size_t */

EDIT(n0_zero, a->n[0] = 0)
EDIT(n0_zero_null, a->n[0] = 0; a->p[0] = NULL; a->p[1] = NULL)
EDIT(n0_max, a->n[0] = SIZE_MAX)
EDIT(n0_overflow, a->n[0] = OVERFLOW_BYTES)
EDIT(n0_isize, a->n[0] = (size_t)PTRDIFF_MAX + 1)
EDIT(n1_max, a->n[1] = SIZE_MAX)
EDIT(u0_max, a->u[0] = UINT32_MAX)
EDIT(u1_max, a->u[1] = UINT32_MAX)
EDIT(u0_5, a->u[0] = 5)
EDIT(u1_2, a->u[1] = 2)
EDIT(p0_nan, a->p[0] = NANS(a))
EDIT(p1_nan, a->p[1] = NANS(a))
EDIT(p0_inf, a->p[0] = INFS(a))
EDIT(p0_zeros, a->p[0] = ZEROS(a))
EDIT(d_nan, a->d = NAN)
EDIT(d_inf, a->d = INFINITY)
EDIT(p0_text_null0, a->p[0] = NULL; a->n[0] = 0)
EDIT(text_bad_utf8, a->p[0] = "\xff\xfe\xc3"; a->n[0] = 3)
EDIT(text_nul, a->p[0] = "cos\0ine"; a->n[0] = 7)
EDIT(text_prefix, a->n[0] = a->n[0] - 1)
EDIT(name_upper, a->p[0] = "COSINE"; a->n[0] = 6)
RESULT(out_is_nan, isnan(val(a, 2, 0)))
RESULT(out1_is_nan, isnan(val(a, 1, 0)))
RESULT(out_is_zero, val(a, 2, 0) == 0)
RESULT(out1_is_zero, val(a, 1, 0) == 0)
RESULT(out_is_one, val(a, 2, 0) == 1)
RESULT(mean_is_nan, isnan(*(const double *)a->p[1]))
RESULT(arg_is_nanpos, *(const size_t *)a->p[1] == NANPOS)
RESULT(out1_is_inf, isinf(val(a, 1, 0)))
static int all_nan(const args *a, int i, size_t n) {
    for (size_t k = 0; k < n; k++) {
        if (!isnan(val(a, i, k))) return 0;
    }
    return 1;
}
RESULT(out1_all_nan, all_nan(a, 1, VN))
RESULT(out1_all_zero, val(a, 1, 0) == 0 && val(a, 1, VN - 1) == 0)
RESULT(nothing_written, scratch_untouched())

/* element-wise: in place, and overlaps other than exact aliasing */
EDIT(out_is_x, a->p[1] = a->p[0])
EDIT(out_is_a, a->p[2] = a->p[0])
EDIT(out_is_b, a->p[2] = a->p[1])
EDIT(out_is_c, a->p[3] = a->p[2])
EDIT(unary_overlap, a->p[1] = (const char *)a->p[0] + a->elem)
EDIT(binary_overlap_a, a->p[2] = (const char *)a->p[0] + a->elem)
EDIT(binary_overlap_b, a->p[2] = (const char *)a->p[1] - a->elem * 2)
EDIT(ternary_overlap, a->p[3] = (const char *)a->p[2] + a->elem * 3)
EDIT(unary_zero_null, a->n[0] = 0; a->p[0] = NULL; a->p[1] = NULL)
EDIT(binary_zero_null, a->n[0] = 0; a->p[0] = NULL; a->p[1] = NULL; a->p[2] = NULL)
EDIT(ternary_zero_null, a->n[0] = 0; a->p[0] = NULL; a->p[1] = NULL; a->p[2] = NULL; a->p[3] = NULL)
EDIT(single_zero_null, a->n[0] = 0; a->p[0] = NULL)
EDIT(normalize_nan, a->p[0] = NANS(a))
EDIT(normalize_zero, a->p[0] = ZEROS(a))
static int x_scaled_in_place(args *a) {
    /* in.x was scaled in place by -1.5: compare with the pristine copy. */
    for (size_t k = 0; k < VN; k++) {
        double want = a->elem == 4 ? (double)((float)(pristine.x32[k] * -1.5f)) : pristine.x64[k] * -1.5;
        if (val(a, 0, k) != want) return 0;
    }
    return 1;
}

/* batches */
EDIT(opt_precision, a->p[a->opt] = &VOPT_PRECISION)
EDIT(opt_threads, a->p[a->opt] = &VOPT_THREADS)
EDIT(opt_threads_max, a->p[a->opt] = &VOPT_THREADS_MAX)
EDIT(o2m_stride_small, a->n[2] = VD - 1)
EDIT(o2m_capacity_small, a->n[3] = MR - 1)
EDIT(o2m_out_null_zero, a->p[3] = NULL; a->n[3] = 0)
EDIT(o2m_zero_rows, a->n[1] = 0; a->p[1] = NULL; a->p[3] = NULL; a->n[3] = 0)
EDIT(o2m_zero_dim, a->n[0] = 0; a->p[0] = NULL)
EDIT(o2m_huge_rows, a->n[0] = 0; a->p[0] = NULL; a->p[1] = NULL; a->n[1] = HUGE_ROWS; a->n[2] = 0)
EDIT(o2m_span_overflow, a->n[0] = 1; a->n[1] = SIZE_MAX / 2; a->n[2] = 4)
EDIT(o2m_out_overlaps, a->p[3] = (const char *)a->p[1] + a->elem)
EDIT(o2m_nan, a->p[1] = MNAN(a))
RESULT(o2m_nan_row, isnan(val(a, 3, NANROW)) && !isnan(val(a, 3, 0)))
EDIT(cd_stride_small, a->n[3] = VD - 1)
EDIT(cd_capacity_small, a->n[5] = MR * MR - 1)
EDIT(cd_wrap_zero, a->p[0] = a->p[1] = NULL; a->n[4] = 0; a->n[1] = a->n[3] = 0; a->n[0] = (size_t)1 << 32;
     a->n[2] = (size_t)1 << 32; a->n[5] = 4)
EDIT(cd_wrap_small, a->p[0] = a->p[1] = NULL; a->n[4] = 0; a->n[1] = a->n[3] = 0; a->n[0] = ((size_t)1 << 63) + 1;
     a->n[2] = 2; a->n[5] = 4) /* (2^63 + 1) * 2 wraps to 2 */
EDIT(cd_huge, a->p[0] = a->p[1] = NULL; a->n[4] = 0; a->n[1] = a->n[3] = 0; a->n[0] = HUGE_ROWS; a->n[2] = 2;
     a->n[5] = 4)
EDIT(cd_out_overlaps, a->p[3] = a->p[0])
EDIT(cd_zero_rows, a->n[0] = 0; a->p[0] = NULL; a->p[3] = NULL; a->n[5] = 0)
EDIT(cd_nan, a->p[1] = MNAN(a))
RESULT(cd_nan_column, isnan(val(a, 3, NANROW)) && isnan(val(a, 3, MR + NANROW)) && !isnan(val(a, 3, 0)))
EDIT(tk_k_too_big, a->n[5] = MR + 1)
EDIT(tk_k_max, a->n[5] = SIZE_MAX)
EDIT(tk_k_zero, a->n[5] = 0)
EDIT(tk_capacity_small, a->n[6] = 5)
EDIT(tk_stride_small, a->n[1] = VD - 1)
EDIT(tk_db_stride_small, a->n[3] = 0)
EDIT(tk_same_outputs, a->p[4] = a->p[3])
EDIT(tk_out_overlaps_input, a->p[4] = a->p[1])
EDIT(tk_wrap, a->p[0] = a->p[1] = NULL; a->n[4] = 0; a->n[1] = a->n[3] = 0; a->n[0] = (size_t)1 << 33;
     a->n[2] = (size_t)1 << 31; a->n[5] = (size_t)1 << 31; a->n[6] = 6) /* 2^33 * 2^31 wraps to 0 */
EDIT(tk_huge, a->p[0] = a->p[1] = NULL; a->n[4] = 0; a->n[1] = a->n[3] = 0; a->n[0] = 1; a->n[2] = HUGE_ROWS;
     a->n[5] = HUGE_ROWS; a->n[6] = 6)
EDIT(tk_zero_queries, a->n[0] = 0; a->p[0] = NULL; a->p[3] = NULL; a->p[4] = NULL; a->n[6] = 0)
EDIT(tk_no_database, a->n[2] = 0; a->p[1] = NULL; a->n[5] = 0)
EDIT(tk_nan, a->p[1] = MNAN(a); a->n[5] = MR; a->n[6] = 2 * MR; a->p[3] = out_buf(2 * MR * sizeof(size_t));
     a->p[4] = out_buf(2 * MR * 8); a->u[0] = FERRULE_METRIC_SQEUCLIDEAN)
RESULT(tk_nan_last, ((const size_t *)a->p[3])[MR - 1] == NANROW && ((const size_t *)a->p[3])[2 * MR - 1] == NANROW &&
                        isnan(val(a, 4, MR - 1)))

/* pool */
EDIT(intern_null0, a->p[1] = NULL; a->n[0] = 0)
EDIT(intern_bad_utf8, a->p[1] = "\xff\xfe\x00\x80"; a->n[0] = 4)
RESULT(resolves_empty_value, *(const uint32_t *)a->p[2] == 0)
static int get_not_found(args *a) {
    /* found = false, and the id left alone */
    return *(const bool *)a->p[2] == false && *(const uint32_t *)a->p[3] == 0xA5A5A5A5u;
}
EDIT(get_missing, a->p[1] = "PUT"; a->n[0] = 3)
EDIT(get_prefix, a->p[1] = "POS"; a->n[0] = 3)
EDIT(get_null0, a->p[1] = NULL; a->n[0] = 0)
RESULT(get_found_empty, *(const bool *)a->p[2] == true && *(const uint32_t *)a->p[3] == 2)
EDIT(resolve_len, a->u[0] = 3)
EDIT(resolve_empty, a->u[0] = 2)
RESULT(resolved_empty, *(const void *const *)a->p[1] != NULL && *(const size_t *)a->p[2] == 0)
EDIT(many_decreasing32, a->p[2] = in.off32_desc)
EDIT(many_negative32, a->p[2] = in.off32_neg)
EDIT(many_decreasing64, a->p[2] = in.off64_desc)
EDIT(many_negative64, a->p[2] = in.off64_neg)
EDIT(many_zero_null, a->n[0] = 0; a->p[1] = NULL; a->p[3] = NULL)
EDIT(many_empty_values, a->p[1] = NULL; a->p[2] = in.off32_zero)
EDIT(many_offsets_null0, a->n[0] = 0; a->p[2] = NULL)
EDIT(many_n_max, a->n[0] = SIZE_MAX)
EDIT(many_n_half, a->n[0] = SIZE_MAX / 2)
EDIT(lines_count_only, a->p[2] = NULL; a->n[1] = 0)
static int counted_only(args *a) {
    size_t len = 9;
    return *(const size_t *)a->p[3] == 4 && ferrule_pool_len(a->p[0], &len) == FERRULE_STATUS_OK && len == 0;
}
EDIT(lines_small, a->n[1] = 3)
EDIT(lines_null_capacity, a->p[2] = NULL)
EDIT(lines_data_null0, a->p[1] = NULL; a->n[0] = 0)
RESULT(counted_zero, *(const size_t *)a->p[3] == 0)
EDIT(lines_capacity_overflow, a->n[1] = OVERFLOW_BYTES)
EDIT(lines_nul_separator, a->p[1] = "a\0b\0"; a->n[0] = 4; a->u[0] = 0)
RESULT(counted_two, *(const size_t *)a->p[3] == 2)
EDIT(serialize_query, a->p[1] = NULL; a->n[0] = 0)
RESULT(serialize_size, *(const size_t *)a->p[2] == in.pool_bytes_len)
EDIT(serialize_small, a->n[0] = in.pool_bytes_len - 1)
EDIT(serialize_null_len, a->p[1] = NULL; a->n[0] = 16)
EDIT(deser_null0, a->p[0] = NULL; a->n[0] = 0)
EDIT(deser_truncate, a->n[0] = (size_t)a->i)
EDIT(deser_flip, in.pool_bytes[a->i] ^= 0x40)
EDIT(deser_pad, in.pool_bytes[a->n[0]] = 0; a->n[0] += 1)
/* A header that lies, with a valid checksum: a huge count, or two equal values. */
static void restamp(uint8_t *b, size_t len) {
    uint64_t sum = pool_checksum(b, len - 8);
    for (int k = 0; k < 8; k++) b[len - 8 + (size_t)k] = (uint8_t)(sum >> (8 * k));
}
EDIT(deser_huge_count, uint8_t *b = in.pool_bytes; memset(b + 16, 0xff, 8); b[23] = 0;
     restamp(b, a->n[0]))
EDIT(deser_count_2g, uint8_t *b = in.pool_bytes; memset(b + 16, 0, 8); b[19] = 0x80; restamp(b, a->n[0]))
/* A well-formed image of the pool "ab", "ab": every field consistent, the checksum valid, but a
 * value twice (ids would not be unique). */
static void deser_duplicate(args *a) {
    uint8_t *b = in.pool_bytes;
    const uint32_t version_flags[2] = {1, 0}, offsets[3] = {0, 2, 4};
    const uint64_t count = 2, total = 4;
    size_t at = 0;
    memcpy(b + at, "FERPOOL", 8), at += 8; /* with its NUL */
    memcpy(b + at, version_flags, 8), at += 8;
    memcpy(b + at, &count, 8), at += 8;
    memcpy(b + at, &total, 8), at += 8;
    memcpy(b + at, offsets, sizeof offsets), at += sizeof offsets;
    memcpy(b + at, "abab", 4), at += 4;
    at += 8;
    restamp(b, at);
    a->n[0] = at;
}

/* names */
EDIT(x_zero, a->x = 0)
EDIT(x_two_bits, a->x = FERRULE_FEATURE_AVX2 | FERRULE_FEATURE_FMA)
EDIT(x_top_bit, a->x = (uint64_t)1 << 63)
EDIT(x_unknown_bit, a->x = (uint64_t)1 << 13)
EDIT(u0_12, a->u[0] = 12)
EDIT(u0_9, a->u[0] = 9)
EDIT(u0_2, a->u[0] = 2)

/* last error message */
EDIT(msg_query, a->p[0] = NULL; a->n[0] = 0)
EDIT(msg_len0, a->n[0] = 0)
EDIT(msg_len1, a->n[0] = 1)
RESULT(msg_len0_untouched, ((const unsigned char *)a->p[0])[0] == PATTERN && *(const size_t *)a->p[1] > 0)
RESULT(msg_len1_nul_only, ((const char *)a->p[0])[0] == '\0' && ((const unsigned char *)a->p[0])[1] == PATTERN)

/* formats */
EDIT(kind_4, a->u[0] = 4)
EDIT(kind_max, a->u[0] = UINT32_MAX)
EDIT(spec_bad_utf8, a->p[0] = "$remote_addr \xff$status"; a->n[0] = 19)
EDIT(spec_empty_preset, a->p[0] = NULL; a->n[0] = 0; a->u[0] = FERRULE_LOG_FORMAT_PRESET)
EDIT(spec_empty_nginx, a->p[0] = NULL; a->n[0] = 0)
EDIT(spec_unknown_preset, a->p[0] = "combined2"; a->n[0] = 9; a->u[0] = FERRULE_LOG_FORMAT_PRESET)
EDIT(spec_preset_nul, a->p[0] = "combined\0"; a->n[0] = 9; a->u[0] = FERRULE_LOG_FORMAT_PRESET)
EDIT(spec_nginx_dollar, a->p[0] = "$"; a->n[0] = 1)
EDIT(spec_nginx_adjacent, a->p[0] = "$remote_addr$status"; a->n[0] = 19)
EDIT(spec_apache_percent, a->p[0] = "%"; a->n[0] = 1; a->u[0] = FERRULE_LOG_FORMAT_APACHE)
EDIT(spec_apache_unknown, a->p[0] = "%h %{x"; a->n[0] = 6; a->u[0] = FERRULE_LOG_FORMAT_APACHE)
EDIT(spec_template_open, a->p[0] = "<Date> (<Level>"; a->n[0] = 15; a->u[0] = FERRULE_LOG_FORMAT_TEMPLATE)
EDIT(spec_template_empty_field, a->p[0] = "<> <Content>"; a->n[0] = 12; a->u[0] = FERRULE_LOG_FORMAT_TEMPLATE)
EDIT(spec_len_max, a->n[0] = SIZE_MAX)

/* parse options (p[a->opt]) */
static const ferrule_log_options LOPT_ON_ERROR = {.on_error = 3}, LOPT_THREADS = {.threads = 1025},
                                 LOPT_THREADS_MAX = {.threads = SIZE_MAX}, LOPT_UNESCAPE = {.unescape = 2},
                                 LOPT_STRICT = {.strict_utf8 = 2},
                                 LOPT_PLAIN_NULL = {.plain_columns = NULL, .plain_columns_len = 4},
                                 LOPT_PLAIN_UNKNOWN = {.plain_columns = (const uint8_t *)"path,nope",
                                                       .plain_columns_len = 9},
                                 LOPT_PLAIN_NOT_STRING = {.plain_columns = (const uint8_t *)"status",
                                                          .plain_columns_len = 6},
                                 LOPT_PLAIN_BAD_UTF8 = {.plain_columns = (const uint8_t *)"pa\xffth",
                                                        .plain_columns_len = 5},
                                 LOPT_YEAR_BIG = {.year = 10000}, LOPT_YEAR_NEG = {.year = -1},
                                 LOPT_YEAR_AND_REF = {.year = 2020, .has_reference_time = 1},
                                 LOPT_HAS_REF_2 = {.has_reference_time = 2},
                                 LOPT_REF_MAX = {.has_reference_time = 1, .reference_time_us = INT64_MAX},
                                 LOPT_REF_MIN = {.has_reference_time = 1, .reference_time_us = INT64_MIN},
                                 LOPT_OCTET = {.octet_counted = 1}, LOPT_OCTET_2 = {.octet_counted = 2},
                                 LOPT_FLATTEN = {.flatten = 1}, LOPT_FLATTEN_MAX = {.flatten = UINT32_MAX},
                                 LOPT_RAISE = {.on_error = FERRULE_ON_ERROR_RAISE},
                                 LOPT_SKIP = {.on_error = FERRULE_ON_ERROR_SKIP},
                                 LOPT_STRICT_ON = {.strict_utf8 = 1},
                                 LOPT_STRICT_RAISE = {.strict_utf8 = 1, .on_error = FERRULE_ON_ERROR_RAISE};
EDIT(lo_on_error, a->p[a->opt] = &LOPT_ON_ERROR)
EDIT(lo_threads, a->p[a->opt] = &LOPT_THREADS)
EDIT(lo_threads_max, a->p[a->opt] = &LOPT_THREADS_MAX)
EDIT(lo_unescape, a->p[a->opt] = &LOPT_UNESCAPE)
EDIT(lo_strict, a->p[a->opt] = &LOPT_STRICT)
EDIT(lo_plain_null, a->p[a->opt] = &LOPT_PLAIN_NULL)
EDIT(lo_plain_unknown, a->p[a->opt] = &LOPT_PLAIN_UNKNOWN)
EDIT(lo_plain_not_string, a->p[a->opt] = &LOPT_PLAIN_NOT_STRING)
EDIT(lo_plain_bad_utf8, a->p[a->opt] = &LOPT_PLAIN_BAD_UTF8)
EDIT(lo_year_big, a->p[a->opt] = &LOPT_YEAR_BIG)
EDIT(lo_year_neg, a->p[a->opt] = &LOPT_YEAR_NEG)
EDIT(lo_year_and_ref, a->p[a->opt] = &LOPT_YEAR_AND_REF)
EDIT(lo_has_ref_2, a->p[a->opt] = &LOPT_HAS_REF_2)
EDIT(lo_ref_max, a->p[a->opt] = &LOPT_REF_MAX)
EDIT(lo_ref_min, a->p[a->opt] = &LOPT_REF_MIN)
EDIT(lo_octet, a->p[a->opt] = &LOPT_OCTET)
EDIT(lo_octet_2, a->p[a->opt] = &LOPT_OCTET_2)
EDIT(lo_flatten, a->p[a->opt] = &LOPT_FLATTEN)
EDIT(lo_flatten_max, a->p[a->opt] = &LOPT_FLATTEN_MAX)

/* files */
static void set_path(args *a, const char *path) {
    a->p[0] = path;
    a->n[0] = strlen(path);
}
EDIT(path_missing, set_path(a, fx.missing))
EDIT(path_dir, set_path(a, fx.sub))
EDIT(path_unreadable, set_path(a, fx.unreadable))
EDIT(path_empty_file, set_path(a, fx.empty))
EDIT(path_gz, set_path(a, fx.gz))
EDIT(path_badcrc, set_path(a, fx.badcrc))
EDIT(path_latin1, set_path(a, fx.latin1))
EDIT(path_nul, a->p[0] = fx.with_nul; a->n[0] = fx.with_nul_len)
EDIT(path_null0, a->p[0] = NULL; a->n[0] = 0)
EDIT(path_len_max, a->n[0] = SIZE_MAX)
EDIT(path_prefix, a->n[0] = strlen(fx.small) - 1) /* ".../small.lo": missing */
/* gzip cut after i + 2 bytes (the magic bytes stay, so it is read as gzip). */
static void path_cut(args *a) {
    if (!write_file(fx.cut, fx.gz_data, (size_t)a->i + 2)) exit(2);
    set_path(a, fx.cut);
}
static void path_cut_half(args *a) {
    if (!write_file(fx.cut, fx.gz_data, fx.gz_len / 2)) exit(2);
    set_path(a, fx.cut);
}
/* A value of 2^31 bytes, one more than a pool holds: mapped, never written (zero pages). */
#define BIG_VALUE ((size_t)1 << 31)
static void unmap_big(void *p) { munmap(p, BIG_VALUE); }
static void intern_too_big(args *a) {
    int zero = open("/dev/zero", O_RDONLY);
    void *big = zero < 0 ? MAP_FAILED : mmap(NULL, BIG_VALUE, PROT_READ, MAP_PRIVATE, zero, 0);
    if (zero >= 0) close(zero);
    if (big == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    own(a, big, unmap_big);
    a->p[1] = big;
    a->n[0] = BIG_VALUE;
}
static int table_rows_are(args *a, int i, size_t rows) {
    size_t n = SIZE_MAX;
    const ferrule_log_table *table = *(ferrule_log_table *const *)a->p[i];
    return table != NULL && ferrule_log_table_num_rows(table, &n) == FERRULE_STATUS_OK && n == rows;
}
RESULT(small_rows, table_rows_are(a, 3, SMALL_ROWS))
RESULT(no_rows, table_rows_are(a, 3, 0))
static int error_rows(args *a, size_t want) {
    size_t n = SIZE_MAX;
    const ferrule_log_table *table = *(ferrule_log_table *const *)a->p[3];
    return table != NULL && ferrule_log_table_error_count(table, &n) == FERRULE_STATUS_OK && n == want;
}
RESULT(one_error_row, error_rows(a, 1))
/* A reader with batch_rows SIZE_MAX: one batch of everything (nothing sized by batch_rows). */
static int reads_in_one_batch(args *a) {
    ferrule_log_reader *reader = *(ferrule_log_reader *const *)a->p[3];
    ferrule_log_table *first = NULL, *second = (ferrule_log_table *)a;
    size_t rows = 0;
    int ok = ferrule_log_reader_next(reader, &first) == FERRULE_STATUS_OK && first != NULL &&
             ferrule_log_table_num_rows(first, &rows) == FERRULE_STATUS_OK && rows == SMALL_ROWS &&
             ferrule_log_reader_next(reader, &second) == FERRULE_STATUS_OK && second == NULL;
    ferrule_log_table_free(first);
    return ok;
}
/* A reader in batches of 2: every row, then NULL. */
static int reads_all(args *a) {
    ferrule_log_reader *reader = *(ferrule_log_reader *const *)a->p[3];
    size_t total = 0;
    for (int k = 0; k < 10; k++) {
        ferrule_log_table *batch = NULL;
        size_t rows = 0;
        if (ferrule_log_reader_next(reader, &batch) != FERRULE_STATUS_OK) return 0;
        if (batch == NULL) return total == SMALL_ROWS;
        int ok = ferrule_log_table_num_rows(batch, &rows) == FERRULE_STATUS_OK && rows <= 2;
        ferrule_log_table_free(batch);
        if (!ok) return 0;
        total += rows;
    }
    return 0;
}
EDIT(batch_rows_zero, a->n[1] = 0)
EDIT(batch_rows_max, a->n[1] = SIZE_MAX)
static int reader_fails_corrupt(args *a) {
    /* Opening a cut gzip file may succeed; reading it must fail, and keep failing. */
    ferrule_log_reader *reader = *(ferrule_log_reader *const *)a->p[3];
    ferrule_status first = FERRULE_STATUS_OK;
    for (int k = 0; k < 10 && first == FERRULE_STATUS_OK; k++) {
        ferrule_log_table *batch = NULL;
        first = ferrule_log_reader_next(reader, &batch);
        if (first == FERRULE_STATUS_OK && batch == NULL) break;
        ferrule_log_table_free(batch);
    }
    ferrule_log_table *again = (ferrule_log_table *)a;
    return first == FERRULE_STATUS_CORRUPT && ferrule_log_reader_next(reader, &again) == FERRULE_STATUS_CORRUPT &&
           again == (ferrule_log_table *)a;
}

/* data */
EDIT(data_null0, a->p[0] = NULL; a->n[0] = 0)
EDIT(data_len_max, a->n[0] = SIZE_MAX)
EDIT(data_bad_utf8, a->p[0] = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /\xff\xfe HTTP/1.0\" 200 1 \"-\" \"-\"\n";
     a->n[0] = strlen(a->p[0]))
EDIT(data_bad_utf8_strict, data_bad_utf8(a); a->p[a->opt] = &LOPT_STRICT_ON)
EDIT(data_bad_utf8_raise, data_bad_utf8(a); a->p[a->opt] = &LOPT_STRICT_RAISE)
EDIT(data_raise, a->p[a->opt] = &LOPT_RAISE)
EDIT(data_skip, a->p[a->opt] = &LOPT_SKIP)
EDIT(data_nul, a->p[0] = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /\0 HTTP/1.0\" 200 1 \"-\" \"-\"\n";
     a->n[0] = 71)
EDIT(data_only_newlines, a->p[0] = "\n\r\n\n"; a->n[0] = 4)
RESULT(skip_result, table_rows_are(a, 3, SMALL_ROWS - 1) && error_rows(a, 1))
static char long_line[300000];
static void data_long_line(args *a) {
    memset(long_line, 'a', sizeof long_line);
    a->p[0] = long_line;
    a->n[0] = sizeof long_line;
}

/* parsers */
static void parser_finished(args *a) {
    ferrule_log_parser *parser = a->p[0] != NULL ? P(0, ferrule_log_parser *) : new_parser(a, NULL);
    ferrule_log_table *table = NULL;
    if (ferrule_log_parser_finish(parser, &table) != FERRULE_STATUS_OK) exit(2);
    ferrule_log_table_free(table);
    a->p[0] = parser;
}
/* A raise-mode parser that met a bad line. */
static void parser_failed(args *a) {
    ferrule_log_parser *parser = new_parser(a, &LOPT_RAISE);
    if (ferrule_log_parser_push(parser, bytes(SMALL), strlen(SMALL)) != FERRULE_STATUS_PARSE) exit(2);
    a->p[0] = parser;
}
RESULT(rows_before_bad_line, *(ferrule_log_table *const *)a->p[1] != NULL && table_rows_are(a, 1, 2))
EDIT(push_null0, a->p[1] = NULL; a->n[0] = 0)
EDIT(push_len_max, a->n[0] = SIZE_MAX)
EDIT(push_half_utf8, a->p[1] = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /caf\xc3"; a->n[0] = 50)
static void reader_on_cut(args *a) {
    if (!write_file(fx.cut, fx.gz_data, fx.gz_len / 2)) exit(2);
    a->p[0] = new_reader(a, fx.cut, 2);
}
static void reader_on_badcrc(args *a) { a->p[0] = new_reader(a, fx.badcrc, 100); }
static void reader_at_end(args *a) {
    ferrule_log_table *table = NULL;
    if (ferrule_log_reader_next(P(0, ferrule_log_reader *), &table) != FERRULE_STATUS_OK) exit(2);
    ferrule_log_table_free(table);
    if (ferrule_log_reader_next(P(0, ferrule_log_reader *), &table) != FERRULE_STATUS_OK) exit(2);
    ferrule_log_table_free(table);
}
EDIT(reader_small_batch, a->p[0] = new_reader(a, fx.small, 100); reader_at_end(a))
RESULT(no_more_batches, *(ferrule_log_table *const *)a->p[1] == NULL)

/* tables */
EDIT(index_past, a->n[0] = 17)
EDIT(column_wrong_type, a->n[0] = fx.c_line) /* a uint64 column for a non-u64 accessor */
EDIT(column_wrong_type_u64, a->p[0] = fx.table; a->n[0] = fx.c_status)
EDIT(column_string_for_dict, a->n[0] = fx.c_path)
EDIT(column_dict_for_string, a->n[0] = fx.c_method)
EDIT(table_jsonl_bool_for_i64, a->p[0] = fx.jtable; a->n[0] = fx.c_b)
EDIT(name_unknown, a->p[1] = "stat"; a->n[0] = 4)
EDIT(name_bad_utf8, a->p[1] = "st\xff"; a->n[0] = 3)
EDIT(name_null0, a->p[1] = NULL; a->n[0] = 0)
EDIT(name_len_max, a->n[0] = SIZE_MAX)
EDIT(name_nul, a->p[1] = "status\0"; a->n[0] = 7)
EDIT(error_index_one, a->n[0] = 1)
RESULT(error_is_line3, *(const uint64_t *)a->p[1] == 3 && *(const size_t *)a->p[6] == 8)

/* structured data */
EDIT(sd_null0, a->p[0] = NULL; a->n[0] = 0)
EDIT(sd_nil, a->p[0] = "-"; a->n[0] = 1)
EDIT(sd_open, a->p[0] = "[a"; a->n[0] = 2)
EDIT(sd_unclosed_quote, a->p[0] = "[a k=\"v]"; a->n[0] = 8)
EDIT(sd_no_value, a->p[0] = "[a k]"; a->n[0] = 5)
EDIT(sd_trailing, a->p[0] = "[a] x"; a->n[0] = 5)
EDIT(sd_bad_utf8, a->p[0] = "[a k=\"\xff\xfe\"]"; a->n[0] = 10)
EDIT(sd_nul, a->p[0] = "[a k=\"\0\"]"; a->n[0] = 9)
EDIT(sd_len_max, a->n[0] = SIZE_MAX)
static int sd_count_is(args *a, size_t want) {
    size_t n = SIZE_MAX;
    return ferrule_sd_count(*(ferrule_sd *const *)a->p[1], &n) == FERRULE_STATUS_OK && n == want;
}
RESULT(sd_zero_elements, sd_count_is(a, 0))
static int sd_replacement(args *a) {
    const uint8_t *name = NULL, *value = NULL;
    size_t name_len = 0, value_len = 0;
    const ferrule_sd *sd = *(ferrule_sd *const *)a->p[1];
    return ferrule_sd_param(sd, 0, 0, &name, &name_len, &value, &value_len) == FERRULE_STATUS_OK &&
           value_len == 6 && memcmp(value, "\xef\xbf\xbd\xef\xbf\xbd", 6) == 0;
}
EDIT(sd_element_past, a->n[0] = 2)
EDIT(sd_param_past, a->n[1] = 2)
EDIT(sd_param_of_empty, a->n[0] = 1; a->n[1] = 0)

/* ------------------------------------------------------------------------------------------
 * The cases. `fn`: space-separated function names, a trailing '*' matching a prefix. */

#define STR_NULL ((const char *)1) /* the function must return NULL */
#define STR_ANY ((const char *)2)  /* any non-NULL string */

enum { SKIP_ROOT = 1, SKIP_VALGRIND = 2, SKIP_RLIMIT = 4 };
enum { REPS_POOL = -1, REPS_GZIP = -2 }; /* every length of the serialized pool, of the gzip file */

typedef struct {
    const char *fn;
    const char *what;
    void (*edit)(args *);
    ferrule_status want;
    ferrule_status also; /* a second accepted status where the header leaves the order of checks open */
    int (*result)(args *);
    const char *want_str;
    int reps;  /* > 0: run reps times with a->i = 0..reps-1; or a REPS_ value */
    int flags;
} case_spec;

#define OK FERRULE_STATUS_OK
#define INVALID FERRULE_STATUS_INVALID_ARGUMENT
#define MISMATCH FERRULE_STATUS_LENGTH_MISMATCH
#define UTF8 FERRULE_STATUS_INVALID_UTF8
#define PARSE FERRULE_STATUS_PARSE
#define CORRUPT FERRULE_STATUS_CORRUPT
#define IO FERRULE_STATUS_IO
#define NULLP FERRULE_STATUS_NULL_POINTER
#define OOR FERRULE_STATUS_OUT_OF_RANGE
#define CAPACITY FERRULE_STATUS_CAPACITY

#define PAIRS "ferrule_vec_dot_* ferrule_vec_sqeuclidean_* ferrule_vec_euclidean_* ferrule_vec_manhattan_* " \
              "ferrule_vec_cosine_* ferrule_vec_distance_*"
#define NOT_EMPTY "ferrule_vec_mean_* ferrule_vec_min_* ferrule_vec_max_* ferrule_vec_argm*"
#define ELEMENTWISE "ferrule_vec_scale_* ferrule_vec_add_* ferrule_vec_subtract_* ferrule_vec_multiply_* " \
                    "ferrule_vec_axpy_* ferrule_vec_fma_* ferrule_vec_normalize_*"
#define BATCHES "ferrule_vec_one_to_many_* ferrule_vec_cdist_* ferrule_vec_topk_*"
#define PARSES "ferrule_log_parse_file ferrule_log_parse_bytes ferrule_log_parser_new ferrule_log_reader_open"
#define WHOLE_PARSES "ferrule_log_parse_file ferrule_log_parse_bytes"
#define FILES "ferrule_log_parse_file ferrule_log_reader_open"
#define INDEXED "ferrule_log_table_column_name ferrule_log_table_column_type ferrule_log_table_column_u64 " \
                "ferrule_log_table_column_u16 ferrule_log_table_column_i16 ferrule_log_table_column_i64 "  \
                "ferrule_log_table_column_f64 ferrule_log_table_column_timestamp ferrule_log_table_column_bool " \
                "ferrule_log_table_validity ferrule_log_table_column_strings ferrule_log_table_column_codes " \
                "ferrule_log_table_dictionary ferrule_log_table_dictionary_pool ferrule_log_table_error"
#define NOT_U64 "ferrule_log_table_column_u16 ferrule_log_table_column_i16 ferrule_log_table_column_timestamp " \
                "ferrule_log_table_column_strings ferrule_log_table_column_codes ferrule_log_table_dictionary " \
                "ferrule_log_table_dictionary_pool"

static const case_spec CASES[] = {
    /* general */
    {"ferrule_last_error_message", "a length query", msg_query, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_last_error_message", "len 0 writes nothing", msg_len0, OK, 0, msg_len0_untouched, NULL, 0, 0},
    {"ferrule_last_error_message", "len 1 writes the NUL only", msg_len1, OK, 0, msg_len1_nul_only, NULL, 0, 0},
    {"ferrule_feature_name", "0", x_zero, OK, 0, NULL, STR_NULL, 0, 0},
    {"ferrule_feature_name", "two flags", x_two_bits, OK, 0, NULL, STR_NULL, 0, 0},
    {"ferrule_feature_name", "bit 63", x_top_bit, OK, 0, NULL, STR_NULL, 0, 0},
    {"ferrule_feature_name", "an unknown bit", x_unknown_bit, OK, 0, NULL, STR_NULL, 0, 0},
    {"ferrule_status_str", "UINT32_MAX", u0_max, OK, 0, NULL, "FERRULE_UNKNOWN_STATUS", 0, 0},
    {"ferrule_status_str", "12", u0_12, OK, 0, NULL, "FERRULE_UNKNOWN_STATUS", 0, 0},
    {"ferrule_vec_metric_name", "5", u0_5, OK, 0, NULL, STR_NULL, 0, 0},
    {"ferrule_vec_metric_name ferrule_vec_precision_name ferrule_log_column_type_name", "UINT32_MAX", u0_max, OK, 0,
     NULL, STR_NULL, 0, 0},
    {"ferrule_vec_precision_name", "2", u0_2, OK, 0, NULL, STR_NULL, 0, 0},
    {"ferrule_log_column_type_name", "9", u0_9, OK, 0, NULL, STR_NULL, 0, 0},
    {"ferrule_vec_metric_parse ferrule_vec_precision_parse ferrule_log_on_error_parse", "NULL with length 0",
     p0_text_null0, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_metric_parse ferrule_vec_precision_parse ferrule_log_on_error_parse", "not UTF-8", text_bad_utf8,
     UTF8, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_metric_parse ferrule_vec_precision_parse ferrule_log_on_error_parse", "a prefix", text_prefix,
     INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_metric_parse", "a NUL inside", text_nul, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_metric_parse", "upper case", name_upper, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_metric_parse ferrule_vec_precision_parse ferrule_log_on_error_parse", "length SIZE_MAX", n0_max,
     INVALID, 0, NULL, NULL, 0, 0},

    /* pool */
    {"ferrule_pool_free ferrule_log_format_free ferrule_log_parser_free ferrule_log_reader_free "
     "ferrule_log_table_free ferrule_sd_free",
     "NULL", p0_text_null0, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern", "NULL with length 0: the empty value", intern_null0, OK, 0, resolves_empty_value, NULL, 0, 0},
    {"ferrule_pool_intern", "bytes that are not UTF-8, with a NUL", intern_bad_utf8, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern ferrule_pool_get", "length SIZE_MAX", n0_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern ferrule_pool_get", "length past isize", n0_isize, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern", "a value of 2^31 bytes (more than a pool holds)", intern_too_big, CAPACITY, 0, NULL, NULL,
     0, SKIP_VALGRIND | SKIP_RLIMIT},
    {"ferrule_pool_get", "a missing value: found = false, id untouched", get_missing, OK, 0, get_not_found, NULL, 0, 0},
    {"ferrule_pool_get", "a prefix of a value", get_prefix, OK, 0, get_not_found, NULL, 0, 0},
    {"ferrule_pool_get", "NULL with length 0: the empty value", get_null0, OK, 0, get_found_empty, NULL, 0, 0},
    {"ferrule_pool_resolve", "the id past the last", resolve_len, OOR, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_resolve", "id UINT32_MAX", u0_max, OOR, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_resolve", "the empty value: a non-NULL pointer", resolve_empty, OK, 0, resolved_empty, NULL, 0, 0},
    {"ferrule_pool_intern_many", "decreasing offsets", many_decreasing32, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_many", "a negative offset", many_negative32, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_many_large", "decreasing offsets", many_decreasing64, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_many_large", "a negative offset", many_negative64, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_many*", "n 0 with NULL values and ids", many_zero_null, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_many", "NULL values when the offsets span 0 bytes", many_empty_values, OK, 0, NULL, NULL,
     0, 0},
    {"ferrule_pool_intern_many*", "NULL offsets with n 0", many_offsets_null0, NULLP, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_many*", "n SIZE_MAX (n + 1 offsets overflow)", many_n_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_many*", "n SIZE_MAX / 2", many_n_half, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_lines", "NULL ids with capacity 0: counts only", lines_count_only, OK, 0, counted_only, NULL,
     0, 0},
    {"ferrule_pool_intern_lines", "capacity too small", lines_small, MISMATCH, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_lines", "NULL ids with a capacity", lines_null_capacity, NULLP, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_lines", "NULL data with length 0", lines_data_null0, OK, 0, counted_zero, NULL, 0, 0},
    {"ferrule_pool_intern_lines", "a capacity whose bytes overflow", lines_capacity_overflow, INVALID, 0, NULL, NULL,
     0, 0},
    {"ferrule_pool_intern_lines", "length SIZE_MAX", n0_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_intern_lines", "NUL as the separator", lines_nul_separator, OK, 0, counted_two, NULL, 0, 0},
    {"ferrule_pool_serialize", "a size query", serialize_query, OK, 0, serialize_size, NULL, 0, 0},
    {"ferrule_pool_serialize", "a buffer one byte short", serialize_small, MISMATCH, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_serialize", "NULL buffer with a length", serialize_null_len, NULLP, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_deserialize", "NULL with length 0", deser_null0, CORRUPT, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_deserialize", "cut at every length", deser_truncate, CORRUPT, 0, NULL, NULL, REPS_POOL, 0},
    {"ferrule_pool_deserialize", "every byte damaged", deser_flip, CORRUPT, 0, NULL, NULL, REPS_POOL, 0},
    {"ferrule_pool_deserialize", "one byte of padding", deser_pad, CORRUPT, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_deserialize", "a count of 2^56 with a valid checksum", deser_huge_count, CORRUPT, 0, NULL, NULL, 0,
     0},
    {"ferrule_pool_deserialize", "a count of 2^31 with a valid checksum", deser_count_2g, CORRUPT, 0, NULL, NULL, 0, 0},
    {"ferrule_pool_deserialize", "two equal values with a valid checksum", deser_duplicate, CORRUPT, 0, NULL, NULL, 0,
     0},

    /* vector: one pair, one vector */
    {PAIRS " ferrule_vec_norm_* ferrule_vec_sum_*", "n 0", n0_zero, OK, 0, NULL, NULL, 0, 0},
    {PAIRS, "n 0 with NULL inputs", n0_zero_null, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_dot_* ferrule_vec_sqeuclidean_* ferrule_vec_euclidean_* ferrule_vec_manhattan_* "
     "ferrule_vec_cosine_similarity_*",
     "n 0: 0", n0_zero, OK, 0, out_is_zero, NULL, 0, 0},
    {"ferrule_vec_cosine_distance_*", "n 0: 1 (zero vectors)", n0_zero, OK, 0, out_is_one, NULL, 0, 0},
    {"ferrule_vec_norm_* ferrule_vec_sum_*", "n 0 with NULL: 0", single_zero_null, OK, 0, out1_is_zero, NULL, 0, 0},
    {PAIRS " ferrule_vec_norm_* ferrule_vec_sum_* " NOT_EMPTY, "n SIZE_MAX", n0_max, INVALID, 0, NULL, NULL, 0, 0},
    {PAIRS " ferrule_vec_norm_* ferrule_vec_sum_* " NOT_EMPTY, "n whose bytes overflow size_t", n0_overflow, INVALID,
     0, NULL, NULL, 0, 0},
    {PAIRS " ferrule_vec_norm_* ferrule_vec_sum_* " NOT_EMPTY, "n past isize", n0_isize, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_dot_* ferrule_vec_sqeuclidean_* ferrule_vec_euclidean_* ferrule_vec_manhattan_*",
     "NaN in a: NaN", p0_nan, OK, 0, out_is_nan, NULL, 0, 0},
    {"ferrule_vec_dot_* ferrule_vec_sqeuclidean_* ferrule_vec_manhattan_*", "NaN in b: NaN", p1_nan, OK, 0,
     out_is_nan, NULL, 0, 0},
    {"ferrule_vec_cosine_* ferrule_vec_distance_*", "NaN in a", p0_nan, OK, 0, NULL, NULL, 0, 0},
    {PAIRS, "infinity in a", p0_inf, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_cosine_similarity_*", "a zero vector: 0", p0_zeros, OK, 0, out_is_zero, NULL, 0, 0},
    {"ferrule_vec_cosine_distance_*", "a zero vector: 1", p0_zeros, OK, 0, out_is_one, NULL, 0, 0},
    {"ferrule_vec_distance_*", "metric 5", u0_5, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_distance_*", "metric UINT32_MAX", u0_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_distance_* ferrule_vec_sum_*", "precision 2", u1_2, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_distance_* ferrule_vec_sum_*", "precision UINT32_MAX", u1_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_norm_* ferrule_vec_sum_* ferrule_vec_min_* ferrule_vec_max_*", "NaN: NaN", p0_nan, OK, 0,
     out1_is_nan, NULL, 0, 0},
    {"ferrule_vec_mean_*", "NaN: NaN", p0_nan, OK, 0, mean_is_nan, NULL, 0, 0},
    {"ferrule_vec_argm*", "NaN: the index of the NaN", p0_nan, OK, 0, arg_is_nanpos, NULL, 0, 0},
    {"ferrule_vec_norm_* ferrule_vec_max_*", "infinity: infinity", p0_inf, OK, 0, out1_is_inf, NULL, 0, 0},
    {NOT_EMPTY, "n 0", n0_zero, INVALID, 0, NULL, NULL, 0, 0},
    {NOT_EMPTY, "n 0 with NULL", single_zero_null, INVALID, 0, NULL, NULL, 0, 0},

    /* vector: element-wise */
    {ELEMENTWISE, "n SIZE_MAX", n0_max, INVALID, 0, NULL, NULL, 0, 0},
    {ELEMENTWISE, "n whose bytes overflow size_t", n0_overflow, INVALID, 0, NULL, NULL, 0, 0},
    {ELEMENTWISE, "n 0", n0_zero, OK, 0, nothing_written, NULL, 0, 0},
    {"ferrule_vec_scale_* ferrule_vec_normalize_*", "n 0 with NULL", unary_zero_null, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_add_* ferrule_vec_subtract_* ferrule_vec_multiply_* ferrule_vec_axpy_*", "n 0 with NULL",
     binary_zero_null, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_fma_*", "n 0 with NULL", ternary_zero_null, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_scale_*", "in place", out_is_x, OK, 0, x_scaled_in_place, NULL, 0, 0},
    {"ferrule_vec_normalize_*", "in place", out_is_x, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_add_* ferrule_vec_subtract_* ferrule_vec_multiply_* ferrule_vec_axpy_* ferrule_vec_fma_*",
     "out = the first input", out_is_a, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_add_* ferrule_vec_subtract_* ferrule_vec_multiply_* ferrule_vec_axpy_* ferrule_vec_fma_*",
     "out = the second input", out_is_b, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_fma_*", "out = c", out_is_c, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_scale_* ferrule_vec_normalize_*", "out overlaps x by all but one", unary_overlap, INVALID, 0, NULL,
     NULL, 0, 0},
    {"ferrule_vec_add_* ferrule_vec_subtract_* ferrule_vec_multiply_* ferrule_vec_axpy_*",
     "out starts inside the first input", binary_overlap_a, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_add_* ferrule_vec_subtract_* ferrule_vec_multiply_* ferrule_vec_axpy_*",
     "out ends inside the second input", binary_overlap_b, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_fma_*", "out starts inside c", ternary_overlap, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_scale_*", "alpha NaN: NaN everywhere", d_nan, OK, 0, out1_all_nan, NULL, 0, 0},
    {"ferrule_vec_scale_* ferrule_vec_axpy_*", "alpha infinite", d_inf, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_normalize_*", "NaN: NaN everywhere", normalize_nan, OK, 0, out1_all_nan, NULL, 0, 0},
    {"ferrule_vec_normalize_*", "a zero vector stays zero", normalize_zero, OK, 0, out1_all_zero, NULL, 0, 0},
    {"ferrule_vec_add_* ferrule_vec_fma_*", "NaN in a", p0_nan, OK, 0, NULL, NULL, 0, 0},

    /* vector: batches */
    {BATCHES, "options precision 2", opt_precision, INVALID, 0, NULL, NULL, 0, 0},
    {BATCHES, "options threads 1025", opt_threads, INVALID, 0, NULL, NULL, 0, 0},
    {BATCHES, "options threads SIZE_MAX", opt_threads_max, INVALID, 0, NULL, NULL, 0, 0},
    {BATCHES, "metric 5", u0_5, INVALID, 0, NULL, NULL, 0, 0},
    {BATCHES, "metric UINT32_MAX", u0_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_one_to_many_*", "stride below dim", o2m_stride_small, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_one_to_many_*", "capacity one short", o2m_capacity_small, MISMATCH, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_one_to_many_*", "NULL out with capacity 0 and rows to write", o2m_out_null_zero, MISMATCH, 0, NULL,
     NULL, 0, 0},
    {"ferrule_vec_one_to_many_*", "0 rows, everything NULL", o2m_zero_rows, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_one_to_many_*", "dim 0 with NULL query", o2m_zero_dim, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_one_to_many_*", "2^40 rows of dim 0 (terabytes of output)", o2m_huge_rows, MISMATCH, 0, NULL, NULL,
     0, 0},
    {"ferrule_vec_one_to_many_*", "a matrix span that overflows", o2m_span_overflow, INVALID, MISMATCH, NULL, NULL, 0,
     0},
    {"ferrule_vec_one_to_many_*", "out overlaps the matrix", o2m_out_overlaps, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_one_to_many_*", "NaN in a row: NaN for that row", o2m_nan, OK, 0, o2m_nan_row, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "b stride below dim", cd_stride_small, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "capacity one short", cd_capacity_small, MISMATCH, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "2^32 x 2^32 outputs (wraps to 0)", cd_wrap_zero, INVALID, MISMATCH, NULL, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "(2^63 + 1) x 2 outputs (wraps to 2)", cd_wrap_small, INVALID, MISMATCH, NULL, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "2^41 outputs", cd_huge, MISMATCH, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "out overlaps a", cd_out_overlaps, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "a without rows", cd_zero_rows, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_cdist_*", "NaN in b: NaN in its column", cd_nan, OK, 0, cd_nan_column, NULL, 0, 0},
    {"ferrule_vec_topk_*", "k past the rows", tk_k_too_big, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "k SIZE_MAX", tk_k_max, INVALID, MISMATCH, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "k 0: nothing written", tk_k_zero, OK, 0, nothing_written, NULL, 0, 0},
    {"ferrule_vec_topk_*", "capacity one short", tk_capacity_small, MISMATCH, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "queries stride below dim", tk_stride_small, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "database stride 0", tk_db_stride_small, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "the two outputs at one address", tk_same_outputs, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "distances over the database", tk_out_overlaps_input, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "2^33 queries x k 2^31 (wraps to 0)", tk_wrap, INVALID, MISMATCH, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "k 2^40 of 2^40 rows of dim 0", tk_huge, MISMATCH, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "no queries, NULL outputs", tk_zero_queries, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "an empty database with k 0", tk_no_database, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_vec_topk_*", "NaN in a row: ranked last", tk_nan, OK, 0, tk_nan_last, NULL, 0, 0},

    /* logs: formats */
    {"ferrule_log_format_parse", "kind 4", kind_4, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "kind UINT32_MAX", kind_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "not UTF-8", spec_bad_utf8, UTF8, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "an empty preset name (NULL, 0)", spec_empty_preset, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "an empty nginx format (NULL, 0)", spec_empty_nginx, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "an unknown preset", spec_unknown_preset, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "a preset name with a NUL", spec_preset_nul, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "nginx: a lone $", spec_nginx_dollar, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "nginx: two fields with nothing between", spec_nginx_adjacent, PARSE, 0, NULL, NULL,
     0, 0},
    {"ferrule_log_format_parse", "apache: a lone %", spec_apache_percent, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "apache: an unclosed %{", spec_apache_unknown, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "template: an unclosed group", spec_template_open, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_format_parse", "template: an empty field name", spec_template_empty_field, PARSE, 0, NULL, NULL, 0,
     0},
    {"ferrule_log_format_parse", "length SIZE_MAX", spec_len_max, INVALID, 0, NULL, NULL, 0, 0},

    /* logs: options of every parse */
    {PARSES, "on_error 3", lo_on_error, INVALID, 0, NULL, NULL, 0, 0},
    {WHOLE_PARSES, "threads 1025", lo_threads, INVALID, 0, NULL, NULL, 0, 0},
    {WHOLE_PARSES, "threads SIZE_MAX", lo_threads_max, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "unescape 2", lo_unescape, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "strict_utf8 2", lo_strict, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "plain_columns NULL with a length", lo_plain_null, NULLP, 0, NULL, NULL, 0, 0},
    {PARSES, "plain_columns naming no column", lo_plain_unknown, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "plain_columns naming a uint16 column", lo_plain_not_string, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "plain_columns not UTF-8", lo_plain_bad_utf8, INVALID, UTF8, NULL, NULL, 0, 0},
    {PARSES, "year 10000", lo_year_big, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "year -1", lo_year_neg, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "a year and a reference time", lo_year_and_ref, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "has_reference_time 2", lo_has_ref_2, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "reference time INT64_MAX", lo_ref_max, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "reference time INT64_MIN", lo_ref_min, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "octet_counted with combined", lo_octet, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "octet_counted 2", lo_octet_2, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "flatten with combined", lo_flatten, INVALID, 0, NULL, NULL, 0, 0},
    {PARSES, "flatten UINT32_MAX", lo_flatten_max, INVALID, 0, NULL, NULL, 0, 0},

    /* logs: files */
    {FILES, "a missing file", path_missing, IO, 0, NULL, NULL, 0, 0},
    {FILES, "a directory", path_dir, IO, 0, NULL, NULL, 0, 0},
    {FILES, "an unreadable file (chmod 000)", path_unreadable, IO, 0, NULL, NULL, 0, SKIP_ROOT},
    {FILES, "(NULL, 0): the empty path", path_null0, IO, 0, NULL, NULL, 0, 0},
    {FILES, "a path with a NUL byte", path_nul, IO, INVALID, NULL, NULL, 0, 0},
    {FILES, "a path cut short (the bytes after its length are not read)", path_prefix, IO, 0, NULL, NULL, 0, 0},
    {FILES, "path length SIZE_MAX", path_len_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parse_file", "a path that is not UTF-8", path_latin1, OK, 0, small_rows, NULL, 0, 0},
    {"ferrule_log_reader_open", "a path that is not UTF-8", path_latin1, OK, 0, reads_all, NULL, 0, 0},
    {"ferrule_log_parse_file", "an empty file", path_empty_file, OK, 0, no_rows, NULL, 0, 0},
    {"ferrule_log_parse_file", "gzip", path_gz, OK, 0, small_rows, NULL, 0, 0},
    {"ferrule_log_parse_file", "gzip cut at every length", path_cut, CORRUPT, 0, NULL, NULL, REPS_GZIP, 0},
    {"ferrule_log_parse_file", "gzip with a wrong CRC", path_badcrc, CORRUPT, 0, NULL, NULL, 0, 0},
    {"ferrule_log_reader_open", "gzip cut short: the reads fail", path_cut_half, OK, 0, reader_fails_corrupt, NULL, 0, 0},
    {"ferrule_log_reader_open", "batch_rows 0", batch_rows_zero, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_reader_open", "batch_rows SIZE_MAX", batch_rows_max, OK, 0, reads_in_one_batch, NULL, 0, 0},
    {"ferrule_log_reader_next", "a cut gzip file", reader_on_cut, CORRUPT, 0, NULL, NULL, 0, 0},
    {"ferrule_log_reader_next", "gzip with a wrong CRC", reader_on_badcrc, CORRUPT, 0, NULL, NULL, 0, 0},
    {"ferrule_log_reader_next", "after the end: NULL, again", reader_small_batch, OK, 0, no_more_batches, NULL, 0, 0},

    /* logs: data */
    {"ferrule_log_parse_bytes", "NULL with length 0", data_null0, OK, 0, no_rows, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "length SIZE_MAX", data_len_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "not UTF-8: parsed as bytes", data_bad_utf8, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "not UTF-8, strict: an error row", data_bad_utf8_strict, OK, 0, one_error_row, NULL,
     0, 0},
    {"ferrule_log_parse_bytes", "not UTF-8, strict, raise", data_bad_utf8_raise, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "raise at the bad line", data_raise, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "skip the bad line", data_skip, OK, 0, skip_result, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "a NUL byte in a line", data_nul, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "only line ends", data_only_newlines, OK, 0, no_rows, NULL, 0, 0},
    {"ferrule_log_parse_bytes", "one 300 kB line: an error row", data_long_line, OK, 0, one_error_row, NULL, 0, 0},
    {"ferrule_log_parser_push", "NULL with length 0", push_null0, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parser_push", "length SIZE_MAX", push_len_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parser_push", "a chunk ending inside a UTF-8 sequence", push_half_utf8, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parser_push ferrule_log_parser_take_batch ferrule_log_parser_finish", "after finish",
     parser_finished, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_parser_push ferrule_log_parser_finish", "after a raise failure", parser_failed, PARSE, 0, NULL, NULL,
     0, 0},
    {"ferrule_log_parser_take_batch", "after a raise failure: the rows before it", parser_failed, OK, 0,
     rows_before_bad_line, NULL, 0, 0},

    /* logs: tables */
    {INDEXED, "an index past the last column", index_past, OOR, 0, NULL, NULL, 0, 0},
    {INDEXED " ferrule_sd_id ferrule_sd_param_count ferrule_sd_param", "index SIZE_MAX", n0_max, OOR, 0, NULL,
     NULL, 0, 0},
    {NOT_U64, "a uint64 column", column_wrong_type, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_u64 ferrule_log_table_column_i64 ferrule_log_table_column_f64 "
     "ferrule_log_table_column_bool",
     "a uint16 column", column_wrong_type_u64, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_codes ferrule_log_table_dictionary ferrule_log_table_dictionary_pool",
     "a plain string column", column_string_for_dict, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_strings", "a dictionary column", column_dict_for_string, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_i64 ferrule_log_table_column_f64", "a bool column", table_jsonl_bool_for_i64, INVALID,
     0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_index", "no such column", name_unknown, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_index", "not UTF-8", name_bad_utf8, UTF8, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_index", "(NULL, 0): no column has an empty name", name_null0, INVALID, 0, NULL, NULL, 0,
     0},
    {"ferrule_log_table_column_index", "a name with a NUL", name_nul, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_column_index", "length SIZE_MAX", name_len_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_log_table_error", "the one failed line", n0_zero, OK, 0, error_is_line3, NULL, 0, 0},
    {"ferrule_log_table_error", "past the failed lines", error_index_one, OOR, 0, NULL, NULL, 0, 0},

    /* logs: structured data */
    {"ferrule_log_structured_data_parse", "(NULL, 0)", sd_null0, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "the nil value", sd_nil, OK, 0, sd_zero_elements, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "an unclosed [", sd_open, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "an unclosed quote", sd_unclosed_quote, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "a parameter without a value", sd_no_value, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "text after the elements", sd_trailing, PARSE, 0, NULL, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "not UTF-8: U+FFFD", sd_bad_utf8, OK, 0, sd_replacement, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "a NUL in a value", sd_nul, OK, 0, NULL, NULL, 0, 0},
    {"ferrule_log_structured_data_parse", "length SIZE_MAX", sd_len_max, INVALID, 0, NULL, NULL, 0, 0},
    {"ferrule_sd_id ferrule_sd_param_count ferrule_sd_param", "element past the last", sd_element_past, OOR, 0, NULL,
     NULL, 0, 0},
    {"ferrule_sd_param", "a parameter past the last", sd_param_past, OOR, 0, NULL, NULL, 0, 0},
    {"ferrule_sd_param", "parameter SIZE_MAX", n1_max, OOR, 0, NULL, NULL, 0, 0},
    {"ferrule_sd_param", "a parameter of an element without any", sd_param_of_empty, OOR, 0, NULL, NULL, 0, 0},
};
enum { NCASES = sizeof CASES / sizeof CASES[0] };

/* ------------------------------------------------------------------------------------------
 * Running the table. */

static int matches(const char *patterns, const char *name) {
    const char *p = patterns;
    while (*p) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (len == 0) break;
        if (p[len - 1] == '*' ? strncmp(p, name, len - 1) == 0 : (strlen(name) == len && strncmp(p, name, len) == 0))
            return 1;
        p += len;
    }
    return 0;
}

/* The k-th name of a spec's pointer list (without '?'); 0 when there is none. */
static int pointer_name(const char *list, int k, char *name, size_t size, int *nullable) {
    const char *p = list;
    for (int i = 0;; i++) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (len == 0) return 0;
        if (i == k) {
            *nullable = p[len - 1] == '?';
            if (*nullable) len--;
            snprintf(name, size, "%.*s", (int)len, p);
            return 1;
        }
        p += len;
    }
}

static const char MARKER[] = "bad-input-marker";

/* Makes this thread's last error a known message, so that a failure must replace it. */
static void set_marker(void) {
    ferrule_metric m;
    (void)ferrule_vec_metric_parse(bytes(MARKER), sizeof MARKER - 1, &m);
}

static int cases_run, cases_skipped;

/* Runs one call of `spec` with `edit` applied; returns 1 when everything holds. */
static int run_one(const fn_spec *spec, void (*edit)(args *), int rep, ferrule_status want, ferrule_status also,
                   int (*result)(args *), const char *want_str, const char *null_name, char *why, size_t why_size) {
    memset(scratch, PATTERN, sizeof scratch);
    scratch_used = 0;
    in = pristine;
    args a;
    memset(&a, 0, sizeof a);
    a.elem = spec->elem;
    a.opt = spec->opt;
    a.i = rep;
    spec->valid(&a);
    const void *made = a.p[0]; /* what a free function's valid call made, in case the edit drops it */
    if (edit) edit(&a);
    inputs before = in; /* edits may change inputs on purpose (damaged data) */
    set_marker();
    ferrule_status status = spec->call(&a);
    int ok = 1;
    why[0] = '\0';
    if (spec->ret == RET_STRING) {
        if (want_str == STR_NULL) {
            ok = a.str == NULL;
        } else if (want_str == STR_ANY || want_str == NULL) {
            ok = a.str != NULL;
        } else {
            ok = a.str != NULL && strcmp(a.str, want_str) == 0;
        }
        if (!ok) snprintf(why, why_size, "returned %s", a.str ? a.str : "NULL");
    } else if (spec->ret == RET_STATUS) {
        if (status != want && !(also != 0 && status == also)) {
            ok = 0;
            snprintf(why, why_size, "status %s, expected %s (%s)", ferrule_status_str(status), ferrule_status_str(want),
                     status != FERRULE_STATUS_OK ? last_error() : "no message");
        } else if (status != FERRULE_STATUS_OK) {
            const char *message = last_error();
            if (!scratch_untouched()) {
                ok = 0;
                snprintf(why, why_size, "an output was written on failure");
            } else if (memcmp(&in, &before, sizeof in) != 0) {
                ok = 0;
                snprintf(why, why_size, "an input was written on failure");
            } else if (spec->keeps_message ? strstr(message, MARKER) == NULL
                                           : message[0] == '\0' || strstr(message, MARKER) != NULL) {
                ok = 0;
                snprintf(why, why_size, "the last error message was not set: \"%s\"", message);
            } else if (null_name != NULL && !spec->keeps_message) {
                char quoted[80];
                snprintf(quoted, sizeof quoted, "`%s`", null_name);
                if (strstr(message, quoted) == NULL) {
                    ok = 0;
                    snprintf(why, why_size, "the message does not name %s: \"%s\"", quoted, message);
                }
            }
        } else if (result != NULL && !result(&a)) {
            ok = 0;
            snprintf(why, why_size, "succeeded with a wrong result");
        }
    }
    /* Objects the call made, then those the case made. */
    if (status == FERRULE_STATUS_OK && spec->out >= 0 && a.p[spec->out] != NULL &&
        (const unsigned char *)a.p[spec->out] >= scratch && (const unsigned char *)a.p[spec->out] < scratch + SCRATCH) {
        void *object = *(void *const *)a.p[spec->out];
        if (object != NULL) spec->out_free(object);
    }
    if (spec->ret == RET_VOID && made != NULL && made != a.p[0]) {
        a.p[0] = made;
        spec->call(&a);
    }
    for (int k = a.nown - 1; k >= 0; k--) a.own_free[k](a.own[k]);
    return ok;
}


static void report(const fn_spec *spec, const char *what, int ok, int rep, const char *why) {
    CHECK(ok);
    cases_run++;
    if (ok) return;
    if (rep >= 0) {
        fprintf(stderr, "  %s: %s (repetition %d): %s\n", spec->name, what, rep, why);
    } else {
        fprintf(stderr, "  %s: %s: %s\n", spec->name, what, why);
    }
}

static int null_index;
static void set_null(args *a) { a->p[null_index] = NULL; }

static void run_table(void) {
    char why[600], what[128];
    for (int s = 0; s < NSPECS; s++) {
        const fn_spec *spec = &SPECS[s];
        /* The valid call succeeds and writes its outputs (the scratch area keeps them). */
        int ok = run_one(spec, NULL, 0, spec->valid_status, 0, NULL, STR_ANY, NULL, why, sizeof why);
        int writes = strstr(spec->pointers, "out") != NULL || strstr(spec->pointers, "buf") != NULL;
        if (ok && spec->ret == RET_STATUS && spec->valid_status == FERRULE_STATUS_OK && writes && scratch_untouched()) {
            ok = 0;
            snprintf(why, sizeof why, "the valid call wrote no output");
        }
        report(spec, "a valid call", ok, -1, why);
        /* Each pointer argument NULL: NULL_POINTER naming it, or the documented default. */
        char name[64];
        int nullable = 0;
        for (int k = 0; pointer_name(spec->pointers, k, name, sizeof name, &nullable); k++) {
            null_index = k;
            ok = run_one(spec, set_null, 0, nullable ? FERRULE_STATUS_OK : FERRULE_STATUS_NULL_POINTER, 0, NULL, STR_ANY,
                         nullable ? NULL : name, why, sizeof why);
            snprintf(what, sizeof what, "%s NULL", name);
            report(spec, what, ok, -1, why);
        }
    }
    for (int c = 0; c < NCASES; c++) {
        const case_spec *cs = &CASES[c];
        int matched = 0;
        for (int s = 0; s < NSPECS; s++) {
            const fn_spec *spec = &SPECS[s];
            if (!matches(cs->fn, spec->name)) continue;
            matched++;
            if (((cs->flags & SKIP_ROOT) && geteuid() == 0) || ((cs->flags & SKIP_VALGRIND) && under_valgrind()) ||
                ((cs->flags & SKIP_RLIMIT) && fx.rlimited)) {
                cases_skipped++;
                continue;
            }
            int reps = cs->reps == REPS_POOL ? (int)pristine.pool_bytes_len
                       : cs->reps == REPS_GZIP ? (int)fx.gz_len - 2
                       : cs->reps > 0 ? cs->reps
                                      : 1;
            int all_ok = 1, failed_rep = -1;
            char first_why[600] = "";
            for (int r = 0; r < reps; r++) {
                int ok = run_one(spec, cs->edit, r, cs->want, cs->also, cs->result, cs->want_str,
                                 NULL, why, sizeof why);
                if (!ok && all_ok) {
                    all_ok = 0;
                    failed_rep = reps > 1 ? r : -1;
                    snprintf(first_why, sizeof first_why, "%s", why);
                }
            }
            report(spec, cs->what, all_ok, failed_rep, first_why);
        }
        if (matched == 0) fprintf(stderr, "  case \"%s\" matches no function: %s\n", cs->what, cs->fn);
        CHECK(matched > 0);
    }
}

/* ------------------------------------------------------------------------------------------
 * Completeness: every function of the header has a row, with the header's pointer parameters. */

static char *read_all(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    while (buf != NULL) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) break;
        char *grown = realloc(buf, cap * 2 + 1);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    if (buf != NULL) buf[len] = '\0';
    *out_len = len;
    return buf;
}

static const fn_spec *spec_named(const char *name) {
    for (int s = 0; s < NSPECS; s++) {
        if (strcmp(SPECS[s].name, name) == 0) return &SPECS[s];
    }
    return NULL;
}

/* The header's pointer parameters of a declaration "(...)" as "a b c". */
static void header_pointers(const char *params, size_t len, char *out, size_t size) {
    out[0] = '\0';
    size_t at = 0;
    while (at < len) {
        size_t end = at;
        while (end < len && params[end] != ',') end++;
        int pointer = memchr(params + at, '*', end - at) != NULL;
        size_t stop = end;
        while (stop > at && !(params[stop - 1] == '_' || (params[stop - 1] >= 'a' && params[stop - 1] <= 'z') ||
                              (params[stop - 1] >= '0' && params[stop - 1] <= '9')))
            stop--;
        size_t start = stop;
        while (start > at && (params[start - 1] == '_' || (params[start - 1] >= 'a' && params[start - 1] <= 'z') ||
                              (params[start - 1] >= '0' && params[start - 1] <= '9')))
            start--;
        if (pointer && stop > start) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%.*s", used ? " " : "", (int)(stop - start), params + start);
        }
        at = end + 1;
    }
}

/* The spec's pointer list without the '?' marks. */
static void spec_pointers(const char *list, char *out, size_t size) {
    size_t at = 0;
    for (const char *p = list; *p && at + 1 < size; p++) {
        if (*p != '?') out[at++] = *p;
    }
    out[at] = '\0';
}

static void check_header(const char *path) {
    size_t len = 0;
    char *text = read_all(path, &len);
    CHECK(text != NULL);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s (pass the header's path as the first argument)\n", path);
        return;
    }
    unsigned char covered[NSPECS];
    memset(covered, 0, sizeof covered);
    int declared = 0, missing = 0, mismatched = 0;
    /* Declarations start at the beginning of a line, outside comments and macros, and name a
     * ferrule_ function followed by its parameters. */
    for (char *line = text; line != NULL && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (*line == '/' || *line == '#' || *line == ' ' || *line == '\n' || *line == '}' || *line == '*') continue;
        char *eol = strchr(line, '\n');
        char *name = strstr(line, "ferrule_");
        char *paren = name ? strchr(name, '(') : NULL;
        if (name == NULL || paren == NULL || (eol != NULL && paren > eol)) continue;
        /* The identifier just before the '(' is the function. */
        char *start = paren;
        while (start > line && (start[-1] == '_' || (start[-1] >= 'a' && start[-1] <= 'z') ||
                                (start[-1] >= '0' && start[-1] <= '9')))
            start--;
        if (strncmp(start, "ferrule_", 8) != 0) continue;
        char *close = strchr(paren, ')');
        if (close == NULL) continue;
        char fname[128], from_header[256], from_spec[256];
        snprintf(fname, sizeof fname, "%.*s", (int)(paren - start), start);
        declared++;
        const fn_spec *spec = spec_named(fname);
        if (spec == NULL) {
            missing++;
            fprintf(stderr, "  %s is declared in %s but has no row in SPECS\n", fname, path);
            continue;
        }
        covered[spec - SPECS] = 1;
        header_pointers(paren + 1, (size_t)(close - paren - 1), from_header, sizeof from_header);
        spec_pointers(spec->pointers, from_spec, sizeof from_spec);
        if (strcmp(from_header, from_spec) != 0) {
            mismatched++;
            fprintf(stderr, "  %s: pointer parameters \"%s\" in the header, \"%s\" in SPECS\n", fname, from_header,
                    from_spec);
        }
    }
    int extra = 0;
    for (int s = 0; s < NSPECS; s++) {
        if (!covered[s]) {
            extra++;
            fprintf(stderr, "  SPECS has %s, which %s does not declare\n", SPECS[s].name, path);
        }
    }
    CHECK(declared > 100);
    CHECK(missing == 0);
    CHECK(mismatched == 0);
    CHECK(extra == 0);
    printf("%d functions declared in %s, %d rows in SPECS, %d cases in CASES\n", declared, path, NSPECS, NCASES);
    free(text);
}

/* ------------------------------------------------------------------------------------------
 * Child processes. */

/* Runs this program with `arg` (and `arg2`), FERRULE_MAX_ISA set to `max_isa` (NULL: unset),
 * stdout and stderr into files; the exit status as waitpid gives it, -1 when it could not run. */
static int run_child(const char *self, const char *arg, const char *arg2, const char *max_isa, const char *out_path,
                     const char *err_path) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
        /* Few malloc arenas (glibc reserves 64 MB of address space for each thread's): the
         * address-space limit must not depend on the number of cores. */
        if (strcmp(arg, "--rlimit-child") == 0) setenv("MALLOC_ARENA_MAX", "2", 1);
        if (max_isa) {
            setenv("FERRULE_MAX_ISA", max_isa, 1);
        } else {
            unsetenv("FERRULE_MAX_ISA");
        }
        char *child_argv[] = {(char *)self, (char *)arg, (char *)arg2, NULL};
        execv(self, child_argv);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return status;
}

/* Child mode "--isa-child": the capabilities and a few vector results, on one line. */
static int isa_child(void) {
    ferrule_cpu_capabilities caps, again;
    memset(&caps, 0, sizeof caps);
    ferrule_status s1 = ferrule_capabilities(&caps), s2 = ferrule_capabilities(&again);
    float x[VN], y[VN], m[MR * VN], dot = 0, o2m[MR] = {0}, cd[MR * MR] = {0}, dist[3] = {0};
    size_t idx[3] = {0};
    double sum = 0, xd[VN];
    for (size_t i = 0; i < VN; i++) {
        x[i] = (float)sin((double)i), y[i] = (float)cos((double)i * 0.7), xd[i] = sin((double)i * 1.3);
    }
    for (size_t i = 0; i < MR * VN; i++) m[i] = (float)sin((double)i * 0.31);
    ferrule_status v1 = ferrule_vec_dot_f32(x, y, VN, &dot);
    ferrule_status v2 = ferrule_vec_one_to_many_f32(x, VN, m, MR, VN, FERRULE_METRIC_COSINE, NULL, o2m, MR);
    ferrule_status v3 = ferrule_vec_cdist_f32(m, MR, VN, m, MR, VN, VN, FERRULE_METRIC_EUCLIDEAN, NULL, cd, MR * MR);
    ferrule_status v4 = ferrule_vec_topk_f32(x, 1, VN, m, MR, VN, VN, 3, FERRULE_METRIC_DOT, NULL, idx, dist, 3);
    ferrule_status v5 = ferrule_vec_sum_f64(xd, VN, FERRULE_PRECISION_FAST, &sum);
    printf("capabilities %s %s isa %s features %llu; vector %s %s %s %s %s: %a %a %a %a %zu %a %a\n",
           ferrule_status_str(s1), ferrule_status_str(s2), s1 == FERRULE_STATUS_OK ? caps.isa_name : "-",
           (unsigned long long)caps.features, ferrule_status_str(v1), ferrule_status_str(v2), ferrule_status_str(v3),
           ferrule_status_str(v4), ferrule_status_str(v5), (double)dot, (double)o2m[MR - 1], (double)cd[1],
           (double)cd[MR * MR - 2], idx[0], (double)dist[2], sum);
    return 0;
}

static char *slurp(const char *path) {
    size_t len = 0;
    char *text = read_all(path, &len);
    return text ? text : calloc(1, 1);
}

/* FERRULE_MAX_ISA set to garbage: the same results as without it, and one warning line. */
static void test_max_isa(const char *self) {
    char out_path[160], err_path[160];
    snprintf(out_path, sizeof out_path, "%s/isa.out", fx.dir);
    snprintf(err_path, sizeof err_path, "%s/isa.err", fx.dir);
    int status = run_child(self, "--isa-child", NULL, NULL, out_path, err_path);
    char *want = slurp(out_path), *want_err = slurp(err_path);
    CHECK(status == 0 && strstr(want, "capabilities FERRULE_OK FERRULE_OK isa ") == want);
    CHECK(strstr(want, "vector FERRULE_OK FERRULE_OK FERRULE_OK FERRULE_OK FERRULE_OK") != NULL);
    CHECK(want_err[0] == '\0');
    if (status != 0 || want_err[0] != '\0') fprintf(stderr, "  the child without FERRULE_MAX_ISA: %s%s", want, want_err);
    /* Another architecture's level, an unknown one, bytes that are not UTF-8. */
#if defined(__aarch64__)
    const char *foreign = "avx2";
#else
    const char *foreign = "neon";
#endif
    const char *garbage[] = {"avx9000", foreign, "\xff\xfe", "scalar,avx2"};
    for (size_t g = 0; g < sizeof garbage / sizeof garbage[0]; g++) {
        status = run_child(self, "--isa-child", NULL, garbage[g], out_path, err_path);
        char *got = slurp(out_path), *err = slurp(err_path);
        int lines = 0, warnings = 0;
        for (char *line = err; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
            lines++;
            if (strncmp(line, "ferrule: warning: FERRULE_MAX_ISA", 33) == 0) warnings++;
        }
        int same = strcmp(got, want) == 0;
        CHECK(status == 0);
        CHECK(same);
        CHECK(warnings == 1 && lines == 1);
        if (!same || warnings != 1 || lines != 1 || status != 0) {
            fprintf(stderr, "  FERRULE_MAX_ISA=%s (exit status %d):\n    stdout: %s    stderr: %s\n    wanted: %s",
                    g == 2 ? "<not UTF-8>" : garbage[g], status, got, err[0] ? err : "(nothing)\n", want);
        }
        free(got);
        free(err);
    }
    /* A real cap: no warning, the portable kernels. */
    status = run_child(self, "--isa-child", NULL, "scalar", out_path, err_path);
    char *got = slurp(out_path), *err = slurp(err_path);
    CHECK(status == 0 && strstr(got, " isa scalar ") != NULL && err[0] == '\0');
    free(got);
    free(err);
    free(want);
    free(want_err);
    unlink(out_path);
    unlink(err_path);
}

/* The whole table again in a child whose address space is limited to what it uses plus 4 GiB:
 * a call that tried to allocate for a huge size would abort there. */
static void test_table_under_rlimit(const char *self, const char *header) {
    if (under_valgrind()) {
        printf("under valgrind: the address-space-limited run is skipped\n");
        return;
    }
    char out_path[160], err_path[160];
    snprintf(out_path, sizeof out_path, "%s/rlimit.out", fx.dir);
    snprintf(err_path, sizeof err_path, "%s/rlimit.err", fx.dir);
    int status = run_child(self, "--rlimit-child", header, getenv("FERRULE_MAX_ISA"), out_path, err_path);
    char *out = slurp(out_path), *err = slurp(err_path);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(out, ", 0 failed") != NULL;
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "  the address-space-limited run: %s%s%s", WIFSIGNALED(status) ? "killed by a signal; " : "",
                out, err);
    }
    free(out);
    free(err);
    unlink(out_path);
    unlink(err_path);
}

static int limit_address_space(void) {
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL || fscanf(f, "%ld", &pages) != 1) {
        if (f) fclose(f);
        return 0;
    }
    fclose(f);
    struct rlimit limit;
    limit.rlim_cur = limit.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)4 << 30);
    return setrlimit(RLIMIT_AS, &limit) == 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--isa-child") == 0) return isa_child();
    const char *header = "include/ferrule.h";
    if (argc > 1 && strcmp(argv[1], "--rlimit-child") == 0) {
        if (!limit_address_space()) {
            fprintf(stderr, "cannot limit the address space\n");
            return 2;
        }
        fx.rlimited = 1;
        setup();
        run_table();
        teardown();
        return check_report();
    }
    if (argc > 1) header = argv[1];
    setup();
    run_table();
    check_header(header);
    test_table_under_rlimit(argv[0], header);
    test_max_isa(argv[0]);
    teardown();
    printf("%d calls checked, %d skipped%s\n", cases_run, cases_skipped,
           geteuid() == 0 ? " (running as root: the unreadable-file cases are skipped)" : "");
    return check_report();
}
