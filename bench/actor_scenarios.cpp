#include "bench/actor_scenarios.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <unordered_map>
#include <thread>

#include <sys/prctl.h>
#include <time.h>

#include "bench/bench_config.hpp"
#include "bench/machine.hpp"
#include "runtime/actor_system_setup.hpp"
#include "runtime/book.hpp"

namespace tightloop::bench {

namespace {

using Clock = std::chrono::steady_clock;
using go_atom = caf::atom_constant<caf::atom("bench_go")>;
using fire_atom = caf::atom_constant<caf::atom("bench_fire")>;

// For the memory probe's round trips; long enough never to fire in a healthy run.
constexpr std::int64_t request_timeout_ms = 60000;

std::int64_t since(Clock::time_point origin, Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t - origin).count();
}

class Latch {
 public:
  explicit Latch(std::size_t count) : count_(count) {}
  void count_down() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--count_ == 0) done_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  std::size_t count_;
};

// What one driver measured; written by the driver only, read after the latch opened.
struct DriverOutput {
  std::vector<std::int64_t> end_ns;      // result times since the run's origin
  std::vector<std::int64_t> latency_ns;
  std::int64_t finish_ns = 0;
  std::size_t failures = 0;
  std::string first_failure;

  void record(std::int64_t end, std::int64_t latency, const OrderResult& result,
              const std::string& operation_id) {
    end_ns.push_back(end);
    latency_ns.push_back(latency);
    const bool ok = result.handshake.status == HandshakeStatus::executed &&
                    result.reconciliation.outcome == ReconciliationOutcome::matched;
    if (!ok) fail(operation_id + ": " + std::string(to_string(result.handshake.error_code)) +
                  " " + result.handshake.error_message);
  }
  void fail(std::string why) {
    if (failures++ == 0) first_failure = std::move(why);
  }
};

// --- closed loop -----------------------------------------------------------------------------

struct ClosedDriverState {
  execution_manager_actor manager;
  std::vector<Order> orders;
  std::size_t next = 0;
  Clock::time_point origin;
  Clock::time_point sent;
  DriverOutput* out = nullptr;
  Latch* latch = nullptr;
};

using ClosedSelf = caf::stateful_actor<ClosedDriverState>*;

// Drivers send without a CAF request timeout, as the runtime's own order path does: in CAF 0.17
// a finite one wakes the clock thread on every request (actors/caf_aliases.hpp). A hung book
// would hang the run; the book's own deadlines answer every order in a healthy one.
void send_next(ClosedSelf self) {
  auto& st = self->state;
  if (st.next == st.orders.size()) {
    st.out->finish_ns = since(st.origin, Clock::now());
    st.latch->count_down();
    self->quit();
    return;
  }
  auto id = st.orders[st.next].operation_id;
  st.sent = Clock::now();
  self->request(st.manager, no_timeout(), execute_atom::value,
                std::move(st.orders[st.next++]))
      .then(
          [self, id](OrderResult& result) {
            auto& st = self->state;
            const auto now = Clock::now();
            st.out->record(since(st.origin, now), since(st.sent, now), result, id);
            send_next(self);
          },
          [self, id](caf::error& error) {
            self->state.out->fail(id + ": " + self->system().render(error));
            send_next(self);
          });
}

caf::behavior closed_loop_driver(ClosedSelf self, execution_manager_actor manager,
                                 std::vector<Order> orders, DriverOutput* out, Latch* latch) {
  auto& st = self->state;
  st.manager = std::move(manager);
  st.orders = std::move(orders);
  st.out = out;
  st.latch = latch;
  st.out->end_ns.reserve(st.orders.size());
  st.out->latency_ns.reserve(st.orders.size());
  return {
      [self](go_atom, std::int64_t origin_ns) {
        self->state.origin = Clock::time_point(Clock::duration(origin_ns));
        send_next(self);
      },
  };
}

struct Phase {
  Clock::time_point origin;
  std::vector<DriverOutput> outputs;
};

