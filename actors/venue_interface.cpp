#include "actors/venue_interface.hpp"

#include "runtime/logging.hpp"

namespace tightloop {

namespace {

using Self = venue_actor::stateful_pointer<VenueInterfaceState>;

// An order whose legs reach another venue's ledger (an on-chain venue's wallet, a transfer's
// target): that ledger applies first, all or nothing; this venue commits only after it agreed.
Result<ExecutionHandshake> execute_with_peer(Self self, VenuePlan plan) {
  auto& state = self->state;
  auto peer_it = state.peers.find(plan.remote_venue);
  auto peer = peer_it == state.peers.end() ? venue_actor{}
                                           : actor_cast<venue_actor>(peer_it->second);
  if (!peer)
    return failed_handshake(plan.handshake.order, ErrorCode::em_component_down,
                            "venue " + state.sim->name() + " cannot reach venue " +
                                plan.remote_venue);
  auto promise = self->make_response_promise<ExecutionHandshake>();
  auto legs = plan.remote_legs;
  self->request(peer, millis(state.peer_timeout_ms), legs_atom::value, std::move(legs))
      .then(
          [self, promise, plan](const Failure& failure) mutable {
            if (failure.failed()) {
              promise.deliver(
                  failed_handshake(plan.handshake.order, failure.code, failure.message));
              return;
            }
            self->state.sim->commit(plan);
            promise.deliver(plan.handshake);
          },
          [self, promise, plan](const CafError& error) mutable {
            // The peer may or may not have applied its legs: the order is in doubt.
            auto handshake = failed_handshake(
                plan.handshake.order, ErrorCode::em_component_down,
                "venue " + plan.remote_venue + " did not confirm legs: " +
                    self->system().render(error));
            handshake.in_doubt = true;
            promise.deliver(std::move(handshake));
          });
  return promise;
}

}  // namespace

venue_actor::behavior_type venue_interface(Self self, std::shared_ptr<VenueSimulator> sim,
                                           std::int64_t peer_timeout_ms) {
  self->state.sim = std::move(sim);
  self->state.peer_timeout_ms = peer_timeout_ms;
  return {
      [self](execute_atom, const Order& order) -> Result<ExecutionHandshake> {
        auto& sim = *self->state.sim;
        auto plan = sim.plan(order);
        if (!plan.executed()) return std::move(plan.handshake);
        if (!plan.remote_legs.empty()) return execute_with_peer(self, std::move(plan));
        sim.commit(plan);
        return std::move(plan.handshake);
      },
      [self](legs_atom, const std::vector<ExecutionDelta>& legs) {
        auto failure = self->state.sim->ledger().apply_checked(legs);
        return failure ? std::move(*failure) : Failure{};
      },
      [self](balances_atom, const std::vector<std::string>& keys) {
        Balances result;
        const auto& ledger = self->state.sim->ledger();
        for (const auto& key : keys)
          if (auto amount = ledger.balance(key)) result.emplace(key, *amount);
        return result;
      },
      [self](snapshot_atom) { return self->state.sim->ledger().snapshot(); },
      [self](adjust_atom, const std::string& key, double delta_amount) {
        bool held = self->state.sim->ledger().adjust(key, delta_amount);
        if (held)
          log_line(LogLevel::warning, self->state.sim->name(),
                   "out-of-band ledger change on " + key);
        return held;
      },
      [self](market_atom, const MarketData& market) {
        self->state.sim->set_market(std::make_shared<const MarketData>(market));
      },
      [self](peers_atom, const VenuePeers& peers) { self->state.peers = peers; },
  };
}

}  // namespace tightloop
