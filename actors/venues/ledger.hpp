// A venue's ledger: the book's balances at one venue, per position key. Only opened keys exist
// (the book's subscribed keys of this venue); changes are all-or-nothing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "messages/execution_delta.hpp"
#include "messages/failure.hpp"

namespace tightloop {

class Ledger {
 public:
  explicit Ledger(std::string venue);

  const std::string& venue() const { return venue_; }

  // Opens `key` (it must name this venue and parse) with a starting balance.
  // Returns a POS-002 failure for a malformed key or a key of another venue.
  std::optional<Failure> open(const std::string& key, double initial_amount);

  bool holds(const std::string& key) const;
  std::optional<double> balance(const std::string& key) const;

  // Would applying `legs` succeed? POS-001 for a key not held, VEN-001 when a BaseToken,
  // aToken or LST balance would end below zero (legs on one key are summed first).
  std::optional<Failure> check(const std::vector<ExecutionDelta>& legs) const;
  // Applies legs already checked.
  void apply(const std::vector<ExecutionDelta>& legs);
  // check() then apply(); nothing changes on failure.
  std::optional<Failure> apply_checked(const std::vector<ExecutionDelta>& legs);

  // An out-of-band change the book did not order (a deposit, an operator's correction, a fault
  // in a test). Returns false when the key is not held.
  bool adjust(const std::string& key, double delta_amount);

  std::map<std::string, double> snapshot() const;

 private:
  struct Entry {
    double amount = 0.0;
    bool non_negative = true;
  };
  std::string venue_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace tightloop
