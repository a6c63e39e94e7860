#include "actors/position_monitor.hpp"

#include "actors/position/reconciliation.hpp"

namespace tightloop {

position_monitor_actor::behavior_type position_monitor(
    position_monitor_actor::stateful_pointer<PositionMonitorState> self, PositionBook initial) {
  self->state.book = std::move(initial);
  return {
      [self](apply_atom, const std::vector<ExecutionDelta>& deltas) {
        auto& book = self->state.book;
        ApplyOutcome outcome;
        if (auto failure = book.check(deltas, ErrorCode::pos_negative_balance)) {
          outcome.failure = std::move(*failure);
          return outcome;
        }
        book.apply(deltas);
        outcome.values = book.amounts(touched_keys(deltas));
        return outcome;
      },
      [self](values_atom, const std::vector<std::string>& keys) {
        return self->state.book.amounts(keys);
      },
      [self](snapshot_atom) { return self->state.book.snapshot(); },
      [self](positions_atom) {
        const auto& book = self->state.book;
        return BookPositions{book.snapshot(), book.entry_prices()};
      },
      [self](settle_atom, const std::vector<ExecutionDelta>& deltas) {
        auto& book = self->state.book;
        for (const auto& delta : deltas) book.adjust(delta.position_key, delta.delta_amount);
        return book.amounts(touched_keys(deltas));
      },
  };
}

}  // namespace tightloop
