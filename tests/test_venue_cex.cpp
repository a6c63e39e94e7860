#include <doctest/doctest.h>

#include "actors/venues/cex_venue.hpp"
#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

namespace {

using test::check_failed;

// binance: 5 bps slippage (fill prices are inexact, expected values use the same formula);
// okx: no slippage, so every number below is exact in binary and written as a literal.
Config cex_config() {
  Config config;
  VenueConfig binance;
  binance.name = "binance";
  binance.kind = VenueKind::cex;
  binance.taker_fee_rate = 0.001;
  binance.slippage_bps = 5;
  VenueConfig okx = binance;
  okx.name = "okx";
  okx.slippage_bps = 0;
  config.venues = {binance, okx};
  return config;
}

BookConfig cex_book(double okx_usdt = 100000) {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"binance:BaseToken:BTC", "binance:BaseToken:USDT",
                          "okx:BaseToken:BTC",     "okx:BaseToken:USDT",
                          "okx:Perp:BTCUSDT",      "binance:BaseToken:ETH"};
  book.initial_positions = {{"binance:BaseToken:BTC", 1},
                            {"binance:BaseToken:USDT", 100000},
                            {"okx:BaseToken:USDT", okx_usdt}};
  return book;
}

std::shared_ptr<const MarketData> prices(double btc) {
  auto market = std::make_shared<MarketData>();
  market->prices = {{"BTC", btc}, {"USDT", 1}, {"ETH", 3000}};
  return market;
}

Order trade(std::string venue, Operation op, Side side, double amount,
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

Order spot(std::string venue, Side side, double amount) {
  return trade(std::move(venue), Operation::spot_trade, side, amount);
}

Order perp(Side side, double amount) { return trade("okx", Operation::perp_trade, side, amount); }

Order limit(Order order, double price) {
  order.order_type = OrderType::limit;
  order.price = price;
  return order;
}

using Balances = std::map<std::string, double>;

}  // namespace

TEST_CASE("cex spot BUY: fill above reference by the slippage, fee in the quote token") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  const Order order = spot("binance", Side::buy, 0.5);
  auto hs = venues.execute(order);

  const double p = 60000.0 / 1.0 * (1 + 5.0 / 10000);
  const double notional = 0.5 * p;
  const double fee = notional * 0.001;
  CHECK(p == doctest::Approx(60030));
  CHECK(fee == doctest::Approx(30.015));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.trade_id == "binance-1");
  CHECK(hs.order.operation_id == "op");
  CHECK(hs.timestamp == order.timestamp);
  CHECK(hs.executed_amount == 0.5);
  CHECK(hs.executed_price == p);
  CHECK(hs.position_deltas ==
        Balances{{"binance:BaseToken:BTC", 0.5}, {"binance:BaseToken:USDT", -notional}});
  CHECK(hs.fee_amount == fee);
  CHECK(hs.fee_currency == "USDT");
  CHECK(hs.fee_venue == "binance");
  CHECK(venues.balances(book.subscribed_keys) ==
        Balances{{"binance:BaseToken:BTC", 1.5},
                 {"binance:BaseToken:USDT", 100000 + (-notional - fee)},
                 {"binance:BaseToken:ETH", 0},
                 {"okx:BaseToken:BTC", 0},
                 {"okx:BaseToken:USDT", 100000},
                 {"okx:Perp:BTCUSDT", 0}});
}

TEST_CASE("cex spot SELL: fill below reference by the slippage, fee from the proceeds") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  auto hs = venues.execute(spot("binance", Side::sell, 0.5));

  const double p = 60000.0 / 1.0 * (1 - 5.0 / 10000);
  const double notional = 0.5 * p;
  const double fee = notional * 0.001;
  CHECK(p == doctest::Approx(59970));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.executed_price == p);
  CHECK(hs.position_deltas ==
        Balances{{"binance:BaseToken:BTC", -0.5}, {"binance:BaseToken:USDT", notional}});
  CHECK(hs.fee_amount == fee);
  CHECK(hs.fee_currency == "USDT");
  CHECK(venues.balances({"binance:BaseToken:BTC", "binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:BTC", 0.5},
                 {"binance:BaseToken:USDT", 100000 + (notional - fee)}});
}

