#include "actors/position/position_book.hpp"

#include "messages/position_key.hpp"

namespace tightloop {

namespace {

// The end amount of `key` after every delta on it, from its first occurrence at `first`, or
// nullopt when the sum leaves the amount range. apply() adds the same deltas in the same order.
std::optional<Amount> end_amount(Amount start, const std::vector<ExecutionDelta>& deltas,
                                 std::size_t first, Amount* change = nullptr) {
  std::optional<Amount> end = start;
  Amount total;
  const auto& key = deltas[first].position_key;
  for (std::size_t j = first; j < deltas.size() && end; ++j) {
    if (deltas[j].position_key != key) continue;
    end = checked_add(*end, deltas[j].delta_amount);
    auto moved = checked_add(total, deltas[j].delta_amount);
    if (!moved) return std::nullopt;
    total = *moved;
  }
  if (change) *change = total;
  return end;
}

bool first_occurrence(const std::vector<ExecutionDelta>& deltas, std::size_t i) {
  for (std::size_t j = 0; j < i; ++j)
    if (deltas[j].position_key == deltas[i].position_key) return false;
  return true;
}

}  // namespace

std::optional<Failure> PositionBook::open(const std::string& key, Amount initial_amount) {
  std::string why;
  auto parsed = parse_position_key(key, &why);
  if (!parsed) return Failure{ErrorCode::pos_malformed_key, why};
  const bool non_negative = is_non_negative(parsed->type);
  // A book that starts below zero would break the invariant every check relies on.
  if (non_negative && initial_amount.negative())
    return Failure{ErrorCode::pos_negative_balance, "position key '" + key +
                                                        "' cannot start negative (" +
                                                        format(initial_amount) + ")"};
  entries_[key] = Entry{initial_amount, non_negative};
  return std::nullopt;
}

std::optional<Amount> PositionBook::amount(const std::string& key) const {
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
  if (auto failure = check_range(deltas)) return failure;
  // Orders touch a handful of keys: a scan beats a map.
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    const auto& key = deltas[i].position_key;
    const auto& entry = entries_.find(key)->second;
    if (!entry.non_negative || !first_occurrence(deltas, i)) continue;
    Amount change;
    const auto end = end_amount(entry.amount, deltas, i, &change);
    // Only a decrease can break the floor: a deposit never fails.
    if (end && end->negative() && change.negative())
      return Failure{negative_code, "insufficient " + key + ": have " + format(entry.amount) +
                                        ", need " + format(-change)};
  }
  return std::nullopt;
}

std::optional<Failure> PositionBook::check_range(const std::vector<ExecutionDelta>& deltas) const {
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    const auto& key = deltas[i].position_key;
    auto it = entries_.find(key);
    if (it == entries_.end() || !first_occurrence(deltas, i)) continue;
    if (!end_amount(it->second.amount, deltas, i))
      return Failure{ErrorCode::ven_amount_overflow,
                     "the balance of " + key + " would leave the amount range (have " +
                         format(it->second.amount) + ")"};
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

bool PositionBook::adjust(const std::string& key, Amount delta_amount) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  auto adjusted = checked_add(it->second.amount, delta_amount);
  if (!adjusted) return false;
  it->second.amount = *adjusted;
  return true;
}

std::map<std::string, Amount> PositionBook::amounts(const std::vector<std::string>& keys) const {
  std::map<std::string, Amount> result;
  for (const auto& key : keys) {
    auto it = entries_.find(key);
    if (it != entries_.end()) result.emplace(key, it->second.amount);
  }
  return result;
}

PositionBook opening_positions(const BookConfig& book) {
  PositionBook positions;
  for (const auto& key : book.subscribed_keys) {
    auto initial = book.initial_positions.find(key);
    positions.open(key, initial == book.initial_positions.end() ? Amount{} : initial->second);
  }
  return positions;
}

std::map<std::string, Amount> PositionBook::snapshot() const {
  std::map<std::string, Amount> result;
  for (const auto& [key, entry] : entries_) result.emplace(key, entry.amount);
  return result;
}

}  // namespace tightloop
