/* Tests of the C++ wrapper include/ferrule.hpp: every function and method at least once, with
 * results checked against known values of the bundled data and against the C API itself; errors
 * as ferrule::Error with the C status and message; moves (the source left empty, no double free:
 * run it under valgrind); views' sizes and contents. Built as C++17 and C++20, linked against
 * libferrule.a and libferrule.so. Prints one line per failed check and ends with
 * "N passed, N failed"; exits non-zero when a check failed.
 *
 * usage: test_cpp [REPO_ROOT]   (default: the current directory; the data is read from
 * REPO_ROOT/examples/data: apache_combined.log, app.jsonl, auth.log). */
#include "ferrule.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "check.h"

using ferrule::Error;

namespace {

std::string root = ".";
std::string apache_path, jsonl_path, auth_path;
std::string apache_text;  // the whole sample access log

// The bundled access log: 10,000 lines, 9,999 parse, line 8899's user-agent quote never closes.
constexpr std::size_t kSampleLines = 10000;
constexpr std::uint64_t kBadLine = 8899;
constexpr std::uint64_t kBadOffset = 110;

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Line `n` (1-based) of `text`, without its line end.
std::string line_of(const std::string &text, std::uint64_t n) {
    std::istringstream in(text);
    std::string line;
    for (std::uint64_t i = 0; i < n && std::getline(in, line); ++i) {
    }
    return line;
}

// The C API's message for this thread, read without the wrapper.
std::string c_message() {
    char buf[2048];
    if (ferrule_last_error_message(buf, sizeof buf, nullptr) != FERRULE_STATUS_OK) return "<no message>";
    return buf;
}

// The ferrule::Error `f` throws; nullopt when it throws nothing (or something else, reported).
template <class F>
std::optional<Error> error_of(F &&f) {
    try {
        f();
    } catch (const Error &err) {
        return err;
    } catch (const std::exception &err) {
        std::fprintf(stderr, "unexpected exception: %s\n", err.what());
    }
    return std::nullopt;
}

// Whether `f` throws ferrule::Error with `status`, and a message equal to the C API's at the
// throw (the wrapper must not alter it).
template <class F>
bool throws(ferrule_status status, F &&f) {
    std::optional<Error> err = error_of(std::forward<F>(f));
    if (!err) {
        std::fprintf(stderr, "  expected %s, nothing thrown\n", ferrule_status_str(status));
        return false;
    }
    if (err->status() != status) {
        std::fprintf(stderr, "  expected %s, got %s\n", ferrule_status_str(status), err->what());
        return false;
    }
    return true;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// Sets this thread's C message to a known text, to show later that the wrapper's own checks
// leave it alone.
void set_known_c_message() { (void)ferrule_pool_new(nullptr); }

template <class T>
bool near(T a, T b, T tolerance) {
    return std::fabs(a - b) <= tolerance;
}

// ------------------------------------------------------------------------------ type checks

template <class T>
constexpr bool move_only_v = std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T> &&
                             !std::is_copy_constructible_v<T> && !std::is_copy_assignable_v<T> &&
                             std::is_nothrow_destructible_v<T>;
static_assert(move_only_v<ferrule::StringPool>);
static_assert(move_only_v<ferrule::LogFormat>);
static_assert(move_only_v<ferrule::LogTable>);
static_assert(move_only_v<ferrule::StreamParser>);
static_assert(move_only_v<ferrule::BatchReader>);
static_assert(move_only_v<ferrule::StructuredData>);
static_assert(std::is_nothrow_copy_constructible_v<Error>);
static_assert(std::is_base_of_v<std::runtime_error, Error>);

// span: writable views only of lvalues; read-only views of anything contiguous; no narrowing of
// the element type.
static_assert(std::is_constructible_v<ferrule::span<float>, std::vector<float> &>);
static_assert(!std::is_constructible_v<ferrule::span<float>, const std::vector<float> &>);
static_assert(!std::is_constructible_v<ferrule::span<float>, std::vector<float> &&>);
static_assert(std::is_constructible_v<ferrule::span<const float>, std::vector<float> &&>);
static_assert(std::is_constructible_v<ferrule::span<const float>, ferrule::span<float>>);
static_assert(!std::is_constructible_v<ferrule::span<float>, ferrule::span<const float>>);
static_assert(!std::is_constructible_v<ferrule::span<const double>, std::vector<float> &>);
static_assert(!std::is_constructible_v<ferrule::span<const std::uint8_t>, std::string &>);
static_assert(std::is_same_v<decltype(ferrule::dot(std::vector<double>(), std::vector<double>())), double>);
static_assert(std::is_same_v<decltype(ferrule::mean(std::vector<float>())), double>);

// The scoped enums carry the C values.
static_assert(static_cast<std::uint32_t>(ferrule::Metric::manhattan) == FERRULE_METRIC_MANHATTAN);
static_assert(static_cast<std::uint32_t>(ferrule::Precision::accurate) == FERRULE_PRECISION_ACCURATE);
static_assert(static_cast<std::uint32_t>(ferrule::OnError::raise) == FERRULE_ON_ERROR_RAISE);
static_assert(static_cast<std::uint32_t>(ferrule::LogFormatKind::template_) == FERRULE_LOG_FORMAT_TEMPLATE);
static_assert(static_cast<std::uint32_t>(ferrule::ColumnType::bool_) == FERRULE_LOG_COLUMN_BOOL);
static_assert(static_cast<std::uint32_t>(ferrule::Isa::neon) == FERRULE_ISA_NEON);

#if __cplusplus >= 202002L
static_assert(std::random_access_iterator<ferrule::StringColumn::iterator>);
static_assert(std::random_access_iterator<ferrule::Validity::iterator>);
static_assert(std::input_iterator<ferrule::BatchReader::iterator>);
#endif

// ------------------------------------------------------------------------------------ tests

void test_errors() {
    const Error made(FERRULE_STATUS_IO, "disk on fire");
    CHECK(made.status() == FERRULE_STATUS_IO);
    CHECK(made.code() == "FERRULE_IO");
    CHECK(std::string(made.message()) == "disk on fire");
    CHECK(std::string(made.what()) == "FERRULE_IO: disk on fire");
    CHECK(made.line() == 0 && made.offset() == 0 && made.reason().empty());
    const Error copy = made;
    CHECK(std::string(copy.what()) == made.what() && std::string(copy.message()) == "disk on fire");
    const Error unknown(static_cast<ferrule_status>(99), "from a newer library");
    CHECK(unknown.code() == "FERRULE_UNKNOWN_STATUS" && static_cast<std::uint32_t>(unknown.status()) == 99);

    // A panic inside ferrule arrives as an Error, catchable as std::runtime_error.
    bool caught = false;
    try {
        ferrule::debug_panic();
    } catch (const std::runtime_error &err) {
        caught = true;
        const Error *ferrule_err = dynamic_cast<const Error *>(&err);
        CHECK(ferrule_err != nullptr && ferrule_err->status() == FERRULE_STATUS_PANIC);
        CHECK(ferrule_err != nullptr && ferrule_err->code() == "FERRULE_PANIC");
        CHECK(ferrule_err != nullptr && std::string(ferrule_err->message()) == c_message());
        CHECK(contains(err.what(), "ferrule_debug_panic"));
    }
    CHECK(caught);

    // last_error and last_error_message read what the C call just recorded.
    const ferrule_status status = ferrule_pool_new(nullptr);
    CHECK(status == FERRULE_STATUS_NULL_POINTER);
    CHECK(ferrule::last_error_message() == c_message());
    CHECK(ferrule::last_error_message() == "argument `out_pool` must not be NULL");
    const Error from_c = ferrule::last_error(status);
    CHECK(from_c.status() == FERRULE_STATUS_NULL_POINTER);
    CHECK(std::string(from_c.message()) == "argument `out_pool` must not be NULL");
    CHECK(std::string(from_c.what()) == "FERRULE_NULL_POINTER: argument `out_pool` must not be NULL");

    CHECK(ferrule::status_str(FERRULE_STATUS_PARSE) == "FERRULE_PARSE");
    CHECK(ferrule::status_str(FERRULE_STATUS_OUT_OF_RANGE) == "FERRULE_OUT_OF_RANGE");
    CHECK(ferrule::status_str(static_cast<ferrule_status>(12)) == "FERRULE_UNKNOWN_STATUS");
}

void test_library() {
    const std::string expected = std::to_string(FERRULE_VERSION_MAJOR) + "." + std::to_string(FERRULE_VERSION_MINOR) +
                                 "." + std::to_string(FERRULE_VERSION_PATCH);
    CHECK(ferrule::version() == expected);
    CHECK(ferrule::version().data() == ferrule_version());

    ferrule_cpu_capabilities c_caps{};
    CHECK(ferrule_capabilities(&c_caps) == FERRULE_STATUS_OK);
    const ferrule::Capabilities caps = ferrule::capabilities();
    CHECK(static_cast<std::uint32_t>(caps.isa) == static_cast<std::uint32_t>(c_caps.isa));
    CHECK(caps.isa_name == c_caps.isa_name);
    CHECK(caps.features == c_caps.features);
    const std::vector<std::string_view> names = caps.feature_names();
    std::size_t bits = 0;
    for (unsigned bit = 0; bit < 64; ++bit) bits += (caps.features >> bit) & 1u;
    CHECK(names.size() == bits);
    CHECK(std::none_of(names.begin(), names.end(), [](std::string_view name) { return name.empty(); }));
    CHECK(ferrule::feature_name(FERRULE_FEATURE_AVX2) == "avx2");
    CHECK(ferrule::feature_name(FERRULE_FEATURE_NEON) == "neon");
    CHECK(ferrule::feature_name(0).empty());
    CHECK(ferrule::feature_name(FERRULE_FEATURE_AVX2 | FERRULE_FEATURE_FMA).empty());
    CHECK(ferrule::feature_name(std::uint64_t{1} << 63).empty());
}

int sum_of(ferrule::span<const int> values) {
    int total = 0;
    for (int v : values) total += v;
    return total;
}

void test_span() {
    std::vector<int> v{1, 2, 3, 4, 5};
    ferrule::span<int> all(v);
    CHECK(all.data() == v.data() && all.size() == 5 && all.size_bytes() == 5 * sizeof(int) && !all.empty());
    CHECK(all.front() == 1 && all.back() == 5 && all[2] == 3);
    CHECK(std::distance(all.begin(), all.end()) == 5);
    all[0] = 10;  // writable view of the vector
    CHECK(v[0] == 10);
    const ferrule::span<int> middle = all.subspan(1, 3);
    CHECK(middle.size() == 3 && middle[0] == 2 && middle.back() == 4);
    CHECK(all.subspan(3).size() == 2 && all.subspan(3)[1] == 5);
    const ferrule::span<const int> read_only = all;
    CHECK(read_only.data() == v.data() && read_only.size() == 5);
    CHECK(ferrule::span<int>().empty() && ferrule::span<int>().data() == nullptr);

    std::array<int, 3> arr{{7, 8, 9}};
    int c_array[4] = {1, 1, 1, 1};
    CHECK(ferrule::span<int>(arr).size() == 3 && ferrule::span<int>(c_array).size() == 4);
    CHECK(sum_of(arr) == 24 && sum_of(c_array) == 4);
    CHECK(sum_of(std::vector<int>{2, 3}) == 5);  // a temporary lives through the call
    CHECK(sum_of(ferrule::span<const int>(v.data(), 2)) == 12);
    const std::string text = "abc";
    CHECK(ferrule::span<const char>(text).size() == 3);

#if __cplusplus >= 202002L && defined(FERRULE_HPP_HAS_STD_SPAN)
    std::span<int> standard = all;
    CHECK(standard.data() == v.data() && standard.size() == 5);
#endif
}

void test_pool_basics() {
    ferrule::StringPool pool;
    CHECK(static_cast<bool>(pool) && pool.native_handle() != nullptr);
    CHECK(pool.len() == 0);
    CHECK(pool.intern("GET") == 0);
    CHECK(pool.intern("POST") == 1);
    CHECK(pool.intern("GET") == 0);
    CHECK(pool.intern("") == 2);
    const std::string_view with_nul("a\0b", 3);
    CHECK(pool.intern(with_nul) == 3);
    CHECK(pool.len() == 4);

    CHECK(pool.get("POST") == std::optional<std::uint32_t>(1));
    CHECK(!pool.get("PUT").has_value());
    CHECK(pool.get("") == std::optional<std::uint32_t>(2));
    CHECK(pool.len() == 4);  // get interns nothing

    CHECK(pool.resolve(0) == "GET");
    CHECK(pool.resolve(2).empty() && pool.resolve(2).data() != nullptr);
    CHECK(pool.resolve(3) == with_nul);
    const std::uint8_t *c_ptr = nullptr;
    std::size_t c_len = 0;
    CHECK(ferrule_pool_resolve(pool.native_handle(), 1, &c_ptr, &c_len) == FERRULE_STATUS_OK);
    CHECK(pool.resolve(1).data() == reinterpret_cast<const char *>(c_ptr) && pool.resolve(1).size() == c_len);
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { (void)pool.resolve(99); }));
    std::optional<Error> err = error_of([&] { (void)pool.resolve(99); });
    CHECK(err && std::string(err->message()) == c_message());
    CHECK(err && contains(err->message(), "99"));

