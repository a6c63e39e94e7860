#include "actors/execution_manager.hpp"

#include "messages/order_validation.hpp"
#include "runtime/logging.hpp"

namespace tightloop {

namespace {

using Self = execution_manager_actor::stateful_pointer<ExecutionManagerState>;

void pump(Self self);

OrderResult result_of(ExecutionHandshake handshake) {
  OrderResult result;
  result.handshake = std::move(handshake);
  return result;
}

void halt(Self self, ErrorCode code, std::string reason) {
  auto& state = self->state;
  if (state.halted) return;
  state.halted = true;
  state.halt_code = code;
  state.halt_reason = std::move(reason);
  // Supervision (escalate, resume) attaches here; today the book stops taking orders.
  log_line(LogLevel::warning, "execution_manager",
           "book " + state.settings.book + " halted: " + std::string(to_string(code)) + " " +
               state.halt_reason);
}

void complete_batch(Self self, std::shared_ptr<Batch> batch) {
  auto& state = self->state;
  // The snapshot belongs to this batch: nothing else runs until it arrives.
  state.busy = true;
  auto deliver = [self, batch](BookResult result) {
    batch->promise.deliver(std::move(result));
    self->state.busy = false;
    pump(self);
  };
  self->request(state.monitor, millis(state.settings.update_timeout_ms), snapshot_atom::value)
      .then(
          [self, batch, deliver](Balances& positions) {
            auto& state = self->state;
            BookResult result;
            result.book = state.settings.book;
            result.results = std::move(batch->results);
            result.positions = std::move(positions);
            result.halted = state.halted;
            result.halt_code = state.halt_code;
            result.halt_reason = state.halt_reason;
            deliver(std::move(result));
          },
          [self, batch](const CafError& error) {
            batch->promise.deliver(error);
            self->state.busy = false;
            pump(self);
          });
}

// Records the result of the order at the queue's front and moves on.
void finish_front(Self self, OrderResult result) {
  auto& state = self->state;
  auto pending = std::move(state.queue.front());
  state.queue.pop_front();
  state.busy = false;
  if (log_enabled(LogLevel::debug))
    log_line(LogLevel::debug, "execution_manager",
             "order " + pending.order.operation_id + " " +
                 std::string(to_string(result.handshake.status)));
  if (!pending.batch) {
    pending.single.deliver(std::move(result));
    return;
  }
  pending.batch->results[pending.index] = std::move(result);
  if (--pending.batch->remaining == 0) complete_batch(self, std::move(pending.batch));
}

void on_update(Self self, OrderResult result) {
  if (result.reconciliation.outcome == ReconciliationOutcome::mismatch)
    halt(self, result.handshake.error_code, result.handshake.error_message);
  finish_front(self, std::move(result));
  pump(self);
}

void on_handshake(Self self, std::uint64_t sequence, ExecutionHandshake handshake) {
  auto& state = self->state;
  if (handshake.status != HandshakeStatus::executed) {
    // Nothing executed, nothing to apply: no hop to the update handler.
    finish_front(self, result_of(std::move(handshake)));
    pump(self);
    return;
  }
  self->request(state.updater, millis(state.settings.update_timeout_ms), update_atom::value,
                std::move(handshake))
      .then(
          [self, sequence](OrderResult& result) {
            if (sequence != self->state.sequence) return;
            on_update(self, std::move(result));
          },
          [self, sequence](const CafError& error) {
            auto& state = self->state;
            if (sequence != state.sequence) return;
            auto hs = failed_handshake(state.queue.front().order, ErrorCode::em_component_down,
                                       "position update failed: " + self->system().render(error));
            hs.in_doubt = true;  // the deltas may or may not have reached the monitor
            halt(self, hs.error_code, hs.error_message);
            finish_front(self, result_of(std::move(hs)));
            pump(self);
          });
}

void on_route_error(Self self, const CafError& error) {
  auto& state = self->state;
  const bool timed_out = error == caf::sec::request_timeout;
  auto hs = failed_handshake(
      state.queue.front().order,
      timed_out ? ErrorCode::em_venue_timeout : ErrorCode::em_component_down,
      timed_out ? "venue did not answer within " + std::to_string(state.settings.venue_timeout_ms) +
                      " ms; outcome unknown"
                : "venue unreachable: " + self->system().render(error));
  hs.in_doubt = true;  // never guess executed or not executed
  finish_front(self, result_of(std::move(hs)));
  pump(self);
}

// Starts the next order unless one is in flight. Orders that need no venue (invalid, duplicate,
// or after a halt) are answered right here.
void pump(Self self) {
  auto& state = self->state;
  while (!state.busy && !state.queue.empty()) {
    if (state.queue.front().end_of_empty_batch) {
      auto batch = std::move(state.queue.front().batch);
      state.queue.pop_front();
      complete_batch(self, std::move(batch));
      return;
    }
    const Order& order = state.queue.front().order;
    if (state.halted) {
      auto skipped = failed_handshake(order, ErrorCode::em_book_halted_skip,
                                      "book halted before this order: " + state.halt_reason);
      skipped.status = HandshakeStatus::skipped;
      finish_front(self, result_of(std::move(skipped)));
      continue;
    }
    if (auto failure = validate_order(order)) {
      finish_front(self, result_of(failed_handshake(order, failure->code, failure->message)));
      continue;
    }
    if (!state.used_operation_ids.insert(order.operation_id).second) {
      finish_front(self, result_of(failed_handshake(
                             order, ErrorCode::ord_duplicate_operation_id,
                             "operation_id '" + order.operation_id +
                                 "' was already used in book " + state.settings.book)));
      continue;
    }
    state.busy = true;
    auto sequence = ++state.sequence;
    self->request(state.router, millis(state.settings.venue_timeout_ms), route_atom::value, order)
        .then(
            [self, sequence](ExecutionHandshake& handshake) {
              if (sequence != self->state.sequence) return;
              on_handshake(self, sequence, std::move(handshake));
            },
            [self, sequence](const CafError& error) {
              if (sequence != self->state.sequence) return;
              on_route_error(self, error);
            });
  }
}

}  // namespace

execution_manager_actor::behavior_type execution_manager(
    Self self, ExecutionManagerSettings settings, venue_interface_manager_actor router,
    position_update_handler_actor updater, position_monitor_actor monitor) {
  auto& state = self->state;
  state.settings = std::move(settings);
  state.router = std::move(router);
  state.updater = std::move(updater);
  state.monitor = std::move(monitor);
  return {
      [self](submit_atom, std::vector<Order>& orders) -> Promise<BookResult> {
        auto batch = std::make_shared<Batch>();
        batch->promise = self->make_response_promise<BookResult>();
        batch->results.resize(orders.size());
        batch->remaining = orders.size();
        auto promise = batch->promise;
        auto& queue = self->state.queue;
        if (orders.empty()) {  // an end marker keeps the snapshot in line with earlier batches
          queue.emplace_back();
          queue.back().batch = batch;
          queue.back().end_of_empty_batch = true;
        }
        for (std::size_t i = 0; i < orders.size(); ++i) {
          queue.emplace_back();
          queue.back().order = std::move(orders[i]);
          queue.back().batch = batch;
          queue.back().index = i;
        }
        pump(self);
        return promise;
      },
      [self](execute_atom, Order& order) -> Promise<OrderResult> {
        PendingOrder pending;
        pending.order = std::move(order);
        pending.single = self->make_response_promise<OrderResult>();
        auto promise = pending.single;
        self->state.queue.push_back(std::move(pending));
        pump(self);
        return promise;
      },
  };
}

}  // namespace tightloop
