// Balances per position key with the money rules every book of positions shares: only opened
// keys exist, BaseToken/aToken/LST never go below zero, and a set of deltas applies all or
// nothing. The position monitor is one; a venue's ledger is another, restricted to its venue.
// Each perp also keeps its average entry price, moved by the priced trade deltas on it, so the
// monitor and the venue's ledger follow it by the same rule (perp_entry_after).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "messages/amount.hpp"
#include "messages/execution_delta.hpp"
#include "messages/failure.hpp"

namespace tightloop {

class PositionBook {
 public:
  // POS-002 for a malformed key, POS-003 for a BaseToken/aToken/LST key starting below zero.
  // Opening an open key resets its amount.
  std::optional<Failure> open(const std::string& key, Amount initial_amount);

  bool holds(const std::string& key) const { return entries_.count(key) != 0; }
  std::optional<Amount> amount(const std::string& key) const;

  // POS-001 for a key not opened; VEN-009 when a key's end amount would leave the amount
  // range (check_range); `negative_code` when a BaseToken/aToken/LST key would end below zero
  // through a net decrease (deltas on one key are summed first). Exact: a balance may reach
  // 0 but never go below it.
  std::optional<Failure> check(const std::vector<ExecutionDelta>& deltas,
                               ErrorCode negative_code) const;
  // VEN-009 when the end amount of a key the deltas move would leave the amount range: an
  // overflow must fail the order before anything is applied.
  std::optional<Failure> check_range(const std::vector<ExecutionDelta>& deltas) const;
  void apply(const std::vector<ExecutionDelta>& deltas);  // after check(); unknown keys ignored
  // check() then apply(); nothing changes on failure.
  std::optional<Failure> apply_checked(const std::vector<ExecutionDelta>& deltas,
                                       ErrorCode negative_code);
  // Out-of-band change; false if the key is not held or the result would leave the range.
  // A perp keeps its entry price (cleared when it ends flat).
  bool adjust(const std::string& key, Amount delta_amount);

  // A perp's average entry price: nullopt when flat, not a perp, or moved only out of band.
  std::optional<Amount> entry_price(const std::string& key) const;
  // The entry of a perp held before the run; false if `key` is not a held perp.
  bool set_entry_price(const std::string& key, Amount price);
  std::map<std::string, Amount> entry_prices() const;  // every perp with an entry

  // Amounts of the given keys that are held.
  std::map<std::string, Amount> amounts(const std::vector<std::string>& keys) const;
  std::map<std::string, Amount> snapshot() const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Amount amount;
    bool non_negative = true;
    bool perp = false;
    std::optional<Amount> entry_price;  // perps only
  };
  std::unordered_map<std::string, Entry> entries_;
};

// A book's positions before its first order: every subscribed key at its initial amount (0
// when none is given). The monitor starts from it, and so does every direct-call pipeline.
// (and every perp's configured entry price).
PositionBook opening_positions(const BookConfig& book);

// A perp of signed size `size` with average entry `entry` trades `signed_fill` at `price`.
// Opening or adding (same sign, or from flat): the size-weighted average of the old entry and
// the fill, each product and the quotient half-even. Reducing keeps the entry, flipping opens
// the rest at `price`, ending flat has none (nullopt).
std::optional<Amount> perp_entry_after(Amount size, Amount entry, Amount signed_fill, Amount price);
// The PnL a fill realises, in the settlement token: nullopt when it only opens or adds, else
// the closed part times the move from the entry, rounded toward -infinity (the book's credit:
// the venue never pays more than the move).
std::optional<Amount> perp_realised_pnl(Amount size, Amount entry, Amount signed_fill,
                                        Amount price);

}  // namespace tightloop
