// Order <-> JSON wire format (snake_case names, see /work/shared/SEMANTICS.md). Structural
// decoding only: ranges and what an operation needs are checked by order_validation.hpp.
#pragma once

#include <nlohmann/json.hpp>

#include "messages/failure.hpp"
#include "messages/json_number.hpp"
#include "messages/order.hpp"

namespace tightloop {

struct DecodedOrder {
  Order order;
  Failure failure;
  bool ok() const { return !failure.failed(); }
};

// Check order, so that the reported failure is deterministic (the first failure wins; later
// readable fields are still decoded, so a failed order keeps operation_id, book, venue, ...):
//   1. the value is not an object                          -> ORD-003, nothing else is read
//   2. unknown fields, the first in key (sorted) order      -> ORD-002
//   3. each known field in wire order: operation_id, book, venue, operation, pair, side, amount,
//      price, order_type, token_in, token_out, source_venue, target_venue, execution_mode,
//      atomic_group_id, sequence_in_group, slippage_tolerance, strategy_intent,
//      expected_deltas, metadata, timestamp.
//      Within a field: missing required -> ORD-001, wrong JSON type (null included, or an
//      empty string) -> ORD-003, an enum string that is not a known spelling -> ORD-004.
// `null` is a wrong type on every field: an optional field is left out. Enum spellings are
// case-sensitive ("BUY", not "buy"); an empty enum string is ORD-004. sequence_in_group must
// be a JSON integer (1.0 is rejected: a float is not an index). A field that fails keeps its
// default in `order`.
// Amounts (amount, price, slippage_tolerance, expected_deltas values) are exact decimals
// (amount_from_json): a JSON number or a JSON string holding a decimal ("0.1", as exchanges
// send them), read from its text. Another JSON type is ORD-003; a number or string that is not
// an exact decimal of at most 18 fractional digits within the range (NaN, "1e999",
// 0.0000000000000000001, "lots") is ORD-005 with parse_amount's reason. A binary64 node (a
// double put into a nlohmann::json by code; parse_json never makes one) is read from its
// shortest round-trip digits, as amount_from_json does.
DecodedOrder decode_order(const nlohmann::json& value);

// Wire names, only present fields: empty strings, absent optionals and an empty
// expected_deltas are left out; operation, amount, order_type and execution_mode are always
// written (they always have a value). Amounts are exact decimals (amount_json): raw number
// nodes by default, JSON strings with AmountStyle::strings; print the result with dump_json.
// metadata_json is parsed back (parse_json: its numbers keep their text); text that is not
// valid JSON is written as a JSON string rather than lost.
// encode_order(decode_order(x).order) == x for valid x read by parse_json, except that nulls
// and an empty expected_deltas disappear, a defaulted order_type/execution_mode appears, and
// amounts are written in their shortest form ("0.50" -> 0.5, "60000.0" -> 60000, a decimal
// string -> a number unless `style` asks for strings).
nlohmann::json encode_order(const Order& order, AmountStyle style = AmountStyle::numbers);

// docs/ORDER_FORMAT.md: the fields with their types, defaults and rules, the input policy, the
// operation_id rule (what `tightloop order-format` prints).
std::string order_format_markdown();

}  // namespace tightloop
