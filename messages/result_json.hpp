// Results as JSON: what the runtime writes per order and per book. Fixed shape: every key is
// always present; empty strings, absent optionals and ErrorCode::none are null. Doubles go
// through wire_double (no "-0.0"). nlohmann::json sorts object keys, so the same result always
// gives byte-identical text.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

// position_key, delta_amount, source, price, fee, operation_id
nlohmann::json encode_delta(const ExecutionDelta& delta);

// operation_id and book (from the order), order (encode_order), status, trade_id,
// executed_amount, executed_price, position_deltas, fee_amount, fee_currency, fee_venue,
// error_code ("ORD-001"), error_message, timestamp, in_doubt
nlohmann::json encode_handshake(const ExecutionHandshake& handshake);

// {"outcome", "attempts", "mismatches": [{"position_key", "expected", "reported"}],
//  "backoff_ms": [waits before attempts 2, 3, ...]}
nlohmann::json encode_reconciliation(const Reconciliation& reconciliation);

// The handshake's fields plus "deltas" and "reconciliation".
nlohmann::json encode_order_result(const OrderResult& result);

// position key -> amount
nlohmann::json encode_positions(const std::map<std::string, double>& positions);

}  // namespace tightloop
