#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/config_loader.hpp"
#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "tests/test_support.hpp"

#ifndef TIGHTLOOP_SOURCE_DIR
#error "TIGHTLOOP_SOURCE_DIR must name the repository root (CMake defines it)"
#endif

using nlohmann::json;
using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

// JSON text read as a config file is (parse_json): non-integer numbers keep their own text.
json parsed(std::string_view text) {
  auto result = parse_json(text);
  REQUIRE_MESSAGE(result.ok(), (result.error ? result.error->message : std::string()));
  return result.value;
}

json operator""_parsed(const char* text, std::size_t size) {
  return parsed(std::string_view(text, size));
}

// One JSON number from its text, as the parser keeps it: an integer or a raw number.
json num(const char* text) { return parsed(text); }

// One venue of every kind; venues[2] is aave. Each test breaks one thing.
json base_config() {
  return R"({
    "venues": [
      {"name": "binance", "kind": "cex"},
      {"name": "wallet", "kind": "wallet"},
      {"name": "aave", "kind": "lending", "wallet": "wallet"},
      {"name": "etherfi", "kind": "staking", "wallet": "wallet", "lst": {"WETH": "weETH"}},
      {"name": "uniswap", "kind": "dex", "wallet": "wallet"}
    ],
    "books": [{"name": "main", "subscribed_keys": [
      "binance:BaseToken:USDT", "binance:Perp:BTCUSDT", "wallet:BaseToken:WETH",
      "wallet:LST:weETH", "aave:aToken:WETH", "aave:debtToken:WETH"]}]
  })"_parsed;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void expect_invalid(const json& document, const std::string& part) {
  auto loaded = parse_config(document);
  INFO("message: " << loaded.failure.message);
  INFO("expected part: " << part);
  CHECK_FALSE(loaded.ok());
  CHECK(loaded.failure.code == ErrorCode::cfg_invalid);
  CHECK(contains(loaded.failure.message, part));
}

void expect_valid(const json& document) {
  auto loaded = parse_config(document);
  INFO("message: " << loaded.failure.message);
  CHECK(loaded.ok());
}

json with(json document, const json::json_pointer& where, json value) {
  document[where] = std::move(value);
  return document;
}

json without(json document, const json::json_pointer& where) {
  document[where.parent_pointer()].erase(where.back());
  return document;
}

// A real file under the temp directory, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("tightloop_test_config_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

using P = json::json_pointer;

}  // namespace

// --- plain data helpers ------------------------------------------------------------------

TEST_CASE("venue kinds print and parse by their config spelling") {
  for (auto [kind, text] : {std::pair{VenueKind::cex, "cex"},
                            {VenueKind::lending, "lending"},
                            {VenueKind::staking, "staking"},
                            {VenueKind::dex, "dex"},
                            {VenueKind::wallet, "wallet"}}) {
    CHECK(to_string(kind) == text);
    CHECK(parse_venue_kind(text) == kind);
  }
  CHECK_FALSE(parse_venue_kind("bank"));
  CHECK_FALSE(parse_venue_kind("CEX"));
}

TEST_CASE("Config finds venues and books by name and lists LST symbols") {
  auto loaded = parse_config(base_config());
  REQUIRE(loaded.ok());
  auto& config = loaded.config;
  config.venues.push_back({});
  config.venues.back().name = "renzo";
  config.venues.back().kind = VenueKind::staking;
  config.venues.back().lst = {{"WETH", "ezETH"}, {"stETH", "ezstETH"}};
  REQUIRE(config.find_venue("aave"));
  CHECK(config.find_venue("aave")->kind == VenueKind::lending);
  CHECK(config.find_venue("nope") == nullptr);
  REQUIRE(config.find_book("main"));
  CHECK(config.find_book("main")->subscribed_keys.size() == 6);
  CHECK(config.find_book("other") == nullptr);
  CHECK(config.lst_symbols() == std::set<std::string>{"weETH", "ezETH", "ezstETH"});
}

// --- defaults ----------------------------------------------------------------------------

TEST_CASE("absent sections and fields take the documented defaults") {
  auto loaded = parse_config(base_config());
  REQUIRE(loaded.ok());
  const auto& config = loaded.config;
  CHECK(config.scheduler.threads == 0);
  CHECK(config.scheduler.policy == "stealing");
  CHECK(config.log.level == "info");
  CHECK(config.log.file.empty());
  CHECK(config.venue_timeout_ms == 5000);
  CHECK(config.reconciliation.absolute_tolerance == Amount());  // exactly zero
  CHECK(config.reconciliation.relative_tolerance == Amount());
  CHECK(config.reconciliation.max_attempts == 3);
  CHECK(config.reconciliation.initial_backoff_ms == 1000);
  CHECK(config.reconciliation.multiplier == 2.0);
  CHECK(config.reconciliation.deadline_ms == 120000);
  CHECK(config.market.prices.empty());
  CHECK(config.market.indices.empty());

  const auto& cex = *config.find_venue("binance");
  CHECK(cex.taker_fee_rate == Amount());
  CHECK(cex.slippage_bps == Amount());
  CHECK(cex.settlement_token == "USDT");
  CHECK(cex.transfer_fees.empty());
  CHECK(config.find_venue("aave")->flash_fee_rate == "0.0005"_amt);
  const auto& dex = *config.find_venue("uniswap");
  CHECK(dex.pool_fee_rate == "0.003"_amt);
  CHECK(dex.slippage_bps == Amount());
  CHECK(dex.default_slippage_tolerance == "0.005"_amt);
  CHECK(config.books.at(0).initial_positions.empty());
}

TEST_CASE("every field is read when present") {
  auto document = base_config();
  document["scheduler"] = {{"threads", 4}, {"policy", "sharing"}};
  document["log"] = {{"level", "debug"}, {"file", "/tmp/x.log"}};
  document["venue_timeout_ms"] = 250;
  document["reconciliation"] = {{"absolute_tolerance", num("0.01")},
                                {"relative_tolerance", "0.000000000000000001"},
                                {"max_attempts", 5},
                                {"initial_backoff_ms", 0},
                                {"multiplier", 1},
                                {"deadline_ms", 60000}};
  document["venues"][0] = {{"name", "binance"},
                           {"kind", "cex"},
                           {"taker_fee_rate", num("0.0004")},
                           {"slippage_bps", num("2.5")},
                           {"settlement_token", "USDC"},
                           {"transfer_fees", {{"USDT", 1}}}};
  document["venues"][1]["transfer_fees"] = {{"WETH", "0.001"}};
  document["venues"][2]["flash_fee_rate"] = num("0.0009");
  document["venues"][4]["pool_fee_rate"] = "0.0005";
  document["venues"][4]["slippage_bps"] = 10;
  document["venues"][4]["default_slippage_tolerance"] = num("0.01");
  document["books"][0]["initial_positions"] = {
      {"binance:BaseToken:USDT", 1000}, {"aave:debtToken:WETH", num("-2.000000000000000001")}};
  document["market"] = {{"prices", {{"BTC", "60000.5"}}}};
  auto loaded = parse_config(document);
  INFO(loaded.failure.message);
  REQUIRE(loaded.ok());
  const auto& config = loaded.config;
  CHECK(config.scheduler.threads == 4);
  CHECK(config.scheduler.policy == "sharing");
  CHECK(config.log.level == "debug");
  CHECK(config.log.file == "/tmp/x.log");
  CHECK(config.venue_timeout_ms == 250);
  CHECK(config.reconciliation.absolute_tolerance == "0.01"_amt);
  CHECK(config.reconciliation.relative_tolerance == Amount::from_raw(1));
  CHECK(config.reconciliation.max_attempts == 5);
  CHECK(config.reconciliation.initial_backoff_ms == 0);
  CHECK(config.reconciliation.multiplier == 1.0);
  CHECK(config.reconciliation.deadline_ms == 60000);
  const auto& cex = config.venues[0];
  CHECK(cex.taker_fee_rate == "0.0004"_amt);
  CHECK(cex.slippage_bps == "2.5"_amt);
  CHECK(cex.settlement_token == "USDC");
  CHECK(cex.transfer_fees == std::map<std::string, Amount>{{"USDT", "1"_amt}});
  CHECK(config.venues[1].transfer_fees == std::map<std::string, Amount>{{"WETH", "0.001"_amt}});
  CHECK(config.venues[2].wallet == "wallet");
  CHECK(config.venues[2].flash_fee_rate == "0.0009"_amt);
  CHECK(config.venues[3].lst == std::map<std::string, std::string>{{"WETH", "weETH"}});
  CHECK(config.venues[4].pool_fee_rate == "0.0005"_amt);
  CHECK(config.venues[4].slippage_bps == "10"_amt);
  CHECK(config.venues[4].default_slippage_tolerance == "0.01"_amt);
  CHECK(config.books[0].subscribed_keys.front() == "binance:BaseToken:USDT");
  CHECK(config.books[0].initial_positions ==
        std::map<std::string, Amount>{{"binance:BaseToken:USDT", "1000"_amt},
                                      {"aave:debtToken:WETH", "-2.000000000000000001"_amt}});
  CHECK(config.market.prices.at("BTC") == "60000.5"_amt);
}

