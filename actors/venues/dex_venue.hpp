// A DEX pool acting on the tokens of its wallet: swap token_in for token_out at the reference
// prices, less the venue's price impact, with the pool fee taken from the output token.
#pragma once

#include "actors/venues/venue_simulator.hpp"

namespace tightloop {

class DexVenue : public VenueSimulator {
 public:
  using VenueSimulator::VenueSimulator;
  bool supports(Operation op) const override;
  std::unique_ptr<VenueSimulator> clone() const override;

 protected:
  VenuePlan price(const Order& order) override;
};

}  // namespace tightloop