    std::size_t c_bytes = 0;
    CHECK(ferrule_pool_memory_usage(pool.native_handle(), &c_bytes) == FERRULE_STATUS_OK);
    CHECK(pool.memory_usage() == c_bytes && c_bytes > 0);

    // The values view: a snapshot of the length; element i is resolve(i).
    const ferrule::PoolValues values = pool.values();
    CHECK(values.size() == 4 && !values.empty());
    CHECK(values[0] == "GET" && values[1] == "POST" && values[3] == with_nul);
    std::vector<std::string_view> listed(values.begin(), values.end());
    CHECK(listed.size() == 4 && listed[1] == "POST" && listed[2].empty());
    CHECK(values.end() - values.begin() == 4);
    pool.intern("PUT");
    CHECK(values.size() == 4 && pool.values().size() == 5);
    CHECK(ferrule::PoolValues().empty() && ferrule::PoolValues().begin() == ferrule::PoolValues().end());

    // Views stay put while the pool grows (values never move).
    const std::string_view get_view = pool.resolve(0);
    for (int i = 0; i < 5000; ++i) pool.intern("value " + std::to_string(i));
    CHECK(pool.len() == 5005);
    CHECK(get_view.data() == pool.resolve(0).data() && get_view == "GET");
}

void test_pool_many() {
    ferrule::StringPool pool;
    const std::vector<std::string> strings{"b", "a", "b", "c"};
    const std::vector<std::uint32_t> ids = pool.intern_many(strings);
    CHECK((ids == std::vector<std::uint32_t>{0, 1, 0, 2}));
    const std::vector<std::uint32_t> listed = pool.intern_many({"c", "d", "a"});
    CHECK((listed == std::vector<std::uint32_t>{2, 3, 1}));
    const std::vector<const char *> c_strings{"e", "b"};
    CHECK((pool.intern_many(c_strings) == std::vector<std::uint32_t>{4, 0}));
    const std::array<std::string_view, 2> views{{"", "f"}};
    CHECK((pool.intern_many(views) == std::vector<std::uint32_t>{5, 6}));
    CHECK(pool.intern_many(std::vector<std::string>()).empty());

    // Arrow layout: "x", "yz", "" (offsets may start past 0: a sliced array).
    const std::string bytes_text = "_xyz";
    const std::vector<std::uint8_t> bytes(bytes_text.begin(), bytes_text.end());
    const std::vector<std::int32_t> offsets{1, 2, 4, 4};
    CHECK((pool.intern_many(bytes, offsets) == std::vector<std::uint32_t>{7, 8, 5}));
    const std::vector<std::int64_t> large{0, 1, 2};
    CHECK((pool.intern_many_large(bytes, large) == std::vector<std::uint32_t>{9, 7}));
    CHECK(pool.resolve(8) == "yz" && pool.resolve(9) == "_");
    CHECK(pool.intern_many(bytes, std::vector<std::int32_t>{0}).empty());

    // The wrapper's own checks: C would read past `values`, so it must not be called (its
    // message stays as it was).
    set_known_c_message();
    const std::string before = c_message();
    std::optional<Error> err = error_of([&] { pool.intern_many(bytes, std::vector<std::int32_t>{0, 5}); });
    CHECK(err && err->status() == FERRULE_STATUS_LENGTH_MISMATCH);
    CHECK(err && std::string(err->message()) == "offsets end at byte 5 but values has 4");
    CHECK(c_message() == before);
    err = error_of([&] { pool.intern_many_large(bytes, std::vector<std::int64_t>{}); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && c_message() == before);
    err = error_of([&] { pool.intern_many(bytes, std::vector<std::int32_t>{}); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT);
    // C's own checks: decreasing and negative offsets.
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { pool.intern_many(bytes, std::vector<std::int32_t>{2, 1}); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { pool.intern_many(bytes, std::vector<std::int32_t>{-1, 0}); }));
    CHECK(pool.len() == 10);

    // Lines: a trailing separator ends the last value; with '\n' a '\r' before it goes too.
    ferrule::StringPool lines;
    CHECK((lines.intern_lines("GET\r\nPOST\nGET\n") == std::vector<std::uint32_t>{0, 1, 0}));
    CHECK((lines.intern_lines("POST,PUT,", ',') == std::vector<std::uint32_t>{1, 2}));
    CHECK(lines.intern_lines("").empty());
    CHECK((lines.intern_lines("\n") == std::vector<std::uint32_t>{3}) && lines.resolve(3).empty());
    CHECK(lines.len() == 4);
}

void test_pool_serialize() {
    ferrule::StringPool pool;
    pool.intern_many({"alpha", "beta", "", "gamma"});
    const std::vector<std::uint8_t> data = pool.serialize();
    std::size_t c_size = 0;
    CHECK(ferrule_pool_serialize(pool.native_handle(), nullptr, 0, &c_size) == FERRULE_STATUS_OK);
    CHECK(data.size() == c_size && !data.empty());
    std::vector<std::uint8_t> c_data(c_size);
    CHECK(ferrule_pool_serialize(pool.native_handle(), c_data.data(), c_data.size(), &c_size) == FERRULE_STATUS_OK);
    CHECK(data == c_data);

    const ferrule::StringPool back = ferrule::StringPool::deserialize(data);
    CHECK(back.len() == 4 && back.resolve(0) == "alpha" && back.resolve(3) == "gamma" && back.resolve(2).empty());
    CHECK(back.get("beta") == std::optional<std::uint32_t>(1));

    std::vector<std::uint8_t> damaged = data;
    damaged.back() ^= 0x5a;
    CHECK(throws(FERRULE_STATUS_CORRUPT, [&] { ferrule::StringPool::deserialize(damaged); }));
    CHECK(throws(FERRULE_STATUS_CORRUPT, [&] { ferrule::StringPool::deserialize(ferrule::span<const std::uint8_t>()); }));
    const std::vector<std::uint8_t> truncated(data.begin(), data.end() - 1);
    std::optional<Error> err = error_of([&] { ferrule::StringPool::deserialize(truncated); });
    CHECK(err && err->status() == FERRULE_STATUS_CORRUPT && std::string(err->message()) == c_message());
}

void test_pool_moves() {
    ferrule::StringPool a;
    a.intern("kept");
    ferrule_pool *raw = a.native_handle();
    const std::string_view view = a.resolve(0);

    ferrule::StringPool b(std::move(a));
    CHECK(!a && a.native_handle() == nullptr);  // NOLINT(bugprone-use-after-move): the point
    CHECK(b.native_handle() == raw && b.len() == 1);
    CHECK(view == "kept" && view.data() == b.resolve(0).data());  // the view survived the move

    // A method on the empty source throws NULL_POINTER from C, never crashes.
    std::optional<Error> err = error_of([&] { (void)a.len(); });
    CHECK(err && err->status() == FERRULE_STATUS_NULL_POINTER);
    CHECK(err && std::string(err->message()) == "argument `pool` must not be NULL");
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { a.intern("x"); }));
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { (void)a.get("x"); }));
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { (void)a.values(); }));
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { (void)a.serialize(); }));

    // Move assignment frees the target's own pool (valgrind sees a leak otherwise).
    ferrule::StringPool c;
    c.intern("dropped");
    c = std::move(b);
    CHECK(!b && c.native_handle() == raw && c.resolve(0) == "kept");
    ferrule::StringPool &alias = c;
    c = std::move(alias);  // self-move keeps the pool
    CHECK(c.native_handle() == raw && c.len() == 1);

    // release hands the C object over; reset frees and adopts.
    ferrule_pool *released = c.release();
    CHECK(released == raw && !c);
    ferrule::StringPool adopted(released);
    CHECK(adopted.len() == 1);
    adopted.reset();
    CHECK(!adopted);
    ferrule_pool *fresh = nullptr;
    CHECK(ferrule_pool_new(&fresh) == FERRULE_STATUS_OK);
    adopted.reset(fresh);
    CHECK(adopted.native_handle() == fresh && adopted.len() == 0);
    const ferrule::StringPool empty(nullptr);
    CHECK(!empty);
}

