// strategy: owns a book's input stream (orders, market updates, refresh triggers; here read
// from the orders file) and feeds it to the book's execution manager in order. A strategy that
// computes orders from market data replaces this actor and keeps the interface.
#pragma once

#include <vector>

#include "actors/interfaces.hpp"

namespace tightloop {

struct StrategyState {
  std::vector<StreamEntry> stream;
  execution_manager_actor manager;
  std::int64_t timeout_ms = 0;
  static inline const char* name = "strategy";
};

// `timeout_ms` bounds each request to the execution manager (a batch may take long).
strategy_actor::behavior_type stream_strategy(
    strategy_actor::stateful_pointer<StrategyState> self, std::vector<StreamEntry> stream,
    execution_manager_actor manager, std::int64_t timeout_ms);

}  // namespace tightloop
