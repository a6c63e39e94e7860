// Valuation (README.md "Valuation"): each position's value in the reference unit, a perp's
// average entry and unrealised PnL at the mark, an aToken's and debtToken's underlying, the
// book's NAV, and on a halt the venues' figure beside the monitor's. The perp's entry follows
// one rule (PositionBook) in the monitor and in the venue's ledger.
#include <doctest/doctest.h>

#include "actors/position/delta_conversion.hpp"
#include "actors/position/position_book.hpp"
#include "actors/position/valuation.hpp"
#include "actors/venues/cex_venue.hpp"
#include "actors/venues/venue_set.hpp"
#include "messages/result_json.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

MarketData market() {
  MarketData m;
  m.prices = {{"BTC", "60000"_amt}, {"USDT", "1"_amt}, {"WETH", "2000"_amt},
              {"weETH", "4000"_amt}, {"USDC", "0.999"_amt}};
  m.indices["aave"]["WETH"] = {"1.000000000000000003"_amt, "1.000000000000000003"_amt};
  m.indices["aave"]["USDC"] = {"1.1"_amt, "1.2"_amt};
  return m;
}

const SettlementTokens settlement{{"binance", "USDT"}};

Order perp(Side side, const std::string& amount) {
  return test::order_from({{"operation_id", "p"}, {"venue", "binance"},
                           {"operation", "perp_trade"}, {"pair", "BTC/USDT"},
                           {"side", side == Side::long_ ? "LONG" : "SHORT"},
                           {"amount", amount}});
}

}  // namespace

TEST_CASE("value of each position type, exact, with the rounding of each formula") {
  const std::map<std::string, Amount> positions{
      {"wallet:BaseToken:USDC", "3030.015"_amt},
      {"wallet:LST:weETH", "0.6"_amt},
      // 0.5 * 1.000000000000000003 = 0.5000000000000000015: an aToken's underlying rounds
      // down (what withdrawing it pays), a debt's up (what repaying it costs).
      {"aave:aToken:WETH", "0.5"_amt},
      {"aave:debtToken:WETH", "0.5"_amt},
      {"aave:aToken:USDC", "100"_amt},
      {"binance:Perp:BTCUSDT", "-0.3"_amt},
  };
  const std::map<std::string, Amount> entries{{"binance:Perp:BTCUSDT", "59988"_amt}};
  const auto v = value_positions(positions, entries, market(), settlement);
  CHECK(v.unpriced.empty());
  CHECK(v.positions.at("wallet:BaseToken:USDC").value == "3026.984985"_amt);
  CHECK_FALSE(v.positions.at("wallet:BaseToken:USDC").underlying.has_value());
  CHECK(v.positions.at("wallet:LST:weETH").value == "2400"_amt);
  CHECK(v.positions.at("aave:aToken:WETH").underlying == "0.500000000000000001"_amt);
  CHECK(v.positions.at("aave:debtToken:WETH").underlying == "0.500000000000000002"_amt);
  CHECK(v.positions.at("aave:aToken:WETH").value == "1000.000000000000002"_amt);
  CHECK(v.positions.at("aave:debtToken:WETH").value == "-1000.000000000000004"_amt);
  CHECK(v.positions.at("aave:aToken:USDC").underlying == "110"_amt);
  CHECK(v.positions.at("aave:aToken:USDC").value == "109.89"_amt);
  // A short of 0.3 from 59988 marked at 60000: -0.3 * 12 = -3.6 USDT.
  const auto& p = v.positions.at("binance:Perp:BTCUSDT");
  CHECK(p.entry_price == "59988"_amt);
  CHECK(p.mark_price == "60000"_amt);
  CHECK(p.unrealised_pnl == "-3.6"_amt);
  CHECK(p.value == "-3.6"_amt);
  CHECK(v.nav == "5533.274984999999998"_amt);
}

