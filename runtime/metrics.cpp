#include "runtime/metrics.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace tightloop {
namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

void check_metric_name(const std::string& name) {
  bool ok = !name.empty() && (name_start(name[0]) || name[0] == ':');
  for (char c : name) ok = ok && (name_char(c) || c == ':');
  if (!ok)
    throw std::invalid_argument("metric name \"" + name +
                                "\" does not match [a-zA-Z_:][a-zA-Z0-9_:]*");
}

void check_label_names(const std::string& metric, const std::vector<std::string>& names,
                       bool histogram) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    bool ok = !name.empty() && name_start(name[0]);
    for (char c : name) ok = ok && name_char(c);
    if (!ok)
      throw std::invalid_argument("metric " + metric + ": label name \"" + name +
                                  "\" does not match [a-zA-Z_][a-zA-Z0-9_]*");
    if (name.compare(0, 2, "__") == 0)
      throw std::invalid_argument("metric " + metric + ": label name \"" + name +
                                  "\" starts with __ (reserved)");
    if (histogram && name == "le")
      throw std::invalid_argument("metric " + metric + ": label name le is reserved for buckets");
    for (std::size_t j = 0; j < i; ++j)
      if (names[j] == name)
        throw std::invalid_argument("metric " + metric + ": label name \"" + name +
                                    "\" given twice");
  }
}

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// HELP text: backslash and newline. Label values also escape the double quote.
void append_escaped(std::string& out, const std::string& text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

void append_value(std::string& out, double value) { out += format_metric_value(value); }
void append_value(std::string& out, std::uint64_t value) { out += std::to_string(value); }

}  // namespace

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  constexpr double exact_integers = 9007199254740992.0;  // 2^53
  if (value == std::trunc(value) && std::fabs(value) < exact_integers)
    return std::to_string(static_cast<std::int64_t>(value));  // also -0.0 -> "0"
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc()) throw std::logic_error("format_metric_value: to_chars failed");
  return std::string(buffer, end);
}

// --- MetricFamily ---

MetricFamily::MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void MetricFamily::check_labels(const LabelValues& values) const {
  if (values.size() != label_names_.size())
    throw std::invalid_argument("metric " + name_ + ": " + std::to_string(values.size()) +
                                " label values for " + std::to_string(label_names_.size()) +
                                " label names");
}

void MetricFamily::append_series(std::string& out, const std::string& name,
                                 const LabelValues& values, std::string_view extra) const {
  out += name;
  if (values.empty() && extra.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!extra.empty()) {
    if (!values.empty()) out += ',';
    out += extra;
  }
  out += '}';
}

void MetricFamily::append_header(std::string& out, std::string_view type) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_escaped(out, help_, false);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type;
  out += '\n';
}

// --- Counter ---

void Counter::check_non_negative(bool negative) {
  if (negative) throw std::invalid_argument("counter: negative amount (counters only go up)");
}

Counter::Sample& Counter::sample(const LabelValues& values) {
  check_labels(values);
  return samples_[values];
}

void Counter::add_integer(const LabelValues& values, std::uint64_t amount) {
  Sample& s = sample(values);
  if (s.integer > std::numeric_limits<std::uint64_t>::max() - amount) {
    // Would wrap: carry on as a double rather than lose the count.
    s.fraction += static_cast<double>(s.integer) + static_cast<double>(amount);
    s.integer = 0;
    s.is_double = true;
  } else {
    s.integer += amount;
  }
}

void Counter::add_double(const LabelValues& values, double amount) {
  if (std::isnan(amount) || amount < 0)
    throw std::invalid_argument("metric " + name() + ": counter amount " +
                                format_metric_value(amount) + " (counters only go up)");
  Sample& s = sample(values);
  s.fraction += amount;
  s.is_double = true;
}

double Counter::value(const LabelValues& values) const {
  check_labels(values);
  auto it = samples_.find(values);
  if (it == samples_.end()) return 0;
  return static_cast<double>(it->second.integer) + it->second.fraction;
}

void Counter::render(std::string& out) const {
  append_header(out, "counter");
  for (const auto& [values, s] : samples_) {
    append_series(out, name(), values);
    out += ' ';
    if (s.is_double)
      append_value(out, static_cast<double>(s.integer) + s.fraction);
    else
      append_value(out, s.integer);
    out += '\n';
  }
}

// --- Gauge ---

double& Gauge::sample(const LabelValues& values) {
  check_labels(values);
  return samples_[values];
}

void Gauge::set(const LabelValues& values, double value) { sample(values) = value; }
void Gauge::add(const LabelValues& values, double amount) { sample(values) += amount; }

