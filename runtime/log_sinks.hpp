// The binary's log sinks: stderr by default or a file, level from config. Embedding
// applications keep their own sinks and use only the front end (actors/logging.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/logging.hpp"
#include "messages/failure.hpp"

namespace tightloop {

// Installs the sink. `file` empty: stderr. A file that cannot be opened for appending (a
// directory, a missing parent, no permission, a name too long) is CFG-003 with the operating
// system's reason; it is checked before the sinks change. `rotation_bytes` > 0 (a file only):
// past that size the file is renamed to `<file>.<UTC date-time>.<n>` and a new one started.
std::optional<Failure> init_logging(std::string_view level, const std::string& file,
                                    std::int64_t rotation_bytes = 0);

// SIGHUP (logrotate): closes the log file and opens it again by name, with the settings of the
// last init_logging; nothing for stderr. A record logged at that very moment may be lost.
std::optional<Failure> reopen_logging();

}  // namespace tightloop
