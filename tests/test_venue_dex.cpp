#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

namespace {

using test::check_failed;

using Balances = std::map<std::string, double>;

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
  uniswap.pool_fee_rate = 0.003;
  uniswap.slippage_bps = 0;
  VenueConfig curve = uniswap;
  curve.name = "curve";
  curve.slippage_bps = 25;
  VenueConfig thin = uniswap;
  thin.name = "thin";
  thin.slippage_bps = 100;
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
  book.initial_positions = {
      {"wallet:BaseToken:ETH", 10}, {"wallet:BaseToken:USDC", 1000}, {"wallet:LST:stETH", 4}};
  return book;
}

std::shared_ptr<MarketData> dex_prices() {
  auto market = std::make_shared<MarketData>();
  market->prices = {{"ETH", 3000}, {"USDC", 1}, {"stETH", 1500}, {"DAI", 1}};
  return market;
}

Order swap(std::string venue, std::string sold, std::string bought, double amount) {
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

  auto sold_eth = venues.execute(swap("uniswap", "ETH", "USDC", 2));
  const double fee = 6000 * 0.003;
  CHECK(fee == doctest::Approx(18));
  REQUIRE(sold_eth.status == HandshakeStatus::executed);
  CHECK(sold_eth.trade_id == "uniswap-1");
  CHECK(sold_eth.executed_amount == 2.0);
  CHECK(sold_eth.executed_price == 3000.0);
  CHECK(sold_eth.position_deltas ==
        Balances{{"wallet:BaseToken:ETH", -2}, {"wallet:BaseToken:USDC", 6000}});
  CHECK(sold_eth.fee_amount == fee);
  CHECK(sold_eth.fee_currency == "USDC");
  CHECK(sold_eth.fee_venue == "wallet");
  CHECK(venues.balances(book.subscribed_keys) ==
        Balances{{"wallet:BaseToken:ETH", 8},
                 {"wallet:BaseToken:USDC", 1000 + (6000 - fee)},
                 {"wallet:LST:stETH", 4}});

  // Back the other way: 3000 USDC buys 1 ETH gross.
  auto bought_eth = venues.execute(swap("uniswap", "USDC", "ETH", 3000));
  REQUIRE(bought_eth.status == HandshakeStatus::executed);
  CHECK(bought_eth.trade_id == "uniswap-2");
  CHECK(bought_eth.executed_price == 1.0 / 3000);
  CHECK(bought_eth.position_deltas ==
        Balances{{"wallet:BaseToken:USDC", -3000}, {"wallet:BaseToken:ETH", 1}});
  CHECK(bought_eth.fee_amount == 1 * 0.003);
  CHECK(venues.balances({"wallet:BaseToken:ETH"}) ==
        Balances{{"wallet:BaseToken:ETH", 8 + (1 - 1 * 0.003)}});
}

TEST_CASE("dex swap of an LST uses the wallet's LST key") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  auto hs = venues.execute(swap("uniswap", "stETH", "ETH", 2));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.position_deltas == Balances{{"wallet:LST:stETH", -2}, {"wallet:BaseToken:ETH", 1}});
  CHECK(venues.balances({"wallet:LST:stETH"}) == Balances{{"wallet:LST:stETH", 2}});
}

TEST_CASE("dex price impact within tolerance lowers the output") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  auto hs = venues.execute(swap("curve", "ETH", "USDC", 2));
  const double gross = 2 * 3000.0 / 1.0 * (1 - 25.0 / 10000);
  CHECK(gross == doctest::Approx(5985));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.executed_price == gross / 2);
  CHECK(hs.position_deltas.at("wallet:BaseToken:USDC") == gross);
  CHECK(hs.fee_amount == gross * 0.003);
  CHECK(venues.balances({"wallet:BaseToken:USDC"}) ==
        Balances{{"wallet:BaseToken:USDC", 1000 + (gross - gross * 0.003)}});
}

TEST_CASE("dex swap beyond the slippage tolerance fails with VEN-003") {
  const BookConfig book = dex_book();
  VenueSet venues(dex_config(), book, dex_prices());
  const auto before = venues.balances(book.subscribed_keys);
  Order tight = swap("curve", "ETH", "USDC", 2);
  tight.slippage_tolerance = 0.001;
  check_failed(venues.execute(tight), ErrorCode::ven_slippage_exceeded,
               "price impact 0.0025 on 'curve' exceeds the slippage tolerance 0.001");
  check_failed(venues.execute(swap("thin", "ETH", "USDC", 2)), ErrorCode::ven_slippage_exceeded,
               "price impact 0.01 on 'thin' exceeds the slippage tolerance 0.005");
  CHECK(venues.balances(book.subscribed_keys) == before);

  // The order's own tolerance overrides the venue's default.
  Order loose = swap("thin", "ETH", "USDC", 2);
  loose.slippage_tolerance = 0.02;
  auto hs = venues.execute(loose);
  CHECK(hs.status == HandshakeStatus::executed);
  CHECK(hs.trade_id == "thin-1");
}

TEST_CASE("dex missing price fails with VEN-004, a bad token pair with ORD-006") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  check_failed(venues.execute(swap("uniswap", "ETH", "WBTC", 1)), ErrorCode::ven_no_market_data,
               "no reference price for WBTC");
  check_failed(venues.execute(swap("uniswap", "WBTC", "ETH", 1)), ErrorCode::ven_no_market_data,
               "no reference price for WBTC");
  check_failed(venues.execute(swap("uniswap", "ETH", "ETH", 1)),
               ErrorCode::ord_missing_operation_field, "different from each other");
  check_failed(venues.execute(swap("uniswap", "ETH", "", 1)),
               ErrorCode::ord_missing_operation_field, "swap needs token_in and token_out");
}

TEST_CASE("dex with an insufficient balance or an unsubscribed key changes nothing") {
  const BookConfig book = dex_book();
  VenueSet venues(dex_config(), book, dex_prices());
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(swap("uniswap", "ETH", "USDC", 11)),
               ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:ETH: have 10, need 11");
  check_failed(venues.execute(swap("uniswap", "ETH", "DAI", 1)), ErrorCode::pos_unknown_key,
               "'wallet:BaseToken:DAI'");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(swap("uniswap", "ETH", "USDC", 1)).trade_id == "uniswap-1");
}

TEST_CASE("dex refuses other operations with VIM-002") {
  VenueSet venues(dex_config(), dex_book(), dex_prices());
  Order spot = swap("uniswap", "ETH", "USDC", 1);
  spot.operation = Operation::spot_trade;
  check_failed(venues.execute(spot), ErrorCode::vim_unsupported_operation,
               "venue 'uniswap' (dex) does not support spot_trade");
}