// One driver per book, all started together; returns when every driver is done.
Phase run_phase(ActorSystem& system, const std::vector<BookActors>& books,
                std::size_t orders_per_book, std::uint64_t first_id) {
  Phase phase;
  phase.outputs.resize(books.size());
  Latch latch(books.size());
  std::vector<caf::actor> drivers;
  drivers.reserve(books.size());
  for (std::size_t i = 0; i < books.size(); ++i)
    drivers.push_back(system.spawn(closed_loop_driver, books[i].manager,
                                   make_orders(orders_per_book, first_id), &phase.outputs[i],
                                   &latch));
  phase.origin = Clock::now();
  const auto origin_ns = phase.origin.time_since_epoch().count();
  for (auto& driver : drivers) caf::anon_send(driver, go_atom::value, origin_ns);
  latch.wait();
  return phase;
}

std::vector<BookActors> spawn_books(ActorSystem& system, const Config& config, std::size_t count) {
  auto market = std::make_shared<const MarketData>(config.market);
  auto shared = std::make_shared<const Config>(with_books(config, numbered("book", count)));
  std::vector<BookActors> books;
  books.reserve(count);
  for (const auto& book : shared->books)
    books.push_back(spawn_book(system, shared, book.name, market));
  return books;
}

void stop_books(std::vector<BookActors>& books) {
  for (auto& book : books) stop_book(book);
}

// --- open loop -------------------------------------------------------------------------------

struct OpenDriverState {
  execution_manager_actor manager;
  std::vector<Order> orders;
  std::unordered_map<std::string, std::uint32_t> index_of;  // operation_id -> position
  Clock::time_point origin;
  double interval_ns = 0.0;
  std::size_t answered = 0;
  DriverOutput* out = nullptr;
  Latch* latch = nullptr;
};

using OpenSelf = caf::stateful_actor<OpenDriverState>*;

Clock::time_point due_time(Clock::time_point origin, double interval_ns, std::size_t i) {
  return origin + Clock::duration(static_cast<std::int64_t>(static_cast<double>(i) * interval_ns));
}

caf::behavior open_loop_driver(OpenSelf self, execution_manager_actor manager,
                               std::vector<Order> orders, Clock::time_point origin,
                               double interval_ns, DriverOutput* out, Latch* latch) {
  auto& st = self->state;
  st.manager = std::move(manager);
  st.orders = std::move(orders);
  st.origin = origin;
  st.interval_ns = interval_ns;
  st.out = out;
  st.latch = latch;
  st.out->end_ns.reserve(st.orders.size());
  st.out->latency_ns.reserve(st.orders.size());
  st.index_of.reserve(st.orders.size());
  for (std::size_t i = 0; i < st.orders.size(); ++i)
    st.index_of.emplace(st.orders[i].operation_id, static_cast<std::uint32_t>(i));
  auto answered = [self] {
    auto& st = self->state;
    if (++st.answered == st.orders.size()) {
      st.out->finish_ns = st.out->end_ns.empty() ? 0 : st.out->end_ns.back();
      st.latch->count_down();
      self->quit();
    }
  };
  // The orders go as plain messages and their results come back as plain messages, matched by
  // operation_id. Not requests: CAF 0.17 keeps an actor's pending responses in a flat vector
  // searched and erased linearly, so a client with 40k orders in flight spends most of its
  // time there (one book fell from 40k to 11k orders/s as the backlog grew). A daemon's
  // session actor must do the same.
  self->set_error_handler([self, answered](caf::error& error) {
    self->state.out->fail("error reply: " + self->system().render(error));
    answered();
  });
  auto send_order = [self](std::uint32_t index) {
    auto& st = self->state;
    self->send(st.manager, execute_atom::value, std::move(st.orders[index]));
  };
  return {
      // A batch: the orders [first, first + count), handed over in one message.
      [send_order](fire_atom, std::uint32_t first, std::uint32_t count) {
        for (std::uint32_t index = first; index < first + count; ++index) send_order(index);
      },
      [send_order](fire_atom, std::uint32_t index) { send_order(index); },
      [self, answered](OrderResult& result) {
        auto& st = self->state;
        const auto now = Clock::now();
        const auto& id = result.handshake.order.operation_id;
        auto it = st.index_of.find(id);
        if (it == st.index_of.end()) {
          st.out->fail("result for an unknown order " + id);
        } else {
          const auto due = due_time(st.origin, st.interval_ns, it->second);
          st.out->record(since(st.origin, now), since(due, now), result, id);
        }
        answered();
      },
  };
}

