// venue interface actor: one per configured venue and book. Wraps a VenueSimulator (the venue's
// rules and its own ledger) and answers balance queries for reconciliation.
#pragma once

#include <memory>

#include "actors/interfaces.hpp"
#include "actors/venues/venue_simulator.hpp"

namespace tightloop {

struct VenueInterfaceState {
  std::shared_ptr<VenueSimulator> sim;
  VenuePeers peers;  // other venues of the book, by name; weak so that no handle cycle forms
  std::int64_t peer_timeout_ms = 5000;
  static inline const char* name = "venue_interface";
};

venue_actor::behavior_type venue_interface(
    venue_actor::stateful_pointer<VenueInterfaceState> self, std::shared_ptr<VenueSimulator> sim,
    std::int64_t peer_timeout_ms);

}  // namespace tightloop
