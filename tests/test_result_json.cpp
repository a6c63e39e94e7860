#include <doctest/doctest.h>

#include <set>
#include <string>

#include "messages/order_json.hpp"
#include "messages/result_json.hpp"

using nlohmann::json;
using namespace tightloop;

namespace {

Order spot_order() {
  Order order;
  order.operation_id = "op-1";
  order.book = "alpha";
  order.venue = "binance";
  order.operation = Operation::spot_trade;
  order.pair = "BTC/USDT";
  order.side = Side::buy;
  order.amount = 0.5;
  order.timestamp = "t1";
  return order;
}

ExecutionHandshake executed_handshake() {
  ExecutionHandshake hs;
  hs.order = spot_order();
  hs.status = HandshakeStatus::executed;
  hs.trade_id = "binance-1";
  hs.executed_amount = 0.5;
  hs.executed_price = 60000.0;
  hs.position_deltas = {{"binance:BaseToken:BTC", 0.5}, {"binance:BaseToken:USDT", -30000.0}};
  hs.fee_amount = 30.0;
  hs.fee_currency = "USDT";
  hs.fee_venue = "binance";
  hs.timestamp = "t1";
  return hs;
}

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

const std::set<std::string> handshake_keys{
    "operation_id",    "book",           "order",           "status",     "trade_id",
    "executed_amount", "executed_price", "position_deltas", "fee_amount", "fee_currency",
    "fee_venue",       "error_code",     "error_message",   "timestamp",  "in_doubt"};

}  // namespace

TEST_CASE("result json encodes a delta with all six fields") {
  ExecutionDelta delta;
  delta.position_key = "binance:BaseToken:USDT";
  delta.delta_amount = -30030.0;
  delta.source = DeltaSource::trade;
  delta.price = 60000.0;
  delta.fee = 30.0;
  delta.operation_id = "op-1";
  CHECK(encode_delta(delta).dump() ==
        R"({"delta_amount":-30030.0,"fee":30.0,"operation_id":"op-1",)"
        R"("position_key":"binance:BaseToken:USDT","price":60000.0,"source":"trade"})");
}

TEST_CASE("result json writes an absent delta price and an empty operation_id as null") {
  ExecutionDelta delta;
  delta.position_key = "binance:BaseToken:USDT";
  delta.delta_amount = -1.0;
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
  CHECK(out["executed_amount"] == 0.5);
  CHECK(out["executed_price"] == 60000.0);
  CHECK(out["position_deltas"] ==
        json{{"binance:BaseToken:BTC", 0.5}, {"binance:BaseToken:USDT", -30000.0}});
  CHECK(out["fee_amount"] == 30.0);
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
  order.amount = 1.0;
  ExecutionHandshake hs =
      failed_handshake(order, ErrorCode::ord_missing_operation_field, "supply needs token_in");
  hs.in_doubt = true;
  const json out = encode_handshake(hs);
  CHECK(keys_of(out) == handshake_keys);
  CHECK(out["book"].is_null());
  CHECK(out["status"] == "failed");
  CHECK(out["trade_id"].is_null());
  CHECK(out["executed_amount"] == 0.0);
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
  reconciliation.mismatches = {{"binance:BaseToken:USDT", 100.0, 99.5}};
  reconciliation.backoff_ms = {1000, 2000};
  CHECK(encode_reconciliation(reconciliation).dump() ==
        R"({"attempts":3,"backoff_ms":[1000,2000],"mismatches":[{"expected":100.0,)"
        R"("position_key":"binance:BaseToken:USDT","reported":99.5}],"outcome":"mismatch"})");

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
  ExecutionDelta btc{"binance:BaseToken:BTC", 0.5, DeltaSource::trade, 60000.0, 0.0, "op-1"};
  ExecutionDelta usdt{
      "binance:BaseToken:USDT", -30030.0, DeltaSource::trade, 60000.0, 30.0, "op-1"};
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
  const std::map<std::string, double> positions{{"wallet:BaseToken:WETH", 2.0},
                                                {"aave:aToken:WETH", 1.25}};
  CHECK(encode_positions(positions).dump() ==
        R"({"aave:aToken:WETH":1.25,"wallet:BaseToken:WETH":2.0})");
  CHECK(encode_positions({}).dump() == "{}");
}

TEST_CASE("result json never writes -0.0") {
  ExecutionDelta delta{"binance:BaseToken:USDT", -0.0, DeltaSource::trade, -0.0, -0.0, "op"};
  CHECK(encode_delta(delta).dump().find("-0") == std::string::npos);
  CHECK(encode_delta(delta)["delta_amount"].dump() == "0.0");

  CHECK(encode_positions({{"k:BaseToken:X", -0.0}}).dump() == R"({"k:BaseToken:X":0.0})");

  ExecutionHandshake hs = executed_handshake();
  hs.executed_amount = -0.0;
  hs.executed_price = -0.0;
  hs.fee_amount = -0.0;
  hs.position_deltas["binance:BaseToken:BTC"] = -0.0;
  hs.order.expected_deltas["binance:BaseToken:BTC"] = -0.0;
  Reconciliation reconciliation;
  reconciliation.mismatches = {{"k:BaseToken:X", -0.0, -0.0}};
  OrderResult result{hs, {delta}, reconciliation};
  CHECK(encode_order_result(result).dump().find("-0") == std::string::npos);
}

TEST_CASE("result json gives byte-identical output for the same result") {
  OrderResult result;
  result.handshake = executed_handshake();
  result.deltas = {{"binance:BaseToken:BTC", 0.5, DeltaSource::trade, 60000.0, 0.0, "op-1"}};
  const std::string first = encode_order_result(result).dump();
  const OrderResult copy = result;
  CHECK(encode_order_result(copy).dump() == first);
}
