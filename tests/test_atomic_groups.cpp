// Atomic groups through the real actors (Runtime): a leveraged-staking loop that succeeds, the
// same loop failing at each member in turn (everything restored, trade ids included), flash
// loans left open, sequence_in_group ordering and its validation.
#include <doctest/doctest.h>

#include "messages/json_number.hpp"
#include "runtime/runtime.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;
using tightloop::test::exact_config;
using tightloop::test::order_from;

namespace {

using test::Positions;

// exact_config's aave: flash fee 0.0005, WETH indices 1.25 / 2, weETH 1 / 1; etherfi 0.5 weETH
// per WETH. Every result below is exact, so no rounding rule comes into play.

// A function, not a namespace-scope reference: exact_initial_positions() builds its amounts
// with test::amount, whose REQUIRE needs a running test.
const Positions& initial_positions() { return test::exact_initial_positions(); }
using test::all_venue_ledgers;

Positions positions_now(Runtime& runtime, const std::string& book) {
  return runtime.run_book(book, {}).positions;
}

nlohmann::json member(const std::string& id, const std::string& venue,
                      const std::string& operation, const std::string& token_field,
                      const std::string& token, const std::string& amount,
                      const std::string& group, std::int64_t sequence) {
  return {{"operation_id", id},      {"venue", venue},
          {"operation", operation},  {token_field, token},
          {"amount", raw_number(amount)}, {"execution_mode", "atomic"},
          {"atomic_group_id", group}, {"sequence_in_group", sequence}};
}

// The loop: flash-borrow 8 WETH, stake all 18 WETH of the wallet (9 weETH), supply the 9 weETH
// as collateral, borrow 8.5 WETH against it and repay the flash loan (8 + fee) from the borrow.
// The wallet has no WETH left after the stake, so the borrow alone covers repay and fee.
std::vector<nlohmann::json> loop_members(const std::string& group) {
  return {
      member(group + "-flash", "aave", "flash_borrow", "token_out", "WETH", "8", group, 0),
      member(group + "-stake", "etherfi", "stake", "token_in", "WETH", "18", group, 1),
      member(group + "-supply", "aave", "supply", "token_in", "weETH", "9", group, 2),
      member(group + "-borrow", "aave", "borrow", "token_out", "WETH", "8.5", group, 3),
      member(group + "-repay", "aave", "flash_repay", "token_in", "WETH", "8", group, 4),
  };
}

std::vector<Order> orders_of(const std::vector<nlohmann::json>& jsons) {
  std::vector<Order> orders;
  for (const auto& json : jsons) orders.push_back(order_from(json));
  return orders;
}

// The loop's effect on the initial positions, each key summed in the order the legs apply.
Positions after_loop() {
  Positions expected = initial_positions();
  Amount weth = "10"_amt;
  weth += "8"_amt;       // flash_borrow
  weth += "-18"_amt;     // stake
  weth += "8.5"_amt;     // borrow
  weth += "-8.004"_amt;  // flash_repay 8, fee 8 * 0.0005 = 0.004 folded into the wallet leg
  Amount weeth;
  weeth += "9"_amt;   // stake: 18 * 0.5
  weeth += "-9"_amt;  // supply
  expected["wallet:BaseToken:WETH"] = weth;
  expected["wallet:LST:weETH"] = weeth;
  expected["aave:aToken:weETH"] = "9"_amt;      // 9 / 1
  expected["aave:debtToken:WETH"] = "4.25"_amt;  // 8.5 / 2
  return expected;
}

// What the ordinary orders run after a failed group add: supply 1 WETH, stake 2 WETH.
std::vector<Order> ordinary_after(const std::string& prefix) {
  return orders_of({
      {{"operation_id", prefix + "-after-supply"}, {"venue", "aave"}, {"operation", "supply"},
       {"token_in", "WETH"}, {"amount", 1}},
      {{"operation_id", prefix + "-after-stake"}, {"venue", "etherfi"}, {"operation", "stake"},
       {"token_in", "WETH"}, {"amount", 2}},
  });
}

Positions after_ordinary(Positions positions) {
  positions["wallet:BaseToken:WETH"] += "-1"_amt;
  positions["wallet:BaseToken:WETH"] += "-2"_amt;
  positions["aave:aToken:WETH"] += "0.8"_amt;  // 1 / 1.25
  positions["wallet:LST:weETH"] += "1"_amt;    // 2 * 0.5
  return positions;
}

// Members before `failed_at` rolled back, the member at it failed with `code`, the rest skipped,
// every group result in input order (here: run order).
void check_group_failed_at(const BookResult& result, std::size_t group_size, std::size_t failed_at,
                           ErrorCode code, const std::string& message_part) {
  REQUIRE(result.results.size() >= group_size);
  const auto& failed_id = result.results[failed_at].handshake.order.operation_id;
  for (std::size_t i = 0; i < group_size; ++i) {
    CAPTURE(i);
    const auto& r = result.results[i];
    CHECK(r.deltas.empty());
    CHECK(r.reconciliation.outcome == ReconciliationOutcome::not_run);
    CHECK(r.handshake.trade_id.empty());
    if (i == failed_at) {
      CHECK(r.handshake.status == HandshakeStatus::failed);
      CHECK(r.handshake.error_code == code);
      CHECK_MESSAGE(r.handshake.error_message.find(message_part) != std::string::npos,
                    r.handshake.error_message);
      continue;
    }
    CHECK(r.handshake.error_code == ErrorCode::em_group_member_failed);
    CHECK(r.handshake.status ==
          (i < failed_at ? HandshakeStatus::rolled_back : HandshakeStatus::skipped));
    CHECK_MESSAGE(r.handshake.error_message.find(failed_id) != std::string::npos,
                  r.handshake.error_message);
    CHECK(r.handshake.error_message.find(i < failed_at ? "rolled back" : "not run") !=
          std::string::npos);
  }
}

// After a failed group: the book is not halted, the ordinary orders that followed it in the
// batch executed with the trade ids of a book where the group never ran.
void check_ordinary_after(Runtime& runtime, const BookResult& result, std::size_t group_size) {
  CHECK_FALSE(result.halt.halted);
  REQUIRE(result.results.size() == group_size + 2);
  const auto& supply = result.results[group_size];
  const auto& stake = result.results[group_size + 1];
  CHECK(supply.handshake.status == HandshakeStatus::executed);
  CHECK(supply.handshake.trade_id == "aave-1");
  CHECK(supply.reconciliation.outcome == ReconciliationOutcome::matched);
  CHECK(stake.handshake.status == HandshakeStatus::executed);
  CHECK(stake.handshake.trade_id == "etherfi-1");
  CHECK(stake.reconciliation.outcome == ReconciliationOutcome::matched);
  const auto expected = after_ordinary(initial_positions());
  CHECK(result.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
}

}  // namespace

TEST_CASE("a leveraged-staking loop runs as one atomic group with exact positions and ledgers") {
  Runtime runtime(exact_config());
  REQUIRE(positions_now(runtime, "main") == initial_positions());
  auto result = runtime.run_book("main", orders_of(loop_members("loop")));
  REQUIRE(result.results.size() == 5);
  const char* trade_ids[] = {"aave-1", "etherfi-1", "aave-2", "aave-3", "aave-4"};
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const auto& r = result.results[i];
    CHECK(r.handshake.status == HandshakeStatus::executed);
    CHECK(r.handshake.error_code == ErrorCode::none);
    CHECK(r.handshake.trade_id == trade_ids[i]);
    // One reconciliation for the whole group, reported on every member.
    CHECK(r.reconciliation.outcome == ReconciliationOutcome::matched);
    CHECK(r.reconciliation.attempts == 1);
    CHECK(r.reconciliation.mismatches.empty());
    CHECK_FALSE(r.deltas.empty());
  }
  const auto& repay = result.results[4];
  CHECK(repay.handshake.executed_amount == "8"_amt);
  CHECK(repay.handshake.fee_amount == "0.004"_amt);  // 8 * 0.0005
  CHECK(repay.handshake.fee_currency == "WETH");
  REQUIRE(repay.deltas.size() == 1);
  CHECK(repay.deltas[0].position_key == "wallet:BaseToken:WETH");
  CHECK(repay.deltas[0].delta_amount == "-8.004"_amt);
  CHECK(repay.deltas[0].fee == "0.004"_amt);
  const auto& borrow = result.results[3];
  CHECK(borrow.handshake.position_deltas ==
        Positions{{"wallet:BaseToken:WETH", "8.5"_amt}, {"aave:debtToken:WETH", "4.25"_amt}});

