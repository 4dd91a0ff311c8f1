// A status and top-paths report over an access log (combined format; plain text or gzip), from
// C++ through ferrule.hpp: requests and failed lines, the status histogram, the 10 most
// requested paths and the bytes served. The path column is asked for as a dictionary, so
// counting paths is counting small integer codes. Exits non-zero when the counts do not add up,
// and with the error's code and message (and the bad line, if any) when ferrule throws.
//
// usage: cpp_report [ACCESS_LOG]   (default: examples/data/apache_combined.log, run from the
// repository root)
// Build: c++ -std=c++17 cpp_report.cpp $(pkg-config --cflags --libs ferrule)
// or, in the repository after `make build-c`:
//   c++ -std=c++17 -Iinclude examples/c/cpp_report.cpp build/lib/libferrule.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -o cpp_report
#include "ferrule.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples/data/apache_combined.log";
    try {
        ferrule::LogOptions options;
        options.plain_columns = std::vector<std::string>{"request"};  // path: a dictionary
        const ferrule::LogTable table = ferrule::parse_file(path, "combined", options);

        const ferrule::LogStats stats = table.stats();
        std::printf("%s: %zu requests, %llu failed lines\n", path, table.num_rows(),
                    static_cast<unsigned long long>(stats.errors));
        for (const ferrule::LogError &error : table.errors()) {
            std::printf("  line %llu: %.*s at byte %llu\n", static_cast<unsigned long long>(error.line),
                        static_cast<int>(error.code.size()), error.code.data(),
                        static_cast<unsigned long long>(error.offset));
        }

        // Status histogram; rows without a status (failed lines) are null.
        const ferrule::span<const std::uint16_t> status = table.column_u16("status");
        const ferrule::Validity has_status = table.validity("status");
        std::map<std::uint16_t, std::size_t> by_status;
        for (std::size_t row = 0; row < status.size(); ++row) {
            if (has_status[row]) by_status[status[row]]++;
        }
        std::printf("status:\n");
        std::size_t with_status = 0;
        for (const auto &[code, count] : by_status) {
            std::printf("  %u %7zu\n", static_cast<unsigned>(code), count);
            with_status += count;
        }

        // Top paths: count the codes, then name the winners through the dictionary.
        const ferrule::span<const std::uint32_t> codes = table.column_codes("path");
        const ferrule::Dictionary paths = table.dictionary("path");
        const ferrule::Validity has_path = table.validity("path");
        std::vector<std::size_t> counts(paths.size());
        std::size_t with_path = 0;
        for (std::size_t row = 0; row < codes.size(); ++row) {
            if (has_path[row]) {
                counts[codes[row]]++;
                with_path++;
            }
        }
        std::vector<std::uint32_t> order(paths.size());
        for (std::uint32_t code = 0; code < order.size(); ++code) order[code] = code;
        // More requests first; equal counts by path, ascending (as the C example sorts).
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return counts[a] != counts[b] ? counts[a] > counts[b] : paths[a] < paths[b];
        });
        std::printf("top paths:\n");
        for (std::size_t i = 0; i < order.size() && i < 10; ++i) {
            const std::string_view name = paths[order[i]];
            std::printf("  %7zu %.*s\n", counts[order[i]], static_cast<int>(name.size()), name.data());
        }

        // Bytes served (`-` is null).
        const ferrule::span<const std::uint64_t> bytes = table.column_u64("bytes");
        const ferrule::Validity has_bytes = table.validity("bytes");
        std::uint64_t served = 0;
        for (std::size_t row = 0; row < bytes.size(); ++row) {
            if (has_bytes[row]) served += bytes[row];
        }
        std::printf("bytes served: %llu (%zu responses without a size)\n", static_cast<unsigned long long>(served),
                    has_bytes.null_count());

        const std::size_t rows = table.num_rows();
        const bool ok = with_status + has_status.null_count() == rows && with_path + has_path.null_count() == rows &&
                        stats.ok + stats.errors == rows;
        if (!ok) std::fprintf(stderr, "the counts do not add up to %zu rows\n", rows);
        return ok ? 0 : 1;
    } catch (const ferrule::Error &err) {
        std::fprintf(stderr, "cpp_report: %s\n", err.what());
        if (err.line() != 0) {
            std::fprintf(stderr, "  at line %llu, byte %llu (%.*s)\n", static_cast<unsigned long long>(err.line()),
                         static_cast<unsigned long long>(err.offset()), static_cast<int>(err.reason().size()),
                         err.reason().data());
        }
        return 1;
    }
}
