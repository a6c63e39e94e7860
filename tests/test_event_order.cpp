// Events take effect where they stand in the orders file: a market event prices the orders
// after it and none before it, a refresh settles what the orders before it opened. (A
// regression: events were queued ahead of every order of their book.)
#include <doctest/doctest.h>

#include <sstream>

#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

namespace {

std::vector<nlohmann::json> run_lines(const std::string& orders_text) {
  test::TempFile config(dump_json(test::exact_config_json({"main"})));
  test::TempFile orders(orders_text, ".jsonl");
  auto run = test::run_tightloop({"run", "--config", config.path(), "--orders", orders.path(),
                                  "--amounts", "strings"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  std::vector<nlohmann::json> lines;
  for (const auto& line : test::split_lines(run.out)) {
    auto parsed = parse_json(line);
    REQUIRE(parsed.ok());
    lines.push_back(parsed.value);
  }
  return lines;
}

std::string buy(const std::string& id) {
  return R"({"operation_id": ")" + id +
         R"(", "venue": "binance", "operation": "spot_trade", "pair": "BTC/USDT", "side": "BUY", "amount": "0.01"})";
}

}  // namespace

TEST_CASE("a market event prices the orders after it, not the ones before it") {
  std::ostringstream file;
  file << buy("before") << "\n"
       << R"({"event": "market", "timestamp": "t1", "prices": {"BTC": 70000}})" << "\n"
       << buy("after") << "\n";
  auto lines = run_lines(file.str());
  REQUIRE(lines.size() == 4);  // two orders, the event, the positions
  CHECK(lines[0]["operation_id"] == "before");
  CHECK(lines[0]["executed_price"] == "60000");
  CHECK(lines[1]["event"] == "market");
  CHECK(lines[2]["operation_id"] == "after");
  CHECK(lines[2]["executed_price"] == "70000");
  // 100000 - 600 - 0.6 (fee) - 700 - 0.7 (fee)
  CHECK(lines[3]["positions"]["binance:BaseToken:USDT"] == "98698.7");
}

TEST_CASE("a refresh settles the perp that an order before it opened") {
  std::ostringstream file;
  file << R"({"event": "market", "timestamp": "t0", "funding_rates": {"binance": {"BTCUSDT": 0.0001}}})"
       << "\n"
       << R"({"operation_id": "open", "venue": "binance", "operation": "perp_trade", "pair": "BTC/USDT", "side": "LONG", "amount": "1"})"
       << "\n"
       << R"({"event": "refresh", "timestamp": "t1"})" << "\n";
  auto lines = run_lines(file.str());
  REQUIRE(lines.size() == 4);
  CHECK(lines[1]["status"] == "executed");
  const auto& deltas = lines[2]["books"]["main"]["deltas"];
  REQUIRE(deltas.size() == 1);
  // A long of 1 BTC at the mark 60000 pays 60000 * 0.0001 = 6.
  CHECK(deltas[0]["delta_amount"] == "-6");
  CHECK(deltas[0]["source"] == "funding");
}
