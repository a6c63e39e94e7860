#include "runtime/log_sinks.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <boost/core/null_deleter.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_logger.hpp>
#include <boost/log/support/date_time.hpp>
#include <boost/log/utility/setup/common_attributes.hpp>
#include <boost/log/utility/setup/file.hpp>
#include <boost/make_shared.hpp>

namespace tightloop {

namespace logging = boost::log;

namespace {

struct SinkSettings {
  std::string level = "info";
  std::string file;
  std::int64_t rotation_bytes = 0;
};
SinkSettings& current_settings() {
  static SinkSettings settings;
  return settings;
}

}  // namespace

std::optional<Failure> reopen_logging() {
  const SinkSettings settings = current_settings();
  if (settings.file.empty()) return std::nullopt;
  return init_logging(settings.level, settings.file, settings.rotation_bytes);
}

std::optional<Failure> init_logging(std::string_view level, const std::string& file,
                                    std::int64_t rotation_bytes) {
  if (!file.empty()) {
    // Boost.Log would throw a filesystem_error from deep inside (or fail silently later):
    // open the file here first and say why it cannot be used.
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
      return Failure{ErrorCode::cfg_unusable_path,
                     "log.file '" + file + "' cannot be used: is a directory"};
    errno = 0;
    std::FILE* probe = std::fopen(file.c_str(), "a");
    if (!probe)
      return Failure{ErrorCode::cfg_unusable_path,
                     "log.file '" + file + "' cannot be used: " +
                         (errno != 0 ? std::strerror(errno) : "cannot be opened")};
    std::fclose(probe);
  }
  auto core = logging::core::get();
  core->remove_all_sinks();
  logging::add_common_attributes();
  auto format = logging::expressions::stream
                << logging::expressions::format_date_time<boost::posix_time::ptime>(
                       "TimeStamp", "%Y-%m-%dT%H:%M:%S.%f")
                << " " << logging::expressions::smessage;
  if (file.empty()) {
    using backend_type = logging::sinks::text_ostream_backend;
    auto backend = boost::make_shared<backend_type>();
    backend->add_stream(boost::shared_ptr<std::ostream>(&std::clog, boost::null_deleter()));
    backend->auto_flush(true);
    auto sink = boost::make_shared<logging::sinks::synchronous_sink<backend_type>>(backend);
    sink->set_formatter(format);
    core->add_sink(sink);
  } else {
    try {
      if (rotation_bytes > 0)
        logging::add_file_log(logging::keywords::file_name = file,
                              logging::keywords::open_mode = std::ios_base::app,
                              logging::keywords::auto_flush = true,
                              logging::keywords::format = format,
                              logging::keywords::rotation_size = rotation_bytes,
                              logging::keywords::target_file_name = file + ".%Y%m%dT%H%M%S.%N");
      else
        logging::add_file_log(logging::keywords::file_name = file,
                              logging::keywords::open_mode = std::ios_base::app,
                              logging::keywords::auto_flush = true,
                              logging::keywords::format = format);
    } catch (const std::exception& e) {
      return Failure{ErrorCode::cfg_unusable_path,
                     "log.file '" + file + "' cannot be used: " + e.what()};
    }
  }
  set_log_level(level);
  current_settings() = SinkSettings{std::string(level), file, rotation_bytes};
  return std::nullopt;
}

}  // namespace tightloop
