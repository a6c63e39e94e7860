#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "messages/order_json.hpp"

using nlohmann::json;
using namespace tightloop;

namespace {

// Every wire field set, numbers written as floats so the text round trip is exact too.
json full_order_json() {
  return json::parse(R"({
    "operation_id": "op-1",
    "book": "alpha",
    "venue": "binance",
    "operation": "spot_trade",
    "pair": "BTC/USDT",
    "side": "BUY",
    "amount": 0.5,
    "price": 65000.25,
    "order_type": "limit",
    "token_in": "USDT",
    "token_out": "BTC",
    "source_venue": "binance",
    "target_venue": "wallet",
    "execution_mode": "atomic",
    "atomic_group_id": "g-7",
    "sequence_in_group": 2,
    "slippage_tolerance": 0.005,
    "strategy_intent": "enter basis",
    "expected_deltas": {"binance:BaseToken:BTC": 0.5, "binance:BaseToken:USDT": -32500.125},
    "metadata": {"note": "x", "nested": {"list": [1, 2.5, "z"]}, "flag": true},
    "timestamp": "2024-05-01T00:00:00Z"
  })");
}

json minimal_order_json() {
  return json{{"operation_id", "op-1"},
              {"venue", "aave"},
              {"operation", "supply"},
              {"amount", 1.5},
              {"token_in", "WETH"}};
}

Failure decode_failure(const json& value) { return decode_order(value).failure; }

bool message_has(const Failure& failure, const std::string& part) {
  return failure.message.find(part) != std::string::npos;
}

const std::vector<std::string> text_fields{"operation_id",    "book",
                                           "venue",           "pair",
                                           "token_in",        "token_out",
                                           "source_venue",    "target_venue",
                                           "atomic_group_id", "strategy_intent",
                                           "timestamp"};

}  // namespace

TEST_CASE("order decoding reads every field of a full order") {
  const DecodedOrder decoded = decode_order(full_order_json());
  REQUIRE(decoded.ok());
  const Order& o = decoded.order;
  CHECK(o.operation_id == "op-1");
  CHECK(o.book == "alpha");
  CHECK(o.venue == "binance");
  CHECK(o.operation == Operation::spot_trade);
  CHECK(o.pair == "BTC/USDT");
  REQUIRE(o.side.has_value());
  CHECK(*o.side == Side::buy);
  CHECK(o.amount == 0.5);
  REQUIRE(o.price.has_value());
  CHECK(*o.price == 65000.25);
  CHECK(o.order_type == OrderType::limit);
  CHECK(o.token_in == "USDT");
  CHECK(o.token_out == "BTC");
  CHECK(o.source_venue == "binance");
  CHECK(o.target_venue == "wallet");
  CHECK(o.execution_mode == ExecutionMode::atomic);
  CHECK(o.atomic_group_id == "g-7");
  REQUIRE(o.sequence_in_group.has_value());
  CHECK(*o.sequence_in_group == 2);
  REQUIRE(o.slippage_tolerance.has_value());
  CHECK(*o.slippage_tolerance == 0.005);
  CHECK(o.strategy_intent == "enter basis");
  CHECK(o.expected_deltas == std::map<std::string, double>{{"binance:BaseToken:BTC", 0.5},
                                                           {"binance:BaseToken:USDT", -32500.125}});
  CHECK(o.metadata_json == R"({"flag":true,"nested":{"list":[1,2.5,"z"]},"note":"x"})");
  CHECK(o.timestamp == "2024-05-01T00:00:00Z");
}

TEST_CASE("order encoding round-trips a full order exactly") {
  const json input = full_order_json();
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  const json output = encode_order(decoded.order);
  CHECK(output == input);
  CHECK(output.dump() == input.dump());
  CHECK(output["metadata"].is_object());
}

TEST_CASE("order encoding writes only present fields plus the always-set enums") {
  const DecodedOrder decoded = decode_order(minimal_order_json());
  REQUIRE(decoded.ok());
  json expected = minimal_order_json();
  expected["order_type"] = "market";
  expected["execution_mode"] = "sequential";
  CHECK(encode_order(decoded.order) == expected);
  CHECK(encode_order(decoded.order).dump() ==
        R"({"amount":1.5,"execution_mode":"sequential","operation":"supply",)"
        R"("operation_id":"op-1","order_type":"market","token_in":"WETH","venue":"aave"})");
}

