// position_update_handler: turns a handshake into execution_deltas, applies them to the
// position monitor and reconciles the result with what the venues report.
#pragma once

#include <map>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/position/reconciliation.hpp"

namespace tightloop {

struct PositionUpdateHandlerState {
  position_monitor_actor monitor;
  std::map<std::string, venue_actor, std::less<>> venues;
  Tolerance tolerance;
  std::int64_t query_timeout_ms = 5000;
  static inline const char* name = "position_update_handler";
};

position_update_handler_actor::behavior_type position_update_handler(
    position_update_handler_actor::stateful_pointer<PositionUpdateHandlerState> self,
    position_monitor_actor monitor, std::map<std::string, venue_actor, std::less<>> venues,
    Tolerance tolerance, std::int64_t query_timeout_ms);

}  // namespace tightloop
