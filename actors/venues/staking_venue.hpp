// A staking protocol acting on the tokens of its wallet: stake a base asset for its LST at the
// market's rate (LST per base unit), unstake back at the same rate. It has no keys of its own.
#pragma once

#include "actors/venues/venue_simulator.hpp"

namespace tightloop {

class StakingVenue : public VenueSimulator {
 public:
  using VenueSimulator::VenueSimulator;
  bool supports(Operation op) const override;
  std::unique_ptr<VenueSimulator> clone() const override;

 protected:
  VenuePlan price(const Order& order) override;
};

}  // namespace tightloop
