#include "actors/strategy.hpp"

namespace tightloop {

strategy_actor::behavior_type order_list_strategy(
    strategy_actor::stateful_pointer<StrategyState> self, std::vector<Order> orders,
    execution_manager_actor manager) {
  self->state.orders = std::move(orders);
  self->state.manager = std::move(manager);
  return {
      [self](run_atom) -> Result<BookResult> {
        // The execution manager answers the caller directly; the stream is handed over once.
        return self->delegate(self->state.manager, submit_atom::value,
                              std::move(self->state.orders));
      },
  };
}

}  // namespace tightloop
