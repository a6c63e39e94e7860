// A perp held before the run: initial_positions gives its size with its average entry price,
// and the venue realises PnL against that price (config/README.md). A size without one is
// refused instead of realising PnL against whatever the reference price is at closing time.
#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"
#include "config/config_loader.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

nlohmann::json with_perp(const nlohmann::json& initial_perp) {
  auto json = test::exact_config_json({"main"});
  json["books"][0]["initial_positions"]["binance:Perp:BTCUSDT"] = initial_perp;
  return json;
}

std::string refusal(const nlohmann::json& json) {
  auto loaded = parse_config(json);
  CHECK_FALSE(loaded.ok());
  CHECK(loaded.failure.code == ErrorCode::cfg_invalid);
  return loaded.failure.message;
}

}  // namespace

TEST_CASE("a perp opened before the run realises PnL against its configured entry price") {
  const auto config =
      test::config_from(with_perp({{"amount", "0.5"}, {"entry_price", "50000"}}));
  const auto& book = config.books.front();
  CHECK(book.initial_positions.at("binance:Perp:BTCUSDT") == "0.5"_amt);
  CHECK(book.entry_prices.at("binance:Perp:BTCUSDT") == "50000"_amt);
  VenueSet venues(config, book, std::make_shared<const MarketData>(config.market));
  auto close = test::order_from({{"operation_id", "close"}, {"venue", "binance"},
                                 {"operation", "perp_trade"}, {"pair", "BTC/USDT"},
                                 {"side", "SHORT"}, {"amount", "0.5"}});
  const auto hs = venues.execute(close);
  REQUIRE(hs.status == HandshakeStatus::executed);
  // Fill at 60000 (no slippage): PnL 0.5 * (60000 - 50000) = 5000; fee 0.5 * 60000 * 0.001.
  CHECK(hs.position_deltas.at("binance:BaseToken:USDT") == "5000"_amt);
  CHECK(hs.fee_amount == "30"_amt);
  const auto balances = venues.balances({"binance:Perp:BTCUSDT", "binance:BaseToken:USDT"});
  CHECK(balances.at("binance:Perp:BTCUSDT") == "0"_amt);
  CHECK(balances.at("binance:BaseToken:USDT") == "104970"_amt);
}

TEST_CASE("a perp size other than 0 without an entry price is refused, a flat one is not") {
  CHECK(refusal(with_perp("0.5")).find("needs its entry price") != std::string::npos);
  CHECK(refusal(with_perp({{"amount", "-0.5"}})).find("'entry_price' is required") !=
        std::string::npos);
  CHECK(refusal(with_perp({{"amount", "0.5"}, {"entry_price", "0"}})).find("> 0") !=
        std::string::npos);
  CHECK(refusal(with_perp({{"amount", "0.5"}, {"entry_price", 1}, {"side", "LONG"}}))
            .find("side") != std::string::npos);
  CHECK(refusal(with_perp({{"entry_price", "60000"}})).find("'amount' is required") !=
        std::string::npos);
  auto flat = test::config_from(with_perp(0));
  CHECK(flat.books.front().initial_positions.at("binance:Perp:BTCUSDT") == "0"_amt);
  CHECK(flat.books.front().entry_prices.empty());
  // Only a perp takes the object form.
  auto json = test::exact_config_json({"main"});
  json["books"][0]["initial_positions"]["binance:BaseToken:BTC"] = {{"amount", 1}};
  CHECK(refusal(json).find("binance:BaseToken:BTC") != std::string::npos);
}

TEST_CASE("a chained run: the first run's positions and entry prices open the second") {
  auto first_json = test::exact_config_json({"main"});
  Runtime first(test::config_from(first_json));
  auto open = first.run_book(
      "main", {test::order_from({{"operation_id", "open"}, {"venue", "binance"},
                                 {"operation", "perp_trade"}, {"pair", "BTC/USDT"},
                                 {"side", "SHORT"}, {"amount", "0.5"}})});
  REQUIRE(open.results.at(0).handshake.status == HandshakeStatus::executed);
  REQUIRE(open.entry_prices.at("binance:Perp:BTCUSDT") == "60000"_amt);
  // At the market it opened in, the short has made nothing yet; the fee (30) is paid.
  const auto& perp = open.valuation.expected.positions.at("binance:Perp:BTCUSDT");
  CHECK(perp.unrealised_pnl == "0"_amt);
  CHECK(open.valuation.expected.positions.at("binance:BaseToken:USDT").value == "99970"_amt);

  // What the first run printed becomes the second run's initial positions.
  auto second_json = first_json;
  auto& initial = second_json["books"][0]["initial_positions"];
  initial = nlohmann::json::object();
  for (const auto& [key, amount] : open.positions) {
    auto entry = open.entry_prices.find(key);
    if (entry == open.entry_prices.end())
      initial[key] = format(amount);
    else
      initial[key] = {{"amount", format(amount)}, {"entry_price", format(entry->second)}};
  }
  second_json["market"]["prices"]["BTC"] = "58000";
  Runtime second(test::config_from(second_json));
  auto close = second.run_book(
      "main", {test::order_from({{"operation_id", "close"}, {"venue", "binance"},
                                 {"operation", "perp_trade"}, {"pair", "BTC/USDT"},
                                 {"side", "LONG"}, {"amount", "0.5"}})});
  REQUIRE(close.results.at(0).handshake.status == HandshakeStatus::executed);
  // 0.5 * (60000 - 58000) realised against the first run's entry, less 0.5 * 58000 * 0.001.
  CHECK(close.results.at(0).handshake.position_deltas.at("binance:BaseToken:USDT") == "1000"_amt);
  CHECK(close.positions.at("binance:BaseToken:USDT") == "100941"_amt);
  CHECK(close.entry_prices.empty());
}