TEST_CASE("order encoding round-trips each enum spelling") {
  for (const char* side : {"BUY", "SELL", "LONG", "SHORT"}) {
    json input = minimal_order_json();
    input["side"] = side;
    const DecodedOrder decoded = decode_order(input);
    REQUIRE(decoded.ok());
    CHECK(encode_order(decoded.order)["side"] == side);
  }
  for (const char* op : {"spot_trade", "perp_trade", "supply", "withdraw", "borrow", "repay",
                         "stake", "unstake", "swap", "flash_borrow", "flash_repay", "transfer"}) {
    json input = minimal_order_json();
    input["operation"] = op;
    const DecodedOrder decoded = decode_order(input);
    REQUIRE(decoded.ok());
    CHECK(encode_order(decoded.order)["operation"] == op);
  }
}

TEST_CASE("order decoding rejects a value that is not an object with ORD-003") {
  for (const json& value : {json::array({1}), json("order"), json(nullptr), json(3)}) {
    const Failure failure = decode_failure(value);
    CHECK(failure.code == ErrorCode::ord_wrong_type);
    CHECK(message_has(failure, "order must be a JSON object"));
  }
}

TEST_CASE("order decoding rejects unknown fields with ORD-002") {
  json input = minimal_order_json();
  input["operationId"] = "op-1";
  const Failure failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_unknown_field);
  CHECK(message_has(failure, "unknown field 'operationId'"));
  CHECK(message_has(failure, "(allowed: operation_id, book, venue, operation, pair, side,"));
  CHECK(message_has(failure, "metadata, timestamp)"));
}

TEST_CASE("order decoding reports the first unknown field in key order") {
  json input = minimal_order_json();
  input["zulu"] = 1;
  input["alpha"] = 1;
  input["mike"] = 1;
  CHECK(message_has(decode_failure(input), "unknown field 'alpha'"));
}

TEST_CASE("order decoding requires operation_id, venue, operation and amount with ORD-001") {
  for (const char* field : {"operation_id", "venue", "operation", "amount"}) {
    CAPTURE(field);
    json missing = minimal_order_json();
    missing.erase(field);
    Failure failure = decode_failure(missing);
    CHECK(failure.code == ErrorCode::ord_missing_field);
    CHECK(failure.message == std::string(field) + " is required");

    // null is a wrong type, not "absent" (docs/ORDER_FORMAT.md).
    json null_valued = minimal_order_json();
    null_valued[field] = nullptr;
    failure = decode_failure(null_valued);
    CHECK(failure.code == ErrorCode::ord_wrong_type);
    CHECK(failure.message == std::string(field) + " must not be null (leave an optional field out)");
  }
}

TEST_CASE("order decoding rejects empty and non-string text fields with ORD-003") {
  for (const auto& field : text_fields) {
    CAPTURE(field);
    for (const json& bad : {json(""), json(5), json(true), json::array(), json::object()}) {
      json input = minimal_order_json();
      input[field] = bad;
      const Failure failure = decode_failure(input);
      CHECK(failure.code == ErrorCode::ord_wrong_type);
      CHECK(message_has(failure, field + " must be a non-empty string"));
    }
  }
  json input = minimal_order_json();
  input["pair"] = "";
  CHECK(decode_failure(input).message == "pair must be a non-empty string (got empty string)");
  input["pair"] = 7;
  CHECK(decode_failure(input).message == "pair must be a non-empty string (got number)");
}

TEST_CASE("order decoding reads integer and float numbers as doubles") {
  json input = minimal_order_json();
  input["amount"] = 3;
  input["price"] = 2;
  input["slippage_tolerance"] = 0;
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  CHECK(decoded.order.amount == 3.0);
  CHECK(*decoded.order.price == 2.0);
  CHECK(*decoded.order.slippage_tolerance == 0.0);
}

