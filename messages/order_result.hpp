// What a book reports per order and per batch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"

namespace tightloop {

enum class ReconciliationOutcome : std::uint8_t { not_run, matched, mismatch };

std::string_view to_string(ReconciliationOutcome outcome);

struct KeyMismatch {
  std::string position_key;
  double expected = 0.0;  // the position monitor's view
  double reported = 0.0;  // what the venue reports
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, KeyMismatch& x) {
  return f(caf::meta::type_name("KeyMismatch"), x.position_key, x.expected, x.reported);
}

struct Reconciliation {
  ReconciliationOutcome outcome = ReconciliationOutcome::not_run;
  std::uint32_t attempts = 0;
  std::vector<KeyMismatch> mismatches;  // of the last attempt
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Reconciliation& x) {
  return f(caf::meta::type_name("Reconciliation"), x.outcome, x.attempts, x.mismatches);
}

struct OrderResult {
  ExecutionHandshake handshake;
  std::vector<ExecutionDelta> deltas;  // what was applied to the position monitor
  Reconciliation reconciliation;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, OrderResult& x) {
  return f(caf::meta::type_name("OrderResult"), x.handshake, x.deltas, x.reconciliation);
}

struct BookResult {
  std::string book;
  std::vector<OrderResult> results;  // in submission order
  std::map<std::string, double> positions;
  bool halted = false;
  ErrorCode halt_code = ErrorCode::none;
  std::string halt_reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, BookResult& x) {
  return f(caf::meta::type_name("BookResult"), x.book, x.results, x.positions, x.halted,
           x.halt_code, x.halt_reason);
}

}  // namespace tightloop