// --- shape and unknown fields ------------------------------------------------------------

TEST_CASE("the config must be an object with venues and books") {
  expect_invalid(json::array(), "config: must be a JSON object");
  expect_invalid(without(base_config(), P("/venues")), "config: field 'venues' is required");
  expect_invalid(without(base_config(), P("/books")), "config: field 'books' is required");
  expect_invalid(with(base_config(), P("/venues"), json::array()),
                 "venues: at least one venue is required");
  expect_invalid(with(base_config(), P("/books"), json::array()),
                 "books: at least one book is required");
  expect_invalid(with(base_config(), P("/venues"), json::object()), "venues: must be an array");
  expect_invalid(with(base_config(), P("/books"), "main"), "books: must be an array");
}

TEST_CASE("unknown fields are rejected at every level") {
  expect_invalid(with(base_config(), P("/threads"), 4), "config: unknown field 'threads'");
  expect_invalid(with(base_config(), P("/scheduler/workers"), 4),
                 "scheduler: unknown field 'workers'");
  expect_invalid(with(base_config(), P("/log/format"), "json"), "log: unknown field 'format'");
  expect_invalid(with(base_config(), P("/reconciliation/retries"), 2),
                 "reconciliation: unknown field 'retries'");
  expect_invalid(with(base_config(), P("/venues/0/maker_fee_rate"), 0),
                 "venues[0] (binance, cex): unknown field 'maker_fee_rate'");
  expect_invalid(with(base_config(), P("/books/0/strategy"), "x"),
                 "books[0] (main): unknown field 'strategy'");
  expect_invalid(with(base_config(), P("/market/volumes"), json::object()),
                 "market: unknown field 'volumes'");
}

TEST_CASE("sections must have the right JSON type") {
  expect_invalid(with(base_config(), P("/scheduler"), 4), "scheduler: must be an object");
  expect_invalid(with(base_config(), P("/log"), nullptr), "log: must be an object");
  expect_invalid(with(base_config(), P("/reconciliation"), json::array()),
                 "reconciliation: must be an object");
  expect_invalid(with(base_config(), P("/market"), "x"), "market: must be an object");
  expect_invalid(with(base_config(), P("/venues/0"), "binance"), "venues[0]: must be an object");
  expect_invalid(with(base_config(), P("/books/0"), 1), "books[0]: must be an object");
  expect_invalid(with(base_config(), P("/log/file"), 3), "log.file: must be a string");
  expect_invalid(with(base_config(), P("/venues/0/transfer_fees"), 1),
                 "venues[0] (binance, cex).transfer_fees: must be an object");
  expect_invalid(with(base_config(), P("/venues/0/settlement_token"), 1),
                 "venues[0] (binance, cex).settlement_token: must be a string");
  expect_invalid(with(base_config(), P("/venues/0/settlement_token"), ""),
                 "venues[0] (binance, cex).settlement_token: must not be empty");
}

// --- scheduler, log, timeouts, reconciliation --------------------------------------------

TEST_CASE("scheduler.threads is an integer from 0 to 256") {
  expect_valid(with(base_config(), P("/scheduler/threads"), 0));
  expect_valid(with(base_config(), P("/scheduler/threads"), 256));
  expect_invalid(with(base_config(), P("/scheduler/threads"), 257),
                 "scheduler.threads: must be an integer in [0, 256], got 257");
  expect_invalid(with(base_config(), P("/scheduler/threads"), -1),
                 "scheduler.threads: must be an integer in [0, 256]");
  expect_invalid(with(base_config(), P("/scheduler/threads"), num("2.5")),
                 "scheduler.threads: must be an integer in [0, 256], got number 2.5");
  expect_invalid(with(base_config(), P("/scheduler/threads"), "4"),
                 "scheduler.threads: must be an integer in [0, 256], got string");
}

TEST_CASE("scheduler.policy and log.level are enumerations") {
  expect_invalid(with(base_config(), P("/scheduler/policy"), "fifo"),
                 "scheduler.policy: must be one of stealing, sharing, got 'fifo'");
  expect_invalid(with(base_config(), P("/scheduler/policy"), 1),
                 "scheduler.policy: must be a string");
  for (auto level : {"trace", "debug", "info", "warning", "error"})
    expect_valid(with(base_config(), P("/log/level"), level));
  expect_invalid(with(base_config(), P("/log/level"), "warn"),
                 "log.level: must be one of trace, debug, info, warning, error, got 'warn'");
}

TEST_CASE("venue_timeout_ms is an integer >= 1") {
  expect_valid(with(base_config(), P("/venue_timeout_ms"), 1));
  expect_invalid(with(base_config(), P("/venue_timeout_ms"), 0),
                 "venue_timeout_ms: must be an integer >= 1");
  expect_invalid(with(base_config(), P("/venue_timeout_ms"), num("5000.0")),
                 "venue_timeout_ms: must be an integer >= 1, got number 5000.0");
  expect_invalid(with(base_config(), P("/venue_timeout_ms"), num("5e3")),
                 "venue_timeout_ms: must be an integer >= 1, got number 5e3");
  expect_invalid(with(base_config(), P("/venue_timeout_ms"), 18446744073709551615ull),
                 "venue_timeout_ms: must be an integer >= 1 (at most 31536000000)");
}

