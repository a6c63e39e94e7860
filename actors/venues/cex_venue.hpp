// A centralised exchange: spot and perpetual trades against reference prices moved by its
// slippage, taker fees, and transfers of its own tokens. Keeps each perp's average entry price.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "actors/venues/transfer_pricing.hpp"

namespace tightloop {

class CexVenue : public TransferringVenue {
 public:
  using TransferringVenue::TransferringVenue;
  bool supports(Operation op) const override;

  // Average entry price of the position on `perp_key`; nullopt when flat or never traded here.
  std::optional<double> entry_price(const std::string& perp_key) const;
  // For a position the book starts with (its entry is not in the config). Without it, the
  // first trade on such a position takes the reference price at that moment as its entry.
  void set_entry_price(const std::string& perp_key, double price);

 protected:
  VenuePlan price(const Order& order) override;

 private:
  VenuePlan price_spot(const Order& order) const;
  VenuePlan price_perp(const Order& order);

  std::map<std::string, double> entry_prices_;  // perp key -> average entry (quote per base)
};

}  // namespace tightloop
