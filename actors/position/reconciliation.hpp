// The reconciliation comparison: the position monitor's view against what venues report.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

// Zero by default: the monitor and a simulated venue compute the same integers. The options
// exist for real venues that round differently.
struct Tolerance {
  Amount absolute;
  Amount relative;  // a fraction of the larger magnitude
};

// |expected - reported| <= absolute + relative * max(|expected|, |reported|) (rounded down),
// exactly; a missing report is never within tolerance.
bool within_tolerance(Amount expected, std::optional<Amount> reported, const Tolerance& tolerance);

// One mismatch per key of `expected` that `reported` lacks (reported empty) or that differs
// beyond tolerance. Key order.
std::vector<KeyMismatch> compare_balances(const std::map<std::string, Amount>& expected,
                                          const std::map<std::string, Amount>& reported,
                                          const Tolerance& tolerance);

// The order's expected_deltas against `deltas` (its net execution deltas, summed per key): one
// mismatch per expected key whose actual sum (0 when not moved) differs beyond tolerance.
ExpectedDeltasCheck check_expected_deltas(const Order& order,
                                          const std::vector<ExecutionDelta>& deltas,
                                          const Tolerance& tolerance);

// The wait before retry number `retry` (1 = the wait before the second attempt):
// initial_backoff_ms * multiplier^(retry - 1), clamped (messages/duration.hpp), never wrapped.
std::int64_t backoff_before_retry(const ReconciliationConfig& policy, std::uint32_t retry);

// What follows one comparison. `attempts` counts those made so far (this one included),
// `elapsed` is the time since the first began; `failed` says a component refused or did not
// answer (never retried).
struct RetryDecision {
  enum class Next : std::uint8_t { matched, retry, mismatch } next = Next::mismatch;
  std::int64_t wait_ms = 0;  // before the retry
};
RetryDecision decide_retry(const ReconciliationConfig& policy, bool failed,
                           bool mismatched, std::uint32_t attempts,
                           std::chrono::nanoseconds elapsed);

// Distinct keys touched by the deltas, in first-touch order.
std::vector<std::string> touched_keys(const std::vector<ExecutionDelta>& deltas);

// "EM-001-style" text for a halt: "binance:BaseToken:USDT: monitor 100, venue 90".
std::string describe_mismatches(const std::vector<KeyMismatch>& mismatches);

}  // namespace tightloop
