#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "messages/order_json.hpp"
#include "tests/test_support.hpp"

using nlohmann::json;
using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

// JSON text read as every input is (parse_json): non-integer numbers keep their own text.
json parsed(const std::string& text) {
  auto result = parse_json(text);
  REQUIRE_MESSAGE(result.ok(), (result.error ? result.error->message : std::string()));
  return result.value;
}

json operator""_parsed(const char* text, std::size_t size) {
  return parsed(std::string(text, size));
}

// Every wire field set, numbers in their shortest form so the text round trip is exact too.
json full_order_json() {
  return parsed(R"({
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
  return R"({"operation_id": "op-1", "venue": "aave", "operation": "supply", "amount": 1.5,
             "token_in": "WETH"})"_parsed;
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
  CHECK(o.amount == "0.5"_amt);
  REQUIRE(o.price.has_value());
  CHECK(*o.price == "65000.25"_amt);
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
  CHECK(*o.slippage_tolerance == "0.005"_amt);
  CHECK(o.strategy_intent == "enter basis");
  CHECK(o.expected_deltas ==
        std::map<std::string, Amount>{{"binance:BaseToken:BTC", "0.5"_amt},
                                      {"binance:BaseToken:USDT", "-32500.125"_amt}});
  CHECK(o.metadata_json == R"({"flag":true,"nested":{"list":[1,2.5,"z"]},"note":"x"})");
  CHECK(o.timestamp == "2024-05-01T00:00:00Z");
}

TEST_CASE("order encoding round-trips a full order exactly") {
  const json input = full_order_json();
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  const json output = encode_order(decoded.order);
  CHECK(output == input);
  CHECK(dump_json(output) == dump_json(input));
  CHECK(output["metadata"].is_object());
  CHECK(dump_json(output["metadata"]) ==
        R"({"flag":true,"nested":{"list":[1,2.5,"z"]},"note":"x"})");
}

TEST_CASE("order encoding writes only present fields plus the always-set enums") {
  const DecodedOrder decoded = decode_order(minimal_order_json());
  REQUIRE(decoded.ok());
  json expected = minimal_order_json();
  expected["order_type"] = "market";
  expected["execution_mode"] = "sequential";
  CHECK(encode_order(decoded.order) == expected);
  CHECK(dump_json(encode_order(decoded.order)) ==
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

TEST_CASE("order decoding reads integers and non-integers as exact amounts") {
  json input = minimal_order_json();
  input["amount"] = 3;
  input["price"] = 2;
  input["slippage_tolerance"] = 0;
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  CHECK(decoded.order.amount == Amount::units(3));
  CHECK(*decoded.order.price == Amount::units(2));
  CHECK(*decoded.order.slippage_tolerance == Amount());

  // Beyond uint64 (kept as text by the parser), still within the amount range.
  input = parsed(R"({"operation_id": "op-1", "venue": "aave", "operation": "supply",
                     "token_in": "WETH", "amount": 100000000000000000000})");
  REQUIRE(decode_order(input).ok());
  CHECK(decode_order(input).order.amount == "1e20"_amt);
}

TEST_CASE("an amount as a JSON string and as a JSON number decode to the same exact amount") {
  const Amount tenth = Amount::from_raw(Amount::scale / 10);
  for (const char* field : {"amount", "price", "slippage_tolerance"}) {
    CAPTURE(field);
    json as_number = minimal_order_json();
    as_number[field] = parsed("0.1");
    json as_string = minimal_order_json();
    as_string[field] = "0.1";
    const DecodedOrder from_number = decode_order(as_number);
    const DecodedOrder from_string = decode_order(as_string);
    REQUIRE(from_number.ok());
    REQUIRE(from_string.ok());
    CHECK(encode_order(from_number.order) == encode_order(from_string.order));
  }
  json input = minimal_order_json();
  input["amount"] = "0.1";
  input["price"] = "60000.5";
  input["expected_deltas"] = R"({"aave:aToken:WETH": "0.1", "wallet:BaseToken:WETH": -0.1})"_parsed;
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  CHECK(decoded.order.amount == tenth);
  CHECK(decoded.order.amount == decode_order(minimal_order_json()).order.amount - "1.4"_amt);
  CHECK(*decoded.order.price == "60000.5"_amt);
  CHECK(decoded.order.expected_deltas ==
        std::map<std::string, Amount>{{"aave:aToken:WETH", tenth},
                                      {"wallet:BaseToken:WETH", -tenth}});
  // Other spellings of the same decimal are the same amount.
  for (const char* text : {"0.10", "1e-1", "1E-1", "0.01e1", "0.100000000000000000000"}) {
    CAPTURE(text);
    input["amount"] = parsed(text);
    REQUIRE(decode_order(input).ok());
    CHECK(decode_order(input).order.amount == tenth);
    input["amount"] = text;
    REQUIRE(decode_order(input).ok());
    CHECK(decode_order(input).order.amount == tenth);
  }
}

TEST_CASE("an amount with 18 significant digits decodes exactly: no binary64 on the way") {
  // A binary64 holds 15-17 significant digits: 0.123456789012345678 would read back as
  // 0.12345678901234568.
  const json input = R"({"operation_id": "op-1", "venue": "aave", "operation": "supply",
                         "token_in": "WETH", "amount": 0.123456789012345678,
                         "expected_deltas": {"wallet:BaseToken:WETH": -0.123456789012345678}})"_parsed;
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  CHECK(decoded.order.amount.raw() == 123456789012345678);
  CHECK(format(decoded.order.amount) == "0.123456789012345678");
  CHECK(decoded.order.expected_deltas.at("wallet:BaseToken:WETH").raw() == -123456789012345678);
  const std::string text = dump_json(encode_order(decoded.order));
  CHECK(text.find(R"("amount":0.123456789012345678,)") != std::string::npos);
  CHECK(text.find(R"("wallet:BaseToken:WETH":-0.123456789012345678})") != std::string::npos);

  // The smallest step, and the largest whole numbers a binary64 cannot hold.
  json input2 = minimal_order_json();
  input2["amount"] = parsed("0.000000000000000001");
  CHECK(decode_order(input2).order.amount == Amount::from_raw(1));
  input2["amount"] = parsed("9007199254740993");  // 2^53 + 1
  CHECK(format(decode_order(input2).order.amount) == "9007199254740993");
  input2["amount"] = "12345678901234567890.123456789012345678";
  REQUIRE(decode_order(input2).ok());
  CHECK(format(decode_order(input2).order.amount) == "12345678901234567890.123456789012345678");
}

