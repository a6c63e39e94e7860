// The reconciliation comparison: the position monitor's view against what venues report.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "messages/order_result.hpp"

namespace tightloop {

struct Tolerance {
  double absolute = 1e-9;
  double relative = 1e-9;
};

// |expected - reported| <= absolute + relative * max(|expected|, |reported|)
bool within_tolerance(double expected, double reported, const Tolerance& tolerance);

// One mismatch per key of `expected` that `reported` lacks (reported = NaN) or that differs
// beyond tolerance. Key order.
std::vector<KeyMismatch> compare_balances(const std::map<std::string, double>& expected,
                                          const std::map<std::string, double>& reported,
                                          const Tolerance& tolerance);

// The order's expected_deltas against `deltas` (its net execution deltas, summed per key): one
// mismatch per expected key whose actual sum (0 when not moved) differs beyond tolerance.
ExpectedDeltasCheck check_expected_deltas(const Order& order,
                                          const std::vector<ExecutionDelta>& deltas,
                                          const Tolerance& tolerance);

// Distinct keys touched by the deltas, in first-touch order.
std::vector<std::string> touched_keys(const std::vector<ExecutionDelta>& deltas);

// "EM-001-style" text for a halt: "binance:BaseToken:USDT: monitor 100, venue 90".
std::string describe_mismatches(const std::vector<KeyMismatch>& mismatches);

}  // namespace tightloop
