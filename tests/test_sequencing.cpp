// Strict sequencing, watched from the venues' side: a probe in front of every venue actor of a
// book records when an order arrives and when reconciliation asks for balances. The book may
// have at most one order between those two points, and orders arrive in input order. The probe
// drops the balances a venue reports with its handshake, so that reconciliation has to ask
// (the path of a venue that reports none) and the probe sees where it ends.
#include <doctest/doctest.h>

#include <mutex>

#include "actors/venue_interface.hpp"
#include "messages/json_number.hpp"
#include "runtime/actor_system_setup.hpp"
#include "runtime/book.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

namespace {

struct ProbeLog {
  std::mutex mutex;
  std::vector<std::string> arrivals;  // operation_ids in the order venues saw them
  int in_flight = 0;
  int max_in_flight = 0;
  int balance_queries = 0;
  bool strip_reports = true;  // drop the handshake's reported balances (see the top)
};

struct ProbeState {
  venue_actor inner;
  std::shared_ptr<ProbeLog> log;
};

void settle(ProbeLog& log) {
  std::lock_guard<std::mutex> lock(log.mutex);
  if (log.in_flight > 0) --log.in_flight;
}

venue_actor::behavior_type probe_venue(venue_actor::stateful_pointer<ProbeState> self,
                                       venue_actor inner, std::shared_ptr<ProbeLog> log) {
  self->link_to(inner);
  self->state.inner = inner;
  self->state.log = log;
  return {
      [self](execute_atom, const Order& order) -> Promise<ExecutionHandshake> {
        auto& log = *self->state.log;
        {
          std::lock_guard<std::mutex> lock(log.mutex);
          log.arrivals.push_back(order.operation_id);
          log.max_in_flight = std::max(log.max_in_flight, ++log.in_flight);
        }
        auto promise = self->make_response_promise<ExecutionHandshake>();
        self->request(self->state.inner, millis(5000), execute_atom::value, order)
            .then(
                [self, promise](ExecutionHandshake& hs) mutable {
                  // A failed order is never reconciled: it ends here.
                  if (hs.status != HandshakeStatus::executed) settle(*self->state.log);
                  if (self->state.log->strip_reports) hs.reported_balances.clear();
                  promise.deliver(std::move(hs));
                },
                [promise](const CafError& error) mutable { promise.deliver(error); });
        return promise;
      },
      [self](legs_atom atom, const std::string& group, const std::vector<ExecutionDelta>& legs) {
        return self->delegate(self->state.inner, atom, group, legs);
      },
      [self](balances_atom atom, const std::vector<std::string>& keys) {
        settle(*self->state.log);
        {
          std::lock_guard<std::mutex> lock(self->state.log->mutex);
          ++self->state.log->balance_queries;
        }
        return self->delegate(self->state.inner, atom, keys);
      },
      [self](snapshot_atom atom) { return self->delegate(self->state.inner, atom); },
      [self](adjust_atom atom, const std::string& key, Amount amount) {
        return self->delegate(self->state.inner, atom, key, amount);
      },
      [self](settle_atom atom) { return self->delegate(self->state.inner, atom); },
      [self](revert_atom atom, const std::string& group) {
        return self->delegate(self->state.inner, atom, group);
      },
      [self](commit_atom atom, const std::string& group) {
        self->send(self->state.inner, atom, group);
      },
      [self](fault_atom atom, const FaultSpec& fault) {
        self->send(self->state.inner, atom, fault);
      },
      [self](market_atom atom, const MarketData& market) {
        return self->delegate(self->state.inner, atom, market);
      },
      [self](peers_atom atom, const VenuePeers& peers) {
        self->send(self->state.inner, atom, peers);
      },
      [self](wake_atom atom, std::uint64_t token) { self->send(self->state.inner, atom, token); },
  };
}

}  // namespace