TEST_CASE(
    "order decoding rejects non-numbers in amount, price and slippage_tolerance with "
    "ORD-003") {
  for (const char* field : {"amount", "price", "slippage_tolerance"}) {
    CAPTURE(field);
    for (const json& bad : {json("1.5"), json(true), json::array({1}), json::object()}) {
      json input = minimal_order_json();
      input[field] = bad;
      const Failure failure = decode_failure(input);
      CHECK(failure.code == ErrorCode::ord_wrong_type);
      CHECK(message_has(failure, std::string(field) + " must be a number"));
    }
  }
  json input = minimal_order_json();
  input["amount"] = "1.5";
  CHECK(decode_failure(input).message == "amount must be a number (got string)");
}

TEST_CASE("order decoding requires sequence_in_group to be a JSON integer") {
  json input = minimal_order_json();
  input["sequence_in_group"] = 4;
  CHECK(*decode_order(input).order.sequence_in_group == 4);
  // The decoder is structural: a negative index is the validator's ORD-005.
  input["sequence_in_group"] = -2;
  CHECK(decode_order(input).ok());
  CHECK(*decode_order(input).order.sequence_in_group == -2);

  for (const json& bad : {json(1.5), json::parse("1.0"), json("1"), json(false),
                          json(std::uint64_t{18446744073709551615ULL})}) {
    CAPTURE(bad.dump());
    input["sequence_in_group"] = bad;
    const DecodedOrder decoded = decode_order(input);
    CHECK(decoded.failure.code == ErrorCode::ord_wrong_type);
    CHECK(message_has(decoded.failure, "sequence_in_group must be a 64-bit integer"));
    CHECK_FALSE(decoded.order.sequence_in_group.has_value());
  }
}

TEST_CASE("order decoding requires expected_deltas to be an object of numbers") {
  json input = minimal_order_json();
  input["expected_deltas"] = json::array({1.0});
  Failure failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_wrong_type);
  CHECK(failure.message == "expected_deltas must be an object of numbers (got array)");

  input["expected_deltas"] = {{"aave:aToken:WETH", 1.0}, {"wallet:BaseToken:WETH", "-1"}};
  const DecodedOrder decoded = decode_order(input);
  CHECK(decoded.failure.code == ErrorCode::ord_wrong_type);
  CHECK(message_has(decoded.failure, "entry 'wallet:BaseToken:WETH' is not a number"));
  CHECK(decoded.order.expected_deltas.empty());  // not half-read

  input["expected_deltas"] = {{"aave:aToken:WETH", 1}, {"wallet:BaseToken:WETH", -1.5}};
  const DecodedOrder good = decode_order(input);
  REQUIRE(good.ok());
  CHECK(good.order.expected_deltas ==
        std::map<std::string, double>{{"aave:aToken:WETH", 1.0}, {"wallet:BaseToken:WETH", -1.5}});
}

TEST_CASE("order decoding stores metadata as compact JSON and requires an object") {
  json input = minimal_order_json();
  input["metadata"] = json::parse(R"({ "b" : [ 1, {"c": null} ], "a": "text" })");
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  CHECK(decoded.order.metadata_json == R"({"a":"text","b":[1,{"c":null}]})");
  CHECK(encode_order(decoded.order)["metadata"] == input["metadata"]);

  input["metadata"] = json::object();
  CHECK(decode_order(input).order.metadata_json == "{}");
  CHECK(encode_order(decode_order(input).order)["metadata"] == json::object());

  for (const json& bad : {json::array(), json("{}"), json(1)}) {
    input["metadata"] = bad;
    const Failure failure = decode_failure(input);
    CHECK(failure.code == ErrorCode::ord_wrong_type);
    CHECK(message_has(failure, "metadata must be a JSON object"));
  }
}

TEST_CASE("order decoding rejects unknown enum spellings with ORD-004 and lists the allowed ones") {
  json input = minimal_order_json();
  input["operation"] = "foo";
  Failure failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_invalid_enum);
  CHECK(failure.message ==
        "operation 'foo' is not one of spot_trade, perp_trade, supply, withdraw, borrow, repay, "
        "stake, unstake, swap, flash_borrow, flash_repay, transfer");

  input = minimal_order_json();
  input["side"] = "buy";  // case-sensitive
  failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_invalid_enum);
  CHECK(failure.message == "side 'buy' is not one of BUY, SELL, LONG, SHORT");

  input = minimal_order_json();
  input["order_type"] = "stop";
  failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_invalid_enum);
  CHECK(failure.message == "order_type 'stop' is not one of market, limit");

  input = minimal_order_json();
  input["execution_mode"] = "";
  failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_invalid_enum);
  CHECK(failure.message == "execution_mode '' is not one of sequential, atomic");
}

