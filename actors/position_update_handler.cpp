#include "actors/position_update_handler.hpp"

#include <cmath>

#include "actors/join.hpp"
#include "actors/position/delta_conversion.hpp"
#include "actors/logging.hpp"

namespace tightloop {

using Self = position_update_handler_actor::stateful_pointer<PositionUpdateHandlerState>;
using Clock = caf::actor_clock;

// One update (an order or an atomic group) from application to its final comparison.
struct UpdateJoin {
  std::vector<OrderResult> results;
  std::vector<ExecutionDelta> all_deltas;
  Promise<std::vector<OrderResult>> promise;
  std::map<std::string, std::vector<std::string>> keys_by_venue;
  std::vector<std::string> keys;
  // The venues' balances sent with the handshakes; the first comparison uses them when they
  // cover every touched key (no query round trip).
  Balances handshake_reports;
  bool handshake_reports_complete = false;

  std::uint32_t attempts = 0;
  std::vector<std::int64_t> backoff_ms;
  Clock::time_point first_attempt;

  // One attempt's answers.
  std::map<std::string, Amount> expected;  // monitor
  Balances reported;                       // venues
  Failure failure;                         // the monitor refused, or someone did not answer
};

namespace {

std::string_view venue_of(const std::string& key) {
  return std::string_view(key).substr(0, key.find(':'));
}

void start_attempt(Self self, const std::shared_ptr<UpdateJoin>& join);

void finish(UpdateJoin& join, ReconciliationOutcome outcome,
            std::vector<KeyMismatch> mismatches) {
  Reconciliation rec;
  rec.outcome = outcome;
  rec.attempts = join.attempts;
  rec.mismatches = std::move(mismatches);
  rec.backoff_ms = join.backoff_ms;
  std::string message;
  ErrorCode code = ErrorCode::none;
  if (join.failure.failed()) {
    code = join.failure.code;
    message = join.failure.message;
  } else if (outcome == ReconciliationOutcome::mismatch) {
    code = ErrorCode::em_reconciliation_mismatch;
    message = "reconciliation mismatch after " + std::to_string(join.attempts) +
              " attempt(s): " + describe_mismatches(rec.mismatches);
  }
  if (code != ErrorCode::none)
    log_line(LogLevel::warning, "position_update_handler",
             "order " + join.results.back().handshake.order.operation_id + ": " + message);
  for (auto& result : join.results) {
    result.reconciliation = rec;
    if (code != ErrorCode::none) {
      // The venue executed and the deltas were applied; the books disagree, so the order
      // fails and the book halts for an operator. Nothing is rolled back by guess.
      result.handshake.status = HandshakeStatus::failed;
      result.handshake.error_code = code;
      result.handshake.error_message = message;
    }
  }
  join.promise.deliver(std::move(join.results));
}

void decide(Self self, const std::shared_ptr<UpdateJoin>& join) {
  auto& state = self->state;
  const Tolerance tolerance{state.policy.absolute_tolerance, state.policy.relative_tolerance};
  auto mismatches = compare_balances(join->expected, join->reported, tolerance);
  const auto decision =
      decide_retry(state.policy, join->failure.failed(), !mismatches.empty(), join->attempts,
                   self->clock().now() - join->first_attempt);
  switch (decision.next) {
    case RetryDecision::Next::matched:
      finish(*join, ReconciliationOutcome::matched, {});
      return;
    case RetryDecision::Next::mismatch:
      finish(*join, ReconciliationOutcome::mismatch, std::move(mismatches));
      return;
    case RetryDecision::Next::retry: {
      const auto wait_ms = decision.wait_ms;
      join->backoff_ms.push_back(wait_ms);
      log_line(LogLevel::warning, "position_update_handler",
               "order " + join->results.back().handshake.order.operation_id +
                   ": reconciliation attempt " + std::to_string(join->attempts) +
                   " mismatched (" + describe_mismatches(mismatches) + "), retrying in " +
                   std::to_string(wait_ms) + " ms");
      auto token = ++state.next_token;
      state.waiting.emplace(token, join);
      self->delayed_send(self, wait_for(wait_ms), retry_atom::value, token);
      return;
    }
  }
}

// The first attempt applies the deltas (the monitor answers with the touched keys' values) and
// compares them with the balances the venues reported with their handshakes, when those cover
// every touched key; otherwise, and on every retry, the venues are asked afresh, in parallel
// with the monitor.
void start_attempt(Self self, const std::shared_ptr<UpdateJoin>& join) {
  auto& state = self->state;
  const bool first = join->attempts == 0;
  if (first) join->first_attempt = self->clock().now();
  ++join->attempts;
  join->expected.clear();
  join->reported.clear();
  const bool reported = first && join->handshake_reports_complete;
  if (reported) join->reported = join->handshake_reports;
  // No CAF timeout per query (each costs the clock thread a wake): the execution manager's
  // deadline for the whole update bounds this, and a dead venue answers with an error at once.
  auto timeout = no_timeout();
  // The monitor and every queried venue; the first failure ends the reconciliation.
  auto attempt = FailureJoin::expect(
      1 + (reported ? 0 : join->keys_by_venue.size()), [self, join](const Failure& first) {
        if (first.failed() && !join->failure.failed()) join->failure = first;
        decide(self, join);
      });

  auto on_monitor = [attempt, join](ApplyOutcome& outcome) {
    join->expected = std::move(outcome.values);
    if (outcome.failure.failed())
      attempt->fail(std::move(outcome.failure));
    else
      attempt->arrive();
  };
  auto on_monitor_error = [self, attempt](const CafError& error) {
    attempt->fail({ErrorCode::em_component_down,
                   "position monitor: " + self->system().render(error)});
  };
  if (first) {
    self->request(state.monitor, timeout, apply_atom::value, join->all_deltas)
        .then(on_monitor, on_monitor_error);
  } else {
    self->request(state.monitor, timeout, values_atom::value, join->keys)
        .then([attempt, join](Balances& values) {
                join->expected = std::move(values);
                attempt->arrive();
              },
              on_monitor_error);
  }
  if (reported) return;
  for (const auto& [venue, keys] : join->keys_by_venue) {
    auto it = state.venues.find(venue);
    if (it == state.venues.end()) {  // no such venue: compare_balances reports the keys missing
      attempt->arrive();
      continue;
    }
    self->request(it->second, timeout, balances_atom::value, keys)
        .then(
            [attempt, join](Balances& balances) {
              join->reported.merge(balances);
              attempt->arrive();
            },
            [self, attempt, name = it->first](const CafError& error) {
              attempt->fail({ErrorCode::em_component_down,
                             "venue " + name + " balance query: " +
                                 self->system().render(error)});
            });
  }
}

Result<RefreshResult> refresh(Self self) {
  auto& state = self->state;
  auto promise = self->make_response_promise<RefreshResult>();
  auto result = std::make_shared<RefreshResult>();
  auto timeout = millis(state.query_timeout_ms);
  // Every venue settles; the monitor applies all that was settled at once, in venue name
  // order, also when one venue could not settle: what the others applied to their ledgers
  // must reach the monitor too (the first failure is reported).
  auto apply_all = [self, result, promise, timeout]() mutable {
    if (result->deltas.empty()) {
      promise.deliver(std::move(*result));
      return;
    }
    self->request(self->state.monitor, timeout, settle_atom::value, result->deltas)
        .then([result, promise](Balances&) mutable { promise.deliver(std::move(*result)); },
              [self, result, promise](const CafError& error) mutable {
                if (!result->failure.failed())
                  result->failure = {ErrorCode::em_component_down,
                                     "position monitor: " + self->system().render(error)};
                promise.deliver(std::move(*result));
              });
  };
  auto per_venue = std::make_shared<std::map<std::string, std::vector<ExecutionDelta>>>();
  auto join = FailureJoin::expect(
      state.venues.size(), [result, per_venue, apply_all](const Failure& first) mutable {
        result->failure = first;
        for (auto& [venue_name, venue_deltas] : *per_venue)
          for (auto& delta : venue_deltas) result->deltas.push_back(std::move(delta));
        apply_all();
      });
  for (const auto& [name, venue] : state.venues) {
    self->request(venue, timeout, settle_atom::value)
        .then(
            [join, per_venue, name = name](Settlement& settlement) {
              (*per_venue)[name] = std::move(settlement.deltas);
              if (settlement.failure.failed())
                join->fail({settlement.failure.code,
                            "venue " + name + ": " + settlement.failure.message});
              else
                join->arrive();
            },
            [self, join, name = name](const CafError& error) {
              join->fail({ErrorCode::em_component_down,
                          "venue " + name + " settle: " + self->system().render(error)});
            });
  }
  return promise;
}

}  // namespace

position_update_handler_actor::behavior_type position_update_handler(
    Self self, position_monitor_actor monitor,
    std::map<std::string, venue_actor, std::less<>> venues, ReconciliationConfig policy,
    std::int64_t query_timeout_ms) {
  auto& state = self->state;
  state.monitor = std::move(monitor);
  state.venues = std::move(venues);
  state.policy = policy;
  state.query_timeout_ms = query_timeout_ms;
  return {
      [self](update_atom, std::vector<ExecutionHandshake>& handshakes)
          -> Result<std::vector<OrderResult>> {
        auto join = std::make_shared<UpdateJoin>();
        join->results.resize(handshakes.size());
        for (std::size_t i = 0; i < handshakes.size(); ++i) {
          auto& result = join->results[i];
          result.deltas = to_execution_deltas(handshakes[i]);
          if (!handshakes[i].order.expected_deltas.empty()) {
            const auto& policy = self->state.policy;
            result.expected_deltas_check = check_expected_deltas(
                handshakes[i].order, result.deltas,
                Tolerance{policy.absolute_tolerance, policy.relative_tolerance});
          }
          result.handshake = std::move(handshakes[i]);
          join->all_deltas.insert(join->all_deltas.end(), result.deltas.begin(),
                                  result.deltas.end());
        }
        if (join->all_deltas.empty()) return std::move(join->results);
        join->keys = touched_keys(join->all_deltas);
        // In run order: a later member's report of a key is the newer one.
        for (const auto& result : join->results)
          for (const auto& [key, amount] : result.handshake.reported_balances)
            join->handshake_reports[key] = amount;
        join->handshake_reports_complete = true;
        for (const auto& key : join->keys)
          if (!join->handshake_reports.count(key)) join->handshake_reports_complete = false;
        for (const auto& key : join->keys)
          join->keys_by_venue[std::string(venue_of(key))].push_back(key);
        join->promise = self->make_response_promise<std::vector<OrderResult>>();
        auto promise = join->promise;
        start_attempt(self, join);
        return promise;
      },
      [self](refresh_atom) { return refresh(self); },
      [self](retry_atom, std::uint64_t token) {
        auto it = self->state.waiting.find(token);
        if (it == self->state.waiting.end()) return;  // stale timer
        auto join = std::move(it->second);
        self->state.waiting.erase(it);
        start_attempt(self, join);
      },
      [self](replace_atom, const std::string& name, venue_actor venue) {
        self->state.venues[name] = std::move(venue);
      },
  };
}

}  // namespace tightloop