TEST_CASE("reconciliation values are range-checked") {
  expect_valid(with(base_config(), P("/reconciliation/absolute_tolerance"), 0));
  expect_valid(with(base_config(), P("/reconciliation/absolute_tolerance"), "0.000001"));
  expect_invalid(with(base_config(), P("/reconciliation/absolute_tolerance"), num("-1e-12")),
                 "reconciliation.absolute_tolerance: must be a number >= 0, got -1e-12");
  expect_invalid(with(base_config(), P("/reconciliation/relative_tolerance"), num("-0.5")),
                 "reconciliation.relative_tolerance: must be a number >= 0");
  expect_invalid(with(base_config(), P("/reconciliation/relative_tolerance"), "-0.5"),
                 "reconciliation.relative_tolerance: must be a number >= 0, got \"-0.5\"");
  expect_invalid(with(base_config(), P("/reconciliation/relative_tolerance"), true),
                 "reconciliation.relative_tolerance: must be a number >= 0 (or a decimal "
                 "string), got boolean true");
  expect_valid(with(base_config(), P("/reconciliation/max_attempts"), 1));
  expect_invalid(with(base_config(), P("/reconciliation/max_attempts"), 0),
                 "reconciliation.max_attempts: must be an integer >= 1");
  expect_invalid(with(base_config(), P("/reconciliation/max_attempts"), 3000000000LL),
                 "reconciliation.max_attempts: must be an integer >= 1 (at most 2147483647)");
  expect_valid(with(base_config(), P("/reconciliation/initial_backoff_ms"), 0));
  expect_invalid(with(base_config(), P("/reconciliation/initial_backoff_ms"), -1),
                 "reconciliation.initial_backoff_ms: must be an integer >= 0");
  expect_valid(with(base_config(), P("/reconciliation/multiplier"), 1));
  expect_valid(with(base_config(), P("/reconciliation/multiplier"), num("1.5")));
  expect_invalid(with(base_config(), P("/reconciliation/multiplier"), num("0.5")),
                 "reconciliation.multiplier: must be a number >= 1, got 0.5");
  expect_invalid(with(base_config(), P("/reconciliation/multiplier"), "2"),
                 "reconciliation.multiplier: must be a number >= 1, got string \"2\"");
  expect_valid(with(base_config(), P("/reconciliation/deadline_ms"), 1));
  expect_invalid(with(base_config(), P("/reconciliation/deadline_ms"), 0),
                 "reconciliation.deadline_ms: must be an integer >= 1");
}

TEST_CASE(
    "amounts are exact decimals: a number or a decimal string, at most 18 fractional digits") {
  // The same amount both ways, exactly.
  for (const json& tolerance : {num("0.1"), json("0.1"), num("1e-1"), json("0.10")}) {
    CAPTURE(dump_json(tolerance));
    auto loaded =
        parse_config(with(base_config(), P("/reconciliation/absolute_tolerance"), tolerance));
    REQUIRE(loaded.ok());
    CHECK(loaded.config.reconciliation.absolute_tolerance == Amount::from_raw(Amount::scale / 10));
  }
  // 18 significant digits: no binary64 on the way.
  auto loaded =
      parse_config(with(base_config(), P("/venues/0/taker_fee_rate"), num("0.123456789012345678")));
  REQUIRE(loaded.ok());
  CHECK(loaded.config.venues[0].taker_fee_rate.raw() == 123456789012345678);

  const std::string fee =
      "venues[0] (binance, cex).transfer_fees.USDT: must be a number >= 0, got ";
  expect_invalid(
      with(base_config(), P("/venues/0/transfer_fees"), {{"USDT", num("0.1234567890123456789")}}),
      fee +
          "0.1234567890123456789: '0.1234567890123456789' has more than 18 "
          "fractional digits");
  expect_invalid(with(base_config(), P("/venues/0/transfer_fees"), {{"USDT", "1e-19"}}),
                 fee + "\"1e-19\": '1e-19' has more than 18 fractional digits");
  for (const char* text : {"NaN", "Infinity", "-Infinity", "inf", "1e999", "1e21", "", "1,5"}) {
    CAPTURE(text);
    expect_invalid(with(base_config(), P("/reconciliation/absolute_tolerance"), text),
                   "reconciliation.absolute_tolerance: must be a number >= 0, got \"" +
                       std::string(text) + "\": '" + text + "'");
  }
  expect_invalid(with(base_config(), P("/reconciliation/absolute_tolerance"), num("1e300")),
                 "reconciliation.absolute_tolerance: must be a number >= 0, got 1e300: '1e300' is "
                 "out of range");
  expect_invalid(
      with(base_config(), P("/books/0/initial_positions"), {{"aave:debtToken:WETH", "-Infinity"}}),
      "books[0] (main).initial_positions.aave:debtToken:WETH: must be a number, got "
      "\"-Infinity\": '-Infinity' is not a decimal number");
  expect_invalid(with(base_config(), P("/market/prices"), {{"BTC", "NaN"}}),
                 "market.prices.BTC: must be a number > 0, got \"NaN\"");
  expect_invalid(
      with(
          base_config(), P("/venues/0/faults"),
          R"([{"kind": "partial_fill", "every_nth": 1, "fill_ratio": 0.5000000000000000001}])"_parsed),
      "fill_ratio: must be a number in (0, 1), got 0.5000000000000000001: "
      "'0.5000000000000000001' has more than 18 fractional digits");
  // A binary64 put into a json by code is read from its shortest digits (the ones the code
  // wrote); one that is not finite is refused.
  loaded = parse_config(with(base_config(), P("/reconciliation/absolute_tolerance"), 0.001));
  REQUIRE(loaded.ok());
  CHECK(loaded.config.reconciliation.absolute_tolerance == "0.001"_amt);
  expect_invalid(with(base_config(), P("/reconciliation/absolute_tolerance"),
                      std::numeric_limits<double>::infinity()),
                 "reconciliation.absolute_tolerance: must be a number >= 0, got null: 'NaN' is not "
                 "a decimal number");
  // The multiplier is not money: the nearest binary64 of the number.
  loaded = parse_config(with(base_config(), P("/reconciliation/multiplier"), num("1.1")));
  REQUIRE(loaded.ok());
  CHECK(loaded.config.reconciliation.multiplier == 1.1);
}

TEST_CASE("config files are read exactly: the same amounts from numbers and from strings") {
  const std::string numbers = R"({
    "reconciliation": {"absolute_tolerance": 0.000000000000000001, "relative_tolerance": 0.1},
    "venues": [{"name": "binance", "kind": "cex", "taker_fee_rate": 0.0004, "slippage_bps": 2.5,
                "transfer_fees": {"USDT": 0.6}},
               {"name": "wallet", "kind": "wallet", "transfer_fees": {"WETH": 3030.015}}],
    "books": [{"name": "main", "subscribed_keys": ["binance:BaseToken:USDT", "binance:Perp:BTCUSDT"],
               "initial_positions": {"binance:BaseToken:USDT": 100000.123456789012345678,
                                     "binance:Perp:BTCUSDT": {"amount": -0.3,
                                                              "entry_price": 60000.5}}}],
    "market": {"prices": {"BTC": 60000.01, "USDT": 1}}
  })";
  std::string strings = numbers;
  for (const char* text : {"0.000000000000000001", "0.1", "0.0004", "2.5", "0.6", "3030.015",
                           "100000.123456789012345678", "-0.3", "60000.5", "60000.01"}) {
    const auto at = strings.find(std::string(": ") + text);
    REQUIRE(at != std::string::npos);
    strings.replace(at + 2, std::strlen(text), std::string("\"") + text + "\"");
  }
  TempFile number_file("exact_numbers.json", numbers);
  TempFile string_file("exact_strings.json", strings);
  auto from_numbers = load_config_file(number_file.path());
  auto from_strings = load_config_file(string_file.path());
  INFO(from_numbers.failure.message << " / " << from_strings.failure.message);
  REQUIRE(from_numbers.ok());
  REQUIRE(from_strings.ok());
  for (const auto* loaded : {&from_numbers, &from_strings}) {
    const auto& config = loaded->config;
    CHECK(config.reconciliation.absolute_tolerance == Amount::from_raw(1));
    CHECK(config.reconciliation.relative_tolerance == "0.1"_amt);
    CHECK(config.venues[0].taker_fee_rate == "0.0004"_amt);
    CHECK(config.venues[0].slippage_bps == "2.5"_amt);
    CHECK(config.venues[0].transfer_fees.at("USDT") == "0.6"_amt);
    CHECK(config.venues[1].transfer_fees.at("WETH") == "3030.015"_amt);
    CHECK(config.books[0].initial_positions.at("binance:BaseToken:USDT") ==
          "100000.123456789012345678"_amt);
    CHECK(config.books[0].initial_positions.at("binance:Perp:BTCUSDT") == "-0.3"_amt);
    CHECK(config.books[0].entry_prices.at("binance:Perp:BTCUSDT") == "60000.5"_amt);
    CHECK(config.market.prices.at("BTC") == "60000.01"_amt);
    CHECK(config.market.prices.at("USDT") == "1"_amt);
  }
}

