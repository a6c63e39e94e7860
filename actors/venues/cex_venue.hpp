// A centralised exchange: spot and perpetual trades against reference prices moved by its
// slippage, taker fees, and transfers of its own tokens. Realises perp PnL against the average
// entry price its ledger keeps, and settles perp funding into its settlement token.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/venues/transfer_pricing.hpp"

namespace tightloop {

class CexVenue : public TransferringVenue {
 public:
  using TransferringVenue::TransferringVenue;
  bool supports(Operation op) const override;
  std::unique_ptr<VenueSimulator> clone() const override;

  // Funding of every open perp whose rate and mark price are known: one `funding` delta per
  // perp on <venue>:BaseToken:<settlement_token>, -size * mark * rate. Nothing when the book
  // does not hold that settlement key.
  Settlement settle() override;

  // Average entry price of the position on `perp_key` (the ledger keeps it); nullopt when flat
  // or moved only out of band.
  std::optional<Amount> entry_price(const std::string& perp_key) const;

 protected:
  VenuePlan price(const Order& order) override;

 private:
  VenuePlan price_spot(const Order& order) const;
  VenuePlan price_perp(const Order& order);
  std::optional<Amount> funding_rate(const std::string& perp_symbol) const;

 public:
  // What the fill price derives from the market and the config alone, kept until the market
  // changes: the reference price of each pair (a 256-bit division) and the slippage fraction.
  struct PriceCache {
    std::uint64_t market_version = ~std::uint64_t{0};
    std::map<std::string, std::optional<Amount>, std::less<>> reference;  // by pair
    std::optional<Amount> slippage;
  };

 private:
  mutable PriceCache cache_;
};

}  // namespace tightloop