// Sleeps with a 1 ns timer slack until shortly before `due`, then spins: the pacer stands for
// a network thread that hands an order to the runtime the moment it arrives.
// Sleeps until shortly before `due` and spins the rest (`spin`: 0 sleeps all the way).
void wait_until(Clock::time_point due,
                std::chrono::microseconds spin = std::chrono::microseconds(20)) {
  auto now = Clock::now();
  if (due - now > spin) {
    const auto wake = (due - spin).time_since_epoch();
    timespec ts{};
    ts.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(wake).count();
    ts.tv_nsec = (wake - std::chrono::seconds(ts.tv_sec)).count();
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
  }
  while (Clock::now() < due) {
  }
}

std::size_t threads_of(const Config& config) { return scheduler_threads_for(config.scheduler); }

// --- per-hop breakdown: a timing probe in front of every venue --------------------------------

struct HopTimes {
  std::mutex mutex;
  std::map<std::string, std::pair<Clock::time_point, Clock::time_point>> by_order;  // in, out
};

struct HopProbeState {
  venue_actor inner;
  std::shared_ptr<HopTimes> times;
};

venue_actor::behavior_type hop_probe(venue_actor::stateful_pointer<HopProbeState> self,
                                     venue_actor inner, std::shared_ptr<HopTimes> times) {
  self->link_to(inner);
  self->state = HopProbeState{inner, std::move(times)};
  return {
      [self](execute_atom, const Order& order) -> Promise<ExecutionHandshake> {
        const auto arrived = Clock::now();
        auto promise = self->make_response_promise<ExecutionHandshake>();
        self->request(self->state.inner, no_timeout(), execute_atom::value, order)
            .then(
                [self, promise, arrived, id = order.operation_id](ExecutionHandshake& hs) mutable {
                  {
                    std::lock_guard<std::mutex> lock(self->state.times->mutex);
                    self->state.times->by_order[id] = {arrived, Clock::now()};
                  }
                  promise.deliver(std::move(hs));
                },
                [promise](const CafError& error) mutable { promise.deliver(error); });
        return promise;
      },
      [self](legs_atom a, const std::string& g, const std::vector<ExecutionDelta>& legs) {
        return self->delegate(self->state.inner, a, g, legs);
      },
      [self](balances_atom a, const std::vector<std::string>& keys) {
        return self->delegate(self->state.inner, a, keys);
      },
      [self](snapshot_atom a) { return self->delegate(self->state.inner, a); },
      [self](adjust_atom a, const std::string& key, Amount amount) {
        return self->delegate(self->state.inner, a, key, amount);
      },
      [self](settle_atom a) { return self->delegate(self->state.inner, a); },
      [self](revert_atom a, const std::string& g) { return self->delegate(self->state.inner, a, g); },
      [self](commit_atom a, const std::string& g) { self->send(self->state.inner, a, g); },
      [self](fault_atom a, const FaultSpec& fault) { self->send(self->state.inner, a, fault); },
      [self](market_atom a, const MarketData& market) {
        return self->delegate(self->state.inner, a, market);
      },
      [self](peers_atom a, const VenuePeers& peers) { self->send(self->state.inner, a, peers); },
      [self](wake_atom a, std::uint64_t token) { self->send(self->state.inner, a, token); },
  };
}

// --- the floor: five bare actors -------------------------------------------------------------

using step_atom = caf::atom_constant<caf::atom("bench_step")>;

caf::behavior floor_leaf() {
  return {[](step_atom, std::int64_t x) { return x; }};
}

