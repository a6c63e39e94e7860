// The execution manager's step machine: what a book is doing right now, and every legal move
// in one table (as NautilusTrader's order-status `transition` does). The actor calls
// `transition` at each step boundary; an illegal pair is a bug in the loop, reported with both
// names, never silently ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tightloop {

enum class StepPhase : std::uint8_t {
  idle,            // nothing in flight: the next queued item may start
  routing,         // an order is at its venue
  updating,        // its deltas are applied and reconciled
  in_group,        // an atomic group's members run one by one at their venues
  group_updating,  // the whole group's deltas are applied and reconciled
  reverting,       // the venues restore their checkpoints of a failed group
  refreshing,      // position_refresh: settlements applied
  market_update,   // every venue takes new market data
  snapshot,        // a batch is done: its positions are read
};

enum class StepEvent : std::uint8_t {
  route,           // an admitted order goes to its venue
  executed,        // its venue executed it
  venue_failed,    // its venue refused it, or did not answer / died (in doubt)
  updated,         // apply + reconcile answered (or failed)
  group_started,   // a group left the queue
  group_applied,   // every member executed: the group's deltas go to the update handler
  group_failed,    // a member failed: revert
  group_done,      // the group's outcome is delivered (refused at once, applied, or reverted)
  refresh,
  refreshed,
  market,
  market_applied,
  batch_done,      // the last order of a batch answered: take the snapshot
  snapshot_taken,
};

std::string_view to_string(StepPhase phase);
std::string_view to_string(StepEvent event);

// The phase after `event` in `phase`, or nullopt when the pair is not a legal move.
std::optional<StepPhase> transition(StepPhase phase, StepEvent event);

}  // namespace tightloop