void test_vector_names() {
    CHECK(ferrule::metric_parse("cosine") == ferrule::Metric::cosine);
    CHECK(ferrule::metric_parse("dot") == ferrule::Metric::dot);
    CHECK(ferrule::metric_name(ferrule::Metric::sqeuclidean) == "sqeuclidean");
    CHECK(ferrule::metric_name(ferrule::Metric::manhattan) == "manhattan");
    CHECK(ferrule::metric_name(static_cast<ferrule::Metric>(7)).empty());
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [] { ferrule::metric_parse("cos"); }));
    CHECK(throws(FERRULE_STATUS_INVALID_UTF8, [] { ferrule::metric_parse("\xff"); }));
    CHECK(ferrule::precision_parse("accurate") == ferrule::Precision::accurate);
    CHECK(ferrule::precision_name(ferrule::Precision::fast) == "fast");
    CHECK(ferrule::precision_name(static_cast<ferrule::Precision>(2)).empty());
    std::optional<Error> err = error_of([] { ferrule::precision_parse("exact"); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && std::string(err->message()) == c_message());
}

// The 1:1 functions and reductions for one element type, against known values and the C calls.
template <class T, class CDot>
void test_pairs_and_reductions(CDot c_dot) {
    const std::vector<T> a{1, 2, 3}, b{4, 5, 6};
    const T tol = static_cast<T>(std::is_same_v<T, float> ? 1e-5 : 1e-12);
    CHECK(ferrule::dot(a, b) == T(32));
    T c_out = 0;
    CHECK(c_dot(a.data(), b.data(), a.size(), &c_out) == FERRULE_STATUS_OK && ferrule::dot(a, b) == c_out);
    CHECK(ferrule::dot(a, b, ferrule::Precision::accurate) == T(32));
    CHECK(ferrule::sqeuclidean(a, b) == T(27));
    CHECK(ferrule::sqeuclidean(a, b, ferrule::Precision::accurate) == T(27));
    CHECK(near(ferrule::euclidean(a, b), static_cast<T>(std::sqrt(27.0)), tol));
    CHECK(near(ferrule::euclidean(a, b, ferrule::Precision::accurate), static_cast<T>(std::sqrt(27.0)), tol));
    CHECK(ferrule::manhattan(a, b) == T(9));
    CHECK(ferrule::manhattan(a, b, ferrule::Precision::accurate) == T(9));
    const T similarity = static_cast<T>(32.0 / (std::sqrt(14.0) * std::sqrt(77.0)));
    CHECK(near(ferrule::cosine_similarity(a, b), similarity, tol));
    CHECK(near(ferrule::cosine_distance(a, b), T(1) - similarity, tol));
    CHECK(near(ferrule::cosine_distance(a, b, ferrule::Precision::accurate), T(1) - similarity, tol));
    // distance at fast precision is the named function, bit for bit.
    CHECK(ferrule::distance(ferrule::Metric::cosine, a, b) == ferrule::cosine_distance(a, b));
    CHECK(ferrule::distance(ferrule::Metric::euclidean, a, b) == ferrule::euclidean(a, b));
    CHECK(ferrule::distance(ferrule::Metric::dot, a, b, ferrule::Precision::accurate) == T(32));
    CHECK(ferrule::cosine_distance(std::vector<T>{0, 0}, std::vector<T>{1, 2}) == T(1));
    CHECK(ferrule::dot(std::vector<T>(), std::vector<T>()) == T(0));
    CHECK(ferrule::norm(std::vector<T>{3, 4}) == T(5));

    // Length mismatches: found by the wrapper (C takes one length), C's message untouched.
    set_known_c_message();
    const std::string before = c_message();
    const std::vector<T> four{1, 2, 3, 4};
    std::optional<Error> err = error_of([&] { ferrule::dot(a, four); });
    CHECK(err && err->status() == FERRULE_STATUS_LENGTH_MISMATCH);
    CHECK(err && std::string(err->message()) == "vectors of different lengths: 3 and 4");
    CHECK(err && err->code() == "FERRULE_LENGTH_MISMATCH");
    CHECK(c_message() == before);
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::distance(ferrule::Metric::dot, four, a); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::cosine_similarity(a, four); }));
    // C's checks: an unknown metric.
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::distance(static_cast<ferrule::Metric>(9), a, b); }));

    const std::vector<T> x{3, -1, 7, -1, 7};
    CHECK(ferrule::sum(x) == T(15) && ferrule::sum(x, ferrule::Precision::accurate) == T(15));
    CHECK(ferrule::sum(std::vector<T>()) == T(0));
    CHECK(ferrule::mean(x) == 3.0);
    CHECK(ferrule::min(x) == T(-1) && ferrule::max(x) == T(7));
    CHECK(ferrule::argmin(x) == 1 && ferrule::argmax(x) == 2);  // the first of equal extremes
    const std::vector<T> with_nan{1, std::numeric_limits<T>::quiet_NaN(), 5};
    CHECK(ferrule::argmax(with_nan) == 1 && std::isnan(ferrule::min(with_nan)));
    err = error_of([] { ferrule::mean(std::vector<T>()); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [] { ferrule::argmin(std::vector<T>()); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [] { ferrule::max(std::vector<T>()); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::sum(x, static_cast<ferrule::Precision>(5)); }));
}

