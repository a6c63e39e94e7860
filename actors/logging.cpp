#include "actors/logging.hpp"

#include <atomic>

#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_logger.hpp>

namespace tightloop {

namespace {

std::atomic<int> current_level{static_cast<int>(LogLevel::info)};

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "info";
}

LogLevel parse_level(std::string_view name) {
  for (auto level : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warning,
                     LogLevel::error})
    if (name == level_name(level)) return level;
  return LogLevel::info;
}

boost::log::sources::severity_logger_mt<LogLevel>& logger() {
  static boost::log::sources::severity_logger_mt<LogLevel> instance;
  return instance;
}

}  // namespace

void set_log_level(LogLevel level) { current_level.store(static_cast<int>(level)); }

void set_log_level(std::string_view level) { set_log_level(parse_level(level)); }

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) >= current_level.load(std::memory_order_relaxed);
}

void log_line(LogLevel level, std::string_view component, std::string_view message) {
  if (!log_enabled(level)) return;
  BOOST_LOG_SEV(logger(), level) << "[" << level_name(level) << "] " << component << ": "
                                 << message;
}

}  // namespace tightloop
