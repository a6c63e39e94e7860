// position_monitor: a book's positions. Only subscribed keys exist; deltas apply all or nothing.
#pragma once

#include "actors/interfaces.hpp"
#include "actors/position/position_book.hpp"

namespace tightloop {

struct PositionMonitorState {
  PositionBook book;
  static inline const char* name = "position_monitor";
};

position_monitor_actor::behavior_type position_monitor(
    position_monitor_actor::stateful_pointer<PositionMonitorState> self, PositionBook initial);

}  // namespace tightloop