TEST_CASE("cex spot without slippage: exact literals, the README's 30030 example") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  auto hs = venues.execute(spot("okx", Side::buy, 0.5));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.executed_price == 60000.0);
  CHECK(hs.position_deltas == Balances{{"okx:BaseToken:BTC", 0.5}, {"okx:BaseToken:USDT", -30000}});
  CHECK(hs.fee_amount == 30.0);
  CHECK(venues.balances({"okx:BaseToken:BTC", "okx:BaseToken:USDT"}) ==
        Balances{{"okx:BaseToken:BTC", 0.5}, {"okx:BaseToken:USDT", 69970}});
}

TEST_CASE("cex limit orders fill at the fill price when it is at or better than the limit") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  const double buy_p = 60000.0 * (1 + 5.0 / 10000);
  const double sell_p = 60000.0 * (1 - 5.0 / 10000);

  auto buy = venues.execute(limit(spot("binance", Side::buy, 0.5), 60031));
  REQUIRE(buy.status == HandshakeStatus::executed);
  CHECK(buy.executed_price == buy_p);  // the fill, not the limit
  auto at_limit = venues.execute(limit(spot("binance", Side::buy, 0.5), buy_p));
  CHECK(at_limit.status == HandshakeStatus::executed);
  auto sell = venues.execute(limit(spot("binance", Side::sell, 0.5), 59000));
  REQUIRE(sell.status == HandshakeStatus::executed);
  CHECK(sell.executed_price == sell_p);
  CHECK(sell.trade_id == "binance-3");
}

TEST_CASE("cex limit miss fails with VEN-002 and changes nothing") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  const auto before = venues.balances(book.subscribed_keys);

  auto buy = venues.execute(limit(spot("binance", Side::buy, 0.5), 60000));
  check_failed(buy, ErrorCode::ven_limit_not_reached,
               "limit BUY BTC/USDT at 60000 not reached: fill price would be 60030");
  auto sell = venues.execute(limit(spot("binance", Side::sell, 0.5), 60000));
  check_failed(sell, ErrorCode::ven_limit_not_reached, "limit SELL BTC/USDT at 60000");
  auto long_perp = venues.execute(limit(perp(Side::long_, 1), 59999));
  check_failed(long_perp, ErrorCode::ven_limit_not_reached, "limit LONG BTC/USDT at 59999");
  CHECK(venues.balances(book.subscribed_keys) == before);

  // Failed orders take no trade id.
  CHECK(venues.execute(spot("binance", Side::buy, 0.5)).trade_id == "binance-1");
}

TEST_CASE("cex limit order without a price fails with ORD-006") {
  VenueSet venues(cex_config(), cex_book(), prices(60000));
  Order order = spot("binance", Side::buy, 0.5);
  order.order_type = OrderType::limit;
  check_failed(venues.execute(order), ErrorCode::ord_missing_operation_field,
               "limit order needs a price");
}

