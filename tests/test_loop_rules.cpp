// The tight loop's rules as plain functions (actors/position/reconciliation.hpp, admission.hpp):
// the retry decision, the group's run order and member checks, the flash-loan check.
#include <doctest/doctest.h>

#include <chrono>
#include <tuple>

#include "actors/execution/step_machine.hpp"
#include "actors/position/admission.hpp"
#include "actors/position/reconciliation.hpp"
#include "messages/json_number.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;
using std::chrono::milliseconds;
using Next = RetryDecision::Next;

TEST_CASE("decide_retry: matched, failed, retried with backoff, out of attempts or time") {
  ReconciliationConfig policy;  // 3 attempts, 1000 ms doubling, 120000 ms deadline
  CHECK(decide_retry(policy, false, false, 1, milliseconds(0)).next == Next::matched);
  // A component that refused or did not answer is never retried.
  CHECK(decide_retry(policy, true, true, 1, milliseconds(0)).next == Next::mismatch);
  auto first = decide_retry(policy, false, true, 1, milliseconds(0));
  CHECK(first.next == Next::retry);
  CHECK(first.wait_ms == 1000);
  auto second = decide_retry(policy, false, true, 2, milliseconds(1000));
  CHECK(second.next == Next::retry);
  CHECK(second.wait_ms == 2000);
  CHECK(decide_retry(policy, false, true, 3, milliseconds(3000)).next == Next::mismatch);
  // The deadline: a retry may start exactly at it, not after.
  policy.deadline_ms = 2500;
  CHECK(decide_retry(policy, false, true, 2, milliseconds(500)).next == Next::retry);
  CHECK(decide_retry(policy, false, true, 2, milliseconds(501)).next == Next::mismatch);
}

TEST_CASE("group_run_order: by sequence_in_group, the rest in input position after them") {
  std::vector<Order> members(5);
  members[0].sequence_in_group = 2;
  members[2].sequence_in_group = 0;
  members[4].sequence_in_group = 1;
  std::vector<const Order*> pointers;
  for (const auto& member : members) pointers.push_back(&member);
  CHECK(group_run_order(pointers) == std::vector<std::size_t>{2, 4, 0, 1, 3});
}

TEST_CASE("check_group_members: admission, repeated ids and sequence numbers, in run order") {
  auto member = [](const std::string& id, std::int64_t sequence) {
    auto order = test::order_from({{"operation_id", id}, {"venue", "binance"},
                                   {"operation", "spot_trade"}, {"pair", "BTC/USDT"},
                                   {"side", "BUY"}, {"amount", raw_number("0.1")}, {"execution_mode", "atomic"},
                                   {"atomic_group_id", "g"}, {"sequence_in_group", sequence}});
    return order;
  };
  std::vector<Order> members{member("a", 0), member("b", 1), member("a", 2), member("c", 1),
                             member("used", 3)};
  std::vector<const Order*> pointers;
  for (const auto& m : members) pointers.push_back(&m);
  const auto order = group_run_order(pointers);
  auto failures = check_group_members(pointers, order, {"used"}, "main");
  REQUIRE(failures.size() == 5);
  CHECK_FALSE(failures[0]);  // a
  CHECK_FALSE(failures[1]);  // b (sequence 1, first)
  CHECK(failures[2]->code == ErrorCode::ord_bad_group);  // c repeats sequence 1
  CHECK(failures[2]->message == "sequence_in_group 1 repeats inside group g");
  CHECK(failures[3]->code == ErrorCode::ord_duplicate_operation_id);  // a again
  CHECK(failures[3]->message == "operation_id 'a' repeats inside group g");
  CHECK(failures[4]->code == ErrorCode::ord_duplicate_operation_id);  // used in the book
}

TEST_CASE("unrepaid_flash_loan: borrowed minus repaid per venue and asset") {
  auto handshake = [](Operation op, const std::string& token, Amount amount) {
    ExecutionHandshake hs;
    hs.status = HandshakeStatus::executed;
    hs.order.venue = "aave";
    hs.order.operation = op;
    (op == Operation::flash_borrow ? hs.order.token_out : hs.order.token_in) = token;
    hs.executed_amount = amount;
    return hs;
  };
  std::vector<ExecutionHandshake> group{handshake(Operation::flash_borrow, "WETH", "8"_amt),
                                        handshake(Operation::supply, "WETH", "8"_amt),
                                        handshake(Operation::flash_repay, "WETH", "8"_amt)};
  CHECK_FALSE(unrepaid_flash_loan(group).has_value());
  group.pop_back();
  group.push_back(handshake(Operation::flash_repay, "WETH", "5"_amt));
  CHECK(unrepaid_flash_loan(group) ==
        std::string("flash loan of WETH on aave not repaid (3 outstanding at the end of the "
                    "group)"));
  // Exact to the last of the 18 digits: 1 wei left is still a loan not repaid, printed as such.
  group.pop_back();
  group.push_back(handshake(Operation::flash_repay, "WETH", "7.999999999999999999"_amt));
  CHECK(unrepaid_flash_loan(group) ==
        std::string("flash loan of WETH on aave not repaid (0.000000000000000001 outstanding at "
                    "the end of the group)"));
}

TEST_CASE("the execution manager's step machine: every legal move, nothing else") {
  using P = StepPhase;
  using E = StepEvent;
  const std::vector<std::tuple<P, E, P>> legal{
      {P::idle, E::route, P::routing},          {P::routing, E::executed, P::updating},
      {P::routing, E::venue_failed, P::idle},   {P::updating, E::updated, P::idle},
      {P::idle, E::group_started, P::in_group}, {P::in_group, E::group_applied, P::group_updating},
      {P::in_group, E::group_failed, P::reverting}, {P::in_group, E::group_done, P::idle},
      {P::group_updating, E::group_done, P::idle},  {P::reverting, E::group_done, P::idle},
      {P::idle, E::refresh, P::refreshing},     {P::refreshing, E::refreshed, P::idle},
      {P::idle, E::market, P::market_update},   {P::market_update, E::market_applied, P::idle},
      {P::idle, E::batch_done, P::snapshot},    {P::snapshot, E::snapshot_taken, P::idle},
  };
  std::size_t legal_pairs = 0;
  for (int p = 0; p <= static_cast<int>(P::snapshot); ++p)
    for (int e = 0; e <= static_cast<int>(E::snapshot_taken); ++e) {
      const auto phase = static_cast<P>(p);
      const auto event = static_cast<E>(e);
      CAPTURE(to_string(phase));
      CAPTURE(to_string(event));
      auto next = transition(phase, event);
      bool listed = false;
      for (const auto& [from, on, to] : legal)
        if (from == phase && on == event) {
          listed = true;
          CHECK(next == to);
        }
      if (!listed) CHECK_FALSE(next.has_value());  // e.g. a second route while routing
      legal_pairs += next.has_value();
    }
  CHECK(legal_pairs == legal.size());
  CHECK(to_string(P::group_updating) == "group_updating");
  CHECK(to_string(E::snapshot_taken) == "snapshot_taken");
}