template <class T>
void test_elementwise() {
    const std::vector<T> a{1, 2, 3}, b{10, 20, 30}, c{100, 200, 300};
    CHECK((ferrule::scale(a, T(2)) == std::vector<T>{2, 4, 6}));
    CHECK((ferrule::add(a, b) == std::vector<T>{11, 22, 33}));
    CHECK((ferrule::subtract(b, a) == std::vector<T>{9, 18, 27}));
    CHECK((ferrule::multiply(a, b) == std::vector<T>{10, 40, 90}));
    CHECK((ferrule::axpy(T(2), a, b) == std::vector<T>{12, 24, 36}));
    CHECK((ferrule::fma(a, b, c) == std::vector<T>{110, 240, 390}));
    CHECK((ferrule::normalize(std::vector<T>{3, 4}) == std::vector<T>{T(0.6), T(0.8)}));
    CHECK((ferrule::normalize(std::vector<T>{0, 0}) == std::vector<T>{0, 0}));
    CHECK(ferrule::add(std::vector<T>(), std::vector<T>()).empty());

    // Into a caller's array, and in place (out is one of the inputs).
    std::vector<T> out(3);
    ferrule::scale(a, T(-1), out);
    CHECK((out == std::vector<T>{-1, -2, -3}));
    ferrule::add(a, b, out);
    CHECK((out == std::vector<T>{11, 22, 33}));
    ferrule::subtract(out, a, out);
    CHECK(out == b);
    ferrule::multiply(out, a, out);
    CHECK((out == std::vector<T>{10, 40, 90}));
    ferrule::axpy(T(1), a, out, out);
    CHECK((out == std::vector<T>{11, 42, 93}));
    ferrule::fma(a, a, out, out);
    CHECK((out == std::vector<T>{12, 46, 102}));
    std::vector<T> unit{0, 5, 0};
    ferrule::normalize(unit, unit);
    CHECK((unit == std::vector<T>{0, 1, 0}));

    // Partial overlap: C refuses it before writing anything.
    std::vector<T> buf{1, 2, 3, 4};
    const ferrule::span<const T> head(buf.data(), 3);
    const ferrule::span<T> shifted(buf.data() + 1, 3);
    std::optional<Error> err = error_of([&] { ferrule::add(head, head, shifted); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && std::string(err->message()) == c_message());
    CHECK((buf == std::vector<T>{1, 2, 3, 4}));

    // Lengths: found by the wrapper.
    set_known_c_message();
    const std::string before = c_message();
    std::vector<T> two(2);
    err = error_of([&] { ferrule::add(a, b, two); });
    CHECK(err && err->status() == FERRULE_STATUS_LENGTH_MISMATCH);
    CHECK(err && std::string(err->message()) == "add: lengths [3, 3, 2] differ");
    CHECK(c_message() == before);
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::subtract(a, two); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::multiply(two, a, out); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::scale(a, T(1), two); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::axpy(T(1), a, two); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::axpy(T(1), a, b, two); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::fma(a, b, two); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::fma(a, b, c, two); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::normalize(a, two); }));
    CHECK(c_message() == before);
}

template <class T>
void test_batch() {
    // Rows of dimension 2.
    const std::vector<T> query{1, 0};
    const std::vector<T> matrix{1, 0, 0, 2, -3, 0};
    CHECK((ferrule::one_to_many(query, matrix, ferrule::Metric::dot) == std::vector<T>{1, 0, -3}));
    CHECK((ferrule::one_to_many(query, matrix) == std::vector<T>{0, 1, 2}));  // cosine by default
    CHECK((ferrule::one_to_many(query, matrix, ferrule::Metric::sqeuclidean) == std::vector<T>{0, 5, 16}));
    std::vector<T> out(3);
    ferrule::one_to_many(query, matrix, out, ferrule::Metric::manhattan);
    CHECK((out == std::vector<T>{0, 3, 4}));
    std::vector<T> c_out(3);
    const ferrule_vec_options c_options{};
    ferrule_status status = FERRULE_STATUS_OK;
    if constexpr (std::is_same_v<T, float>) {
        status = ferrule_vec_one_to_many_f32(query.data(), 2, matrix.data(), 3, 2, FERRULE_METRIC_MANHATTAN,
                                             &c_options, c_out.data(), c_out.size());
    } else {
        status = ferrule_vec_one_to_many_f64(query.data(), 2, matrix.data(), 3, 2, FERRULE_METRIC_MANHATTAN,
                                             &c_options, c_out.data(), c_out.size());
    }
    CHECK(status == FERRULE_STATUS_OK && c_out == out);
    const ferrule::VecOptions options{ferrule::Precision::accurate, 2};
    CHECK((ferrule::one_to_many(query, matrix, ferrule::Metric::dot, options) == std::vector<T>{1, 0, -3}));
    CHECK(ferrule::one_to_many(query, std::vector<T>()).empty());

    // A matrix that is not whole rows: the wrapper. An output too small: C.
    std::optional<Error> err = error_of([&] { ferrule::one_to_many(query, std::vector<T>{1, 2, 3}); });
    CHECK(err && err->status() == FERRULE_STATUS_LENGTH_MISMATCH);
    CHECK(err && std::string(err->message()) == "matrix: 3 elements are not whole rows of dimension 2");
    std::vector<T> small(2);
    err = error_of([&] { ferrule::one_to_many(query, matrix, small); });
    CHECK(err && err->status() == FERRULE_STATUS_LENGTH_MISMATCH && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::one_to_many(std::vector<T>(), matrix); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] {
        ferrule::one_to_many(query, matrix, ferrule::Metric::dot, ferrule::VecOptions{ferrule::Precision::fast, 2000});
    }));

    // cdist: a (2 rows) against b (3 rows).
    const std::vector<T> a{0, 0, 1, 1};
    const std::vector<T> b{0, 0, 3, 4, 1, 0};
    CHECK((ferrule::cdist(a, b, 2) == std::vector<T>{0, 25, 1, 2, 13, 1}));
    std::vector<T> pairs(6);
    ferrule::cdist(a, b, 2, pairs, ferrule::Metric::manhattan);
    CHECK((pairs == std::vector<T>{0, 7, 1, 2, 5, 1}));
    CHECK((ferrule::cdist(a, a, 2, ferrule::Metric::euclidean, options).size() == 4));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::cdist(a, b, 4); }));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::cdist(a, b, 2, small); }));
    CHECK(ferrule::cdist(std::vector<T>(), b, 2).empty());

    // topk: the 2 closest of 3 database rows for each of 2 queries.
    const std::vector<T> queries{0, 0, 3, 3};
    const ferrule::TopkResult<T> top = ferrule::topk(queries, b, 2, 2, ferrule::Metric::sqeuclidean);
    CHECK((top.indices == std::vector<std::size_t>{0, 2, 1, 2}));
    CHECK((top.distances == std::vector<T>{0, 1, 1, 13}));
    const ferrule::TopkResult<T> by_dot = ferrule::topk(queries, b, 2, 1, ferrule::Metric::dot, options);
    // Query (0, 0) ties every row at 0: the lowest row wins.
    CHECK((by_dot.indices == std::vector<std::size_t>{0, 1}) && (by_dot.distances == std::vector<T>{0, 21}));
    const ferrule::TopkResult<T> none = ferrule::topk(queries, b, 2, 0);
    CHECK(none.indices.empty() && none.distances.empty());
    err = error_of([&] { ferrule::topk(queries, b, 2, 4); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && contains(err->message(), "k = 4"));
    CHECK(throws(FERRULE_STATUS_LENGTH_MISMATCH, [&] { ferrule::topk(queries, b, 3, 1); }));
}

// ------------------------------------------------------------------------------------- logs

