#include "actors/venue_interface.hpp"

#include "actors/position/reconciliation.hpp"

#include "actors/logging.hpp"

namespace tightloop {

namespace {

using Self = venue_actor::stateful_pointer<VenueInterfaceState>;

// How the answer to one order leaves this venue, as the switched-on faults decide.
struct Reply {
  Promise<ExecutionHandshake> promise;
  // Set only when a partial fill changed what the venue executes: the handshake reports the
  // order as it was sent. (Unset, the handshake already carries it: no copy per order.)
  std::optional<Order> original;
  bool silent = false;                 // no_reply
  std::int64_t delay_ms = 0;           // slow_reply
  std::optional<Amount> report_error;  // wrong_report
};

void send_reply(Self self, Reply& reply, ExecutionHandshake handshake) {
  if (reply.original) handshake.order = std::move(*reply.original);
  if (reply.silent) return;  // the promise is dropped: the caller learns only from its timeout
  if (reply.report_error && handshake.status == HandshakeStatus::executed)
    misreport(handshake, *reply.report_error);
  if (reply.delay_ms > 0) {
    auto token = ++self->state.next_wake;
    self->state.delayed.emplace(token, std::make_pair(reply.promise, std::move(handshake)));
    self->delayed_send(self, wait_for(reply.delay_ms), wake_atom::value, token);
    return;
  }
  reply.promise.deliver(std::move(handshake));
}

// The executed order's own keys as this venue's ledger holds them now (the remote venue adds
// its own keys to the handshake from its answer to the legs).
void report_balances(VenueSimulator& sim, VenuePlan& plan) {
  plan.handshake.reported_balances = sim.report_balances(touched_keys(plan.own_legs));
}

// An order whose legs reach another venue's ledger (an on-chain venue's wallet, a transfer's
// target): that ledger applies first, all or nothing; this venue commits only after it agreed.
void execute_with_peer(Self self, VenuePlan plan, Reply reply) {
  auto& state = self->state;
  venue_actor peer;
  if (state.peers) {
    auto peer_it = state.peers->find(plan.remote_venue);
    if (peer_it != state.peers->end()) peer = actor_cast<venue_actor>(peer_it->second);
  }
  if (!peer) {
    send_reply(self, reply,
               failed_handshake(plan.handshake.order, ErrorCode::em_component_down,
                                "venue " + state.sim->name() + " cannot reach venue " +
                                    plan.remote_venue));
    return;
  }
  auto legs = plan.remote_legs;
  const auto group = plan.handshake.order.atomic_group_id;
  // No CAF timeout (a clock wake per leg): the execution manager's deadline for this order
  // bounds the wait and leaves the order in doubt; a dead peer answers with an error at once.
  self->request(peer, no_timeout(), legs_atom::value, group, std::move(legs))
      .then(
          [self, plan, reply](LegsResult& legs) mutable {
            if (legs.failure.failed()) {
              send_reply(self, reply,
                         failed_handshake(plan.handshake.order, legs.failure.code,
                                          legs.failure.message));
              return;
            }
            self->state.sim->commit(plan);
            report_balances(*self->state.sim, plan);
            plan.handshake.reported_balances.merge(legs.balances);
            send_reply(self, reply, std::move(plan.handshake));
          },
          [self, plan, reply](const CafError& error) mutable {
            // The peer may or may not have applied its legs: the order is in doubt.
            auto handshake = failed_handshake(
                plan.handshake.order, ErrorCode::em_component_down,
                "venue " + plan.remote_venue + " did not confirm legs: " +
                    self->system().render(error));
            handshake.in_doubt = true;
            send_reply(self, reply, std::move(handshake));
          });
}

Result<ExecutionHandshake> execute(Self self, const Order& order) {
  auto& state = self->state;
  auto& sim = *state.sim;
  Reply reply;
  std::optional<Order> partial;  // the order as a partial_fill fault cut it
  bool apply = true;
  for (const auto& fault : sim.faults().on_order(order)) {
    log_line(LogLevel::info, sim.name(),
             "fault " + describe(fault) + " fires on order " + order.operation_id);
    switch (fault.kind) {
      case FaultKind::crash:
        self->quit(caf::make_error(caf::sec::runtime_error,
                                   "venue " + sim.name() + " crashed (injected fault)"));
        return self->make_response_promise<ExecutionHandshake>();  // never answered
      case FaultKind::reject:
        return failed_handshake(order, ErrorCode::ven_rejected, reject_message(fault));
      case FaultKind::no_reply:
        reply.silent = true;
        apply = apply && fault.applied;
        break;
      case FaultKind::partial_fill:
        partial = partially_filled(partial ? *partial : order, fault.fill_ratio);
        break;
      case FaultKind::wrong_report:
        reply.report_error = fault.report_error;
        break;
      case FaultKind::stale_balance:
        sim.stale_balances().arm(sim.ledger().snapshot(), fault.stale_queries);
        break;
      case FaultKind::slow_reply:
        reply.delay_ms = fault.delay_ms;
        break;
    }
  }
  reply.promise = self->make_response_promise<ExecutionHandshake>();
  auto promise = reply.promise;
  if (!apply) return promise;  // dropped before anything happened
  sim.open_checkpoint(order.atomic_group_id);
  if (partial) reply.original = order;
  auto plan = sim.plan(partial ? *partial : order);
  if (plan.executed() && !plan.remote_legs.empty()) {
    execute_with_peer(self, std::move(plan), std::move(reply));
    return promise;
  }
  if (plan.executed()) {
    sim.commit(plan);
    report_balances(sim, plan);
  }
  send_reply(self, reply, std::move(plan.handshake));
  return promise;
}

}  // namespace

venue_actor::behavior_type venue_interface(Self self, std::shared_ptr<VenueSimulator> sim) {
  auto& state = self->state;
  state.sim = std::move(sim);
  return {
      [self](execute_atom, const Order& order) { return execute(self, order); },
      [self](legs_atom, const std::string& group, const std::vector<ExecutionDelta>& legs) {
        auto& sim = *self->state.sim;
        LegsResult result;
        if (auto failure = sim.ledger().check(legs)) {
          result.failure = std::move(*failure);
          return result;
        }
        sim.open_checkpoint(group);
        sim.ledger().apply(legs);
        result.balances = sim.report_balances(touched_keys(legs));
        return result;
      },
      [self](balances_atom, const std::vector<std::string>& keys) {
        return self->state.sim->report_balances(keys);
      },
      [self](snapshot_atom) { return self->state.sim->ledger().snapshot(); },
      [self](adjust_atom, const std::string& key, Amount delta_amount) {
        bool held = self->state.sim->ledger().adjust(key, delta_amount);
        if (held)
          log_line(LogLevel::warning, self->state.sim->name(),
                   "out-of-band ledger change on " + key);
        return held;
      },
      [self](settle_atom) { return self->state.sim->settle(); },
      [self](revert_atom, const std::string& group) {
        return self->state.sim->revert_checkpoint(group);
      },
      [self](commit_atom, const std::string& group) { self->state.sim->close_checkpoint(group); },
      [self](fault_atom, const FaultSpec& fault) {
        log_line(LogLevel::info, self->state.sim->name(), "fault switched on: " + describe(fault));
        self->state.sim->faults().add(fault);
      },
      [self](market_atom, const MarketData& market) {
        self->state.sim->set_market(std::make_shared<const MarketData>(market));
        return true;
      },
      [self](peers_atom, const VenuePeers& peers) { self->state.peers = peers; },
      [self](wake_atom, std::uint64_t token) {
        auto& delayed = self->state.delayed;
        auto it = delayed.find(token);
        if (it == delayed.end()) return;
        it->second.first.deliver(std::move(it->second.second));
        delayed.erase(it);
      },
  };
}

}  // namespace tightloop
