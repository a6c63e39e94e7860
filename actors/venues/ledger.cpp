#include "actors/venues/ledger.hpp"

#include "actors/venues/transfer_pricing.hpp"
#include "messages/position_key.hpp"

namespace tightloop {

Ledger::Ledger(std::string venue) : venue_(std::move(venue)) {}

std::optional<Failure> Ledger::open(const std::string& key, double initial_amount) {
  std::string why;
  auto parsed = parse_position_key(key, &why);
  if (!parsed) return Failure{ErrorCode::pos_malformed_key, why};
  if (parsed->venue != venue_)
    return Failure{ErrorCode::pos_malformed_key, "position key '" + key + "' belongs to venue '" +
                                                     parsed->venue + "', not to '" + venue_ + "'"};
  const bool non_negative = is_non_negative(parsed->type);
  // A ledger that starts below zero would break the invariant every check relies on.
  if (non_negative && initial_amount < 0.0)
    return Failure{
        ErrorCode::pos_negative_balance,
        "position key '" + key + "' cannot start negative (" + format_amount(initial_amount) + ")"};
  entries_[key] = Entry{initial_amount, non_negative};
  return std::nullopt;
}

bool Ledger::holds(const std::string& key) const { return entries_.count(key) != 0; }

std::optional<double> Ledger::balance(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.amount;
}

std::optional<Failure> Ledger::check(const std::vector<ExecutionDelta>& legs) const {
  for (const auto& leg : legs)
    if (!holds(leg.position_key))
      return Failure{ErrorCode::pos_unknown_key, "venue '" + venue_ + "' holds no key '" +
                                                     leg.position_key +
                                                     "' (not subscribed by the book)"};
  // The end balance per key is computed exactly as apply() will compute it (one addition per
  // leg, in order), so a check that passes can never be followed by a negative balance.
  std::map<std::string, std::pair<double, double>> end_and_change;
  for (const auto& leg : legs) {
    auto [it, inserted] =
        end_and_change.try_emplace(leg.position_key, entries_.at(leg.position_key).amount, 0.0);
    it->second.first += leg.delta_amount;
    it->second.second += leg.delta_amount;
  }
  for (const auto& [key, result] : end_and_change) {
    const auto& [end_amount, change] = result;
    // Only a decrease can violate the floor: a deposit never fails.
    if (entries_.at(key).non_negative && end_amount < 0.0 && change < 0.0)
      return Failure{ErrorCode::ven_insufficient_balance,
                     "insufficient " + key + ": have " + format_amount(entries_.at(key).amount) +
                         ", need " + format_amount(-change)};
  }
  return std::nullopt;
}

void Ledger::apply(const std::vector<ExecutionDelta>& legs) {
  for (const auto& leg : legs) {
    auto it = entries_.find(leg.position_key);
    if (it != entries_.end()) it->second.amount += leg.delta_amount;
  }
}

std::optional<Failure> Ledger::apply_checked(const std::vector<ExecutionDelta>& legs) {
  if (auto failure = check(legs)) return failure;
  apply(legs);
  return std::nullopt;
}

bool Ledger::adjust(const std::string& key, double delta_amount) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  it->second.amount += delta_amount;
  return true;
}

std::map<std::string, double> Ledger::snapshot() const {
  std::map<std::string, double> result;
  for (const auto& [key, entry] : entries_) result.emplace(key, entry.amount);
  return result;
}

}  // namespace tightloop
