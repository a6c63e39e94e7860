// The logging front end the actors use (Boost.Log underneath). Call sites on the order path
// check log_enabled() first so that a disabled level costs one comparison. Where the lines go
// (stderr, a file) is the application's choice: runtime/log_sinks.hpp installs the binary's.
#pragma once

#include <string_view>

namespace tightloop {

enum class LogLevel { trace, debug, info, warning, error };

// Only the threshold, sinks untouched: what an embedding application gets from its config.
// Unknown level names fall back to info (the config loader rejects them first).
void set_log_level(std::string_view level);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view component, std::string_view message);

}  // namespace tightloop
