#include <doctest/doctest.h>

#include "actors/venues/cex_venue.hpp"
#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using test::check_failed;

// binance: 5 bps slippage; okx: no slippage. Both charge a taker fee of 0.001. Every expected
// value below is exact (actors/venues/README.md gives each product or quotient one rounding
// rule; a comment names it wherever it changes the result).
Config cex_config() {
  Config config;
  VenueConfig binance;
  binance.name = "binance";
  binance.kind = VenueKind::cex;
  binance.taker_fee_rate = "0.001"_amt;
  binance.slippage_bps = "5"_amt;
  VenueConfig okx = binance;
  okx.name = "okx";
  okx.slippage_bps = "0"_amt;
  config.venues = {binance, okx};
  return config;
}

BookConfig cex_book(Amount okx_usdt = "100000"_amt) {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"binance:BaseToken:BTC", "binance:BaseToken:USDT",
                          "okx:BaseToken:BTC",     "okx:BaseToken:USDT",
                          "okx:Perp:BTCUSDT",      "binance:BaseToken:ETH"};
  book.initial_positions = {{"binance:BaseToken:BTC", "1"_amt},
                            {"binance:BaseToken:USDT", "100000"_amt},
                            {"okx:BaseToken:USDT", okx_usdt}};
  return book;
}

std::shared_ptr<const MarketData> prices(Amount btc) {
  auto market = std::make_shared<MarketData>();
  market->prices = {{"BTC", btc}, {"USDT", "1"_amt}, {"ETH", "3000"_amt}};
  return market;
}

Order trade(std::string venue, Operation op, Side side, Amount amount,
            std::string pair = "BTC/USDT") {
  Order order;
  order.operation_id = "op";
  order.venue = std::move(venue);
  order.operation = op;
  order.pair = std::move(pair);
  order.side = side;
  order.amount = amount;
  order.timestamp = "2024-01-01T00:00:00Z";
  return order;
}

Order spot(std::string venue, Side side, Amount amount) {
  return trade(std::move(venue), Operation::spot_trade, side, amount);
}

Order perp(Side side, Amount amount) { return trade("okx", Operation::perp_trade, side, amount); }

Order limit(Order order, Amount price) {
  order.order_type = OrderType::limit;
  order.price = price;
  return order;
}

using Balances = test::Positions;

}  // namespace

TEST_CASE("cex spot BUY: fill above reference by the slippage, fee in the quote token") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  const Order order = spot("binance", Side::buy, "0.5"_amt);
  auto hs = venues.execute(order);

  // p = 60000 * (1 + 5/10000) = 60030; notional 0.5 * p = 30015; fee 30015 * 0.001 = 30.015.
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.trade_id == "binance-1");
  CHECK(hs.order.operation_id == "op");
  CHECK(hs.order.timestamp == order.timestamp);
  CHECK(hs.executed_amount == "0.5"_amt);
  CHECK(hs.executed_price == "60030"_amt);
  CHECK(hs.position_deltas ==
        Balances{{"binance:BaseToken:BTC", "0.5"_amt}, {"binance:BaseToken:USDT", "-30015"_amt}});
  CHECK(hs.fee_amount == "30.015"_amt);
  CHECK(hs.fee_currency == "USDT");
  CHECK(hs.fee_venue == "binance");
  CHECK(venues.balances(book.subscribed_keys) ==
        Balances{{"binance:BaseToken:BTC", "1.5"_amt},
                 {"binance:BaseToken:USDT", "69954.985"_amt},  // 100000 - 30015 - 30.015
                 {"binance:BaseToken:ETH", "0"_amt},
                 {"okx:BaseToken:BTC", "0"_amt},
                 {"okx:BaseToken:USDT", "100000"_amt},
                 {"okx:Perp:BTCUSDT", "0"_amt}});
}

