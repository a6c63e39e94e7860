// A lending protocol (Aave v3 model) acting on the tokens of its wallet. Its own keys hold the
// scaled supply (aToken) and scaled debt (debtToken); indices come from the market data.
// Flash loans are venue state: a liability per asset, booked on flash_borrow, paid down by
// flash_repay.
#pragma once

#include <map>
#include <string>

#include "actors/venues/venue_simulator.hpp"

namespace tightloop {

class LendingVenue : public VenueSimulator {
 public:
  using VenueSimulator::VenueSimulator;
  bool supports(Operation op) const override;
  std::unique_ptr<VenueSimulator> clone() const override;

  // Outstanding flash loan of `asset` (0 when none).
  Amount flash_liability(const std::string& asset) const;
  const std::map<std::string, Amount>& flash_liabilities() const { return flash_liabilities_; }

 protected:
  VenuePlan price(const Order& order) override;
  void restore_state(const VenueSimulator& checkpoint) override;

 private:
  VenuePlan price_indexed(const Order& order, const std::string& asset) const;
  VenuePlan price_flash_borrow(const Order& order, const std::string& asset);
  VenuePlan price_flash_repay(const Order& order, const std::string& asset);

  std::map<std::string, Amount> flash_liabilities_;  // asset -> amount owed
};

}  // namespace tightloop
