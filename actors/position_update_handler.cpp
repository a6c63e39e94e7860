#include "actors/position_update_handler.hpp"

#include <memory>

#include "actors/position/delta_conversion.hpp"
#include "runtime/logging.hpp"

namespace tightloop {

namespace {

using Self = position_update_handler_actor::stateful_pointer<PositionUpdateHandlerState>;

// Collects the monitor's answer and every venue's balances for one order, then decides.
struct UpdateJoin {
  OrderResult result;
  Promise<OrderResult> promise;
  std::size_t pending = 0;
  std::map<std::string, double> expected;  // monitor, after applying
  Balances reported;                       // venues
  Failure failure;                         // the first thing that went wrong, if any
};

std::string_view venue_of(const std::string& key) {
  return std::string_view(key).substr(0, key.find(':'));
}

void decide(Self self, UpdateJoin& join) {
  auto& result = join.result;
  auto& hs = result.handshake;
  result.reconciliation.attempts = 1;
  auto mismatches = compare_balances(join.expected, join.reported, self->state.tolerance);
  if (join.failure.failed()) {
    // The venue executed but the monitor refused or a venue could not be asked: the two books
    // may differ, which is exactly what reconciliation exists to stop.
    result.reconciliation.outcome = ReconciliationOutcome::mismatch;
    result.reconciliation.mismatches = std::move(mismatches);
    hs.status = HandshakeStatus::failed;
    hs.error_code = join.failure.code;
    hs.error_message = join.failure.message;
  } else if (!mismatches.empty()) {
    // Retry with backoff belongs here (reconciliation policy); today one comparison decides.
    result.reconciliation.outcome = ReconciliationOutcome::mismatch;
    hs.status = HandshakeStatus::failed;
    hs.error_code = ErrorCode::em_reconciliation_mismatch;
    hs.error_message = "reconciliation mismatch: " + describe_mismatches(mismatches);
    result.reconciliation.mismatches = std::move(mismatches);
  } else {
    result.reconciliation.outcome = ReconciliationOutcome::matched;
  }
  if (result.reconciliation.outcome == ReconciliationOutcome::mismatch)
    log_line(LogLevel::warning, "position_update_handler",
             "order " + hs.order.operation_id + ": " + hs.error_message);
  join.promise.deliver(std::move(result));
}

void arrive(Self self, const std::shared_ptr<UpdateJoin>& join) {
  if (--join->pending == 0) decide(self, *join);
}

}  // namespace

position_update_handler_actor::behavior_type position_update_handler(
    Self self, position_monitor_actor monitor,
    std::map<std::string, venue_actor, std::less<>> venues, Tolerance tolerance,
    std::int64_t query_timeout_ms) {
  auto& state = self->state;
  state.monitor = std::move(monitor);
  state.venues = std::move(venues);
  state.tolerance = tolerance;
  state.query_timeout_ms = query_timeout_ms;
  return {
      [self](update_atom, ExecutionHandshake& handshake) -> Result<OrderResult> {
        auto& state = self->state;
        OrderResult result;
        result.deltas = to_execution_deltas(handshake);
        result.handshake = std::move(handshake);
        if (result.deltas.empty()) return result;

        auto join = std::make_shared<UpdateJoin>();
        join->promise = self->make_response_promise<OrderResult>();
        auto timeout = millis(state.query_timeout_ms);

        // Keys grouped by the venue that reports them; the monitor is asked in parallel.
        std::map<std::string, std::vector<std::string>> keys_by_venue;
        for (const auto& key : touched_keys(result.deltas))
          keys_by_venue[std::string(venue_of(key))].push_back(key);
        join->pending = 1 + keys_by_venue.size();
        join->result = std::move(result);

        self->request(state.monitor, timeout, apply_atom::value, join->result.deltas)
            .then(
                [self, join](ApplyOutcome& outcome) {
                  if (outcome.failure.failed() && !join->failure.failed())
                    join->failure = std::move(outcome.failure);
                  join->expected = std::move(outcome.values);
                  arrive(self, join);
                },
                [self, join](const CafError& error) {
                  if (!join->failure.failed())
                    join->failure = {ErrorCode::em_component_down,
                                     "position monitor: " + self->system().render(error)};
                  arrive(self, join);
                });
        for (auto& [venue, keys] : keys_by_venue) {
          auto it = state.venues.find(venue);
          if (it == state.venues.end()) {
            --join->pending;  // no such venue: compare_balances reports the keys as missing
            continue;
          }
          self->request(it->second, timeout, balances_atom::value, std::move(keys))
              .then(
                  [self, join](Balances& balances) {
                    join->reported.merge(balances);
                    arrive(self, join);
                  },
                  [self, join, name = it->first](const CafError& error) {
                    if (!join->failure.failed())
                      join->failure = {ErrorCode::em_component_down,
                                       "venue " + name + " balance query: " +
                                           self->system().render(error)};
                    arrive(self, join);
                  });
        }
        return join->promise;
      },
  };
}

}  // namespace tightloop