// --- venues ------------------------------------------------------------------------------

TEST_CASE("fee rates and tolerances are at least 0 and below 1") {
  struct Case {
    int venue;
    const char* field;
  };
  for (auto [venue, field] : {Case{0, "taker_fee_rate"}, Case{2, "flash_fee_rate"},
                              Case{4, "pool_fee_rate"}, Case{4, "default_slippage_tolerance"}}) {
    auto at = P("/venues/" + std::to_string(venue) + "/" + field);
    CAPTURE(field);
    expect_valid(with(base_config(), at, 0));
    expect_valid(with(base_config(), at, num("0.999")));
    expect_valid(with(base_config(), at, num("0.999999999999999999")));
    expect_valid(with(base_config(), at, "0.1"));
    expect_invalid(with(base_config(), at, 1),
                   std::string(field) + ": must be a number in [0, 1), got 1");
    expect_invalid(with(base_config(), at, num("1.0")),
                   std::string(field) + ": must be a number in [0, 1), got 1.0");
    expect_invalid(with(base_config(), at, num("-0.001")),
                   std::string(field) + ": must be a number in [0, 1)");
    expect_invalid(with(base_config(), at, "1"),
                   std::string(field) + ": must be a number in [0, 1), got \"1\"");
    expect_invalid(with(base_config(), at, json::array()),
                   std::string(field) +
                       ": must be a number in [0, 1) (or a decimal "
                       "string), got array []");
  }
}

TEST_CASE("slippage_bps is at least 0 and below 10000 on cex and dex venues") {
  for (auto at : {P("/venues/0/slippage_bps"), P("/venues/4/slippage_bps")}) {
    expect_valid(with(base_config(), at, 0));
    expect_valid(with(base_config(), at, num("9999.5")));
    expect_valid(with(base_config(), at, "9999.999999999999999999"));
    expect_invalid(with(base_config(), at, 10000), "slippage_bps: must be a number in [0, 10000)");
    expect_invalid(with(base_config(), at, -1), "slippage_bps: must be a number in [0, 10000)");
  }
}

TEST_CASE("transfer fees are >= 0 with named tokens") {
  expect_valid(with(base_config(), P("/venues/1/transfer_fees"), {{"USDT", 0}}));
  expect_invalid(with(base_config(), P("/venues/1/transfer_fees"), {{"USDT", -1}}),
                 "venues[1] (wallet, wallet).transfer_fees.USDT: must be a number >= 0, got -1");
  expect_invalid(with(base_config(), P("/venues/1/transfer_fees"), {{"", 1}}),
                 "venues[1] (wallet, wallet).transfer_fees: token names must not be empty");
}

TEST_CASE("venue names are required, non-empty, unique and free of ':'") {
  expect_invalid(without(base_config(), P("/venues/0/name")),
                 "venues[0]: field 'name' is required");
  expect_invalid(with(base_config(), P("/venues/0/name"), ""), "venues[0].name: must not be empty");
  expect_invalid(with(base_config(), P("/venues/0/name"), 7), "venues[0].name: must be a string");
  expect_invalid(with(base_config(), P("/venues/0/name"), "bin:ance"),
                 "venues[0].name: must not contain ':'");
  expect_invalid(with(base_config(), P("/venues/4/name"), "binance"),
                 "venues[4] (binance, dex): duplicate venue name 'binance' (also venues[0])");
}

TEST_CASE("venue kind is required and one of five") {
  expect_invalid(without(base_config(), P("/venues/0/kind")),
                 "venues[0] (binance): field 'kind' is required");
  expect_invalid(with(base_config(), P("/venues/0/kind"), "bank"),
                 "venues[0] (binance).kind: must be one of cex, lending, staking, dex, wallet, "
                 "got 'bank'");
}

TEST_CASE("a field that does not apply to the venue's kind is rejected") {
  expect_invalid(with(base_config(), P("/venues/2/pool_fee_rate"), num("0.003")),
                 "venues[2] (aave, lending): field 'pool_fee_rate' does not apply to a lending "
                 "venue");
  expect_invalid(with(base_config(), P("/venues/0/wallet"), "wallet"),
                 "venues[0] (binance, cex): field 'wallet' does not apply to a cex venue");
  expect_invalid(with(base_config(), P("/venues/1/taker_fee_rate"), num("0.001")),
                 "venues[1] (wallet, wallet): field 'taker_fee_rate' does not apply to a wallet");
  expect_invalid(with(base_config(), P("/venues/4/transfer_fees"), json::object()),
                 "venues[4] (uniswap, dex): field 'transfer_fees' does not apply to a dex venue");
  expect_invalid(with(base_config(), P("/venues/3/slippage_bps"), 1),
                 "venues[3] (etherfi, staking): field 'slippage_bps' does not apply");
  expect_invalid(with(base_config(), P("/venues/2/lst"), {{"WETH", "weETH"}}),
                 "venues[2] (aave, lending): field 'lst' does not apply to a lending venue");
  expect_invalid(with(base_config(), P("/venues/0/flash_fee_rate"), num("0.001")),
                 "venues[0] (binance, cex): field 'flash_fee_rate' does not apply to a cex venue");
}

TEST_CASE("lending, staking and dex venues need a wallet venue") {
  for (auto index : {2, 3, 4}) {
    auto document = without(base_config(), P("/venues/" + std::to_string(index) + "/wallet"));
    expect_invalid(document, "venues[" + std::to_string(index) + "]");
    expect_invalid(document, "field 'wallet' is required");
  }
  expect_invalid(with(base_config(), P("/venues/2/wallet"), "metamask"),
                 "venues[2] (aave, lending).wallet: 'metamask' is not a configured venue");
  expect_invalid(with(base_config(), P("/venues/2/wallet"), "binance"),
                 "venues[2] (aave, lending).wallet: 'binance' is a cex venue; it must name a "
                 "venue of kind wallet");
  expect_invalid(with(base_config(), P("/venues/4/wallet"), ""),
                 "venues[4] (uniswap, dex).wallet: must not be empty");
}