// Asks `first`, then `second` with the answer, and answers with the second answer: the
// manager's shape (venue, then updater) and, with second empty, the updater's (monitor).
caf::behavior floor_relay(caf::event_based_actor* self, caf::actor first, caf::actor second) {
  return {[=](step_atom, std::int64_t x) {
    auto rp = self->make_response_promise<std::int64_t>();
    self->request(first, caf::infinite, step_atom::value, x)
        .then([=](std::int64_t y) mutable {
          if (!second) {
            rp.deliver(y);
            return;
          }
          self->request(second, caf::infinite, step_atom::value, y)
              .then([=](std::int64_t z) mutable { rp.deliver(z); });
        });
    return rp;
  }};
}

struct FloorDriverState {
  caf::actor manager;
  std::size_t left = 0;
  Clock::time_point sent;
  std::vector<std::int64_t>* latencies = nullptr;
  Latch* latch = nullptr;
};

void floor_next(caf::stateful_actor<FloorDriverState>* self) {
  auto& st = self->state;
  if (st.left-- == 0) {
    st.latch->count_down();
    self->quit();
    return;
  }
  st.sent = Clock::now();
  self->request(st.manager, caf::infinite, step_atom::value, std::int64_t{1})
      .then([self](std::int64_t) {
        self->state.latencies->push_back(since(self->state.sent, Clock::now()));
        floor_next(self);
      });
}

caf::behavior floor_driver(caf::stateful_actor<FloorDriverState>* self, caf::actor manager,
                           std::size_t orders, std::vector<std::int64_t>* latencies,
                           Latch* latch) {
  self->state = FloorDriverState{std::move(manager), orders, {}, latencies, latch};
  return {[self](go_atom, std::int64_t) { floor_next(self); }};
}

}  // namespace

HopBreakdown run_hop_breakdown(const Config& config, std::size_t orders, std::size_t warmup) {
  auto cfg = make_actor_system_config(config.scheduler);
  ActorSystem system{*cfg};
  auto times = std::make_shared<HopTimes>();
  VenueSpawner probe = [times](ActorSystem& sys, std::shared_ptr<VenueSimulator> sim) {
    return sys.spawn(hop_probe, spawn_venue_interface(sys, std::move(sim)), times);
  };
  std::vector<BookActors> books{
      spawn_book(system, std::make_shared<const Config>(with_books(config, {"hops"})), "hops",
                 std::make_shared<const MarketData>(config.market), {probe})};
  if (warmup > 0) run_phase(system, books, warmup, 0);
  auto phase = run_phase(system, books, orders, warmup);
  stop_books(books);

  HopBreakdown run;
  const auto& out = phase.outputs.front();
  auto ids = make_orders(orders, warmup);
  std::lock_guard<std::mutex> lock(times->mutex);
  for (std::size_t i = 0; i < out.end_ns.size() && i < ids.size(); ++i) {
    auto it = times->by_order.find(ids[i].operation_id);
    if (it == times->by_order.end()) continue;  // refused before any venue
    const auto end = phase.origin + std::chrono::nanoseconds(out.end_ns[i]);
    const auto sent = end - std::chrono::nanoseconds(out.latency_ns[i]);
    run.to_venue_ns.push_back(since(sent, it->second.first));
    run.venue_ns.push_back(since(it->second.first, it->second.second));
    run.after_venue_ns.push_back(since(it->second.second, end));
    run.total_ns.push_back(out.latency_ns[i]);
  }
  run.orders = run.total_ns.size();
  return run;
}

