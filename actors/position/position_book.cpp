#include "actors/position/position_book.hpp"

#include <sstream>

#include "messages/position_key.hpp"

namespace tightloop {

namespace {
std::string format_amount(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}
}  // namespace

std::optional<Failure> PositionBook::open(const std::string& key, double initial_amount) {
  std::string why;
  auto parsed = parse_position_key(key, &why);
  if (!parsed) return Failure{ErrorCode::pos_malformed_key, why};
  entries_[key] = Entry{initial_amount, is_non_negative(parsed->type)};
  return std::nullopt;
}

std::optional<double> PositionBook::amount(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.amount;
}

std::optional<Failure> PositionBook::check(const std::vector<ExecutionDelta>& deltas,
                                           ErrorCode negative_code) const {
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    const auto& key = deltas[i].position_key;
    auto it = entries_.find(key);
    if (it == entries_.end())
      return Failure{ErrorCode::pos_unknown_key, "position key " + key + " is not subscribed"};
    if (!it->second.non_negative) continue;
    // Orders touch a handful of keys: summing per key by a scan beats building a map.
    bool seen_before = false;
    for (std::size_t j = 0; j < i && !seen_before; ++j)
      seen_before = deltas[j].position_key == key;
    if (seen_before) continue;
    double after = it->second.amount;
    for (std::size_t j = i; j < deltas.size(); ++j)
      if (deltas[j].position_key == key) after += deltas[j].delta_amount;
    if (after < 0.0)
      return Failure{negative_code, "insufficient " + key + ": have " +
                                        format_amount(it->second.amount) + ", need " +
                                        format_amount(it->second.amount - after)};
  }
  return std::nullopt;
}

void PositionBook::apply(const std::vector<ExecutionDelta>& deltas) {
  for (const auto& delta : deltas) entries_[delta.position_key].amount += delta.delta_amount;
}

bool PositionBook::adjust(const std::string& key, double delta_amount) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  it->second.amount += delta_amount;
  return true;
}

std::map<std::string, double> PositionBook::amounts(const std::vector<std::string>& keys) const {
  std::map<std::string, double> result;
  for (const auto& key : keys) {
    auto it = entries_.find(key);
    if (it != entries_.end()) result.emplace(key, it->second.amount);
  }
  return result;
}

std::map<std::string, double> PositionBook::snapshot() const {
  std::map<std::string, double> result;
  for (const auto& [key, entry] : entries_) result.emplace(key, entry.amount);
  return result;
}

}  // namespace tightloop
