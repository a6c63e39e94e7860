#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "messages/market_json.hpp"

using nlohmann::json;
using namespace tightloop;

namespace {

MarketData seeded_market() {
  MarketData market;
  auto failure = merge_market_json(R"({
      "prices": {"BTC": 60000, "ETH": 3000},
      "indices": {"aave": {"WETH": {"liquidity_index": 1.02, "borrow_index": 1.04},
                           "USDC": {"liquidity_index": 1.05, "borrow_index": 1.08}}},
      "staking_rates": {"etherfi": {"weETH": 0.96}},
      "funding_rates": {"binance": {"BTCUSDT": 0.0001, "ETHUSDT": 0.0002}}})"_json,
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
  CHECK(market.prices == std::map<std::string, double>{{"BTC", 60000.0}, {"ETH", 3000.0}});
  CHECK(market.indices.at("aave").at("WETH").liquidity_index == 1.02);
  CHECK(market.indices.at("aave").at("WETH").borrow_index == 1.04);
  CHECK(market.indices.at("aave").at("USDC").borrow_index == 1.08);
  CHECK(market.staking_rates.at("etherfi").at("weETH") == 0.96);
  CHECK(market.funding_rates.at("binance").at("ETHUSDT") == 0.0002);
  CHECK(market.timestamp.empty());
}

TEST_CASE("a market event overrides only what it names") {
  auto market = seeded_market();
  market.timestamp = "2024-01-01T00:00:00Z";
  auto failure = merge_market_json(R"({
      "prices": {"BTC": 61000, "SOL": 150},
      "indices": {"aave": {"WETH": {"borrow_index": 1.05}, "weETH": {"liquidity_index": 1.01}}},
      "staking_rates": {"renzo": {"ezETH": 0.97}},
      "funding_rates": {"binance": {"BTCUSDT": -0.0003}}})"_json,
                                   market, "event", ErrorCode::inp_invalid);
  REQUIRE_FALSE(failure);
  CHECK(market.prices ==
        std::map<std::string, double>{{"BTC", 61000.0}, {"ETH", 3000.0}, {"SOL", 150.0}});
  CHECK(market.indices.at("aave").at("WETH").liquidity_index == 1.02);  // kept
  CHECK(market.indices.at("aave").at("WETH").borrow_index == 1.05);     // overridden
  CHECK(market.indices.at("aave").at("USDC").liquidity_index == 1.05);  // untouched asset
  CHECK(market.indices.at("aave").at("weETH").liquidity_index == 1.01);
  CHECK(market.indices.at("aave").at("weETH").borrow_index == 1.0);  // new asset: default
  CHECK(market.staking_rates.at("etherfi").at("weETH") == 0.96);
  CHECK(market.staking_rates.at("renzo").at("ezETH") == 0.97);
  CHECK(market.funding_rates.at("binance").at("BTCUSDT") == -0.0003);  // negative is allowed
  CHECK(market.funding_rates.at("binance").at("ETHUSDT") == 0.0002);
  CHECK(market.timestamp == "2024-01-01T00:00:00Z");  // not merge_market_json's business
}

TEST_CASE("every market section is optional") {
  auto market = seeded_market();
  REQUIRE_FALSE(merge_market_json(json::object(), market, "market", ErrorCode::cfg_invalid));
  REQUIRE_FALSE(merge_market_json(R"({"prices": {}, "indices": {"aave": {}}})"_json, market,
                                  "market", ErrorCode::cfg_invalid));
  CHECK(encode_market(market) == encode_market(seeded_market()));
}

TEST_CASE("market values out of range are rejected with the path") {
  expect_rejected(R"({"prices": {"BTC": -1}})"_json, "market.prices.BTC: must be a number > 0");
  expect_rejected(R"({"prices": {"BTC": 0}})"_json, "market.prices.BTC: must be a number > 0");
  expect_rejected(R"({"prices": {"BTC": "60000"}})"_json,
                  "market.prices.BTC: must be a number > 0, got string");
  expect_rejected(R"({"indices": {"aave": {"WETH": {"liquidity_index": 0}}}})"_json,
                  "market.indices.aave.WETH.liquidity_index: must be a number > 0");
  expect_rejected(R"({"indices": {"aave": {"WETH": {"borrow_index": -1.0}}}})"_json,
                  "market.indices.aave.WETH.borrow_index: must be a number > 0");
  expect_rejected(R"({"staking_rates": {"etherfi": {"weETH": 0}}})"_json,
                  "market.staking_rates.etherfi.weETH: must be a number > 0");
  expect_rejected(R"({"funding_rates": {"binance": {"BTCUSDT": "0.01"}}})"_json,
                  "market.funding_rates.binance.BTCUSDT: must be a number");
}