FloorRun run_floor(const Config& config, std::size_t orders, std::size_t warmup) {
  auto cfg = make_actor_system_config(config.scheduler);
  ActorSystem system{*cfg};
  auto monitor = system.spawn(floor_leaf);
  auto venue = system.spawn(floor_leaf);
  auto updater = system.spawn(floor_relay, monitor, caf::actor{});
  auto manager = system.spawn(floor_relay, venue, updater);
  FloorRun run;
  run.threads = threads_of(config);
  for (const bool measured : {false, true}) {
    std::vector<std::int64_t> latencies;
    latencies.reserve(measured ? orders : warmup);
    Latch latch(1);
    const auto start = Clock::now();
    auto driver =
        system.spawn(floor_driver, manager, measured ? orders : warmup, &latencies, &latch);
    caf::anon_send(driver, go_atom::value, std::int64_t{0});
    latch.wait();
    if (measured) {
      run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      run.orders = latencies.size();
      run.latencies_ns = std::move(latencies);
    }
  }
  for (const auto& actor : {monitor, venue, updater, manager})
    caf::anon_send_exit(actor, ExitReason::user_shutdown);
  return run;
}

ClosedLoopRun run_closed_loop(const Config& config, std::size_t book_count,
                              std::size_t orders_per_book, std::size_t warmup_per_book) {
  auto cfg = make_actor_system_config(config.scheduler);
  ActorSystem system{*cfg};
  auto books = spawn_books(system, config, book_count);
  if (warmup_per_book > 0) run_phase(system, books, warmup_per_book, 0);
  auto phase = run_phase(system, books, orders_per_book, warmup_per_book);
  stop_books(books);

  ClosedLoopRun run;
  run.books = book_count;
  run.threads = threads_of(config);
  run.policy = config.scheduler.policy;
  std::int64_t first_finish = INT64_MAX, last_finish = 0;
  for (const auto& out : phase.outputs) {
    first_finish = std::min(first_finish, out.finish_ns);
    last_finish = std::max(last_finish, out.finish_ns);
  }
  run.slowest_book_orders_per_second = 1e300;
  for (const auto& out : phase.outputs) {
    run.orders += out.latency_ns.size();
    run.latencies_ns.insert(run.latencies_ns.end(), out.latency_ns.begin(), out.latency_ns.end());
    run.all_busy_orders += static_cast<std::size_t>(
        std::count_if(out.end_ns.begin(), out.end_ns.end(),
                      [&](std::int64_t end) { return end <= first_finish; }));
    const double rate = static_cast<double>(out.latency_ns.size()) /
                        (static_cast<double>(std::max<std::int64_t>(out.finish_ns, 1)) / 1e9);
    run.slowest_book_orders_per_second = std::min(run.slowest_book_orders_per_second, rate);
    run.fastest_book_orders_per_second = std::max(run.fastest_book_orders_per_second, rate);
    if (out.failures > 0 && run.failures == 0) run.first_failure = out.first_failure;
    run.failures += out.failures;
  }
  run.seconds = static_cast<double>(last_finish) / 1e9;
  run.all_busy_seconds = static_cast<double>(first_finish) / 1e9;
  return run;
}

