#include "messages/order_validation.hpp"

#include <algorithm>

#include "messages/position_key.hpp"

namespace tightloop {

namespace {

Failure out_of_range(std::string message) {
  return Failure{ErrorCode::ord_out_of_range, std::move(message)};
}

Failure needs(std::string message) {
  return Failure{ErrorCode::ord_missing_operation_field, std::move(message)};
}

std::optional<Failure> check_required(const Order& order) {
  if (order.operation_id.empty())
    return Failure{ErrorCode::ord_missing_field, "operation_id is required"};
  if (order.venue.empty()) return Failure{ErrorCode::ord_missing_field, "venue is required"};
  return std::nullopt;
}

std::optional<Failure> check_positive(const char* name, Amount value) {
  if (value.sign() <= 0)
    return out_of_range(std::string(name) + " must be > 0 (got " + format(value) + ")");
  return std::nullopt;
}

std::optional<Failure> check_ranges(const Order& order) {
  if (auto failure = check_positive("amount", order.amount)) return failure;
  if (order.price) {
    if (auto failure = check_positive("price", *order.price)) return failure;
  }
  if (order.slippage_tolerance) {
    const Amount tolerance = *order.slippage_tolerance;
    if (tolerance.negative() || tolerance >= Amount::units(1))
      return out_of_range("slippage_tolerance must be in [0, 1) (got " + format(tolerance) + ")");
  }
  if (order.sequence_in_group && *order.sequence_in_group < 0)
    return out_of_range("sequence_in_group must be >= 0 (got " +
                        std::to_string(*order.sequence_in_group) + ")");
  return std::nullopt;
}

bool is_base_quote(const std::string& pair) {
  const auto slash = pair.find('/');
  if (slash == std::string::npos) return false;
  const std::string_view text(pair);
  return is_symbol(text.substr(0, slash)) && is_symbol(text.substr(slash + 1));
}

std::optional<Failure> check_trade(const Order& order, Side first, Side second,
                                   const char* direction) {
  const std::string op(to_string(order.operation));
  const std::string sides = std::string(to_string(first)) + " or " + std::string(to_string(second));
  if (order.pair.empty()) return needs(op + " needs pair (BASE/QUOTE, the market traded)");
  if (!is_base_quote(order.pair))
    return needs(op + " needs pair as BASE/QUOTE, two symbols (letters, digits, '.', '_') " +
                 "around one '/' (got '" + order.pair + "')");
  if (!order.side) return needs(op + " needs side " + sides + " (" + direction + ")");
  if (*order.side != first && *order.side != second)
    return needs(op + " needs side " + sides + " (got " + std::string(to_string(*order.side)) +
                 ")");
  return std::nullopt;
}

std::optional<Failure> check_token(const Order& order, const char* field,
                                    const std::string& token, const char* why) {
  const std::string op(to_string(order.operation));
  if (token.empty()) return needs(op + " needs " + field + " (" + why + ")");
  if (!is_symbol(token))
    return needs(op + " needs " + field + " as a symbol: letters, digits, '.', '_' (got '" +
                 token + "')");
  return std::nullopt;
}

std::optional<Failure> check_token_in(const Order& order, const char* why) {
  return check_token(order, "token_in", order.token_in, why);
}

std::optional<Failure> check_token_out(const Order& order, const char* why) {
  return check_token(order, "token_out", order.token_out, why);
}

std::optional<Failure> check_swap(const Order& order) {
  if (auto failure = check_token_in(order, "the asset sold")) return failure;
  if (auto failure = check_token_out(order, "the asset bought")) return failure;
  if (order.token_in == order.token_out)
    return needs("swap needs token_in and token_out to differ (both are '" + order.token_in + "')");
  return std::nullopt;
}

std::optional<Failure> check_transfer(const Order& order) {
  if (auto failure = check_token_in(order, "the asset sent")) return failure;
  if (order.target_venue.empty())
    return needs("transfer needs target_venue (the venue receiving the asset)");
  if (order.target_venue == order.venue)
    return needs("transfer needs target_venue different from venue (both are '" + order.venue +
                 "')");
  if (!order.source_venue.empty() && order.source_venue != order.venue)
    return needs("transfer needs source_venue empty or equal to venue, the sender (got '" +
                 order.source_venue + "', venue '" + order.venue + "')");
  return std::nullopt;
}

std::optional<Failure> check_operation_needs(const Order& order) {
  constexpr const char* into_venue = "the asset going into the venue";
  constexpr const char* out_of_venue = "the asset coming out of the venue";
  switch (order.operation) {
    case Operation::spot_trade:
      return check_trade(order, Side::buy, Side::sell, "the direction of the trade");
    case Operation::perp_trade:
      return check_trade(order, Side::long_, Side::short_, "the direction of the position");
    case Operation::supply:
    case Operation::repay:
    case Operation::stake:
    case Operation::flash_repay:
      return check_token_in(order, into_venue);
    case Operation::unstake:
      return check_token_in(order, "the LST going into the staking venue");
    case Operation::withdraw:
    case Operation::borrow:
    case Operation::flash_borrow:
      return check_token_out(order, out_of_venue);
    case Operation::swap:
      return check_swap(order);
    case Operation::transfer:
      return check_transfer(order);
  }
  return std::nullopt;
}

std::optional<Failure> check_limit(const Order& order) {
  if (order.order_type == OrderType::limit && !order.price)
    return needs("a limit order needs price (the worst acceptable fill price)");
  // A price the venue would ignore is a protection the strategy believes it has.
  if (order.order_type == OrderType::market && order.price)
    return needs("a market order takes no price (it fills at the venue's price): use "
                 "order_type limit to bound the fill, or leave price out");
  return std::nullopt;
}

std::optional<Failure> check_group(const Order& order) {
  auto bad_group = [](std::string message) {
    return Failure{ErrorCode::ord_bad_group, std::move(message)};
  };
  const bool atomic = order.execution_mode == ExecutionMode::atomic;
  const bool grouped = !order.atomic_group_id.empty();
  if (atomic && !grouped)
    return bad_group("execution_mode atomic needs atomic_group_id (the group to run with)");
  if (grouped && !atomic)
    return bad_group("atomic_group_id '" + order.atomic_group_id + "' needs execution_mode atomic");
  if (order.sequence_in_group && !grouped)
    return bad_group("sequence_in_group needs atomic_group_id (it orders members of a group)");
  const bool flash =
      order.operation == Operation::flash_borrow || order.operation == Operation::flash_repay;
  if (flash && !grouped)
    return bad_group(std::string(to_string(order.operation)) +
                     " is only valid inside an atomic group (the loan must be repaid in the same "
                     "transaction)");
  return std::nullopt;
}

}  // namespace

std::optional<Failure> validate_order(const Order& order) {
  if (auto failure = check_required(order)) return failure;
  if (auto failure = check_ranges(order)) return failure;
  if (auto failure = check_operation_needs(order)) return failure;
  if (auto failure = check_limit(order)) return failure;
  return check_group(order);
}

}  // namespace tightloop