namespace {

struct ProbedRun {
  BookResult result;
  std::vector<std::string> expected_ids;
};

// The 300-order mix below through a book whose venues sit behind probes sharing `log`.
ProbedRun run_probed(const std::shared_ptr<ProbeLog>& log) {
  auto config = test::exact_config({"main"});
  auto system_config = make_actor_system_config(config.scheduler);
  ActorSystem system{*system_config};
  VenueSpawner spawn_probe = [log](ActorSystem& sys, std::shared_ptr<VenueSimulator> sim) {
    auto inner = spawn_venue_interface(sys, std::move(sim));
    return sys.spawn(probe_venue, inner, log);
  };
  auto book = spawn_book(system, std::make_shared<const Config>(config),
                         config.books.front().name,
                         std::make_shared<const MarketData>(config.market), {spawn_probe});

  // A mix that crosses venues (wallet legs, transfers) and includes failures.
  std::vector<Order> orders;
  std::vector<std::string> expected_ids;
  for (int i = 0; i < 300; ++i) {
    nlohmann::json o;
    switch (i % 4) {
      case 0:
        o = {{"venue", "binance"}, {"operation", "spot_trade"}, {"pair", "BTC/USDT"},
             {"side", "BUY"}, {"amount", raw_number("0.001")}};
        break;
      case 1:
        o = {{"venue", "aave"}, {"operation", "supply"}, {"token_in", "WETH"},
             {"amount", raw_number("0.01")}};
        break;
      case 2:
        o = {{"venue", "binance"}, {"operation", "transfer"}, {"token_in", "USDT"},
             {"target_venue", "wallet"}, {"amount", 2}};
        break;
      default:  // fails at the venue: more BTC than the book has
        o = {{"venue", "binance"}, {"operation", "spot_trade"}, {"pair", "BTC/USDT"},
             {"side", "SELL"}, {"amount", 50}};
    }
    o["operation_id"] = "s" + std::to_string(i);
    expected_ids.push_back(o["operation_id"]);
    orders.push_back(test::order_from(o));
  }
  ProbedRun run;
  run.expected_ids = expected_ids;
  {
    ScopedActor self{system};
    self->request(book.manager, millis(60000), submit_atom::value, orders)
        .receive([&](BookResult& r) { run.result = std::move(r); },
                 [&](const CafError& error) { FAIL(system.render(error)); });
  }
  stop_book(book);
  return run;
}

}  // namespace

TEST_CASE("venues see at most one in-flight order per book, in input order") {
  auto log = std::make_shared<ProbeLog>();
  auto run = run_probed(log);
  const auto& result = run.result;
  const auto& expected_ids = run.expected_ids;
  REQUIRE(result.results.size() == expected_ids.size());
  for (std::size_t i = 0; i < expected_ids.size(); ++i) {
    CAPTURE(i);
    CHECK(result.results[i].handshake.order.operation_id == expected_ids[i]);
    CHECK(result.results[i].handshake.status ==
          (i % 4 == 3 ? HandshakeStatus::failed : HandshakeStatus::executed));
  }
  {
    std::lock_guard<std::mutex> lock(log->mutex);
    CHECK(log->max_in_flight == 1);
    CHECK(log->arrivals == expected_ids);
  }
}

TEST_CASE("the first comparison uses the balances the venues reported: no balance query") {
  auto log = std::make_shared<ProbeLog>();
  log->strip_reports = false;
  auto run = run_probed(log);
  REQUIRE(run.result.results.size() == run.expected_ids.size());
  for (std::size_t i = 0; i < run.result.results.size(); ++i) {
    CAPTURE(i);
    const auto& r = run.result.results[i];
    if (i % 4 == 3) continue;  // fails at the venue
    CHECK(r.reconciliation.outcome == ReconciliationOutcome::matched);
    CHECK(r.reconciliation.attempts == 1);
    // Every touched key, from the venues' own ledgers (wallet keys from the wallet).
    for (const auto& delta : r.deltas) CHECK(r.handshake.reported_balances.count(delta.position_key));
  }
  std::lock_guard<std::mutex> lock(log->mutex);
  CHECK(log->balance_queries == 0);
}
