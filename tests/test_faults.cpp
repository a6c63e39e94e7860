#include <doctest/doctest.h>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <string>
#include <vector>

#include "actors/venues/fault_injector.hpp"
#include "messages/fault_spec.hpp"
#include "messages/inspect.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

Order order(std::string operation_id, Operation operation = Operation::spot_trade) {
  Order o;
  o.operation_id = std::move(operation_id);
  o.venue = "binance";
  o.operation = operation;
  o.amount = "2"_amt;
  return o;
}

FaultSpec on_id(FaultKind kind, std::string operation_id, std::uint32_t times = 0) {
  FaultSpec fault;
  fault.kind = kind;
  fault.operation_id = std::move(operation_id);
  fault.times = times;
  return fault;
}

FaultSpec on_operation(FaultKind kind, Operation operation, std::uint32_t times = 0) {
  FaultSpec fault;
  fault.kind = kind;
  fault.operation = operation;
  fault.times = times;
  return fault;
}

FaultSpec on_every(FaultKind kind, std::uint32_t n, std::uint32_t times = 0) {
  FaultSpec fault;
  fault.kind = kind;
  fault.every_nth = n;
  fault.times = times;
  return fault;
}

// Feeds orders "o1".."o<count>" (all spot_trade) and returns the 1-based numbers of those on
// which at least one fault fired.
std::vector<int> firing_orders(FaultInjector& injector, int count) {
  std::vector<int> fired;
  for (int i = 1; i <= count; ++i)
    if (!injector.on_order(order("o" + std::to_string(i))).empty()) fired.push_back(i);
  return fired;
}

std::vector<FaultKind> kinds(const std::vector<FaultSpec>& faults) {
  std::vector<FaultKind> result;
  for (const auto& fault : faults) result.push_back(fault.kind);
  return result;
}

}  // namespace

// --- FaultSpec ---------------------------------------------------------------------------

TEST_CASE("fault kinds print and parse by their config spelling") {
  const std::vector<std::pair<FaultKind, std::string>> all{
      {FaultKind::reject, "reject"},
      {FaultKind::no_reply, "no_reply"},
      {FaultKind::partial_fill, "partial_fill"},
      {FaultKind::wrong_report, "wrong_report"},
      {FaultKind::stale_balance, "stale_balance"},
      {FaultKind::slow_reply, "slow_reply"},
      {FaultKind::crash, "crash"}};
  CHECK(all.size() == fault_kind_count);
  for (const auto& [kind, text] : all) {
    CHECK(to_string(kind) == text);
    CHECK(parse_fault_kind(text) == kind);
  }
  CHECK_FALSE(parse_fault_kind("Reject"));
  CHECK_FALSE(parse_fault_kind("timeout"));
  CHECK_FALSE(parse_fault_kind(""));
}

TEST_CASE("a FaultSpec defaults to the documented parameters and no target") {
  FaultSpec fault;
  CHECK(fault.kind == FaultKind::reject);
  CHECK(fault.operation_id.empty());
  CHECK_FALSE(fault.operation);
  CHECK(fault.every_nth == 0);
  CHECK(fault.times == 0);
  CHECK(fault.message.empty());
  CHECK(fault.fill_ratio == "0.5"_amt);
  CHECK(fault.report_error == "0.01"_amt);
  CHECK(fault.stale_queries == 1);
  CHECK(fault.delay_ms == 1000);
  CHECK_FALSE(fault.applied);
}

TEST_CASE("a reject fault without a message uses the default text") {
  FaultSpec fault;
  CHECK(reject_message(fault) == "rejected by venue (injected fault)");
  fault.message = "exchange maintenance";
  CHECK(reject_message(fault) == "exchange maintenance");
}

TEST_CASE("describe names the kind, the target, the parameter and the limit") {
  CHECK(describe(on_id(FaultKind::reject, "op-7")) ==
        "reject on order 'op-7', message 'rejected by venue (injected fault)'");
  auto partial = on_every(FaultKind::partial_fill, 3, 2);
  partial.fill_ratio = "0.25"_amt;
  CHECK(describe(partial) ==
        "partial_fill on orders 3, 6, 9, ..., fill_ratio 0.25 (at most 2 times)");
  auto wrong = on_id(FaultKind::wrong_report, "w");
  wrong.report_error = "-0.000000000000000001"_amt;  // printed exactly, never as 1e-18
  CHECK(describe(wrong) == "wrong_report on order 'w', report_error -0.000000000000000001");
  CHECK(describe(on_operation(FaultKind::crash, Operation::swap)) == "crash on every swap order");
  auto silent = on_id(FaultKind::no_reply, "x");
  silent.applied = true;
  CHECK(describe(silent) == "no_reply on order 'x', after applying the order");
  FaultSpec no_target;
  no_target.kind = FaultKind::slow_reply;
  CHECK(describe(no_target) == "slow_reply on no order (no target), delay_ms 1000");
}

