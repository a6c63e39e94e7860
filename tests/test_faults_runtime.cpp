// Venue faults, halt and resume, and position_refresh through the real actors (Runtime):
// what the loop does when a venue rejects, fills partially or misreports, how an operator gets
// a halted book back, and how funding settles.
#include <doctest/doctest.h>

#include "messages/json_number.hpp"
#include "runtime/runtime.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;
using tightloop::test::config_from;
using tightloop::test::exact_config;
using tightloop::test::exact_config_json;
using tightloop::test::order_from;

namespace {

using test::Positions;

// exact_config's numbers, as exact amounts.
Amount constant(const char* text) { return parse_amount(text).amount.value(); }
const Amount btc_price = constant("60000");  // in USDT
const Amount taker_fee_rate = constant("0.001");
const Amount weth_liquidity_index = constant("1.25");

// A function, not a namespace-scope reference: exact_initial_positions() builds its amounts
// with test::amount, whose REQUIRE needs a running test.
const Positions& initial_positions() { return test::exact_initial_positions(); }
using test::all_venue_ledgers;

// Amounts go into the order JSON as decimal text (a raw number node, as parse_json reads it).
Order spot(const std::string& id, const std::string& side, const std::string& amount) {
  return order_from({{"operation_id", id}, {"venue", "binance"}, {"operation", "spot_trade"},
                     {"pair", "BTC/USDT"}, {"side", side}, {"amount", raw_number(amount)}});
}

Order perp(const std::string& id, const std::string& side, const std::string& amount) {
  return order_from({{"operation_id", id}, {"venue", "binance"}, {"operation", "perp_trade"},
                     {"pair", "BTC/USDT"}, {"side", side}, {"amount", raw_number(amount)}});
}

Order supply(const std::string& id, const std::string& amount) {
  return order_from({{"operation_id", id}, {"venue", "aave"}, {"operation", "supply"},
                     {"token_in", "WETH"}, {"amount", raw_number(amount)}});
}

// A spot BUY of q BTC at 60000 with the 0.1 % fee (README: notional q*p [up], fee
// notional*rate [up]; both exact for the amounts used here).
void add_spot_buy(Positions& positions, Amount q) {
  const Amount notional = mul(q, btc_price, Rounding::up);
  positions["binance:BaseToken:BTC"] += q;
  positions["binance:BaseToken:USDT"] += -notional - mul(notional, taker_fee_rate, Rounding::up);
}

using test::fault_on;

StreamEntry order_entry(Order order) {
  StreamEntry entry;
  entry.kind = StreamEntryKind::order;
  entry.order = std::move(order);
  return entry;
}

StreamEntry refresh_entry() {
  StreamEntry entry;
  entry.kind = StreamEntryKind::refresh;
  return entry;
}

StreamEntry market_entry(MarketData market) {
  StreamEntry entry;
  entry.kind = StreamEntryKind::market;
  entry.market = std::move(market);
  return entry;
}

}  // namespace

// ---- faults ----------------------------------------------------------------------------------