TEST_CASE("an amount with more than 18 fractional digits is refused with ORD-005, never rounded") {
  for (const char* field : {"amount", "price", "slippage_tolerance"}) {
    CAPTURE(field);
    for (const json& bad : {parsed("0.1234567890123456789"), json("0.1234567890123456789"),
                            parsed("1e-19"), json("0.0000000000000000001")}) {
      CAPTURE(dump_json(bad));
      json input = minimal_order_json();
      input[field] = bad;
      const DecodedOrder decoded = decode_order(input);
      CHECK(decoded.failure.code == ErrorCode::ord_out_of_range);
      CHECK(message_has(decoded.failure, std::string(field) + " must be an exact decimal"));
      CHECK(message_has(decoded.failure, "has more than 18 fractional digits"));
    }
  }
  json input = minimal_order_json();
  input["amount"] = parsed("0.1234567890123456789");
  CHECK(decode_failure(input).message ==
        "amount must be an exact decimal (at most 18 fractional digits, magnitude below "
        "1.7e20): '0.1234567890123456789' has more than 18 fractional digits");
  // Zeros beyond the 18th place change nothing: the value is still exact.
  input["amount"] = parsed("0.1000000000000000000");
  CHECK(decode_order(input).ok());

  input = minimal_order_json();
  input["expected_deltas"] =
      R"({"aave:aToken:WETH": 1, "wallet:BaseToken:WETH": 0.1234567890123456789})"_parsed;
  const DecodedOrder decoded = decode_order(input);
  CHECK(decoded.failure.code == ErrorCode::ord_out_of_range);
  CHECK(message_has(decoded.failure,
                    "expected_deltas entry 'wallet:BaseToken:WETH' must be an exact decimal"));
  CHECK(decoded.order.expected_deltas.empty());  // not half-read
}

