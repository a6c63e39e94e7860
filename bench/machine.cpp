#include "bench/machine.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/utsname.h>

#include "caf/config.hpp"

#ifndef TIGHTLOOP_SOURCE_DIR
#define TIGHTLOOP_SOURCE_DIR "."
#endif
#ifndef TIGHTLOOP_BUILD_TYPE
#define TIGHTLOOP_BUILD_TYPE "unknown"
#endif

namespace tightloop::bench {

namespace {

// The value after "<key>:" on the first line of `path` that starts with `key`.
std::string proc_field(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    auto first = value.find_first_not_of(" \t");
    return first == std::string::npos ? "" : value.substr(first);
  }
  return "";
}

// "1234 kB" -> bytes
std::int64_t kib_field(const char* path, const std::string& key) {
  auto text = proc_field(path, key);
  if (text.empty()) return -1;
  return std::stoll(text) * 1024;
}

std::string command_output(const std::string& command) {
  std::string text;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return text;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) text += buffer.data();
  if (::pclose(pipe) != 0) return "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::int64_t resident_set_bytes() { return kib_field("/proc/self/status", "VmRSS"); }

nlohmann::json machine_json() {
  utsname names{};
  ::uname(&names);
  return {{"cores", std::thread::hardware_concurrency()},
          {"cpu_model", proc_field("/proc/cpuinfo", "model name")},
          {"memory_bytes", kib_field("/proc/meminfo", "MemTotal")},
          {"kernel", std::string(names.sysname) + " " + names.release},
          {"hostname", std::string(names.nodename)}};
}

nlohmann::json build_json() {
  return {{"compiler", std::string("g++ ") + __VERSION__},
          {"build_type", TIGHTLOOP_BUILD_TYPE},
          {"caf_version", CAF_VERSION}};
}

Revision source_revision() {
  Revision revision;
  const std::string git = "git -C '" + std::string(TIGHTLOOP_SOURCE_DIR) + "' ";
  auto commit = command_output(git + "rev-parse --short=12 HEAD 2>/dev/null");
  if (commit.empty()) return revision;
  revision.commit = commit;
  revision.dirty =
      !command_output(git + "status --porcelain --untracked-files=no 2>/dev/null").empty();
  return revision;
}

std::string utc_now_iso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace tightloop::bench
