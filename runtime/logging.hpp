// Logging through Boost.Log: stderr by default or a file, level from config. Call sites on the
// order path check log_enabled() first so that a disabled level costs one comparison.
#pragma once

#include <string>
#include <string_view>

namespace tightloop {

enum class LogLevel { trace, debug, info, warning, error };

// Installs the sink. `file` empty: stderr. Unknown level names fall back to info (the config
// loader rejects them before this is called).
void init_logging(std::string_view level, const std::string& file);
// Only the threshold, sinks untouched: what an embedding application gets from its config.
void set_log_level(std::string_view level);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view component, std::string_view message);

}  // namespace tightloop
