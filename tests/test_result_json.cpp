#include <doctest/doctest.h>

#include <set>
#include <string>

#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "messages/order_json.hpp"
#include "messages/result_json.hpp"
#include "tests/test_support.hpp"

using nlohmann::json;
using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

Order spot_order() {
  Order order;
  order.operation_id = "op-1";
  order.book = "alpha";
  order.venue = "binance";
  order.operation = Operation::spot_trade;
  order.pair = "BTC/USDT";
  order.side = Side::buy;
  order.amount = "0.5"_amt;
  order.timestamp = "t1";
  return order;
}

ExecutionHandshake executed_handshake() {
  ExecutionHandshake hs;
  hs.order = spot_order();
  hs.status = HandshakeStatus::executed;
  hs.trade_id = "binance-1";
  hs.executed_amount = "0.5"_amt;
  hs.executed_price = "60000"_amt;
  hs.position_deltas = {{"binance:BaseToken:BTC", "0.5"_amt},
                        {"binance:BaseToken:USDT", "-30000"_amt}};
  hs.fee_amount = "30"_amt;
  hs.fee_currency = "USDT";
  hs.fee_venue = "binance";
  return hs;
}

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

// An amount as the encoders write it by default: a raw number holding its shortest text.
json number(const char* text) { return raw_number(text); }

const std::set<std::string> handshake_keys{
    "operation_id",    "book",           "order",           "status",     "trade_id",
    "executed_amount", "executed_price", "position_deltas", "fee_amount", "fee_currency",
    "fee_venue",       "error_code",     "error_message",   "timestamp",  "in_doubt"};

}  // namespace

TEST_CASE("result json encodes a delta with all six fields") {
  ExecutionDelta delta;
  delta.position_key = "binance:BaseToken:USDT";
  delta.delta_amount = "-30030.015"_amt;
  delta.source = DeltaSource::trade;
  delta.price = "60000"_amt;
  delta.fee = "30.015"_amt;
  delta.operation_id = "op-1";
  CHECK(dump_json(encode_delta(delta)) ==
        R"({"delta_amount":-30030.015,"fee":30.015,"operation_id":"op-1",)"
        R"("position_key":"binance:BaseToken:USDT","price":60000,"source":"trade"})");
  CHECK(dump_json(encode_delta(delta, AmountStyle::strings)) ==
        R"({"delta_amount":"-30030.015","fee":"30.015","operation_id":"op-1",)"
        R"("position_key":"binance:BaseToken:USDT","price":"60000","source":"trade"})");
}

TEST_CASE("result json writes an absent delta price and an empty operation_id as null") {
  ExecutionDelta delta;
  delta.position_key = "binance:BaseToken:USDT";
  delta.delta_amount = "-1"_amt;
  delta.source = DeltaSource::fee;
  const json out = encode_delta(delta);
  CHECK(out["price"].is_null());
  CHECK(out["operation_id"].is_null());
  CHECK(out["source"] == "fee");
}

TEST_CASE("result json encodes an executed handshake") {
  const ExecutionHandshake hs = executed_handshake();
  const json out = encode_handshake(hs);
  CHECK(keys_of(out) == handshake_keys);
  CHECK(out["operation_id"] == "op-1");
  CHECK(out["book"] == "alpha");
  CHECK(out["order"] == encode_order(hs.order));
  CHECK(out["status"] == "executed");
  CHECK(out["trade_id"] == "binance-1");
  CHECK(out["executed_amount"] == number("0.5"));
  CHECK(out["executed_price"] == number("60000"));
  CHECK(out["position_deltas"] == json{{"binance:BaseToken:BTC", number("0.5")},
                                       {"binance:BaseToken:USDT", number("-30000")}});
  CHECK(out["fee_amount"] == number("30"));
  CHECK(out["fee_currency"] == "USDT");
  CHECK(out["fee_venue"] == "binance");
  CHECK(out["error_code"].is_null());
  CHECK(out["error_message"].is_null());
  CHECK(out["timestamp"] == "t1");
  CHECK(out["in_doubt"] == false);
}

TEST_CASE("result json keeps a fixed handshake shape with nulls for empty fields") {
  Order order;
  order.operation_id = "op-9";
  order.venue = "aave";
  order.operation = Operation::supply;
  order.amount = "1"_amt;
  ExecutionHandshake hs =
      failed_handshake(order, ErrorCode::ord_missing_operation_field, "supply needs token_in");
  hs.in_doubt = true;
  const json out = encode_handshake(hs);
  CHECK(keys_of(out) == handshake_keys);
  CHECK(out["book"].is_null());
  CHECK(out["status"] == "failed");
  CHECK(out["trade_id"].is_null());
  CHECK(out["executed_amount"] == number("0"));
  CHECK(out["executed_price"].is_null());
  CHECK(out["position_deltas"] == json::object());
  CHECK(out["fee_currency"].is_null());
  CHECK(out["fee_venue"].is_null());
  CHECK(out["error_code"] == "ORD-006");
  CHECK(out["error_message"] == "supply needs token_in");
  CHECK(out["timestamp"].is_null());
  CHECK(out["in_doubt"] == true);

  ExecutionHandshake nameless;
  CHECK(encode_handshake(nameless)["operation_id"].is_null());
}

