// A book's actors: one venue interface per configured venue, the position monitor, the
// position update handler, the execution manager (which routes to the venues itself and spawns
// the others at the book's first use), and the supervisor that watches them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "config/config.hpp"

namespace tightloop {

struct BookActors {
  std::string name;
  execution_manager_actor manager;
  // Set only when spawned at start (PartsSpawn::at_start); the supervisor's copy gets them
  // either way.
  position_update_handler_actor updater;
  position_monitor_actor monitor;
  std::map<std::string, venue_actor, std::less<>> venues;  // as spawned; see the supervisor
  book_supervisor_actor supervisor;  // empty in the supervisor's own copy (no self-cycle)
};

class VenueSimulator;

// Spawns the actor that fronts one venue simulator. Tests swap in an instrumented one.
using VenueSpawner = std::function<venue_actor(ActorSystem&, std::shared_ptr<VenueSimulator>)>;
venue_actor spawn_venue_interface(ActorSystem& system, std::shared_ptr<VenueSimulator> sim);

// When a book's venues, update handler and monitor are spawned: at its first order, refresh
// or venue question (an idle book is two actors), or right away, for tests that reach into
// them through BookActors.
enum class PartsSpawn : std::uint8_t { at_first_use, at_start };

struct BookOptions {
  VenueSpawner spawn_venue = spawn_venue_interface;
  PartsSpawn parts = PartsSpawn::at_first_use;
};

// The book named `book` of `config` (std::invalid_argument if there is none). The config is
// shared by every book and read in place: an idle book holds no copy of its part of it.
BookActors spawn_book(ActorSystem& system, std::shared_ptr<const Config> config,
                      const std::string& book, std::shared_ptr<const MarketData> market,
                      BookOptions options = {});

// Sends every actor of the book an exit; the handles stay valid but the actors are gone.
void stop_book(const BookActors& book);

}  // namespace tightloop
