#include "bench/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tightloop::bench {

namespace {
constexpr double ns_per_us = 1000.0;

// Three significant decimals of a µs figure are plenty and keep the JSON readable.
double rounded(double value) { return std::round(value * 1000.0) / 1000.0; }
}  // namespace

double quantile_us(const std::vector<std::int64_t>& sorted_ns, double q) {
  if (sorted_ns.empty()) return 0.0;
  const auto n = sorted_ns.size();
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  if (rank == 0) rank = 1;
  if (rank > n) rank = n;
  return static_cast<double>(sorted_ns[rank - 1]) / ns_per_us;
}

LatencySummary summarize(std::vector<std::int64_t>& samples_ns) {
  std::sort(samples_ns.begin(), samples_ns.end());
  LatencySummary s;
  s.count = samples_ns.size();
  if (samples_ns.empty()) return s;
  const long double total =
      std::accumulate(samples_ns.begin(), samples_ns.end(), static_cast<long double>(0));
  s.mean_us = static_cast<double>(total / static_cast<long double>(s.count)) / ns_per_us;
  s.p50_us = quantile_us(samples_ns, 0.50);
  s.p90_us = quantile_us(samples_ns, 0.90);
  s.p99_us = quantile_us(samples_ns, 0.99);
  s.p999_us = quantile_us(samples_ns, 0.999);
  s.p9999_us = quantile_us(samples_ns, 0.9999);
  s.max_us = static_cast<double>(samples_ns.back()) / ns_per_us;
  return s;
}

nlohmann::json to_json(const LatencySummary& s) {
  return {{"count", s.count},          {"mean", rounded(s.mean_us)},
          {"p50", rounded(s.p50_us)},  {"p90", rounded(s.p90_us)},
          {"p99", rounded(s.p99_us)},  {"p99.9", rounded(s.p999_us)},
          {"p99.99", rounded(s.p9999_us)}, {"max", rounded(s.max_us)}};
}

nlohmann::json spectrum_json(const std::vector<std::int64_t>& sorted_ns) {
  auto points = nlohmann::json::array();
  if (sorted_ns.empty()) return points;
  for (int i = 0; i < 10; ++i) {
    const double q = i / 10.0;
    points.push_back({q, rounded(quantile_us(sorted_ns, q))});
  }
  // Stop where 1 - q is finer than one sample: beyond that every point is the max.
  const double finest = 1.0 / static_cast<double>(sorted_ns.size());
  for (int quarter = 4; ; ++quarter) {
    const double tail = std::pow(10.0, -quarter / 4.0);
    if (tail < finest) break;
    const double q = 1.0 - tail;
    points.push_back({q, rounded(quantile_us(sorted_ns, q))});
  }
  points.push_back({1.0, rounded(static_cast<double>(sorted_ns.back()) / ns_per_us)});
  return points;
}

}  // namespace tightloop::bench
