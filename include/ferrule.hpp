/*
 * ferrule.hpp: a header-only C++17 wrapper over the C API in ferrule.h.
 *
 * Link it like the C API: c++ -std=c++17 app.cpp $(pkg-config --cflags --libs ferrule)
 * (statically: app.cpp libferrule.a -lgcc_s -lutil -lrt -lpthread -lm -ldl). It also compiles
 * as C++20, where ferrule::span converts to std::span.
 *
 * What it adds to the C API, and nothing more:
 * - Errors: every C call that returns a failed status throws ferrule::Error, which carries the
 *   status, its stable code ("FERRULE_PARSE", ...), the message of ferrule_last_error_message
 *   and, for a bad log line under OnError::raise, its line, byte offset and reason. Nothing else
 *   throws except std::bad_alloc (the wrapper's own vectors and strings). A few functions check
 *   sizes the C API cannot see (it takes one length for two arrays): they throw ferrule::Error
 *   before calling C, say so in their comment, and leave ferrule_last_error_message unchanged.
 * - Ownership: each C object has one move-only RAII class that frees it in its destructor
 *   (StringPool, LogFormat, LogTable, StreamParser, BatchReader, StructuredData). Moves are
 *   noexcept and leave the source empty; a method called on an empty (moved-from or
 *   default-constructed) object throws Error with FERRULE_STATUS_NULL_POINTER: C checks it.
 * - Views: ferrule::span<T> (C++17 has no std::span), and read-only views over a table's columns
 *   and a pool's values. They point into memory the C object owns; no data is copied. Their
 *   operator[] is not checked, like std::span's (PoolValues' is: it asks C).
 * - Enums: scoped enums with the C values (Metric::cosine is FERRULE_METRIC_COSINE).
 *
 * Names: the same concept has the same name as in C and Python. A method is the C function
 * without its object prefix (ferrule_pool_intern -> StringPool::intern, ferrule_log_table_num_rows
 * -> LogTable::num_rows); a free function drops `ferrule_` and the `vec_`/`log_` group
 * (ferrule_vec_cosine_distance_f32 -> ferrule::cosine_distance, ferrule_log_parse_file ->
 * ferrule::parse_file); classes take Python's names, and so do the few conveniences C lacks
 * (LogTable::column_names, LogTable::errors). A name that is a C++ keyword gets a trailing
 * underscore (LogFormat::template_, ColumnType::bool_). Text comes as std::string_view: where C
 * returns a static C string (version(), status_str, Error::code, metric_name, feature_name, ...)
 * it is NUL-terminated, so .data() is a C string; bytes C returns with a length (values, column
 * names, row error codes, Error::reason) are not: use size().
 *
 * Lifetimes, in one place:
 * - A view (span, StringColumn, Dictionary, Validity, PoolValues, a std::string_view of bytes)
 *   stays valid, unchanged, as long as the C object it points into: until the owning wrapper is
 *   destroyed, reset() or assigned to (which frees the old object). Moving the wrapper keeps
 *   every view valid: the C object does not move, only its owner changes.
 * - Table views (columns, dictionaries, validity, column names, error texts) live as long as
 *   their LogTable. Tables are independent of the format, parser or reader that made them.
 * - Pool views (resolve(), values()) live as long as the StringPool; interning more values
 *   never moves or changes earlier ones.
 * - StructuredData views live as long as the StructuredData; it does not depend on its text.
 * - Inputs (strings, spans, options) are read during the call only; nothing keeps a pointer.
 *
 * Thread-safety: as in C, any number of threads may call methods on one object at once; the
 * destructor, reset(), release() and assignment must run alone, after every other use. One
 * exception: BatchReader's range form (begin(), ++) keeps the current batch in the reader, so
 * one thread at a time (next() is safe to share). Errors are per thread (the C API keeps its
 * last message per thread, and the throw reads it at once).
 */

#ifndef FERRULE_HPP
#define FERRULE_HPP

#include "ferrule.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if __cplusplus >= 202002L && defined(__has_include)
#if __has_include(<span>)
#include <span>
#define FERRULE_HPP_HAS_STD_SPAN 1
#endif
#endif

namespace ferrule {

// ===================================================================================== errors

class Error;
inline Error last_error(ferrule_status status);

/*
 * What every failed ferrule call throws. what() is "CODE: message" (e.g. "FERRULE_IO: ..."),
 * message() the C API's text alone. Copies never throw (the text lives in the
 * std::runtime_error base; code and reason are static strings).
 */
class Error : public std::runtime_error {
public:
    // An error of `status` with `message`, as the wrapper throws for sizes it checks itself.
    Error(ferrule_status status, const std::string &message)
        : Error(status, message, 0, 0, std::string_view()) {}

    // The C status (FERRULE_STATUS_PARSE, ...). A status newer than this header keeps its value.
    ferrule_status status() const noexcept { return status_; }

    // The stable code shared by every ferrule runtime ("FERRULE_PARSE"), from ferrule_status_str;
    // "FERRULE_UNKNOWN_STATUS" for a status newer than the library.
    std::string_view code() const noexcept { return ferrule_status_str(status_); }

    // The message alone (what() without the "CODE: " prefix).
    const char *message() const noexcept { return what() + prefix_len_; }

    // For a bad log line under OnError::raise (status FERRULE_STATUS_PARSE): its 1-based line,
    // the byte in that line where parsing stopped, and the row error code such as
    // "UNTERMINATED_QUOTE" (from ferrule_log_last_error). Otherwise 0, 0 and "": the C API gives
    // no location as values for other errors (a format string or structured data that does not
    // parse names its byte in the message only).
    std::uint64_t line() const noexcept { return line_; }
    std::uint64_t offset() const noexcept { return offset_; }
    std::string_view reason() const noexcept { return reason_; }

private:
    // `reason` must be static (it is, from ferrule_log_last_error): copies share it.
    Error(ferrule_status status, const std::string &message, std::uint64_t line, std::uint64_t offset,
          std::string_view reason)
        : std::runtime_error(std::string(ferrule_status_str(status)) + ": " + message),
          status_(status),
          prefix_len_(std::strlen(ferrule_status_str(status)) + 2),
          line_(line),
          offset_(offset),
          reason_(reason) {}

    friend Error last_error(ferrule_status status);

    ferrule_status status_;
    std::size_t prefix_len_;
    std::uint64_t line_;
    std::uint64_t offset_;
    std::string_view reason_;
};

// The message of the most recent failed ferrule call on this thread ("" if none):
// ferrule_last_error_message, whole (never truncated).
inline std::string last_error_message() {
    std::size_t len = 0;
    if (ferrule_last_error_message(nullptr, 0, &len) != FERRULE_STATUS_OK || len == 0) return std::string();
    std::vector<char> buf(len + 1);
    std::size_t full = 0;
    if (ferrule_last_error_message(buf.data(), buf.size(), &full) != FERRULE_STATUS_OK) return std::string();
    return std::string(buf.data(), full < len ? full : len);
}

// The Error a C call that just returned `status` (not OK) stands for, built from this thread's
// last message and, for FERRULE_STATUS_PARSE, ferrule_log_last_error. Call it right after the
// failed call, before any other ferrule call on the thread.
inline Error last_error(ferrule_status status) {
    std::uint64_t line = 0, offset = 0;
    std::string_view reason;
    if (status == FERRULE_STATUS_PARSE) {
        const std::uint8_t *reason_ptr = nullptr;
        std::size_t reason_len = 0;
        if (ferrule_log_last_error(&line, &offset, &reason_ptr, &reason_len) == FERRULE_STATUS_OK) {
            reason = std::string_view(reinterpret_cast<const char *>(reason_ptr), reason_len);
        }
    }
    return Error(status, last_error_message(), line, offset, reason);
}

namespace detail {

inline void check(ferrule_status status) {
    if (status != FERRULE_STATUS_OK) throw last_error(status);
}

inline const std::uint8_t *bytes(std::string_view text) noexcept {
    return reinterpret_cast<const std::uint8_t *>(text.data());
}

inline std::string_view text(const std::uint8_t *ptr, std::size_t len) noexcept {
    return std::string_view(reinterpret_cast<const char *>(ptr), len);
}

// A static C string (possibly NULL) as a view; NULL becomes "".
inline std::string_view name(const char *name) noexcept {
    return name == nullptr ? std::string_view() : std::string_view(name);
}

// The owner of one C object: move-only, frees it with Free (which accepts NULL).
template <class T, class Free>
class handle {
public:
    handle() noexcept = default;
    explicit handle(T *raw) noexcept : raw_(raw) {}
    handle(const handle &) = delete;
    handle &operator=(const handle &) = delete;
    handle(handle &&other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
    handle &operator=(handle &&other) noexcept {
        if (this != &other) reset(std::exchange(other.raw_, nullptr));
        return *this;
    }
    ~handle() { Free()(raw_); }

    // The C object, still owned by this wrapper (NULL when empty): for calling the C API.
    T *native_handle() const noexcept { return raw_; }
    // Gives up ownership: the caller frees the returned object with the C free function.
    T *release() noexcept { return std::exchange(raw_, nullptr); }
    // Frees the current object (its views dangle) and owns `raw` instead.
    void reset(T *raw = nullptr) noexcept { Free()(std::exchange(raw_, raw)); }
    explicit operator bool() const noexcept { return raw_ != nullptr; }

private:
    T *raw_ = nullptr;
};

struct pool_free {
    void operator()(ferrule_pool *p) const noexcept { ferrule_pool_free(p); }
};
struct format_free {
    void operator()(ferrule_log_format *p) const noexcept { ferrule_log_format_free(p); }
};
struct table_free {
    void operator()(ferrule_log_table *p) const noexcept { ferrule_log_table_free(p); }
};
struct parser_free {
    void operator()(ferrule_log_parser *p) const noexcept { ferrule_log_parser_free(p); }
};
struct reader_free {
    void operator()(ferrule_log_reader *p) const noexcept { ferrule_log_reader_free(p); }
};
struct sd_free {
    void operator()(ferrule_sd *p) const noexcept { ferrule_sd_free(p); }
};

// A random-access iterator over view[i] by value, for views whose elements are computed
// (string_views, bools) rather than stored.
template <class View, class Value>
class index_iterator {
public:
    using iterator_category = std::input_iterator_tag;  // the reference is a value, not a Value&
#if __cplusplus >= 202002L
    using iterator_concept = std::random_access_iterator_tag;
#endif
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Value;

