// Logging through Boost.Log: stderr by default or a file, level from config. Call sites on the
// order path check log_enabled() first so that a disabled level costs one comparison.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "messages/failure.hpp"

namespace tightloop {

enum class LogLevel { trace, debug, info, warning, error };

// Installs the sink. `file` empty: stderr. Unknown level names fall back to info (the config
// loader rejects them before this is called). A file that cannot be opened for appending (a
// directory, a missing parent, no permission, a name too long) is CFG-003 with the operating
// system's reason, and the sinks stay as they were.
std::optional<Failure> init_logging(std::string_view level, const std::string& file);
// Only the threshold, sinks untouched: what an embedding application gets from its config.
void set_log_level(std::string_view level);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view component, std::string_view message);

}  // namespace tightloop
