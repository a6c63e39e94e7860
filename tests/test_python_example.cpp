// The Python example client (examples/python/tightloop_client.py) against a real daemon, the
// operator's example config (config/serve.json) and the systemd unit (scripts/tightloop.service).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config_loader.hpp"
#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "tests/daemon_process.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using namespace tightloop::test;
using nlohmann::json;

namespace {

const std::string python = "/usr/bin/python3";
const std::string client = std::string(TIGHTLOOP_SOURCE_DIR) + "/examples/python/tightloop_client.py";
const std::string token = "python-example-token";
const std::string token_variable = "TIGHTLOOP_PY_EXAMPLE_TOKEN";  // the daemon's

json serve_config(std::int64_t events_retention = 1000) {
  auto config = exact_config_json({"main"});
  config["server"] = {{"token_env", token_variable}, {"events_retention", events_retention}};
  return config;
}

using Child = ProcessResult;

// Runs `argv` with the test's environment minus TIGHTLOOP_TOKEN plus `env`, killed past `bound`.
Child run_child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                std::chrono::seconds bound = std::chrono::seconds(60)) {
  return run_program(argv, "/dev/null", "python3", env, {"TIGHTLOOP_TOKEN"}, bound);
}

// The client against `daemon` with these orders (one JSON object per line).
Child run_client(const DaemonProcess& daemon, const std::vector<json>& orders,
                 std::vector<std::string> extra_args = {},
                 std::map<std::string, std::string> env = {{"TIGHTLOOP_TOKEN", token}}) {
  REQUIRE_MESSAGE(::access(python.c_str(), X_OK) == 0, python << " is needed");
  std::string lines;
  for (const auto& order : orders) lines += dump_json(order) + "\n";
  TempFile orders_file(lines, ".jsonl");
  std::vector<std::string> argv{python, client, "--url",
                                "http://127.0.0.1:" + std::to_string(daemon.port()),
                                "--book", "main", "--orders", orders_file.path(),
                                "--timeout", "30"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return run_child(argv, env);
}

json buy(const std::string& id, const std::string& amount = "0.125",
         const std::string& side = "BUY") {
  return {{"operation_id", id}, {"venue", "binance"}, {"operation", "spot_trade"},
          {"pair", "BTC/USDT"}, {"side", side},        {"amount", raw_number(amount)}};
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string starting_with(const std::vector<std::string>& lines, const std::string& prefix) {
  for (const auto& line : lines)
    if (line.rfind(prefix, 0) == 0) return line;
  return {};
}

struct Served {
  TempFile config;
  DaemonProcess daemon;
  explicit Served(const json& config_json = serve_config())
      : config(dump_json(config_json)), daemon(config.path(), {}, {{token_variable, token}}) {}
};

}  // namespace

TEST_CASE("python example: a batch of 3 buys, their results, events, positions and NAV") {
  Served s;
  auto run = run_client(s.daemon, {buy("py-1"), buy("py-2"), buy("py-3")});
  CAPTURE(run.out);
  CAPTURE(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = split_lines(run.out);
  REQUIRE(lines.size() >= 3);
  // One line per result, in order: operation_id status error_code.
  CHECK(lines[0] == "py-1 executed -");
  CHECK(lines[1] == "py-2 executed -");
  CHECK(lines[2] == "py-3 executed -");
  CHECK(starting_with(lines, "events: ").rfind("events: 3 of 3 order events seen", 0) == 0);
  // 0.125 BTC at 60000 plus the 0.001 fee, three times; the other keys as configured.
  CHECK(has_line(lines, "binance:BaseToken:BTC 1.375"));
  CHECK(has_line(lines, "binance:BaseToken:USDT 77477.5"));
  CHECK(has_line(lines, "wallet:BaseToken:WETH 10"));
  CHECK(has_line(lines, "wallet:BaseToken:USDC 5000"));
  // 1.375 * 60000 + 77477.5 + 10 * 2000 + 5000.
  CHECK(has_line(lines, "NAV 184977.5"));
  // The daemon agrees.
  auto p = s.daemon.get("/v1/books/main/positions", token).json();
  CHECK(dump_json(p["positions"]["binance:BaseToken:BTC"]) == "1.375");
}

TEST_CASE("python example: amounts print digit for digit, 18 fractional digits, no exponent") {
  Served s;
  // BTC ends at 1e-18; USDT gets the long products of the fees.
  auto run = run_client(s.daemon, {buy("x-1", "0.123456789012345678"),
                                   buy("x-2", "1.123456789012345677", "SELL")});
  CAPTURE(run.out);
  CAPTURE(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = split_lines(run.out);
  CHECK(lines[0] == "x-1 executed -");
  CHECK(lines[1] == "x-2 executed -");
  CHECK(has_line(lines, "binance:BaseToken:BTC 0.000000000000000001"));
  // 100000 - 0.123456789012345678 * 60000 * 1.001 + 1.123456789012345677 * 60000 * 0.999
  // (22 significant digits: a binary64 would keep 17).
  CHECK(has_line(lines, "binance:BaseToken:USDT 159925.1851853185184587"));
  CHECK(has_line(lines, "NAV 184925.1851853185185187"));
  // Every position line is the daemon's own number text (exact, never through a binary64).
  auto p = s.daemon.get("/v1/books/main/positions", token).json();
  for (const auto& [key, value] : p["positions"].items()) {
    CAPTURE(key);
    CHECK(has_line(lines, key + " " + dump_json(value)));
  }
  CHECK(has_line(lines, "NAV " + dump_json(p["valuation"]["expected"]["nav"])));
}

TEST_CASE("python example: a wrong token exits 1 with API-001 and submits nothing") {
  Served s;
  TempFile token_file("not-the-token\n", ".token");
  auto run = run_client(s.daemon, {buy("w-1")}, {"--token-file", token_file.path()}, {});
  CAPTURE(run.out);
  CAPTURE(run.err);
  CHECK(run.exit_code == 1);
  CHECK((run.out + run.err).find("API-001") != std::string::npos);
  CHECK(run.out.find("w-1") == std::string::npos);
  auto p = s.daemon.get("/v1/books/main/positions", token).json();
  CHECK(dump_json(p["positions"]["binance:BaseToken:BTC"]) == "1");
  // No token at all: the same refusal.
  auto none = run_client(s.daemon, {buy("w-2")}, {}, {});
  CHECK(none.exit_code == 1);
  CHECK((none.out + none.err).find("API-001") != std::string::npos);
}

TEST_CASE("python example: events already gone (410) are said and the batch's still arrive") {
  Served s(serve_config(2));
  for (int i = 0; i < 4; ++i)
    REQUIRE(s.daemon.post("/v1/books/main/orders", dump_json(buy("old-" + std::to_string(i))),
                          token).status == 200);
  // Events 3 and 4 are kept: a client that saw event 1 missed 2, which is gone: 410, and it
  // starts again from 0.
  REQUIRE(s.daemon.get("/v1/events?since=1", token).status == 410);
  auto run = run_client(s.daemon, {buy("new-1"), buy("new-2"), buy("new-3")}, {"--since", "1"});
  CAPTURE(run.out);
  CAPTURE(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("API-010") != std::string::npos);
  const auto lines = split_lines(run.out);
  CHECK(starting_with(lines, "events: ").rfind("events: 3 of 3 order events seen", 0) == 0);
  // 7 buys of 0.125 BTC in all.
  CHECK(has_line(lines, "binance:BaseToken:BTC 1.875"));
}

TEST_CASE("python example: a bad orders file exits 1 before anything is sent") {
  Served s;
  TempFile orders("{\"operation_id\": \"b-1\"\nnot json\n", ".jsonl");
  auto run = run_child({python, client, "--url",
                        "http://127.0.0.1:" + std::to_string(s.daemon.port()), "--orders",
                        orders.path()},
                       {{"TIGHTLOOP_TOKEN", token}});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find(":1: not JSON") != std::string::npos);
}

TEST_CASE("python example files: config/serve.json parses, its server and log sections") {
  auto parsed = parse_json(source_file("config/serve.json"));
  REQUIRE(parsed.ok());
  auto loaded = parse_config(parsed.value);
  REQUIRE_MESSAGE(loaded.ok(), loaded.failure.describe());
  const auto& server = loaded.config.server;
  CHECK(server.address == "127.0.0.1");
  CHECK(server.port == 8080);
  CHECK(server.token_file == "/etc/tightloop/token");
  CHECK(server.token_env.empty());
  // The limits at their defaults, written out.
  const ServerConfig defaults;
  CHECK(server.max_body_bytes == defaults.max_body_bytes);
  CHECK(server.max_header_bytes == defaults.max_header_bytes);
  CHECK(server.max_orders_per_batch == defaults.max_orders_per_batch);
  CHECK(server.max_connections == defaults.max_connections);
  CHECK(server.idle_timeout_ms == defaults.idle_timeout_ms);
  CHECK(server.events_retention == defaults.events_retention);
  for (const char* field : {"max_body_bytes", "max_header_bytes", "max_orders_per_batch",
                            "max_connections", "idle_timeout_ms", "events_retention"})
    CHECK_MESSAGE(parsed.value["server"].contains(field), field);
  CHECK(loaded.config.log.file == "/var/log/tightloop/tightloop.log");
  CHECK(loaded.config.log.rotation_bytes == 104857600);
  // The venues, market and books of config/default.json.
  auto bundled = parse_json(source_file("config/default.json"));
  REQUIRE(bundled.ok());
  for (const char* section : {"venues", "market", "books"})
    CHECK_MESSAGE(dump_json(parsed.value[section]) == dump_json(bundled.value[section]), section);
}

TEST_CASE("python example files: scripts/tightloop.service runs serve, may write the log") {
  const auto unit = source_file("scripts/tightloop.service");
  const auto lines = split_lines(unit);
  for (const char* line :
       {"Type=simple", "ExecStart=/usr/bin/tightloop serve --config /etc/tightloop/serve.json",
        "ExecReload=/bin/kill -HUP $MAINPID", "KillSignal=SIGTERM", "Restart=on-failure",
        "User=tightloop", "ProtectSystem=strict", "ReadWritePaths=/var/log/tightloop",
        "LogsDirectory=tightloop"})
    CHECK_MESSAGE(has_line(lines, line), line);
  // The log file config/serve.json names is under the one writable directory.
  auto parsed = parse_json(source_file("config/serve.json"));
  REQUIRE(parsed.ok());
  CHECK(parsed.value["log"]["file"].get<std::string>().rfind("/var/log/tightloop/", 0) == 0);
}