TEST_CASE("a FaultSpec survives CAF serialization, optional operation included") {
  FaultSpec fault = on_operation(FaultKind::wrong_report, Operation::flash_repay, 4);
  fault.operation_id = "abc";
  fault.every_nth = 9;
  fault.message = "m";
  fault.fill_ratio = "0.123456789012345678"_amt;  // every one of the 18 digits survives
  fault.report_error = "-0.5"_amt;
  fault.stale_queries = 3;
  fault.delay_ms = 12345678901LL;
  fault.applied = true;
  for (bool with_operation : {true, false}) {
    if (!with_operation) fault.operation.reset();
    std::vector<char> buffer;
    caf::binary_serializer sink{nullptr, buffer};
    REQUIRE_FALSE(sink(fault));
    FaultSpec copy = on_operation(FaultKind::crash, Operation::swap);
    caf::binary_deserializer source{nullptr, buffer};
    REQUIRE_FALSE(source(copy));
    CHECK(copy.kind == FaultKind::wrong_report);
    CHECK(copy.operation_id == "abc");
    CHECK(copy.operation == fault.operation);
    CHECK(copy.every_nth == 9);
    CHECK(copy.times == 4);
    CHECK(copy.message == "m");
    CHECK(copy.fill_ratio == "0.123456789012345678"_amt);
    CHECK(copy.report_error == "-0.5"_amt);
    CHECK(copy.stale_queries == 3);
    CHECK(copy.delay_ms == 12345678901LL);
    CHECK(copy.applied);
  }
}

// --- FaultInjector: targets --------------------------------------------------------------

TEST_CASE("a fault targeting an operation_id fires on that order only") {
  FaultInjector injector({on_id(FaultKind::reject, "o2")});
  CHECK(firing_orders(injector, 5) == std::vector<int>{2});
  CHECK(injector.orders_seen() == 5);
  // The same id again (a retry) is hit again: times is unlimited.
  auto fired = injector.on_order(order("o2"));
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].operation_id == "o2");
}

TEST_CASE("a fault targeting an operation fires on every order of that operation") {
  FaultInjector injector({on_operation(FaultKind::partial_fill, Operation::perp_trade)});
  CHECK(injector.on_order(order("a", Operation::spot_trade)).empty());
  CHECK(kinds(injector.on_order(order("b", Operation::perp_trade))) ==
        std::vector<FaultKind>{FaultKind::partial_fill});
  CHECK(injector.on_order(order("c", Operation::transfer)).empty());
  CHECK(injector.on_order(order("d", Operation::perp_trade)).size() == 1);
}

TEST_CASE("every_nth 3 fires on orders 3, 6 and 9 of 10") {
  FaultInjector injector({on_every(FaultKind::slow_reply, 3)});
  CHECK(firing_orders(injector, 10) == std::vector<int>{3, 6, 9});
  CHECK(injector.orders_seen() == 10);
}

