// venue interface actor: one per configured venue and book. Wraps a VenueSimulator (the venue's
// rules and its own ledger), answers balance queries for reconciliation, keeps checkpoints for
// atomic groups, and plays the faults switched on for it (config or fault_atom).
#pragma once

#include <map>
#include <memory>

#include "actors/interfaces.hpp"
#include "actors/venues/venue_simulator.hpp"

namespace tightloop {

struct VenueInterfaceState {
  std::shared_ptr<VenueSimulator> sim;  // shared with the supervisor: a restart keeps the ledger
  VenuePeers peers;  // other venues of the book, by name; weak so that no handle cycle forms
  std::uint64_t next_wake = 0;
  std::map<std::uint64_t, std::pair<Promise<ExecutionHandshake>, ExecutionHandshake>> delayed;
  static inline const char* name = "venue_interface";
};

venue_actor::behavior_type venue_interface(
    venue_actor::stateful_pointer<VenueInterfaceState> self, std::shared_ptr<VenueSimulator> sim);

}  // namespace tightloop
