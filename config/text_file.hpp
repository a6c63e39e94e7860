// Reading a whole input file (config, orders) with the operating system's reason on failure.
#pragma once

#include <optional>
#include <string>

namespace tightloop {

// The file's bytes, or nullopt with `why` set ("No such file or directory", "is a directory").
std::optional<std::string> read_text_file(const std::string& path, std::string& why);

}  // namespace tightloop