    index_iterator() noexcept = default;
    index_iterator(const View *view, std::size_t i) noexcept : view_(view), i_(i) {}

    Value operator*() const { return (*view_)[i_]; }
    Value operator[](difference_type n) const { return (*view_)[i_ + static_cast<std::size_t>(n)]; }
    index_iterator &operator++() noexcept { ++i_; return *this; }
    index_iterator operator++(int) noexcept { index_iterator old = *this; ++i_; return old; }
    index_iterator &operator--() noexcept { --i_; return *this; }
    index_iterator operator--(int) noexcept { index_iterator old = *this; --i_; return old; }
    index_iterator &operator+=(difference_type n) noexcept { i_ += static_cast<std::size_t>(n); return *this; }
    index_iterator &operator-=(difference_type n) noexcept { i_ -= static_cast<std::size_t>(n); return *this; }
    friend index_iterator operator+(index_iterator it, difference_type n) noexcept { return it += n; }
    friend index_iterator operator+(difference_type n, index_iterator it) noexcept { return it += n; }
    friend index_iterator operator-(index_iterator it, difference_type n) noexcept { return it -= n; }
    friend difference_type operator-(const index_iterator &a, const index_iterator &b) noexcept {
        return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const index_iterator &a, const index_iterator &b) noexcept { return a.i_ == b.i_; }
    friend bool operator!=(const index_iterator &a, const index_iterator &b) noexcept { return a.i_ != b.i_; }
    friend bool operator<(const index_iterator &a, const index_iterator &b) noexcept { return a.i_ < b.i_; }
    friend bool operator>(const index_iterator &a, const index_iterator &b) noexcept { return a.i_ > b.i_; }
    friend bool operator<=(const index_iterator &a, const index_iterator &b) noexcept { return a.i_ <= b.i_; }
    friend bool operator>=(const index_iterator &a, const index_iterator &b) noexcept { return a.i_ >= b.i_; }

private:
    const View *view_ = nullptr;
    std::size_t i_ = 0;
};

// Whether a span<T> may view the container C: contiguous (std::data, std::size), elements
// convertible as arrays (no derived-to-base slicing), and not a temporary unless read-only.
template <class C, class T, class = void>
struct span_compatible : std::false_type {};
template <class C, class T>
struct span_compatible<C, T,
                       std::void_t<decltype(std::data(std::declval<C &>())), decltype(std::size(std::declval<C &>()))>>
    : std::bool_constant<
          std::is_convertible_v<std::remove_pointer_t<decltype(std::data(std::declval<C &>()))> (*)[], T (*)[]> &&
          (std::is_const_v<T> || std::is_lvalue_reference_v<C>)> {};

}  // namespace detail

// ====================================================================================== span

/*
 * A view of `size()` contiguous T: what C++20 calls std::span<T> (dynamic extent), minimal.
 * Made from a pointer and a size, or from any contiguous container (std::vector, std::array, a
 * C array, std::string for span<const char>); a span of const T also from a temporary, which
 * lives until the end of the full expression: pass it straight to a call. It owns nothing: the
 * data must outlive it. operator[] is not checked, like std::span's.
 */
template <class T>
class span {
public:
    using element_type = T;
    using value_type = std::remove_cv_t<T>;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using pointer = T *;
    using reference = T &;
    using iterator = T *;

    constexpr span() noexcept = default;
    constexpr span(T *data, std::size_t size) noexcept : data_(data), size_(size) {}
    template <class C, std::enable_if_t<!std::is_same_v<std::remove_cv_t<std::remove_reference_t<C>>, span> &&
                                            detail::span_compatible<C, T>::value,
                                        int> = 0>
    constexpr span(C &&container) noexcept : data_(std::data(container)), size_(std::size(container)) {}

    constexpr T *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr std::size_t size_bytes() const noexcept { return size_ * sizeof(T); }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr T *begin() const noexcept { return data_; }
    constexpr T *end() const noexcept { return data_ + size_; }
    constexpr T &operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr T &front() const noexcept { return data_[0]; }
    constexpr T &back() const noexcept { return data_[size_ - 1]; }
    // The `count` elements from `offset` (to the end when count is npos); not checked.
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    constexpr span subspan(std::size_t offset, std::size_t count = npos) const noexcept {
        return span(data_ + offset, count == npos ? size_ - offset : count);
    }

#ifdef FERRULE_HPP_HAS_STD_SPAN
    constexpr operator std::span<T>() const noexcept { return std::span<T>(data_, size_); }
#endif

private:
    T *data_ = nullptr;
    std::size_t size_ = 0;
};

// ====================================================================================== enums

// The SIMD level ferrule's kernels use (ferrule_isa).
enum class Isa : std::uint32_t {
    scalar = FERRULE_ISA_SCALAR,
    avx2 = FERRULE_ISA_AVX2,
    avx512 = FERRULE_ISA_AVX512,
    neon = FERRULE_ISA_NEON,
};

// What a distance or batch call computes (ferrule_metric); dot is a similarity (larger = closer).
enum class Metric : std::uint32_t {
    dot = FERRULE_METRIC_DOT,
    cosine = FERRULE_METRIC_COSINE,
    sqeuclidean = FERRULE_METRIC_SQEUCLIDEAN,
    euclidean = FERRULE_METRIC_EUCLIDEAN,
    manhattan = FERRULE_METRIC_MANHATTAN,
};

// How the kernels accumulate (ferrule_precision): fast, or accurate (double-double, slower).
enum class Precision : std::uint32_t {
    fast = FERRULE_PRECISION_FAST,
    accurate = FERRULE_PRECISION_ACCURATE,
};

// What a parse does with a bad line (ferrule_on_error): keep it as a row with its error
// columns set, drop it, or throw Error (FERRULE_STATUS_PARSE, with line/offset/reason).
enum class OnError : std::uint32_t {
    row = FERRULE_ON_ERROR_ROW,
    skip = FERRULE_ON_ERROR_SKIP,
    raise = FERRULE_ON_ERROR_RAISE,
};

// How a LogFormat was compiled (ferrule_log_format_kind).
enum class LogFormatKind : std::uint32_t {
    preset = FERRULE_LOG_FORMAT_PRESET,
    nginx = FERRULE_LOG_FORMAT_NGINX,
    apache = FERRULE_LOG_FORMAT_APACHE,
    template_ = FERRULE_LOG_FORMAT_TEMPLATE,
};

// The type of a table column (ferrule_log_column_type): it says which accessor reads it.
enum class ColumnType : std::uint32_t {
    uint64 = FERRULE_LOG_COLUMN_UINT64,        // LogTable::column_u64
    uint16 = FERRULE_LOG_COLUMN_UINT16,        // column_u16
    int16 = FERRULE_LOG_COLUMN_INT16,          // column_i16
    int64 = FERRULE_LOG_COLUMN_INT64,          // column_i64
    float64 = FERRULE_LOG_COLUMN_FLOAT64,      // column_f64
    timestamp = FERRULE_LOG_COLUMN_TIMESTAMP,  // column_timestamp
    string = FERRULE_LOG_COLUMN_STRING,        // column_strings
    dictionary = FERRULE_LOG_COLUMN_DICTIONARY,  // column_codes + dictionary
    bool_ = FERRULE_LOG_COLUMN_BOOL,           // column_bool
};

// ============================================================================= library-wide

// ferrule's version, e.g. "0.1.0" (compare with FERRULE_VERSION_* to detect a mismatch).
inline std::string_view version() noexcept { return ferrule_version(); }

// The stable name of a status ("FERRULE_PARSE"); "FERRULE_UNKNOWN_STATUS" for unknown values.
inline std::string_view status_str(ferrule_status status) noexcept { return ferrule_status_str(status); }

// The name of one FERRULE_FEATURE_* flag ("avx2"); "" when `feature` is not exactly one known flag.
inline std::string_view feature_name(std::uint64_t feature) noexcept {
    return detail::name(ferrule_feature_name(feature));
}

// What ferrule_capabilities reports.
struct Capabilities {
    Isa isa;                    // the SIMD level the kernels use (capped by FERRULE_MAX_ISA)
    std::string_view isa_name;  // "scalar", "avx2", "avx512", "neon"
    std::uint64_t features;     // FERRULE_FEATURE_* bits detected at run time

    // The names of the bits set in `features`, lowest bit first.
    std::vector<std::string_view> feature_names() const {
        std::vector<std::string_view> names;
        for (unsigned bit = 0; bit < 64; ++bit) {
            const std::uint64_t flag = std::uint64_t{1} << bit;
            if ((features & flag) != 0) {
                std::string_view name = feature_name(flag);
                if (!name.empty()) names.push_back(name);
            }
        }
        return names;
    }
};

inline Capabilities capabilities() {
    ferrule_cpu_capabilities caps{};
    detail::check(ferrule_capabilities(&caps));
    return Capabilities{static_cast<Isa>(caps.isa), detail::name(caps.isa_name), caps.features};
}

// Panics inside ferrule on purpose: always throws Error with FERRULE_STATUS_PANIC. Shows that the
// panic boundary works in the library this program links.
inline void debug_panic() { detail::check(ferrule_debug_panic()); }

// ================================================================================ string pool

class StringPool;

/*
 * The values of a pool with ids below size(): values()[id] is resolve(id). size() is fixed when
 * the view is made (values interned later are not in it). Lives as long as the pool.
 */
class PoolValues {
public:
    using iterator = detail::index_iterator<PoolValues, std::string_view>;

