#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using test::check_failed;

using Balances = test::Positions;

// uniswap: no price impact; curve: 25 bps (within the default 0.5 % tolerance);
// thin: 100 bps (beyond it). lido makes stETH an LST symbol.
Config dex_config() {
  Config config;
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  VenueConfig uniswap;
  uniswap.name = "uniswap";
  uniswap.kind = VenueKind::dex;
  uniswap.wallet = "wallet";
  uniswap.pool_fee_rate = "0.003"_amt;
  uniswap.slippage_bps = "0"_amt;
  VenueConfig curve = uniswap;
  curve.name = "curve";
  curve.slippage_bps = "25"_amt;
  VenueConfig thin = uniswap;
  thin.name = "thin";
  thin.slippage_bps = "100"_amt;
  VenueConfig lido;
  lido.name = "lido";
  lido.kind = VenueKind::staking;
  lido.wallet = "wallet";
  lido.lst = {{"ETH", "stETH"}};
  config.venues = {wallet, uniswap, curve, thin, lido};
  return config;
}

BookConfig dex_book() {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"wallet:BaseToken:ETH", "wallet:BaseToken:USDC", "wallet:LST:stETH"};
  book.initial_positions = {{"wallet:BaseToken:ETH", "10"_amt},
                            {"wallet:BaseToken:USDC", "1000"_amt},
                            {"wallet:LST:stETH", "4"_amt}};
  return book;
}

std::shared_ptr<MarketData> dex_prices() {
  auto market = std::make_shared<MarketData>();
  market->prices = {
      {"ETH", "3000"_amt}, {"USDC", "1"_amt}, {"stETH", "1500"_amt}, {"DAI", "1"_amt}};
  return market;
}

Order swap(std::string venue, std::string sold, std::string bought, Amount amount) {
  Order order;
  order.operation_id = "op";
  order.venue = std::move(venue);
  order.operation = Operation::swap;
  order.token_in = std::move(sold);
  order.token_out = std::move(bought);
  order.amount = amount;
  return order;
}

}  // namespace

TEST_CASE("dex swap: out = x * pA / pB, pool fee taken from the output token") {
  const BookConfig book = dex_book();
  VenueSet venues(dex_config(), book, dex_prices());

  // 2 ETH * 3000 / 1 = 6000 USDC; fee 6000 * 0.003 = 18.
  auto sold_eth = venues.execute(swap("uniswap", "ETH", "USDC", "2"_amt));
  REQUIRE(sold_eth.status == HandshakeStatus::executed);
  CHECK(sold_eth.trade_id == "uniswap-1");
  CHECK(sold_eth.executed_amount == "2"_amt);
  CHECK(sold_eth.executed_price == "3000"_amt);
  CHECK(sold_eth.position_deltas ==
        Balances{{"wallet:BaseToken:ETH", "-2"_amt}, {"wallet:BaseToken:USDC", "6000"_amt}});
  CHECK(sold_eth.fee_amount == "18"_amt);
  CHECK(sold_eth.fee_currency == "USDC");
  CHECK(sold_eth.fee_venue == "wallet");
  CHECK(venues.balances(book.subscribed_keys) == Balances{{"wallet:BaseToken:ETH", "8"_amt},
                                                          {"wallet:BaseToken:USDC", "6982"_amt},
                                                          {"wallet:LST:stETH", "4"_amt}});

  // Back the other way: 3000 USDC buys 1 ETH gross, fee 0.003.
  auto bought_eth = venues.execute(swap("uniswap", "USDC", "ETH", "3000"_amt));
  REQUIRE(bought_eth.status == HandshakeStatus::executed);
  CHECK(bought_eth.trade_id == "uniswap-2");
  CHECK(bought_eth.executed_price == "0.000333333333333333"_amt);  // 1 / 3000 half-even
  CHECK(bought_eth.position_deltas ==
        Balances{{"wallet:BaseToken:USDC", "-3000"_amt}, {"wallet:BaseToken:ETH", "1"_amt}});
  CHECK(bought_eth.fee_amount == "0.003"_amt);
  CHECK(venues.balances({"wallet:BaseToken:ETH"}) ==
        Balances{{"wallet:BaseToken:ETH", "8.997"_amt}});
}

TEST_CASE("dex rounding: output down, pool fee up, reported price half-even") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  auto hs = venues.execute(swap("uniswap", "USDC", "stETH", "1000"_amt));
  REQUIRE(hs.status == HandshakeStatus::executed);
  // 1000 * 1 / 1500 = 0.666...: rounded down (half-even would give ...667).
  CHECK(hs.position_deltas == Balances{{"wallet:BaseToken:USDC", "-1000"_amt},
                                       {"wallet:LST:stETH", "0.666666666666666666"_amt}});
  // 0.666666666666666666 * 0.003 = 0.001999999999999999998: fee rounded up.
  CHECK(hs.fee_amount == "0.002"_amt);
  // g / x = 0.000666666666666666666: half-even.
  CHECK(hs.executed_price == "0.000666666666666667"_amt);
  CHECK(venues.balances({"wallet:LST:stETH"}) ==
        Balances{{"wallet:LST:stETH", "4.664666666666666666"_amt}});
}