TEST_CASE("a staking venue needs a non-empty lst map of strings") {
  expect_invalid(without(base_config(), P("/venues/3/lst")),
                 "venues[3] (etherfi, staking): field 'lst' is required");
  expect_invalid(with(base_config(), P("/venues/3/lst"), json::object()),
                 "venues[3] (etherfi, staking).lst: must name at least one");
  expect_invalid(with(base_config(), P("/venues/3/lst"), {{"WETH", 1}}),
                 "venues[3] (etherfi, staking).lst.WETH: must be a string");
  expect_invalid(with(base_config(), P("/venues/3/lst"), {{"WETH", ""}}),
                 "venues[3] (etherfi, staking).lst.WETH: must not be empty");
  expect_invalid(with(base_config(), P("/venues/3/lst"), json::array()),
                 "venues[3] (etherfi, staking).lst: must be an object");
}

// --- faults ------------------------------------------------------------------------------

namespace {

// base_config() with `faults` on venues[venue] (binance, cex unless told otherwise).
json with_faults(json faults, int venue = 0) {
  return with(base_config(), P("/venues/" + std::to_string(venue) + "/faults"),
              std::move(faults));
}

json with_fault(json fault, int venue = 0) {
  return with_faults(json::array({std::move(fault)}), venue);
}

// One valid parameter value per fault kind, by parameter name (raw numbers as parse_json keeps
// them: num() checks inside a test, not during static initialisation).
const std::vector<std::pair<std::string, json>> fault_parameters{
    {"message", "down"},
    {"applied", true},
    {"fill_ratio", raw_number("0.5")},
    {"report_error", raw_number("0.01")},
    {"stale_queries", 2},
    {"delay_ms", 10}};

const std::map<std::string, std::string> parameter_of_kind{
    {"reject", "message"},          {"no_reply", "applied"},
    {"partial_fill", "fill_ratio"}, {"wrong_report", "report_error"},
    {"stale_balance", "stale_queries"}, {"slow_reply", "delay_ms"},
    {"crash", ""}};

}  // namespace

TEST_CASE("faults are absent by default and may be an empty list") {
  auto loaded = parse_config(base_config());
  REQUIRE(loaded.ok());
  for (const auto& venue : loaded.config.venues) CHECK(venue.faults.empty());
  auto empty = parse_config(with_faults(json::array()));
  REQUIRE(empty.ok());
  CHECK(empty.config.venues[0].faults.empty());
}

TEST_CASE("every fault kind is read with its target, times and parameter, in config order") {
  auto document = with_faults(R"([
    {"kind": "reject", "operation_id": "op-1", "message": "maintenance"},
    {"kind": "no_reply", "operation": "perp_trade", "times": 2, "applied": true},
    {"kind": "partial_fill", "every_nth": 3, "fill_ratio": 0.25},
    {"kind": "wrong_report", "operation_id": "op-2", "report_error": -0.5},
    {"kind": "stale_balance", "operation": "transfer", "times": 0, "stale_queries": 4},
    {"kind": "slow_reply", "every_nth": 1, "times": 1, "delay_ms": 0},
    {"kind": "crash", "operation_id": "op-3"}
  ])"_parsed);
  auto loaded = parse_config(document);
  INFO(loaded.failure.message);
  REQUIRE(loaded.ok());
  const auto& faults = loaded.config.venues[0].faults;
  REQUIRE(faults.size() == 7);

  CHECK(faults[0].kind == FaultKind::reject);
  CHECK(faults[0].operation_id == "op-1");
  CHECK_FALSE(faults[0].operation);
  CHECK(faults[0].every_nth == 0);
  CHECK(faults[0].times == 0);
  CHECK(faults[0].message == "maintenance");

  CHECK(faults[1].kind == FaultKind::no_reply);
  CHECK(faults[1].operation == Operation::perp_trade);
  CHECK(faults[1].operation_id.empty());
  CHECK(faults[1].times == 2);
  CHECK(faults[1].applied);

  CHECK(faults[2].kind == FaultKind::partial_fill);
  CHECK(faults[2].every_nth == 3);
  CHECK(faults[2].fill_ratio == "0.25"_amt);

  CHECK(faults[3].kind == FaultKind::wrong_report);
  CHECK(faults[3].report_error == "-0.5"_amt);

  CHECK(faults[4].kind == FaultKind::stale_balance);
  CHECK(faults[4].operation == Operation::transfer);
  CHECK(faults[4].stale_queries == 4);

  CHECK(faults[5].kind == FaultKind::slow_reply);
  CHECK(faults[5].times == 1);
  CHECK(faults[5].delay_ms == 0);

  CHECK(faults[6].kind == FaultKind::crash);
  CHECK(faults[6].operation_id == "op-3");
}

TEST_CASE("a fault's parameters not given take the FaultSpec defaults") {
  auto loaded = parse_config(with_faults(R"([
    {"kind": "reject", "every_nth": 1}, {"kind": "no_reply", "every_nth": 1},
    {"kind": "partial_fill", "every_nth": 1}, {"kind": "wrong_report", "every_nth": 1},
    {"kind": "stale_balance", "every_nth": 1}, {"kind": "slow_reply", "every_nth": 1}
  ])"_parsed));
  REQUIRE(loaded.ok());
  const auto& faults = loaded.config.venues[0].faults;
  REQUIRE(faults.size() == 6);
  CHECK(faults[0].message.empty());
  CHECK_FALSE(faults[1].applied);
  CHECK(faults[2].fill_ratio == "0.5"_amt);
  CHECK(faults[3].report_error == "0.01"_amt);
  CHECK(faults[4].stale_queries == 1);
  CHECK(faults[5].delay_ms == 1000);
}

TEST_CASE("venues of every kind take faults") {
  for (int venue = 0; venue < 5; ++venue) {
    CAPTURE(venue);
    auto loaded = parse_config(with_fault({{"kind", "crash"}, {"every_nth", 2}}, venue));
    INFO(loaded.failure.message);
    REQUIRE(loaded.ok());
    CHECK(loaded.config.venues[venue].faults.size() == 1);
  }
  expect_invalid(with(base_config(), P("/venues/0/fault"), json::array()),
                 "venues[0] (binance, cex): unknown field 'fault' (a cex venue takes: name, kind, "
                 "taker_fee_rate, slippage_bps, settlement_token, transfer_fees, faults)");
}

TEST_CASE("faults must be an array of objects") {
  expect_invalid(with_faults(json::object()),
                 "venues[0] (binance, cex).faults: must be an array, got object");
  expect_invalid(with_faults(R"([{"kind": "crash", "every_nth": 1}, "crash"])"_parsed),
                 "venues[0] (binance, cex).faults[1]: must be an object, got string");
}

TEST_CASE("a fault's kind is required and one of seven") {
  expect_invalid(with_fault({{"every_nth", 1}}),
                 "venues[0] (binance, cex).faults[0]: field 'kind' is required");
  expect_invalid(with_fault({{"kind", "timeout"}, {"every_nth", 1}}),
                 "venues[0] (binance, cex).faults[0].kind: must be one of reject, no_reply, "
                 "partial_fill, wrong_report, stale_balance, slow_reply, crash, got 'timeout'");
  expect_invalid(with_fault({{"kind", 1}, {"every_nth", 1}}),
                 "venues[0] (binance, cex).faults[0].kind: must be a string, got number");
}