    PoolValues() noexcept = default;
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    // The value of `id` (checked by C: an id >= size() of a live pool throws OUT_OF_RANGE).
    std::string_view operator[](std::size_t id) const {
        const std::uint8_t *ptr = nullptr;
        std::size_t len = 0;
        detail::check(ferrule_pool_resolve(pool_, static_cast<std::uint32_t>(id), &ptr, &len));
        return detail::text(ptr, len);
    }
    iterator begin() const noexcept { return iterator(this, 0); }
    iterator end() const noexcept { return iterator(this, size_); }

private:
    friend class StringPool;
    PoolValues(const ferrule_pool *pool, std::size_t size) noexcept : pool_(pool), size_(size) {}
    const ferrule_pool *pool_ = nullptr;
    std::size_t size_ = 0;
};

/*
 * A string pool (ferrule_pool): stores each distinct byte string once under a dense uint32_t
 * id, in first-seen order from 0. Values are any bytes (not only UTF-8; NUL allowed). Views of
 * values live as long as the pool. Thread-safe: intern from many threads at once.
 */
class StringPool : public detail::handle<ferrule_pool, detail::pool_free> {
public:
    // A new, empty pool (ferrule_pool_new). Unlike the other classes, default construction
    // creates the C object, as Python's StringPool() does.
    StringPool() {
        ferrule_pool *pool = nullptr;
        detail::check(ferrule_pool_new(&pool));
        reset(pool);
    }
    // Takes ownership of `pool` (NULL gives an empty wrapper).
    explicit StringPool(ferrule_pool *pool) noexcept : handle(pool) {}

    // The id of `value`, interning it if new.
    std::uint32_t intern(std::string_view value) {
        std::uint32_t id = 0;
        detail::check(ferrule_pool_intern(native_handle(), detail::bytes(value), value.size(), &id));
        return id;
    }

    // The id of `value` if the pool holds it; nothing is interned.
    std::optional<std::uint32_t> get(std::string_view value) const {
        bool found = false;
        std::uint32_t id = 0;
        detail::check(ferrule_pool_get(native_handle(), detail::bytes(value), value.size(), &found, &id));
        if (!found) return std::nullopt;
        return id;
    }

    // The value of `id`, a view into the pool (throws OUT_OF_RANGE for an id never handed out).
    std::string_view resolve(std::uint32_t id) const {
        const std::uint8_t *ptr = nullptr;
        std::size_t len = 0;
        detail::check(ferrule_pool_resolve(native_handle(), id, &ptr, &len));
        return detail::text(ptr, len);
    }

    // The ids of `values` (any range of things convertible to std::string_view: std::string,
    // std::string_view, const char *), in order. They are copied once into one buffer and
    // interned in one C call (ferrule_pool_intern_many_large), which looks long batches up on
    // all cores.
    template <class Range,
              std::enable_if_t<std::is_convertible_v<decltype(*std::begin(std::declval<const Range &>())),
                                                     std::string_view>,
                               int> = 0>
    std::vector<std::uint32_t> intern_many(const Range &values) {
        std::string buffer;
        std::vector<std::int64_t> offsets(1, 0);
        for (const auto &value : values) {
            const std::string_view view = value;
            buffer.append(view.data(), view.size());
            offsets.push_back(static_cast<std::int64_t>(buffer.size()));
        }
        std::vector<std::uint32_t> ids(offsets.size() - 1);
        detail::check(ferrule_pool_intern_many_large(native_handle(), detail::bytes(buffer), offsets.data(), ids.size(),
                                                     ids.data()));
        return ids;
    }
    std::vector<std::uint32_t> intern_many(std::initializer_list<std::string_view> values) {
        return intern_many<std::initializer_list<std::string_view>>(values);
    }

    // The ids of values in Arrow's utf8/binary layout: value i is values[offsets[i] ..
    // offsets[i + 1]], so offsets holds n + 1 entries for n values. Checked here before C reads
    // anything: offsets empty throws FERRULE_STATUS_INVALID_ARGUMENT, and a last offset past
    // values.size() FERRULE_STATUS_LENGTH_MISMATCH. C checks the rest (no negative or decreasing
    // offset: FERRULE_STATUS_INVALID_ARGUMENT).
    std::vector<std::uint32_t> intern_many(span<const std::uint8_t> values, span<const std::int32_t> offsets) {
        return intern_arrow(values, offsets, ferrule_pool_intern_many);
    }
    // intern_many with 64-bit offsets (Arrow's large_utf8/large_binary).
    std::vector<std::uint32_t> intern_many_large(span<const std::uint8_t> values, span<const std::int64_t> offsets) {
        return intern_arrow(values, offsets, ferrule_pool_intern_many_large);
    }

    // The ids of the `separator`-delimited values of `data` (lines by default; a trailing
    // separator ends the last value, and with '\n' a '\r' before it is dropped).
    std::vector<std::uint32_t> intern_lines(std::string_view data, char separator = '\n') {
        const auto sep = static_cast<std::uint8_t>(separator);
        std::size_t count = 0;
        detail::check(ferrule_pool_intern_lines(native_handle(), detail::bytes(data), data.size(), sep, nullptr, 0, &count));
        std::vector<std::uint32_t> ids(count);
        if (count == 0) return ids;  // (NULL, 0) would only count again
        detail::check(
            ferrule_pool_intern_lines(native_handle(), detail::bytes(data), data.size(), sep, ids.data(), ids.size(), &count));
        ids.resize(count);
        return ids;
    }

    // The number of distinct values (the next id): ferrule_pool_len, Python's len(pool).
    std::size_t len() const {
        std::size_t n = 0;
        detail::check(ferrule_pool_len(native_handle(), &n));
        return n;
    }

    // Heap bytes the pool holds.
    std::size_t memory_usage() const {
        std::size_t bytes = 0;
        detail::check(ferrule_pool_memory_usage(native_handle(), &bytes));
        return bytes;
    }

    // A view of the values with ids below len(), in id order (for (auto v : pool.values())).
    PoolValues values() const { return PoolValues(native_handle(), len()); }

    // The pool in ferrule's versioned binary format (the one every runtime reads).
    std::vector<std::uint8_t> serialize() const {
        for (;;) {
            std::size_t size = 0;
            detail::check(ferrule_pool_serialize(native_handle(), nullptr, 0, &size));
            std::vector<std::uint8_t> buf(size);
            std::size_t written = 0;
            const ferrule_status status = ferrule_pool_serialize(native_handle(), buf.data(), buf.size(), &written);
            // Another thread interned in between: the size grew, so ask again.
            if (status == FERRULE_STATUS_LENGTH_MISMATCH) continue;
            detail::check(status);
            buf.resize(written);
            return buf;
        }
    }

