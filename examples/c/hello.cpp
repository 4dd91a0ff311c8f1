// Prints ferrule's version and capabilities from C++17, turning a failed status into an
// exception. Build: c++ -std=c++17 hello.cpp $(pkg-config --cflags --libs ferrule)
#include <ferrule.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

void check(ferrule_status status) {
    if (status == FERRULE_STATUS_OK) return;
    size_t len = 0;
    ferrule_last_error_message(nullptr, 0, &len);
    std::string message(len, '\0');
    ferrule_last_error_message(message.data(), len + 1, nullptr);
    throw std::runtime_error(std::string(ferrule_status_str(status)) + ": " + message);
}

std::vector<std::string> feature_names(uint64_t features) {
    std::vector<std::string> names;
    for (int bit = 0; bit < 64; bit++) {
        const uint64_t flag = uint64_t{1} << bit;
        if (features & flag) names.emplace_back(ferrule_feature_name(flag));
    }
    return names;
}

}  // namespace

int main() {
    try {
        ferrule_cpu_capabilities caps{};
        check(ferrule_capabilities(&caps));
        std::printf("ferrule %s (C++)\nSIMD level: %s\nCPU features:", ferrule_version(), caps.isa_name);
        for (const auto &name : feature_names(caps.features)) std::printf(" %s", name.c_str());
        std::printf("\n");
        // Errors arrive as exceptions with the status name and message.
        try {
            check(ferrule_capabilities(nullptr));
            std::fprintf(stderr, "expected FERRULE_NULL_POINTER\n");
            return 1;
        } catch (const std::runtime_error &err) {
            std::printf("a NULL argument is reported, not a crash: %s\n", err.what());
        }
    } catch (const std::exception &err) {
        std::fprintf(stderr, "error: %s\n", err.what());
        return 1;
    }
    return 0;
}
