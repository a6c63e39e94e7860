// What a book reports per order and per batch.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/amount.hpp"
#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/failure.hpp"
#include "messages/valuation.hpp"

namespace tightloop {

enum class ReconciliationOutcome : std::uint8_t { not_run, matched, mismatch };

std::string_view to_string(ReconciliationOutcome outcome);

struct KeyMismatch {
  std::string position_key;
  Amount expected;                 // the position monitor's view
  std::optional<Amount> reported;  // what the venue reports; empty: it does not report the key
};

struct Reconciliation {
  ReconciliationOutcome outcome = ReconciliationOutcome::not_run;
  std::uint32_t attempts = 0;
  std::vector<KeyMismatch> mismatches;  // of the last attempt
  std::vector<std::int64_t> backoff_ms;  // the wait before each retry, in order
};

// What position_refresh applied for one book.
struct RefreshResult {
  std::vector<ExecutionDelta> deltas;  // settlements, each with its source
  Failure failure;                     // e.g. EM-004 when the book is halted
};

// The order's expected_deltas against what it did (informational: the order's status does not
// change). Checked only for an order that executed and named expected_deltas.
struct ExpectedDeltasCheck {
  bool checked = false;
  // Keys whose summed net delta differs from the expectation beyond the book's tolerance;
  // `expected` is the order's figure, `reported` the actual net delta (0 for a key not moved).
  std::vector<KeyMismatch> mismatches;
};

struct OrderResult {
  ExecutionHandshake handshake;
  std::vector<ExecutionDelta> deltas;  // what was applied to the position monitor
  Reconciliation reconciliation;
  ExpectedDeltasCheck expected_deltas_check;
};

// Whether and why a book is halted: one value that the execution manager keeps, the
// supervisor reports and a batch's result carries.
struct HaltInfo {
  bool halted = false;
  ErrorCode code = ErrorCode::none;
  std::string reason;
  std::vector<KeyMismatch> mismatches;  // when a reconciliation mismatch halted the book
};

// A book's positions as the monitor holds them.
struct BookPositions {
  std::map<std::string, Amount> amounts;
  std::map<std::string, Amount> entry_prices;  // perp key -> average entry, open perps only
};

struct BookResult {
  std::string book;
  std::vector<OrderResult> results;  // in submission order
  std::map<std::string, Amount> positions;
  std::map<std::string, Amount> entry_prices;  // perp key -> average entry, open perps only
  BookValuation valuation;  // at the market the book saw last
  HaltInfo halt;
};

}  // namespace tightloop