TEST_CASE("cex spot SELL: fill below reference by the slippage, fee from the proceeds") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto hs = venues.execute(spot("binance", Side::sell, "0.5"_amt));

  // p = 60000 * (1 - 5/10000) = 59970; notional 29985; fee 29.985.
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.executed_price == "59970"_amt);
  CHECK(hs.position_deltas ==
        Balances{{"binance:BaseToken:BTC", "-0.5"_amt}, {"binance:BaseToken:USDT", "29985"_amt}});
  CHECK(hs.fee_amount == "29.985"_amt);
  CHECK(hs.fee_currency == "USDT");
  CHECK(venues.balances({"binance:BaseToken:BTC", "binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:BTC", "0.5"_amt},
                 {"binance:BaseToken:USDT", "129955.015"_amt}});  // 100000 + 29985 - 29.985
}

TEST_CASE("cex spot without slippage: exact literals, the README's 30030 example") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto hs = venues.execute(spot("okx", Side::buy, "0.5"_amt));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.executed_price == "60000"_amt);
  CHECK(hs.position_deltas ==
        Balances{{"okx:BaseToken:BTC", "0.5"_amt}, {"okx:BaseToken:USDT", "-30000"_amt}});
  CHECK(hs.fee_amount == "30"_amt);
  CHECK(venues.balances({"okx:BaseToken:BTC", "okx:BaseToken:USDT"}) ==
        Balances{{"okx:BaseToken:BTC", "0.5"_amt}, {"okx:BaseToken:USDT", "69970"_amt}});
}

TEST_CASE("cex spot rounding at the 18th digit: BUY pays up, SELL receives down, fee up") {
  BookConfig book = cex_book();
  book.initial_positions["okx:BaseToken:BTC"] = "1"_amt;
  VenueSet venues(cex_config(), book, prices("60000.000000000000000003"_amt));

  // BUY 0.1: q*p = 6000.0000000000000000003 rounded up (half-even or down would give 6000);
  // fee 6000.000000000000000001 * 0.001 = 6.000000000000000000001 rounded up.
  auto buy = venues.execute(spot("okx", Side::buy, "0.1"_amt));
  REQUIRE(buy.status == HandshakeStatus::executed);
  CHECK(buy.executed_price == "60000.000000000000000003"_amt);
  CHECK(buy.position_deltas == Balances{{"okx:BaseToken:BTC", "0.1"_amt},
                                        {"okx:BaseToken:USDT", "-6000.000000000000000001"_amt}});
  CHECK(buy.fee_amount == "6.000000000000000001"_amt);  // fee rounded up
  CHECK(venues.balances({"okx:BaseToken:BTC", "okx:BaseToken:USDT"}) ==
        Balances{{"okx:BaseToken:BTC", "1.1"_amt},
                 {"okx:BaseToken:USDT", "93993.999999999999999998"_amt}});

  // SELL 0.9: q*p = 54000.0000000000000000027 rounded down (half-even or up would give
  // ...003); fee 54000.000000000000000002 * 0.001 = 54.000000000000000000002 rounded up.
  auto sell = venues.execute(spot("okx", Side::sell, "0.9"_amt));
  REQUIRE(sell.status == HandshakeStatus::executed);
  CHECK(sell.position_deltas == Balances{{"okx:BaseToken:BTC", "-0.9"_amt},
                                         {"okx:BaseToken:USDT", "54000.000000000000000002"_amt}});
  CHECK(sell.fee_amount == "54.000000000000000001"_amt);  // fee rounded up
  CHECK(venues.balances({"okx:BaseToken:BTC", "okx:BaseToken:USDT"}) ==
        Balances{{"okx:BaseToken:BTC", "0.2"_amt},
                 {"okx:BaseToken:USDT", "147939.999999999999999999"_amt}});
}

TEST_CASE("cex fill price rounding: BUY/LONG ref*(1+s) up, SELL/SHORT ref*(1-s) down") {
  BookConfig book = cex_book();
  book.subscribed_keys.push_back("binance:Perp:BTCUSDT");
  VenueSet venues(cex_config(), book, prices("60000.000000000000000001"_amt));
  // 60000.000000000000000001 * 1.0005 = 60030.0000000000000000010005: up (half-even ...001).
  auto buy = venues.execute(spot("binance", Side::buy, "0.5"_amt));
  REQUIRE(buy.status == HandshakeStatus::executed);
  CHECK(buy.executed_price == "60030.000000000000000002"_amt);
  // 60000.000000000000000001 * 0.9995 = 59970.0000000000000000009995: down (half-even ...001).
  auto sell = venues.execute(spot("binance", Side::sell, "0.5"_amt));
  REQUIRE(sell.status == HandshakeStatus::executed);
  CHECK(sell.executed_price == "59970"_amt);
  auto long_perp = venues.execute(trade("binance", Operation::perp_trade, Side::long_, "1"_amt));
  REQUIRE(long_perp.status == HandshakeStatus::executed);
  CHECK(long_perp.executed_price == "60030.000000000000000002"_amt);
  auto short_perp =
      venues.execute(trade("binance", Operation::perp_trade, Side::short_, "0.5"_amt));
  REQUIRE(short_perp.status == HandshakeStatus::executed);
  CHECK(short_perp.executed_price == "59970"_amt);
}