TEST_CASE("NaN, Infinity, out-of-range and non-decimal strings are refused with ORD-005") {
  for (const char* field : {"amount", "price", "slippage_tolerance"}) {
    for (const char* text : {"NaN", "nan", "Infinity", "-Infinity", "inf", "1e999", "1e21", "-1e21",
                             "0x10", "+1", " 1", "1 ", "1,5", "1.", ".5", "01", "lots"}) {
      CAPTURE(field);
      CAPTURE(text);
      json input = minimal_order_json();
      input[field] = text;
      const DecodedOrder decoded = decode_order(input);
      CHECK(decoded.failure.code == ErrorCode::ord_out_of_range);
      CHECK(message_has(decoded.failure, std::string(field) + " must be an exact decimal"));
      CHECK(message_has(decoded.failure, std::string("'") + text + "'"));
    }
  }
  // A number the parser keeps as text but the amount range does not hold.
  json input = minimal_order_json();
  input["amount"] = parsed("1e300");
  CHECK(decode_failure(input).code == ErrorCode::ord_out_of_range);
  CHECK(message_has(decode_failure(input), "'1e300' is out of range"));
  input["amount"] = "NaN";
  CHECK(decode_failure(input).message ==
        "amount must be an exact decimal (at most 18 fractional digits, magnitude below "
        "1.7e20): 'NaN' is not a decimal number");
}

TEST_CASE(
    "order decoding rejects other JSON types in amount, price and slippage_tolerance with "
    "ORD-003") {
  for (const char* field : {"amount", "price", "slippage_tolerance"}) {
    CAPTURE(field);
    for (const json& bad : {json(""), json(true), json::array({1}), json::object()}) {
      json input = minimal_order_json();
      input[field] = bad;
      const Failure failure = decode_failure(input);
      CHECK(failure.code == ErrorCode::ord_wrong_type);
      CHECK(message_has(failure, std::string(field) + " must be a number or a decimal string"));
    }
  }
  json input = minimal_order_json();
  input["amount"] = true;
  CHECK(decode_failure(input).message ==
        "amount must be a number or a decimal string (got boolean)");
  input["amount"] = "";
  CHECK(decode_failure(input).message ==
        "amount must be a number or a decimal string (got empty string)");
}

TEST_CASE("a binary64 put into a json by code is read from its shortest round-trip digits") {
  // parse_json never makes one; code that builds a document with doubles means the digits it
  // wrote.
  json input = minimal_order_json();
  input["amount"] = 0.1;
  input["price"] = 3030.015;
  input["expected_deltas"] = {{"aave:aToken:WETH", -0.6}};
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  CHECK(decoded.order.amount == "0.1"_amt);
  CHECK(*decoded.order.price == "3030.015"_amt);
  CHECK(decoded.order.expected_deltas.at("aave:aToken:WETH") == "-0.6"_amt);
  input = minimal_order_json();
  input["amount"] = std::numeric_limits<double>::infinity();
  CHECK(decode_failure(input).code == ErrorCode::ord_out_of_range);
  input["amount"] = 1e-19;
  CHECK(decode_failure(input).code == ErrorCode::ord_out_of_range);
  CHECK(message_has(decode_failure(input), "has more than 18 fractional digits"));
}

TEST_CASE("order decoding requires sequence_in_group to be a JSON integer") {
  json input = minimal_order_json();
  input["sequence_in_group"] = 4;
  CHECK(*decode_order(input).order.sequence_in_group == 4);
  // The decoder is structural: a negative index is the validator's ORD-005.
  input["sequence_in_group"] = -2;
  CHECK(decode_order(input).ok());
  CHECK(*decode_order(input).order.sequence_in_group == -2);

  for (const json& bad : {parsed("1.5"), parsed("1.0"), parsed("1e2"), json(1.5), json("1"),
                          json(false), json(std::uint64_t{18446744073709551615ULL})}) {
    CAPTURE(dump_json(bad));
    input["sequence_in_group"] = bad;
    const DecodedOrder decoded = decode_order(input);
    CHECK(decoded.failure.code == ErrorCode::ord_wrong_type);
    CHECK(message_has(decoded.failure, "sequence_in_group must be a 64-bit integer"));
    CHECK_FALSE(decoded.order.sequence_in_group.has_value());
  }
}

TEST_CASE("order decoding requires expected_deltas to be an object of amounts") {
  json input = minimal_order_json();
  input["expected_deltas"] = json::array({1});
  Failure failure = decode_failure(input);
  CHECK(failure.code == ErrorCode::ord_wrong_type);
  CHECK(failure.message ==
        "expected_deltas must be an object of numbers or decimal strings (got array)");

  input["expected_deltas"] = {{"aave:aToken:WETH", 1}, {"wallet:BaseToken:WETH", true}};
  const DecodedOrder decoded = decode_order(input);
  CHECK(decoded.failure.code == ErrorCode::ord_wrong_type);
  CHECK(decoded.failure.message ==
        "expected_deltas entry 'wallet:BaseToken:WETH' must be a number or a decimal string "
        "(got boolean)");
  CHECK(decoded.order.expected_deltas.empty());  // not half-read

  input["expected_deltas"] = R"({"aave:aToken:WETH": 1, "wallet:BaseToken:WETH": -1.5,
                                 "wallet:BaseToken:USDC": "-2.25"})"_parsed;
  const DecodedOrder good = decode_order(input);
  REQUIRE(good.ok());
  CHECK(good.order.expected_deltas ==
        std::map<std::string, Amount>{{"aave:aToken:WETH", "1"_amt},
                                      {"wallet:BaseToken:WETH", "-1.5"_amt},
                                      {"wallet:BaseToken:USDC", "-2.25"_amt}});
}

