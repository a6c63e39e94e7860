#include <doctest/doctest.h>

#include <string>

#include "messages/order_validation.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

Order base_order(Operation operation) {
  Order order;
  order.operation_id = "op-1";
  order.venue = "binance";
  order.operation = operation;
  order.amount = "1"_amt;
  return order;
}

Order spot_buy() {
  Order order = base_order(Operation::spot_trade);
  order.pair = "BTC/USDT";
  order.side = Side::buy;
  return order;
}

Order valid_transfer() {
  Order order = base_order(Operation::transfer);
  order.token_in = "USDT";
  order.target_venue = "wallet";
  return order;
}

// The failure's code and message, or a clear marker when the order passed.
Failure failure_of(const Order& order) {
  auto failure = validate_order(order);
  return failure ? *failure : Failure{ErrorCode::none, "<valid>"};
}

bool message_has(const Failure& failure, const std::string& part) {
  return failure.message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("order validation accepts a valid order of every operation") {
  CHECK_FALSE(validate_order(spot_buy()).has_value());

  Order perp = base_order(Operation::perp_trade);
  perp.pair = "BTC/USDT";
  perp.side = Side::short_;
  CHECK_FALSE(validate_order(perp).has_value());

  // Flash loans are only valid inside an atomic group.
  auto grouped = [](Order order) {
    if (order.operation == Operation::flash_borrow || order.operation == Operation::flash_repay) {
      order.execution_mode = ExecutionMode::atomic;
      order.atomic_group_id = "g";
    }
    return order;
  };
  for (Operation op : {Operation::supply, Operation::repay, Operation::stake,
                       Operation::flash_repay, Operation::unstake}) {
    Order order = base_order(op);
    order.token_in = "WETH";
    CHECK_FALSE(validate_order(grouped(order)).has_value());
  }
  for (Operation op : {Operation::withdraw, Operation::borrow, Operation::flash_borrow}) {
    Order order = base_order(op);
    order.token_out = "WETH";
    CHECK_FALSE(validate_order(grouped(order)).has_value());
  }
  Order swap = base_order(Operation::swap);
  swap.token_in = "WETH";
  swap.token_out = "USDC";
  CHECK_FALSE(validate_order(swap).has_value());

  CHECK_FALSE(validate_order(valid_transfer()).has_value());
  Order explicit_source = valid_transfer();
  explicit_source.source_venue = "binance";
  CHECK_FALSE(validate_order(explicit_source).has_value());
}

TEST_CASE("order validation requires operation_id and venue with ORD-001") {
  Order order = spot_buy();
  order.operation_id.clear();
  CHECK(failure_of(order).code == ErrorCode::ord_missing_field);
  CHECK(failure_of(order).message == "operation_id is required");

  order = spot_buy();
  order.venue.clear();
  CHECK(failure_of(order).code == ErrorCode::ord_missing_field);
  CHECK(failure_of(order).message == "venue is required");
}

// Amounts are exact decimals, so there is no infinity or NaN left to refuse: what the decoder
// cannot read exactly it refuses itself (test_order_json.cpp); validation sees only the sign
// and the range. Messages show the amount's exact text.
TEST_CASE("order validation requires an amount > 0 with ORD-005") {
  Order order = spot_buy();
  order.amount = "-1"_amt;
  CHECK(failure_of(order).code == ErrorCode::ord_out_of_range);
  CHECK(failure_of(order).message == "amount must be > 0 (got -1)");
  order.amount = Amount();
  CHECK(failure_of(order).message == "amount must be > 0 (got 0)");
  order.amount = -Amount::from_raw(1);
  CHECK(failure_of(order).code == ErrorCode::ord_out_of_range);
  CHECK(failure_of(order).message == "amount must be > 0 (got -0.000000000000000001)");
  order.amount = "0.000000000001"_amt;
  CHECK_FALSE(validate_order(order).has_value());
  order.amount = Amount::from_raw(1);  // the smallest step is a valid amount
  CHECK_FALSE(validate_order(order).has_value());
  order.amount = Amount::max();
  CHECK_FALSE(validate_order(order).has_value());
}

TEST_CASE("order validation requires a present price to be > 0 with ORD-005") {
  Order order = spot_buy();
  order.price = Amount();
  CHECK(failure_of(order).code == ErrorCode::ord_out_of_range);
  CHECK(failure_of(order).message == "price must be > 0 (got 0)");
  order.price = "-2.5"_amt;
  CHECK(failure_of(order).message == "price must be > 0 (got -2.5)");
  order.price = "-3030.015"_amt;
  CHECK(failure_of(order).message == "price must be > 0 (got -3030.015)");
  order.price = "100"_amt;
  order.order_type = OrderType::limit;
  CHECK_FALSE(validate_order(order).has_value());
  order.price = Amount::from_raw(1);
  CHECK_FALSE(validate_order(order).has_value());
}

TEST_CASE("order validation requires slippage_tolerance at least 0 and below 1 with ORD-005") {
  Order order = spot_buy();
  order.slippage_tolerance = Amount();
  CHECK_FALSE(validate_order(order).has_value());
  order.slippage_tolerance = "0.999"_amt;
  CHECK_FALSE(validate_order(order).has_value());
  order.slippage_tolerance = "0.999999999999999999"_amt;  // one step below 1
  CHECK_FALSE(validate_order(order).has_value());
  order.slippage_tolerance = "1"_amt;
  CHECK(failure_of(order).code == ErrorCode::ord_out_of_range);
  CHECK(failure_of(order).message == "slippage_tolerance must be in [0, 1) (got 1)");
  order.slippage_tolerance = "-0.1"_amt;
  CHECK(failure_of(order).message == "slippage_tolerance must be in [0, 1) (got -0.1)");
  order.slippage_tolerance = -Amount::from_raw(1);
  CHECK(failure_of(order).code == ErrorCode::ord_out_of_range);
  CHECK(failure_of(order).message ==
        "slippage_tolerance must be in [0, 1) (got -0.000000000000000001)");
}

TEST_CASE("order validation requires sequence_in_group >= 0 with ORD-005") {
  Order order = spot_buy();
  order.execution_mode = ExecutionMode::atomic;
  order.atomic_group_id = "g";
  order.sequence_in_group = 0;
  CHECK_FALSE(validate_order(order).has_value());
  order.sequence_in_group = -1;
  CHECK(failure_of(order).code == ErrorCode::ord_out_of_range);
  CHECK(failure_of(order).message == "sequence_in_group must be >= 0 (got -1)");
}

TEST_CASE("order validation: spot_trade needs pair BASE/QUOTE and side BUY or SELL (ORD-006)") {
  Order order = spot_buy();
  order.pair.clear();
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(message_has(failure_of(order), "spot_trade needs pair"));

  for (const char* bad : {"BTCUSDT", "BTC/", "/USDT", "BTC/USDT/X", "/"}) {
    CAPTURE(bad);
    order.pair = bad;
    CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
    CHECK(message_has(failure_of(order), "spot_trade needs pair as BASE/QUOTE"));
    CHECK(message_has(failure_of(order), std::string("(got '") + bad + "')"));
  }

  order = spot_buy();
  order.side.reset();
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(failure_of(order).message ==
        "spot_trade needs side BUY or SELL (the direction of the trade)");
  order.side = Side::sell;
  CHECK_FALSE(validate_order(order).has_value());
  order.side = Side::long_;
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(failure_of(order).message == "spot_trade needs side BUY or SELL (got LONG)");
}

TEST_CASE("order validation: perp_trade needs pair BASE/QUOTE and side LONG or SHORT (ORD-006)") {
  Order order = base_order(Operation::perp_trade);
  order.side = Side::long_;
  CHECK(message_has(failure_of(order), "perp_trade needs pair"));
  order.pair = "BTCUSDT";
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(message_has(failure_of(order), "perp_trade needs pair as BASE/QUOTE"));
  order.pair = "BTC/USDT";
  CHECK_FALSE(validate_order(order).has_value());
  order.side = Side::buy;
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(failure_of(order).message == "perp_trade needs side LONG or SHORT (got BUY)");
  order.side.reset();
  CHECK(message_has(failure_of(order), "perp_trade needs side LONG or SHORT"));
}

TEST_CASE(
    "order validation: supply, repay, stake, flash_repay and unstake need token_in "
    "(ORD-006)") {
  for (Operation op : {Operation::supply, Operation::repay, Operation::stake,
                       Operation::flash_repay, Operation::unstake}) {
    Order order = base_order(op);
    order.token_out = "WETH";  // the other direction does not count
    const Failure failure = failure_of(order);
    CHECK(failure.code == ErrorCode::ord_missing_operation_field);
    CHECK(message_has(failure, std::string(to_string(op)) + " needs token_in ("));
  }
  CHECK(failure_of(base_order(Operation::supply)).message ==
        "supply needs token_in (the asset going into the venue)");
  CHECK(failure_of(base_order(Operation::unstake)).message ==
        "unstake needs token_in (the LST going into the staking venue)");
}

TEST_CASE("order validation: withdraw, borrow and flash_borrow need token_out (ORD-006)") {
  for (Operation op : {Operation::withdraw, Operation::borrow, Operation::flash_borrow}) {
    Order order = base_order(op);
    order.token_in = "WETH";
    const Failure failure = failure_of(order);
    CHECK(failure.code == ErrorCode::ord_missing_operation_field);
    CHECK(failure.message ==
          std::string(to_string(op)) + " needs token_out (the asset coming out of the venue)");
  }
}

TEST_CASE("order validation: swap needs different token_in and token_out (ORD-006)") {
  Order order = base_order(Operation::swap);
  order.token_out = "USDC";
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(failure_of(order).message == "swap needs token_in (the asset sold)");
  order.token_in = "WETH";
  order.token_out.clear();
  CHECK(failure_of(order).message == "swap needs token_out (the asset bought)");
  order.token_out = "WETH";
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(failure_of(order).message ==
        "swap needs token_in and token_out to differ (both are 'WETH')");
}

TEST_CASE(
    "order validation: transfer needs token_in and another target_venue, source_venue "
    "equal to venue (ORD-006)") {
  Order order = valid_transfer();
  order.token_in.clear();
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(failure_of(order).message == "transfer needs token_in (the asset sent)");

  order = valid_transfer();
  order.target_venue.clear();
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(message_has(failure_of(order), "transfer needs target_venue"));

  order = valid_transfer();
  order.target_venue = "binance";
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(failure_of(order).message ==
        "transfer needs target_venue different from venue (both are 'binance')");

  order = valid_transfer();
  order.source_venue = "okx";
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(message_has(failure_of(order), "source_venue empty or equal to venue"));
  CHECK(message_has(failure_of(order), "(got 'okx', venue 'binance')"));
}

TEST_CASE("order validation: a limit order needs price (ORD-006)") {
  Order order = spot_buy();
  order.order_type = OrderType::limit;
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  CHECK(message_has(failure_of(order), "limit order needs price"));
  order.price = "60000"_amt;
  CHECK_FALSE(validate_order(order).has_value());
}

TEST_CASE("order validation checks atomic group consistency with ORD-009") {
  Order order = spot_buy();
  order.execution_mode = ExecutionMode::atomic;
  CHECK(failure_of(order).code == ErrorCode::ord_bad_group);
  CHECK(message_has(failure_of(order), "execution_mode atomic needs atomic_group_id"));

  order = spot_buy();
  order.atomic_group_id = "g-1";
  CHECK(failure_of(order).code == ErrorCode::ord_bad_group);
  CHECK(failure_of(order).message == "atomic_group_id 'g-1' needs execution_mode atomic");

  order = spot_buy();
  order.sequence_in_group = 1;
  CHECK(failure_of(order).code == ErrorCode::ord_bad_group);
  CHECK(message_has(failure_of(order), "sequence_in_group needs atomic_group_id"));

  order.atomic_group_id = "g-1";
  order.execution_mode = ExecutionMode::atomic;
  CHECK_FALSE(validate_order(order).has_value());
}

TEST_CASE("order validation reports the first failure: ORD-001, ORD-005, ORD-006, ORD-009") {
  Order order = base_order(Operation::swap);  // ORD-006: no tokens
  order.atomic_group_id = "g";                // ORD-009
  order.amount = "-3"_amt;                    // ORD-005
  order.venue.clear();                        // ORD-001
  CHECK(failure_of(order).code == ErrorCode::ord_missing_field);
  order.venue = "uniswap";
  CHECK(failure_of(order).code == ErrorCode::ord_out_of_range);
  order.amount = "3"_amt;
  CHECK(failure_of(order).code == ErrorCode::ord_missing_operation_field);
  order.token_in = "WETH";
  order.token_out = "USDC";
  CHECK(failure_of(order).code == ErrorCode::ord_bad_group);
}

TEST_CASE("order validation refuses flash_borrow and flash_repay outside an atomic group (ORD-009)") {
  for (Operation op : {Operation::flash_borrow, Operation::flash_repay}) {
    Order order = base_order(op);
    order.token_in = "WETH";
    order.token_out = "WETH";
    auto failure = validate_order(order);
    REQUIRE(failure.has_value());
    CHECK(failure->code == ErrorCode::ord_bad_group);
    CHECK(message_has(*failure, "only valid inside an atomic group"));
    order.execution_mode = ExecutionMode::atomic;
    order.atomic_group_id = "loop";
    CHECK_FALSE(validate_order(order).has_value());
  }
}
