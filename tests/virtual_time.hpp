// Virtual time for actor tests: an actor system on CAF's deterministic test_coordinator. One OS
// thread; nothing runs until the test calls run(), and no timer fires until the test says so, so
// timeouts, retries and backoff are tested exactly and without sleeping.
//
//   test::VirtualTime vt;                        // or TEST_CASE_FIXTURE(test::VirtualTime, ...)
//   auto book = spawn_book(vt.system(), ...);
//   vt.track(book);                              // killed by the teardown
//   auto reply = vt.send_request<OrderResult>(book.manager, execute_atom::value, order);
//   CHECK_FALSE(reply.ready());
//   vt.advance_to_next_timer();                  // the venue timeout fires
//   auto result = reply.take();                  // Expected<OrderResult>
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "caf/scheduler/test_coordinator.hpp"
#include "config/config.hpp"
#include "runtime/book.hpp"
#include "actors/caf_aliases.hpp"

namespace tightloop::test {

// A reply or the error the request ended with (timeout, receiver down, unexpected message).
template <class T>
using Expected = caf::expected<T>;

using VirtualTimePoint = caf::actor_clock::time_point;

namespace detail {
// Throws std::logic_error when a reply is taken that is not there (or twice).
void require_reply(bool ready, bool taken);
}  // namespace detail

// A request whose reply may not have arrived yet. A small requester actor sends it and stores
// the reply (or the error) here; the test thread reads it between runs. The test_coordinator
// runs every actor on the test thread, so the slot needs no lock.
template <class T>
class PendingReply {
 public:
  explicit PendingReply(std::shared_ptr<std::optional<Expected<T>>> slot)
      : slot_(std::move(slot)) {}

  // True once the reply or an error (including the request's own timeout) has arrived.
  bool ready() const { return !taken_ && slot_->has_value(); }

  // Consumes the reply. Throws std::logic_error unless ready().
  Expected<T> take() {
    detail::require_reply(ready(), taken_);
    taken_ = true;
    return std::move(**slot_);
  }

 private:
  std::shared_ptr<std::optional<Expected<T>>> slot_;
  bool taken_ = false;
};

class VirtualTime {
 public:
  // A requester's own request timeout: far beyond any timeout the runtime uses, so a
  // request fails with request_timeout only if a test advances time this far.
  static constexpr std::chrono::seconds reply_timeout{24 * 60 * 60};  // one virtual day

  // The project's actor system config (message types registered), scheduler set to testing.
  VirtualTime();
  explicit VirtualTime(std::unique_ptr<ActorSystemConfig> config);
  ~VirtualTime();
  VirtualTime(const VirtualTime&) = delete;
  VirtualTime& operator=(const VirtualTime&) = delete;

  ActorSystem& system() { return *system_; }
  caf::scheduler::test_coordinator& sched() { return *sched_; }
  ScopedActor& self() { return *self_; }

  // Handles queued messages until every mailbox is empty. Fires no timer. Returns the count.
  std::size_t run();
  // Fires the earliest pending timer (setting the clock to its due time), then run(). False
  // when no timer is pending. Stale request timeouts count as timers too.
  bool advance_to_next_timer();
  // The virtual clock; starts at the clock's epoch and moves only with timers.
  VirtualTimePoint now() const;
  std::size_t pending_timers() const;

  // Actors the teardown kills. Untracked actors must end by themselves before the teardown.
  template <class Handle>
  void track(const Handle& handle) {
    if (handle) tracked_.push_back(actor_cast<caf::actor>(handle));
  }
  void track(const BookActors& book);

  // Sends the request from a requester actor and runs until idle; timers are left alone.
  template <class T, class Handle, class... Ts>
  PendingReply<T> send_request(const Handle& handle, Ts... xs) {
    auto slot = std::make_shared<std::optional<Expected<T>>>();
    auto requester = system_->spawn([slot, handle, xs...](caf::event_based_actor* self) {
      self->request(handle, caf::duration{reply_timeout}, xs...)
          .then(
              [slot, self](T& value) {
                slot->emplace(std::move(value));
                self->quit();
              },
              [slot, self](CafError& error) {
                slot->emplace(std::move(error));
                self->quit();
              });
    });
    track(requester);  // a request never answered keeps its requester alive until the teardown
    run();
    return PendingReply<T>{std::move(slot)};
  }

  // send_request, then fires timers one at a time (each followed by run()) until the reply
  // is there: the clock moves only as far as the reply needs. An error is returned, not thrown.
  template <class T, class Handle, class... Ts>
  Expected<T> request(const Handle& handle, Ts&&... xs) {
    auto reply = send_request<T>(handle, std::forward<Ts>(xs)...);
    while (!reply.ready())
      if (!advance_to_next_timer()) break;  // cannot happen: reply_timeout is a timer
    return reply.take();
  }

  // The teardown (the destructor runs it too, then drops the scoped actor): kills tracked
  // actors, runs, cancels every timer, runs again. A pending timer or a parked response promise
  // keeps an actor alive, and ~actor_system would wait for it forever. After shutdown() no
  // timer is pending, so pending replies stay unanswered.
  void shutdown();

 private:
  std::unique_ptr<ActorSystemConfig> config_;
  std::unique_ptr<ActorSystem> system_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::optional<ScopedActor> self_;
  std::vector<caf::actor> tracked_;
};

}  // namespace tightloop::test
