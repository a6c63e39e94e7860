// Results as JSON: what the runtime writes per order and per book. Fixed shape: every key is
// always present; empty strings, absent optionals and ErrorCode::none are null. Amounts are
// exact decimals in their shortest form (amount_json: `0.6`, `3030.015`, `60000`, never a
// binary64 and never "-0"): JSON numbers by default (raw number nodes), JSON strings with
// AmountStyle::strings for clients whose parser would read a number into a binary64. Write the
// documents with dump_json (json_number.hpp), which prints raw numbers as their text;
// nlohmann::json sorts object keys, so the same result always gives byte-identical text.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/json_number.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

// position_key, delta_amount, source, price, fee, operation_id
nlohmann::json encode_delta(const ExecutionDelta& delta, AmountStyle style = AmountStyle::numbers);

// operation_id and book (from the order), order (encode_order), status, trade_id,
// executed_amount, executed_price, position_deltas, fee_amount, fee_currency, fee_venue,
// error_code ("ORD-001"), error_message, timestamp, in_doubt
nlohmann::json encode_handshake(const ExecutionHandshake& handshake,
                                AmountStyle style = AmountStyle::numbers);

// [{"position_key", "expected", <reported_name>}], one per mismatch: a halt's and a
// reconciliation's name the venue's figure "reported", an expected_deltas_check "actual".
nlohmann::json encode_mismatches(const std::vector<KeyMismatch>& mismatches,
                                 const char* reported_name,
                                 AmountStyle style = AmountStyle::numbers);

// {"outcome", "attempts", "mismatches": [{"position_key", "expected", "reported"}],
//  "backoff_ms": [waits before attempts 2, 3, ...]}
nlohmann::json encode_reconciliation(const Reconciliation& reconciliation,
                                     AmountStyle style = AmountStyle::numbers);

// The handshake's fields plus "deltas", "reconciliation" and "expected_deltas_check" (null, or
// {"outcome": "matched" | "mismatch", "mismatches": [{"position_key", "expected", "actual"}]}).
nlohmann::json encode_order_result(const OrderResult& result,
                                   AmountStyle style = AmountStyle::numbers);

// position key -> amount
nlohmann::json encode_positions(const std::map<std::string, Amount>& positions,
                                AmountStyle style = AmountStyle::numbers);

// A position_refresh's answer for one book: {"deltas": [...], "error_code", "error_message"}
// (both null unless it failed).
nlohmann::json encode_refresh(const RefreshResult& refresh,
                              AmountStyle style = AmountStyle::numbers);

// Why a book halted: {"code", "reason", "mismatches": [{"position_key", "expected",
// "reported"}]}.
nlohmann::json encode_halt(const HaltInfo& halt, AmountStyle style = AmountStyle::numbers);

// {"expected": V, "venue": V (on a halt only)}, V = {"nav": amount | null, "positions": {key:
// {"value", and "underlying" for aToken/debtToken, "entry_price", "mark_price",
// "unrealised_pnl" for a perp (null when unknown)}}, "unpriced": {key: reason}}.
nlohmann::json encode_valuation(const BookValuation& valuation,
                                AmountStyle style = AmountStyle::numbers);

}  // namespace tightloop
