#include "actors/venue_interface_manager.hpp"

#include "actors/venues/supported_operations.hpp"

namespace tightloop {

venue_interface_manager_actor::behavior_type venue_interface_manager(
    venue_interface_manager_actor::stateful_pointer<VenueInterfaceManagerState> self,
    std::map<std::string, RoutedVenue, std::less<>> venues) {
  self->state.venues = std::move(venues);
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
  };
}

}  // namespace tightloop
