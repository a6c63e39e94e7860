// book_supervisor: watches one book. It monitors the execution manager and every venue actor;
// a venue that dies or a reconciliation that fails for good halts the book (the execution
// manager skips the rest of its queue and refuses new orders). An operator's resume restarts
// dead venues from their ledgers, re-checks every position against the venues and un-halts
// only if they agree. Other books are never touched.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/position/reconciliation.hpp"
#include "runtime/book.hpp"

namespace tightloop {

class VenueSimulator;

struct BookSupervisorState {
  BookActors actors;
  std::map<std::string, std::shared_ptr<VenueSimulator>> sims;  // survive their actors
  VenueSpawner spawn_venue;
  std::int64_t timeout_ms = 5000;
  Tolerance tolerance;
  std::set<std::string> dead_venues;
  BookStatus status;
  static inline const char* name = "book_supervisor";
};

book_supervisor_actor::behavior_type book_supervisor(
    book_supervisor_actor::stateful_pointer<BookSupervisorState> self, BookActors actors,
    std::map<std::string, std::shared_ptr<VenueSimulator>> sims, VenueSpawner spawn_venue,
    std::int64_t timeout_ms, Tolerance tolerance);

}  // namespace tightloop