TEST_CASE("result json writes each handshake status spelling") {
  ExecutionHandshake hs = executed_handshake();
  hs.status = HandshakeStatus::rolled_back;
  CHECK(encode_handshake(hs)["status"] == "rolled_back");
  hs.status = HandshakeStatus::skipped;
  hs.error_code = ErrorCode::em_book_halted_skip;
  CHECK(encode_handshake(hs)["status"] == "skipped");
  CHECK(encode_handshake(hs)["error_code"] == "EM-003");
}

TEST_CASE("result json encodes a reconciliation with its mismatches") {
  Reconciliation reconciliation;
  reconciliation.outcome = ReconciliationOutcome::mismatch;
  reconciliation.attempts = 3;
  reconciliation.mismatches = {{"binance:BaseToken:USDT", "100"_amt, "99.999999999999999999"_amt}};
  reconciliation.backoff_ms = {1000, 2000};
  CHECK(dump_json(encode_reconciliation(reconciliation)) ==
        R"({"attempts":3,"backoff_ms":[1000,2000],"mismatches":[{"expected":100,)"
        R"("position_key":"binance:BaseToken:USDT","reported":99.999999999999999999}],)"
        R"("outcome":"mismatch"})");

  Reconciliation matched;
  matched.outcome = ReconciliationOutcome::matched;
  matched.attempts = 1;
  CHECK(encode_reconciliation(matched) ==
        json{{"outcome", "matched"},
             {"attempts", 1},
             {"mismatches", json::array()},
             {"backoff_ms", json::array()}});
  CHECK(encode_reconciliation(Reconciliation{})["outcome"] == "not_run");
}

TEST_CASE(
    "result json encodes an order result as handshake fields plus deltas and "
    "reconciliation") {
  OrderResult result;
  result.handshake = executed_handshake();
  ExecutionDelta btc{
      "binance:BaseToken:BTC", "0.5"_amt, DeltaSource::trade, "60000"_amt, Amount(), "op-1"};
  ExecutionDelta usdt{
      "binance:BaseToken:USDT", "-30030"_amt, DeltaSource::trade, "60000"_amt, "30"_amt, "op-1"};
  result.deltas = {btc, usdt};
  result.reconciliation.outcome = ReconciliationOutcome::matched;
  result.reconciliation.attempts = 1;

  const json out = encode_order_result(result);
  std::set<std::string> expected_keys = handshake_keys;
  expected_keys.insert({"deltas", "reconciliation", "expected_deltas_check"});
  CHECK(keys_of(out) == expected_keys);
  CHECK(out["deltas"] == json::array({encode_delta(btc), encode_delta(usdt)}));
  CHECK(out["reconciliation"] == encode_reconciliation(result.reconciliation));
  for (const auto& key : handshake_keys) CHECK(out[key] == encode_handshake(result.handshake)[key]);

  OrderResult empty;
  CHECK(encode_order_result(empty)["deltas"] == json::array());
}

TEST_CASE("result json encodes positions as an object sorted by key") {
  const std::map<std::string, Amount> positions{{"wallet:BaseToken:WETH", "2"_amt},
                                                {"aave:aToken:WETH", "1.25"_amt}};
  CHECK(dump_json(encode_positions(positions)) ==
        R"({"aave:aToken:WETH":1.25,"wallet:BaseToken:WETH":2})");
  CHECK(dump_json(encode_positions({})) == "{}");
}