double Gauge::value(const LabelValues& values) const {
  check_labels(values);
  auto it = samples_.find(values);
  return it == samples_.end() ? 0 : it->second;
}

void Gauge::render(std::string& out) const {
  append_header(out, "gauge");
  for (const auto& [values, v] : samples_) {
    append_series(out, name(), values);
    out += ' ';
    append_value(out, v);
    out += '\n';
  }
}

// --- Histogram ---

Histogram::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
      bounds_(std::move(bounds)) {}

Histogram::Sample& Histogram::sample(const LabelValues& values) {
  check_labels(values);
  Sample& s = samples_[values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  return s;
}

void Histogram::observe(const LabelValues& values, double value) {
  if (std::isnan(value)) throw std::invalid_argument("metric " + name() + ": NaN observation");
  Sample& s = sample(values);
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  ++s.buckets[bucket];
  ++s.count;
  s.sum += value;
}

std::uint64_t Histogram::count(const LabelValues& values) const {
  check_labels(values);
  auto it = samples_.find(values);
  return it == samples_.end() ? 0 : it->second.count;
}

double Histogram::sum(const LabelValues& values) const {
  check_labels(values);
  auto it = samples_.find(values);
  return it == samples_.end() ? 0 : it->second.sum;
}

std::uint64_t Histogram::cumulative_count(const LabelValues& values, std::size_t bucket) const {
  check_labels(values);
  if (bucket > bounds_.size())
    throw std::invalid_argument("metric " + name() + ": no bucket " + std::to_string(bucket));
  auto it = samples_.find(values);
  if (it == samples_.end()) return 0;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bucket; ++i) total += it->second.buckets[i];
  return total;
}

void Histogram::render(std::string& out) const {
  append_header(out, "histogram");
  const std::string bucket_name = name() + "_bucket";
  for (const auto& [values, s] : samples_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      std::string le = "le=\"";
      le += i < bounds_.size() ? format_metric_value(bounds_[i]) : "+Inf";
      le += '"';
      append_series(out, bucket_name, values, le);
      out += ' ';
      append_value(out, cumulative);
      out += '\n';
    }
    append_series(out, name() + "_sum", values);
    out += ' ';
    append_value(out, s.sum);
    out += '\n';
    append_series(out, name() + "_count", values);
    out += ' ';
    append_value(out, s.count);
    out += '\n';
  }
}

// --- MetricsRegistry ---

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;
MetricsRegistry::MetricsRegistry(MetricsRegistry&&) noexcept = default;
MetricsRegistry& MetricsRegistry::operator=(MetricsRegistry&&) noexcept = default;

template <class Family>
Family& MetricsRegistry::adopt(std::unique_ptr<Family> family,
                               const std::vector<std::string>& sample_names) {
  for (const auto& taken : sample_names) {
    auto it = taken_.find(taken);
    if (it != taken_.end())
      throw std::invalid_argument("metric " + family->name() + ": name " + taken +
                                  " already used by " + it->second);
  }
  families_.reserve(families_.size() + 1);  // nothing below throws but a map insertion
  for (const auto& taken : sample_names) taken_.emplace(taken, family->name());
  Family& result = *family;
  families_.push_back(std::move(family));
  return result;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const std::vector<std::string>& label_names) {
  check_metric_name(name);
  if (!ends_with(name, "_total"))
    throw std::invalid_argument("counter name \"" + name + "\" does not end in _total");
  check_label_names(name, label_names, false);
  std::unique_ptr<Counter> family(new Counter(name, help, label_names));
  if (label_names.empty()) family->sample({});
  return adopt(std::move(family), {name});
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const std::vector<std::string>& label_names) {
  check_metric_name(name);
  check_label_names(name, label_names, false);
  std::unique_ptr<Gauge> family(new Gauge(name, help, label_names));
  if (label_names.empty()) family->sample({});
  return adopt(std::move(family), {name});
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const std::vector<std::string>& label_names,
                                      std::vector<double> bounds) {
  check_metric_name(name);
  check_label_names(name, label_names, true);
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity())
    bounds.pop_back();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]))
      throw std::invalid_argument("histogram " + name + ": bucket bound " +
                                  format_metric_value(bounds[i]) + " is not finite");
    if (i > 0 && !(bounds[i - 1] < bounds[i]))
      throw std::invalid_argument("histogram " + name + ": bucket bounds not strictly increasing");
  }
  std::unique_ptr<Histogram> family(new Histogram(name, help, label_names, std::move(bounds)));
  if (label_names.empty()) family->sample({});
  return adopt(std::move(family), {name, name + "_bucket", name + "_sum", name + "_count"});
}

std::string MetricsRegistry::render() const {
  std::string out;
  for (const auto& family : families_) family->render(out);
  return out;
}

}  // namespace tightloop
