#include "actors/venues/wallet_venue.hpp"

#include "config/supported_operations.hpp"

namespace tightloop {

bool WalletVenue::supports(Operation op) const { return kind_supports(VenueKind::wallet, op); }

std::unique_ptr<VenueSimulator> WalletVenue::clone() const {
  return std::make_unique<WalletVenue>(*this);
}

VenuePlan WalletVenue::price(const Order& order) { return price_transfer(order); }

}  // namespace tightloop
