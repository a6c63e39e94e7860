// A wallet venue: holds its own tokens (wallet:BaseToken:WETH, wallet:LST:weETH) and can only
// send them to another cex or wallet venue. On-chain venues act on its keys as remote legs.
#pragma once

#include "actors/venues/transfer_pricing.hpp"

namespace tightloop {

class WalletVenue : public TransferringVenue {
 public:
  using TransferringVenue::TransferringVenue;
  bool supports(Operation op) const override;
  std::unique_ptr<VenueSimulator> clone() const override;

 protected:
  VenuePlan price(const Order& order) override;
};

}  // namespace tightloop
