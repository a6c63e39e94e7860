#include "actors/venue_interface_manager.hpp"

#include "config/supported_operations.hpp"

namespace tightloop {

namespace {

using Self = venue_interface_manager_actor::stateful_pointer<VenueInterfaceManagerState>;

// Sends the same request to every venue; answers true once all answered, or the first error.
template <class... Args>
Result<bool> ask_every_venue(Self self, const Args&... args) {
  auto promise = self->make_response_promise<bool>();
  auto pending = std::make_shared<std::size_t>(self->state.venues.size());
  auto failed = std::make_shared<CafError>();
  if (*pending == 0) return true;
  auto arrive = [promise, pending, failed]() mutable {
    if (--*pending > 0) return;
    if (*failed)
      promise.deliver(*failed);
    else
      promise.deliver(true);
  };
  for (const auto& [name, venue] : self->state.venues)
    self->request(venue.handle, millis(self->state.timeout_ms), args...)
        .then([arrive](bool) mutable { arrive(); },
              [arrive, failed](const CafError& error) mutable {
                if (!*failed) *failed = error;
                arrive();
              });
  return promise;
}

}  // namespace

venue_interface_manager_actor::behavior_type venue_interface_manager(
    venue_interface_manager_actor::stateful_pointer<VenueInterfaceManagerState> self,
    std::map<std::string, RoutedVenue, std::less<>> venues, std::int64_t timeout_ms) {
  self->state.venues = std::move(venues);
  self->state.timeout_ms = timeout_ms;
  return {
      [self](route_atom, const Order& order) -> Result<ExecutionHandshake> {
        auto it = self->state.venues.find(order.venue);
        if (it == self->state.venues.end())
          return failed_handshake(order, ErrorCode::vim_unknown_venue,
                                  "venue '" + order.venue + "' is not configured");
        if (!kind_supports(it->second.kind, order.operation))
          return failed_handshake(order, ErrorCode::vim_unsupported_operation,
                                  "venue '" + order.venue + "' (" +
                                      std::string(to_string(it->second.kind)) +
                                      ") does not support " +
                                      std::string(to_string(order.operation)));
        // The venue answers the execution manager directly: one hop saved per order.
        return self->delegate(it->second.handle, execute_atom::value, order);
      },
      [self](market_atom atom, const MarketData& market) {
        return ask_every_venue(self, atom, market);
      },
      [self](revert_atom atom, const std::string& group) {
        return ask_every_venue(self, atom, group);
      },
      [self](commit_atom, const std::string& group) {
        for (const auto& [name, venue] : self->state.venues)
          self->send(venue.handle, commit_atom::value, group);
      },
      [self](replace_atom, const std::string& name, venue_actor handle) {
        auto it = self->state.venues.find(name);
        if (it != self->state.venues.end()) it->second.handle = std::move(handle);
      },
  };
}

}  // namespace tightloop
