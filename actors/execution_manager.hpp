// execution_manager: the tight loop of one book. Strictly one order at a time: the next order
// is routed only after the previous one executed, its deltas were applied and reconciled.
// Sequencing uses the actor's own queue and `.then` (never `.await`, which would make the book
// deaf to supervision while it waits); every reply carries the sequence number of the step it
// belongs to, and stale replies are dropped.
//
// Atomic groups (consecutive orders of one batch with the same atomic_group_id) run in
// sequence_in_group order and are applied and reconciled once at the end; if a member fails,
// the venues restore their checkpoints and the monitor never sees the group.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <variant>
#include <vector>

#include "actors/execution/step_machine.hpp"
#include "actors/interfaces.hpp"
#include "actors/venue_interface_manager.hpp"

namespace tightloop {

struct ExecutionManagerSettings {
  std::string book;
  std::int64_t venue_timeout_ms = 5000;
  std::int64_t update_timeout_ms = 10000;  // apply + reconcile, retries included
};

struct Batch {
  std::vector<OrderResult> results;
  std::size_t remaining = 0;
  Promise<BookResult> promise;
};

// The queue's kinds of steps, in the order they must take effect.
struct OrderItem {
  Order order;
  std::shared_ptr<Batch> batch;  // null: an order submitted alone
  std::size_t index = 0;         // in the batch
  Promise<OrderResult> single;   // the answer of an order submitted alone
  bool refused = false;          // submitted while the book was halted
};
struct BatchEnd {  // every order of the batch answered: its positions snapshot is due
  std::shared_ptr<Batch> batch;
};
struct RefreshItem {
  Promise<RefreshResult> done;
};
struct MarketItem {
  std::shared_ptr<const MarketData> market;
  Promise<bool> done;
};
using QueueItem = std::variant<OrderItem, BatchEnd, RefreshItem, MarketItem>;

// The atomic group in flight: its members left the queue and run in sequence_in_group order.
struct GroupRun {
  std::vector<OrderItem> members;       // queue order
  std::vector<std::size_t> run_order;   // indices into members
  std::size_t next = 0;                 // position in run_order
  std::vector<ExecutionHandshake> executed;  // in run order
  std::vector<std::size_t> executed_members;
};

// The deadline of the step in flight. Requests on the order path carry no CAF timeout: in CAF
// 0.17 each one costs the clock thread's mutex and a futex wake, which halved a book's
// throughput. The book keeps one deadline instead, checked by a timer that is re-armed only when
// it fires (at most one timer per step timeout under load, not one per request).
struct StepDeadline {
  std::uint64_t sequence = 0;  // the step it guards; a later step replaces it
  TimePoint due;
  std::string venue;  // the venue a routing step waits for; empty for other steps
  std::function<void(const CafError&)> expire;  // the step's error path
};

struct ExecutionManagerState {
  ExecutionManagerSettings settings;
  VenueInterfaceManager router;  // routing is a table lookup here, not a hop
  BookParts parts;  // empty until the first step that needs them; venues live in `router`
  std::shared_ptr<const BookPartsFactory> factory;  // spawns them then
  // The market the book saw last: the parts start from it, the batch's valuation uses it.
  std::shared_ptr<const MarketData> market;
  ActorAddr supervisor;  // weak: the supervisor holds this actor, not the other way round

  std::deque<QueueItem> queue;  // front() is in flight unless idle (a running group left it)
  StepPhase phase = StepPhase::idle;
  std::uint64_t sequence = 0;  // of the step in flight
  std::unordered_set<std::string> used_operation_ids;
  std::unique_ptr<GroupRun> group;
  std::optional<StepDeadline> deadline;
  std::multiset<TimePoint> wake_times;  // timers pending for the deadline

  HaltInfo halt;
  bool draining = false;  // shutting down: no order starts any more

  static inline const char* name = "execution_manager";
};

execution_manager_actor::behavior_type execution_manager(
    execution_manager_actor::stateful_pointer<ExecutionManagerState> self,
    ExecutionManagerSettings settings, BookParts parts,
    std::shared_ptr<const BookPartsFactory> factory, std::shared_ptr<const MarketData> market);

}  // namespace tightloop