TEST_CASE("every_nth 1 fires on every order") {
  FaultInjector injector({on_every(FaultKind::crash, 1)});
  CHECK(firing_orders(injector, 4) == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("every_nth counts every order the venue receives, whatever its operation") {
  FaultInjector injector({on_every(FaultKind::reject, 2)});
  CHECK(injector.on_order(order("a", Operation::spot_trade)).empty());
  CHECK(injector.on_order(order("b", Operation::transfer)).size() == 1);
  CHECK(injector.on_order(order("c", Operation::perp_trade)).empty());
  CHECK(injector.on_order(order("d", Operation::spot_trade)).size() == 1);
}

TEST_CASE("a fault without a target never fires") {
  FaultInjector injector({FaultSpec{}});
  CHECK(firing_orders(injector, 5).empty());
}

TEST_CASE("a fault setting several targets fires only when all of them match") {
  auto fault = on_operation(FaultKind::reject, Operation::spot_trade);
  fault.every_nth = 2;
  FaultInjector injector({fault});
  CHECK(injector.on_order(order("1", Operation::spot_trade)).empty());
  CHECK(injector.on_order(order("2", Operation::perp_trade)).empty());
  CHECK(injector.on_order(order("3", Operation::spot_trade)).empty());
  CHECK(injector.on_order(order("4", Operation::spot_trade)).size() == 1);
}

// --- FaultInjector: times, several faults, clear -----------------------------------------

TEST_CASE("times limits how often a fault fires, 0 is unlimited") {
  SUBCASE("every_nth 2, at most 3 times: orders 2, 4, 6") {
    FaultInjector injector({on_every(FaultKind::reject, 2, 3)});
    CHECK(firing_orders(injector, 10) == std::vector<int>{2, 4, 6});
  }
  SUBCASE("an operation, at most 2 times: the first two matching orders") {
    FaultInjector injector({on_operation(FaultKind::reject, Operation::swap, 2)});
    CHECK(injector.on_order(order("a", Operation::spot_trade)).empty());  // not counted
    CHECK(injector.on_order(order("b", Operation::swap)).size() == 1);
    CHECK(injector.on_order(order("c", Operation::swap)).size() == 1);
    CHECK(injector.on_order(order("d", Operation::swap)).empty());
    CHECK(injector.on_order(order("e", Operation::swap)).empty());
  }
  SUBCASE("an operation_id, once: a retry of the same order goes through") {
    FaultInjector injector({on_id(FaultKind::no_reply, "o1", 1)});
    CHECK(injector.on_order(order("o1")).size() == 1);
    CHECK(injector.on_order(order("o1")).empty());
  }
  SUBCASE("unlimited") {
    FaultInjector injector({on_every(FaultKind::reject, 1, 0)});
    CHECK(firing_orders(injector, 7).size() == 7);
  }
}

TEST_CASE("several faults on one order come back in the order they were added, as added") {
  FaultInjector injector;
  injector.add(on_every(FaultKind::slow_reply, 2, 1));
  injector.add(on_id(FaultKind::wrong_report, "o2"));
  injector.add(on_operation(FaultKind::stale_balance, Operation::spot_trade, 5));
  injector.add(on_id(FaultKind::reject, "o3"));

  CHECK(kinds(injector.on_order(order("o1"))) == std::vector<FaultKind>{FaultKind::stale_balance});
  auto second = injector.on_order(order("o2"));
  CHECK(kinds(second) == std::vector<FaultKind>{FaultKind::slow_reply, FaultKind::wrong_report,
                                                FaultKind::stale_balance});
  // Returned as added: times is the configured limit, not what is left of it.
  CHECK(second[0].times == 1);
  CHECK(second[2].times == 5);
  CHECK(kinds(injector.on_order(order("o3"))) ==
        std::vector<FaultKind>{FaultKind::stale_balance, FaultKind::reject});
  // The slow_reply fault is used up: order 4 gets only the operation fault.
  CHECK(kinds(injector.on_order(order("o4"))) == std::vector<FaultKind>{FaultKind::stale_balance});
}

TEST_CASE("the constructor adds its faults in order, like add") {
  FaultInjector injector({on_every(FaultKind::crash, 1), on_every(FaultKind::reject, 1)});
  CHECK(kinds(injector.on_order(order("a"))) ==
        std::vector<FaultKind>{FaultKind::crash, FaultKind::reject});
}

TEST_CASE("clear removes every fault but the order count goes on") {
  FaultInjector injector({on_every(FaultKind::reject, 1)});
  CHECK(firing_orders(injector, 2) == std::vector<int>{1, 2});
  injector.clear();
  CHECK(injector.on_order(order("x")).empty());
  CHECK(injector.orders_seen() == 3);
  injector.add(on_every(FaultKind::reject, 2));
  CHECK(injector.on_order(order("y")).size() == 1);  // the venue's 4th order
  CHECK(injector.on_order(order("z")).empty());      // its 5th
}

TEST_CASE("a fault added later starts its own times count and sees the running order count") {
  FaultInjector injector;
  CHECK(firing_orders(injector, 2).empty());
  injector.add(on_every(FaultKind::reject, 3, 1));
  CHECK(firing_orders(injector, 7) == std::vector<int>{1});  // overall order 3 only
  CHECK(injector.orders_seen() == 9);
}

// --- pure helpers ------------------------------------------------------------------------

TEST_CASE("partially_filled scales the amount and keeps everything else") {
  auto original = order("p1", Operation::perp_trade);
  original.amount = "2"_amt;
  original.price = "61000"_amt;
  original.side = Side::long_;
  original.pair = "BTC/USDT";
  auto partial = partially_filled(original, "0.25"_amt);
  CHECK(partial.amount == "0.5"_amt);
  CHECK(partial.operation_id == "p1");
  CHECK(partial.operation == Operation::perp_trade);
  CHECK(partial.price == "61000"_amt);
  CHECK(partial.side == Side::long_);
  CHECK(partial.pair == "BTC/USDT");
  CHECK(original.amount == "2"_amt);  // the input is untouched

  // Exact in decimal (a binary64 would give 0.21 as 0.20999999999999999).
  original.amount = "0.3"_amt;
  CHECK(partially_filled(original, "0.7"_amt).amount == "0.21"_amt);
  original.amount = "1234.567890123456789"_amt;
  CHECK(partially_filled(original, "0.5"_amt).amount == "617.2839450617283945"_amt);
}

TEST_CASE("misreport multiplies every gross delta and the fee by one plus the error") {
  ExecutionHandshake handshake;
  handshake.status = HandshakeStatus::executed;
  handshake.executed_amount = "1"_amt;
  handshake.executed_price = "60000"_amt;
  handshake.position_deltas = {{"binance:BaseToken:BTC", "1"_amt},
                               {"binance:BaseToken:USDT", "-60000"_amt}};
  handshake.fee_amount = "60"_amt;
  handshake.fee_currency = "USDT";

  SUBCASE("exact literals for error 0.5") {
    misreport(handshake, "0.5"_amt);
    CHECK(handshake.position_deltas.at("binance:BaseToken:BTC") == "1.5"_amt);
    CHECK(handshake.position_deltas.at("binance:BaseToken:USDT") == "-90000"_amt);
    CHECK(handshake.fee_amount == "90"_amt);
  }
  SUBCASE("the default error 0.01: 1.01 times, exactly") {
    misreport(handshake, "0.01"_amt);
    CHECK(handshake.position_deltas.at("binance:BaseToken:BTC") == "1.01"_amt);
    CHECK(handshake.position_deltas.at("binance:BaseToken:USDT") == "-60600"_amt);
    CHECK(handshake.fee_amount == "60.6"_amt);
  }
  SUBCASE("a negative error under-reports") {
    misreport(handshake, "-0.25"_amt);
    CHECK(handshake.position_deltas.at("binance:BaseToken:BTC") == "0.75"_amt);
    CHECK(handshake.position_deltas.at("binance:BaseToken:USDT") == "-45000"_amt);
    CHECK(handshake.fee_amount == "45"_amt);
  }
  // What was executed is reported truthfully; only the deltas and the fee lie.
  CHECK(handshake.position_deltas.size() == 2);
  CHECK(handshake.executed_amount == "1"_amt);
  CHECK(handshake.executed_price == "60000"_amt);
  CHECK(handshake.fee_currency == "USDT");
  CHECK(handshake.status == HandshakeStatus::executed);
}

// --- StaleBalances -----------------------------------------------------------------------

TEST_CASE("stale balances answer exactly N queries with the old view, then current") {
  const test::Positions before{{"binance:BaseToken:BTC", "1"_amt},
                               {"binance:BaseToken:USDT", "100000"_amt}};
  const test::Positions current{{"binance:BaseToken:BTC", "2"_amt},
                                {"binance:BaseToken:USDT", "40000"_amt},
                                {"binance:BaseToken:ETH", "3"_amt}};
  const std::vector<std::string> keys{"binance:BaseToken:BTC", "binance:BaseToken:USDT",
                                      "binance:BaseToken:ETH", "binance:BaseToken:SOL"};
  const test::Positions stale{{"binance:BaseToken:BTC", "1"_amt},
                              {"binance:BaseToken:USDT", "100000"_amt},
                              {"binance:BaseToken:ETH", "3"_amt}};
  StaleBalances balances;
  CHECK_FALSE(balances.armed());
  CHECK_FALSE(balances.answer(keys, current));

  balances.arm(before, 3);
  for (int query = 1; query <= 3; ++query) {
    CAPTURE(query);
    CHECK(balances.armed());
    auto answer = balances.answer(keys, current);
    REQUIRE(answer);
    // Keys it remembers: old amounts; keys it lacks: current; keys in neither: left out.
    CHECK(*answer == stale);
  }
  CHECK_FALSE(balances.armed());
  CHECK_FALSE(balances.answer(keys, current));
}

TEST_CASE("stale balances answer only the keys asked") {
  StaleBalances balances;
  balances.arm({{"a", "1"_amt}, {"b", "2"_amt}}, 1);
  auto answer = balances.answer({"b"}, {{"a", "10"_amt}, {"b", "20"_amt}});
  REQUIRE(answer);
  CHECK(*answer == test::Positions{{"b", "2"_amt}});
}

TEST_CASE("arming stale balances again replaces the view and the count") {
  StaleBalances balances;
  balances.arm({{"a", "1"_amt}}, 5);
  CHECK(balances.answer({"a"}, {{"a", "9"_amt}}) == test::Positions{{"a", "1"_amt}});
  balances.arm({{"a", "7"_amt}}, 1);
  CHECK(balances.answer({"a"}, {{"a", "9"_amt}}) == test::Positions{{"a", "7"_amt}});
  CHECK_FALSE(balances.armed());
  CHECK_FALSE(balances.answer({"a"}, {{"a", "9"_amt}}));

  balances.arm({{"a", "1"_amt}}, 2);
  balances.arm({{"a", "1"_amt}}, 0);  // zero queries disarms
  CHECK_FALSE(balances.armed());
  CHECK_FALSE(balances.answer({"a"}, {{"a", "9"_amt}}));
}