TEST_CASE("result json writes exact decimals: 0.6 and 3030.015, not their binary64 neighbours") {
  // 0.1 + 0.2 + 0.3 in binary64 is 0.6000000000000001; 3030.015 prints as 3030.0149999999999
  // at 17 digits. Amounts print as what they are.
  const Amount sum = "0.1"_amt + "0.2"_amt + "0.3"_amt;
  CHECK(sum == "0.6"_amt);
  ExecutionDelta delta{"binance:BaseToken:USDT", sum, DeltaSource::trade, "3030.015"_amt,
                       "-3030.015"_amt,          "op"};
  CHECK(dump_json(encode_delta(delta)) ==
        R"({"delta_amount":0.6,"fee":-3030.015,"operation_id":"op",)"
        R"("position_key":"binance:BaseToken:USDT","price":3030.015,"source":"trade"})");
  CHECK(dump_json(encode_positions({{"k:BaseToken:X", sum}})) == R"({"k:BaseToken:X":0.6})");
  CHECK(dump_json(encode_positions({{"k:BaseToken:X", sum}}, AmountStyle::strings)) ==
        R"({"k:BaseToken:X":"0.6"})");
  CHECK(dump_json(encode_positions({{"k:BaseToken:X", "3030.015"_amt}}, AmountStyle::strings)) ==
        R"({"k:BaseToken:X":"3030.015"})");
  // The smallest step and 18 significant digits survive.
  CHECK(dump_json(encode_positions({{"a:BaseToken:X", Amount::from_raw(1)},
                                    {"b:BaseToken:X", "0.123456789012345678"_amt}})) ==
        R"({"a:BaseToken:X":0.000000000000000001,"b:BaseToken:X":0.123456789012345678})");
  // Read back through the input policy: the same amounts.
  const auto back = parse_json(dump_json(encode_delta(delta)));
  REQUIRE(back.ok());
  std::string why;
  CHECK(amount_from_json(back.value["delta_amount"], why) == std::optional<Amount>("0.6"_amt));
  CHECK(amount_from_json(back.value["price"], why) == std::optional<Amount>("3030.015"_amt));
}

TEST_CASE("result json writes every amount as a string with AmountStyle::strings") {
  OrderResult result;
  result.handshake = executed_handshake();
  result.handshake.order.price = "60000"_amt;
  result.handshake.order.expected_deltas = {{"binance:BaseToken:BTC", "0.6"_amt}};
  result.deltas = {
      {"binance:BaseToken:BTC", "0.6"_amt, DeltaSource::trade, "60000"_amt, Amount(), "op-1"}};
  result.reconciliation.mismatches = {{"binance:BaseToken:BTC", "0.6"_amt, "0.5"_amt}};
  result.expected_deltas_check.checked = true;
  result.expected_deltas_check.mismatches = {{"binance:BaseToken:BTC", "0.6"_amt, "0.5"_amt}};
  const json out = encode_order_result(result, AmountStyle::strings);
  CHECK(out["executed_amount"] == "0.5");
  CHECK(out["executed_price"] == "60000");
  CHECK(out["fee_amount"] == "30");
  CHECK(out["position_deltas"]["binance:BaseToken:USDT"] == "-30000");
  CHECK(out["order"]["amount"] == "0.5");
  CHECK(out["order"]["price"] == "60000");
  CHECK(out["order"]["expected_deltas"]["binance:BaseToken:BTC"] == "0.6");
  CHECK(out["deltas"][0]["delta_amount"] == "0.6");
  CHECK(out["deltas"][0]["fee"] == "0");
  CHECK(out["reconciliation"]["mismatches"][0]["reported"] == "0.5");
  CHECK(out["expected_deltas_check"]["mismatches"][0]["actual"] == "0.5");
  CHECK(out["expected_deltas_check"]["mismatches"][0]["expected"] == "0.6");
  // Nothing is left as a raw number.
  CHECK(dump_json(out) == out.dump());
  // The default writes the same amounts as numbers.
  const json numbers = encode_order_result(result);
  CHECK(numbers["executed_amount"] == number("0.5"));
  CHECK(numbers["expected_deltas_check"]["mismatches"][0]["actual"] == number("0.5"));
  CHECK(dump_json(numbers).find(R"("executed_amount":0.5,)") != std::string::npos);
}

TEST_CASE("result json never writes -0") {
  const Amount zero = "-0.0"_amt;  // parses to plain 0: an Amount has no negative zero
  CHECK(zero == Amount());
  ExecutionDelta delta{"binance:BaseToken:USDT", zero, DeltaSource::trade, zero, -Amount(), "op"};
  CHECK(dump_json(encode_delta(delta)).find("-0") == std::string::npos);
  CHECK(dump_json(encode_delta(delta)["delta_amount"]) == "0");
  CHECK(dump_json(encode_positions({{"k:BaseToken:X", -Amount()}})) == R"({"k:BaseToken:X":0})");
}

TEST_CASE("result json gives byte-identical output for the same result") {
  OrderResult result;
  result.handshake = executed_handshake();
  result.deltas = {
      {"binance:BaseToken:BTC", "0.5"_amt, DeltaSource::trade, "60000"_amt, Amount(), "op-1"}};
  const std::string first = dump_json(encode_order_result(result));
  const OrderResult copy = result;
  CHECK(dump_json(encode_order_result(copy)) == first);
}