    // The pool `data` holds (from serialize() or any runtime), with the same ids; throws
    // FERRULE_STATUS_CORRUPT for damaged, truncated or foreign data.
    static StringPool deserialize(span<const std::uint8_t> data) {
        ferrule_pool *pool = nullptr;
        detail::check(ferrule_pool_deserialize(data.data(), data.size(), &pool));
        return StringPool(pool);
    }

private:
    template <class Offset, class Fn>
    std::vector<std::uint32_t> intern_arrow(span<const std::uint8_t> values, span<const Offset> offsets, Fn fn) {
        if (offsets.empty()) {
            throw Error(FERRULE_STATUS_INVALID_ARGUMENT, "offsets must have n + 1 entries for n values, so at least 1");
        }
        const Offset last = offsets.back();
        if (last > 0 && static_cast<std::uint64_t>(last) > values.size()) {
            throw Error(FERRULE_STATUS_LENGTH_MISMATCH, "offsets end at byte " + std::to_string(last) +
                                                            " but values has " + std::to_string(values.size()));
        }
        std::vector<std::uint32_t> ids(offsets.size() - 1);
        detail::check(fn(native_handle(), values.data(), offsets.data(), ids.size(), ids.data()));
        return ids;
    }
};

// ============================================================================== vector math

// Options of the batch calls (one_to_many, cdist, topk): precision, and threads (0 = all cores,
// 1 to 1024 = a pool of that many threads ferrule keeps).
struct VecOptions {
    Precision precision = Precision::fast;
    std::size_t threads = 0;
};

// The k closest database rows of each query: indices[q * k + j] is the row of query q's j-th
// closest match, distances[q * k + j] its metric value (for Metric::dot the dot product).
template <class T>
struct TopkResult {
    std::vector<std::size_t> indices;
    std::vector<T> distances;
};

// The metric called `name` ("dot", "cosine", "sqeuclidean", "euclidean", "manhattan").
inline Metric metric_parse(std::string_view name) {
    ferrule_metric metric = FERRULE_METRIC_DOT;
    detail::check(ferrule_vec_metric_parse(detail::bytes(name), name.size(), &metric));
    return static_cast<Metric>(metric);
}
inline std::string_view metric_name(Metric metric) noexcept {
    return detail::name(ferrule_vec_metric_name(static_cast<std::uint32_t>(metric)));
}
// The precision called `name` ("fast", "accurate").
inline Precision precision_parse(std::string_view name) {
    ferrule_precision precision = FERRULE_PRECISION_FAST;
    detail::check(ferrule_vec_precision_parse(detail::bytes(name), name.size(), &precision));
    return static_cast<Precision>(precision);
}
inline std::string_view precision_name(Precision precision) noexcept {
    return detail::name(ferrule_vec_precision_name(static_cast<std::uint32_t>(precision)));
}

namespace detail {

// The C functions of one element type.
template <class T>
struct vec;

template <>
struct vec<float> {
    static constexpr auto dot = &ferrule_vec_dot_f32;
    static constexpr auto sqeuclidean = &ferrule_vec_sqeuclidean_f32;
    static constexpr auto euclidean = &ferrule_vec_euclidean_f32;
    static constexpr auto manhattan = &ferrule_vec_manhattan_f32;
    static constexpr auto cosine_similarity = &ferrule_vec_cosine_similarity_f32;
    static constexpr auto cosine_distance = &ferrule_vec_cosine_distance_f32;
    static constexpr auto norm = &ferrule_vec_norm_f32;
    static constexpr auto distance = &ferrule_vec_distance_f32;
    static constexpr auto sum = &ferrule_vec_sum_f32;
    static constexpr auto mean = &ferrule_vec_mean_f32;
    static constexpr auto min = &ferrule_vec_min_f32;
    static constexpr auto max = &ferrule_vec_max_f32;
    static constexpr auto argmin = &ferrule_vec_argmin_f32;
    static constexpr auto argmax = &ferrule_vec_argmax_f32;
    static constexpr auto scale = &ferrule_vec_scale_f32;
    static constexpr auto add = &ferrule_vec_add_f32;
    static constexpr auto subtract = &ferrule_vec_subtract_f32;
    static constexpr auto multiply = &ferrule_vec_multiply_f32;
    static constexpr auto axpy = &ferrule_vec_axpy_f32;
    static constexpr auto fma = &ferrule_vec_fma_f32;
    static constexpr auto normalize = &ferrule_vec_normalize_f32;
    static constexpr auto one_to_many = &ferrule_vec_one_to_many_f32;
    static constexpr auto cdist = &ferrule_vec_cdist_f32;
    static constexpr auto topk = &ferrule_vec_topk_f32;
};

template <>
struct vec<double> {
    static constexpr auto dot = &ferrule_vec_dot_f64;
    static constexpr auto sqeuclidean = &ferrule_vec_sqeuclidean_f64;
    static constexpr auto euclidean = &ferrule_vec_euclidean_f64;
    static constexpr auto manhattan = &ferrule_vec_manhattan_f64;
    static constexpr auto cosine_similarity = &ferrule_vec_cosine_similarity_f64;
    static constexpr auto cosine_distance = &ferrule_vec_cosine_distance_f64;
    static constexpr auto norm = &ferrule_vec_norm_f64;
    static constexpr auto distance = &ferrule_vec_distance_f64;
    static constexpr auto sum = &ferrule_vec_sum_f64;
    static constexpr auto mean = &ferrule_vec_mean_f64;
    static constexpr auto min = &ferrule_vec_min_f64;
    static constexpr auto max = &ferrule_vec_max_f64;
    static constexpr auto argmin = &ferrule_vec_argmin_f64;
    static constexpr auto argmax = &ferrule_vec_argmax_f64;
    static constexpr auto scale = &ferrule_vec_scale_f64;
    static constexpr auto add = &ferrule_vec_add_f64;
    static constexpr auto subtract = &ferrule_vec_subtract_f64;
    static constexpr auto multiply = &ferrule_vec_multiply_f64;
    static constexpr auto axpy = &ferrule_vec_axpy_f64;
    static constexpr auto fma = &ferrule_vec_fma_f64;
    static constexpr auto normalize = &ferrule_vec_normalize_f64;
    static constexpr auto one_to_many = &ferrule_vec_one_to_many_f64;
    static constexpr auto cdist = &ferrule_vec_cdist_f64;
    static constexpr auto topk = &ferrule_vec_topk_f64;
};

// The C API takes one length for all the arrays of a 1:1 or element-wise call, so it cannot see
// a mismatch (it would read past the shorter array): the wrapper checks, with core's wording.
inline void same_length(std::size_t a, std::size_t b) {
    if (a != b) {
        throw Error(FERRULE_STATUS_LENGTH_MISMATCH,
                    "vectors of different lengths: " + std::to_string(a) + " and " + std::to_string(b));
    }
}

inline void same_lengths(const char *what, std::initializer_list<std::size_t> lengths) {
    const std::size_t first = *lengths.begin();
    for (std::size_t n : lengths) {
        if (n != first) {
            std::string list;
            for (std::size_t m : lengths) list += (list.empty() ? "" : ", ") + std::to_string(m);
            throw Error(FERRULE_STATUS_LENGTH_MISMATCH, std::string(what) + ": lengths [" + list + "] differ");
        }
    }
}

// The rows of a flat row-major matrix of `n` elements, `dim` a row.
inline std::size_t rows_of(const char *what, std::size_t n, std::size_t dim) {
    if (dim == 0) {
        if (n == 0) return 0;
        throw Error(FERRULE_STATUS_LENGTH_MISMATCH,
                    std::string(what) + ": " + std::to_string(n) + " elements but dimension 0");
    }
    if (n % dim != 0) {
        throw Error(FERRULE_STATUS_LENGTH_MISMATCH, std::string(what) + ": " + std::to_string(n) +
                                                        " elements are not whole rows of dimension " +
                                                        std::to_string(dim));
    }
    return n / dim;
}

// rows * cols for an output vector, or an Error (as C gives) when it cannot be allocated.
template <class T>
std::size_t output_size(std::size_t rows, std::size_t cols) {
    const std::size_t most = std::vector<T>().max_size();
    if (cols != 0 && rows > most / cols) {
        throw Error(FERRULE_STATUS_INVALID_ARGUMENT,
                    std::to_string(rows) + " x " + std::to_string(cols) + " results exceed the address space");
    }
    return rows * cols;
}

inline ferrule_vec_options c_options(const VecOptions &options) noexcept {
    ferrule_vec_options c{};
    c.precision = static_cast<std::uint32_t>(options.precision);
    c.threads = options.threads;
    return c;
}

template <class T, class Fast>
T pair(Fast fast, Metric metric, span<const T> a, span<const T> b, Precision precision) {
    same_length(a.size(), b.size());
    T out{};
    if (precision == Precision::fast) {
        check(fast(a.data(), b.data(), a.size(), &out));
    } else {
        check(vec<T>::distance(static_cast<std::uint32_t>(metric), static_cast<std::uint32_t>(precision), a.data(),
                               b.data(), a.size(), &out));
    }
    return out;
}

template <class R, class T, class Fn>
R reduce(Fn fn, span<const T> x) {
    R out{};
    check(fn(x.data(), x.size(), &out));
    return out;
}

template <class T>
void one_to_many(span<const T> query, span<const T> matrix, span<T> out, Metric metric, const VecOptions &options) {
    const std::size_t rows = rows_of("matrix", matrix.size(), query.size());
    const ferrule_vec_options c = c_options(options);
    check(vec<T>::one_to_many(query.data(), query.size(), matrix.data(), rows, query.size(),
                              static_cast<std::uint32_t>(metric), &c, out.data(), out.size()));
}

template <class T>
void cdist(span<const T> a, span<const T> b, std::size_t dim, span<T> out, Metric metric, const VecOptions &options) {
    const std::size_t a_rows = rows_of("a", a.size(), dim), b_rows = rows_of("b", b.size(), dim);
    const ferrule_vec_options c = c_options(options);
    check(vec<T>::cdist(a.data(), a_rows, dim, b.data(), b_rows, dim, dim, static_cast<std::uint32_t>(metric), &c,
                        out.data(), out.size()));
}

template <class T>
TopkResult<T> topk(span<const T> queries, span<const T> database, std::size_t dim, std::size_t k, Metric metric,
                   const VecOptions &options) {
    const std::size_t n_queries = rows_of("queries", queries.size(), dim);
    const std::size_t db_rows = rows_of("database", database.size(), dim);
    // k > db_rows is C's error (INVALID_ARGUMENT); check it first so as not to allocate for it.
    const std::size_t n = output_size<T>(n_queries, k <= db_rows ? k : 0);
    TopkResult<T> result{std::vector<std::size_t>(n), std::vector<T>(n)};
    const ferrule_vec_options c = c_options(options);
    check(vec<T>::topk(queries.data(), n_queries, dim, database.data(), db_rows, dim, dim, k,
                       static_cast<std::uint32_t>(metric), &c, result.indices.data(), result.distances.data(), n));
    return result;
}

}  // namespace detail

/*
 * Vector math on float and double (each function has both). Inputs are spans: pass a
 * std::vector, std::array or a span of your data; nothing is copied.
 *
 * 1:1 functions (dot ... distance) take two vectors of one length: a mismatch throws
 * FERRULE_STATUS_LENGTH_MISMATCH from the wrapper, before calling C (the C functions take one
 * length). Precision::accurate goes through ferrule_vec_distance_*; fast through the named C
 * function (the same result, bit for bit).
 */

// The dot product a.b (a similarity).
inline float dot(span<const float> a, span<const float> b, Precision precision = Precision::fast) {
    return detail::pair<float>(detail::vec<float>::dot, Metric::dot, a, b, precision);
}
inline double dot(span<const double> a, span<const double> b, Precision precision = Precision::fast) {
    return detail::pair<double>(detail::vec<double>::dot, Metric::dot, a, b, precision);
}
// The squared Euclidean distance, summed from the differences.
inline float sqeuclidean(span<const float> a, span<const float> b, Precision precision = Precision::fast) {
    return detail::pair<float>(detail::vec<float>::sqeuclidean, Metric::sqeuclidean, a, b, precision);
}
inline double sqeuclidean(span<const double> a, span<const double> b, Precision precision = Precision::fast) {
    return detail::pair<double>(detail::vec<double>::sqeuclidean, Metric::sqeuclidean, a, b, precision);
}
// The Euclidean distance.
inline float euclidean(span<const float> a, span<const float> b, Precision precision = Precision::fast) {
    return detail::pair<float>(detail::vec<float>::euclidean, Metric::euclidean, a, b, precision);
}
inline double euclidean(span<const double> a, span<const double> b, Precision precision = Precision::fast) {
    return detail::pair<double>(detail::vec<double>::euclidean, Metric::euclidean, a, b, precision);
}
// The Manhattan distance, sum of |a[i] - b[i]|.
inline float manhattan(span<const float> a, span<const float> b, Precision precision = Precision::fast) {
    return detail::pair<float>(detail::vec<float>::manhattan, Metric::manhattan, a, b, precision);
}
inline double manhattan(span<const double> a, span<const double> b, Precision precision = Precision::fast) {
    return detail::pair<double>(detail::vec<double>::manhattan, Metric::manhattan, a, b, precision);
}
// 1 - cosine similarity, clamped to [0, 2]; 1 when either vector is all zeros.
inline float cosine_distance(span<const float> a, span<const float> b, Precision precision = Precision::fast) {
    return detail::pair<float>(detail::vec<float>::cosine_distance, Metric::cosine, a, b, precision);
}
inline double cosine_distance(span<const double> a, span<const double> b, Precision precision = Precision::fast) {
    return detail::pair<double>(detail::vec<double>::cosine_distance, Metric::cosine, a, b, precision);
}
// a.b / (|a| |b|); 0 when either vector is all zeros. Fast precision only (the C API has no
// accurate cosine similarity).
inline float cosine_similarity(span<const float> a, span<const float> b) {
    return detail::pair<float>(detail::vec<float>::cosine_similarity, Metric::cosine, a, b, Precision::fast);
}
inline double cosine_similarity(span<const double> a, span<const double> b) {
    return detail::pair<double>(detail::vec<double>::cosine_similarity, Metric::cosine, a, b, Precision::fast);
}
// `metric` between a and b at `precision` (ferrule_vec_distance_*).
inline float distance(Metric metric, span<const float> a, span<const float> b,
                      Precision precision = Precision::fast) {
    detail::same_length(a.size(), b.size());
    float out = 0;
    detail::check(ferrule_vec_distance_f32(static_cast<std::uint32_t>(metric), static_cast<std::uint32_t>(precision),
                                           a.data(), b.data(), a.size(), &out));
    return out;
}
inline double distance(Metric metric, span<const double> a, span<const double> b,
                       Precision precision = Precision::fast) {
    detail::same_length(a.size(), b.size());
    double out = 0;
    detail::check(ferrule_vec_distance_f64(static_cast<std::uint32_t>(metric), static_cast<std::uint32_t>(precision),
                                           a.data(), b.data(), a.size(), &out));
    return out;
}
// The Euclidean norm (fast precision: the C API has no accurate norm).
inline float norm(span<const float> x) { return detail::reduce<float>(detail::vec<float>::norm, x); }
inline double norm(span<const double> x) { return detail::reduce<double>(detail::vec<double>::norm, x); }

/*
 * Reductions. An empty input sums to 0; mean, min, max, argmin and argmax of an empty input
 * throw FERRULE_STATUS_INVALID_ARGUMENT (from C). NaN propagates; argmin/argmax give the first
 * NaN's index when there is one.
 */
inline float sum(span<const float> x, Precision precision = Precision::fast) {
    float out = 0;
    detail::check(ferrule_vec_sum_f32(x.data(), x.size(), static_cast<std::uint32_t>(precision), &out));
    return out;
}
inline double sum(span<const double> x, Precision precision = Precision::fast) {
    double out = 0;
    detail::check(ferrule_vec_sum_f64(x.data(), x.size(), static_cast<std::uint32_t>(precision), &out));
    return out;
}
// The mean, accumulated in double for both element types.
inline double mean(span<const float> x) { return detail::reduce<double>(detail::vec<float>::mean, x); }
inline double mean(span<const double> x) { return detail::reduce<double>(detail::vec<double>::mean, x); }
inline float min(span<const float> x) { return detail::reduce<float>(detail::vec<float>::min, x); }
inline double min(span<const double> x) { return detail::reduce<double>(detail::vec<double>::min, x); }
inline float max(span<const float> x) { return detail::reduce<float>(detail::vec<float>::max, x); }
inline double max(span<const double> x) { return detail::reduce<double>(detail::vec<double>::max, x); }
inline std::size_t argmin(span<const float> x) { return detail::reduce<std::size_t>(detail::vec<float>::argmin, x); }
inline std::size_t argmin(span<const double> x) { return detail::reduce<std::size_t>(detail::vec<double>::argmin, x); }
inline std::size_t argmax(span<const float> x) { return detail::reduce<std::size_t>(detail::vec<float>::argmax, x); }
inline std::size_t argmax(span<const double> x) { return detail::reduce<std::size_t>(detail::vec<double>::argmax, x); }

/*
 * Element-wise operations, each in two forms: into `out` (which may be one of the inputs, for
 * in place; any other overlap throws FERRULE_STATUS_INVALID_ARGUMENT from C), or into a new
 * std::vector. Every array must have one length: a mismatch throws
 * FERRULE_STATUS_LENGTH_MISMATCH from the wrapper, before calling C.
 */

// out[i] = alpha * x[i]
inline void scale(span<const float> x, float alpha, span<float> out) {
    detail::same_lengths("scale", {x.size(), out.size()});
    detail::check(ferrule_vec_scale_f32(x.data(), x.size(), alpha, out.data()));
}
inline void scale(span<const double> x, double alpha, span<double> out) {
    detail::same_lengths("scale", {x.size(), out.size()});
    detail::check(ferrule_vec_scale_f64(x.data(), x.size(), alpha, out.data()));
}
inline std::vector<float> scale(span<const float> x, float alpha) {
    std::vector<float> out(x.size());
    scale(x, alpha, span<float>(out));
    return out;
}
inline std::vector<double> scale(span<const double> x, double alpha) {
    std::vector<double> out(x.size());
    scale(x, alpha, span<double>(out));
    return out;
}

namespace detail {
template <class T, class Fn>
void binary(const char *what, Fn fn, span<const T> a, span<const T> b, span<T> out) {
    same_lengths(what, {a.size(), b.size(), out.size()});
    check(fn(a.data(), b.data(), a.size(), out.data()));
}
template <class T, class Fn>
std::vector<T> binary(const char *what, Fn fn, span<const T> a, span<const T> b) {
    same_length(a.size(), b.size());
    std::vector<T> out(a.size());
    binary<T>(what, fn, a, b, span<T>(out));
    return out;
}
}  // namespace detail

// out[i] = a[i] + b[i]
inline void add(span<const float> a, span<const float> b, span<float> out) {
    detail::binary<float>("add", detail::vec<float>::add, a, b, out);
}
inline void add(span<const double> a, span<const double> b, span<double> out) {
    detail::binary<double>("add", detail::vec<double>::add, a, b, out);
}
inline std::vector<float> add(span<const float> a, span<const float> b) {
    return detail::binary<float>("add", detail::vec<float>::add, a, b);
}
inline std::vector<double> add(span<const double> a, span<const double> b) {
    return detail::binary<double>("add", detail::vec<double>::add, a, b);
}
// out[i] = a[i] - b[i]
inline void subtract(span<const float> a, span<const float> b, span<float> out) {
    detail::binary<float>("subtract", detail::vec<float>::subtract, a, b, out);
}
inline void subtract(span<const double> a, span<const double> b, span<double> out) {
    detail::binary<double>("subtract", detail::vec<double>::subtract, a, b, out);
}
inline std::vector<float> subtract(span<const float> a, span<const float> b) {
    return detail::binary<float>("subtract", detail::vec<float>::subtract, a, b);
}
inline std::vector<double> subtract(span<const double> a, span<const double> b) {
    return detail::binary<double>("subtract", detail::vec<double>::subtract, a, b);
}
// out[i] = a[i] * b[i]
inline void multiply(span<const float> a, span<const float> b, span<float> out) {
    detail::binary<float>("multiply", detail::vec<float>::multiply, a, b, out);
}
inline void multiply(span<const double> a, span<const double> b, span<double> out) {
    detail::binary<double>("multiply", detail::vec<double>::multiply, a, b, out);
}
inline std::vector<float> multiply(span<const float> a, span<const float> b) {
    return detail::binary<float>("multiply", detail::vec<float>::multiply, a, b);
}
inline std::vector<double> multiply(span<const double> a, span<const double> b) {
    return detail::binary<double>("multiply", detail::vec<double>::multiply, a, b);
}
// out[i] = alpha * x[i] + y[i] (BLAS axpy; pass out = y for the in-place form)
inline void axpy(float alpha, span<const float> x, span<const float> y, span<float> out) {
    detail::same_lengths("axpy", {x.size(), y.size(), out.size()});
    detail::check(ferrule_vec_axpy_f32(alpha, x.data(), y.data(), x.size(), out.data()));
}
inline void axpy(double alpha, span<const double> x, span<const double> y, span<double> out) {
    detail::same_lengths("axpy", {x.size(), y.size(), out.size()});
    detail::check(ferrule_vec_axpy_f64(alpha, x.data(), y.data(), x.size(), out.data()));
}
inline std::vector<float> axpy(float alpha, span<const float> x, span<const float> y) {
    detail::same_lengths("axpy", {x.size(), y.size()});
    std::vector<float> out(x.size());
    axpy(alpha, x, y, span<float>(out));
    return out;
}
inline std::vector<double> axpy(double alpha, span<const double> x, span<const double> y) {
    detail::same_lengths("axpy", {x.size(), y.size()});
    std::vector<double> out(x.size());
    axpy(alpha, x, y, span<double>(out));
    return out;
}
// out[i] = a[i] * b[i] + c[i], rounded twice (not std::fma's single rounding)
inline void fma(span<const float> a, span<const float> b, span<const float> c, span<float> out) {
    detail::same_lengths("fma", {a.size(), b.size(), c.size(), out.size()});
    detail::check(ferrule_vec_fma_f32(a.data(), b.data(), c.data(), a.size(), out.data()));
}
inline void fma(span<const double> a, span<const double> b, span<const double> c, span<double> out) {
    detail::same_lengths("fma", {a.size(), b.size(), c.size(), out.size()});
    detail::check(ferrule_vec_fma_f64(a.data(), b.data(), c.data(), a.size(), out.data()));
}
inline std::vector<float> fma(span<const float> a, span<const float> b, span<const float> c) {
    detail::same_lengths("fma", {a.size(), b.size(), c.size()});
    std::vector<float> out(a.size());
    fma(a, b, c, span<float>(out));
    return out;
}
inline std::vector<double> fma(span<const double> a, span<const double> b, span<const double> c) {
    detail::same_lengths("fma", {a.size(), b.size(), c.size()});
    std::vector<double> out(a.size());
    fma(a, b, c, span<double>(out));
    return out;
}
// out[i] = x[i] / norm(x); a zero vector stays zero
inline void normalize(span<const float> x, span<float> out) {
    detail::same_lengths("normalize", {x.size(), out.size()});
    detail::check(ferrule_vec_normalize_f32(x.data(), x.size(), out.data()));
}
inline void normalize(span<const double> x, span<double> out) {
    detail::same_lengths("normalize", {x.size(), out.size()});
    detail::check(ferrule_vec_normalize_f64(x.data(), x.size(), out.data()));
}
inline std::vector<float> normalize(span<const float> x) {
    std::vector<float> out(x.size());
    normalize(x, span<float>(out));
    return out;
}
inline std::vector<double> normalize(span<const double> x) {
    std::vector<double> out(x.size());
    normalize(x, span<double>(out));
    return out;
}

/*
 * Batch calls over flat row-major matrices (rows of `dim` elements, one after the other; for a
 * strided view of a wider table call the C API, which takes strides). The wrapper derives the
 * row counts: a matrix whose size is not a whole number of rows throws
 * FERRULE_STATUS_LENGTH_MISMATCH before calling C. With an `out` span, C checks its capacity
 * (too small: FERRULE_STATUS_LENGTH_MISMATCH) and that it overlaps no input. Defaults follow
 * Python: cosine for one_to_many and topk, sqeuclidean for cdist.
 */

// metric(query, row i) for every row of `matrix` (dim = query.size()).
inline void one_to_many(span<const float> query, span<const float> matrix, span<float> out,
                        Metric metric = Metric::cosine, const VecOptions &options = {}) {
    detail::one_to_many<float>(query, matrix, out, metric, options);
}
inline void one_to_many(span<const double> query, span<const double> matrix, span<double> out,
                        Metric metric = Metric::cosine, const VecOptions &options = {}) {
    detail::one_to_many<double>(query, matrix, out, metric, options);
}
inline std::vector<float> one_to_many(span<const float> query, span<const float> matrix,
                                      Metric metric = Metric::cosine, const VecOptions &options = {}) {
    std::vector<float> out(detail::rows_of("matrix", matrix.size(), query.size()));
    detail::one_to_many<float>(query, matrix, span<float>(out), metric, options);
    return out;
}
inline std::vector<double> one_to_many(span<const double> query, span<const double> matrix,
                                       Metric metric = Metric::cosine, const VecOptions &options = {}) {
    std::vector<double> out(detail::rows_of("matrix", matrix.size(), query.size()));
    detail::one_to_many<double>(query, matrix, span<double>(out), metric, options);
    return out;
}

// All pairs: out[i * b_rows + j] = metric(row i of a, row j of b).
inline void cdist(span<const float> a, span<const float> b, std::size_t dim, span<float> out,
                  Metric metric = Metric::sqeuclidean, const VecOptions &options = {}) {
    detail::cdist<float>(a, b, dim, out, metric, options);
}
inline void cdist(span<const double> a, span<const double> b, std::size_t dim, span<double> out,
                  Metric metric = Metric::sqeuclidean, const VecOptions &options = {}) {
    detail::cdist<double>(a, b, dim, out, metric, options);
}
inline std::vector<float> cdist(span<const float> a, span<const float> b, std::size_t dim,
                                Metric metric = Metric::sqeuclidean, const VecOptions &options = {}) {
    std::vector<float> out(
        detail::output_size<float>(detail::rows_of("a", a.size(), dim), detail::rows_of("b", b.size(), dim)));
    detail::cdist<float>(a, b, dim, span<float>(out), metric, options);
    return out;
}
inline std::vector<double> cdist(span<const double> a, span<const double> b, std::size_t dim,
                                 Metric metric = Metric::sqeuclidean, const VecOptions &options = {}) {
    std::vector<double> out(
        detail::output_size<double>(detail::rows_of("a", a.size(), dim), detail::rows_of("b", b.size(), dim)));
    detail::cdist<double>(a, b, dim, span<double>(out), metric, options);
    return out;
}

// The k rows of `database` closest to each query, closest first (ties: lower row first; for
// Metric::dot the largest dot products). k > database rows throws
// FERRULE_STATUS_INVALID_ARGUMENT (from C).
inline TopkResult<float> topk(span<const float> queries, span<const float> database, std::size_t dim,
                              std::size_t k, Metric metric = Metric::cosine, const VecOptions &options = {}) {
    return detail::topk<float>(queries, database, dim, k, metric, options);
}
inline TopkResult<double> topk(span<const double> queries, span<const double> database, std::size_t dim,
                               std::size_t k, Metric metric = Metric::cosine, const VecOptions &options = {}) {
    return detail::topk<double>(queries, database, dim, k, metric, options);
}

// ======================================================================================= logs

/*
 * Options of a parse (ferrule_log_options, with C++ types); the defaults are C's zeros.
 * Read once by the call that takes them.
 */
struct LogOptions {
    OnError on_error = OnError::row;
    // Threads of parse_file/parse_bytes: 0 = all cores, 1 = the calling thread, up to 1024.
    // StreamParser and BatchReader parse on the calling thread and ignore it.
    std::size_t threads = 0;
    bool unescape = false;     // undo \" \\ \xNN escapes in string fields
    bool strict_utf8 = false;  // lines that are not UTF-8 become INVALID_UTF8 error rows
    // String columns stored plain (ColumnType::string) rather than as dictionaries: nullopt
    // for the default (request and path), an empty vector for none.
    std::optional<std::vector<std::string>> plain_columns;
    // syslog_rfc3164's year: 1 to 9999; 0 = not given (then reference_time_us, else now).
    std::int32_t year = 0;
    // Microseconds since the Unix epoch, UTC: each syslog_rfc3164 line takes the latest date not
    // after it. At most one of year and reference_time_us.
    std::optional<std::int64_t> reference_time_us;
    bool octet_counted = false;  // syslog_rfc5424 framed by RFC 6587 octet counting
    bool flatten = false;        // jsonl nested objects as dotted columns
};

namespace detail {

// The C options of `options`, with the plain_columns text they point to (not copyable or
// movable, so that pointer cannot dangle: use it in place for one call).
class c_log_options {
public:
    explicit c_log_options(const LogOptions &options) {
        value_.on_error = static_cast<std::uint32_t>(options.on_error);
        value_.threads = options.threads;
        value_.unescape = options.unescape ? 1 : 0;
        value_.strict_utf8 = options.strict_utf8 ? 1 : 0;
        if (options.plain_columns) {
            for (const std::string &name : *options.plain_columns) {
                if (!plain_.empty()) plain_ += ',';
                plain_ += name;
            }
            // Non-NULL even when empty: C reads (non-NULL, 0) as "no plain columns".
            value_.plain_columns = bytes(plain_);
            value_.plain_columns_len = plain_.size();
        }
        value_.year = options.year;
        if (options.reference_time_us) {
            value_.has_reference_time = 1;
            value_.reference_time_us = *options.reference_time_us;
        }
        value_.octet_counted = options.octet_counted ? 1 : 0;
        value_.flatten = options.flatten ? 1 : 0;
    }
    c_log_options(const c_log_options &) = delete;
    c_log_options &operator=(const c_log_options &) = delete;
    const ferrule_log_options *ptr() const noexcept { return &value_; }

private:
    ferrule_log_options value_{};
    std::string plain_;
};

}  // namespace detail

// The OnError value called `name` ("row", "skip", "raise").
inline OnError on_error_parse(std::string_view name) {
    ferrule_on_error value = FERRULE_ON_ERROR_ROW;
    detail::check(ferrule_log_on_error_parse(detail::bytes(name), name.size(), &value));
    return static_cast<OnError>(value);
}

// The name of a column type ("uint16", "timestamp[us, UTC]", "dictionary", ...).
inline std::string_view column_type_name(ColumnType type) noexcept {
    return detail::name(ferrule_log_column_type_name(static_cast<std::uint32_t>(type)));
}

/*
 * A compiled log format (ferrule_log_format). Parses, parsers and readers copy what they need,
 * so it may be destroyed right after the call that takes it. Default-constructed: empty.
 */
class LogFormat : public detail::handle<ferrule_log_format, detail::format_free> {
public:
    LogFormat() noexcept = default;
    explicit LogFormat(ferrule_log_format *format) noexcept : handle(format) {}