TEST_CASE("a perp's unrealised PnL floors, like the PnL closing it would realise") {
  auto m = market();
  m.prices["USDT"] = "3"_amt;  // mark 20000, settlement worth 3 each
  // 0.1 long from 19999.999999999999999999: 0.1 * 1e-18 = 1e-19, floored to 0.
  auto v = value_positions({{"binance:Perp:BTCUSDT", "0.1"_amt}},
                           {{"binance:Perp:BTCUSDT", "19999.999999999999999999"_amt}}, m,
                           settlement);
  CHECK(v.positions.at("binance:Perp:BTCUSDT").unrealised_pnl == "0"_amt);
  // A short from the same entry loses 1e-19: floored to -1e-18, worth -3e-18.
  v = value_positions({{"binance:Perp:BTCUSDT", "-0.1"_amt}},
                      {{"binance:Perp:BTCUSDT", "19999.999999999999999999"_amt}}, m, settlement);
  CHECK(v.positions.at("binance:Perp:BTCUSDT").unrealised_pnl == "-1e-18"_amt);
  CHECK(v.positions.at("binance:Perp:BTCUSDT").value == "-3e-18"_amt);
  CHECK(v.nav == "-3e-18"_amt);
}

TEST_CASE("zero balances need no price, others without one leave the NAV unknown") {
  const std::map<std::string, Amount> flat{{"wallet:BaseToken:DOGE", "0"_amt},
                                           {"binance:Perp:ETHUSDT", "0"_amt},
                                           {"aave:aToken:DAI", "0"_amt}};
  auto v = value_positions(flat, {}, market(), settlement);
  CHECK(v.unpriced.empty());
  CHECK(v.nav == "0"_amt);
  CHECK(v.positions.at("binance:Perp:ETHUSDT").unrealised_pnl == "0"_amt);
  CHECK_FALSE(v.positions.at("binance:Perp:ETHUSDT").entry_price.has_value());
  CHECK_FALSE(v.positions.at("binance:Perp:ETHUSDT").mark_price.has_value());

  v = value_positions({{"wallet:BaseToken:DOGE", "1"_amt},
                       {"aave:aToken:DAI", "1"_amt},
                       {"binance:Perp:BTCUSDT", "1"_amt},
                       {"okx:Perp:BTCUSDT", "1"_amt},
                       {"wallet:BaseToken:USDC", "1"_amt}},
                      {{"okx:Perp:BTCUSDT", "1"_amt}}, market(), settlement);
  CHECK_FALSE(v.nav.has_value());
  CHECK(v.unpriced.at("wallet:BaseToken:DOGE") == "no price for DOGE");
  CHECK(v.unpriced.at("aave:aToken:DAI") == "no lending index for DAI on aave");
  CHECK(v.unpriced.at("binance:Perp:BTCUSDT") ==
        "no entry price (its size moved only out of band)");
  CHECK(v.unpriced.at("okx:Perp:BTCUSDT") == "no cex venue 'okx' settles it");
  CHECK(v.positions.at("wallet:BaseToken:USDC").value == "0.999"_amt);
  CHECK(v.positions.size() == 1);

  auto no_usdt = market();
  no_usdt.prices.erase("USDT");
  v = value_positions({{"binance:Perp:BTCUSDT", "1"_amt}}, {{"binance:Perp:BTCUSDT", "1"_amt}},
                      no_usdt, settlement);
  CHECK(v.unpriced.at("binance:Perp:BTCUSDT") == "no mark price for BTCUSDT in USDT");
}

TEST_CASE("a value out of the amount range is unpriced, not an error") {
  auto m = market();
  m.prices["BTC"] = Amount::max();
  auto v = value_positions({{"wallet:BaseToken:BTC", "2"_amt}}, {}, m, settlement);
  CHECK(v.unpriced.at("wallet:BaseToken:BTC") == "its value leaves the amount range");
  CHECK_FALSE(v.nav.has_value());
}

TEST_CASE("on a halt the venues' figure is valued beside the monitor's") {
  HaltInfo halt;
  halt.halted = true;
  halt.mismatches = {{"wallet:BaseToken:USDC", "100"_amt, "90"_amt},
                     {"wallet:BaseToken:WETH", "1"_amt, std::nullopt}};
  const std::map<std::string, Amount> positions{{"wallet:BaseToken:USDC", "100"_amt},
                                                {"wallet:BaseToken:WETH", "1"_amt}};
  const auto both = value_book(positions, {}, halt, market(), settlement);
  CHECK(both.expected.nav == "2099.9"_amt);
  REQUIRE(both.venue.has_value());
  CHECK(both.venue->positions.at("wallet:BaseToken:USDC").value == "89.91"_amt);
  CHECK(both.venue->positions.at("wallet:BaseToken:WETH").value == "0"_amt);
  CHECK(both.venue->nav == "89.91"_amt);

  halt.halted = false;
  CHECK_FALSE(value_book(positions, {}, halt, market(), settlement).venue.has_value());
}

