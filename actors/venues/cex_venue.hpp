// A centralised exchange: spot and perpetual trades against reference prices moved by its
// slippage, taker fees, and transfers of its own tokens. Keeps each perp's average entry price
// and settles perp funding into its settlement token.
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

  // Average entry price of the position on `perp_key`; nullopt when flat or never traded here.
  std::optional<Amount> entry_price(const std::string& perp_key) const;
  // For a position the book starts with (its entry is not in the config). Without it, the
  // first trade on such a position takes the reference price at that moment as its entry.
  void set_entry_price(const std::string& perp_key, Amount price);

 protected:
  VenuePlan price(const Order& order) override;
  void restore_state(const VenueSimulator& checkpoint) override;

 private:
  VenuePlan price_spot(const Order& order) const;
  VenuePlan price_perp(const Order& order);
  // prices[BASE] / prices[settlement] for a perp symbol BASE + settlement_token; nullopt when
  // the symbol is not of that form or a price is missing.
  std::optional<Amount> perp_mark_price(const std::string& perp_symbol) const;
  std::optional<Amount> funding_rate(const std::string& perp_symbol) const;

  std::map<std::string, Amount> entry_prices_;  // perp key -> average entry (quote per base)

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
