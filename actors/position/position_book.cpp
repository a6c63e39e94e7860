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
  entries_[key] = Entry{initial_amount, non_negative, parsed->type == PositionType::Perp, {}};
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
    if (it == entries_.end()) continue;
    auto& entry = it->second;
    // A trade without an entry on record (a size moved only out of band) takes its own price
    // as the entry of what was there: no PnL is invented.
    if (entry.perp && delta.price && delta.source == DeltaSource::trade)
      entry.entry_price = perp_entry_after(entry.amount, entry.entry_price.value_or(*delta.price),
                                           delta.delta_amount, *delta.price);
    entry.amount += delta.delta_amount;
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
  if (adjusted->is_zero()) it->second.entry_price.reset();
  return true;
}

std::optional<Amount> PositionBook::entry_price(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.entry_price;
}

bool PositionBook::set_entry_price(const std::string& key, Amount price) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.perp) return false;
  it->second.entry_price = price;
  return true;
}

std::map<std::string, Amount> PositionBook::entry_prices() const {
  std::map<std::string, Amount> result;
  for (const auto& [key, entry] : entries_)
    if (entry.entry_price) result.emplace(key, *entry.entry_price);
  return result;
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
  for (const auto& [key, price] : book.entry_prices) positions.set_entry_price(key, price);
  return positions;
}

std::optional<Amount> perp_entry_after(Amount size, Amount entry, Amount signed_fill,
                                       Amount price) {
  const Amount old_abs = size.abs();
  const Amount q = signed_fill.abs();
  if (size.is_zero()) return q.is_zero() ? std::nullopt : std::optional<Amount>(price);
  if (size.negative() == signed_fill.negative())
    return div(mul(old_abs, entry, Rounding::half_even) + mul(q, price, Rounding::half_even),
               old_abs + q, Rounding::half_even);
  if (q < old_abs) return entry;
  if (q > old_abs) return price;
  return std::nullopt;
}

std::optional<Amount> perp_realised_pnl(Amount size, Amount entry, Amount signed_fill,
                                        Amount price) {
  if (size.is_zero() || size.negative() == signed_fill.negative()) return std::nullopt;
  const Amount closed = std::min(signed_fill.abs(), size.abs());
  return size.negative() ? mul(closed, entry - price, Rounding::floor)
                         : mul(closed, price - entry, Rounding::floor);
}

std::map<std::string, Amount> PositionBook::snapshot() const {
  std::map<std::string, Amount> result;
  for (const auto& [key, entry] : entries_) result.emplace(key, entry.amount);
  return result;
}

}  // namespace tightloop