TEST_CASE("cex limit orders fill at the fill price when it is at or better than the limit") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));

  auto buy = venues.execute(limit(spot("binance", Side::buy, "0.5"_amt), "60031"_amt));
  REQUIRE(buy.status == HandshakeStatus::executed);
  CHECK(buy.executed_price == "60030"_amt);  // the fill, not the limit
  auto at_limit = venues.execute(limit(spot("binance", Side::buy, "0.5"_amt), "60030"_amt));
  CHECK(at_limit.status == HandshakeStatus::executed);
  auto sell = venues.execute(limit(spot("binance", Side::sell, "0.5"_amt), "59000"_amt));
  REQUIRE(sell.status == HandshakeStatus::executed);
  CHECK(sell.executed_price == "59970"_amt);
  CHECK(sell.trade_id == "binance-3");
  // One step past the fill price is a miss: the comparison is exact.
  auto missed =
      venues.execute(limit(spot("binance", Side::sell, "0.5"_amt), "59970.000000000000000001"_amt));
  CHECK(missed.error_code == ErrorCode::ven_limit_not_reached);
}

TEST_CASE("cex limit miss fails with VEN-002 and changes nothing") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  const auto before = venues.balances(book.subscribed_keys);

  auto buy = venues.execute(limit(spot("binance", Side::buy, "0.5"_amt), "60000"_amt));
  check_failed(buy, ErrorCode::ven_limit_not_reached,
               "limit BUY BTC/USDT at 60000 not reached: fill price would be 60030");
  auto sell = venues.execute(limit(spot("binance", Side::sell, "0.5"_amt), "60000"_amt));
  check_failed(sell, ErrorCode::ven_limit_not_reached, "limit SELL BTC/USDT at 60000");
  auto long_perp = venues.execute(limit(perp(Side::long_, "1"_amt), "59999"_amt));
  check_failed(long_perp, ErrorCode::ven_limit_not_reached, "limit LONG BTC/USDT at 59999");
  CHECK(venues.balances(book.subscribed_keys) == before);

  // Failed orders take no trade id.
  CHECK(venues.execute(spot("binance", Side::buy, "0.5"_amt)).trade_id == "binance-1");
}

TEST_CASE("cex limit order without a price fails with ORD-006") {
  VenueSet venues(cex_config(), cex_book(), prices("60000"_amt));
  Order order = spot("binance", Side::buy, "0.5"_amt);
  order.order_type = OrderType::limit;
  check_failed(venues.execute(order), ErrorCode::ord_missing_operation_field,
               "limit order needs a price");
}

