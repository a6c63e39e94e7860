// A small metrics registry rendered in the Prometheus text exposition format, version 0.0.4
// (what the daemon serves on /metrics). Counters, gauges and histograms, each a *family*: a
// name, a help text and a fixed list of label names; one sample per distinct list of label
// values, created on first use. A family without labels has its one sample (at 0) from the
// start.
//
//   MetricsRegistry registry;
//   auto& orders = registry.counter("tightloop_orders_total", "Orders by outcome.", {"book", "status"});
//   orders.add({"main", "executed"});           // +1
//   auto& latency = registry.histogram("tightloop_order_seconds", "Order latency.", {}, {0.001, 0.01, 0.1});
//   latency.observe({}, 0.004);
//   std::string body = registry.render();       // served with metrics_content_type
//
// Rendering: families in registration order, each `# HELP`, `# TYPE`, then its samples in
// label-value order (lexicographic on the list). Integer amounts render as integers, other
// values in the shortest form that reads back exactly; NaN, +Inf, -Inf as `NaN`, `+Inf`, `-Inf`.
// No timestamps.
//
// Errors throw std::invalid_argument: a metric name outside [a-zA-Z_:][a-zA-Z0-9_:]*, a label
// name outside [a-zA-Z_][a-zA-Z0-9_]* or starting with `__` (or a repeated one, or `le` on a
// histogram), a counter name not ending in `_total`, a name already registered or clashing with
// another family's sample names (a histogram `x` owns `x_bucket`, `x_sum`, `x_count`), histogram
// bounds not finite or not strictly increasing, a wrong number of label values, a counter decreased
// (negative or NaN amount), a NaN observation.
//
// Threads: none of this locks. The daemon updates and renders its registry from ONE thread (its
// HTTP I/O thread); any other use must bring its own serialisation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tightloop {

// The Content-Type of a rendered registry.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

using LabelValues = std::vector<std::string>;

// What every family has. Families live in their registry; references stay valid as long as it.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends `# HELP`, `# TYPE` and the samples.
  virtual void render(std::string& out) const = 0;

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names);
  // Throws std::invalid_argument unless `values` has one entry per label name.
  void check_labels(const LabelValues& values) const;
  // `name{l1="v1",...,extra}`; `extra` (`le="0.1"`) is appended inside the braces if not empty.
  void append_series(std::string& out, const std::string& name, const LabelValues& values,
                     std::string_view extra = {}) const;
  void append_header(std::string& out, std::string_view type) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// Monotonic counters. Integer amounts are kept exactly as std::uint64_t and render as integers;
// once a fractional amount is added (or the integer part would overflow) the sample is a double.
class Counter final : public MetricFamily {
 public:
  // Adds `amount` (integer or floating point; default 1). Throws on a negative or NaN amount.
  template <class T = std::uint64_t,
            std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  void add(const LabelValues& values, T amount = 1) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) check_non_negative(amount < 0);
      add_integer(values, static_cast<std::uint64_t>(amount));
    } else {
      add_double(values, static_cast<double>(amount));
    }
  }
  // The current value; 0 for label values never used.
  double value(const LabelValues& values) const;
  void render(std::string& out) const override;

 private:
  friend class MetricsRegistry;
  struct Sample {
    std::uint64_t integer = 0;
    double fraction = 0;  // everything not held in `integer`
    bool is_double = false;
  };
  using MetricFamily::MetricFamily;
  static void check_non_negative(bool negative);
  void add_integer(const LabelValues& values, std::uint64_t amount);
  void add_double(const LabelValues& values, double amount);
  Sample& sample(const LabelValues& values);
  std::map<LabelValues, Sample> samples_;
};

// Values that go up and down.
class Gauge final : public MetricFamily {
 public:
  void set(const LabelValues& values, double value);
  void add(const LabelValues& values, double amount);
  double value(const LabelValues& values) const;  // 0 for label values never used
  void render(std::string& out) const override;

 private:
  friend class MetricsRegistry;
  using MetricFamily::MetricFamily;
  double& sample(const LabelValues& values);
  std::map<LabelValues, double> samples_;
};

// Distributions over fixed bucket upper bounds (inclusive: `le`), plus the implicit +Inf bucket.
class Histogram final : public MetricFamily {
 public:
  // Counts `value` in every bucket whose bound is >= it. Throws on NaN.
  void observe(const LabelValues& values, double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Readbacks; 0 for label values never used. `cumulative_count(v, i)`: observations <= bounds()[i]
  // (i == bounds().size(): all of them).
  std::uint64_t count(const LabelValues& values) const;
  double sum(const LabelValues& values) const;
  std::uint64_t cumulative_count(const LabelValues& values, std::size_t bucket) const;
  void render(std::string& out) const override;

 private:
  friend class MetricsRegistry;
  struct Sample {
    std::vector<std::uint64_t> buckets;  // per bucket, not cumulative; last is +Inf
    std::uint64_t count = 0;
    double sum = 0;
  };
  Histogram(std::string name, std::string help, std::vector<std::string> label_names,
            std::vector<double> bounds);
  Sample& sample(const LabelValues& values);
  std::vector<double> bounds_;  // finite, strictly increasing
  std::map<LabelValues, Sample> samples_;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;
  MetricsRegistry(MetricsRegistry&&) noexcept;
  MetricsRegistry& operator=(MetricsRegistry&&) noexcept;

  Counter& counter(const std::string& name, const std::string& help,
                   const std::vector<std::string>& label_names = {});
  Gauge& gauge(const std::string& name, const std::string& help,
               const std::vector<std::string>& label_names = {});
  // `bounds`: finite and strictly increasing; a trailing +Inf is accepted and dropped (the +Inf
  // bucket is always there). An empty list: only the +Inf bucket.
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<std::string>& label_names, std::vector<double> bounds);

  // The whole exposition (empty for an empty registry).
  std::string render() const;

 private:
  // Checks that no name in `sample_names` is taken, takes them all and keeps `family`.
  template <class Family>
  Family& adopt(std::unique_ptr<Family> family, const std::vector<std::string>& sample_names);
  std::vector<std::unique_ptr<MetricFamily>> families_;
  std::map<std::string, std::string> taken_;  // every family and sample name -> its family
};

// The value formatting used by render(): integral values below 2^53 as integers, other finite
// values in the shortest form that reads back exactly, `NaN`, `+Inf`, `-Inf`.
std::string format_metric_value(double value);

}  // namespace tightloop
