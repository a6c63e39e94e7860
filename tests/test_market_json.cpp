#include <doctest/doctest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "messages/market_json.hpp"
#include "tests/test_support.hpp"

using nlohmann::json;
using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

// JSON text read as every input is (parse_json): non-integer numbers keep their own text.
json operator""_parsed(const char* text, std::size_t size) {
  auto result = parse_json(std::string_view(text, size));
  REQUIRE_MESSAGE(result.ok(), (result.error ? result.error->message : std::string()));
  return result.value;
}

MarketData seeded_market() {
  MarketData market;
  auto failure = merge_market_json(R"({
      "prices": {"BTC": 60000, "ETH": 3000},
      "indices": {"aave": {"WETH": {"liquidity_index": 1.02, "borrow_index": 1.04},
                           "USDC": {"liquidity_index": 1.05, "borrow_index": 1.08}}},
      "staking_rates": {"etherfi": {"weETH": 0.96}},
      "funding_rates": {"binance": {"BTCUSDT": 0.0001, "ETHUSDT": 0.0002}}})"_parsed,
                                   market, "market", ErrorCode::cfg_invalid);
  REQUIRE_FALSE(failure);
  return market;
}

// Merges `value` into a copy of the seeded market, expects `code` and `part` in the message,
// and that the market was left unchanged.
void expect_rejected(const json& value, const std::string& part,
                     ErrorCode code = ErrorCode::cfg_invalid) {
  auto market = seeded_market();
  auto failure = merge_market_json(value, market, "market", code);
  REQUIRE(failure);
  INFO("message: " << failure->message);
  INFO("expected part: " << part);
  CHECK(failure->code == code);
  CHECK(failure->message.find(part) != std::string::npos);
  CHECK(encode_market(market) == encode_market(seeded_market()));
}

}  // namespace

TEST_CASE("merge_market_json reads every section into an empty MarketData") {
  auto market = seeded_market();
  CHECK(market.prices == std::map<std::string, Amount>{{"BTC", "60000"_amt}, {"ETH", "3000"_amt}});
  CHECK(market.indices.at("aave").at("WETH").liquidity_index == "1.02"_amt);
  CHECK(market.indices.at("aave").at("WETH").borrow_index == "1.04"_amt);
  CHECK(market.indices.at("aave").at("USDC").borrow_index == "1.08"_amt);
  CHECK(market.staking_rates.at("etherfi").at("weETH") == "0.96"_amt);
  CHECK(market.funding_rates.at("binance").at("ETHUSDT") == "0.0002"_amt);
  CHECK(market.timestamp.empty());
}

TEST_CASE("market amounts are exact: a number and a decimal string give the same amount") {
  MarketData from_numbers, from_strings;
  REQUIRE_FALSE(merge_market_json(R"({
      "prices": {"BTC": 60000.123456789012345678, "USDT": 0.1},
      "indices": {"aave": {"WETH": {"liquidity_index": 1.000000000000000001}}},
      "staking_rates": {"etherfi": {"weETH": 0.96}},
      "funding_rates": {"binance": {"BTCUSDT": -0.0001}}})"_parsed,
                                  from_numbers, "market", ErrorCode::cfg_invalid));
  REQUIRE_FALSE(merge_market_json(R"({
      "prices": {"BTC": "60000.123456789012345678", "USDT": "0.1"},
      "indices": {"aave": {"WETH": {"liquidity_index": "1.000000000000000001"}}},
      "staking_rates": {"etherfi": {"weETH": "0.96"}},
      "funding_rates": {"binance": {"BTCUSDT": "-0.0001"}}})"_parsed,
                                  from_strings, "market", ErrorCode::cfg_invalid));
  CHECK(encode_market(from_numbers) == encode_market(from_strings));
  CHECK(from_numbers.prices.at("USDT") == Amount::from_raw(Amount::scale / 10));
  CHECK(from_numbers.prices.at("BTC") == "60000.123456789012345678"_amt);
  CHECK(from_numbers.indices.at("aave").at("WETH").liquidity_index ==
        Amount::units(1) + Amount::from_raw(1));
  CHECK(from_strings.funding_rates.at("binance").at("BTCUSDT") == -"0.0001"_amt);
}