TEST_CASE("cex spot with insufficient quote or base fails with VEN-001 and changes nothing") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(spot("okx", Side::buy, "2"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient okx:BaseToken:USDT: have 100000, need 120120");
  check_failed(venues.execute(spot("binance", Side::sell, "1.5"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient binance:BaseToken:BTC: have 1, need 1.5");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("cex order on a key the book does not subscribe fails with POS-001") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  const auto before = venues.balances(book.subscribed_keys);
  // okx:BaseToken:ETH is not subscribed; okx:BaseToken:USDT is.
  check_failed(
      venues.execute(trade("okx", Operation::spot_trade, Side::buy, "1"_amt, "ETH/USDT")),
      ErrorCode::pos_unknown_key, "okx:BaseToken:ETH");
  check_failed(
      venues.execute(trade("okx", Operation::perp_trade, Side::long_, "1"_amt, "ETH/USDT")),
      ErrorCode::pos_unknown_key, "okx:Perp:ETHUSDT");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("cex missing reference price fails with VEN-004") {
  VenueSet venues(cex_config(), cex_book(), prices("60000"_amt));
  check_failed(
      venues.execute(trade("binance", Operation::spot_trade, Side::buy, "1"_amt, "SOL/USDT")),
      ErrorCode::ven_no_market_data, "no reference price for SOL (pair SOL/USDT");
  check_failed(
      venues.execute(trade("binance", Operation::spot_trade, Side::buy, "1"_amt, "BTC/EUR")),
      ErrorCode::ven_no_market_data, "no reference price for EUR");
  auto zero = std::make_shared<MarketData>(*prices("60000"_amt));
  zero->prices["BTC"] = "0"_amt;
  venues.set_market(zero);
  check_failed(venues.execute(spot("binance", Side::buy, "1"_amt)), ErrorCode::ven_no_market_data,
               "no reference price for BTC");
}

TEST_CASE("cex refuses other operations (VIM-002), wrong sides and malformed pairs (ORD-006)") {
  VenueSet venues(cex_config(), cex_book(), prices("60000"_amt));
  Order swap = spot("binance", Side::buy, "1"_amt);
  swap.operation = Operation::swap;
  check_failed(venues.execute(swap), ErrorCode::vim_unsupported_operation,
               "venue 'binance' (cex) does not support swap");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::long_, "1"_amt)),
               ErrorCode::ord_missing_operation_field, "spot_trade needs side BUY or SELL");
  check_failed(venues.execute(trade("okx", Operation::perp_trade, Side::buy, "1"_amt)),
               ErrorCode::ord_missing_operation_field, "perp_trade needs side LONG or SHORT");
  check_failed(
      venues.execute(trade("binance", Operation::spot_trade, Side::buy, "1"_amt, "BTCUSDT")),
      ErrorCode::ord_missing_operation_field, "needs pair BASE/QUOTE, got 'BTCUSDT'");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::buy, "1"_amt, "BTC/")),
               ErrorCode::ord_missing_operation_field, "needs pair BASE/QUOTE");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::buy, "-1"_amt)),
               ErrorCode::ord_out_of_range, "amount must be > 0, got -1");
}

TEST_CASE("cex perp: open, add at a new average entry, reduce with realised PnL, close") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  REQUIRE(okx);
  const std::vector<std::string> keys{"okx:Perp:BTCUSDT", "okx:BaseToken:USDT"};

  // Open LONG 2 at 60000: no cash moves but the fee (a separate fee delta).
  auto open = venues.execute(perp(Side::long_, "2"_amt));
  REQUIRE(open.status == HandshakeStatus::executed);
  CHECK(open.trade_id == "okx-1");
  CHECK(open.executed_price == "60000"_amt);
  CHECK(open.executed_amount == "2"_amt);
  CHECK(open.position_deltas == Balances{{"okx:Perp:BTCUSDT", "2"_amt}});
  CHECK(open.fee_amount == "120"_amt);
  CHECK(open.fee_currency == "USDT");
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "2"_amt}, {"okx:BaseToken:USDT", "99880"_amt}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "60000"_amt);

  // Add LONG 2 at 63000: entry (2*60000 + 2*63000) / 4 = 61500.
  venues.set_market(prices("63000"_amt));
  auto add = venues.execute(perp(Side::long_, "2"_amt));
  REQUIRE(add.status == HandshakeStatus::executed);
  CHECK(add.position_deltas == Balances{{"okx:Perp:BTCUSDT", "2"_amt}});
  CHECK(add.fee_amount == "126"_amt);
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "4"_amt}, {"okx:BaseToken:USDT", "99754"_amt}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "61500"_amt);

  // Reduce by 1 at 64000: PnL 1 * (64000 - 61500) = 2500, fee 64 folded into it.
  venues.set_market(prices("64000"_amt));
  auto reduce = venues.execute(perp(Side::short_, "1"_amt));
  REQUIRE(reduce.status == HandshakeStatus::executed);
  CHECK(reduce.position_deltas ==
        Balances{{"okx:Perp:BTCUSDT", "-1"_amt}, {"okx:BaseToken:USDT", "2500"_amt}});
  CHECK(reduce.fee_amount == "64"_amt);
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "3"_amt}, {"okx:BaseToken:USDT", "102190"_amt}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "61500"_amt);

  // Close the remaining 3 at 61000: PnL 3 * (61000 - 61500) = -1500, fee 183.
  venues.set_market(prices("61000"_amt));
  auto close = venues.execute(perp(Side::short_, "3"_amt));
  REQUIRE(close.status == HandshakeStatus::executed);
  CHECK(close.trade_id == "okx-4");
  CHECK(close.position_deltas ==
        Balances{{"okx:Perp:BTCUSDT", "-3"_amt}, {"okx:BaseToken:USDT", "-1500"_amt}});
  CHECK(close.fee_amount == "183"_amt);
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "0"_amt}, {"okx:BaseToken:USDT", "100507"_amt}});
  CHECK_FALSE(okx->entry_price("okx:Perp:BTCUSDT").has_value());
}

