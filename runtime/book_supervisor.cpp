#include "runtime/book_supervisor.hpp"

#include "actors/join.hpp"

#include "actors/venues/venue_simulator.hpp"
#include "actors/logging.hpp"

namespace tightloop {

namespace {

using Self = book_supervisor_actor::stateful_pointer<BookSupervisorState>;

bool is_shutdown(const CafError& reason) {
  return !reason || reason == caf::exit_reason::user_shutdown ||
         reason == caf::exit_reason::normal;
}

void mark_halted(Self self, ErrorCode code, std::string reason,
                 std::vector<KeyMismatch> mismatches) {
  auto& status = self->state.status;
  if (status.halt.halted) return;
  status.halt = HaltInfo{true, code, std::move(reason), std::move(mismatches)};
}

void watch_venue(Self self, const venue_actor& venue) { self->monitor(venue); }

bool has_parts(Self self) { return static_cast<bool>(self->state.actors.monitor); }

// The parts the execution manager spawned (once; a later copy changes nothing).
void adopt(Self self, BookParts parts) {
  auto& state = self->state;
  if (has_parts(self)) return;
  state.actors.monitor = std::move(parts.monitor);
  state.actors.updater = std::move(parts.updater);
  for (auto& [name, venue] : parts.venues) {
    watch_venue(self, venue.handle);
    state.actors.venues.emplace(name, std::move(venue.handle));
  }
  state.sims = std::move(parts.sims);
}

// Runs `use(promise)` once the book's venues exist: now, or after the execution manager
// spawned them for this question.
template <class T, class Use>
Promise<T> with_parts(Self self, Use use) {
  auto promise = self->make_response_promise<T>();
  if (has_parts(self)) {
    use(promise);
    return promise;
  }
  self->request(self->state.actors.manager, millis(self->state.timeout_ms), wire_atom::value)
      .then(
          [self, promise, use](BookParts& parts) mutable {
            adopt(self, std::move(parts));
            use(promise);
          },
          [promise](const CafError& error) mutable { promise.deliver(error); });
  return promise;
}

void on_down(Self self, const DownMsg& down) {
  auto& state = self->state;
  if (is_shutdown(down.reason)) return;
  const auto reason = self->system().render(down.reason);
  if (down.source == state.actors.manager.address()) {
    log_line(LogLevel::error, "book_supervisor",
             "book " + state.actors.name + ": execution manager died: " + reason);
    mark_halted(self, ErrorCode::em_component_down, "execution manager died: " + reason, {});
    return;
  }
  for (const auto& [name, venue] : state.actors.venues) {
    if (down.source != venue.address()) continue;
    state.dead_venues.insert(name);
    auto why = "venue " + name + " died: " + reason;
    log_line(LogLevel::error, "book_supervisor", "book " + state.actors.name + ": " + why);
    mark_halted(self, ErrorCode::em_component_down, why, {});
    self->send(state.actors.manager, halt_atom::value, ErrorCode::em_component_down, why);
    self->send(state.actors.manager, venue_down_atom::value, name);
    return;
  }
}

VenuePeers peers_of(const BookActors& actors) {
  auto peers = std::make_shared<VenuePeerTable>();
  for (const auto& [name, venue] : actors.venues) peers->emplace(name, venue.address());
  return peers;
}

// Restarts every dead venue from its ledger (the simulator outlives its actor) and tells
// everyone who talks to venues about the new handle.
std::vector<std::string> restart_dead_venues(Self self) {
  auto& state = self->state;
  std::vector<std::string> restarted(state.dead_venues.begin(), state.dead_venues.end());
  for (const auto& name : restarted) {
    // A group the venue died in could not be reverted on it then; it is now.
    for (const auto& group : state.sims.at(name)->revert_open_checkpoints())
      log_line(LogLevel::warning, "book_supervisor",
               "book " + state.actors.name + ": venue " + name +
                   " put back to its checkpoint before atomic group " + group);
    auto venue = state.spawn_venue(self->system(), state.sims.at(name));
    watch_venue(self, venue);
    state.actors.venues[name] = venue;
    self->send(state.actors.manager, replace_atom::value, name, venue);
    self->send(state.actors.updater, replace_atom::value, name, venue);
    log_line(LogLevel::warning, "book_supervisor",
             "book " + state.actors.name + ": venue " + name + " restarted from its ledger");
  }
  state.dead_venues.clear();
  if (!restarted.empty()) {
    auto peers = peers_of(state.actors);
    for (const auto& [name, venue] : state.actors.venues)
      self->send(venue, peers_atom::value, peers);
  }
  return restarted;
}

void resume(Self self, Promise<ResumeResult> promise) {
  auto& state = self->state;
  struct Check {
    ResumeResult result;
    Balances monitor;
    Balances venues;
  };
  auto check = std::make_shared<Check>();
  check->result.restarted_venues = restart_dead_venues(self);
  auto timeout = millis(state.timeout_ms);
  // The monitor and every venue answer; the first that does not is the reason not to resume.
  auto decide = [self, check, promise](const Failure& first) mutable {
    auto& state = self->state;
    auto& result = check->result;
    result.failure = first;
    if (!result.failure.failed()) {
      result.mismatches = compare_balances(check->monitor, check->venues, state.tolerance);
      if (!result.mismatches.empty())
        result.failure = {ErrorCode::em_reconciliation_mismatch,
                          "positions still disagree with the venues: " +
                              describe_mismatches(result.mismatches)};
    }
    if (!result.failure.failed()) {
      result.resumed = true;
      state.status.halt = HaltInfo{};
      self->send(state.actors.manager, resume_atom::value);
    }
    log_line(LogLevel::warning, "book_supervisor",
             "book " + state.actors.name +
                 (result.resumed ? ": resumed" : ": not resumed: " + result.failure.message));
    promise.deliver(std::move(result));
  };
  auto join = FailureJoin::expect(1 + state.actors.venues.size(), decide);
  auto failed = [self, join](const std::string& who, const CafError& error) {
    join->fail({ErrorCode::em_component_down,
                who + " did not answer: " + self->system().render(error)});
  };
  self->request(state.actors.monitor, timeout, snapshot_atom::value)
      .then(
          [check, join](Balances& positions) {
            check->monitor = std::move(positions);
            join->arrive();
          },
          [failed](const CafError& error) { failed("position monitor", error); });
  for (const auto& [name, venue] : state.actors.venues)
    self->request(venue, timeout, snapshot_atom::value)
        .then(
            [check, join](Balances& balances) {
              check->venues.merge(balances);
              join->arrive();
            },
            [failed, name = name](const CafError& error) { failed("venue " + name, error); });
}

}  // namespace

book_supervisor_actor::behavior_type book_supervisor(
    Self self, BookActors actors, std::map<std::string, std::shared_ptr<VenueSimulator>> sims,
    VenueSpawner spawn_venue, std::int64_t timeout_ms, Tolerance tolerance) {
  auto& state = self->state;
  state.actors = std::move(actors);
  state.sims = std::move(sims);
  state.spawn_venue = std::move(spawn_venue);
  state.timeout_ms = timeout_ms;
  state.tolerance = tolerance;
  state.status.book = state.actors.name;
  // Monitor, not link: a child's death is information for a decision, not a reason to die.
  self->monitor(state.actors.manager);
  for (const auto& [name, venue] : state.actors.venues) watch_venue(self, venue);
  self->send(state.actors.manager, supervise_atom::value, ActorAddr{self->address()});
  self->set_down_handler([self](DownMsg& down) { on_down(self, down); });
  // Stopping the supervisor stops its book: the exit goes to every child it holds.
  self->set_exit_handler([self](ExitMsg& exit) {
    BookActors actors = self->state.actors;
    stop_book(actors);
    self->quit(exit.reason);
  });
  return {
      [self](escalate_atom, ErrorCode code, const std::string& reason,
             const std::vector<KeyMismatch>& mismatches) {
        log_line(LogLevel::error, "book_supervisor",
                 "book " + self->state.actors.name + " halted: " +
                     std::string(to_string(code)) + " " + reason);
        mark_halted(self, code, reason, mismatches);
      },
      [self](resume_atom) {
        return with_parts<ResumeResult>(self, [self](auto& promise) { resume(self, promise); });
      },
      [self](status_atom) {
        auto status = self->state.status;
        status.dead_venues.assign(self->state.dead_venues.begin(), self->state.dead_venues.end());
        return status;
      },
      [self](fault_atom, const std::string& venue, const FaultSpec& fault) {
        return with_parts<bool>(self, [self, venue, fault](auto& promise) {
          auto it = self->state.actors.venues.find(venue);
          const bool known = it != self->state.actors.venues.end();
          if (known) self->send(it->second, fault_atom::value, fault);
          promise.deliver(known);
        });
      },
      [self](snapshot_atom, const std::string& venue) {
        return with_parts<Balances>(self, [self, venue](auto& promise) {
          auto it = self->state.actors.venues.find(venue);
          if (it == self->state.actors.venues.end())
            promise.deliver(caf::make_error(caf::sec::invalid_argument, "unknown venue " + venue));
          else
            promise.delegate(it->second, snapshot_atom::value);
        });
      },
      [self](adjust_atom, const std::string& venue, const std::string& key, Amount delta_amount) {
        return with_parts<bool>(self, [self, venue, key, delta_amount](auto& promise) {
          auto it = self->state.actors.venues.find(venue);
          if (it == self->state.actors.venues.end())
            promise.deliver(false);
          else
            promise.delegate(it->second, adjust_atom::value, key, delta_amount);
        });
      },
      [self](wired_atom, BookParts& parts) { adopt(self, std::move(parts)); },
  };
}

}  // namespace tightloop
