// Balances per position key with the money rules every book of positions shares: only opened
// keys exist, BaseToken/aToken/LST never go below zero, and a set of deltas applies all or
// nothing. The position monitor is one; a venue's ledger is another, restricted to its venue.
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
  bool adjust(const std::string& key, Amount delta_amount);

  // Amounts of the given keys that are held.
  std::map<std::string, Amount> amounts(const std::vector<std::string>& keys) const;
  std::map<std::string, Amount> snapshot() const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Amount amount;
    bool non_negative = true;
  };
  std::unordered_map<std::string, Entry> entries_;
};

// A book's positions before its first order: every subscribed key at its initial amount (0
// when none is given). The monitor starts from it, and so does every direct-call pipeline.
PositionBook opening_positions(const BookConfig& book);

}  // namespace tightloop
