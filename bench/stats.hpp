// Latency samples -> percentiles and a percentile spectrum for plots. Nearest-rank percentiles:
// p99 is the smallest sample that at least 99 % of samples do not exceed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace tightloop::bench {

struct LatencySummary {
  std::size_t count = 0;
  double mean_us = 0.0;
  double p50_us = 0.0;
  double p90_us = 0.0;
  double p99_us = 0.0;
  double p999_us = 0.0;
  double p9999_us = 0.0;
  double max_us = 0.0;
};

// Sorts `samples_ns` in place.
LatencySummary summarize(std::vector<std::int64_t>& samples_ns);

// q in [0, 1] of sorted samples, in µs; 0 when empty.
double quantile_us(const std::vector<std::int64_t>& sorted_ns, double q);

nlohmann::json to_json(const LatencySummary& summary);

// [[q, µs], ...] at q = 0, .1, ..., .9 and then 1 - 10^-k in steps of 1/4 decade up to the
// sample count's resolution, then 1: the shape a latency plot needs, in a few dozen points.
nlohmann::json spectrum_json(const std::vector<std::int64_t>& sorted_ns);

}  // namespace tightloop::bench