TEST_CASE("a reject fault fails the order with VEN-008 and its message, nothing changes") {
  Runtime runtime(exact_config());
  auto reject = fault_on(FaultKind::reject, "buy-1");
  reject.message = "exchange under maintenance";
  REQUIRE(runtime.inject_fault("main", "binance", reject));
  CHECK_FALSE(runtime.inject_fault("main", "kraken", reject));

  auto first = runtime.run_book("main", {spot("buy-1", "BUY", "0.5")});
  const auto& rejected = first.results.at(0);
  CHECK(rejected.handshake.status == HandshakeStatus::failed);
  CHECK(rejected.handshake.error_code == ErrorCode::ven_rejected);
  CHECK(rejected.handshake.error_message == "exchange under maintenance");
  CHECK(rejected.handshake.trade_id.empty());
  CHECK(rejected.handshake.position_deltas.empty());
  CHECK(rejected.deltas.empty());
  CHECK(rejected.reconciliation.outcome == ReconciliationOutcome::not_run);
  CHECK_FALSE(first.halt.halted);
  CHECK(first.positions == initial_positions());
  CHECK(all_venue_ledgers(runtime, "main") == initial_positions());

  // The fault targets that order only; the next one is the venue's first fill.
  auto second = runtime.run_book("main", {spot("buy-2", "BUY", "0.5")});
  CHECK(second.results.at(0).handshake.status == HandshakeStatus::executed);
  CHECK(second.results.at(0).handshake.trade_id == "binance-1");
  auto expected = initial_positions();
  add_spot_buy(expected, "0.5"_amt);
  CHECK(expected.at("binance:BaseToken:USDT") == "69970"_amt);  // 100000 - 30000 - 30
  CHECK(second.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
}

TEST_CASE("a config reject fault on an operation fires its times and uses the default message") {
  auto json = exact_config_json();
  json["venues"][2]["faults"] = {{{"kind", "reject"}, {"operation", "supply"}, {"times", 1}}};
  Runtime runtime(config_from(json));
  auto result = runtime.run_book("main", {supply("s1", "1"), supply("s2", "1")});
  CHECK(result.results[0].handshake.error_code == ErrorCode::ven_rejected);
  CHECK(result.results[0].handshake.error_message == std::string(default_reject_message));
  CHECK(result.results[1].handshake.status == HandshakeStatus::executed);
  CHECK(result.results[1].handshake.trade_id == "aave-1");
  auto expected = initial_positions();
  expected["wallet:BaseToken:WETH"] += "-1"_amt;
  expected["aave:aToken:WETH"] += "0.8"_amt;  // 1 / 1.25
  CHECK(result.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
}

TEST_CASE("a partial_fill fault executes half the amount with exact deltas and ledgers") {
  Runtime runtime(exact_config());
  auto partial = fault_on(FaultKind::partial_fill, "half");
  partial.fill_ratio = "0.5"_amt;
  REQUIRE(runtime.inject_fault("main", "binance", partial));
  auto result = runtime.run_book("main", {spot("half", "BUY", "0.5")});
  const auto& r = result.results.at(0);
  CHECK(r.handshake.status == HandshakeStatus::executed);
  CHECK(r.handshake.order.amount == "0.5"_amt);  // the order as it was sent
  CHECK(r.handshake.executed_amount == "0.25"_amt);
  CHECK(r.handshake.executed_price == btc_price);
  // 0.25 * 60000 = 15000, fee 15000 * 0.001 = 15.
  CHECK(r.handshake.position_deltas ==
        Positions{{"binance:BaseToken:BTC", "0.25"_amt}, {"binance:BaseToken:USDT", "-15000"_amt}});
  CHECK(r.handshake.fee_amount == "15"_amt);
  REQUIRE(r.deltas.size() == 2);
  CHECK(r.deltas[0].position_key == "binance:BaseToken:BTC");
  CHECK(r.deltas[0].delta_amount == "0.25"_amt);
  CHECK(r.deltas[1].position_key == "binance:BaseToken:USDT");
  CHECK(r.deltas[1].delta_amount == "-15015"_amt);
  CHECK(r.deltas[1].fee == "15"_amt);
  CHECK(r.reconciliation.outcome == ReconciliationOutcome::matched);
  auto expected = initial_positions();
  add_spot_buy(expected, "0.25"_amt);
  CHECK(result.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
}

TEST_CASE("a wrong_report fault fails reconciliation after the configured attempts and halts") {
  auto json = exact_config_json();
  json["reconciliation"]["max_attempts"] = 4;
  json["reconciliation"]["deadline_ms"] = 60000;  // only attempts can run out here
  Runtime runtime(config_from(json));
  auto wrong = fault_on(FaultKind::wrong_report, "misreported");
  wrong.report_error = "0.25"_amt;  // reported = true * 1.25
  REQUIRE(runtime.inject_fault("main", "binance", wrong));
  auto result =
      runtime.run_book("main", {spot("misreported", "BUY", "0.5"), supply("after", "1")});
  const auto& bad = result.results.at(0);
  CHECK(bad.handshake.status == HandshakeStatus::failed);
  CHECK(bad.handshake.error_code == ErrorCode::em_reconciliation_mismatch);
  CHECK(bad.reconciliation.outcome == ReconciliationOutcome::mismatch);
  CHECK(bad.reconciliation.attempts == 4);
  CHECK(bad.reconciliation.backoff_ms == std::vector<std::int64_t>{1, 2, 4});

  // What the venue really did, and what it told the monitor (every gross delta and the fee
  // times 1.25).
  // True: +0.5 BTC, -30000 USDT, fee 30. Reported: +0.625 BTC, -37500 USDT, fee 37.5.
  auto venue_view = initial_positions();
  add_spot_buy(venue_view, "0.5"_amt);
  auto monitor_view = initial_positions();
  monitor_view["binance:BaseToken:BTC"] = "1.625"_amt;
  monitor_view["binance:BaseToken:USDT"] = "62462.5"_amt;  // 100000 - 37500 - 37.5
  CHECK(bad.handshake.position_deltas.at("binance:BaseToken:BTC") == "0.625"_amt);
  CHECK(bad.handshake.position_deltas.at("binance:BaseToken:USDT") == "-37500"_amt);
  CHECK(bad.handshake.fee_amount == "37.5"_amt);
  REQUIRE(bad.reconciliation.mismatches.size() == 2);
  for (const auto& m : bad.reconciliation.mismatches) {
    CAPTURE(m.position_key);
    CHECK(m.expected == monitor_view.at(m.position_key));
    CHECK(m.reported == venue_view.at(m.position_key));
  }
  CHECK(bad.reconciliation.mismatches[0].reported == "1.5"_amt);
  CHECK(bad.reconciliation.mismatches[1].reported == "69970"_amt);
  CHECK(bad.deltas.size() == 2);  // applied: nothing is rolled back by guess

  CHECK(result.results.at(1).handshake.status == HandshakeStatus::skipped);
  CHECK(result.results.at(1).handshake.error_code == ErrorCode::em_book_halted_skip);
  CHECK(result.halt.halted);
  CHECK(result.halt.code == ErrorCode::em_reconciliation_mismatch);
  CHECK(result.positions == monitor_view);
  CHECK(all_venue_ledgers(runtime, "main") == venue_view);

  auto status = runtime.status("main");
  CHECK(status.halt.halted);
  CHECK(status.halt.code == ErrorCode::em_reconciliation_mismatch);
  CHECK(status.halt.reason.find("binance:BaseToken:BTC") != std::string::npos);
  CHECK(status.halt.mismatches.size() == 2);
  CHECK(status.dead_venues.empty());
}

TEST_CASE("a fault targeted every_nth 3 hits exactly orders 3, 6 and 9 of that venue") {
  auto json = exact_config_json();
  json["venues"][0]["faults"] = {{{"kind", "reject"}, {"every_nth", 3}, {"message", "third"}}};
  Runtime runtime(config_from(json));
  // Ten binance orders, each followed by an aave order that the binance count must not see.
  std::vector<Order> orders;
  for (int n = 1; n <= 10; ++n) {
    orders.push_back(spot("bn" + std::to_string(n), "BUY", "0.0625"));
    orders.push_back(supply("av" + std::to_string(n), "0.25"));
  }
  auto result = runtime.run_book("main", orders);
  REQUIRE(result.results.size() == 20);
  auto expected = initial_positions();
  int binance_fills = 0, aave_fills = 0;
  for (int n = 1; n <= 10; ++n) {
    CAPTURE(n);
    const auto& b = result.results[2 * (n - 1)].handshake;
    const auto& a = result.results[2 * (n - 1) + 1].handshake;
    if (n % 3 == 0) {
      CHECK(b.status == HandshakeStatus::failed);
      CHECK(b.error_code == ErrorCode::ven_rejected);
      CHECK(b.error_message == "third");
    } else {
      CHECK(b.status == HandshakeStatus::executed);
      CHECK(b.trade_id == "binance-" + std::to_string(++binance_fills));
      add_spot_buy(expected, "0.0625"_amt);
    }
    CHECK(a.status == HandshakeStatus::executed);
    CHECK(a.trade_id == "aave-" + std::to_string(++aave_fills));
    expected["wallet:BaseToken:WETH"] += "-0.25"_amt;
    expected["aave:aToken:WETH"] += div("0.25"_amt, weth_liquidity_index, Rounding::down);
  }
  CHECK(binance_fills == 7);
  // 7 buys of 0.0625 BTC (3750 USDT + 3.75 fee each), 10 supplies of 0.25 WETH (0.2 aWETH).
  CHECK(expected.at("binance:BaseToken:BTC") == "1.4375"_amt);
  CHECK(expected.at("binance:BaseToken:USDT") == "73723.75"_amt);
  CHECK(expected.at("aave:aToken:WETH") == "2"_amt);
  CHECK_FALSE(result.halt.halted);
  CHECK(result.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
}

// ---- halt and resume -------------------------------------------------------------------------

TEST_CASE("a halted book refuses orders with EM-004 while another book runs, resume needs agreement") {
  Runtime runtime(exact_config({"alpha", "beta"}));
  auto wrong = fault_on(FaultKind::wrong_report, "w1");
  wrong.report_error = "0.25"_amt;
  REQUIRE(runtime.inject_fault("alpha", "binance", wrong));
  auto halted = runtime.run_book("alpha", {spot("w1", "BUY", "0.5")});
  REQUIRE(halted.results.at(0).handshake.error_code == ErrorCode::em_reconciliation_mismatch);
  REQUIRE(runtime.status("alpha").halt.halted);
  CHECK_FALSE(runtime.status("beta").halt.halted);
  const auto monitor_view = halted.positions;
  auto venue_view = initial_positions();
  add_spot_buy(venue_view, "0.5"_amt);
  REQUIRE(all_venue_ledgers(runtime, "alpha") == venue_view);

  // New orders to alpha are refused; beta, in the same run, executes.
  auto both = runtime.run({{"alpha", {spot("n1", "BUY", "0.25")}}, {"beta", {spot("b1", "BUY", "0.25")}}});
  const auto& refused = both.at("alpha").results.at(0).handshake;
  CHECK(refused.status == HandshakeStatus::failed);
  CHECK(refused.error_code == ErrorCode::em_book_halted);
  CHECK(refused.error_message.find("alpha") != std::string::npos);
  CHECK(refused.error_message.find("resume") != std::string::npos);
  CHECK(both.at("alpha").positions == monitor_view);
  CHECK(both.at("alpha").halt.halted);
  const auto& beta = both.at("beta");
  CHECK(beta.results.at(0).handshake.status == HandshakeStatus::executed);
  CHECK(beta.results.at(0).handshake.trade_id == "binance-1");
  CHECK_FALSE(beta.halt.halted);
  auto beta_expected = initial_positions();
  add_spot_buy(beta_expected, "0.25"_amt);
  CHECK(beta.positions == beta_expected);
  CHECK(all_venue_ledgers(runtime, "beta") == beta_expected);

  // A refresh is refused too.
  auto refreshed = runtime.run_streams({{"alpha", {refresh_entry()}}});
  CHECK(refreshed.at("alpha").entries.at(0).refresh.failure.code == ErrorCode::em_book_halted);
  CHECK(refreshed.at("alpha").entries.at(0).refresh.deltas.empty());

  // Resume refuses while monitor and venue disagree, and lists where.
  auto refused_resume = runtime.resume("alpha");
  CHECK_FALSE(refused_resume.resumed);
  CHECK(refused_resume.failure.code == ErrorCode::em_reconciliation_mismatch);
  REQUIRE(refused_resume.mismatches.size() == 2);
  for (const auto& m : refused_resume.mismatches) {
    CAPTURE(m.position_key);
    CHECK(m.expected == monitor_view.at(m.position_key));
    CHECK(m.reported == venue_view.at(m.position_key));
  }
  CHECK(runtime.status("alpha").halt.halted);

  // The operator corrects one key: still one mismatch.
  const Amount btc_fix =
      monitor_view.at("binance:BaseToken:BTC") - venue_view.at("binance:BaseToken:BTC");
  const Amount usdt_fix =
      monitor_view.at("binance:BaseToken:USDT") - venue_view.at("binance:BaseToken:USDT");
  CHECK(btc_fix == "0.125"_amt);        // 1.625 - 1.5
  CHECK(usdt_fix == "-7507.5"_amt);     // 62462.5 - 69970
  REQUIRE(runtime.adjust_venue_balance("alpha", "binance", "binance:BaseToken:BTC", btc_fix));
  auto still = runtime.resume("alpha");
  CHECK_FALSE(still.resumed);
  REQUIRE(still.mismatches.size() == 1);
  CHECK(still.mismatches[0].position_key == "binance:BaseToken:USDT");
  CHECK(runtime.status("alpha").halt.halted);

  // Both keys agree: the book resumes and takes orders again.
  REQUIRE(runtime.adjust_venue_balance("alpha", "binance", "binance:BaseToken:USDT", usdt_fix));
  CHECK(all_venue_ledgers(runtime, "alpha") == monitor_view);
  auto resumed = runtime.resume("alpha");
  CHECK(resumed.resumed);
  CHECK(resumed.failure.code == ErrorCode::none);
  CHECK(resumed.mismatches.empty());
  auto status = runtime.status("alpha");
  CHECK_FALSE(status.halt.halted);
  CHECK(status.halt.code == ErrorCode::none);

  auto next = runtime.run_book("alpha", {spot("n2", "BUY", "0.25")});
  const auto& executed = next.results.at(0);
  CHECK(executed.handshake.status == HandshakeStatus::executed);
  CHECK(executed.handshake.trade_id == "binance-2");  // w1 was the venue's first fill
  CHECK(executed.reconciliation.outcome == ReconciliationOutcome::matched);
  CHECK(executed.reconciliation.attempts == 1);
  CHECK_FALSE(next.halt.halted);
  auto expected = monitor_view;
  add_spot_buy(expected, "0.25"_amt);
  CHECK(next.positions == expected);
  CHECK(all_venue_ledgers(runtime, "alpha") == expected);
}

// ---- position_refresh ------------------------------------------------------------------------

TEST_CASE("position_refresh pays funding: a short receives, a long pays, positions and ledgers agree") {
  Runtime runtime(exact_config({"alpha", "beta"}));
  // A rate and a mark whose payments need the 18th digit rounded (README, cex funding:
  // payment = -(s * mark) * rate, s * mark [half-even], the payment [floor]).
  const Amount rate = "0.000100000000000001"_amt;
  const Amount mark = "60000.3"_amt;  // BTC in the funding market, USDT stays 1
  MarketData with_funding = runtime.config().market;
  with_funding.prices["BTC"] = mark;
  with_funding.funding_rates["binance"]["BTCUSDT"] = rate;
  const MarketData without_funding = runtime.config().market;
  REQUIRE(without_funding.funding_rates.empty());

  std::map<std::string, std::vector<StreamEntry>> streams;
  streams["alpha"] = {order_entry(perp("short", "SHORT", "0.5")), refresh_entry(),
                      market_entry(with_funding), refresh_entry(),
                      market_entry(without_funding), refresh_entry()};
  streams["beta"] = {order_entry(perp("long", "LONG", "0.25")), market_entry(with_funding),
                     refresh_entry()};
  auto results = runtime.run_streams(streams);

  // Short 0.5: s * mark = -30000.15; payment = 30000.15 * 0.000100000000000001
  //   = 3.00001500000003000015, floor -> 3.00001500000003.
  // Long 0.25: s * mark = 15000.075; payment = -(15000.075 * 0.000100000000000001)
  //   = -1.500007500000015000075, floor -> -1.500007500000015001 (toward -inf, not zero).
  // Opening fees, at the 60000 of the opening: 0.5 * 60000 * 0.001 = 30, 0.25 -> 15.
  auto check_funding = [&](const std::string& book, Amount size, Amount fee, Amount payment,
                           std::size_t refresh_at) {
    CAPTURE(book);
    const auto& entries = results.at(book).entries;
    const auto& opened = entries.at(0).order;
    REQUIRE(opened.handshake.status == HandshakeStatus::executed);
    CHECK(opened.handshake.fee_amount == fee);
    const auto& refresh = entries.at(refresh_at).refresh;
    CHECK_FALSE(refresh.failure.failed());
    REQUIRE(refresh.deltas.size() == 1);
    const auto& delta = refresh.deltas[0];
    CHECK(delta.position_key == "binance:BaseToken:USDT");
    CHECK(delta.delta_amount == payment);
    CHECK(delta.source == DeltaSource::funding);
    CHECK(delta.price == mark);
    CHECK(delta.fee.is_zero());
    CHECK(delta.operation_id.empty());

    auto expected = initial_positions();
    expected["binance:Perp:BTCUSDT"] += size;
    expected["binance:BaseToken:USDT"] += -fee;
    expected["binance:BaseToken:USDT"] += payment;
    const auto& book_result = results.at(book).book;
    CHECK_FALSE(book_result.halt.halted);
    CHECK(book_result.positions == expected);
    CHECK(all_venue_ledgers(runtime, book) == expected);
    return delta.delta_amount;
  };
  const Amount short_received =
      check_funding("alpha", "-0.5"_amt, "30"_amt, "3.00001500000003"_amt, 3);
  const Amount long_paid =
      check_funding("beta", "0.25"_amt, "15"_amt, "-1.500007500000015001"_amt, 2);
  CHECK(short_received == "3.00001500000003"_amt);
  CHECK(long_paid == "-1.500007500000015001"_amt);
  CHECK(results.at("alpha").book.positions.at("binance:BaseToken:USDT") ==
        "99973.00001500000003"_amt);  // 100000 - 30 + 3.00001500000003
  CHECK(results.at("beta").book.positions.at("binance:BaseToken:USDT") ==
        "99983.499992499999984999"_amt);  // 100000 - 15 - 1.500007500000015001

  // No funding rate in the market: a refresh settles nothing.
  const auto& alpha = results.at("alpha").entries;
  CHECK(alpha.at(1).refresh.deltas.empty());
  CHECK_FALSE(alpha.at(1).refresh.failure.failed());
  CHECK(alpha.at(5).refresh.deltas.empty());
  CHECK_FALSE(alpha.at(5).refresh.failure.failed());

  // Each refresh is one funding period: a second one pays again.
  auto again = runtime.run_streams({{"alpha", {market_entry(with_funding), refresh_entry()}}});
  const auto& second = again.at("alpha").entries.at(1).refresh;
  REQUIRE(second.deltas.size() == 1);
  CHECK(second.deltas[0].delta_amount == "3.00001500000003"_amt);
  CHECK(again.at("alpha").book.positions.at("binance:BaseToken:USDT") ==
        results.at("alpha").book.positions.at("binance:BaseToken:USDT") +
            "3.00001500000003"_amt);
  CHECK(again.at("alpha").book.positions.at("binance:BaseToken:USDT") ==
        "99976.00003000000006"_amt);
  CHECK(all_venue_ledgers(runtime, "alpha") == again.at("alpha").book.positions);
}