TEST_CASE("a fault rejects unknown fields, naming what its kind takes") {
  expect_invalid(
      with_faults(R"([{"kind": "crash", "every_nth": 1},
                      {"kind": "reject", "every_nth": 1, "probability": 0.5}])"_parsed),
      "venues[0] (binance, cex).faults[1]: unknown field 'probability' (a reject fault takes: "
      "kind, one of operation_id, operation, every_nth, times, message)");
  expect_invalid(with_fault({{"kind", "crash"}, {"every_nth", 1}, {"delay", 5}}),
                 "(a crash fault takes: kind, one of operation_id, operation, every_nth, times)");
}

TEST_CASE("a fault takes only its own kind's parameter") {
  for (const auto& [kind, own] : parameter_of_kind) {
    for (const auto& [parameter, value] : fault_parameters) {
      CAPTURE(kind);
      CAPTURE(parameter);
      auto document = with_fault({{"kind", kind}, {"every_nth", 1}, {parameter, value}});
      if (parameter == own)
        expect_valid(document);
      else
        expect_invalid(document, "venues[0] (binance, cex).faults[0]: field '" + parameter +
                                     "' does not apply to a " + kind + " fault");
    }
  }
}

TEST_CASE("a fault needs exactly one target") {
  expect_invalid(with_fault({{"kind", "reject"}, {"times", 1}}),
                 "venues[0] (binance, cex).faults[0]: needs exactly one target: operation_id, "
                 "operation or every_nth");
  expect_invalid(with_fault({{"kind", "reject"}, {"operation_id", "a"}, {"every_nth", 2}}),
                 "venues[0] (binance, cex).faults[0]: has several targets (operation_id, "
                 "every_nth); give exactly one of operation_id, operation, every_nth");
  expect_invalid(with_fault({{"kind", "reject"}, {"operation", "spot_trade"}, {"every_nth", 2}}),
                 "has several targets (operation, every_nth)");
  expect_invalid(
      with_fault({{"kind", "reject"}, {"operation_id", "a"}, {"operation", "spot_trade"}}),
      "has several targets (operation_id, operation)");
  expect_invalid(with_fault({{"kind", "reject"},
                             {"operation_id", "a"},
                             {"operation", "spot_trade"},
                             {"every_nth", 2}}),
                 "has several targets (operation_id, operation, every_nth)");
}

TEST_CASE("fault targets must be valid") {
  const std::string at = "venues[0] (binance, cex).faults[0].";
  auto reject = [](const char* field, json value) {
    return with_fault({{"kind", "reject"}, {field, std::move(value)}});
  };
  expect_invalid(reject("operation_id", ""), at + "operation_id: must not be empty");
  expect_invalid(reject("operation_id", 7), at + "operation_id: must be a string, got number");

  expect_invalid(reject("operation", "trade"),
                 at + "operation: must be one of spot_trade, perp_trade, supply, withdraw, borrow, "
                      "repay, stake, unstake, swap, flash_borrow, flash_repay, transfer, got "
                      "'trade'");
  // Routing refuses it before the venue sees it (VIM-002), so the fault could never fire.
  expect_invalid(reject("operation", "swap"),
                 at + "operation: a cex venue never receives 'swap' orders (it supports: "
                      "spot_trade, perp_trade, transfer)");
  expect_invalid(with_fault({{"kind", "crash"}, {"operation", "spot_trade"}}, 2),
                 "venues[2] (aave, lending).faults[0].operation: a lending venue never receives "
                 "'spot_trade' orders (it supports: supply, withdraw, borrow, repay, "
                 "flash_borrow, flash_repay)");
  expect_valid(with_fault({{"kind", "crash"}, {"operation", "flash_repay"}}, 2));
  expect_valid(with_fault({{"kind", "crash"}, {"operation", "swap"}}, 4));

  expect_valid(reject("every_nth", 1));
  expect_valid(reject("every_nth", 4294967295LL));
  expect_invalid(reject("every_nth", 0), at + "every_nth: must be an integer >= 1");
  expect_invalid(reject("every_nth", -3), at + "every_nth: must be an integer >= 1");
  expect_invalid(reject("every_nth", 4294967296LL),
                 at + "every_nth: must be an integer >= 1 (at most 4294967295), got 4294967296");
  expect_invalid(reject("every_nth", num("2.5")),
                 at + "every_nth: must be an integer >= 1, got number 2.5");
  expect_invalid(reject("every_nth", num("2.0")), at + "every_nth: must be an integer >= 1");
  expect_invalid(reject("every_nth", num("2e0")), at + "every_nth: must be an integer >= 1");
  expect_invalid(reject("every_nth", "3"), at + "every_nth: must be an integer >= 1");
}

TEST_CASE("times is an integer >= 0") {
  const std::string at = "venues[0] (binance, cex).faults[0].times";
  auto with_times = [](json times) {
    return with_fault({{"kind", "crash"}, {"every_nth", 1}, {"times", std::move(times)}});
  };
  expect_valid(with_times(0));
  expect_valid(with_times(4294967295LL));
  expect_invalid(with_times(-1), at + ": must be an integer >= 0");
  expect_invalid(with_times(num("1.5")), at + ": must be an integer >= 0");
  expect_invalid(with_times(4294967296LL), at + ": must be an integer >= 0 (at most 4294967295)");
  expect_invalid(with_times(nullptr), at + ": must be an integer >= 0, got null");
}

TEST_CASE("fault parameters must be in range") {
  const std::string at = "venues[0] (binance, cex).faults[0].";
  auto fault = [](const char* kind, const char* field, json value) {
    return with_fault({{"kind", kind}, {"every_nth", 1}, {field, std::move(value)}});
  };
  expect_valid(fault("reject", "message", ""));
  expect_invalid(fault("reject", "message", 1), at + "message: must be a string, got number");

  expect_valid(fault("no_reply", "applied", false));
  expect_invalid(fault("no_reply", "applied", "true"),
                 at + "applied: must be true or false, got string");
  expect_invalid(fault("no_reply", "applied", 1),
                 at + "applied: must be true or false, got number");

  expect_valid(fault("partial_fill", "fill_ratio", num("0.001")));
  expect_valid(fault("partial_fill", "fill_ratio", num("0.999")));
  expect_valid(fault("partial_fill", "fill_ratio", "0.5"));
  expect_valid(fault("partial_fill", "fill_ratio", num("0.000000000000000001")));
  for (json bad : {json(0), json(1), num("-0.5"), num("1.5"), num("1.0"), num("0.0"), json("1"),
                   json("Infinity"), json("NaN")})
    expect_invalid(fault("partial_fill", "fill_ratio", bad),
                   at + "fill_ratio: must be a number in (0, 1), got ");
  expect_invalid(fault("partial_fill", "fill_ratio", true),
                 at + "fill_ratio: must be a number in (0, 1) (or a decimal string), got "
                      "boolean true");

  expect_valid(fault("wrong_report", "report_error", num("-0.5")));
  expect_valid(fault("wrong_report", "report_error", 3));
  expect_valid(fault("wrong_report", "report_error", "-0.000000000000000001"));
  for (json bad : {json(0), num("0.0"), num("-0.0"), json("0"), json("Infinity"), json("NaN")})
    expect_invalid(fault("wrong_report", "report_error", bad),
                   at + "report_error: must be a number other than 0, got ");

  expect_valid(fault("stale_balance", "stale_queries", 1));
  expect_invalid(fault("stale_balance", "stale_queries", 0),
                 at + "stale_queries: must be an integer >= 1");
  expect_invalid(fault("stale_balance", "stale_queries", num("1.5")),
                 at + "stale_queries: must be an integer >= 1");

  expect_valid(fault("slow_reply", "delay_ms", 0));
  expect_invalid(fault("slow_reply", "delay_ms", -1), at + "delay_ms: must be an integer >= 0");
  expect_invalid(fault("slow_reply", "delay_ms", num("2.5")),
                 at + "delay_ms: must be an integer >= 0");
}

