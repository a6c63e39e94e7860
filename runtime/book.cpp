#include "runtime/book.hpp"

#include "actors/execution_manager.hpp"
#include "actors/position_monitor.hpp"
#include "actors/position_update_handler.hpp"
#include "actors/venue_interface.hpp"
#include "actors/venue_interface_manager.hpp"
#include "actors/venues/venue_set.hpp"
#include "runtime/book_supervisor.hpp"

namespace tightloop {

venue_actor spawn_venue_interface(ActorSystem& system, std::shared_ptr<VenueSimulator> sim) {
  return system.spawn(venue_interface, std::move(sim));
}

BookActors spawn_book(ActorSystem& system, const Config& config, const BookConfig& book,
                      std::shared_ptr<const MarketData> market, const VenueSpawner& spawn_venue) {
  BookActors actors;
  actors.name = book.name;
  const auto timeout_ms = config.venue_timeout_ms;

  VenueRoutes routes;
  std::map<std::string, std::shared_ptr<VenueSimulator>> sims;
  auto peers = std::make_shared<VenuePeerTable>();
  auto built = make_book_venues(config, book, market);
  for (const auto& venue_config : config.venues) {
    std::shared_ptr<VenueSimulator> sim = std::move(built.at(venue_config.name));
    sims.emplace(venue_config.name, sim);
    auto handle = spawn_venue(system, std::move(sim));
    peers->emplace(venue_config.name, handle.address());
    routes.emplace(venue_config.name, RoutedVenue{venue_config.kind, handle});
    actors.venues.emplace(venue_config.name, handle);
  }
  const VenuePeers shared = std::move(peers);
  for (auto& [name, handle] : actors.venues) caf::anon_send(handle, peers_atom::value, shared);

  PositionBook positions;
  for (const auto& key : book.subscribed_keys) {
    auto initial = book.initial_positions.find(key);
    positions.open(key, initial == book.initial_positions.end() ? 0.0 : initial->second);
  }
  actors.monitor = system.spawn(position_monitor, std::move(positions));

  const auto& policy = config.reconciliation;
  actors.updater =
      system.spawn(position_update_handler, actors.monitor, actors.venues, policy, timeout_ms);

  ExecutionManagerSettings settings;
  settings.book = book.name;
  settings.venue_timeout_ms = timeout_ms;
  // Apply and reconcile, every retry included: the handler gives up by the deadline, each
  // attempt's queries time out after one venue timeout.
  settings.update_timeout_ms =
      saturating_add_ms(policy.deadline_ms, saturating_mul_ms(timeout_ms, 3));
  actors.manager = system.spawn(execution_manager, std::move(settings), std::move(routes),
                                actors.updater, actors.monitor);
  actors.supervisor =
      system.spawn(book_supervisor, actors, std::move(sims), spawn_venue, timeout_ms,
                   Tolerance{policy.absolute_tolerance, policy.relative_tolerance});
  return actors;
}

void stop_book(const BookActors& book) {
  auto stop = [](const auto& handle) {
    if (handle) caf::anon_send_exit(handle, ExitReason::user_shutdown);
  };
  stop(book.supervisor);
  stop(book.manager);
  stop(book.updater);
  stop(book.monitor);
  for (const auto& [name, handle] : book.venues) stop(handle);
}

}  // namespace tightloop
