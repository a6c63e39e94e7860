// venue_interface_manager: routes an order by its venue to that venue's actor. An unknown venue
// or an operation the venue's kind does not support is answered here with a failed handshake.
#pragma once

#include <map>
#include <string>

#include "actors/interfaces.hpp"
#include "config/config.hpp"

namespace tightloop {

struct RoutedVenue {
  VenueKind kind;
  venue_actor handle;
};

struct VenueInterfaceManagerState {
  std::map<std::string, RoutedVenue, std::less<>> venues;
  std::int64_t timeout_ms = 5000;
  static inline const char* name = "venue_interface_manager";
};

venue_interface_manager_actor::behavior_type venue_interface_manager(
    venue_interface_manager_actor::stateful_pointer<VenueInterfaceManagerState> self,
    std::map<std::string, RoutedVenue, std::less<>> venues, std::int64_t timeout_ms);

}  // namespace tightloop