TEST_CASE("the README's fault example is a valid venue with one fault of every kind") {
  std::ifstream in(std::string(TIGHTLOOP_SOURCE_DIR) + "/config/README.md");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto start = text.find("```json\n{\"name\": \"binance\", \"kind\": \"cex\", \"faults\"");
  REQUIRE(start != std::string::npos);
  start += 8;
  auto end = text.find("```", start);
  REQUIRE(end != std::string::npos);
  auto document = with(base_config(), P("/venues/0"), parsed(text.substr(start, end - start)));
  auto loaded = parse_config(document);
  INFO(loaded.failure.message);
  REQUIRE(loaded.ok());
  std::vector<FaultKind> kinds;
  for (const auto& fault : loaded.config.venues[0].faults) kinds.push_back(fault.kind);
  CHECK(kinds == std::vector<FaultKind>{FaultKind::reject, FaultKind::no_reply,
                                        FaultKind::partial_fill, FaultKind::wrong_report,
                                        FaultKind::stale_balance, FaultKind::slow_reply,
                                        FaultKind::crash});
}

TEST_CASE("the first bad fault is reported with its index") {
  expect_invalid(with_faults(R"([{"kind": "crash", "every_nth": 1},
                                 {"kind": "crash", "every_nth": 2},
                                 {"kind": "crash"}])"_parsed,
                             4),
                 "venues[4] (uniswap, dex).faults[2]: needs exactly one target");
}

// --- books -------------------------------------------------------------------------------

TEST_CASE("book names are required, non-empty and unique") {
  expect_invalid(without(base_config(), P("/books/0/name")), "books[0]: field 'name' is required");
  expect_invalid(with(base_config(), P("/books/0/name"), ""), "books[0].name: must not be empty");
  auto twice = base_config();
  twice["books"].push_back(twice["books"][0]);
  expect_invalid(twice, "books[1] (main): duplicate book name 'main' (also books[0])");
  auto two = twice;
  two["books"][1]["name"] = "hedge";
  expect_valid(two);
}

TEST_CASE("subscribed_keys: required array of well-formed, unique keys on configured venues") {
  expect_invalid(without(base_config(), P("/books/0/subscribed_keys")),
                 "books[0] (main): field 'subscribed_keys' is required");
  expect_invalid(with(base_config(), P("/books/0/subscribed_keys"), "binance:BaseToken:USDT"),
                 "books[0] (main).subscribed_keys: must be an array");
  expect_invalid(with(base_config(), P("/books/0/subscribed_keys/1"), 5),
                 "books[0] (main).subscribed_keys[1]: must be a string");
  expect_invalid(with(base_config(), P("/books/0/subscribed_keys/1"), "binance:USDT"),
                 "books[0] (main).subscribed_keys[1]: position key 'binance:USDT': expected "
                 "venue:position_type:symbol");
  expect_invalid(with(base_config(), P("/books/0/subscribed_keys/1"), "binance:Token:USDT"),
                 "unknown position type 'Token'");
  expect_invalid(with(base_config(), P("/books/0/subscribed_keys/1"), "binance:BaseToken:USDT"),
                 "books[0] (main).subscribed_keys[1]: duplicate key 'binance:BaseToken:USDT'");
  expect_invalid(with(base_config(), P("/books/0/subscribed_keys/1"), "okx:BaseToken:USDT"),
                 "books[0] (main).subscribed_keys[1]: venue 'okx' is not a configured venue");
  expect_valid(with(base_config(), P("/books/0/subscribed_keys"), json::array()));
}

TEST_CASE("subscribed keys must be keys their venue can hold") {
  auto key = [](const char* text) {
    return with(base_config(), P("/books/0/subscribed_keys/1"), text);
  };
  expect_invalid(key("uniswap:BaseToken:WETH"),
                 "a dex venue holds no positions (its tokens sit in wallet 'wallet')");
  expect_invalid(key("etherfi:LST:weETH"), "a staking venue holds no positions");
  expect_invalid(key("aave:BaseToken:WETH"), "a lending venue holds only aToken and debtToken");
  expect_invalid(key("binance:aToken:USDT"), "a cex venue holds no aToken keys");
  expect_invalid(key("wallet:Perp:BTCUSDT"), "a wallet venue holds no Perp keys");
  expect_invalid(key("wallet:BaseToken:weETH"),
                 "'weETH' is issued by a staking venue, so it is held as LST: use "
                 "'wallet:LST:weETH'");
  expect_invalid(key("wallet:LST:WETH"),
                 "'WETH' is not issued by any staking venue (no lst map names it): use "
                 "'wallet:BaseToken:WETH'");
  expect_valid(key("binance:LST:weETH"));
  expect_valid(key("aave:aToken:weETH"));
}

TEST_CASE("initial_positions name subscribed keys with allowed amounts") {
  auto initial = [](json positions) {
    return with(base_config(), P("/books/0/initial_positions"), std::move(positions));
  };
  expect_invalid(initial({{"binance:BaseToken:BTC", 1}}),
                 "books[0] (main).initial_positions.binance:BaseToken:BTC: "
                 "'binance:BaseToken:BTC' is not in the book's subscribed_keys");
  expect_invalid(initial(json::array()), "books[0] (main).initial_positions: must be an object");
  expect_invalid(initial({{"binance:BaseToken:USDT", "-100"}}),
                 "initial_positions.binance:BaseToken:USDT: must be a number >= 0");
  expect_invalid(initial({{"binance:BaseToken:USDT", nullptr}}),
                 "initial_positions.binance:BaseToken:USDT: must be a number >= 0 (BaseToken, "
                 "aToken and LST balances cannot be negative) (or a decimal string), got "
                 "null");
  for (auto key : {"binance:BaseToken:USDT", "aave:aToken:WETH", "wallet:LST:weETH"}) {
    CAPTURE(key);
    expect_invalid(initial({{key, -1}}), std::string(key) +
                                             ": must be a number >= 0 (BaseToken, "
                                             "aToken and LST balances cannot be "
                                             "negative), got -1");
    expect_valid(initial({{key, 0}}));
  }
  auto loaded = parse_config(initial({{"aave:debtToken:WETH", -2},
                                      {"binance:Perp:BTCUSDT",
                                       {{"amount", num("-0.5")}, {"entry_price", 60000}}},
                                      {"binance:BaseToken:USDT", "100.000000000000000001"}}));
  REQUIRE(loaded.ok());
  CHECK(loaded.config.books[0].initial_positions.at("binance:Perp:BTCUSDT") == "-0.5"_amt);
  CHECK(loaded.config.books[0].initial_positions.at("aave:debtToken:WETH") == "-2"_amt);
  CHECK(loaded.config.books[0].initial_positions.at("binance:BaseToken:USDT") ==
        "100.000000000000000001"_amt);
}

// --- market ------------------------------------------------------------------------------

