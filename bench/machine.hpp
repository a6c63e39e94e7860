// Where and what the benchmark ran: machine, build, source revision, memory.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace tightloop::bench {

// VmRSS of this process from /proc/self/status, in bytes; -1 if unreadable.
std::int64_t resident_set_bytes();

// cores, cpu_model, memory_bytes, kernel, hostname.
nlohmann::json machine_json();
// compiler, build_type, caf_version.
nlohmann::json build_json();

struct Revision {
  std::string commit = "unknown";  // short hash
  bool dirty = false;              // tracked files differ from the commit
};
Revision source_revision();

std::string utc_now_iso8601();

}  // namespace tightloop::bench