    // `spec` compiled as a format of `kind` (ferrule_log_format_parse).
    static LogFormat parse(std::string_view spec, LogFormatKind kind) {
        ferrule_log_format *format = nullptr;
        detail::check(ferrule_log_format_parse(detail::bytes(spec), spec.size(), static_cast<std::uint32_t>(kind),
                                               &format));
        return LogFormat(format);
    }
    // A preset: "combined", "common" ("clf"), "vhost_combined", "syslog_rfc3164",
    // "syslog_rfc5424", "apache_error", "nginx_error", "logfmt", "jsonl".
    static LogFormat preset(std::string_view name) { return parse(name, LogFormatKind::preset); }
    // An nginx log_format string.
    static LogFormat nginx(std::string_view spec) { return parse(spec, LogFormatKind::nginx); }
    // An Apache LogFormat string.
    static LogFormat apache(std::string_view spec) { return parse(spec, LogFormatKind::apache); }
    // A LogPAI-style template ("<Date> <Time> <Level>: <Content>"); Python's LogFormat.template.
    static LogFormat template_(std::string_view spec) { return parse(spec, LogFormatKind::template_); }

    LogFormatKind get_kind() const {
        ferrule_log_format_kind kind = FERRULE_LOG_FORMAT_PRESET;
        detail::check(ferrule_log_format_get_kind(native_handle(), &kind));
        return static_cast<LogFormatKind>(kind);
    }
};

/*
 * A plain string column (ColumnType::string) in Arrow's large_utf8 layout: row i is
 * values()[offsets()[i] .. offsets()[i + 1]]. Null rows are "" (see Validity). The bytes are as
 * logged (UTF-8 unless the line was not). Lives as long as its LogTable.
 */
class StringColumn {
public:
    using iterator = detail::index_iterator<StringColumn, std::string_view>;

