// Durations in milliseconds: one bound for what a config may set, and arithmetic that cannot
// overflow on the way to a timer. A std::chrono::nanoseconds clock overflows after 292 years,
// so a sum of configured durations (or a backoff that grows) must be clamped, not wrapped.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace tightloop {

// The largest duration a config field or a fault may set: 365 days.
inline constexpr std::int64_t max_duration_ms = 365LL * 24 * 3600 * 1000;
// The longest wait the runtime ever asks a timer for: 100 years, far from the clock's limit.
inline constexpr std::int64_t max_wait_ms = 100 * max_duration_ms;

// Both clamp the result to [0, max_wait_ms].
constexpr std::int64_t clamp_wait_ms(std::int64_t ms) {
  return ms < 0 ? 0 : ms > max_wait_ms ? max_wait_ms : ms;
}
constexpr std::int64_t saturating_add_ms(std::int64_t a, std::int64_t b) {
  a = clamp_wait_ms(a);
  b = clamp_wait_ms(b);
  return a > max_wait_ms - b ? max_wait_ms : a + b;
}
constexpr std::int64_t saturating_mul_ms(std::int64_t ms, std::int64_t times) {
  ms = clamp_wait_ms(ms);
  if (times <= 0 || ms == 0) return 0;
  return ms > max_wait_ms / times ? max_wait_ms : ms * times;
}

// The wait a timer is given for `ms`, clamped.
inline std::chrono::milliseconds wait_for(std::int64_t ms) {
  return std::chrono::milliseconds(clamp_wait_ms(ms));
}

}  // namespace tightloop