TEST_CASE("dex swap of an LST uses the wallet's LST key") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  auto hs = venues.execute(swap("uniswap", "stETH", "ETH", "2"_amt));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.position_deltas ==
        Balances{{"wallet:LST:stETH", "-2"_amt}, {"wallet:BaseToken:ETH", "1"_amt}});
  CHECK(venues.balances({"wallet:LST:stETH"}) == Balances{{"wallet:LST:stETH", "2"_amt}});
}

TEST_CASE("dex price impact within tolerance lowers the output") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  auto hs = venues.execute(swap("curve", "ETH", "USDC", "2"_amt));
  // g = 2 * 3000 / 1 * (1 - 25/10000) = 5985; price 5985 / 2; fee 5985 * 0.003 = 17.955.
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.executed_price == "2992.5"_amt);
  CHECK(hs.position_deltas.at("wallet:BaseToken:USDC") == "5985"_amt);
  CHECK(hs.fee_amount == "17.955"_amt);
  CHECK(venues.balances({"wallet:BaseToken:USDC"}) ==
        Balances{{"wallet:BaseToken:USDC", "6967.045"_amt}});  // 1000 + 5985 - 17.955
}

TEST_CASE("dex swap beyond the slippage tolerance fails with VEN-003") {
  const BookConfig book = dex_book();
  VenueSet venues(dex_config(), book, dex_prices());
  const auto before = venues.balances(book.subscribed_keys);
  Order tight = swap("curve", "ETH", "USDC", "2"_amt);
  tight.slippage_tolerance = "0.001"_amt;
  check_failed(venues.execute(tight), ErrorCode::ven_slippage_exceeded,
               "price impact 0.0025 on 'curve' exceeds the slippage tolerance 0.001");
  check_failed(venues.execute(swap("thin", "ETH", "USDC", "2"_amt)),
               ErrorCode::ven_slippage_exceeded,
               "price impact 0.01 on 'thin' exceeds the slippage tolerance 0.005");
  CHECK(venues.balances(book.subscribed_keys) == before);

  // The order's own tolerance overrides the venue's default; a tolerance equal to the impact
  // is enough (the comparison is exact).
  Order loose = swap("thin", "ETH", "USDC", "2"_amt);
  loose.slippage_tolerance = "0.01"_amt;
  auto hs = venues.execute(loose);
  CHECK(hs.status == HandshakeStatus::executed);
  CHECK(hs.trade_id == "thin-1");
}

TEST_CASE("dex missing price fails with VEN-004, a bad token pair with ORD-006") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  check_failed(venues.execute(swap("uniswap", "ETH", "WBTC", "1"_amt)),
               ErrorCode::ven_no_market_data, "no reference price for WBTC");
  check_failed(venues.execute(swap("uniswap", "WBTC", "ETH", "1"_amt)),
               ErrorCode::ven_no_market_data, "no reference price for WBTC");
  check_failed(venues.execute(swap("uniswap", "ETH", "ETH", "1"_amt)),
               ErrorCode::ord_missing_operation_field, "different from each other");
  check_failed(venues.execute(swap("uniswap", "ETH", "", "1"_amt)),
               ErrorCode::ord_missing_operation_field, "swap needs token_in and token_out");
}

TEST_CASE("dex with an insufficient balance or an unsubscribed key changes nothing") {
  const BookConfig book = dex_book();
  VenueSet venues(dex_config(), book, dex_prices());
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(swap("uniswap", "ETH", "USDC", "11"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:ETH: have 10, need 11");
  check_failed(venues.execute(swap("uniswap", "ETH", "DAI", "1"_amt)),
               ErrorCode::pos_unknown_key, "'wallet:BaseToken:DAI'");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(swap("uniswap", "ETH", "USDC", "1"_amt)).trade_id == "uniswap-1");
}

TEST_CASE("dex output beyond the amount range fails with VEN-009 and changes nothing") {
  const BookConfig book = dex_book();
  auto market = dex_prices();
  market->prices["USDC"] = "0.0000000000000001"_amt;
  VenueSet venues(dex_config(), book, market);
  const auto before = venues.balances(book.subscribed_keys);
  // 10 ETH * 3000 / 1e-16 = 3e20 USDC: beyond about 1.7e20.
  check_failed(venues.execute(swap("uniswap", "ETH", "USDC", "10"_amt)),
               ErrorCode::ven_amount_overflow, "amount overflow");
  CHECK(venues.balances(book.subscribed_keys) == before);
  // 1 ETH * 3000 / 1e-16 = 3e19 USDC is in range; fee 3e19 * 0.003.
  auto in_range = venues.execute(swap("uniswap", "ETH", "USDC", "1"_amt));
  CHECK_MESSAGE(in_range.trade_id == "uniswap-1", in_range.error_message);
  CHECK(in_range.executed_price == "30000000000000000000"_amt);
  CHECK(in_range.fee_amount == "90000000000000000"_amt);
}

TEST_CASE("dex refuses other operations with VIM-002") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  Order spot = swap("uniswap", "ETH", "USDC", "1"_amt);
  spot.operation = Operation::spot_trade;
  check_failed(venues.execute(spot), ErrorCode::vim_unsupported_operation,
               "venue 'uniswap' (dex) does not support spot_trade");
}
