// The binary's log sinks: stderr by default or a file, level from config. Embedding
// applications keep their own sinks and use only the front end (actors/logging.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "actors/logging.hpp"
#include "messages/failure.hpp"

namespace tightloop {

// Installs the sink. `file` empty: stderr. A file that cannot be opened for appending (a
// directory, a missing parent, no permission, a name too long) is CFG-003 with the operating
// system's reason; it is checked before the sinks change.
std::optional<Failure> init_logging(std::string_view level, const std::string& file);

}  // namespace tightloop
