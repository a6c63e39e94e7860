#include "messages/order.hpp"

#include <array>

#include "messages/enum_names.hpp"

namespace tightloop {

namespace {

constexpr std::array<std::string_view, operation_count> operation_names{
    "spot_trade", "perp_trade", "supply",       "withdraw",    "borrow", "repay",
    "stake",      "unstake",    "swap",         "flash_borrow", "flash_repay", "transfer"};
constexpr std::array<std::string_view, 4> side_names{"BUY", "SELL", "LONG", "SHORT"};
constexpr std::array<std::string_view, 2> order_type_names{"market", "limit"};
constexpr std::array<std::string_view, 2> execution_mode_names{"sequential", "atomic"};

}  // namespace

std::string_view to_string(Operation op) { return name_of(operation_names, op); }
std::string_view to_string(Side side) { return name_of(side_names, side); }
std::string_view to_string(OrderType type) { return name_of(order_type_names, type); }
std::string_view to_string(ExecutionMode mode) { return name_of(execution_mode_names, mode); }

std::optional<Operation> parse_operation(std::string_view text) {
  return parse_name<Operation>(operation_names, text);
}
std::optional<Side> parse_side(std::string_view text) {
  return parse_name<Side>(side_names, text);
}
std::optional<OrderType> parse_order_type(std::string_view text) {
  return parse_name<OrderType>(order_type_names, text);
}
std::optional<ExecutionMode> parse_execution_mode(std::string_view text) {
  return parse_name<ExecutionMode>(execution_mode_names, text);
}

}  // namespace tightloop