TEST_CASE("market numbers must be finite") {
  json price;
  price["prices"]["BTC"] = std::numeric_limits<double>::infinity();
  expect_rejected(price, "market.prices.BTC: must be a number > 0");
  json funding;
  funding["funding_rates"]["binance"]["BTCUSDT"] = std::numeric_limits<double>::infinity();
  expect_rejected(funding, "market.funding_rates.binance.BTCUSDT: must be a finite number");
}

TEST_CASE("market shape errors are rejected") {
  expect_rejected(json::array(), "market: must be an object");
  expect_rejected(R"({"prices": [1]})"_json, "market.prices: must be an object");
  expect_rejected(R"({"indices": {"aave": {"WETH": 1.02}}})"_json,
                  "market.indices.aave.WETH: must be an object");
  expect_rejected(R"({"indices": {"aave": {"WETH": {}}}})"_json,
                  "market.indices.aave.WETH: must name liquidity_index, borrow_index or both");
  expect_rejected(R"({"staking_rates": {"etherfi": 0.96}})"_json,
                  "market.staking_rates.etherfi: must be an object");
  expect_rejected(R"({"prices": {"": 1}})"_json, "market.prices: keys must not be empty");
  expect_rejected(R"({"indices": {"": {}}})"_json, "market.indices: keys must not be empty");
}

TEST_CASE("unknown market fields are rejected, event and timestamp included") {
  expect_rejected(R"({"price": {"BTC": 1}})"_json, "market: unknown field 'price'");
  expect_rejected(R"({"event": "market"})"_json, "market: unknown field 'event'");
  expect_rejected(R"({"timestamp": "t"})"_json, "market: unknown field 'timestamp'");
  expect_rejected(R"({"indices": {"aave": {"WETH": {"supply_index": 1.1}}}})"_json,
                  "market.indices.aave.WETH: unknown field 'supply_index'");
}

TEST_CASE("a rejected market leaves the target unchanged even after valid sections") {
  // prices is valid and comes first; funding_rates is not.
  expect_rejected(R"({"prices": {"BTC": 1}, "funding_rates": {"binance": {"X": "y"}}})"_json,
                  "market.funding_rates.binance.X");
}

TEST_CASE("merge_market_json reports the caller's code and path") {
  expect_rejected(R"({"prices": {"BTC": -1}})"_json, "market.prices.BTC", ErrorCode::inp_invalid);
  MarketData market;
  auto failure =
      merge_market_json(R"({"prices": {"BTC": -1}})"_json, market, "", ErrorCode::inp_invalid);
  REQUIRE(failure);
  CHECK(failure->code == ErrorCode::inp_invalid);
  CHECK(failure->message.rfind("prices.BTC: must be a number > 0", 0) == 0);
}

TEST_CASE("encode_market writes all four sections and round-trips") {
  auto market = seeded_market();
  market.timestamp = "t1";
  auto encoded = encode_market(market);
  CHECK(encoded["prices"]["BTC"] == 60000.0);
  CHECK(encoded["indices"]["aave"]["WETH"] ==
        json{{"liquidity_index", 1.02}, {"borrow_index", 1.04}});
  CHECK(encoded["staking_rates"]["etherfi"]["weETH"] == 0.96);
  CHECK(encoded["funding_rates"]["binance"]["BTCUSDT"] == 0.0001);
  CHECK_FALSE(encoded.contains("timestamp"));

  MarketData decoded;
  REQUIRE_FALSE(merge_market_json(encoded, decoded, "market", ErrorCode::cfg_invalid));
  CHECK(decoded.prices == market.prices);
  CHECK(decoded.staking_rates == market.staking_rates);
  CHECK(decoded.funding_rates == market.funding_rates);
  CHECK(encode_market(decoded) == encoded);

  CHECK(encode_market(MarketData{}) == json{{"prices", json::object()},
                                            {"indices", json::object()},
                                            {"staking_rates", json::object()},
                                            {"funding_rates", json::object()}});
}