void test_log_names() {
    CHECK(ferrule::on_error_parse("row") == ferrule::OnError::row);
    CHECK(ferrule::on_error_parse("skip") == ferrule::OnError::skip);
    CHECK(ferrule::on_error_parse("raise") == ferrule::OnError::raise);
    std::optional<Error> err = error_of([] { ferrule::on_error_parse("ignore"); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && std::string(err->message()) == c_message());
    CHECK(ferrule::column_type_name(ferrule::ColumnType::timestamp) == "timestamp[us, UTC]");
    CHECK(ferrule::column_type_name(ferrule::ColumnType::bool_) == "bool");
    CHECK(ferrule::column_type_name(ferrule::ColumnType::dictionary) == "dictionary");
    CHECK(ferrule::column_type_name(static_cast<ferrule::ColumnType>(42)).empty());
}

void test_formats() {
    const ferrule::LogFormat combined = ferrule::LogFormat::preset("combined");
    CHECK(static_cast<bool>(combined) && combined.get_kind() == ferrule::LogFormatKind::preset);
    CHECK(ferrule::LogFormat::parse("clf", ferrule::LogFormatKind::preset).get_kind() == ferrule::LogFormatKind::preset);
    const ferrule::LogFormat nginx = ferrule::LogFormat::nginx("$remote_addr [$time_local] \"$request\" $status");
    CHECK(nginx.get_kind() == ferrule::LogFormatKind::nginx);
    const ferrule::LogFormat apache = ferrule::LogFormat::apache("%h %l %u %t \"%r\" %>s %b");
    CHECK(apache.get_kind() == ferrule::LogFormatKind::apache);
    const ferrule::LogFormat tmpl = ferrule::LogFormat::template_("<Date> <Level>: <Content>");
    CHECK(tmpl.get_kind() == ferrule::LogFormatKind::template_);

    std::optional<Error> err = error_of([] { ferrule::LogFormat::preset("combined2"); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && std::string(err->message()) == c_message());
    // A format string that does not compile is a parse error without a line.
    err = error_of([] { ferrule::LogFormat::nginx("$a$b"); });
    CHECK(err && err->status() == FERRULE_STATUS_PARSE && err->line() == 0 && err->reason().empty());
    CHECK(throws(FERRULE_STATUS_INVALID_UTF8, [] { ferrule::LogFormat::apache("\xc3"); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT,
                 [] { ferrule::LogFormat::parse("combined", static_cast<ferrule::LogFormatKind>(9)); }));

    // Each format parses its lines.
    const ferrule::LogTable by_nginx = ferrule::parse_bytes("1.2.3.4 [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 404", nginx);
    CHECK(by_nginx.num_rows() == 1 && by_nginx.column_u16("status")[0] == 404);
    const std::string common_line = "1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] \"GET /b HTTP/1.0\" 200 2326";
    const ferrule::LogTable by_apache = ferrule::parse_bytes(common_line, apache);
    const ferrule::LogTable by_common = ferrule::parse_bytes(common_line, "common");
    CHECK(by_apache.column_u64("bytes")[0] == 2326 && by_common.column_u64("bytes")[0] == 2326);
    CHECK(by_apache.column_timestamp("timestamp")[0] == by_common.column_timestamp("timestamp")[0]);
    const ferrule::LogTable by_template = ferrule::parse_bytes("2024-01-01 INFO: hello there\n", tmpl);
    CHECK(by_template.column_names() ==
          (std::vector<std::string_view>{"line", "Date", "Level", "Content", "error", "error_offset"}));
    CHECK(by_template.column_strings("Content")[0] == "hello there");
    CHECK(by_template.dictionary("Level")[by_template.column_codes("Level")[0]] == "INFO");

    // Moves and ownership, as for every handle.
    ferrule::LogFormat moved = ferrule::LogFormat::preset("jsonl");
    ferrule_log_format *raw = moved.native_handle();
    ferrule::LogFormat target = ferrule::LogFormat::preset("logfmt");
    target = std::move(moved);
    CHECK(!moved && target.native_handle() == raw);  // NOLINT(bugprone-use-after-move)
    err = error_of([&] { (void)moved.get_kind(); });
    CHECK(err && err->status() == FERRULE_STATUS_NULL_POINTER);
    CHECK(err && std::string(err->message()) == "argument `format` must not be NULL");
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { ferrule::parse_bytes("x", moved); }));
    ferrule::LogFormat adopted(target.release());
    CHECK(!target && adopted.native_handle() == raw);
    CHECK(!ferrule::LogFormat());
}

// The sample access log, parsed whole: known values of the data, and the C API's pointers.
void test_table(const ferrule::LogTable &table) {
    CHECK(table.num_rows() == kSampleLines);
    CHECK(table.num_columns() == 17);
    const std::vector<std::string_view> names = table.column_names();
    const std::vector<std::string_view> expected{"line",     "vhost",  "client", "ident",      "user",  "timestamp",
                                                 "tz_offset", "request", "method", "path",       "protocol", "status",
                                                 "bytes",    "referer", "user_agent", "error", "error_offset"};
    CHECK(names == expected);
    CHECK(table.column_index("status") == 11 && table.column_name(11) == "status");
    CHECK(table.column_type(11) == ferrule::ColumnType::uint16);
    CHECK(table.column_type("timestamp") == ferrule::ColumnType::timestamp);
    CHECK(table.column_type("path") == ferrule::ColumnType::string);
    CHECK(table.column_type("method") == ferrule::ColumnType::dictionary);
    CHECK(table.column_type("tz_offset") == ferrule::ColumnType::int16);

    // The line column, by name and by index, is C's pointer.
    const ferrule::span<const std::uint64_t> lines = table.column_u64("line");
    const std::uint64_t *c_values = nullptr;
    std::size_t c_len = 0;
    CHECK(ferrule_log_table_column_u64(table.native_handle(), 0, &c_values, &c_len) == FERRULE_STATUS_OK);
    CHECK(lines.data() == c_values && lines.size() == c_len && c_len == kSampleLines);
    CHECK(table.column_u64(std::size_t{0}).data() == c_values);
    CHECK(lines[0] == 1 && lines[1] == 2 && lines.back() == kSampleLines);

    const ferrule::span<const std::uint16_t> status = table.column_u16("status");
    CHECK(status.size() == kSampleLines && table.column_u16(11).data() == status.data());
    CHECK(std::count(status.begin(), status.end(), 200) == 9126);
    CHECK(std::count(status.begin(), status.end(), 404) == 213);
    const ferrule::span<const std::int16_t> tz = table.column_i16("tz_offset");
    CHECK(tz.size() == kSampleLines && std::all_of(tz.begin(), tz.end(), [](std::int16_t m) { return m == 0; }));
    CHECK(table.column_i16(6).data() == tz.data());
    const ferrule::span<const std::int64_t> timestamps = table.column_timestamp("timestamp");
    CHECK(timestamps[0] == 1431857103000000 && timestamps[1] == 1431857143000000);
    CHECK(table.column_timestamp(5).data() == timestamps.data());
    const ferrule::span<const std::uint64_t> bytes = table.column_u64("bytes");
    CHECK(bytes[0] == 203023 && bytes[1] == 171717);

    // Validity: bytes logged as `-` are null.
    const ferrule::Validity valid = table.validity("bytes");
    const std::uint8_t *c_bits = nullptr;
    std::size_t c_nulls = 0;
    CHECK(ferrule_log_table_validity(table.native_handle(), 12, &c_bits, &c_nulls) == FERRULE_STATUS_OK);
    CHECK(valid.data() == c_bits && valid.null_count() == c_nulls && c_nulls == 669);
    CHECK(valid.size() == kSampleLines && valid.size_bytes() == 1250 && !valid.empty());
    CHECK(std::count(valid.begin(), valid.end(), false) == 669);
    std::uint64_t total = 0;
    for (std::size_t row = 0; row < bytes.size(); ++row) {
        if (valid[row]) total += bytes[row];
    }
    CHECK(total == 2747282740u);
    CHECK(table.validity(std::size_t{0}).null_count() == 0);
    CHECK(table.validity("referer").null_count() == 4073);
    CHECK(table.validity("error").null_count() == kSampleLines - 1);

    // Plain strings.
    const ferrule::StringColumn request = table.column_strings("request");
    CHECK(request.size() == kSampleLines && !request.empty());
    CHECK(request[0] == "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1");
    CHECK(request.offsets().size() == kSampleLines + 1 && request.offsets()[0] == 0);
    CHECK(request.values().size() == static_cast<std::size_t>(request.offsets().back()));
    const std::int64_t *c_offsets = nullptr;
    const std::uint8_t *c_bytes = nullptr;
    std::size_t c_rows = 0;
    CHECK(ferrule_log_table_column_strings(table.native_handle(), 7, &c_offsets, &c_bytes, &c_rows) ==
          FERRULE_STATUS_OK);
    CHECK(request.offsets().data() == c_offsets && request.values().data() == c_bytes && c_rows == kSampleLines);
    const ferrule::StringColumn paths = table.column_strings(9);
    CHECK(std::count(paths.begin(), paths.end(), "/favicon.ico") == 807);
    CHECK(paths[kBadLine - 1] == "/scripts/grok-py-test/configlib.py");
    CHECK(std::distance(paths.begin(), paths.end()) == static_cast<std::ptrdiff_t>(kSampleLines));

    // Dictionaries.
    const ferrule::Dictionary methods = table.dictionary("method");
    CHECK(methods.size() == 4 && !methods.empty());
    CHECK((std::vector<std::string_view>(methods.begin(), methods.end()) ==
           std::vector<std::string_view>{"GET", "HEAD", "POST", "OPTIONS"}));
    CHECK(methods.offsets().size() == 5 && methods.values().size() == std::string_view("GETHEADPOSTOPTIONS").size());
    // The views' iterators are random access.
    ferrule::Dictionary::iterator it = methods.begin(), end = methods.end();
    CHECK(*(it + 2) == "POST" && it[3] == "OPTIONS" && (1 + it)[0] == "HEAD" && end - it == 4);
    CHECK(*--end == "OPTIONS" && *(end - 3) == "GET");
    end--;
    CHECK(*end == "POST");
    it += 2;
    CHECK(*it == "POST" && it == end && !(it != end) && it <= end && it >= end);
    it -= 2;
    CHECK(it < end && end > it && *(end - 1) == "HEAD");
    const ferrule::Dictionary::iterator before_step = it++;
    CHECK(*before_step == "GET" && *it == "HEAD" && *it-- == "HEAD" && *it == "GET");
    CHECK(ferrule::Dictionary::iterator() == ferrule::Dictionary::iterator());
    const ferrule::span<const std::uint32_t> codes = table.column_codes("method");
    CHECK(codes.size() == kSampleLines && table.column_codes(8).data() == codes.data());
    CHECK(methods[codes[0]] == "GET");
    const std::uint32_t *c_dict_offsets = nullptr;
    const std::uint8_t *c_dict_values = nullptr;
    std::size_t c_count = 0;
    CHECK(ferrule_log_table_dictionary(table.native_handle(), 8, &c_dict_offsets, &c_dict_values, &c_count) ==
          FERRULE_STATUS_OK);
    CHECK(methods.offsets().data() == c_dict_offsets && methods.values().data() == c_dict_values && c_count == 4);
    CHECK(table.dictionary(std::size_t{10}).size() == 2);  // protocol: HTTP/1.1, HTTP/1.0
    CHECK(table.dictionary("client").size() == 1753);

    // The dictionary as a pool: the codes are its ids.
    const ferrule::StringPool method_pool = table.dictionary_pool("method");
    CHECK(method_pool.len() == 4 && method_pool.get("POST") == std::optional<std::uint32_t>(2));
    CHECK(table.dictionary_pool(std::size_t{8}).resolve(3) == "OPTIONS");

    // The failed line and the counts.
    CHECK(table.error_count() == 1);
    const ferrule::LogError bad = table.error(0);
    CHECK(bad.line == kBadLine && bad.code == "UNTERMINATED_QUOTE" && bad.offset == kBadOffset);
    CHECK(bad.text == line_of(apache_text, kBadLine));
    const std::vector<ferrule::LogError> errors = table.errors();
    CHECK(errors.size() == 1 && errors[0].line == kBadLine && errors[0].text.data() == bad.text.data());
    const ferrule::LogStats stats = table.stats();
    CHECK(stats.lines == kSampleLines && stats.ok == kSampleLines - 1 && stats.errors == 1 && stats.skipped == 0);
    CHECK(stats.bytes == apache_text.size());
    std::size_t c_memory = 0;
    CHECK(ferrule_log_table_memory_usage(table.native_handle(), &c_memory) == FERRULE_STATUS_OK);
    CHECK(table.memory_usage() == c_memory && c_memory > 0);

    // Wrong types, indexes and names: C's errors.
    std::optional<Error> err = error_of([&] { table.column_u64("status"); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { table.column_strings("method"); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { table.column_codes("path"); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { table.dictionary("status"); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { table.column_i64("status"); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { table.column_f64("status"); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { table.column_bool("status"); }));
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { table.column_u64(17); }));
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { table.column_name(17); }));
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { table.column_type(99); }));
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { table.validity(17); }));
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { table.dictionary_pool(17); }));
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { table.error(1); }));
    err = error_of([&] { table.column_index("statuz"); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && contains(err->message(), "status"));
}

