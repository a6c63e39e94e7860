#include "actors/position/reconciliation.hpp"

#include <algorithm>
#include <cmath>

#include "messages/duration.hpp"

namespace tightloop {

bool within_tolerance(Amount expected, std::optional<Amount> reported, const Tolerance& tolerance) {
  if (!reported) return false;
  if (expected == *reported) return true;
  const auto difference = checked_sub(expected, *reported);
  if (!difference) return false;  // opposite ends of the range: far apart
  const Amount scale = std::max(expected.abs(), reported->abs());
  const auto bound =
      checked_add(tolerance.absolute, mul(tolerance.relative, scale, Rounding::down));
  return !bound || difference->abs() <= *bound;
}

std::vector<KeyMismatch> compare_balances(const std::map<std::string, Amount>& expected,
                                          const std::map<std::string, Amount>& reported,
                                          const Tolerance& tolerance) {
  std::vector<KeyMismatch> mismatches;
  for (const auto& [key, expected_amount] : expected) {
    auto it = reported.find(key);
    std::optional<Amount> reported_amount;
    if (it != reported.end()) reported_amount = it->second;
    if (!within_tolerance(expected_amount, reported_amount, tolerance))
      mismatches.push_back(KeyMismatch{key, expected_amount, reported_amount});
  }
  return mismatches;
}

ExpectedDeltasCheck check_expected_deltas(const Order& order,
                                          const std::vector<ExecutionDelta>& deltas,
                                          const Tolerance& tolerance) {
  ExpectedDeltasCheck check;
  if (order.expected_deltas.empty()) return check;
  check.checked = true;
  for (const auto& [key, expected] : order.expected_deltas) {
    Amount actual;
    for (const auto& delta : deltas)
      if (delta.position_key == key) actual += delta.delta_amount;
    if (!within_tolerance(expected, actual, tolerance))
      check.mismatches.push_back(KeyMismatch{key, expected, actual});
  }
  return check;
}

std::int64_t backoff_before_retry(const ReconciliationConfig& policy, std::uint32_t retry) {
  double wait = static_cast<double>(policy.initial_backoff_ms) *
                std::pow(policy.multiplier, static_cast<double>(retry - 1));
  // A large multiplier or many retries grow past any timer (or to inf): clamp, never wrap.
  if (!(wait < static_cast<double>(max_wait_ms))) return max_wait_ms;
  return static_cast<std::int64_t>(std::llround(wait));
}

RetryDecision decide_retry(const ReconciliationConfig& policy, bool failed, bool mismatched,
                           std::uint32_t attempts, std::chrono::nanoseconds elapsed) {
  using Next = RetryDecision::Next;
  if (failed) return {Next::mismatch, 0};
  if (!mismatched) return {Next::matched, 0};
  if (attempts >= static_cast<std::uint32_t>(policy.max_attempts)) return {Next::mismatch, 0};
  const auto wait_ms = backoff_before_retry(policy, attempts);
  // Never start a comparison after the deadline (counted from the first attempt).
  if (elapsed + wait_for(wait_ms) > wait_for(policy.deadline_ms)) return {Next::mismatch, 0};
  return {Next::retry, wait_ms};
}

std::vector<std::string> touched_keys(const std::vector<ExecutionDelta>& deltas) {
  std::vector<std::string> keys;
  keys.reserve(deltas.size());
  for (const auto& delta : deltas)
    if (std::find(keys.begin(), keys.end(), delta.position_key) == keys.end())
      keys.push_back(delta.position_key);
  return keys;
}

std::string describe_mismatches(const std::vector<KeyMismatch>& mismatches) {
  std::string out;
  for (std::size_t i = 0; i < mismatches.size(); ++i) {
    if (i) out += "; ";
    out += mismatches[i].position_key + ": monitor " + format(mismatches[i].expected) + ", venue ";
    out += mismatches[i].reported ? format(*mismatches[i].reported) : "does not report it";
  }
  return out;
}

}  // namespace tightloop