TEST_CASE("cex perp: flip through zero, then reduce and add to the short") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("61000"_amt));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  REQUIRE(okx);
  const std::vector<std::string> keys{"okx:Perp:BTCUSDT", "okx:BaseToken:USDT"};

  REQUIRE(venues.execute(perp(Side::long_, "1"_amt)).status ==
          HandshakeStatus::executed);  // fee 61
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "1"_amt}, {"okx:BaseToken:USDT", "99939"_amt}});

  // SHORT 3 at 60000 closes the long 1 (PnL -1000) and opens a short 2 at 60000; fee 180.
  venues.set_market(prices("60000"_amt));
  auto flip = venues.execute(perp(Side::short_, "3"_amt));
  REQUIRE(flip.status == HandshakeStatus::executed);
  CHECK(flip.position_deltas ==
        Balances{{"okx:Perp:BTCUSDT", "-3"_amt}, {"okx:BaseToken:USDT", "-1000"_amt}});
  CHECK(flip.fee_amount == "180"_amt);
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "-2"_amt}, {"okx:BaseToken:USDT", "98759"_amt}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "60000"_amt);

  // A short gains when the price falls: LONG 1 at 59000 realises 1 * (60000 - 59000); fee 59.
  venues.set_market(prices("59000"_amt));
  auto reduce = venues.execute(perp(Side::long_, "1"_amt));
  REQUIRE(reduce.status == HandshakeStatus::executed);
  CHECK(reduce.position_deltas ==
        Balances{{"okx:Perp:BTCUSDT", "1"_amt}, {"okx:BaseToken:USDT", "1000"_amt}});
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "-1"_amt}, {"okx:BaseToken:USDT", "99700"_amt}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "60000"_amt);

  // Adding to the short at 57000: entry (1*60000 + 1*57000) / 2 = 58500; fee 57.
  venues.set_market(prices("57000"_amt));
  auto add = venues.execute(perp(Side::short_, "1"_amt));
  REQUIRE(add.status == HandshakeStatus::executed);
  CHECK(add.position_deltas == Balances{{"okx:Perp:BTCUSDT", "-1"_amt}});
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "-2"_amt}, {"okx:BaseToken:USDT", "99643"_amt}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "58500"_amt);
}