  CHECK_FALSE(result.halt.halted);
  const auto expected = after_loop();
  CHECK(expected.at("wallet:BaseToken:WETH") == "0.496"_amt);  // 10 + 8 - 18 + 8.5 - 8.004
  CHECK(expected.at("wallet:LST:weETH").is_zero());
  CHECK(result.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
  CHECK_FALSE(runtime.status("main").halt.halted);
}

TEST_CASE("the loop rejected by the venue at each member in turn leaves everything as before") {
  const char* venues[] = {"aave", "etherfi", "aave", "aave", "aave"};
  for (std::size_t k = 0; k < 5; ++k) {
    CAPTURE(k);
    Runtime runtime(exact_config());
    auto members = loop_members("loop");
    const std::string failing_id = members[k]["operation_id"];
    FaultSpec reject;
    reject.kind = FaultKind::reject;
    reject.operation_id = failing_id;
    reject.message = "member " + std::to_string(k) + " refused";
    REQUIRE(runtime.inject_fault("main", venues[k], reject));
    auto orders = orders_of(members);
    for (auto& order : ordinary_after("k" + std::to_string(k))) orders.push_back(order);
    auto result = runtime.run_book("main", orders);
    check_group_failed_at(result, 5, k, ErrorCode::ven_rejected, reject.message);
    CHECK(result.results[k].handshake.error_message == reject.message);
    check_ordinary_after(runtime, result, 5);
  }
}

TEST_CASE("the loop failing at each member with the venue's own error leaves everything as before") {
  struct Failing {
    std::string field;  // the member field changed to make it fail
    nlohmann::json value;
    ErrorCode code;
    std::string message_part;
  };
  const Failing failings[] = {
      // No USDC market on aave.
      {"token_out", "USDC", ErrorCode::ven_unknown_asset, "USDC"},
      // The wallet holds 18 WETH after the flash loan.
      {"amount", raw_number("18.5"), ErrorCode::ven_insufficient_balance, "WETH"},
      // The stake gave 9 weETH.
      {"amount", raw_number("9.5"), ErrorCode::ven_insufficient_balance, "weETH"},
      // aave:debtToken:weETH is not subscribed.
      {"token_out", "weETH", ErrorCode::pos_unknown_key, "aave:debtToken:weETH"},
      // More than the 8 WETH flash-borrowed.
      {"amount", raw_number("8.5"), ErrorCode::ven_flash_liability,
       "exceeds the outstanding flash loan"},
  };
  for (std::size_t k = 0; k < 5; ++k) {
    CAPTURE(k);
    Runtime runtime(exact_config());
    auto members = loop_members("loop");
    members[k][failings[k].field] = failings[k].value;
    auto orders = orders_of(members);
    for (auto& order : ordinary_after("k" + std::to_string(k))) orders.push_back(order);
    auto result = runtime.run_book("main", orders);
    check_group_failed_at(result, 5, k, failings[k].code, failings[k].message_part);
    check_ordinary_after(runtime, result, 5);
  }
}

TEST_CASE("groups fail and succeed one after another in the same batch, each all or nothing") {
  Runtime runtime(exact_config());
  // A failed loop, then the same loop under a new group id: it runs as if the first never had.
  auto members = loop_members("first");
  members[4]["amount"] = 9;
  for (auto& json : loop_members("second")) members.push_back(json);
  auto result = runtime.run_book("main", orders_of(members));
  REQUIRE(result.results.size() == 10);
  check_group_failed_at(result, 5, 4, ErrorCode::ven_flash_liability, "flash");
  const char* trade_ids[] = {"aave-1", "etherfi-1", "aave-2", "aave-3", "aave-4"};
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const auto& r = result.results[5 + i];
    CHECK(r.handshake.status == HandshakeStatus::executed);
    CHECK(r.handshake.trade_id == trade_ids[i]);
    CHECK(r.reconciliation.outcome == ReconciliationOutcome::matched);
  }
  CHECK_FALSE(result.halt.halted);
  CHECK(result.positions == after_loop());
  CHECK(all_venue_ledgers(runtime, "main") == after_loop());
}