TEST_CASE("cex spot with insufficient quote or base fails with VEN-001 and changes nothing") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(spot("okx", Side::buy, 2)), ErrorCode::ven_insufficient_balance,
               "insufficient okx:BaseToken:USDT: have 100000, need 120120");
  check_failed(venues.execute(spot("binance", Side::sell, 1.5)),
               ErrorCode::ven_insufficient_balance,
               "insufficient binance:BaseToken:BTC: have 1, need 1.5");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("cex order on a key the book does not subscribe fails with POS-001") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  const auto before = venues.balances(book.subscribed_keys);
  // okx:BaseToken:ETH is not subscribed; okx:BaseToken:USDT is.
  check_failed(venues.execute(trade("okx", Operation::spot_trade, Side::buy, 1, "ETH/USDT")),
               ErrorCode::pos_unknown_key, "okx:BaseToken:ETH");
  check_failed(venues.execute(trade("okx", Operation::perp_trade, Side::long_, 1, "ETH/USDT")),
               ErrorCode::pos_unknown_key, "okx:Perp:ETHUSDT");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("cex missing reference price fails with VEN-004") {
  VenueSet venues(cex_config(), cex_book(), prices(60000));
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::buy, 1, "SOL/USDT")),
               ErrorCode::ven_no_market_data, "no reference price for SOL (pair SOL/USDT");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::buy, 1, "BTC/EUR")),
               ErrorCode::ven_no_market_data, "no reference price for EUR");
  auto zero = std::make_shared<MarketData>(*prices(60000));
  zero->prices["BTC"] = 0;
  venues.set_market(zero);
  check_failed(venues.execute(spot("binance", Side::buy, 1)), ErrorCode::ven_no_market_data,
               "no reference price for BTC");
}

TEST_CASE("cex refuses other operations (VIM-002), wrong sides and malformed pairs (ORD-006)") {
  VenueSet venues(cex_config(), cex_book(), prices(60000));
  Order swap = spot("binance", Side::buy, 1);
  swap.operation = Operation::swap;
  check_failed(venues.execute(swap), ErrorCode::vim_unsupported_operation,
               "venue 'binance' (cex) does not support swap");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::long_, 1)),
               ErrorCode::ord_missing_operation_field, "spot_trade needs side BUY or SELL");
  check_failed(venues.execute(trade("okx", Operation::perp_trade, Side::buy, 1)),
               ErrorCode::ord_missing_operation_field, "perp_trade needs side LONG or SHORT");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::buy, 1, "BTCUSDT")),
               ErrorCode::ord_missing_operation_field, "needs pair BASE/QUOTE, got 'BTCUSDT'");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::buy, 1, "BTC/")),
               ErrorCode::ord_missing_operation_field, "needs pair BASE/QUOTE");
  check_failed(venues.execute(trade("binance", Operation::spot_trade, Side::buy, -1)),
               ErrorCode::ord_out_of_range, "amount must be finite and > 0, got -1");
}

TEST_CASE("cex perp: open, add at a new average entry, reduce with realised PnL, close") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  REQUIRE(okx);
  const std::vector<std::string> keys{"okx:Perp:BTCUSDT", "okx:BaseToken:USDT"};

  // Open LONG 2 at 60000: no cash moves but the fee (a separate fee delta).
  auto open = venues.execute(perp(Side::long_, 2));
  REQUIRE(open.status == HandshakeStatus::executed);
  CHECK(open.trade_id == "okx-1");
  CHECK(open.executed_price == 60000.0);
  CHECK(open.executed_amount == 2.0);
  CHECK(open.position_deltas == Balances{{"okx:Perp:BTCUSDT", 2}});
  CHECK(open.fee_amount == 120.0);
  CHECK(open.fee_currency == "USDT");
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", 2}, {"okx:BaseToken:USDT", 99880}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 60000.0);

  // Add LONG 2 at 63000: entry (2*60000 + 2*63000) / 4 = 61500.
  venues.set_market(prices(63000));
  auto add = venues.execute(perp(Side::long_, 2));
  REQUIRE(add.status == HandshakeStatus::executed);
  CHECK(add.position_deltas == Balances{{"okx:Perp:BTCUSDT", 2}});
  CHECK(add.fee_amount == 126.0);
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", 4}, {"okx:BaseToken:USDT", 99754}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 61500.0);

  // Reduce by 1 at 64000: PnL 1 * (64000 - 61500) = 2500, fee 64 folded into it.
  venues.set_market(prices(64000));
  auto reduce = venues.execute(perp(Side::short_, 1));
  REQUIRE(reduce.status == HandshakeStatus::executed);
  CHECK(reduce.position_deltas == Balances{{"okx:Perp:BTCUSDT", -1}, {"okx:BaseToken:USDT", 2500}});
  CHECK(reduce.fee_amount == 64.0);
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", 3}, {"okx:BaseToken:USDT", 102190}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 61500.0);

  // Close the remaining 3 at 61000: PnL 3 * (61000 - 61500) = -1500, fee 183.
  venues.set_market(prices(61000));
  auto close = venues.execute(perp(Side::short_, 3));
  REQUIRE(close.status == HandshakeStatus::executed);
  CHECK(close.trade_id == "okx-4");
  CHECK(close.position_deltas == Balances{{"okx:Perp:BTCUSDT", -3}, {"okx:BaseToken:USDT", -1500}});
  CHECK(close.fee_amount == 183.0);
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", 0}, {"okx:BaseToken:USDT", 100507}});
  CHECK_FALSE(okx->entry_price("okx:Perp:BTCUSDT").has_value());
}

