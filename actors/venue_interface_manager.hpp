// VenueInterfaceManager: routes an order by its venue to that venue's actor. A plain class
// the execution manager owns (a table lookup is not worth a message hop): an unknown venue
// (VIM-001) or an operation the venue's kind does not support (VIM-002) is refused without
// any message at all.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "actors/interfaces.hpp"
#include "config/config.hpp"
#include "messages/failure.hpp"
#include "messages/order.hpp"

namespace tightloop {

class VenueInterfaceManager {
 public:
  VenueInterfaceManager() = default;
  explicit VenueInterfaceManager(VenueRoutes venues) : venues_(std::move(venues)) {}

  // The venue actor that executes `order`, or why none does.
  struct Route {
    venue_actor venue;
    std::optional<Failure> refusal;
  };
  Route route(const Order& order) const;

  // A restarted venue's new actor (the supervisor's replacement); false for an unknown name.
  bool replace(const std::string& name, venue_actor handle);

  const VenueRoutes& venues() const { return venues_; }

 private:
  VenueRoutes venues_;
};

}  // namespace tightloop
