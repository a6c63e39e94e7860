// strategy: owns a book's order stream and submits it to the book's execution manager. Here the
// stream is a list read from the orders file; a strategy computing orders from market data
// replaces this actor and keeps the interface.
#pragma once

#include <vector>

#include "actors/interfaces.hpp"

namespace tightloop {

struct StrategyState {
  std::vector<Order> orders;
  execution_manager_actor manager;
  static inline const char* name = "strategy";
};

strategy_actor::behavior_type order_list_strategy(
    strategy_actor::stateful_pointer<StrategyState> self, std::vector<Order> orders,
    execution_manager_actor manager);

}  // namespace tightloop
