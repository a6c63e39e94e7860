// The tightloop binary from outside: real processes, real files, exit codes, output shape.
#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "tests/test_support.hpp"

using namespace tightloop::test;

namespace {

const std::string source_dir = TIGHTLOOP_SOURCE_DIR;
const std::string default_config = source_dir + "/config/default.json";
const std::string default_orders = source_dir + "/config/default-orders.jsonl";

std::string orders_jsonl(const std::vector<nlohmann::json>& orders) {
  std::string text;
  for (const auto& o : orders) text += o.dump() + "\n";
  return text;
}

}  // namespace

TEST_CASE("tightloop --help and --version exit 0") {
  auto help = run_tightloop({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("tightloop run --config FILE --orders FILE") != std::string::npos);
  auto version = run_tightloop({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("tightloop ", 0) == 0);
}

TEST_CASE("a bad command line exits 2 with a usage message") {
  auto none = run_tightloop({});
  CHECK(none.exit_code == 2);
  auto unknown = run_tightloop({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown command 'frobnicate'") != std::string::npos);
  auto missing = run_tightloop({"run", "--config", default_config});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--orders") != std::string::npos);
}

TEST_CASE("the default config and orders run, one line per order plus positions, exit 0") {
  auto run = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  CHECK(run.exit_code == 0);
  auto lines = split_lines(run.out);
  TempFile unused("");
  std::ifstream in(default_orders);
  std::size_t entries = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++entries;
  REQUIRE(lines.size() == entries + 1);
  std::set<std::string> operations, statuses, events;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    if (j.contains("event")) {
      events.insert(j["event"].get<std::string>());
      continue;
    }
    operations.insert(j["order"]["operation"].get<std::string>());
    statuses.insert(j["status"].get<std::string>());
    CHECK(j.contains("deltas"));
  }
  CHECK(operations.size() == 12);
  CHECK(events == std::set<std::string>{"market", "refresh"});
  CHECK(statuses.count("executed") == 1);
  CHECK(statuses.count("failed") == 1);
  auto last = nlohmann::json::parse(lines.back());
  REQUIRE(last.contains("positions"));
  CHECK(last["positions"].is_object());
}

TEST_CASE("the same inputs give byte-identical output") {
  auto first = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  auto second = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  REQUIRE(first.exit_code == 0);
  CHECK(first.out == second.out);
}

TEST_CASE("output lines follow input order across books, with the positions line per book") {
  TempFile config(exact_config_json({"alpha", "beta"}).dump());
  std::vector<nlohmann::json> orders;
  for (int i = 0; i < 20; ++i)
    orders.push_back({{"operation_id", "o" + std::to_string(i)},
                      {"book", i % 2 ? "alpha" : "beta"},
                      {"venue", "binance"},
                      {"operation", "spot_trade"},
                      {"pair", "BTC/USDT"},
                      {"side", "BUY"},
                      {"amount", 0.125},
                      {"timestamp", "2026-01-01T00:00:" + std::to_string(10 + i) + "Z"}});
  TempFile orders_file(orders_jsonl(orders), ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  REQUIRE(run.exit_code == 0);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 21);
  for (int i = 0; i < 20; ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    CHECK(j["operation_id"] == "o" + std::to_string(i));
    CHECK(j["book"] == (i % 2 ? "alpha" : "beta"));
    CHECK(j["timestamp"] == orders[i]["timestamp"]);
    CHECK(j["status"] == "executed");
  }
  auto positions = nlohmann::json::parse(lines.back())["positions"];
  CHECK(positions["alpha"]["binance:BaseToken:BTC"] == 2.25);
  CHECK(positions["beta"]["binance:BaseToken:BTC"] == 2.25);
  CHECK(positions["alpha"]["binance:BaseToken:USDT"] == 100000.0 - 10 * 7507.5);
}

TEST_CASE("a JSON array orders file works like JSON Lines") {
  TempFile config(exact_config_json().dump());
  nlohmann::json orders = nlohmann::json::array(
      {{{"operation_id", "a"}, {"venue", "aave"}, {"operation", "supply"}, {"token_in", "WETH"},
        {"amount", 2.5}}});
  TempFile orders_file(orders.dump());
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  REQUIRE(run.exit_code == 0);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 2);
  CHECK(nlohmann::json::parse(lines[1])["positions"]["aave:aToken:WETH"] == 2.0);
}

TEST_CASE("a bad config exits 2 with a CFG- code and executes nothing") {
  TempFile orders(orders_jsonl({}), ".jsonl");
  TempFile broken("{ not json");
  auto unreadable = run_tightloop({"run", "--config", broken.path(), "--orders", orders.path()});
  CHECK(unreadable.exit_code == 2);
  CHECK(unreadable.err.find("CFG-001") != std::string::npos);
  CHECK(unreadable.out.empty());
  auto json = exact_config_json();
  json["venues"][0]["fee"] = 0.1;
  TempFile invalid(json.dump());
  auto bad = run_tightloop({"run", "--config", invalid.path(), "--orders", orders.path()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("CFG-002") != std::string::npos);
  CHECK(bad.err.find("fee") != std::string::npos);
  CHECK(bad.out.empty());
  auto missing = run_tightloop({"run", "--config", "/nonexistent/x.json", "--orders", orders.path()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("CFG-001") != std::string::npos);
}

TEST_CASE("a bad orders file exits 2 with an INP- code and executes nothing") {
  TempFile config(exact_config_json().dump());
  TempFile garbage("{\"operation_id\": \"a\"}\nnot json\n", ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", garbage.path()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("INP-001") != std::string::npos);
  CHECK(run.err.find("line 2") != std::string::npos);
  CHECK(run.out.empty());
  TempFile not_objects("[1, 2]");
  auto run2 = run_tightloop({"run", "--config", config.path(), "--orders", not_objects.path()});
  CHECK(run2.exit_code == 2);
  CHECK(run2.err.find("INP-002") != std::string::npos);
  auto missing = run_tightloop({"run", "--config", config.path(), "--orders", "/nonexistent"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("INP-001") != std::string::npos);
}

TEST_CASE("a bad order fails alone with its ORD- code, the batch goes on and exits 0") {
  TempFile config(exact_config_json().dump());
  std::vector<nlohmann::json> orders{
      {{"operation_id", "bad"}, {"venue", "binance"}, {"operation", "spot_trade"},
       {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 1}, {"colour", "red"}},
      {{"operation_id", "nobook"}, {"book", "other"}, {"venue", "binance"},
       {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 1}},
      {{"operation_id", "good"}, {"venue", "binance"}, {"operation", "spot_trade"},
       {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 1}}};
  TempFile orders_file(orders_jsonl(orders), ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  CHECK(run.exit_code == 0);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 4);
  auto bad = nlohmann::json::parse(lines[0]);
  CHECK(bad["status"] == "failed");
  CHECK(bad["error_code"] == "ORD-002");
  CHECK(bad["operation_id"] == "bad");
  CHECK(bad["error_message"].get<std::string>().find("colour") != std::string::npos);
  CHECK(nlohmann::json::parse(lines[1])["error_code"] == "ORD-008");
  CHECK(nlohmann::json::parse(lines[2])["status"] == "executed");
  CHECK(nlohmann::json::parse(lines[3])["positions"]["binance:BaseToken:BTC"] == 2.0);
}

TEST_CASE("a book that halts makes the run exit 3 and the last line says why") {
  auto json = exact_config_json();
  json["venues"][0]["faults"] = nlohmann::json::array(
      {{{"kind", "wrong_report"}, {"operation_id", "misreported"}, {"report_error", 0.5}}});
  TempFile config(json.dump());
  std::vector<nlohmann::json> orders{
      {{"operation_id", "misreported"}, {"venue", "binance"}, {"operation", "spot_trade"},
       {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 0.5}},
      {{"operation_id", "after"}, {"venue", "aave"}, {"operation", "supply"},
       {"token_in", "WETH"}, {"amount", 1}}};
  TempFile orders_file(orders_jsonl(orders), ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  CHECK(run.exit_code == 3);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 3);
  auto first = nlohmann::json::parse(lines[0]);
  CHECK(first["status"] == "failed");
  CHECK(first["error_code"] == "EM-001");
  CHECK(first["reconciliation"]["attempts"] == 3);
  CHECK(first["reconciliation"]["backoff_ms"] == nlohmann::json::array({1, 2}));
  auto second = nlohmann::json::parse(lines[1]);
  CHECK(second["status"] == "skipped");
  CHECK(second["error_code"] == "EM-003");
  auto last = nlohmann::json::parse(lines[2]);
  REQUIRE(last.contains("halted"));
  CHECK(last["halted"]["main"]["code"] == "EM-001");
  // The monitor applied what the venue reported (+0.75 BTC); the venue's ledger holds +0.5.
  auto mismatches = last["halted"]["main"]["mismatches"];
  REQUIRE(mismatches.size() == 2);
  CHECK(mismatches[0]["position_key"] == "binance:BaseToken:BTC");
  CHECK(mismatches[0]["expected"] == 1.75);
  CHECK(mismatches[0]["reported"] == 1.5);
  CHECK(last["positions"]["binance:BaseToken:BTC"] == 1.75);
}

TEST_CASE("a malformed event line exits 2 with INP-003 and executes nothing") {
  TempFile config(exact_config_json().dump());
  TempFile orders("{\"event\": \"market\", \"prices\": {\"BTC\": -1}}\n", ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders.path()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("INP-003: orders file '" + orders.path() + "': entry 1 (line 1): market "
                     "event.prices.BTC") != std::string::npos);
  CHECK(run.out.empty());
  TempFile unknown("{\"event\": \"rebalance\"}\n", ".jsonl");
  auto run2 = run_tightloop({"run", "--config", config.path(), "--orders", unknown.path()});
  CHECK(run2.exit_code == 2);
  CHECK(run2.err.find("refresh") != std::string::npos);
}