TEST_CASE("order decoding rejects a non-string enum with ORD-003") {
  for (const char* field : {"operation", "side", "order_type", "execution_mode"}) {
    CAPTURE(field);
    json input = minimal_order_json();
    input[field] = 1;
    const Failure failure = decode_failure(input);
    CHECK(failure.code == ErrorCode::ord_wrong_type);
    CHECK(message_has(failure, std::string(field) + " must be a string, one of "));
  }
}

TEST_CASE("order decoding refuses null on every optional field with ORD-003") {
  for (const char* field :
       {"book", "pair", "side", "price", "order_type", "token_in", "token_out", "source_venue",
        "target_venue", "execution_mode", "atomic_group_id", "sequence_in_group",
        "slippage_tolerance", "strategy_intent", "expected_deltas", "metadata", "timestamp"}) {
    CAPTURE(field);
    json input = minimal_order_json();
    input[field] = nullptr;
    Failure failure = decode_failure(input);
    CHECK(failure.code == ErrorCode::ord_wrong_type);
    CHECK(failure.message == std::string(field) + " must not be null (leave an optional field out)");
  }
}

TEST_CASE("order decoding reports the first failure in a fixed order") {
  // Several faults at once: missing amount, bad side, empty pair, non-number price.
  json input = minimal_order_json();
  input.erase("amount");
  input["side"] = "up";
  input["pair"] = "";
  input["price"] = "x";
  // pair comes before side, side before amount, amount before price (wire order).
  Failure failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_wrong_type);
  CHECK(message_has(failure, "pair must be a non-empty string"));

  input.erase("pair");
  failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_invalid_enum);
  CHECK(message_has(failure, "side 'up'"));

  input.erase("side");
  CHECK(decode_failure(input).message == "amount is required");

  // An unknown field is reported before any field's own fault.
  input["extra"] = 1;
  failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_unknown_field);
  CHECK(message_has(failure, "'extra'"));

  // Decoding the same value twice gives the same failure.
  CHECK(decode_failure(input).message == failure.message);
}

TEST_CASE("a failed order decode still carries operation_id, book and venue") {
  json input = minimal_order_json();
  input["book"] = "beta";
  input["amount"] = "lots";
  input["bogus"] = true;
  input["timestamp"] = "t0";
  const DecodedOrder decoded = decode_order(input);
  CHECK_FALSE(decoded.ok());
  CHECK(decoded.failure.code == ErrorCode::ord_unknown_field);
  CHECK(decoded.order.operation_id == "op-1");
  CHECK(decoded.order.book == "beta");
  CHECK(decoded.order.venue == "aave");
  CHECK(decoded.order.operation == Operation::supply);
  CHECK(decoded.order.token_in == "WETH");
  CHECK(decoded.order.timestamp == "t0");
  CHECK(decoded.order.amount == 0.0);  // the unreadable field keeps its default
}

TEST_CASE("order encoding writes -0.0 as 0.0") {
  Order order = decode_order(minimal_order_json()).order;
  order.expected_deltas["aave:aToken:WETH"] = -0.0;
  order.metadata_json = R"({"z":-0.0,"list":[-0.0]})";
  const std::string text = encode_order(order).dump();
  CHECK(text.find("-0") == std::string::npos);
  CHECK(text.find(R"("aave:aToken:WETH":0.0)") != std::string::npos);
  CHECK(text.find(R"("metadata":{"list":[0.0],"z":0.0})") != std::string::npos);
  CHECK_FALSE(std::signbit(wire_double(-0.0)));
  CHECK(wire_double(-2.5) == -2.5);
}

TEST_CASE("order encoding keeps metadata that is not valid JSON as a string") {
  Order order = decode_order(minimal_order_json()).order;
  order.metadata_json = "{not json";
  CHECK(encode_order(order)["metadata"] == "{not json");
}