TEST_CASE("a member that never answers fails the group in doubt and every venue is restored") {
  auto json = tightloop::test::exact_config_json();
  json["venue_timeout_ms"] = 1000;  // the wait for the silent venue; nothing here times it
  Runtime runtime(tightloop::test::config_from(json));
  FaultSpec silent;
  silent.kind = FaultKind::no_reply;
  silent.operation_id = "loop-supply";
  silent.applied = true;  // aave and the wallet apply the supply, then aave goes quiet
  REQUIRE(runtime.inject_fault("main", "aave", silent));
  auto orders = orders_of(loop_members("loop"));
  for (auto& order : ordinary_after("silent")) orders.push_back(order);
  auto result = runtime.run_book("main", orders);
  check_group_failed_at(result, 5, 2, ErrorCode::em_venue_timeout, "did not answer");
  CHECK(result.results[2].handshake.in_doubt);
  check_ordinary_after(runtime, result, 5);
}

// A venue that dies inside a group cannot revert while it is dead. Its checkpoint outlives the
// actor: resume restores it before the restarted venue takes orders, so the group leaves
// nothing behind, not even the flash liability the dead venue was holding.
TEST_CASE("a venue crashing inside a group is put back to its checkpoint when the book resumes") {
  Runtime runtime(exact_config());
  FaultSpec crash;
  crash.kind = FaultKind::crash;
  crash.operation_id = "loop-supply";
  REQUIRE(runtime.inject_fault("main", "aave", crash));
  auto result = runtime.run_book("main", orders_of(loop_members("loop")));
  check_group_failed_at(result, 5, 2, ErrorCode::em_component_down, "venue aave died");
  CHECK(result.results[2].handshake.in_doubt);
  CHECK(result.halt.halted);
  CHECK(result.positions == initial_positions());

  auto resumed = runtime.resume("main");
  CHECK(resumed.resumed);
  CHECK(resumed.restarted_venues == std::vector<std::string>{"aave"});
  CHECK(all_venue_ledgers(runtime, "main") == initial_positions());

  // The 8 WETH flash loan of the failed group is gone: repaying 5 against a new loan of 1 is
  // refused by aave itself, at the member.
  auto probe = runtime.run_book(
      "main", orders_of({member("probe-flash", "aave", "flash_borrow", "token_out", "WETH", "1",
                                "probe", 0),
                         member("probe-repay", "aave", "flash_repay", "token_in", "WETH", "5",
                                "probe", 1)}));
  check_group_failed_at(probe, 2, 1, ErrorCode::ven_flash_liability, "exceeds");
  CHECK(probe.results[1].handshake.error_message ==
        "flash_repay of 5 WETH on 'aave' exceeds the outstanding flash loan of 1");

  auto again = runtime.run_book("main", orders_of(loop_members("again")));
  for (const auto& r : again.results) CHECK(r.handshake.status == HandshakeStatus::executed);
  CHECK(again.positions == after_loop());
  CHECK(all_venue_ledgers(runtime, "main") == after_loop());
}

