// Order: what a strategy asks a venue to do. Plain data; JSON lives in order_json.hpp,
// the semantic checks in order_validation.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "messages/amount.hpp"
#include "messages/failure.hpp"

namespace tightloop {

enum class Operation : std::uint8_t {
  spot_trade,
  perp_trade,
  supply,
  withdraw,
  borrow,
  repay,
  stake,
  unstake,
  swap,
  flash_borrow,
  flash_repay,
  transfer,
};
inline constexpr int operation_count = 12;

// Wire spelling: BUY, SELL, LONG, SHORT.
enum class Side : std::uint8_t { buy, sell, long_, short_ };
enum class OrderType : std::uint8_t { market, limit };
enum class ExecutionMode : std::uint8_t { sequential, atomic };

std::string_view to_string(Operation op);
std::string_view to_string(Side side);
std::string_view to_string(OrderType type);
std::string_view to_string(ExecutionMode mode);
std::optional<Operation> parse_operation(std::string_view text);
std::optional<Side> parse_side(std::string_view text);
std::optional<OrderType> parse_order_type(std::string_view text);
std::optional<ExecutionMode> parse_execution_mode(std::string_view text);

// String fields are empty when absent (the decoder rejects empty strings), so only numbers
// and enums need std::optional.
struct Order {
  std::string operation_id;  // idempotency key, unique per book
  std::string book;          // empty: the only configured book
  std::string venue;
  Operation operation = Operation::spot_trade;
  std::string pair;  // "BASE/QUOTE" for spot_trade and perp_trade
  std::optional<Side> side;
  Amount amount;
  std::optional<Amount> price;  // limit price (quote per base)
  OrderType order_type = OrderType::market;
  std::string token_in;   // asset entering the venue (sold, supplied, repaid, staked, sent)
  std::string token_out;  // asset leaving the venue (bought, withdrawn, borrowed)
  std::string source_venue;
  std::string target_venue;
  ExecutionMode execution_mode = ExecutionMode::sequential;
  std::string atomic_group_id;
  std::optional<std::int64_t> sequence_in_group;
  std::optional<Amount> slippage_tolerance;  // fraction, 0.005 = 0.5 %
  std::string strategy_intent;
  std::map<std::string, Amount> expected_deltas;  // informational, echoed
  std::string metadata_json;  // compact JSON text of the free `metadata` object
  std::string timestamp;      // from the input, passed through verbatim
  // Not on the wire: set at ingress when decoding refused the order (or its atomic group's
  // shape is broken). The book still sees it, so that it claims its operation_id and fails its
  // atomic group like any other refusal, and answers with this failure; nothing executes.
  Failure ingress_failure;
};

}  // namespace tightloop
