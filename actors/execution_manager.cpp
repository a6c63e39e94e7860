#include "actors/execution_manager.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "actors/join.hpp"
#include "actors/position/admission.hpp"
#include "actors/position/position_book.hpp"
#include "actors/logging.hpp"

namespace tightloop {

namespace {

using Self = execution_manager_actor::stateful_pointer<ExecutionManagerState>;

void pump(Self self);

OrderResult result_of(ExecutionHandshake handshake) {
  OrderResult result;
  result.handshake = std::move(handshake);
  return result;
}

ExecutionHandshake with_status(ExecutionHandshake handshake, HandshakeStatus status) {
  handshake.status = status;
  return handshake;
}

// ---- step deadlines ------------------------------------------------------------------------

void schedule_wake(Self self, TimePoint due) {
  self->state.wake_times.insert(due);
  const auto delay = std::max(due - self->clock().now(), TimePoint::duration::zero());
  self->delayed_send(self, delay, wake_atom::value);
}

// Guards step `sequence` (the one starting now) for timeout_ms. A timer is scheduled only when
// none is due earlier; a timer that fires early re-arms itself for the current deadline.
void arm(Self self, std::uint64_t sequence, std::int64_t timeout_ms, std::string venue,
         std::function<void(const CafError&)> expire) {
  auto& state = self->state;
  const auto due = self->clock().now() + wait_for(timeout_ms);
  state.deadline = StepDeadline{sequence, due, std::move(venue), std::move(expire)};
  if (state.wake_times.empty() || due < *state.wake_times.begin()) schedule_wake(self, due);
}

// Ends the step in flight through its error path, now. Its reply may still come: the step
// gets a new sequence number so that the reply finds itself stale, even when nothing else
// started meanwhile.
void expire_step(Self self, const CafError& error) {
  auto expire = std::move(self->state.deadline->expire);
  self->state.deadline.reset();
  const auto sequence = self->state.sequence;
  expire(error);
  if (self->state.sequence == sequence) ++self->state.sequence;
}

void on_wake(Self self) {
  auto& state = self->state;
  if (!state.wake_times.empty()) state.wake_times.erase(state.wake_times.begin());
  if (!state.deadline) return;
  if (state.phase == StepPhase::idle || state.deadline->sequence != state.sequence) {  // over
    state.deadline.reset();
    return;
  }
  if (self->clock().now() >= state.deadline->due) {
    expire_step(self, caf::make_error(caf::sec::request_timeout));
    return;
  }
  if (state.wake_times.empty() || state.deadline->due < *state.wake_times.begin())
    schedule_wake(self, state.deadline->due);
}

// A venue died (the supervisor says so right after halting the book). A dead venue never
// answers the order it held, so that order is in doubt now, not at its deadline.
void on_venue_down(Self self, const std::string& venue) {
  auto& state = self->state;
  if (!state.deadline || state.phase == StepPhase::idle ||
      state.deadline->sequence != state.sequence ||
      state.deadline->venue != venue)
    return;
  expire_step(self, caf::make_error(caf::sec::request_receiver_down));
}

// A request on the order path: no CAF timeout, the step's deadline instead; when it passes,
// on_error sees request_timeout exactly as from CAF. Every handler checks its sequence.
// `venue` names the venue a routing step waits for (see on_venue_down).
template <class Dest, class OnReply, class OnError, class... Ts>
void ask(Self self, std::uint64_t sequence, std::int64_t timeout_ms, std::string venue,
         const Dest& dest, OnReply on_reply, OnError on_error, Ts&&... xs) {
  arm(self, sequence, timeout_ms, std::move(venue),
      [on_error](const CafError& error) mutable { on_error(error); });
  self->request(dest, no_timeout(), std::forward<Ts>(xs)...)
      .then(std::move(on_reply), std::move(on_error));
}

// The same request to every venue of the book under one step deadline; `done` runs once, with
// the first error, when all answered or the deadline passed.
template <class... Ts>
void ask_every_venue(Self self, std::uint64_t sequence, std::int64_t timeout_ms,
                     std::function<void(const CafError&)> done, const Ts&... xs) {
  auto once = std::make_shared<bool>(false);
  auto finish = [done = std::move(done), once](const CafError& error) {
    if (std::exchange(*once, true)) return;
    done(error);
  };
  arm(self, sequence, timeout_ms, {}, finish);
  const auto& venues = self->state.router.venues();
  auto join = Join::expect(venues.size(), finish);
  for (const auto& [name, venue] : venues)
    self->request(venue.handle, no_timeout(), xs...)
        .then([join](bool) { join->arrive(); },
              [join](const CafError& error) { join->fail(error); });
}

void halt(Self self, ErrorCode code, std::string reason, std::vector<KeyMismatch> mismatches,
          bool escalate) {
  auto& state = self->state;
  if (state.halt.halted) return;
  state.halt = HaltInfo{true, code, std::move(reason), std::move(mismatches)};
  log_line(LogLevel::warning, "execution_manager",
           "book " + state.settings.book + " halted: " + std::string(to_string(code)) + " " +
               state.halt.reason);
  if (!escalate) return;
  if (auto supervisor = actor_cast<book_supervisor_actor>(state.supervisor))
    self->send(supervisor, escalate_atom::value, code, state.halt.reason, state.halt.mismatches);
}

// The step machine (actors/execution/step_machine.hpp): every change of what the book is doing
// goes through here; an illegal move is a bug in the loop and ends the actor with both names
// (its supervisor then halts the book).
void enter(Self self, StepEvent event) {
  auto& state = self->state;
  auto next = transition(state.phase, event);
  if (!next)
    throw std::logic_error("execution_manager of book " + state.settings.book +
                           ": illegal step '" + std::string(to_string(event)) + "' in phase '" +
                           std::string(to_string(state.phase)) + "'");
  state.phase = *next;
}

// ---- answering ---------------------------------------------------------------------------

void answer_batch(Self self, Batch& batch, BookPositions positions) {
  auto& state = self->state;
  BookResult result;
  result.book = state.settings.book;
  result.results = std::move(batch.results);
  // Once per batch, off the order path.
  result.valuation = state.factory->value(positions, state.halt, *state.market);
  result.positions = std::move(positions.amounts);
  result.entry_prices = std::move(positions.entry_prices);
  result.halt = state.halt;
  batch.promise.deliver(std::move(result));
  enter(self, StepEvent::snapshot_taken);
}

void complete_batch(Self self, std::shared_ptr<Batch> batch) {
  auto& state = self->state;
  // The snapshot belongs to this batch: nothing else runs until it arrives.
  enter(self, StepEvent::batch_done);
  ++state.sequence;  // a new step: the last order's deadline no longer applies
  if (!state.parts.spawned()) {  // nothing reached a venue: the monitor would show these
    answer_batch(self, *batch, state.factory->opening_positions());
    pump(self);
    return;
  }
  self->request(state.parts.monitor, millis(state.settings.update_timeout_ms),
                positions_atom::value)
      .then(
          [self, batch](BookPositions& positions) {
            answer_batch(self, *batch, std::move(positions));
            pump(self);
          },
          [self, batch](const CafError& error) {
            batch->promise.deliver(error);
            enter(self, StepEvent::snapshot_taken);
            pump(self);
          });
}

void deliver(Self self, OrderItem& item, OrderResult result) {
  if (claims_operation_id(result.handshake))
    self->state.used_operation_ids.insert(item.order.operation_id);
  if (log_enabled(LogLevel::debug))
    log_line(LogLevel::debug, "execution_manager",
             "order " + item.order.operation_id + " " +
                 std::string(to_string(result.handshake.status)));
  if (!item.batch) {
    item.single.deliver(std::move(result));
    return;
  }
  item.batch->results[item.index] = std::move(result);
  // The batch's snapshot is the next step, taken when the book is idle again.
  if (--item.batch->remaining == 0) {
    self->state.queue.push_front(BatchEnd{std::move(item.batch)});
  }
}

OrderItem& front_order(Self self) { return std::get<OrderItem>(self->state.queue.front()); }

// Records the result of the order at the queue's front and moves on.
void finish_front(Self self, OrderResult result) {
  auto& state = self->state;
  auto item = std::move(front_order(self));
  state.queue.pop_front();
  deliver(self, item, std::move(result));
}

// ---- one order -----------------------------------------------------------------------------

void on_update(Self self, OrderResult result) {
  if (result.reconciliation.outcome == ReconciliationOutcome::mismatch)
    halt(self, result.handshake.error_code, result.handshake.error_message,
         result.reconciliation.mismatches, true);
  enter(self, StepEvent::updated);
  finish_front(self, std::move(result));
  pump(self);
}

ExecutionHandshake route_failure(Self self, const Order& order, const CafError& error) {
  const bool timed_out = error == caf::sec::request_timeout;
  std::string message;
  if (timed_out)
    message = "venue did not answer within " +
              std::to_string(self->state.settings.venue_timeout_ms) + " ms; outcome unknown";
  else if (error == caf::sec::request_receiver_down)
    message = "venue " + order.venue + " died with the order in flight; outcome unknown";
  else
    message = "venue unreachable: " + self->system().render(error);
  auto hs = failed_handshake(
      order, timed_out ? ErrorCode::em_venue_timeout : ErrorCode::em_component_down, message);
  hs.in_doubt = true;  // never guess executed or not executed
  return hs;
}

void update_failed(Self self, std::vector<OrderItem*> items, const CafError& error) {
  std::string message = "position update failed: " + self->system().render(error);
  halt(self, ErrorCode::em_component_down, message, {}, true);
  for (auto* item : items) {
    auto hs = failed_handshake(item->order, ErrorCode::em_component_down, message);
    hs.in_doubt = true;  // the deltas may or may not have reached the monitor
    deliver(self, *item, result_of(std::move(hs)));
  }
}

void on_handshake(Self self, std::uint64_t sequence, ExecutionHandshake handshake) {
  auto& state = self->state;
  if (handshake.status != HandshakeStatus::executed) {
    // Nothing executed, nothing to apply: no hop to the update handler.
    enter(self, StepEvent::venue_failed);
    finish_front(self, result_of(std::move(handshake)));
    pump(self);
    return;
  }
  enter(self, StepEvent::executed);
  std::vector<ExecutionHandshake> one;
  one.push_back(std::move(handshake));
  sequence = ++state.sequence;  // the update is a step of its own, with its own deadline
  ask(
      self, sequence, state.settings.update_timeout_ms, {}, state.parts.updater,
      [self, sequence](std::vector<OrderResult>& results) {
        if (sequence != self->state.sequence) return;
        on_update(self, std::move(results.front()));
      },
      [self, sequence](const CafError& error) {
        auto& state = self->state;
        if (sequence != state.sequence) return;
        auto item = std::move(front_order(self));
        state.queue.pop_front();
        enter(self, StepEvent::updated);
        update_failed(self, {&item}, error);
        pump(self);
      },
      update_atom::value, std::move(one));
}

void route_order(Self self, const venue_actor& venue) {
  auto& state = self->state;
  enter(self, StepEvent::route);
  auto sequence = ++state.sequence;
  ask(
      self, sequence, state.settings.venue_timeout_ms, front_order(self).order.venue, venue,
      [self, sequence](ExecutionHandshake& handshake) {
        if (sequence != self->state.sequence) return;
        on_handshake(self, sequence, std::move(handshake));
      },
      [self, sequence](const CafError& error) {
        if (sequence != self->state.sequence) return;
        enter(self, StepEvent::venue_failed);
        finish_front(self,
                     result_of(route_failure(self, front_order(self).order, error)));
        pump(self);
      },
      execute_atom::value, front_order(self).order);
}

// The router keeps the venues (a restart replaces one there); `parts` the rest.
BookParts current_parts(const ExecutionManagerState& state) {
  auto parts = state.parts;
  parts.venues = state.router.venues();
  return parts;
}

// The book's venues, update handler and monitor, spawned by the first step that needs them
// (an idle book costs two actors); the supervisor gets them to watch and restart.
void ensure_parts(Self self) {
  auto& state = self->state;
  if (state.parts.spawned()) return;
  state.parts = state.factory->spawn(state.market);
  state.router = VenueInterfaceManager(std::move(state.parts.venues));
  state.parts.venues.clear();
  if (auto supervisor = actor_cast<book_supervisor_actor>(state.supervisor))
    self->send(supervisor, wired_atom::value, current_parts(state));
}

// Checks that need no venue (admission.hpp); the id is claimed when the order is answered.
std::optional<Failure> admit(Self self, const Order& order) {
  return tightloop::admit(order, self->state.used_operation_ids, self->state.settings.book);
}

// ---- atomic groups -------------------------------------------------------------------------

void run_group_member(Self self);

void end_group(Self self) {
  self->state.group.reset();
  enter(self, StepEvent::group_done);
  pump(self);
}

std::string group_id(const GroupRun& run) { return run.members.front().order.atomic_group_id; }

// The member at run position `failed_at` failed with `failure`: the venues restore their
// checkpoints; earlier members are rolled_back, later ones skipped, the monitor sees nothing.
void fail_group(Self self, std::size_t failed_at, ExecutionHandshake failure) {
  auto& state = self->state;
  enter(self, StepEvent::group_failed);
  auto sequence = ++state.sequence;
  auto finish = [self, sequence, failed_at, failure]() mutable {
    auto& state = self->state;
    if (sequence != state.sequence || !state.group) return;
    auto& run = *state.group;
    const auto& failed_order = run.members[run.run_order[failed_at]].order;
    const std::string why = "atomic group '" + group_id(run) + "' failed at " +
                            failed_order.operation_id + ": " +
                            std::string(to_string(failure.error_code)) + " " +
                            failure.error_message;
    for (std::size_t pos = 0; pos < run.run_order.size(); ++pos) {
      auto& item = run.members[run.run_order[pos]];
      if (pos == failed_at) {
        deliver(self, item, result_of(failure));
        continue;
      }
      auto status = pos < failed_at ? HandshakeStatus::rolled_back : HandshakeStatus::skipped;
      auto hs = failed_handshake(item.order, ErrorCode::em_group_member_failed,
                                 (pos < failed_at ? "rolled back: " : "not run: ") + why);
      deliver(self, item, result_of(with_status(std::move(hs), status)));
    }
    end_group(self);
  };
  ask_every_venue(
      self, sequence, state.settings.update_timeout_ms,
      [self, sequence, finish](const CafError& error) mutable {
        if (sequence != self->state.sequence) return;
        // A venue that cannot restore its checkpoint leaves the books in an unknown state.
        if (error)
          halt(self, ErrorCode::em_component_down,
               "atomic group revert failed: " + self->system().render(error), {}, true);
        finish();
      },
      revert_atom::value, group_id(*state.group));
}

void apply_group(Self self) {
  auto& state = self->state;
  auto& run = *state.group;
  if (auto outstanding = unrepaid_flash_loan(run.executed)) {
    const auto last = run.run_order.size() - 1;
    auto hs = failed_handshake(run.members[run.run_order[last]].order,
                               ErrorCode::ven_flash_liability, *outstanding);
    fail_group(self, last, std::move(hs));
    return;
  }
  enter(self, StepEvent::group_applied);
  auto sequence = ++state.sequence;
  ask(
      self, sequence, state.settings.update_timeout_ms, {}, state.parts.updater,
      [self, sequence](std::vector<OrderResult>& results) {
        auto& state = self->state;
        if (sequence != state.sequence || !state.group) return;
        auto& run = *state.group;
        for (const auto& [name, venue] : state.router.venues())
          self->send(venue.handle, commit_atom::value, group_id(run));
        const auto& last = results.back();
        if (last.reconciliation.outcome == ReconciliationOutcome::mismatch)
          halt(self, last.handshake.error_code, last.handshake.error_message,
               last.reconciliation.mismatches, true);
        for (std::size_t i = 0; i < results.size(); ++i)
          deliver(self, run.members[run.executed_members[i]], std::move(results[i]));
        end_group(self);
      },
      [self, sequence](const CafError& error) {
        auto& state = self->state;
        if (sequence != state.sequence || !state.group) return;
        std::vector<OrderItem*> items;
        for (auto index : state.group->executed_members)
          items.push_back(&state.group->members[index]);
        update_failed(self, std::move(items), error);
        end_group(self);
      },
      update_atom::value, run.executed);
}

void run_group_member(Self self) {
  auto& state = self->state;
  auto& run = *state.group;
  if (run.next == run.run_order.size()) {
    apply_group(self);
    return;
  }
  const auto member = run.run_order[run.next];
  auto route = state.router.route(run.members[member].order);
  if (route.refusal) {
    fail_group(self, run.next,
               failed_handshake(run.members[member].order, route.refusal->code,
                                std::move(route.refusal->message)));
    return;
  }
  auto sequence = ++state.sequence;
  ask(
      self, sequence, state.settings.venue_timeout_ms, run.members[member].order.venue,
      route.venue,
      [self, sequence, member](ExecutionHandshake& handshake) {
        auto& state = self->state;
        if (sequence != state.sequence || !state.group) return;
        auto& run = *state.group;
        if (handshake.status != HandshakeStatus::executed) {
          fail_group(self, run.next, std::move(handshake));
          return;
        }
        run.executed.push_back(std::move(handshake));
        run.executed_members.push_back(member);
        ++run.next;
        run_group_member(self);
      },
      [self, sequence, member](const CafError& error) {
        auto& state = self->state;
        if (sequence != state.sequence || !state.group) return;
        auto& run = *state.group;
        fail_group(self, run.next, route_failure(self, run.members[member].order, error));
      },
      execute_atom::value, run.members[member].order);
}

// Takes the group at the queue's front out of the queue and starts it. Members that fail the
// checks fail, each with its own code, and the rest of the group is skipped: nothing has run.
void start_group(Self self) {
  auto& state = self->state;
  auto run = std::make_unique<GroupRun>();
  const auto id = front_order(self).order.atomic_group_id;
  const auto batch = front_order(self).batch;
  // A group is formed within one batch; an order submitted alone is a group of one.
  do {
    run->members.push_back(std::move(front_order(self)));
    state.queue.pop_front();
  } while (batch && !state.queue.empty() && [&] {
    const auto* next = std::get_if<OrderItem>(&state.queue.front());
    return next && next->batch == batch && next->order.atomic_group_id == id;
  }());
  std::vector<const Order*> orders;
  for (const auto& member : run->members) orders.push_back(&member.order);
  run->run_order = group_run_order(orders);
  auto failures =
      check_group_members(orders, run->run_order, state.used_operation_ids, state.settings.book);
  std::optional<std::size_t> first_invalid;
  for (std::size_t pos = 0; pos < failures.size() && !first_invalid; ++pos)
    if (failures[pos]) first_invalid = pos;
  enter(self, StepEvent::group_started);
  state.group = std::move(run);
  if (!first_invalid) {
    run_group_member(self);
    return;
  }
  auto& group = *state.group;
  const auto& culprit = group.members[group.run_order[*first_invalid]].order.operation_id;
  for (std::size_t pos = 0; pos < group.run_order.size(); ++pos) {
    auto& item = group.members[group.run_order[pos]];
    if (failures[pos]) {
      deliver(self, item,
              result_of(failed_handshake(item.order, failures[pos]->code,
                                         std::move(failures[pos]->message))));
      continue;
    }
    auto hs = failed_handshake(item.order, ErrorCode::em_group_member_failed,
                               "not run: atomic group '" + id + "' has an invalid member " +
                                   culprit);
    deliver(self, item, result_of(with_status(std::move(hs), HandshakeStatus::skipped)));
  }
  end_group(self);
}

// ---- the queue -----------------------------------------------------------------------------

void run_refresh(Self self) {
  auto& state = self->state;
  enter(self, StepEvent::refresh);
  auto sequence = ++state.sequence;
  auto done = [self, sequence](RefreshResult result) {
    auto& state = self->state;
    if (sequence != state.sequence) return;
    auto item = std::get<RefreshItem>(std::move(state.queue.front()));
    state.queue.pop_front();
    enter(self, StepEvent::refreshed);
    item.done.deliver(std::move(result));
    pump(self);
  };
  ask(
      self, sequence, state.settings.update_timeout_ms, {}, state.parts.updater,
      [done](RefreshResult& result) { done(std::move(result)); },
      [self, done](const CafError& error) {
        RefreshResult result;
        result.failure = {ErrorCode::em_component_down,
                          "refresh failed: " + self->system().render(error)};
        done(std::move(result));
      },
      refresh_atom::value);
}

// Every venue has the new market data before anything after it is priced or settled.
void run_market_update(Self self) {
  auto& state = self->state;
  enter(self, StepEvent::market);
  auto sequence = ++state.sequence;
  auto done = [self, sequence]() {
    auto& state = self->state;
    if (sequence != state.sequence) return;
    auto item = std::get<MarketItem>(std::move(state.queue.front()));
    state.queue.pop_front();
    state.market = std::move(item.market);
    enter(self, StepEvent::market_applied);
    item.done.deliver(true);
    pump(self);
  };
  ask_every_venue(
      self, sequence, state.settings.venue_timeout_ms,
      [self, sequence, done](const CafError& error) {
        if (sequence != self->state.sequence) return;
        if (error)
          halt(self, ErrorCode::em_component_down,
               "market update not confirmed by every venue: " + self->system().render(error),
               {}, true);
        done();
      },
      market_atom::value, *std::get<MarketItem>(state.queue.front()).market);
}

OrderResult halted_result(Self self, const OrderItem& item) {
  auto& state = self->state;
  if (item.refused)
    return result_of(failed_handshake(item.order, ErrorCode::em_book_halted,
                                      "book " + state.settings.book +
                                          " is halted until an operator resumes it: " +
                                          state.halt.reason));
  return result_of(with_status(
      failed_handshake(item.order, ErrorCode::em_book_halted_skip,
                       "book halted before this order: " + state.halt.reason),
      HandshakeStatus::skipped));
}

// Starts the next step unless one is in flight. Orders that need no venue (invalid, duplicate,
// or after a halt) are answered right here.
void pump(Self self) {
  auto& state = self->state;
  while (state.phase == StepPhase::idle && !state.queue.empty()) {
    if (auto* end = std::get_if<BatchEnd>(&state.queue.front())) {
      auto batch = std::move(end->batch);
      state.queue.pop_front();
      complete_batch(self, std::move(batch));
      return;
    }
    if (auto* market = std::get_if<MarketItem>(&state.queue.front())) {
      if (!state.parts.spawned()) {  // the parts will start from it
        state.market = std::move(market->market);
        market->done.deliver(true);
        state.queue.pop_front();
        continue;
      }
      run_market_update(self);
      return;
    }
    if (auto* refresh = std::get_if<RefreshItem>(&state.queue.front())) {
      if (state.halt.halted) {
        RefreshResult refused;
        refused.failure = {ErrorCode::em_book_halted,
                           "book " + state.settings.book + " is halted: " + state.halt.reason};
        refresh->done.deliver(std::move(refused));
        state.queue.pop_front();
        continue;
      }
      ensure_parts(self);
      run_refresh(self);
      return;
    }
    auto& front = front_order(self);
    if (state.halt.halted || front.refused) {
      finish_front(self, halted_result(self, front));
      continue;
    }
    if (state.draining) {
      finish_front(self, result_of(with_status(
                             failed_handshake(front.order, ErrorCode::em_shutting_down,
                                              "not started: the daemon is stopping"),
                             HandshakeStatus::skipped)));
      continue;
    }
    if (!front.order.atomic_group_id.empty()) {
      ensure_parts(self);
      start_group(self);
      continue;
    }
    if (auto failure = admit(self, front.order)) {
      finish_front(self, result_of(failed_handshake(front.order, failure->code,
                                                    std::move(failure->message))));
      continue;
    }
    ensure_parts(self);
    auto route = state.router.route(front.order);
    if (route.refusal) {
      finish_front(self, result_of(failed_handshake(front.order, route.refusal->code,
                                                    std::move(route.refusal->message))));
      continue;
    }
    route_order(self, route.venue);
  }
}

}  // namespace

execution_manager_actor::behavior_type execution_manager(
    Self self, ExecutionManagerSettings settings, BookParts parts,
    std::shared_ptr<const BookPartsFactory> factory, std::shared_ptr<const MarketData> market) {
  auto& state = self->state;
  state.settings = std::move(settings);
  state.router = VenueInterfaceManager(std::move(parts.venues));
  parts.venues.clear();
  state.parts = std::move(parts);
  state.factory = std::move(factory);
  state.market = std::move(market);
  // Parts spawned here stop with this actor: the supervisor may not have them yet.
  self->set_exit_handler([self](ExitMsg& exit) {
    if (!exit.reason) return;
    const auto& parts = self->state.parts;
    auto stop = [&](const auto& handle) {
      if (handle) self->send_exit(handle, exit.reason);
    };
    stop(parts.updater);
    stop(parts.monitor);
    for (const auto& [name, venue] : self->state.router.venues()) stop(venue.handle);
    self->quit(exit.reason);
  });
  return {
      [self](submit_atom, std::vector<Order>& orders) -> Promise<BookResult> {
        auto batch = std::make_shared<Batch>();
        batch->promise = self->make_response_promise<BookResult>();
        batch->results.resize(orders.size());
        batch->remaining = orders.size();
        auto promise = batch->promise;
        auto& queue = self->state.queue;
        const bool refused = self->state.halt.halted;
        // A group split inside the batch never runs in part (admission.hpp).
        std::vector<const Order*> members;
        for (const auto& order : orders) members.push_back(&order);
        auto shapes = check_group_shapes(members);
        for (std::size_t i = 0; i < orders.size(); ++i)
          if (shapes[i] && !orders[i].ingress_failure.failed())
            orders[i].ingress_failure = std::move(*shapes[i]);
        for (std::size_t i = 0; i < orders.size(); ++i)
          queue.push_back(OrderItem{std::move(orders[i]), batch, i, {}, refused});
        // An end marker keeps the snapshot in line with earlier work.
        if (orders.empty()) queue.push_back(BatchEnd{batch});
        pump(self);
        return promise;
      },
      [self](execute_atom, Order& order) -> Promise<OrderResult> {
        OrderItem item;
        item.order = std::move(order);
        item.single = self->make_response_promise<OrderResult>();
        item.refused = self->state.halt.halted;
        auto promise = item.single;
        self->state.queue.push_back(std::move(item));
        pump(self);
        return promise;
      },
      [self](refresh_atom) -> Promise<RefreshResult> {
        RefreshItem item{self->make_response_promise<RefreshResult>()};
        auto promise = item.done;
        self->state.queue.push_back(std::move(item));
        pump(self);
        return promise;
      },
      [self](market_atom, MarketData& market) -> Promise<bool> {
        MarketItem item{std::make_shared<const MarketData>(std::move(market)),
                        self->make_response_promise<bool>()};
        auto promise = item.done;
        self->state.queue.push_back(std::move(item));
        pump(self);
        return promise;
      },
      [self](halt_atom, ErrorCode code, const std::string& reason) {
        halt(self, code, reason, {}, false);
      },
      [self](drain_atom) {
        self->state.draining = true;
        pump(self);
        return true;
      },
      [self](resume_atom) {
        auto& state = self->state;
        if (!state.halt.halted) return;
        log_line(LogLevel::warning, "execution_manager",
                 "book " + state.settings.book + " resumed");
        state.halt = HaltInfo{};
        pump(self);
      },
      [self](supervise_atom, const ActorAddr& supervisor) {
        auto& state = self->state;
        state.supervisor = supervisor;
        if (!state.parts.spawned()) return;
        if (auto handle = actor_cast<book_supervisor_actor>(supervisor))
          self->send(handle, wired_atom::value, current_parts(state));
      },
      [self](wire_atom) {
        ensure_parts(self);
        return current_parts(self->state);
      },
      [self](replace_atom, const std::string& name, venue_actor venue) {
        self->state.router.replace(name, std::move(venue));
      },
      [self](wake_atom) { on_wake(self); },
      [self](venue_down_atom, const std::string& venue) { on_venue_down(self, venue); },
  };
}

}  // namespace tightloop
