#include "actors/position/delta_conversion.hpp"

#include "messages/position_key.hpp"

namespace tightloop {

std::vector<ExecutionDelta> to_execution_deltas(const ExecutionHandshake& hs) {
  std::vector<ExecutionDelta> deltas;
  if (hs.status != HandshakeStatus::executed) return deltas;
  const bool charges_fee = !hs.fee_amount.is_zero() && !hs.fee_currency.empty();
  const std::string base_fee_key =
      charges_fee ? make_position_key(hs.fee_venue, PositionType::BaseToken, hs.fee_currency)
                  : std::string{};
  const std::string lst_fee_key =
      charges_fee ? make_position_key(hs.fee_venue, PositionType::LST, hs.fee_currency)
                  : std::string{};
  const auto source =
      hs.order.operation == Operation::transfer ? DeltaSource::transfer : DeltaSource::trade;
  bool fee_folded = false;
  deltas.reserve(hs.position_deltas.size() + 1);
  for (const auto& [key, gross_amount] : hs.position_deltas) {
    ExecutionDelta delta;
    delta.position_key = key;
    delta.delta_amount = gross_amount;
    delta.source = source;
    delta.price = hs.executed_price;
    delta.operation_id = hs.order.operation_id;
    if (charges_fee && !fee_folded && (key == base_fee_key || key == lst_fee_key)) {
      delta.delta_amount = gross_amount - hs.fee_amount;
      delta.fee = hs.fee_amount;
      fee_folded = true;
    }
    deltas.push_back(std::move(delta));
  }
  if (charges_fee && !fee_folded) {
    ExecutionDelta fee;
    fee.position_key = base_fee_key;
    fee.delta_amount = -hs.fee_amount;
    fee.source = DeltaSource::fee;
    fee.fee = hs.fee_amount;
    fee.operation_id = hs.order.operation_id;
    deltas.push_back(std::move(fee));
  }
  return deltas;
}

}  // namespace tightloop