    StringColumn() noexcept = default;
    std::size_t size() const noexcept { return rows_; }
    bool empty() const noexcept { return rows_ == 0; }
    std::string_view operator[](std::size_t row) const noexcept {
        return detail::text(values_ + offsets_[row], static_cast<std::size_t>(offsets_[row + 1] - offsets_[row]));
    }
    iterator begin() const noexcept { return iterator(this, 0); }
    iterator end() const noexcept { return iterator(this, rows_); }
    span<const std::int64_t> offsets() const noexcept { return {offsets_, offsets_ == nullptr ? 0 : rows_ + 1}; }
    span<const std::uint8_t> values() const noexcept {
        return {values_, offsets_ == nullptr ? 0 : static_cast<std::size_t>(offsets_[rows_])};
    }

private:
    friend class LogTable;
    StringColumn(const std::int64_t *offsets, const std::uint8_t *values, std::size_t rows) noexcept
        : offsets_(offsets), values_(values), rows_(rows) {}
    const std::int64_t *offsets_ = nullptr;
    const std::uint8_t *values_ = nullptr;
    std::size_t rows_ = 0;
};

/*
 * The dictionary of a dictionary column: value c (for c < size()) is what rows with code c hold,
 * distinct, in first-seen order. Arrow's utf8 layout. Lives as long as its LogTable.
 */
class Dictionary {
public:
    using iterator = detail::index_iterator<Dictionary, std::string_view>;