TEST_CASE("cex perp: flip through zero, then reduce and add to the short") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(61000));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  REQUIRE(okx);
  const std::vector<std::string> keys{"okx:Perp:BTCUSDT", "okx:BaseToken:USDT"};

  REQUIRE(venues.execute(perp(Side::long_, 1)).status == HandshakeStatus::executed);  // fee 61
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", 1}, {"okx:BaseToken:USDT", 99939}});

  // SHORT 3 at 60000 closes the long 1 (PnL -1000) and opens a short 2 at 60000; fee 180.
  venues.set_market(prices(60000));
  auto flip = venues.execute(perp(Side::short_, 3));
  REQUIRE(flip.status == HandshakeStatus::executed);
  CHECK(flip.position_deltas == Balances{{"okx:Perp:BTCUSDT", -3}, {"okx:BaseToken:USDT", -1000}});
  CHECK(flip.fee_amount == 180.0);
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", -2}, {"okx:BaseToken:USDT", 98759}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 60000.0);

  // A short gains when the price falls: LONG 1 at 59000 realises 1 * (60000 - 59000); fee 59.
  venues.set_market(prices(59000));
  auto reduce = venues.execute(perp(Side::long_, 1));
  REQUIRE(reduce.status == HandshakeStatus::executed);
  CHECK(reduce.position_deltas == Balances{{"okx:Perp:BTCUSDT", 1}, {"okx:BaseToken:USDT", 1000}});
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", -1}, {"okx:BaseToken:USDT", 99700}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 60000.0);

  // Adding to the short at 57000: entry (1*60000 + 1*57000) / 2 = 58500; fee 57.
  venues.set_market(prices(57000));
  auto add = venues.execute(perp(Side::short_, 1));
  REQUIRE(add.status == HandshakeStatus::executed);
  CHECK(add.position_deltas == Balances{{"okx:Perp:BTCUSDT", -1}});
  CHECK(venues.balances(keys) == Balances{{"okx:Perp:BTCUSDT", -2}, {"okx:BaseToken:USDT", 99643}});
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 58500.0);
}

TEST_CASE("cex perp with slippage uses the fill price for entry and PnL") {
  BookConfig book = cex_book();
  book.subscribed_keys.push_back("binance:Perp:BTCUSDT");
  VenueSet venues(cex_config(), book, prices(60000));
  auto* binance = dynamic_cast<CexVenue*>(venues.find("binance"));
  REQUIRE(binance);
  const double long_p = 60000.0 * (1 + 5.0 / 10000);
  const double short_p = 60000.0 * (1 - 5.0 / 10000);

  REQUIRE(venues.execute(trade("binance", Operation::perp_trade, Side::long_, 0.5)).status ==
          HandshakeStatus::executed);
  CHECK(binance->entry_price("binance:Perp:BTCUSDT") == long_p);
  auto close = venues.execute(trade("binance", Operation::perp_trade, Side::short_, 0.5));
  REQUIRE(close.status == HandshakeStatus::executed);
  const double pnl = 0.5 * (short_p - long_p);
  const double open_fee = 0.5 * long_p * 0.001;
  const double close_fee = 0.5 * short_p * 0.001;
  CHECK(close.position_deltas.at("binance:BaseToken:USDT") == pnl);
  CHECK(close.fee_amount == close_fee);
  CHECK(venues.balances({"binance:BaseToken:USDT"}).at("binance:BaseToken:USDT") ==
        (100000 + -open_fee) + (pnl - close_fee));
}

