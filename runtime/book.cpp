#include "runtime/book.hpp"

#include "actors/execution_manager.hpp"
#include "actors/position_monitor.hpp"
#include "actors/position_update_handler.hpp"
#include "actors/venue_interface.hpp"
#include "actors/venue_interface_manager.hpp"
#include "actors/venues/venue_set.hpp"

namespace tightloop {

venue_actor spawn_venue_interface(ActorSystem& system, std::shared_ptr<VenueSimulator> sim,
                                  std::int64_t peer_timeout_ms) {
  return system.spawn(venue_interface, std::move(sim), peer_timeout_ms);
}

BookActors spawn_book(ActorSystem& system, const Config& config, const BookConfig& book,
                      std::shared_ptr<const MarketData> market, const VenueSpawner& spawn_venue) {
  BookActors actors;
  actors.name = book.name;
  const auto timeout_ms = config.venue_timeout_ms;

  std::map<std::string, RoutedVenue, std::less<>> routes;
  VenuePeers peers;
  auto sims = make_book_venues(config, book, market);
  for (const auto& venue_config : config.venues) {
    std::shared_ptr<VenueSimulator> sim = std::move(sims.at(venue_config.name));
    auto handle = spawn_venue(system, std::move(sim), timeout_ms);
    peers.emplace(venue_config.name, handle.address());
    routes.emplace(venue_config.name, RoutedVenue{venue_config.kind, handle});
    actors.venues.emplace(venue_config.name, handle);
  }
  for (auto& [name, handle] : actors.venues) caf::anon_send(handle, peers_atom::value, peers);

  PositionBook positions;
  for (const auto& key : book.subscribed_keys) {
    auto initial = book.initial_positions.find(key);
    positions.open(key, initial == book.initial_positions.end() ? 0.0 : initial->second);
  }
  actors.monitor = system.spawn(position_monitor, std::move(positions));

  const auto& rec = config.reconciliation;
  actors.updater =
      system.spawn(position_update_handler, actors.monitor, actors.venues,
                   Tolerance{rec.absolute_tolerance, rec.relative_tolerance}, timeout_ms);
  actors.router = system.spawn(venue_interface_manager, std::move(routes));

  ExecutionManagerSettings settings;
  settings.book = book.name;
  settings.venue_timeout_ms = timeout_ms;
  // Apply and reconcile: the monitor and venues answer within a timeout each.
  settings.update_timeout_ms = 2 * timeout_ms;
  actors.manager = system.spawn(execution_manager, std::move(settings), actors.router,
                                actors.updater, actors.monitor);
  return actors;
}

void stop_book(BookActors& book) {
  auto stop = [](const auto& handle) {
    if (handle) caf::anon_send_exit(handle, ExitReason::user_shutdown);
  };
  stop(book.manager);
  stop(book.router);
  stop(book.updater);
  stop(book.monitor);
  for (auto& [name, handle] : book.venues) stop(handle);
}

}  // namespace tightloop