TEST_CASE("the market section is decoded with CFG-002 and its venues must fit their kind") {
  expect_invalid(with(base_config(), P("/market/prices"), {{"BTC", -1}}),
                 "market.prices.BTC: must be a number > 0, got -1");
  expect_invalid(with(base_config(), P("/market/timestamp"), "t"),
                 "market: unknown field 'timestamp'");
  auto index = json{{"WETH", {{"liquidity_index", num("1.0")}}}};
  expect_valid(with(base_config(), P("/market/indices/aave"), index));
  expect_invalid(with(base_config(), P("/market/indices/binance"), index),
                 "market.indices.binance: 'binance' is a cex venue, expected a lending venue");
  expect_invalid(with(base_config(), P("/market/indices/compound"), index),
                 "market.indices.compound: 'compound' is not a configured venue");
  auto rate = json{{"weETH", num("0.96")}};
  expect_valid(with(base_config(), P("/market/staking_rates/etherfi"), rate));
  expect_invalid(with(base_config(), P("/market/staking_rates/aave"), rate),
                 "market.staking_rates.aave: 'aave' is a lending venue, expected a staking venue");
  auto funding = json{{"BTCUSDT", "0.0001"}};
  expect_valid(with(base_config(), P("/market/funding_rates/binance"), funding));
  expect_invalid(with(base_config(), P("/market/funding_rates/wallet"), funding),
                 "market.funding_rates.wallet: 'wallet' is a wallet venue, expected a cex venue");
}

// --- files -------------------------------------------------------------------------------

TEST_CASE("config/default.json loads with the bundled venues and book") {
  auto loaded = load_config_file(std::string(TIGHTLOOP_SOURCE_DIR) + "/config/default.json");
  INFO(loaded.failure.message);
  REQUIRE(loaded.ok());
  const auto& config = loaded.config;
  REQUIRE(config.venues.size() == 5);
  std::vector<std::pair<std::string, VenueKind>> venues;
  for (const auto& venue : config.venues) venues.emplace_back(venue.name, venue.kind);
  CHECK(venues == std::vector<std::pair<std::string, VenueKind>>{{"binance", VenueKind::cex},
                                                                 {"wallet", VenueKind::wallet},
                                                                 {"aave", VenueKind::lending},
                                                                 {"etherfi", VenueKind::staking},
                                                                 {"uniswap", VenueKind::dex}});
  const auto& binance = *config.find_venue("binance");
  CHECK(binance.taker_fee_rate == "0.001"_amt);
  CHECK(binance.slippage_bps == "2"_amt);
  CHECK(binance.settlement_token == "USDT");
  CHECK(binance.transfer_fees == std::map<std::string, Amount>{{"USDT", "1"_amt}});
  CHECK(config.find_venue("aave")->wallet == "wallet");
  CHECK(config.find_venue("etherfi")->lst == std::map<std::string, std::string>{{"WETH", "weETH"}});
  const auto& uniswap = *config.find_venue("uniswap");
  CHECK(uniswap.pool_fee_rate == "0.003"_amt);
  CHECK(uniswap.slippage_bps == "10"_amt);
  CHECK(uniswap.default_slippage_tolerance == "0.005"_amt);
  CHECK(config.lst_symbols() == std::set<std::string>{"weETH"});

  REQUIRE(config.books.size() == 1);
  const auto& book = config.books[0];
  CHECK(book.name == "main");
  CHECK(book.subscribed_keys.size() == 13);
  CHECK(book.initial_positions.at("binance:BaseToken:USDT") == "250000"_amt);
  CHECK(book.initial_positions.at("binance:BaseToken:BTC") == "1"_amt);
  CHECK(book.initial_positions.at("wallet:BaseToken:WETH") == "20"_amt);
  CHECK(book.initial_positions.at("wallet:BaseToken:USDC") == "5000"_amt);

  for (auto symbol : {"BTC", "ETH", "WETH", "weETH", "USDT", "USDC"})
    CHECK(config.market.prices.count(symbol) == 1);
  CHECK(config.market.indices.at("aave").size() == 3);
  CHECK(config.market.staking_rates.at("etherfi").count("weETH") == 1);
  CHECK(config.market.funding_rates.at("binance").count("BTCUSDT") == 1);
}

TEST_CASE("a missing config file is CFG-001 naming the path") {
  auto path = (std::filesystem::temp_directory_path() / "tightloop_no_such_config.json").string();
  auto loaded = load_config_file(path);
  CHECK(loaded.failure.code == ErrorCode::cfg_unreadable);
  CHECK(contains(loaded.failure.message, "cannot read config file '" + path + "'"));
  CHECK(contains(loaded.failure.message, "No such file"));
}

TEST_CASE("a directory is not a config file") {
  auto path = std::filesystem::temp_directory_path().string();
  auto loaded = load_config_file(path);
  CHECK(loaded.failure.code == ErrorCode::cfg_unreadable);
  CHECK(contains(loaded.failure.message, "'" + path + "': is a directory"));
}

TEST_CASE("a file that is not JSON is CFG-001 naming the path and the parse position") {
  TempFile file("broken.json", "{\n  \"venues\": [\n    {\"name\": \"binance\",}\n  ]\n}\n");
  auto loaded = load_config_file(file.path());
  CHECK(loaded.failure.code == ErrorCode::cfg_unreadable);
  CHECK(contains(loaded.failure.message, "config file '" + file.path() + "' is not valid JSON"));
  CHECK(contains(loaded.failure.message, "line 3"));

  TempFile empty("empty.json", "");
  CHECK(load_config_file(empty.path()).failure.code == ErrorCode::cfg_unreadable);
  TempFile overflow("overflow.json", R"({"venue_timeout_ms": 1e400})");
  CHECK(load_config_file(overflow.path()).failure.code == ErrorCode::cfg_unreadable);
}

TEST_CASE("invalid content in a file is CFG-002 prefixed with the path") {
  TempFile file("invalid.json", dump_json(with(base_config(), P("/venue_timeout_ms"), 0)));
  auto loaded = load_config_file(file.path());
  CHECK(loaded.failure.code == ErrorCode::cfg_invalid);
  CHECK(contains(loaded.failure.message,
                 "config file '" + file.path() + "': venue_timeout_ms: must be an integer >= 1"));

  TempFile good("good.json", dump_json(base_config()));
  CHECK(load_config_file(good.path()).ok());
}

TEST_CASE("a key repeated within one object is CFG-001 (the input policy) with its path") {
  TempFile file("duplicate.json", R"({"venues": [{"name": "binance", "kind": "cex"},
      {"name": "wallet", "kind": "wallet", "name": "wallet2"}],
      "books": [{"name": "main", "subscribed_keys": []}]})");
  auto loaded = load_config_file(file.path());
  CHECK(loaded.failure.code == ErrorCode::cfg_unreadable);
  CHECK(
      contains(loaded.failure.message, "venues[1].name: key appears more than once in its object"));

  TempFile top("duplicate_top.json", R"({"venue_timeout_ms": 5, "venue_timeout_ms": 6})");
  CHECK(contains(load_config_file(top.path()).failure.message,
                 "' is not valid JSON: venue_timeout_ms: key appears more than once"));

  // The same key in sibling objects is fine.
  TempFile siblings("siblings.json", R"({"venues": [{"name": "binance", "kind": "cex"},
      {"name": "wallet", "kind": "wallet"}], "books": [{"name": "main", "subscribed_keys": []}]})");
  CHECK(load_config_file(siblings.path()).ok());
}