    Dictionary() noexcept = default;
    std::size_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    std::string_view operator[](std::size_t code) const noexcept {
        return detail::text(values_ + offsets_[code], offsets_[code + 1] - offsets_[code]);
    }
    iterator begin() const noexcept { return iterator(this, 0); }
    iterator end() const noexcept { return iterator(this, count_); }
    span<const std::uint32_t> offsets() const noexcept { return {offsets_, offsets_ == nullptr ? 0 : count_ + 1}; }
    span<const std::uint8_t> values() const noexcept {
        return {values_, offsets_ == nullptr ? 0 : static_cast<std::size_t>(offsets_[count_])};
    }

private:
    friend class LogTable;
    Dictionary(const std::uint32_t *offsets, const std::uint8_t *values, std::size_t count) noexcept
        : offsets_(offsets), values_(values), count_(count) {}
    const std::uint32_t *offsets_ = nullptr;
    const std::uint8_t *values_ = nullptr;
    std::size_t count_ = 0;
};

/*
 * Which rows of a column are valid (not null): v[row] is true for a valid row. data() is the
 * Arrow bitmap (bit row % 8 of byte row / 8). Lives as long as its LogTable.
 */
class Validity {
public:
    using iterator = detail::index_iterator<Validity, bool>;

    Validity() noexcept = default;
    std::size_t size() const noexcept { return rows_; }
    bool empty() const noexcept { return rows_ == 0; }
    std::size_t null_count() const noexcept { return null_count_; }
    bool operator[](std::size_t row) const noexcept { return ((bits_[row / 8] >> (row % 8)) & 1u) != 0; }
    iterator begin() const noexcept { return iterator(this, 0); }
    iterator end() const noexcept { return iterator(this, rows_); }
    const std::uint8_t *data() const noexcept { return bits_; }
    std::size_t size_bytes() const noexcept { return (rows_ + 7) / 8; }

private:
    friend class LogTable;
    Validity(const std::uint8_t *bits, std::size_t rows, std::size_t null_count) noexcept
        : bits_(bits), rows_(rows), null_count_(null_count) {}
    const std::uint8_t *bits_ = nullptr;
    std::size_t rows_ = 0;
    std::size_t null_count_ = 0;
};

// A failed line (ferrule_log_table_error). code is static; text is a view into the table.
struct LogError {
    std::uint64_t line;     // 1-based, in the whole input
    std::string_view code;  // "UNTERMINATED_QUOTE", "BAD_TIMESTAMP", ...
    std::uint64_t offset;   // the byte in the line where parsing stopped
    std::string_view text;  // the raw line, without its line end
};

// The counts of a parse: lines == ok + errors + skipped; the table has ok + errors rows.
using LogStats = ferrule_log_stats;

/*
 * Parsed log lines as typed columns (ferrule_log_table): `line`, the format's fields, `error`
 * and `error_offset`. Immutable. Every view it returns lives as long as the table (see the top
 * of this file). Columns are named by index (0 .. num_columns() - 1) or by name; an accessor of
 * the wrong type throws FERRULE_STATUS_INVALID_ARGUMENT, an index past the last column
 * FERRULE_STATUS_OUT_OF_RANGE, an unknown name FERRULE_STATUS_INVALID_ARGUMENT (all from C).
 * Null rows hold 0, "" or code 0: read validity(). Default-constructed: empty.
 */
class LogTable : public detail::handle<ferrule_log_table, detail::table_free> {
public:
    LogTable() noexcept = default;
    explicit LogTable(ferrule_log_table *table) noexcept : handle(table) {}

    std::size_t num_rows() const { return get_size(ferrule_log_table_num_rows); }
    std::size_t num_columns() const { return get_size(ferrule_log_table_num_columns); }

    std::size_t column_index(std::string_view name) const {
        std::size_t index = 0;
        detail::check(ferrule_log_table_column_index(native_handle(), detail::bytes(name), name.size(), &index));
        return index;
    }
    std::string_view column_name(std::size_t index) const {
        const std::uint8_t *name = nullptr;
        std::size_t len = 0;
        detail::check(ferrule_log_table_column_name(native_handle(), index, &name, &len));
        return detail::text(name, len);
    }
    // Every column name, in column order.
    std::vector<std::string_view> column_names() const {
        std::vector<std::string_view> names;
        const std::size_t n = num_columns();
        names.reserve(n);
        for (std::size_t i = 0; i < n; ++i) names.push_back(column_name(i));
        return names;
    }
    ColumnType column_type(std::size_t index) const {
        ferrule_log_column_type type = FERRULE_LOG_COLUMN_UINT64;
        detail::check(ferrule_log_table_column_type(native_handle(), index, &type));
        return static_cast<ColumnType>(type);
    }
    ColumnType column_type(std::string_view name) const { return column_type(column_index(name)); }

    // The values of a typed column, one per row.
    span<const std::uint64_t> column_u64(std::size_t index) const {
        return typed(index, ferrule_log_table_column_u64);
    }
    span<const std::uint64_t> column_u64(std::string_view name) const { return column_u64(column_index(name)); }
    span<const std::uint16_t> column_u16(std::size_t index) const {
        return typed(index, ferrule_log_table_column_u16);
    }
    span<const std::uint16_t> column_u16(std::string_view name) const { return column_u16(column_index(name)); }
    span<const std::int16_t> column_i16(std::size_t index) const { return typed(index, ferrule_log_table_column_i16); }
    span<const std::int16_t> column_i16(std::string_view name) const { return column_i16(column_index(name)); }
    span<const std::int64_t> column_i64(std::size_t index) const { return typed(index, ferrule_log_table_column_i64); }
    span<const std::int64_t> column_i64(std::string_view name) const { return column_i64(column_index(name)); }
    span<const double> column_f64(std::size_t index) const { return typed(index, ferrule_log_table_column_f64); }
    span<const double> column_f64(std::string_view name) const { return column_f64(column_index(name)); }
    // Microseconds since the Unix epoch, UTC (the original zone is in tz_offset).
    span<const std::int64_t> column_timestamp(std::size_t index) const {
        return typed(index, ferrule_log_table_column_timestamp);
    }
    span<const std::int64_t> column_timestamp(std::string_view name) const {
        return column_timestamp(column_index(name));
    }
    // One byte per row, 0 or 1.
    span<const std::uint8_t> column_bool(std::size_t index) const {
        return typed(index, ferrule_log_table_column_bool);
    }
    span<const std::uint8_t> column_bool(std::string_view name) const { return column_bool(column_index(name)); }

    // Which rows of a column (any type) are valid.
    Validity validity(std::size_t index) const {
        const std::uint8_t *bits = nullptr;
        std::size_t nulls = 0;
        detail::check(ferrule_log_table_validity(native_handle(), index, &bits, &nulls));
        return Validity(bits, num_rows(), nulls);
    }
    Validity validity(std::string_view name) const { return validity(column_index(name)); }

    // A plain string column.
    StringColumn column_strings(std::size_t index) const {
        const std::int64_t *offsets = nullptr;
        const std::uint8_t *values = nullptr;
        std::size_t rows = 0;
        detail::check(ferrule_log_table_column_strings(native_handle(), index, &offsets, &values, &rows));
        return StringColumn(offsets, values, rows);
    }
    StringColumn column_strings(std::string_view name) const { return column_strings(column_index(name)); }

    // The codes of a dictionary column (row i holds dictionary(...)[codes[i]]). Codes are stable
    // across the batches of one StreamParser or BatchReader.
    span<const std::uint32_t> column_codes(std::size_t index) const {
        return typed(index, ferrule_log_table_column_codes);
    }
    span<const std::uint32_t> column_codes(std::string_view name) const { return column_codes(column_index(name)); }

    // The dictionary of a dictionary column, read in place.
    Dictionary dictionary(std::size_t index) const {
        const std::uint32_t *offsets = nullptr;
        const std::uint8_t *values = nullptr;
        std::size_t count = 0;
        detail::check(ferrule_log_table_dictionary(native_handle(), index, &offsets, &values, &count));
        return Dictionary(offsets, values, count);
    }
    Dictionary dictionary(std::string_view name) const { return dictionary(column_index(name)); }

    // A copy of a dictionary column's dictionary as a new StringPool with the codes as ids
    // (for get(): the code of a value). Independent of the table.
    StringPool dictionary_pool(std::size_t index) const {
        ferrule_pool *pool = nullptr;
        detail::check(ferrule_log_table_dictionary_pool(native_handle(), index, &pool));
        return StringPool(pool);
    }
    StringPool dictionary_pool(std::string_view name) const { return dictionary_pool(column_index(name)); }

    // The failed lines: rows with an error code, and with OnError::skip the dropped lines too.
    std::size_t error_count() const { return get_size(ferrule_log_table_error_count); }
    LogError error(std::size_t i) const {
        std::uint64_t line = 0, offset = 0;
        const std::uint8_t *code = nullptr, *text = nullptr;
        std::size_t code_len = 0, text_len = 0;
        detail::check(ferrule_log_table_error(native_handle(), i, &line, &code, &code_len, &offset, &text, &text_len));
        return LogError{line, detail::text(code, code_len), offset, detail::text(text, text_len)};
    }
    // Every failed line, in input order (Python's errors).
    std::vector<LogError> errors() const {
        std::vector<LogError> all;
        const std::size_t n = error_count();
        all.reserve(n);
        for (std::size_t i = 0; i < n; ++i) all.push_back(error(i));
        return all;
    }