TEST_CASE("a market event overrides only what it names") {
  auto market = seeded_market();
  market.timestamp = "2024-01-01T00:00:00Z";
  auto failure = merge_market_json(R"({
      "prices": {"BTC": 61000, "SOL": 150},
      "indices": {"aave": {"WETH": {"borrow_index": 1.05}, "weETH": {"liquidity_index": 1.01}}},
      "staking_rates": {"renzo": {"ezETH": 0.97}},
      "funding_rates": {"binance": {"BTCUSDT": -0.0003}}})"_parsed,
                                   market, "event", ErrorCode::inp_invalid);
  REQUIRE_FALSE(failure);
  CHECK(market.prices == std::map<std::string, Amount>{
                             {"BTC", "61000"_amt}, {"ETH", "3000"_amt}, {"SOL", "150"_amt}});
  CHECK(market.indices.at("aave").at("WETH").liquidity_index == "1.02"_amt);  // kept
  CHECK(market.indices.at("aave").at("WETH").borrow_index == "1.05"_amt);     // overridden
  CHECK(market.indices.at("aave").at("USDC").liquidity_index == "1.05"_amt);  // untouched asset
  CHECK(market.indices.at("aave").at("weETH").liquidity_index == "1.01"_amt);
  CHECK(market.indices.at("aave").at("weETH").borrow_index == "1"_amt);  // new asset: default
  CHECK(market.staking_rates.at("etherfi").at("weETH") == "0.96"_amt);
  CHECK(market.staking_rates.at("renzo").at("ezETH") == "0.97"_amt);
  CHECK(market.funding_rates.at("binance").at("BTCUSDT") == "-0.0003"_amt);  // negative is allowed
  CHECK(market.funding_rates.at("binance").at("ETHUSDT") == "0.0002"_amt);
  CHECK(market.timestamp == "2024-01-01T00:00:00Z");  // not merge_market_json's business
}

TEST_CASE("every market section is optional") {
  auto market = seeded_market();
  REQUIRE_FALSE(merge_market_json(json::object(), market, "market", ErrorCode::cfg_invalid));
  REQUIRE_FALSE(merge_market_json(R"({"prices": {}, "indices": {"aave": {}}})"_parsed, market,
                                  "market", ErrorCode::cfg_invalid));
  CHECK(encode_market(market) == encode_market(seeded_market()));
}

TEST_CASE("market values out of range are rejected with the path") {
  expect_rejected(R"({"prices": {"BTC": -1}})"_parsed,
                  "market.prices.BTC: must be a number > 0, got -1");
  expect_rejected(R"({"prices": {"BTC": 0}})"_parsed, "market.prices.BTC: must be a number > 0");
  expect_rejected(R"({"prices": {"BTC": -0.0}})"_parsed,
                  "market.prices.BTC: must be a number > 0, got -0.0");
  expect_rejected(R"({"prices": {"BTC": "-60000"}})"_parsed,
                  "market.prices.BTC: must be a number > 0, got \"-60000\"");
  expect_rejected(
      R"({"prices": {"BTC": true}})"_parsed,
      "market.prices.BTC: must be a number > 0 (or a decimal string), got boolean true");
  expect_rejected(R"({"indices": {"aave": {"WETH": {"liquidity_index": 0}}}})"_parsed,
                  "market.indices.aave.WETH.liquidity_index: must be a number > 0");
  expect_rejected(R"({"indices": {"aave": {"WETH": {"borrow_index": -1.0}}}})"_parsed,
                  "market.indices.aave.WETH.borrow_index: must be a number > 0, got -1.0");
  expect_rejected(R"({"staking_rates": {"etherfi": {"weETH": 0}}})"_parsed,
                  "market.staking_rates.etherfi.weETH: must be a number > 0");
  expect_rejected(R"({"funding_rates": {"binance": {"BTCUSDT": [0.01]}}})"_parsed,
                  "market.funding_rates.binance.BTCUSDT: must be a number (or a decimal string), "
                  "got array [0.01]");
}

TEST_CASE("market amounts must be exact decimals: NaN, Infinity, 19 fractional digits refused") {
  expect_rejected(R"({"prices": {"BTC": "NaN"}})"_parsed,
                  "market.prices.BTC: must be a number > 0, got \"NaN\": 'NaN' is not a decimal "
                  "number");
  expect_rejected(R"({"prices": {"BTC": "Infinity"}})"_parsed,
                  "market.prices.BTC: must be a number > 0, got \"Infinity\": 'Infinity' is not "
                  "a decimal number");
  expect_rejected(R"({"funding_rates": {"binance": {"BTCUSDT": "-Infinity"}}})"_parsed,
                  "market.funding_rates.binance.BTCUSDT: must be a number, got \"-Infinity\"");
  expect_rejected(R"({"prices": {"BTC": 0.0000000000000000001}})"_parsed,
                  "market.prices.BTC: must be a number > 0, got 0.0000000000000000001: "
                  "'0.0000000000000000001' has more than 18 fractional digits");
  expect_rejected(
      R"({"indices": {"aave": {"WETH": {"liquidity_index": "1.0000000000000000001"}}}})"_parsed,
      "has more than 18 fractional digits");
  expect_rejected(R"({"prices": {"BTC": 1e300}})"_parsed, "'1e300' is out of range");
  expect_rejected(R"({"prices": {"BTC": ""}})"_parsed, "is not a decimal number");
  // A binary64 put into a json by code is read from its shortest digits; one that is not
  // finite is not a decimal.
  json price;
  price["prices"]["BTC"] = std::numeric_limits<double>::infinity();
  expect_rejected(price, "market.prices.BTC: must be a number > 0, got null: 'NaN'");
  MarketData market;
  price["prices"]["BTC"] = 60000.5;
  REQUIRE_FALSE(merge_market_json(price, market, "market", ErrorCode::cfg_invalid));
  CHECK(market.prices.at("BTC") == "60000.5"_amt);
}

