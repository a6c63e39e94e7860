#include "actors/position/reconciliation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "messages/duration.hpp"

namespace tightloop {

bool within_tolerance(double expected, double reported, const Tolerance& tolerance) {
  if (!std::isfinite(expected) || !std::isfinite(reported)) return false;
  const double scale = std::max(std::fabs(expected), std::fabs(reported));
  return std::fabs(expected - reported) <= tolerance.absolute + tolerance.relative * scale;
}

std::vector<KeyMismatch> compare_balances(const std::map<std::string, double>& expected,
                                          const std::map<std::string, double>& reported,
                                          const Tolerance& tolerance) {
  std::vector<KeyMismatch> mismatches;
  for (const auto& [key, expected_amount] : expected) {
    auto it = reported.find(key);
    const double reported_amount =
        it == reported.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
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
    double actual = 0.0;
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
  std::ostringstream out;
  out.precision(17);
  for (std::size_t i = 0; i < mismatches.size(); ++i) {
    if (i) out << "; ";
    out << mismatches[i].position_key << ": monitor " << mismatches[i].expected << ", venue ";
    if (std::isnan(mismatches[i].reported))
      out << "does not report it";
    else
      out << mismatches[i].reported;
  }
  return out.str();
}

}  // namespace tightloop
