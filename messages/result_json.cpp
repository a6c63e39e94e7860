#include "messages/result_json.hpp"

#include "messages/order_json.hpp"

namespace tightloop {

namespace {

using nlohmann::json;

json text_or_null(std::string_view text) { return text.empty() ? json(nullptr) : json(text); }

json number_or_null(const std::optional<double>& value) {
  return value ? json(wire_double(*value)) : json(nullptr);
}

}  // namespace

nlohmann::json encode_delta(const ExecutionDelta& delta) {
  json out = json::object();
  out["position_key"] = delta.position_key;
  out["delta_amount"] = wire_double(delta.delta_amount);
  out["source"] = to_string(delta.source);
  out["price"] = number_or_null(delta.price);
  out["fee"] = wire_double(delta.fee);
  out["operation_id"] = text_or_null(delta.operation_id);
  return out;
}

nlohmann::json encode_handshake(const ExecutionHandshake& handshake) {
  json out = json::object();
  out["operation_id"] = text_or_null(handshake.order.operation_id);
  out["book"] = text_or_null(handshake.order.book);
  out["order"] = encode_order(handshake.order);
  out["status"] = to_string(handshake.status);
  out["trade_id"] = text_or_null(handshake.trade_id);
  out["executed_amount"] = wire_double(handshake.executed_amount);
  out["executed_price"] = number_or_null(handshake.executed_price);
  out["position_deltas"] = encode_positions(handshake.position_deltas);
  out["fee_amount"] = wire_double(handshake.fee_amount);
  out["fee_currency"] = text_or_null(handshake.fee_currency);
  out["fee_venue"] = text_or_null(handshake.fee_venue);
  out["error_code"] = text_or_null(to_string(handshake.error_code));
  out["error_message"] = text_or_null(handshake.error_message);
  out["timestamp"] = text_or_null(handshake.timestamp);
  out["in_doubt"] = handshake.in_doubt;
  return out;
}

nlohmann::json encode_reconciliation(const Reconciliation& reconciliation) {
  json mismatches = json::array();
  for (const auto& mismatch : reconciliation.mismatches)
    mismatches.push_back({{"position_key", mismatch.position_key},
                          {"expected", wire_double(mismatch.expected)},
                          {"reported", wire_double(mismatch.reported)}});
  json out = json::object();
  out["outcome"] = to_string(reconciliation.outcome);
  out["attempts"] = reconciliation.attempts;
  out["mismatches"] = std::move(mismatches);
  out["backoff_ms"] = reconciliation.backoff_ms;
  return out;
}

nlohmann::json encode_order_result(const OrderResult& result) {
  json out = encode_handshake(result.handshake);
  json deltas = json::array();
  for (const auto& delta : result.deltas) deltas.push_back(encode_delta(delta));
  out["deltas"] = std::move(deltas);
  out["reconciliation"] = encode_reconciliation(result.reconciliation);
  const auto& expected = result.expected_deltas_check;
  if (expected.checked) {
    json mismatches = json::array();
    for (const auto& m : expected.mismatches)
      mismatches.push_back({{"position_key", m.position_key},
                            {"expected", wire_double(m.expected)},
                            {"actual", wire_double(m.reported)}});
    out["expected_deltas_check"] = {
        {"outcome", expected.mismatches.empty() ? "matched" : "mismatch"},
        {"mismatches", std::move(mismatches)}};
  } else {
    out["expected_deltas_check"] = nullptr;
  }
  return out;
}

nlohmann::json encode_positions(const std::map<std::string, double>& positions) {
  json out = json::object();
  for (const auto& [key, amount] : positions) out[key] = wire_double(amount);
  return out;
}

}  // namespace tightloop