void test_parse_file() {
    ferrule::LogOptions one_thread;
    one_thread.threads = 1;
    const ferrule::LogTable table = ferrule::parse_file(apache_path, "combined", one_thread);
    test_table(table);

    // The same table from a format object, from bytes (std::string_view and a byte span).
    const ferrule::LogFormat combined = ferrule::LogFormat::preset("combined");
    const ferrule::LogTable again = ferrule::parse_file(apache_path, combined);
    CHECK(again.num_rows() == kSampleLines && again.stats().ok == kSampleLines - 1);
    const ferrule::LogTable from_text = ferrule::parse_bytes(apache_text);
    const std::vector<std::uint8_t> raw(apache_text.begin(), apache_text.end());
    const ferrule::LogTable from_bytes = ferrule::parse_bytes(raw, combined, one_thread);
    const ferrule::LogTable from_bytes_preset = ferrule::parse_bytes(ferrule::span<const std::uint8_t>(raw.data(), 0));
    CHECK(from_bytes_preset.num_rows() == 0);
    const ferrule::span<const std::uint16_t> s1 = table.column_u16("status"), s2 = from_text.column_u16("status"),
                                             s3 = from_bytes.column_u16("status");
    CHECK(std::equal(s1.begin(), s1.end(), s2.begin(), s2.end()) && std::equal(s1.begin(), s1.end(), s3.begin(), s3.end()));

    // Raise: the bad line's location arrives in the Error, as ferrule_log_last_error has it.
    ferrule::LogOptions raise;
    raise.on_error = ferrule::OnError::raise;
    std::optional<Error> err = error_of([&] { ferrule::parse_file(apache_path, "combined", raise); });
    CHECK(err && err->status() == FERRULE_STATUS_PARSE && err->code() == "FERRULE_PARSE");
    CHECK(err && err->line() == kBadLine && err->offset() == kBadOffset && err->reason() == "UNTERMINATED_QUOTE");
    CHECK(err && std::string(err->message()) == c_message() && contains(err->message(), "8899"));
    std::uint64_t c_line = 0, c_offset = 0;
    const std::uint8_t *c_reason = nullptr;
    std::size_t c_reason_len = 0;
    CHECK(ferrule_log_last_error(&c_line, &c_offset, &c_reason, &c_reason_len) == FERRULE_STATUS_OK);
    CHECK(err && c_line == err->line() && c_offset == err->offset() &&
          std::string_view(reinterpret_cast<const char *>(c_reason), c_reason_len) == err->reason());
    err = error_of([&] { ferrule::parse_bytes(apache_text, combined, raise); });
    CHECK(err && err->status() == FERRULE_STATUS_PARSE && err->line() == kBadLine);
    // A copied Error keeps its location (the reason is static).
    const Error copy = *err;
    CHECK(copy.reason() == "UNTERMINATED_QUOTE" && copy.line() == kBadLine);

    // Skip: the line is dropped but still listed.
    ferrule::LogOptions skip;
    skip.on_error = ferrule::OnError::skip;
    const ferrule::LogTable skipped = ferrule::parse_bytes(apache_text, "combined", skip);
    CHECK(skipped.num_rows() == kSampleLines - 1 && skipped.stats().skipped == 1 && skipped.error_count() == 1);
    CHECK(skipped.validity("error").null_count() == kSampleLines - 1);

    // I/O errors, and bad options (C's checks).
    err = error_of([] { ferrule::parse_file("/nonexistent/ferrule/access.log"); });
    CHECK(err && err->status() == FERRULE_STATUS_IO && err->line() == 0 && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_IO, [] { ferrule::parse_file("/"); }));
    ferrule::LogOptions too_many;
    too_many.threads = 2000;
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::parse_bytes("", "combined", too_many); }));
}

