#include "actors/position/position_book.hpp"

#include <charconv>
#include <cmath>

#include "messages/position_key.hpp"

namespace tightloop {

std::string format_amount(double amount) {
  // Shortest round-trip digits; plain notation for everyday magnitudes ("100000", not "1e+05").
  char text[400];
  const double magnitude = std::fabs(amount);
  const bool plain = magnitude == 0.0 || (magnitude >= 1e-4 && magnitude < 1e15);
  auto result = plain ? std::to_chars(text, text + sizeof text, amount, std::chars_format::fixed)
                      : std::to_chars(text, text + sizeof text, amount);
  return std::string(text, result.ptr);
}

std::optional<Failure> PositionBook::open(const std::string& key, double initial_amount) {
  std::string why;
  auto parsed = parse_position_key(key, &why);
  if (!parsed) return Failure{ErrorCode::pos_malformed_key, why};
  const bool non_negative = is_non_negative(parsed->type);
  // A book that starts below zero would break the invariant every check relies on.
  if (non_negative && initial_amount < 0.0)
    return Failure{ErrorCode::pos_negative_balance, "position key '" + key +
                                                        "' cannot start negative (" +
                                                        format_amount(initial_amount) + ")"};
  entries_[key] = Entry{initial_amount, non_negative};
  return std::nullopt;
}

std::optional<double> PositionBook::amount(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.amount;
}

std::optional<Failure> PositionBook::check(const std::vector<ExecutionDelta>& deltas,
                                           ErrorCode negative_code) const {
  for (const auto& delta : deltas)
    if (!holds(delta.position_key))
      return Failure{ErrorCode::pos_unknown_key,
                     "position key '" + delta.position_key + "' is not subscribed by the book"};
  if (auto failure = check_finite(deltas)) return failure;
  // Orders touch a handful of keys: a scan beats a map. The end balance per key is computed
  // exactly as apply() computes it (one addition per delta, in order), so a check that passes
  // is never followed by a negative balance.
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    const auto& key = deltas[i].position_key;
    const auto& entry = entries_.find(key)->second;
    if (!entry.non_negative) continue;
    bool seen_before = false;
    for (std::size_t j = 0; j < i && !seen_before; ++j)
      seen_before = deltas[j].position_key == key;
    if (seen_before) continue;
    double end_amount = entry.amount, change = 0.0;
    for (std::size_t j = i; j < deltas.size(); ++j)
      if (deltas[j].position_key == key) {
        end_amount += deltas[j].delta_amount;
        change += deltas[j].delta_amount;
      }
    // Only a decrease can break the floor: a deposit never fails.
    if (end_amount < 0.0 && change < 0.0)
      return Failure{negative_code, "insufficient " + key + ": have " +
                                        format_amount(entry.amount) + ", need " +
                                        format_amount(-change)};
  }
  return std::nullopt;
}

std::optional<Failure> PositionBook::check_finite(const std::vector<ExecutionDelta>& deltas) const {
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    const auto& key = deltas[i].position_key;
    if (!std::isfinite(deltas[i].delta_amount))
      return Failure{ErrorCode::ven_non_finite,
                     "the change to " + key + " is not a finite number (the inputs overflow)"};
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    // The end amount exactly as apply() computes it: one addition per delta, in order.
    double end_amount = it->second.amount;
    bool seen_before = false;
    for (std::size_t j = 0; j < i && !seen_before; ++j) seen_before = deltas[j].position_key == key;
    if (seen_before) continue;
    for (std::size_t j = i; j < deltas.size(); ++j)
      if (deltas[j].position_key == key) end_amount += deltas[j].delta_amount;
    if (!std::isfinite(end_amount))
      return Failure{ErrorCode::ven_non_finite,
                     "the balance of " + key + " would not be a finite number (have " +
                         format_amount(it->second.amount) + ")"};
  }
  return std::nullopt;
}

void PositionBook::apply(const std::vector<ExecutionDelta>& deltas) {
  for (const auto& delta : deltas) {
    auto it = entries_.find(delta.position_key);
    if (it != entries_.end()) it->second.amount += delta.delta_amount;
  }
}

std::optional<Failure> PositionBook::apply_checked(const std::vector<ExecutionDelta>& deltas,
                                                   ErrorCode negative_code) {
  if (auto failure = check(deltas, negative_code)) return failure;
  apply(deltas);
  return std::nullopt;
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
