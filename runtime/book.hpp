// A book's actors: one venue interface per configured venue, the position monitor, the
// position update handler, the execution manager (which routes to the venues itself), and the
// supervisor that watches them.
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
  position_update_handler_actor updater;
  position_monitor_actor monitor;
  std::map<std::string, venue_actor, std::less<>> venues;  // as spawned; see the supervisor
  book_supervisor_actor supervisor;  // empty in the supervisor's own copy (no self-cycle)
};

class VenueSimulator;

// Spawns the actor that fronts one venue simulator. Tests swap in an instrumented one.
using VenueSpawner = std::function<venue_actor(ActorSystem&, std::shared_ptr<VenueSimulator>)>;
venue_actor spawn_venue_interface(ActorSystem& system, std::shared_ptr<VenueSimulator> sim);

BookActors spawn_book(ActorSystem& system, const Config& config, const BookConfig& book,
                      std::shared_ptr<const MarketData> market,
                      const VenueSpawner& spawn_venue = spawn_venue_interface);

// Sends every actor of the book an exit; the handles stay valid but the actors are gone.
void stop_book(const BookActors& book);

}  // namespace tightloop