void test_options() {
    const std::string line = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a\\\"b HTTP/1.0\" 200 5 \"-\" \"curl\"\n";
    // plain_columns: default (request, path plain), a list, none.
    const ferrule::LogTable defaults = ferrule::parse_bytes(line);
    CHECK(defaults.column_type("path") == ferrule::ColumnType::string);
    CHECK(defaults.column_type("user_agent") == ferrule::ColumnType::dictionary);
    ferrule::LogOptions options;
    options.plain_columns = std::vector<std::string>{"request", " user_agent"};
    const ferrule::LogTable listed = ferrule::parse_bytes(line, "combined", options);
    CHECK(listed.column_type("path") == ferrule::ColumnType::dictionary);
    CHECK(listed.column_type("user_agent") == ferrule::ColumnType::string);
    CHECK(listed.column_strings("user_agent")[0] == "curl");
    options.plain_columns = std::vector<std::string>{};
    const ferrule::LogTable none = ferrule::parse_bytes(line, "combined", options);
    CHECK(none.column_type("request") == ferrule::ColumnType::dictionary);
    options.plain_columns = std::vector<std::string>{"status"};
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::parse_bytes(line, "combined", options); }));

    // unescape: \" in the request becomes ".
    CHECK(defaults.column_strings("path")[0] == "/a\\\"b");
    ferrule::LogOptions unescape;
    unescape.unescape = true;
    CHECK(ferrule::parse_bytes(line, "combined", unescape).column_strings("path")[0] == "/a\"b");

    // strict_utf8: a line that is not UTF-8 becomes an INVALID_UTF8 row.
    const std::string latin1 = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /caf\xe9 HTTP/1.0\" 200 5 \"-\" \"x\"";
    CHECK(ferrule::parse_bytes(latin1).error_count() == 0);
    ferrule::LogOptions strict;
    strict.strict_utf8 = true;
    const ferrule::LogTable strict_table = ferrule::parse_bytes(latin1, "combined", strict);
    CHECK(strict_table.error_count() == 1 && strict_table.error(0).code == "INVALID_UTF8");

    // year and reference_time_us: the year of syslog_rfc3164 lines (auth.log crosses into January).
    ferrule::LogOptions year;
    year.year = 2024;
    const ferrule::LogTable auth = ferrule::parse_file(auth_path, "syslog_rfc3164", year);
    CHECK(auth.num_rows() == 241 && auth.error_count() == 1 && auth.error(0).line == 118);
    CHECK(auth.error(0).code == "BAD_TIMESTAMP");
    CHECK(auth.column_timestamp("timestamp")[0] == 1735683651000000);  // 2024-12-31 22:20:51 UTC
    CHECK(auth.column_u16("facility")[0] == 4 && auth.validity("facility").null_count() == 145);
    CHECK(auth.dictionary("app_name")[0] == "sshd");
    CHECK(auth.column_strings("message")[0] == "Failed password for root from 203.0.113.4 port 10564 ssh2");
    ferrule::LogOptions reference;
    reference.reference_time_us = 1735732800000000;  // 2025-01-01 12:00:00 UTC: Dec 31 is 2024's
    const ferrule::LogTable by_reference = ferrule::parse_file(auth_path, "syslog_rfc3164", reference);
    CHECK(by_reference.column_timestamp("timestamp")[0] == 1735683651000000);
    reference.year = 2024;
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::parse_file(auth_path, "syslog_rfc3164", reference); }));

    // jsonl: int64, float64, bool columns; flatten.
    const ferrule::LogTable app = ferrule::parse_file(jsonl_path, "jsonl");
    CHECK(app.num_rows() == 201 && app.column_type("status") == ferrule::ColumnType::int64);
    CHECK(app.column_i64("status")[0] == 200 && app.column_i64(5).data() == app.column_i64("status").data());
    CHECK(app.column_f64("duration_ms")[1] == 272.734 && app.column_f64(6)[2] == 2.509);
    const ferrule::span<const std::uint8_t> cached = app.column_bool("cached");
    CHECK(cached[0] == 0 && cached[1] == 1 && app.column_bool(7).data() == cached.data());
    CHECK(app.validity("cached").null_count() == 1);
    CHECK(app.error_count() == 1 && app.error(0).line == 89 && app.error(0).code == "INVALID_JSON");
    CHECK(app.column_type("user") == ferrule::ColumnType::dictionary);
    ferrule::LogOptions flatten;
    flatten.flatten = true;
    const ferrule::LogTable flat = ferrule::parse_file(jsonl_path, "jsonl", flatten);
    CHECK(flat.column_i64("user.id")[0] == 8 && flat.dictionary("user.plan")[flat.column_codes("user.plan")[0]] == "free");
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::parse_bytes(line, "combined", flatten); }));

    // octet_counted: RFC 6587 framing of syslog_rfc5424.
    const std::string message = "<34>1 2003-10-11T22:14:15.003Z host su - ID47 - 'su root' failed";
    const std::string framed = std::to_string(message.size()) + " " + message + std::to_string(message.size()) + " " + message;
    ferrule::LogOptions octets;
    octets.octet_counted = true;
    const ferrule::LogTable syslog = ferrule::parse_bytes(framed, "syslog_rfc5424", octets);
    CHECK(syslog.num_rows() == 2 && syslog.error_count() == 0);
    CHECK(syslog.dictionary("hostname")[0] == "host" && syslog.column_strings("message")[1] == "'su root' failed");
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::parse_bytes(line, "combined", octets); }));
}

void test_table_moves() {
    ferrule::LogTable table = ferrule::parse_bytes(line_of(apache_text, 1) + "\n" + line_of(apache_text, 2));
    const ferrule::StringColumn request = table.column_strings("request");
    ferrule_log_table *raw = table.native_handle();
    ferrule::LogTable moved(std::move(table));
    CHECK(!table && moved.native_handle() == raw);  // NOLINT(bugprone-use-after-move)
    CHECK(request.size() == 2 && request[1] == moved.column_strings("request")[1]);  // views survive the move
    std::optional<Error> err = error_of([&] { (void)table.num_rows(); });
    CHECK(err && err->status() == FERRULE_STATUS_NULL_POINTER);
    CHECK(err && std::string(err->message()) == "argument `table` must not be NULL");
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { table.column_u16("status"); }));
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { table.stats(); }));
    ferrule::LogTable other = ferrule::parse_bytes(line_of(apache_text, 3));
    other = std::move(moved);  // frees the one-row table
    CHECK(other.native_handle() == raw && other.num_rows() == 2 && !moved);
    ferrule::LogTable &alias = other;
    other = std::move(alias);
    CHECK(other.num_rows() == 2);
    ferrule_log_table *released = other.release();
    CHECK(released == raw && !other);
    ferrule::LogTable adopted(released);
    CHECK(adopted.num_rows() == 2);
    adopted.reset();
    CHECK(!adopted && !ferrule::LogTable());

    // Empty views.
    const ferrule::StringColumn no_strings;
    const ferrule::Dictionary no_words;
    const ferrule::Validity no_bits;
    CHECK(no_strings.empty() && no_strings.offsets().empty() && no_strings.values().empty());
    CHECK(no_words.empty() && no_words.begin() == no_words.end() && no_words.values().empty());
    CHECK(no_bits.empty() && no_bits.size_bytes() == 0 && no_bits.null_count() == 0);
    const ferrule::LogTable empty_table = ferrule::parse_bytes(std::string_view());
    CHECK(empty_table.num_rows() == 0 && empty_table.column_strings("request").empty());
    CHECK(empty_table.column_strings("request").offsets().size() == 1);
    CHECK(empty_table.dictionary("method").empty() && empty_table.dictionary("method").offsets().size() == 1);
    CHECK(empty_table.validity("status").size() == 0 && empty_table.validity("status").data() != nullptr);
}

void test_stream_parser() {
    ferrule::StreamParser parser("combined");
    CHECK(static_cast<bool>(parser));
    // Chunks that end mid-line: the first third as text, the rest as bytes.
    const std::size_t third = apache_text.size() / 3;
    parser.push(std::string_view(apache_text).substr(0, third));
    ferrule::LogTable first = parser.take_batch();
    const std::size_t first_rows = first.num_rows();
    CHECK(first_rows > 0 && first_rows < kSampleLines);
    CHECK(first.column_u64("line")[0] == 1);
    const std::vector<std::uint8_t> rest(apache_text.begin() + static_cast<std::ptrdiff_t>(third), apache_text.end());
    parser.push(ferrule::span<const std::uint8_t>(rest.data(), rest.size() - 1));  // hold back the last byte
    parser.push(ferrule::span<const std::uint8_t>(rest.data() + rest.size() - 1, 1));
    const ferrule::LogTable second = parser.take_batch();
    const ferrule::LogTable last = parser.finish();
    CHECK(first_rows + second.num_rows() + last.num_rows() == kSampleLines);
    CHECK(second.column_u64("line")[0] == first_rows + 1);
    // Codes run on across batches: a later dictionary extends an earlier one.
    const ferrule::Dictionary early = first.dictionary("method"), later = second.dictionary("method");
    CHECK(later.size() >= early.size() && early.size() > 0 && later[0] == early[0]);
    CHECK(first.error_count() + second.error_count() + last.error_count() == 1);

    // After finish: nothing more (C's rule).
    std::optional<Error> err = error_of([&] { parser.push("more"); });
    CHECK(err && err->status() == FERRULE_STATUS_INVALID_ARGUMENT && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { parser.take_batch(); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { parser.finish(); }));

    // Raise: the push that meets the bad line throws with its location; the rows before it
    // stay available; finish keeps failing.
    ferrule::LogOptions raise;
    raise.on_error = ferrule::OnError::raise;
    ferrule::StreamParser strict(ferrule::LogFormat::preset("combined"), raise);
    err = error_of([&] { strict.push(apache_text); });
    CHECK(err && err->status() == FERRULE_STATUS_PARSE && err->line() == kBadLine && err->offset() == kBadOffset);
    CHECK(err && err->reason() == "UNTERMINATED_QUOTE");
    CHECK(strict.take_batch().num_rows() == kBadLine - 1);
    CHECK(throws(FERRULE_STATUS_PARSE, [&] { strict.push("x"); }));
    err = error_of([&] { strict.finish(); });
    CHECK(err && err->status() == FERRULE_STATUS_PARSE && err->line() == kBadLine);

    // Construction errors, adoption and moves.
    ferrule::LogOptions bad;
    bad.on_error = static_cast<ferrule::OnError>(7);
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::StreamParser p("combined", bad); }));
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [&] { ferrule::StreamParser p("nope"); }));
    ferrule_log_parser *raw = nullptr;
    const ferrule::LogFormat common = ferrule::LogFormat::preset("common");
    CHECK(ferrule_log_parser_new(common.native_handle(), nullptr, &raw) == FERRULE_STATUS_OK);
    ferrule::StreamParser adopted(raw);
    adopted.push("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5");
    ferrule::StreamParser moved(std::move(adopted));
    CHECK(!adopted && moved.native_handle() == raw);  // NOLINT(bugprone-use-after-move)
    err = error_of([&] { adopted.push("x"); });
    CHECK(err && err->status() == FERRULE_STATUS_NULL_POINTER);
    CHECK(err && std::string(err->message()) == "argument `parser` must not be NULL");
    ferrule::StreamParser target("combined");
    target = std::move(moved);  // frees the combined parser
    CHECK(target.native_handle() == raw && target.finish().num_rows() == 1);
    CHECK(!ferrule::StreamParser());
    ferrule::StreamParser released("combined");
    ferrule_log_parser_free(released.release());
    CHECK(!released);
}

