// execution_manager: the tight loop of one book. Strictly one order at a time: the next order
// is routed only after the previous one executed, its deltas were applied and reconciled.
// Sequencing uses the actor's own queue and `.then` (never `.await`, which would make the book
// deaf to supervision while it waits); every reply carries the sequence number of the order it
// belongs to, and stale replies are dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "actors/interfaces.hpp"

namespace tightloop {

struct ExecutionManagerSettings {
  std::string book;
  std::int64_t venue_timeout_ms = 5000;
  std::int64_t update_timeout_ms = 10000;  // apply + reconcile, including retries
};

struct Batch {
  std::vector<OrderResult> results;
  std::size_t remaining = 0;
  Promise<BookResult> promise;
};

struct PendingOrder {
  Order order;
  std::shared_ptr<Batch> batch;  // null for a single order, answered through `single`
  std::size_t index = 0;
  bool end_of_empty_batch = false;  // no order: only answers an empty batch, in turn
  Promise<OrderResult> single;
};

struct ExecutionManagerState {
  ExecutionManagerSettings settings;
  venue_interface_manager_actor router;
  position_update_handler_actor updater;
  position_monitor_actor monitor;

  std::deque<PendingOrder> queue;  // front() is the order in flight when busy
  bool busy = false;
  std::uint64_t sequence = 0;  // of the order in flight
  std::unordered_set<std::string> used_operation_ids;

  bool halted = false;
  ErrorCode halt_code = ErrorCode::none;
  std::string halt_reason;

  static inline const char* name = "execution_manager";
};

execution_manager_actor::behavior_type execution_manager(
    execution_manager_actor::stateful_pointer<ExecutionManagerState> self,
    ExecutionManagerSettings settings, venue_interface_manager_actor router,
    position_update_handler_actor updater, position_monitor_actor monitor);

}  // namespace tightloop
