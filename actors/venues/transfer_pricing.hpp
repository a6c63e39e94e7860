// Rules shared by several venue kinds: a rejected plan, the transfer (cex and wallet send their own
// tokens to another cex or wallet venue), which reference prices are usable, and how amounts are
// written into failure messages.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/venues/venue_simulator.hpp"

namespace tightloop {

// A plan whose handshake failed with `code` and `message`; nothing to apply.
VenuePlan rejected_plan(const Order& order, ErrorCode code, std::string message);

// Basis points as a fraction: 30 -> 0.003 (half-even at the 18th digit).
Amount bps_fraction(Amount bps);

// prices[symbol] when present and > 0 (anything else cannot price an order).
std::optional<Amount> usable_price(const MarketData& market, const std::string& symbol);

// Venues a transfer may reach: every cex and wallet venue of `venues`, by name.
std::set<std::string> transfer_target_names(const std::vector<VenueConfig>& venues);

// A venue that holds its own tokens and can send them (cex, wallet).
class TransferringVenue : public VenueSimulator {
 public:
  using VenueSimulator::VenueSimulator;

  // The venues this one may send to (itself is always refused). Until set, every transfer
  // fails with VEN-007: VenueContext does not say which venues exist.
  void set_transfer_targets(std::set<std::string> venue_names);
  // One set shared by every venue of a book: a copy each would cost O(venues²).
  void set_transfer_targets(std::shared_ptr<const std::set<std::string>> venue_names);
  const std::set<std::string>& transfer_targets() const;

 protected:
  void restore_state(const VenueSimulator& checkpoint) override;

  // Sender key -x gross, target key +x, fee transfer_fees[token] (0 when absent) in the token,
  // paid by the sender on top. VEN-007 for a bad source or target.
  VenuePlan price_transfer(const Order& order) const;

 private:
  std::shared_ptr<const std::set<std::string>> transfer_targets_;  // never changed in place
};

// Tells `venue` where it may send transfers. False when its kind sends none.
bool configure_transfer_targets(VenueSimulator& venue,
                                std::shared_ptr<const std::set<std::string>> venue_names);

}  // namespace tightloop