TEST_CASE("cex perp rounding: entry half-even, realised PnL toward -infinity, fee up") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  REQUIRE(okx);
  const std::vector<std::string> keys{"okx:Perp:BTCUSDT", "okx:BaseToken:USDT"};

  REQUIRE(venues.execute(perp(Side::long_, "1"_amt)).status ==
          HandshakeStatus::executed);  // fee 60
  venues.set_market(prices("60001"_amt));
  auto add = venues.execute(perp(Side::long_, "2"_amt));
  REQUIRE(add.status == HandshakeStatus::executed);
  CHECK(add.fee_amount == "120.002"_amt);
  // (1*60000 + 2*60001) / 3 = 60000.666...: half-even to ...667 (down would keep ...666).
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "60000.666666666666666667"_amt);
  CHECK(venues.balances(keys) ==
        Balances{{"okx:Perp:BTCUSDT", "3"_amt}, {"okx:BaseToken:USDT", "99819.998"_amt}});

  // A loss: 0.3 * (60000 - 60000.666666666666666667) = -0.2000000000000000001, floor
  // (toward zero or half-even would give -0.2).
  venues.set_market(prices("60000"_amt));
  auto loss = venues.execute(perp(Side::short_, "0.3"_amt));
  REQUIRE(loss.status == HandshakeStatus::executed);
  CHECK(loss.position_deltas == Balances{{"okx:Perp:BTCUSDT", "-0.3"_amt},
                                         {"okx:BaseToken:USDT", "-0.200000000000000001"_amt}});
  CHECK(loss.fee_amount == "18"_amt);
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "60000.666666666666666667"_amt);

  // A gain: 0.3 * (60001 - 60000.666666666666666667) = 0.0999999999999999999, floor (away from
  // zero or half-even would give 0.1). Fee 0.3 * 60001 * 0.001 = 18.0003.
  venues.set_market(prices("60001"_amt));
  auto gain = venues.execute(perp(Side::short_, "0.3"_amt));
  REQUIRE(gain.status == HandshakeStatus::executed);
  CHECK(gain.position_deltas == Balances{{"okx:Perp:BTCUSDT", "-0.3"_amt},
                                         {"okx:BaseToken:USDT", "0.099999999999999999"_amt}});
  CHECK(gain.fee_amount == "18.0003"_amt);
  // 99819.998 - 0.200000000000000001 - 18 + 0.099999999999999999 - 18.0003
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", "2.4"_amt},
                                          {"okx:BaseToken:USDT", "99783.897699999999999998"_amt}});
}

TEST_CASE("cex perp rounding: a short's PnL floors too, the fee's two products round up") {
  BookConfig book = cex_book();
  book.initial_positions["okx:Perp:BTCUSDT"] = "-1"_amt;
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  REQUIRE(okx);
  okx->ledger().set_entry_price("okx:Perp:BTCUSDT", "59999.999999999999999999"_amt);
  // 0.3 * (59999.999999999999999999 - 60000) = -0.0000000000000000003: floor to -1e-18
  // (toward zero or half-even would give 0).
  auto reduce = venues.execute(perp(Side::long_, "0.3"_amt));
  REQUIRE(reduce.status == HandshakeStatus::executed);
  CHECK(reduce.position_deltas.at("okx:BaseToken:USDT") == "-0.000000000000000001"_amt);

  // Fee: q*p = 0.1 * 60000.000000000000000003 = 6000.0000000000000000003 rounded up, then
  // * 0.001 = 6.000000000000000000001 rounded up (half-even products would give 6).
  venues.set_market(prices("60000.000000000000000003"_amt));
  auto add = venues.execute(perp(Side::short_, "0.1"_amt));
  REQUIRE(add.status == HandshakeStatus::executed);
  CHECK(add.fee_amount == "6.000000000000000001"_amt);
}

TEST_CASE("cex perp with slippage uses the fill price for entry and PnL") {
  BookConfig book = cex_book();
  book.subscribed_keys.push_back("binance:Perp:BTCUSDT");
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto* binance = dynamic_cast<CexVenue*>(venues.find("binance"));
  REQUIRE(binance);

  REQUIRE(venues.execute(trade("binance", Operation::perp_trade, Side::long_, "0.5"_amt)).status ==
          HandshakeStatus::executed);
  CHECK(binance->entry_price("binance:Perp:BTCUSDT") == "60030"_amt);  // 60000 * 1.0005
  auto close = venues.execute(trade("binance", Operation::perp_trade, Side::short_, "0.5"_amt));
  REQUIRE(close.status == HandshakeStatus::executed);
  // PnL 0.5 * (59970 - 60030) = -30; fees 0.5 * 60030 * 0.001 = 30.015 and 29.985.
  CHECK(close.position_deltas.at("binance:BaseToken:USDT") == "-30"_amt);
  CHECK(close.fee_amount == "29.985"_amt);
  CHECK(venues.balances({"binance:BaseToken:USDT"}).at("binance:BaseToken:USDT") ==
        "99910"_amt);  // 100000 - 30.015 - 30 - 29.985
}

