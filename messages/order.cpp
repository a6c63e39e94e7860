#include "messages/order.hpp"

#include <array>

namespace tightloop {

namespace {

constexpr std::array<std::string_view, operation_count> operation_names{
    "spot_trade", "perp_trade", "supply",       "withdraw",    "borrow", "repay",
    "stake",      "unstake",    "swap",         "flash_borrow", "flash_repay", "transfer"};
constexpr std::array<std::string_view, 4> side_names{"BUY", "SELL", "LONG", "SHORT"};
constexpr std::array<std::string_view, 2> order_type_names{"market", "limit"};
constexpr std::array<std::string_view, 2> execution_mode_names{"sequential", "atomic"};

template <class Enum, std::size_t N>
std::optional<Enum> parse_from(const std::array<std::string_view, N>& names,
                               std::string_view text) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Operation op) { return operation_names[static_cast<std::size_t>(op)]; }
std::string_view to_string(Side side) { return side_names[static_cast<std::size_t>(side)]; }
std::string_view to_string(OrderType type) {
  return order_type_names[static_cast<std::size_t>(type)];
}
std::string_view to_string(ExecutionMode mode) {
  return execution_mode_names[static_cast<std::size_t>(mode)];
}

std::optional<Operation> parse_operation(std::string_view text) {
  return parse_from<Operation>(operation_names, text);
}
std::optional<Side> parse_side(std::string_view text) {
  return parse_from<Side>(side_names, text);
}
std::optional<OrderType> parse_order_type(std::string_view text) {
  return parse_from<OrderType>(order_type_names, text);
}
std::optional<ExecutionMode> parse_execution_mode(std::string_view text) {
  return parse_from<ExecutionMode>(execution_mode_names, text);
}

}  // namespace tightloop
