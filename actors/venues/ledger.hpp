// A venue's ledger: the book's balances at one venue, per position key. The money rules are
// PositionBook's; a ledger adds that every key belongs to this venue and that running out of a
// balance is the venue's VEN-001.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/position/position_book.hpp"
#include "messages/execution_delta.hpp"
#include "messages/failure.hpp"

namespace tightloop {

class Ledger {
 public:
  explicit Ledger(std::string venue);

  const std::string& venue() const { return venue_; }

  // Opens `key` (it must name this venue and parse) with a starting balance.
  // POS-002 for a malformed key or a key of another venue, POS-003 for a negative start of a
  // BaseToken, aToken or LST key.
  std::optional<Failure> open(const std::string& key, Amount initial_amount);

  bool holds(const std::string& key) const { return book_.holds(key); }
  std::optional<Amount> balance(const std::string& key) const { return book_.amount(key); }

  // Would applying `legs` succeed? POS-001 for a key not held, VEN-001 when a BaseToken,
  // aToken or LST balance would end below zero (legs on one key are summed first).
  std::optional<Failure> check(const std::vector<ExecutionDelta>& legs) const {
    return book_.check(legs, ErrorCode::ven_insufficient_balance);
  }
  std::optional<Failure> check_range(const std::vector<ExecutionDelta>& legs) const {
    return book_.check_range(legs);
  }
  // Applies legs already checked.
  void apply(const std::vector<ExecutionDelta>& legs) { book_.apply(legs); }
  // check() then apply(); nothing changes on failure.
  std::optional<Failure> apply_checked(const std::vector<ExecutionDelta>& legs) {
    return book_.apply_checked(legs, ErrorCode::ven_insufficient_balance);
  }

  // An out-of-band change the book did not order (a deposit, an operator's correction, a fault
  // in a test). Returns false when the key is not held.
  bool adjust(const std::string& key, Amount delta_amount) {
    return book_.adjust(key, delta_amount);
  }

  std::map<std::string, Amount> snapshot() const { return book_.snapshot(); }

  // A perp's average entry price (PositionBook keeps it from the priced trade legs).
  std::optional<Amount> entry_price(const std::string& key) const {
    return book_.entry_price(key);
  }
  bool set_entry_price(const std::string& key, Amount price) {
    return book_.set_entry_price(key, price);
  }

 private:
  std::string venue_;
  PositionBook book_;
};

}  // namespace tightloop