TEST_CASE("a group that ends without repaying its flash loan fails its last member with VEN-006") {
  SUBCASE("no flash_repay member") {
    Runtime runtime(exact_config());
    auto members = loop_members("open");
    members.pop_back();
    auto result = runtime.run_book("main", orders_of(members));
    REQUIRE(result.results.size() == 4);
    check_group_failed_at(result, 4, 3, ErrorCode::ven_flash_liability, "not repaid");
    CHECK(result.results[3].handshake.error_message ==
          "flash loan of WETH on aave not repaid (8 outstanding at the end of the group)");
    CHECK_FALSE(result.halt.halted);
    CHECK(result.positions == initial_positions());
    CHECK(all_venue_ledgers(runtime, "main") == initial_positions());
  }
  SUBCASE("a flash_repay smaller than the loan") {
    Runtime runtime(exact_config());
    auto members = loop_members("short");
    members[4]["amount"] = 4;
    auto result = runtime.run_book("main", orders_of(members));
    REQUIRE(result.results.size() == 5);
    check_group_failed_at(result, 5, 4, ErrorCode::ven_flash_liability, "not repaid");
    CHECK(result.results[4].handshake.error_message ==
          "flash loan of WETH on aave not repaid (4 outstanding at the end of the group)");
    CHECK_FALSE(result.halt.halted);
    CHECK(result.positions == initial_positions());
    CHECK(all_venue_ledgers(runtime, "main") == initial_positions());
    // The next aave order counts from 1: nothing of the group is left on the venue.
    auto next = runtime.run_book("main", ordinary_after("short"));
    CHECK(next.results[0].handshake.trade_id == "aave-1");
    CHECK(next.positions == after_ordinary(initial_positions()));
    CHECK(all_venue_ledgers(runtime, "main") == after_ordinary(initial_positions()));
  }
}

