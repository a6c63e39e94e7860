// The direct-call executor of one book's venues, no actors: the same steps the venue actors
// take with messages (plan, apply the remote legs on the remote ledger, commit). Tests and the
// direct-call benchmark use it; the free functions are the steps the actor version shares.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/venues/venue_simulator.hpp"

namespace tightloop {

// What every simulator of `config` knows: the market and every staking venue's LST symbols.
VenueContext make_venue_context(const Config& config, std::shared_ptr<const MarketData> market);

// One simulator per configured venue, transfer targets set; each ledger opens the book's
// subscribed keys of that venue with the book's initial positions (0 when absent). Throws
// std::invalid_argument for a subscribed key that is malformed, names no configured venue, or
// starts a BaseToken/aToken/LST balance below zero.
std::map<std::string, std::unique_ptr<VenueSimulator>> make_book_venues(
    const Config& config, const BookConfig& book, std::shared_ptr<const MarketData> market);

// Applies `plan`'s remote legs on `remote`, all or nothing. A failure when `remote` is not the
// ledger of plan.remote_venue or refuses the legs (POS-001, VEN-001).
std::optional<Failure> apply_remote_legs(const VenuePlan& plan, Ledger& remote);

class VenueSet {
 public:
  VenueSet(const Config& config, const BookConfig& book, std::shared_ptr<const MarketData> market);

  // plan -> remote apply_checked -> commit. Unknown venue: failed VIM-001.
  ExecutionHandshake execute(const Order& order);
  // Balances of the asked keys some venue holds; keys nobody holds are left out.
  std::map<std::string, Amount> balances(const std::vector<std::string>& keys) const;
  VenueSimulator* find(const std::string& venue);
  const VenueSimulator* find(const std::string& venue) const;
  void set_market(std::shared_ptr<const MarketData> market);

 private:
  std::map<std::string, std::unique_ptr<VenueSimulator>> venues_;
};

}  // namespace tightloop