TEST_CASE("market shape errors are rejected") {
  expect_rejected(json::array(), "market: must be an object");
  expect_rejected(R"({"prices": [1]})"_parsed, "market.prices: must be an object");
  expect_rejected(R"({"indices": {"aave": {"WETH": 1.02}}})"_parsed,
                  "market.indices.aave.WETH: must be an object, got number 1.02");
  expect_rejected(R"({"indices": {"aave": {"WETH": {}}}})"_parsed,
                  "market.indices.aave.WETH: must name liquidity_index, borrow_index or both");
  expect_rejected(R"({"staking_rates": {"etherfi": 0.96}})"_parsed,
                  "market.staking_rates.etherfi: must be an object");
  expect_rejected(R"({"prices": {"": 1}})"_parsed, "market.prices: keys must not be empty");
  expect_rejected(R"({"indices": {"": {}}})"_parsed, "market.indices: keys must not be empty");
}

TEST_CASE("unknown market fields are rejected, event and timestamp included") {
  expect_rejected(R"({"price": {"BTC": 1}})"_parsed, "market: unknown field 'price'");
  expect_rejected(R"({"event": "market"})"_parsed, "market: unknown field 'event'");
  expect_rejected(R"({"timestamp": "t"})"_parsed, "market: unknown field 'timestamp'");
  expect_rejected(R"({"indices": {"aave": {"WETH": {"supply_index": 1.1}}}})"_parsed,
                  "market.indices.aave.WETH: unknown field 'supply_index'");
}

TEST_CASE("a rejected market leaves the target unchanged even after valid sections") {
  // prices is valid and comes first; funding_rates is not.
  expect_rejected(R"({"prices": {"BTC": 1}, "funding_rates": {"binance": {"X": "y"}}})"_parsed,
                  "market.funding_rates.binance.X");
}

TEST_CASE("merge_market_json reports the caller's code and path") {
  expect_rejected(R"({"prices": {"BTC": -1}})"_parsed, "market.prices.BTC", ErrorCode::inp_invalid);
  MarketData market;
  auto failure =
      merge_market_json(R"({"prices": {"BTC": -1}})"_parsed, market, "", ErrorCode::inp_invalid);
  REQUIRE(failure);
  CHECK(failure->code == ErrorCode::inp_invalid);
  CHECK(failure->message.rfind("prices.BTC: must be a number > 0", 0) == 0);
}

TEST_CASE("encode_market writes all four sections exactly and round-trips") {
  auto market = seeded_market();
  market.timestamp = "t1";
  auto encoded = encode_market(market);
  CHECK(dump_json(encoded["prices"]) == R"({"BTC":60000,"ETH":3000})");
  CHECK(dump_json(encoded["indices"]["aave"]["WETH"]) ==
        R"({"borrow_index":1.04,"liquidity_index":1.02})");
  CHECK(dump_json(encoded["staking_rates"]) == R"({"etherfi":{"weETH":0.96}})");
  CHECK(dump_json(encoded["funding_rates"]) ==
        R"({"binance":{"BTCUSDT":0.0001,"ETHUSDT":0.0002}})");
  CHECK_FALSE(encoded.contains("timestamp"));

  MarketData decoded;
  REQUIRE_FALSE(merge_market_json(encoded, decoded, "market", ErrorCode::cfg_invalid));
  CHECK(decoded.prices == market.prices);
  CHECK(decoded.staking_rates == market.staking_rates);
  CHECK(decoded.funding_rates == market.funding_rates);
  CHECK(encode_market(decoded) == encoded);
  // Through text too.
  MarketData from_text;
  REQUIRE_FALSE(merge_market_json(parse_json(dump_json(encoded)).value, from_text, "market",
                                  ErrorCode::cfg_invalid));
  CHECK(encode_market(from_text) == encoded);

  CHECK(encode_market(MarketData{}) == json{{"prices", json::object()},
                                            {"indices", json::object()},
                                            {"staking_rates", json::object()},
                                            {"funding_rates", json::object()}});
}

TEST_CASE("encode_market writes strings on request, and they read back the same") {
  auto market = seeded_market();
  auto encoded = encode_market(market, AmountStyle::strings);
  CHECK(encoded["prices"]["BTC"] == "60000");
  CHECK(encoded["indices"]["aave"]["WETH"]["liquidity_index"] == "1.02");
  CHECK(dump_json(encoded["funding_rates"]) ==
        R"({"binance":{"BTCUSDT":"0.0001","ETHUSDT":"0.0002"}})");
  MarketData decoded;
  REQUIRE_FALSE(merge_market_json(encoded, decoded, "market", ErrorCode::cfg_invalid));
  CHECK(encode_market(decoded) == encode_market(market));
}