TEST_CASE("cex perp whose fee or loss would overdraw the settlement token fails with VEN-001") {
  const BookConfig book = cex_book(100);
  VenueSet venues(cex_config(), book, prices(60000));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(perp(Side::long_, 2)), ErrorCode::ven_insufficient_balance,
               "insufficient okx:BaseToken:USDT: have 100, need 120");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK_FALSE(okx->entry_price("okx:Perp:BTCUSDT").has_value());

  // Open 1 (fee 60, 40 left), then a 1000 loss on closing cannot be paid.
  REQUIRE(venues.execute(perp(Side::long_, 1)).status == HandshakeStatus::executed);
  venues.set_market(prices(59000));
  const auto opened = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(perp(Side::short_, 1)), ErrorCode::ven_insufficient_balance,
               "insufficient okx:BaseToken:USDT: have 40, need 1059");
  CHECK(venues.balances(book.subscribed_keys) == opened);
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 60000.0);
}

TEST_CASE("cex perp inherited from initial positions: entry from set_entry_price or the market") {
  BookConfig book = cex_book();
  book.initial_positions["okx:Perp:BTCUSDT"] = 2;
  VenueSet venues(cex_config(), book, prices(60000));
  auto* okx = dynamic_cast<CexVenue*>(venues.find("okx"));
  CHECK_FALSE(okx->entry_price("okx:Perp:BTCUSDT").has_value());

  // No entry known: the reference price at the first trade stands in, so no PnL is invented.
  auto first = venues.execute(perp(Side::short_, 1));
  CHECK(first.position_deltas.at("okx:BaseToken:USDT") == 0.0);
  CHECK(okx->entry_price("okx:Perp:BTCUSDT") == 60000.0);

  okx->set_entry_price("okx:Perp:BTCUSDT", 50000);
  auto second = venues.execute(perp(Side::short_, 1));
  CHECK(second.position_deltas.at("okx:BaseToken:USDT") == 10000.0);
}

TEST_CASE("cex plan changes nothing until commit") {
  const BookConfig book = cex_book();
  VenueSet venues(cex_config(), book, prices(60000));
  VenueSimulator& okx = *venues.find("okx");
  const auto before = okx.ledger().snapshot();

  VenuePlan plan = okx.plan(spot("okx", Side::buy, 0.5));
  REQUIRE(plan.executed());
  CHECK(plan.handshake.trade_id == "okx-1");
  CHECK(plan.remote_venue.empty());
  CHECK(plan.remote_legs.empty());
  REQUIRE(plan.own_legs.size() == 2);
  CHECK(plan.own_legs[0].position_key == "okx:BaseToken:BTC");
  CHECK(plan.own_legs[1].delta_amount == -30030.0);
  CHECK(plan.own_legs[1].fee == 30.0);
  CHECK(okx.ledger().snapshot() == before);
  CHECK(okx.plan(spot("okx", Side::buy, 0.5)).handshake.trade_id == "okx-1");

  okx.commit(plan);
  CHECK(okx.ledger().balance("okx:BaseToken:USDT") == 69970.0);
  CHECK(okx.plan(spot("okx", Side::buy, 0.5)).handshake.trade_id == "okx-2");
}