TEST_CASE("order decoding stores metadata as compact JSON and requires an object") {
  json input = minimal_order_json();
  input["metadata"] = R"({ "b" : [ 1, {"c": null} ], "a": "text" })"_parsed;
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
  input["price"] = true;
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
  CHECK(decoded.order.amount == Amount());  // the unreadable field keeps its default
}

TEST_CASE("order encoding writes amounts as exact decimals in their shortest form") {
  Order order = decode_order(minimal_order_json()).order;
  order.amount = "0.6"_amt;
  order.price = "3030.015"_amt;
  order.slippage_tolerance = "0.005"_amt;
  order.expected_deltas = {{"aave:aToken:WETH", "-3030.015"_amt},
                           {"wallet:BaseToken:WETH", Amount()}};
  const std::string text = dump_json(encode_order(order));
  CHECK(text.find(R"("amount":0.6,)") != std::string::npos);
  CHECK(text.find(R"("price":3030.015,)") != std::string::npos);
  CHECK(text.find(R"("slippage_tolerance":0.005,)") != std::string::npos);
  CHECK(
      text.find(R"("expected_deltas":{"aave:aToken:WETH":-3030.015,"wallet:BaseToken:WETH":0})") !=
      std::string::npos);
  CHECK(text.find("-0,") == std::string::npos);  // a zero amount has no sign
  // Trailing zeros and an exponent in the input do not survive: the shortest form does.
  json input = minimal_order_json();
  input["amount"] = parsed("60000.50");
  input["price"] = parsed("6e4");
  CHECK(dump_json(encode_order(decode_order(input).order)["amount"]) == "60000.5");
  CHECK(dump_json(encode_order(decode_order(input).order)["price"]) == "60000");
}

TEST_CASE("order encoding writes amounts as strings on request") {
  Order order = decode_order(minimal_order_json()).order;
  order.amount = "0.6"_amt;
  order.price = "3030.015"_amt;
  order.expected_deltas = {{"aave:aToken:WETH", "-0.6"_amt}};
  const json out = encode_order(order, AmountStyle::strings);
  CHECK(out["amount"] == "0.6");
  CHECK(out["price"] == "3030.015");
  CHECK(out["expected_deltas"]["aave:aToken:WETH"] == "-0.6");
  const std::string text = dump_json(out);
  CHECK(text.find(R"("amount":"0.6",)") != std::string::npos);
  CHECK(text.find(R"("price":"3030.015",)") != std::string::npos);
  // Strings decode back to the same order.
  const DecodedOrder again = decode_order(out);
  REQUIRE(again.ok());
  CHECK(encode_order(again.order) == encode_order(order));
  CHECK(again.order.amount == "0.6"_amt);
}

TEST_CASE("metadata numbers are echoed with their own text") {
  json input = minimal_order_json();
  input["metadata"] = R"({"z": -0.0, "p": 0.10, "big": 0.123456789012345678901, "e": 1E+2,
                          "list": [0.6, 3030.015]})"_parsed;
  const DecodedOrder decoded = decode_order(input);
  REQUIRE(decoded.ok());
  CHECK(decoded.order.metadata_json ==
        R"({"big":0.123456789012345678901,"e":1E+2,"list":[0.6,3030.015],"p":0.10,"z":-0.0})");
  const json out = encode_order(decoded.order);
  CHECK(out["metadata"] == input["metadata"]);
  CHECK(
      dump_json(out).find(
          R"("metadata":{"big":0.123456789012345678901,"e":1E+2,"list":[0.6,3030.015],"p":0.10,"z":-0.0})") !=
      std::string::npos);
  // And decode again to the same text.
  CHECK(decode_order(out).order.metadata_json == decoded.order.metadata_json);
}

TEST_CASE("order encoding keeps metadata that is not valid JSON as a string") {
  Order order = decode_order(minimal_order_json()).order;
  order.metadata_json = "{not json";
  CHECK(encode_order(order)["metadata"] == "{not json");
}