TEST_CASE("cex perp whose fee or loss would overdraw the settlement token fails with VEN-001") {
  const BookConfig book = cex_book("100"_amt);
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(perp(Side::long_, "2"_amt)), ErrorCode::ven_insufficient_balance,
               "insufficient okx:BaseToken:USDT: have 100, need 120");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK_FALSE(okx->entry_price("okx:Perp:BTCUSDT").has_value());

  // Open 1 (fee 60, 40 left), then a 1000 loss on closing cannot be paid.
  REQUIRE(venues.execute(perp(Side::long_, "1"_amt)).status == HandshakeStatus::executed);
  venues.set_market(prices("59000"_amt));
  const auto opened = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(perp(Side::short_, "1"_amt)), ErrorCode::ven_insufficient_balance,
               "insufficient okx:BaseToken:USDT: have 40, need 1059");
  CHECK(venues.balances(book.subscribed_keys) == opened);
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "60000"_amt);
}

TEST_CASE("cex results beyond the amount range fail with VEN-009 and change nothing") {
  BookConfig book = cex_book();
  // One unit below the largest amount (about 1.7e20): a sale's proceeds cannot be added.
  book.initial_positions["binance:BaseToken:USDT"] = "170141183460469231731"_amt;
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  const auto before = venues.balances(book.subscribed_keys);

  // 1e16 BTC * 60000 = 6e20: the notional itself is out of range.
  check_failed(venues.execute(spot("okx", Side::buy, "1e16"_amt)),
               ErrorCode::ven_amount_overflow, "amount overflow");
  check_failed(venues.execute(perp(Side::long_, "1e16"_amt)), ErrorCode::ven_amount_overflow,
               "amount overflow");
  // Selling 1 BTC (+59970 - 59.97) would leave the balance beyond the range.
  check_failed(venues.execute(spot("binance", Side::sell, "1"_amt)),
               ErrorCode::ven_amount_overflow,
               "the balance of binance:BaseToken:USDT would leave the amount range");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK_FALSE(okx->entry_price("okx:Perp:BTCUSDT").has_value());
  // Failed orders take no trade id.
  CHECK(venues.execute(spot("okx", Side::buy, "1"_amt)).trade_id == "okx-1");
  CHECK(venues.execute(spot("binance", Side::buy, "0.5"_amt)).trade_id == "binance-1");
}

TEST_CASE("cex perp inherited from initial positions: entry from the ledger, else the fill price") {
  BookConfig book = cex_book();
  book.initial_positions["okx:Perp:BTCUSDT"] = "2"_amt;
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  CHECK_FALSE(okx->entry_price("okx:Perp:BTCUSDT").has_value());

  // No entry known: the fill price stands in for it, so no PnL is invented.
  auto first = venues.execute(perp(Side::short_, "1"_amt));
  CHECK(first.position_deltas.at("okx:BaseToken:USDT") == "0"_amt);
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == "60000"_amt);

  okx->ledger().set_entry_price("okx:Perp:BTCUSDT", "50000"_amt);
  auto second = venues.execute(perp(Side::short_, "1"_amt));
  CHECK(second.position_deltas.at("okx:BaseToken:USDT") == "10000"_amt);
}

TEST_CASE("cex plan changes nothing until commit") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices("60000"_amt));
  VenueSimulator& okx = *venues.find("okx");
  const auto before = okx.ledger().snapshot();

  VenuePlan plan = okx.plan(spot("okx", Side::buy, "0.5"_amt));
  REQUIRE(plan.executed());
  CHECK(plan.handshake.trade_id == "okx-1");
  CHECK(plan.remote_venue.empty());
  CHECK(plan.remote_legs.empty());
  REQUIRE(plan.own_legs.size() == 2);
  CHECK(plan.own_legs[0].position_key == "okx:BaseToken:BTC");
  CHECK(plan.own_legs[1].delta_amount == "-30030"_amt);
  CHECK(plan.own_legs[1].fee == "30"_amt);
  CHECK(okx.ledger().snapshot() == before);
  CHECK(okx.plan(spot("okx", Side::buy, "0.5"_amt)).handshake.trade_id == "okx-1");

  okx.commit(plan);
  CHECK(okx.ledger().balance("okx:BaseToken:USDT") == "69970"_amt);
  CHECK(okx.plan(spot("okx", Side::buy, "0.5"_amt)).handshake.trade_id == "okx-2");
}