void test_batch_reader() {
    // Range-for over batches of 3000 rows; a batch may be moved out and kept.
    std::vector<std::size_t> sizes;
    std::uint64_t next_line = 1;
    bool lines_run_on = true;
    ferrule::LogTable kept;
    std::size_t errors = 0;
    for (ferrule::LogTable &batch : ferrule::iter_batches(apache_path, "combined", {}, 3000)) {
        sizes.push_back(batch.num_rows());
        lines_run_on = lines_run_on && batch.column_u64("line")[0] == next_line;
        next_line += batch.num_rows();
        errors += batch.error_count();
        if (sizes.size() == 2) kept = std::move(batch);
    }
    CHECK((sizes == std::vector<std::size_t>{3000, 3000, 3000, 1000}));
    CHECK(lines_run_on && errors == 1);
    CHECK(kept.num_rows() == 3000 && kept.column_u64("line")[0] == 3001);

    // next(), with a format object; the end is nullopt, again and again.
    const ferrule::LogFormat combined = ferrule::LogFormat::preset("combined");
    ferrule::BatchReader reader = ferrule::iter_batches(apache_path, combined, {}, 6000);
    std::optional<ferrule::LogTable> one = reader.next();
    CHECK(one && one->num_rows() == 6000);
    std::optional<ferrule::LogTable> two = reader.next();
    CHECK(two && two->num_rows() == 4000 && two->stats().errors == 1);
    CHECK(!reader.next() && !reader.next());
    CHECK(reader.begin() == reader.end());

    // The iterator's operations, on a reader built by its constructor.
    ferrule::BatchReader direct(apache_path, combined, {}, 9000);
    ferrule::BatchReader::iterator it = direct.begin();
    CHECK(it != direct.end() && it->num_rows() == 9000 && (*it).column_u64("line")[0] == 1);
    ++it;
    CHECK(it != direct.end() && it->num_rows() == 1000);
    it++;
    CHECK(it == direct.end());

    // Raise: the batch that meets the bad line throws, and later calls too.
    ferrule::LogOptions raise;
    raise.on_error = ferrule::OnError::raise;
    ferrule::BatchReader strict = ferrule::iter_batches(apache_path, "combined", raise, 5000);
    CHECK(strict.next()->num_rows() == 5000);
    std::optional<Error> err = error_of([&] { strict.next(); });
    CHECK(err && err->status() == FERRULE_STATUS_PARSE && err->line() == kBadLine && err->reason() == "UNTERMINATED_QUOTE");
    CHECK(throws(FERRULE_STATUS_PARSE, [&] { strict.next(); }));

    // Open errors (C's).
    err = error_of([] { ferrule::iter_batches("/nonexistent/ferrule.log"); });
    CHECK(err && err->status() == FERRULE_STATUS_IO && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_INVALID_ARGUMENT, [] { ferrule::iter_batches(apache_path, "combined", {}, 0); }));

    // Moves and adoption.
    ferrule::BatchReader moved(std::move(reader));
    CHECK(!reader && static_cast<bool>(moved));  // NOLINT(bugprone-use-after-move)
    err = error_of([&] { reader.next(); });
    CHECK(err && err->status() == FERRULE_STATUS_NULL_POINTER);
    CHECK(err && std::string(err->message()) == "argument `reader` must not be NULL");
    CHECK(throws(FERRULE_STATUS_NULL_POINTER, [&] { reader.begin(); }));
    ferrule_log_reader *raw = nullptr;
    CHECK(ferrule_log_reader_open(reinterpret_cast<const std::uint8_t *>(jsonl_path.data()), jsonl_path.size(),
                                  ferrule::LogFormat::preset("jsonl").native_handle(), nullptr, 150,
                                  &raw) == FERRULE_STATUS_OK);
    ferrule::BatchReader adopted(raw);
    std::size_t rows = 0;
    for (const ferrule::LogTable &batch : adopted) rows += batch.num_rows();
    CHECK(rows == 201);
    moved = std::move(adopted);  // frees the access-log reader
    CHECK(moved.native_handle() == raw && !adopted);
    CHECK(!ferrule::BatchReader());
}

void test_structured_data() {
    const std::string text =
        "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"hi\\\"gh\"]";
    const ferrule::StructuredData sd = ferrule::parse_structured_data(text);
    CHECK(sd.count() == 2);
    CHECK(sd.id(0) == "exampleSDID@32473" && sd.id(1) == "examplePriority@32473");
    CHECK(sd.param_count(0) == 3 && sd.param_count(1) == 1);
    const ferrule::SdParam source = sd.param(0, 1);
    CHECK(source.name == "eventSource" && source.value == "Application");
    CHECK(sd.param(1, 0).name == "class" && sd.param(1, 0).value == "hi\"gh");  // unescaped
    const std::uint8_t *c_id = nullptr;
    std::size_t c_len = 0;
    CHECK(ferrule_sd_id(sd.native_handle(), 0, &c_id, &c_len) == FERRULE_STATUS_OK);
    CHECK(sd.id(0).data() == reinterpret_cast<const char *>(c_id) && sd.id(0).size() == c_len);
    std::optional<Error> err = error_of([&] { sd.id(2); });
    CHECK(err && err->status() == FERRULE_STATUS_OUT_OF_RANGE && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { sd.param(0, 3); }));
    CHECK(throws(FERRULE_STATUS_OUT_OF_RANGE, [&] { sd.param_count(5); }));
    CHECK(ferrule::parse_structured_data("-").count() == 0);
    err = error_of([] { ferrule::parse_structured_data("[unclosed"); });
    CHECK(err && err->status() == FERRULE_STATUS_PARSE && err->line() == 0 && std::string(err->message()) == c_message());
    CHECK(throws(FERRULE_STATUS_PARSE, [] { ferrule::parse_structured_data(""); }));

    // From a syslog_rfc5424 table's cell; the values outlive the table (they are sd's).
    std::string_view value;
    ferrule::StructuredData kept;
    {
        const ferrule::LogTable table = ferrule::parse_bytes(
            "<165>1 2003-10-11T22:14:15.003Z host app - ID47 [origin ip=\"192.0.2.1\"] hello", "syslog_rfc5424");
        kept = ferrule::parse_structured_data(table.column_strings("structured_data")[0]);
        value = kept.param(0, 0).value;
    }
    CHECK(kept.id(0) == "origin" && value == "192.0.2.1");

    ferrule::StructuredData moved(std::move(kept));
    CHECK(!kept && moved.count() == 1);  // NOLINT(bugprone-use-after-move)
    err = error_of([&] { kept.count(); });
    CHECK(err && err->status() == FERRULE_STATUS_NULL_POINTER);
    CHECK(err && std::string(err->message()) == "argument `sd` must not be NULL");
    ferrule::StructuredData adopted(moved.release());
    CHECK(!moved && adopted.param(0, 0).value == "192.0.2.1");
    adopted = ferrule::parse_structured_data("[a b=\"c\"]");  // frees the origin element
    CHECK(adopted.id(0) == "a");
    CHECK(!ferrule::StructuredData());
}

}  // namespace

int main(int argc, char **argv) {
    if (argc > 1) root = argv[1];
    apache_path = root + "/examples/data/apache_combined.log";
    jsonl_path = root + "/examples/data/app.jsonl";
    auth_path = root + "/examples/data/auth.log";
    apache_text = read_file(apache_path);
    if (apache_text.empty()) {
        std::fprintf(stderr, "cannot read %s (run from the repository root or pass its path)\n", apache_path.c_str());
        return 2;
    }
    try {
        test_errors();
        test_library();
        test_span();
        test_pool_basics();
        test_pool_many();
        test_pool_serialize();
        test_pool_moves();
        test_vector_names();
        test_pairs_and_reductions<float>(ferrule_vec_dot_f32);
        test_pairs_and_reductions<double>(ferrule_vec_dot_f64);
        test_elementwise<float>();
        test_elementwise<double>();
        test_batch<float>();
        test_batch<double>();
        test_log_names();
        test_formats();
        test_parse_file();
        test_options();
        test_table_moves();
        test_stream_parser();
        test_batch_reader();
        test_structured_data();
    } catch (const std::exception &err) {
        // A throw no test expected: count it and stop.
        failed++;
        std::fprintf(stderr, "FAIL: unexpected exception: %s\n", err.what());
    }
    return check_report();
}