TEST_CASE("encoded valuation: perps carry their three figures, null when unknown") {
  BookValuation valuation;
  valuation.expected = value_positions(
      {{"binance:Perp:BTCUSDT", "0"_amt}, {"aave:aToken:USDC", "1"_amt},
       {"wallet:BaseToken:DOGE", "1"_amt}},
      {}, market(), settlement);
  const auto json = encode_valuation(valuation, AmountStyle::strings);
  CHECK(json.dump() ==
        R"({"expected":{"nav":null,"positions":{"aave:aToken:USDC":{"underlying":"1.1","value":"1.0989"},)"
        R"("binance:Perp:BTCUSDT":{"entry_price":null,"mark_price":"60000","unrealised_pnl":"0","value":"0"}},)"
        R"("unpriced":{"wallet:BaseToken:DOGE":"no price for DOGE"}}})");
}

TEST_CASE("perp entry: adding averages half-even, reducing keeps it, flipping restarts, flat clears") {
  // 1 at 60000 plus 2 at 60001: (60000 + 120002) / 3 = 60000.666666666666666666(6...) -> ...667.
  CHECK(perp_entry_after("1"_amt, "60000"_amt, "2"_amt, "60001"_amt) ==
        "60000.666666666666666667"_amt);
  CHECK(perp_entry_after("0"_amt, "1"_amt, "-2"_amt, "59000"_amt) == "59000"_amt);
  CHECK(perp_entry_after("-3"_amt, "60000"_amt, "1"_amt, "1"_amt) == "60000"_amt);
  CHECK(perp_entry_after("-3"_amt, "60000"_amt, "5"_amt, "61000"_amt) == "61000"_amt);
  CHECK_FALSE(perp_entry_after("-3"_amt, "60000"_amt, "3"_amt, "61000"_amt).has_value());

  CHECK_FALSE(perp_realised_pnl("1"_amt, "60000"_amt, "1"_amt, "61000"_amt).has_value());
  CHECK(perp_realised_pnl("-3"_amt, "60000"_amt, "5"_amt, "61000"_amt) == "-3000"_amt);
  CHECK(perp_realised_pnl("2"_amt, "60000"_amt, "-1"_amt, "61000"_amt) == "1000"_amt);
}

TEST_CASE("the monitor's entry and the venue's ledger's agree after every perp trade") {
  const auto config = test::exact_config();
  const auto& book = config.books.front();
  VenueSet venues(config, book, std::make_shared<const MarketData>(config.market));
  auto* binance = dynamic_cast<CexVenue*>(venues.find("binance"));
  REQUIRE(binance);
  PositionBook monitor = opening_positions(book);
  const std::string key = "binance:Perp:BTCUSDT";
  auto trade = [&](Side side, const std::string& amount, const std::string& btc_price) {
    auto m = config.market;
    m.prices["BTC"] = test::amount(btc_price);
    venues.set_market(std::make_shared<const MarketData>(m));
    const auto hs = venues.execute(perp(side, amount));
    REQUIRE(hs.status == HandshakeStatus::executed);
    REQUIRE_FALSE(monitor.apply_checked(to_execution_deltas(hs), ErrorCode::pos_negative_balance));
    CHECK(monitor.entry_price(key) == binance->entry_price(key));
    return monitor.entry_price(key);
  };
  CHECK(trade(Side::long_, "1", "60000") == "60000"_amt);
  CHECK(trade(Side::long_, "2", "60001") == "60000.666666666666666667"_amt);
  CHECK(trade(Side::short_, "1", "59000") == "60000.666666666666666667"_amt);
  CHECK(trade(Side::short_, "3", "58000") == "58000"_amt);  // flips to a short of 1
  CHECK_FALSE(trade(Side::long_, "1", "57000").has_value());
  CHECK(monitor.amount(key) == "0"_amt);
  CHECK(monitor.entry_prices().empty());

  // An out-of-band move keeps the entry; one that ends flat clears it.
  trade(Side::long_, "1", "60000");
  CHECK(monitor.adjust(key, "1"_amt));
  CHECK(monitor.entry_price(key) == "60000"_amt);
  CHECK(monitor.adjust(key, "-2"_amt));
  CHECK_FALSE(monitor.entry_price(key).has_value());
  CHECK_FALSE(monitor.set_entry_price("binance:BaseToken:BTC", "1"_amt));
}
