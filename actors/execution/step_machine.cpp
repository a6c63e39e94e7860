#include "actors/execution/step_machine.hpp"

#include <array>

#include "messages/enum_names.hpp"

namespace tightloop {

namespace {

constexpr std::array<std::string_view, 9> phase_names{
    "idle",     "routing",    "updating",      "in_group", "group_updating",
    "reverting", "refreshing", "market_update", "snapshot"};
constexpr std::array<std::string_view, 14> event_names{
    "route",     "executed",  "venue_failed", "updated",        "group_started",
    "group_applied", "group_failed", "group_done", "refresh",    "refreshed",
    "market",    "market_applied", "batch_done", "snapshot_taken"};

struct Move {
  StepPhase from;
  StepEvent event;
  StepPhase to;
};

// Every legal move. Anything else is a bug in the loop.
constexpr Move moves[] = {
    {StepPhase::idle, StepEvent::route, StepPhase::routing},
    {StepPhase::routing, StepEvent::executed, StepPhase::updating},
    {StepPhase::routing, StepEvent::venue_failed, StepPhase::idle},
    {StepPhase::updating, StepEvent::updated, StepPhase::idle},
    {StepPhase::idle, StepEvent::group_started, StepPhase::in_group},
    {StepPhase::in_group, StepEvent::group_applied, StepPhase::group_updating},
    {StepPhase::in_group, StepEvent::group_failed, StepPhase::reverting},
    {StepPhase::in_group, StepEvent::group_done, StepPhase::idle},  // refused before it ran
    {StepPhase::group_updating, StepEvent::group_done, StepPhase::idle},
    {StepPhase::reverting, StepEvent::group_done, StepPhase::idle},
    {StepPhase::idle, StepEvent::refresh, StepPhase::refreshing},
    {StepPhase::refreshing, StepEvent::refreshed, StepPhase::idle},
    {StepPhase::idle, StepEvent::market, StepPhase::market_update},
    {StepPhase::market_update, StepEvent::market_applied, StepPhase::idle},
    {StepPhase::idle, StepEvent::batch_done, StepPhase::snapshot},
    {StepPhase::snapshot, StepEvent::snapshot_taken, StepPhase::idle},
};

}  // namespace

std::string_view to_string(StepPhase phase) { return name_of(phase_names, phase); }
std::string_view to_string(StepEvent event) { return name_of(event_names, event); }

std::optional<StepPhase> transition(StepPhase phase, StepEvent event) {
  for (const auto& move : moves)
    if (move.from == phase && move.event == event) return move.to;
  return std::nullopt;
}

}  // namespace tightloop
