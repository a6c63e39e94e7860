#include "runtime/book.hpp"

#include <stdexcept>

#include "actors/execution_manager.hpp"
#include "actors/position_monitor.hpp"
#include "actors/position/position_book.hpp"
#include "actors/position/valuation.hpp"
#include "actors/position_update_handler.hpp"
#include "actors/venue_interface.hpp"
#include "actors/venue_interface_manager.hpp"
#include "actors/venues/venue_set.hpp"
#include "runtime/book_supervisor.hpp"

namespace tightloop {

venue_actor spawn_venue_interface(ActorSystem& system, std::shared_ptr<VenueSimulator> sim) {
  return system.spawn(venue_interface, std::move(sim));
}

namespace {

// Reads the book's config where it lives, in the shared Config: an idle book copies nothing.
class PartsFactory final : public BookPartsFactory {
 public:
  PartsFactory(ActorSystem& system, std::shared_ptr<const Config> config, const BookConfig& book,
               VenueSpawner spawn_venue)
      : system_(system), config_(std::move(config)), book_(book),
        spawn_venue_(std::move(spawn_venue)) {}

  BookParts spawn(std::shared_ptr<const MarketData> market) const override {
    BookParts parts;
    auto peers = std::make_shared<VenuePeerTable>();
    std::map<std::string, venue_actor, std::less<>> handles;
    auto built = make_book_venues(*config_, book_, std::move(market));
    for (const auto& venue_config : config_->venues) {
      std::shared_ptr<VenueSimulator> sim = std::move(built.at(venue_config.name));
      parts.sims.emplace(venue_config.name, sim);
      auto handle = spawn_venue_(system_, std::move(sim));
      peers->emplace(venue_config.name, handle.address());
      parts.venues.emplace(venue_config.name, RoutedVenue{venue_config.kind, handle});
      handles.emplace(venue_config.name, handle);
    }
    const VenuePeers shared = std::move(peers);
    for (auto& [name, handle] : handles) caf::anon_send(handle, peers_atom::value, shared);
    parts.monitor = system_.spawn(position_monitor, tightloop::opening_positions(book_));
    parts.updater = system_.spawn(position_update_handler, parts.monitor, std::move(handles),
                                  config_->reconciliation, config_->venue_timeout_ms);
    return parts;
  }

  BookPositions opening_positions() const override {
    const auto positions = tightloop::opening_positions(book_);
    return {positions.snapshot(), positions.entry_prices()};
  }

  BookValuation value(const BookPositions& positions, const HaltInfo& halt,
                      const MarketData& market) const override {
    return value_book(positions.amounts, positions.entry_prices, halt, market,
                      settlement_tokens(config_->venues));
  }

 private:
  ActorSystem& system_;
  std::shared_ptr<const Config> config_;
  const BookConfig& book_;  // inside *config_
  VenueSpawner spawn_venue_;
};

}  // namespace

BookActors spawn_book(ActorSystem& system, std::shared_ptr<const Config> config,
                      const std::string& book_name, std::shared_ptr<const MarketData> market,
                      BookOptions options) {
  const auto* book = config->find_book(book_name);
  if (!book) throw std::invalid_argument("spawn_book: no book '" + book_name + "' in the config");
  BookActors actors;
  actors.name = book->name;
  const auto timeout_ms = config->venue_timeout_ms;
  const auto policy = config->reconciliation;
  auto factory = std::make_shared<const PartsFactory>(system, config, *book, options.spawn_venue);

  if (!market) market = std::make_shared<const MarketData>(config->market);
  BookParts parts;
  std::map<std::string, std::shared_ptr<VenueSimulator>> sims;
  if (options.parts == PartsSpawn::at_start) {
    parts = factory->spawn(market);
    for (const auto& [name, venue] : parts.venues) actors.venues.emplace(name, venue.handle);
    actors.monitor = parts.monitor;
    actors.updater = parts.updater;
    sims = parts.sims;
  }

  ExecutionManagerSettings settings;
  settings.book = book->name;
  settings.venue_timeout_ms = timeout_ms;
  // Apply and reconcile, every retry included: the handler gives up by the deadline, each
  // attempt's queries time out after one venue timeout.
  settings.update_timeout_ms =
      saturating_add_ms(policy.deadline_ms, saturating_mul_ms(timeout_ms, 3));
  actors.manager = system.spawn(execution_manager, std::move(settings), std::move(parts),
                                std::move(factory), std::move(market));
  actors.supervisor =
      system.spawn(book_supervisor, actors, std::move(sims), options.spawn_venue, timeout_ms,
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
