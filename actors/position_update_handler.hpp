// position_update_handler: turns handshakes into execution_deltas, applies them to the position
// monitor and reconciles the result with what the venues report. On a mismatch it retries the
// comparison (never the application) with exponential backoff on CAF timers; no thread sleeps.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/interfaces.hpp"
#include "actors/position/reconciliation.hpp"
#include "config/config.hpp"

namespace tightloop {

struct UpdateJoin;

struct PositionUpdateHandlerState {
  position_monitor_actor monitor;
  std::map<std::string, venue_actor, std::less<>> venues;
  ReconciliationConfig policy;
  std::int64_t query_timeout_ms = 5000;  // refresh queries; reconciliation queries have none
  std::uint64_t next_token = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<UpdateJoin>> waiting;  // by retry token
  static inline const char* name = "position_update_handler";
};

position_update_handler_actor::behavior_type position_update_handler(
    position_update_handler_actor::stateful_pointer<PositionUpdateHandlerState> self,
    position_monitor_actor monitor, std::map<std::string, venue_actor, std::less<>> venues,
    ReconciliationConfig policy, std::int64_t query_timeout_ms);

// The retry rules are plain functions in actors/position/reconciliation.hpp
// (backoff_before_retry, decide_retry).

}  // namespace tightloop