OpenLoopRun run_open_loop(const Config& config, double orders_per_second, double seconds,
                          std::size_t warmup, std::int64_t batch_interval_us) {
  auto cfg = make_actor_system_config(config.scheduler);
  ActorSystem system{*cfg};
  auto books = spawn_books(system, config, 1);
  if (warmup > 0) run_phase(system, books, warmup, 0);

  OpenLoopRun run;
  run.offered_per_second = orders_per_second;
  run.threads = threads_of(config);
  run.policy = config.scheduler.policy;
  run.orders = std::max<std::size_t>(1, static_cast<std::size_t>(orders_per_second * seconds));
  const double interval_ns = 1e9 / orders_per_second;
  DriverOutput out;
  Latch latch(1);
  // Give the driver a moment to be spawned and scheduled before the first order is due.
  const auto origin = Clock::now() + std::chrono::milliseconds(5);
  auto driver = system.spawn(open_loop_driver, books[0].manager, make_orders(run.orders, warmup),
                             origin, interval_ns, &out, &latch);
  run.pacer_lag_ns.reserve(run.orders);
  run.batch_interval_us = batch_interval_us;
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);  // this thread only; put back below
  if (batch_interval_us <= 0) {
    for (std::size_t i = 0; i < run.orders; ++i) {
      const auto due = due_time(origin, interval_ns, i);
      wait_until(due);
      caf::anon_send(driver, fire_atom::value, static_cast<std::uint32_t>(i));
      run.pacer_lag_ns.push_back(since(due, Clock::now()));
    }
  } else {
    // Every batch_interval_us, whatever fell due since the last hand-over goes in one message:
    // one enqueue from outside the actor system per window, not one per order.
    const auto window = std::chrono::microseconds(batch_interval_us);
    std::size_t next = 0;
    for (auto tick = origin; next < run.orders; tick += window) {
      // No spinning: a batch is whatever fell due by the time the pacer wakes, and a pacer that
      // spins takes one of the two cores from the actors it feeds.
      wait_until(tick, std::chrono::microseconds(0));
      const auto now = Clock::now();
      std::size_t end = next;
      while (end < run.orders && due_time(origin, interval_ns, end) <= now) ++end;
      if (end == next) continue;
      caf::anon_send(driver, fire_atom::value, static_cast<std::uint32_t>(next),
                     static_cast<std::uint32_t>(end - next));
      for (std::size_t i = next; i < end; ++i)
        run.pacer_lag_ns.push_back(since(due_time(origin, interval_ns, i), Clock::now()));
      next = end;
    }
  }
  ::prctl(PR_SET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);  // 0: back to the thread's default
  latch.wait();
  stop_books(books);

  run.latencies_ns = std::move(out.latency_ns);
  run.failures = out.failures;
  run.first_failure = out.first_failure;
  run.achieved_per_second =
      static_cast<double>(run.orders) / (static_cast<double>(std::max<std::int64_t>(out.finish_ns, 1)) / 1e9);
  return run;
}

MemoryProbe probe_memory(const Config& config, std::size_t book_count, double budget_seconds) {
  MemoryProbe probe;
  probe.requested = book_count;
  auto cfg = make_actor_system_config(config.scheduler);
  // Deliberately never destroyed: tearing down 100k books is not what we measure, and the
  // process exits right after (tightloop-bench --memory-child).
  auto* system = new ActorSystem{*cfg};
  auto market = std::make_shared<const MarketData>(config.market);
  auto* self = new ScopedActor{*system};
  // What an idle book is asked: its positions (the execution manager) and its status (the
  // supervisor). Neither spawns the venues.
  auto round_trip = [self](const BookActors& book) {
    (*self)->request(book.manager, millis(request_timeout_ms), submit_atom::value,
                  std::vector<Order>{})
        .receive([](BookResult&) {}, [](caf::error&) {});
    (*self)->request(book.supervisor, millis(request_timeout_ms), status_atom::value)
        .receive([](BookStatus&) {}, [](caf::error&) {});
  };
  // One book first, so that the figure leaves out one-time costs (scheduler threads, allocator
  // arenas, pages touched on first use).
  auto first = spawn_book(*system, std::make_shared<const Config>(with_books(config, {"warm"})),
                          "warm", market);
  probe.actors_per_book = 2;  // the execution manager and the supervisor (runtime/book.hpp)
  round_trip(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  probe.rss_before_bytes = resident_set_bytes();
  // The books' config is part of what they cost; measured on its own too.
  auto shared = std::make_shared<const Config>(with_books(config, numbered("b", book_count)));
  probe.rss_config_bytes = resident_set_bytes();

  const auto start = Clock::now();
  auto* books = new std::vector<BookActors>();
  books->reserve(book_count);
  for (std::size_t i = 0; i < book_count; ++i) {
    if (i % 1000 == 0 &&
        std::chrono::duration<double>(Clock::now() - start).count() > budget_seconds)
      break;
    books->push_back(spawn_book(*system, shared, shared->books[i].name, market));
  }
  // A round trip per book: every actor of it has run its initialisation.
  for (const auto& book : *books) round_trip(book);
  probe.spawn_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  probe.rss_after_bytes = resident_set_bytes();
  probe.spawned = books->size();
  probe.complete = books->size() == book_count;
  return probe;
}

}  // namespace tightloop::bench
