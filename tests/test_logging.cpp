// Logging through the real binary: the level and file come from the config's `log` object, the
// default level writes nothing per order, debug writes one line per order, and a log file takes
// the lines off stderr. An embedded Runtime takes the level as its threshold.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <tuple>

#include "runtime/log_sinks.hpp"
#include "runtime/runtime.hpp"
#include "tests/test_support.hpp"

using namespace tightloop::test;

namespace {

const std::string source_dir = TIGHTLOOP_SOURCE_DIR;
const std::string default_orders = source_dir + "/config/default-orders.jsonl";

// The bundled default config with its `log` object replaced.
nlohmann::json default_config_with_log(const nlohmann::json& log) {
  std::ifstream in(source_dir + "/config/default.json");
  auto config = nlohmann::json::parse(in);
  config["log"] = log;
  return config;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

std::size_t orders_in_default_batch() {
  std::ifstream in(default_orders);
  std::size_t orders = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find("\"operation_id\"") != std::string::npos) ++orders;
  return orders;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string per_order_line = "[debug] execution_manager: order ";

}  // namespace

TEST_CASE("the default info level writes no line per order, debug writes one per order") {
  REQUIRE(orders_in_default_batch() == 20);

  TempFile info_config(default_config_with_log({{"level", "info"}}).dump());
  auto info = run_tightloop({"run", "--config", info_config.path(), "--orders", default_orders});
  CHECK(info.exit_code == 0);
  CHECK(count_of(info.err, per_order_line) == 0);
  CHECK(count_of(info.err, "[info] run: 22 entries for 1 book(s)") == 1);

  TempFile debug_config(default_config_with_log({{"level", "debug"}}).dump());
  auto debug = run_tightloop({"run", "--config", debug_config.path(), "--orders", default_orders});
  CHECK(debug.exit_code == 0);
  CHECK(count_of(debug.err, per_order_line) == 20);
  CHECK(count_of(debug.err, per_order_line + "d-001 executed") == 1);
  CHECK(debug.out == info.out);  // logging never changes the results
}

TEST_CASE("warning level drops info lines") {
  TempFile config(default_config_with_log({{"level", "warning"}}).dump());
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", default_orders});
  CHECK(run.exit_code == 0);
  CHECK(count_of(run.err, "[info]") == 0);
  CHECK(count_of(run.err, "[debug]") == 0);
}

TEST_CASE("a log file takes the lines off stderr and is appended to") {
  TempFile log("", ".log");
  TempFile config(default_config_with_log({{"level", "debug"}, {"file", log.path()}}).dump());
  auto first = run_tightloop({"run", "--config", config.path(), "--orders", default_orders});
  CHECK(first.exit_code == 0);
  CHECK(count_of(first.err, per_order_line) == 0);
  CHECK(count_of(read_file(log.path()), per_order_line) == 20);

  auto second = run_tightloop({"run", "--config", config.path(), "--orders", default_orders});
  CHECK(second.exit_code == 0);
  CHECK(count_of(read_file(log.path()), per_order_line) == 40);
}

TEST_CASE("an embedded Runtime takes log.level from its config as the threshold") {
  for (const auto& [level, debug_on, info_on, warning_on] :
       {std::tuple{"debug", true, true, true}, std::tuple{"info", false, true, true},
        std::tuple{"warning", false, false, true}}) {
    auto json = exact_config_json();
    json["log"] = {{"level", level}};
    tightloop::Runtime runtime(config_from(json));
    CAPTURE(level);
    CHECK(tightloop::log_enabled(tightloop::LogLevel::debug) == debug_on);
    CHECK(tightloop::log_enabled(tightloop::LogLevel::info) == info_on);
    CHECK(tightloop::log_enabled(tightloop::LogLevel::warning) == warning_on);
  }
  tightloop::set_log_level(tightloop::LogLevel::info);  // the test binary's own level
}
