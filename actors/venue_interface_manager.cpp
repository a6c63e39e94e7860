#include "actors/venue_interface_manager.hpp"

#include "config/supported_operations.hpp"

namespace tightloop {

VenueInterfaceManager::Route VenueInterfaceManager::route(const Order& order) const {
  auto it = venues_.find(order.venue);
  if (it == venues_.end())
    return {{}, Failure{ErrorCode::vim_unknown_venue,
                        "venue '" + order.venue + "' is not configured"}};
  if (!kind_supports(it->second.kind, order.operation))
    return {{}, Failure{ErrorCode::vim_unsupported_operation,
                        "venue '" + order.venue + "' (" +
                            std::string(to_string(it->second.kind)) + ") does not support " +
                            std::string(to_string(order.operation))}};
  return {it->second.handle, std::nullopt};
}

bool VenueInterfaceManager::replace(const std::string& name, venue_actor handle) {
  auto it = venues_.find(name);
  if (it == venues_.end()) return false;
  it->second.handle = std::move(handle);
  return true;
}

}  // namespace tightloop
