#include "messages/result_json.hpp"

#include "messages/order_json.hpp"

namespace tightloop {

namespace {

using nlohmann::json;

json text_or_null(std::string_view text) { return text.empty() ? json(nullptr) : json(text); }

}  // namespace

nlohmann::json encode_delta(const ExecutionDelta& delta, AmountStyle style) {
  json out = json::object();
  out["position_key"] = delta.position_key;
  out["delta_amount"] = amount_json(delta.delta_amount, style);
  out["source"] = to_string(delta.source);
  out["price"] = amount_json(delta.price, style);
  out["fee"] = amount_json(delta.fee, style);
  out["operation_id"] = text_or_null(delta.operation_id);
  return out;
}

nlohmann::json encode_handshake(const ExecutionHandshake& handshake, AmountStyle style) {
  json out = json::object();
  out["operation_id"] = text_or_null(handshake.order.operation_id);
  out["book"] = text_or_null(handshake.order.book);
  out["order"] = encode_order(handshake.order, style);
  out["status"] = to_string(handshake.status);
  out["trade_id"] = text_or_null(handshake.trade_id);
  out["executed_amount"] = amount_json(handshake.executed_amount, style);
  out["executed_price"] = amount_json(handshake.executed_price, style);
  out["position_deltas"] = encode_positions(handshake.position_deltas, style);
  out["fee_amount"] = amount_json(handshake.fee_amount, style);
  out["fee_currency"] = text_or_null(handshake.fee_currency);
  out["fee_venue"] = text_or_null(handshake.fee_venue);
  out["error_code"] = text_or_null(to_string(handshake.error_code));
  out["error_message"] = text_or_null(handshake.error_message);
  out["timestamp"] = text_or_null(handshake.order.timestamp);  // the order's, verbatim
  out["in_doubt"] = handshake.in_doubt;
  return out;
}

nlohmann::json encode_mismatches(const std::vector<KeyMismatch>& mismatches,
                                 const char* reported_name, AmountStyle style) {
  json out = json::array();
  for (const auto& mismatch : mismatches) {
    json entry = json::object();
    entry["position_key"] = mismatch.position_key;
    entry["expected"] = amount_json(mismatch.expected, style);
    entry[reported_name] = amount_json(mismatch.reported, style);
    out.push_back(std::move(entry));
  }
  return out;
}

nlohmann::json encode_reconciliation(const Reconciliation& reconciliation, AmountStyle style) {
  json out = json::object();
  out["outcome"] = to_string(reconciliation.outcome);
  out["attempts"] = reconciliation.attempts;
  out["mismatches"] = encode_mismatches(reconciliation.mismatches, "reported", style);
  out["backoff_ms"] = reconciliation.backoff_ms;
  return out;
}

nlohmann::json encode_order_result(const OrderResult& result, AmountStyle style) {
  json out = encode_handshake(result.handshake, style);
  json deltas = json::array();
  for (const auto& delta : result.deltas) deltas.push_back(encode_delta(delta, style));
  out["deltas"] = std::move(deltas);
  out["reconciliation"] = encode_reconciliation(result.reconciliation, style);
  const auto& expected = result.expected_deltas_check;
  if (expected.checked) {
    out["expected_deltas_check"] = {
        {"outcome", expected.mismatches.empty() ? "matched" : "mismatch"},
        {"mismatches", encode_mismatches(expected.mismatches, "actual", style)}};
  } else {
    out["expected_deltas_check"] = nullptr;
  }
  return out;
}

nlohmann::json encode_positions(const std::map<std::string, Amount>& positions, AmountStyle style) {
  json out = json::object();
  for (const auto& [key, amount] : positions) out[key] = amount_json(amount, style);
  return out;
}

nlohmann::json encode_refresh(const RefreshResult& refresh, AmountStyle style) {
  json deltas = json::array();
  for (const auto& delta : refresh.deltas) deltas.push_back(encode_delta(delta, style));
  json error_code = nullptr, error_message = nullptr;
  if (refresh.failure.failed()) {
    error_code = std::string(to_string(refresh.failure.code));
    error_message = refresh.failure.message;
  }
  return {{"deltas", std::move(deltas)},
          {"error_code", std::move(error_code)},
          {"error_message", std::move(error_message)}};
}

nlohmann::json encode_halt(const HaltInfo& halt, AmountStyle style) {
  return {{"code", std::string(to_string(halt.code))},
          {"reason", halt.reason},
          {"mismatches", encode_mismatches(halt.mismatches, "reported", style)}};
}

namespace {

json encode_one_valuation(const Valuation& valuation, AmountStyle style) {
  auto optional = [style](const std::optional<Amount>& amount) -> json {
    return amount ? amount_json(*amount, style) : json(nullptr);
  };
  json positions = json::object();
  for (const auto& [key, value] : valuation.positions) {
    json row = {{"value", amount_json(value.value, style)}};
    if (value.underlying) row["underlying"] = amount_json(*value.underlying, style);
    if (value.unrealised_pnl) {  // a perp: its three figures, null when unknown
      row["entry_price"] = optional(value.entry_price);
      row["mark_price"] = optional(value.mark_price);
      row["unrealised_pnl"] = amount_json(*value.unrealised_pnl, style);
    }
    positions[key] = std::move(row);
  }
  json unpriced = json::object();
  for (const auto& [key, why] : valuation.unpriced) unpriced[key] = why;
  return {{"nav", optional(valuation.nav)},
          {"positions", std::move(positions)},
          {"unpriced", std::move(unpriced)}};
}

}  // namespace

nlohmann::json encode_valuation(const BookValuation& valuation, AmountStyle style) {
  json out = {{"expected", encode_one_valuation(valuation.expected, style)}};
  if (valuation.venue) out["venue"] = encode_one_valuation(*valuation.venue, style);
  return out;
}

}  // namespace tightloop