    // The counts of the parse (of this batch only, for a parser's or reader's table).
    LogStats stats() const {
        LogStats stats{};
        detail::check(ferrule_log_table_stats(native_handle(), &stats));
        return stats;
    }
    std::size_t memory_usage() const { return get_size(ferrule_log_table_memory_usage); }

private:
    template <class Fn>
    std::size_t get_size(Fn fn) const {
        std::size_t n = 0;
        detail::check(fn(native_handle(), &n));
        return n;
    }
    template <class T>
    span<const T> typed(std::size_t index,
                        ferrule_status (*fn)(const ferrule_log_table *, std::size_t, const T **, std::size_t *)) const {
        const T *values = nullptr;
        std::size_t len = 0;
        detail::check(fn(native_handle(), index, &values, &len));
        return span<const T>(values, len);
    }
};

// Parses the log file at `path` (plain or gzip) into a table, on options.threads threads.
// Throws FERRULE_STATUS_IO for a file it cannot read, FERRULE_STATUS_CORRUPT for bad gzip,
// FERRULE_STATUS_PARSE at the first bad line with OnError::raise.
inline LogTable parse_file(std::string_view path, const LogFormat &format, const LogOptions &options = {}) {
    const detail::c_log_options c(options);
    ferrule_log_table *table = nullptr;
    detail::check(ferrule_log_parse_file(detail::bytes(path), path.size(), format.native_handle(), c.ptr(), &table));
    return LogTable(table);
}
// parse_file with a preset format by name.
inline LogTable parse_file(std::string_view path, std::string_view preset = "combined",
                           const LogOptions &options = {}) {
    return parse_file(path, LogFormat::preset(preset), options);
}

// Parses the lines of `data` (split at '\n', a '\r' before it dropped) into a table; the table
// holds copies, so `data` may go right after the call.
inline LogTable parse_bytes(span<const std::uint8_t> data, const LogFormat &format, const LogOptions &options = {}) {
    const detail::c_log_options c(options);
    ferrule_log_table *table = nullptr;
    detail::check(ferrule_log_parse_bytes(data.data(), data.size(), format.native_handle(), c.ptr(), &table));
    return LogTable(table);
}
inline LogTable parse_bytes(std::string_view data, const LogFormat &format, const LogOptions &options = {}) {
    return parse_bytes(span<const std::uint8_t>(detail::bytes(data), data.size()), format, options);
}
inline LogTable parse_bytes(span<const std::uint8_t> data, std::string_view preset = "combined",
                            const LogOptions &options = {}) {
    return parse_bytes(data, LogFormat::preset(preset), options);
}
inline LogTable parse_bytes(std::string_view data, std::string_view preset = "combined",
                            const LogOptions &options = {}) {
    return parse_bytes(data, LogFormat::preset(preset), options);
}

/*
 * A streaming parser (ferrule_log_parser): push() chunks of any size, take_batch() the rows so
 * far, finish() for the rest. Line numbers and dictionary codes run on across its batches.
 * After a failed push or finish, every later push and finish throws the same way (C's rule).
 * Default-constructed: empty.
 */
class StreamParser : public detail::handle<ferrule_log_parser, detail::parser_free> {
public:
    StreamParser() noexcept = default;
    explicit StreamParser(ferrule_log_parser *parser) noexcept : handle(parser) {}
    explicit StreamParser(const LogFormat &format, const LogOptions &options = {}) {
        const detail::c_log_options c(options);
        ferrule_log_parser *parser = nullptr;
        detail::check(ferrule_log_parser_new(format.native_handle(), c.ptr(), &parser));
        reset(parser);
    }
    explicit StreamParser(std::string_view preset, const LogOptions &options = {})
        : StreamParser(LogFormat::preset(preset), options) {}

    // Parses every line the chunk completes; the parser copies what it keeps.
    void push(span<const std::uint8_t> chunk) { detail::check(ferrule_log_parser_push(native_handle(), chunk.data(), chunk.size())); }
    void push(std::string_view chunk) { push(span<const std::uint8_t>(detail::bytes(chunk), chunk.size())); }
    // The rows of the complete lines parsed and not handed out yet (maybe 0 rows).
    LogTable take_batch() {
        ferrule_log_table *table = nullptr;
        detail::check(ferrule_log_parser_take_batch(native_handle(), &table));
        return LogTable(table);
    }
    // Parses the pending last line and hands out the rest; the parser accepts nothing after.
    LogTable finish() {
        ferrule_log_table *table = nullptr;
        detail::check(ferrule_log_parser_finish(native_handle(), &table));
        return LogTable(table);
    }
};

/*
 * A reader of a log file in batches of at most batch_rows rows, in bounded memory
 * (ferrule_log_reader; Python's BatchIterator from iter_batches). next() gives the next batch
 * or nullopt at the end; or iterate: for (LogTable &batch : reader). The range form holds the
 * current batch in the reader (move it out to keep it); begin() reads the first batch, so
 * iterate once. Default-constructed: empty.
 */
class BatchReader : public detail::handle<ferrule_log_reader, detail::reader_free> {
public:
    BatchReader() noexcept = default;
    explicit BatchReader(ferrule_log_reader *reader) noexcept : handle(reader) {}
    BatchReader(std::string_view path, const LogFormat &format, const LogOptions &options = {},
                std::size_t batch_rows = 65536) {
        const detail::c_log_options c(options);
        ferrule_log_reader *reader = nullptr;
        detail::check(ferrule_log_reader_open(detail::bytes(path), path.size(), format.native_handle(), c.ptr(), batch_rows,
                                              &reader));
        reset(reader);
    }

    // The next batch, or nullopt when the file has no more lines (the last batch may have 0
    // rows when the file ends with lines that make none; its stats count them).
    std::optional<LogTable> next() {
        ferrule_log_table *table = nullptr;
        detail::check(ferrule_log_reader_next(native_handle(), &table));
        if (table == nullptr) return std::nullopt;
        return LogTable(table);
    }

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = LogTable;
        using difference_type = std::ptrdiff_t;
        using pointer = LogTable *;
        using reference = LogTable &;

        iterator() noexcept = default;
        LogTable &operator*() const noexcept { return reader_->batch_; }
        LogTable *operator->() const noexcept { return &reader_->batch_; }
        iterator &operator++() {
            if (!reader_->advance()) reader_ = nullptr;
            return *this;
        }
        // No copy to return: the batch before the step is gone (moved into the reader's slot).
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator &a, const iterator &b) noexcept { return a.reader_ == b.reader_; }
        friend bool operator!=(const iterator &a, const iterator &b) noexcept { return a.reader_ != b.reader_; }

    private:
        friend class BatchReader;
        explicit iterator(BatchReader *reader) noexcept : reader_(reader) {}
        BatchReader *reader_ = nullptr;
    };

    iterator begin() { return advance() ? iterator(this) : iterator(); }
    iterator end() noexcept { return iterator(); }

private:
    bool advance() {
        std::optional<LogTable> batch = next();
        if (!batch) {
            batch_.reset();
            return false;
        }
        batch_ = std::move(*batch);
        return true;
    }
    LogTable batch_;
};

// A BatchReader over `path` (Python's iter_batches).
inline BatchReader iter_batches(std::string_view path, const LogFormat &format, const LogOptions &options = {},
                                std::size_t batch_rows = 65536) {
    return BatchReader(path, format, options, batch_rows);
}
inline BatchReader iter_batches(std::string_view path, std::string_view preset = "combined",
                                const LogOptions &options = {}, std::size_t batch_rows = 65536) {
    return BatchReader(path, LogFormat::preset(preset), options, batch_rows);
}

// One parameter of a structured-data element: views into its StructuredData.
struct SdParam {
    std::string_view name;
    std::string_view value;  // unescaped
};

/*
 * RFC 5424 STRUCTURED-DATA (ferrule_sd): elements, each an id and (name, value) parameters, in
 * the order of the text. Element and parameter indexes are checked by C (FERRULE_STATUS_OUT_OF_RANGE).
 * Views live as long as this object. Default-constructed: empty.
 */
class StructuredData : public detail::handle<ferrule_sd, detail::sd_free> {
public:
    StructuredData() noexcept = default;
    explicit StructuredData(ferrule_sd *sd) noexcept : handle(sd) {}

    // The number of elements ("-" has none).
    std::size_t count() const {
        std::size_t n = 0;
        detail::check(ferrule_sd_count(native_handle(), &n));
        return n;
    }
    // The SD-ID of an element ("exampleSDID@32473").
    std::string_view id(std::size_t element) const {
        const std::uint8_t *ptr = nullptr;
        std::size_t len = 0;
        detail::check(ferrule_sd_id(native_handle(), element, &ptr, &len));
        return detail::text(ptr, len);
    }
    std::size_t param_count(std::size_t element) const {
        std::size_t n = 0;
        detail::check(ferrule_sd_param_count(native_handle(), element, &n));
        return n;
    }
    SdParam param(std::size_t element, std::size_t param) const {
        const std::uint8_t *name = nullptr, *value = nullptr;
        std::size_t name_len = 0, value_len = 0;
        detail::check(ferrule_sd_param(native_handle(), element, param, &name, &name_len, &value, &value_len));
        return SdParam{detail::text(name, name_len), detail::text(value, value_len)};
    }
};

// Parses the STRUCTURED-DATA part of an RFC 5424 message (a syslog_rfc5424 table's
// structured_data cell); throws FERRULE_STATUS_PARSE when it is not structured data.
inline StructuredData parse_structured_data(std::string_view text) {
    ferrule_sd *sd = nullptr;
    detail::check(ferrule_log_structured_data_parse(detail::bytes(text), text.size(), &sd));
    return StructuredData(sd);
}

}  // namespace ferrule

#endif  // FERRULE_HPP
