// Balances per position key with the money rules every book of positions shares: only opened
// keys exist, BaseToken/aToken/LST never go below zero, and a set of deltas applies all or
// nothing. The position monitor is one; a venue's ledger is another, restricted to its venue.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "messages/execution_delta.hpp"
#include "messages/failure.hpp"

namespace tightloop {

// Shortest text that reads back as the same double: "30030", "0.1", "1e-12".
std::string format_amount(double amount);

class PositionBook {
 public:
  // POS-002 for a malformed key, POS-003 for a BaseToken/aToken/LST key starting below zero.
  // Opening an open key resets its amount.
  std::optional<Failure> open(const std::string& key, double initial_amount);

  bool holds(const std::string& key) const { return entries_.count(key) != 0; }
  std::optional<double> amount(const std::string& key) const;

  // POS-001 for a key not opened; VEN-009 when a delta or a key's end amount would not be
  // finite (check_finite); `negative_code` when a BaseToken/aToken/LST key would end below
  // zero through a net decrease (deltas on one key are summed first).
  std::optional<Failure> check(const std::vector<ExecutionDelta>& deltas,
                               ErrorCode negative_code) const;
  // VEN-009 when a delta, or the end amount of a key it moves, would not be finite: an
  // overflow must fail the order before anything is applied, not put inf into a balance.
  std::optional<Failure> check_finite(const std::vector<ExecutionDelta>& deltas) const;
  void apply(const std::vector<ExecutionDelta>& deltas);  // after check(); unknown keys ignored
  // check() then apply(); nothing changes on failure.
  std::optional<Failure> apply_checked(const std::vector<ExecutionDelta>& deltas,
                                       ErrorCode negative_code);
  bool adjust(const std::string& key, double delta_amount);

  // Amounts of the given keys that are held.
  std::map<std::string, double> amounts(const std::vector<std::string>& keys) const;
  std::map<std::string, double> snapshot() const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    double amount = 0.0;
    bool non_negative = true;
  };
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace tightloop