TEST_CASE("group members given out of order run in sequence_in_group order, results in input order") {
  Runtime runtime(exact_config());
  auto members = loop_members("shuffled");
  // Input order: repay, stake, flash, borrow, supply. Run in input order the repay would come
  // first and fail (no flash loan yet); the group only succeeds in sequence order.
  const std::size_t input_to_member[] = {4, 1, 0, 3, 2};
  const char* trade_ids[] = {"aave-4", "etherfi-1", "aave-1", "aave-3", "aave-2"};
  std::vector<nlohmann::json> shuffled;
  for (auto index : input_to_member) shuffled.push_back(members[index]);
  auto result = runtime.run_book("main", orders_of(shuffled));
  REQUIRE(result.results.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const auto& r = result.results[i];
    CHECK(r.handshake.order.operation_id == shuffled[i]["operation_id"].get<std::string>());
    CHECK(r.handshake.status == HandshakeStatus::executed);
    CHECK(r.handshake.trade_id == trade_ids[i]);
    CHECK(r.reconciliation.outcome == ReconciliationOutcome::matched);
    CHECK(r.reconciliation.attempts == 1);
  }
  CHECK(result.positions == after_loop());
  CHECK(all_venue_ledgers(runtime, "main") == after_loop());
}

TEST_CASE("a repeated sequence_in_group fails with ORD-009 and no member runs") {
  Runtime runtime(exact_config());
  auto members = loop_members("twice");
  members[2]["sequence_in_group"] = 1;  // supply now shares 1 with the stake
  auto orders = orders_of(members);
  for (auto& order : ordinary_after("twice")) orders.push_back(order);
  auto result = runtime.run_book("main", orders);
  REQUIRE(result.results.size() == 7);
  // Run order is flash, stake, supply (the later of the two 1s), borrow, repay.
  const auto& repeated = result.results[2];
  CHECK(repeated.handshake.status == HandshakeStatus::failed);
  CHECK(repeated.handshake.error_code == ErrorCode::ord_bad_group);
  CHECK(repeated.handshake.error_message.find("sequence_in_group 1") != std::string::npos);
  CHECK(repeated.handshake.error_message.find("twice") != std::string::npos);
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    CAPTURE(i);
    const auto& r = result.results[i];
    CHECK(r.handshake.status == HandshakeStatus::skipped);
    CHECK(r.handshake.error_code == ErrorCode::em_group_member_failed);
    CHECK(r.handshake.error_message.find("twice-supply") != std::string::npos);
    CHECK(r.handshake.trade_id.empty());
    CHECK(r.deltas.empty());
  }
  // Nothing ran: the ordinary orders are the first fills of their venues.
  check_ordinary_after(runtime, result, 5);
}

TEST_CASE("flash_borrow and flash_repay outside an atomic group fail with ORD-009") {
  Runtime runtime(exact_config());
  auto result = runtime.run_book(
      "main", orders_of({{{"operation_id", "lone-flash"}, {"venue", "aave"},
                          {"operation", "flash_borrow"}, {"token_out", "WETH"}, {"amount", 8}},
                         {{"operation_id", "lone-repay"}, {"venue", "aave"},
                          {"operation", "flash_repay"}, {"token_in", "WETH"}, {"amount", 8}},
                         {{"operation_id", "after"}, {"venue", "aave"}, {"operation", "supply"},
                          {"token_in", "WETH"}, {"amount", 1}}}));
  REQUIRE(result.results.size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    const auto& r = result.results[i];
    CHECK(r.handshake.status == HandshakeStatus::failed);
    CHECK(r.handshake.error_code == ErrorCode::ord_bad_group);
    CHECK(r.handshake.error_message.find("only valid inside an atomic group") !=
          std::string::npos);
    CHECK(r.deltas.empty());
  }
  CHECK(result.results[2].handshake.status == HandshakeStatus::executed);
  CHECK(result.results[2].handshake.trade_id == "aave-1");
  auto expected = initial_positions();
  expected["wallet:BaseToken:WETH"] += "-1"_amt;
  expected["aave:aToken:WETH"] += "0.8"_amt;  // 1 / 1.25
  CHECK(result.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
}
