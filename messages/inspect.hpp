// CAF serialization of the message types: every inspect() overload of messages/, in one place,
// so that the value-type headers (and the public API that includes them, runtime/runtime.hpp)
// name no CAF. Only CAF's light meta headers here, not the library. Included by
// actors/caf_aliases.hpp, so every translation unit that uses CAF sees these overloads before
// it instantiates anything with a message type (ADL finds them in namespace tightloop); a file
// that serializes a message without the actors (a test with caf::binary_serializer) includes
// this header itself. scripts/check-public-headers (ctest) fails if another messages/ header
// includes a caf/ header.
#pragma once

#include <cstdint>
#include <optional>

#include "caf/error.hpp"
#include "caf/meta/load_callback.hpp"
#include "caf/meta/type_name.hpp"
#include "messages/amount.hpp"
#include "messages/apply_outcome.hpp"
#include "messages/book_status.hpp"
#include "messages/book_stream.hpp"
#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/failure.hpp"
#include "messages/fault_spec.hpp"
#include "messages/market_data.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"
#include "messages/settlement.hpp"
#include "messages/valuation.hpp"

namespace tightloop {

// CAF 0.17 cannot serialize std::optional. A field is written as a presence flag plus a value
// and rebuilt after loading.
template <class T>
struct OptionalField {
  std::optional<T>& ref;
};

template <class T>
OptionalField<T> optional_field(std::optional<T>& ref) {
  return {ref};
}

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, OptionalField<T>& x) {
  bool present = x.ref.has_value();
  T value = present ? *x.ref : T{};
  auto rebuild = [&]() -> caf::error {
    if (present)
      x.ref = value;
    else
      x.ref.reset();
    return caf::none;
  };
  return f(caf::meta::type_name("optional"), present, value, caf::meta::load_callback(rebuild));
}

// Amount: the 128-bit count as two 64-bit halves, rebuilt after loading.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Amount& x) {
  using U128 = unsigned __int128;
  const auto bits = static_cast<U128>(x.raw());
  auto high = static_cast<std::uint64_t>(bits >> 64);
  auto low = static_cast<std::uint64_t>(bits);
  auto rebuild = [&]() -> caf::error {
    x = Amount::from_raw(static_cast<Amount::Raw>((U128{high} << 64) | low));
    return caf::none;
  };
  return f(caf::meta::type_name("Amount"), high, low, caf::meta::load_callback(rebuild));
}

// messages/failure.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Failure& x) {
  return f(caf::meta::type_name("Failure"), x.code, x.message);
}

// messages/order.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Order& x) {
  return f(caf::meta::type_name("Order"), x.operation_id, x.book, x.venue, x.operation, x.pair,
           optional_field(x.side), x.amount, optional_field(x.price), x.order_type, x.token_in,
           x.token_out, x.source_venue, x.target_venue, x.execution_mode, x.atomic_group_id,
           optional_field(x.sequence_in_group), optional_field(x.slippage_tolerance),
           x.strategy_intent, x.expected_deltas, x.metadata_json, x.timestamp, x.ingress_failure);
}

// messages/execution_delta.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ExecutionDelta& x) {
  return f(caf::meta::type_name("ExecutionDelta"), x.position_key, x.delta_amount, x.source,
           optional_field(x.price), x.fee, x.operation_id);
}

// messages/execution_handshake.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ExecutionHandshake& x) {
  return f(caf::meta::type_name("ExecutionHandshake"), x.order, x.status, x.trade_id,
           x.executed_amount, optional_field(x.executed_price), x.position_deltas, x.fee_amount,
           x.fee_currency, x.fee_venue, x.error_code, x.error_message, x.in_doubt,
           x.reported_balances);
}

// messages/fault_spec.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, FaultSpec& x) {
  return f(caf::meta::type_name("FaultSpec"), x.kind, x.operation_id,
           optional_field(x.operation), x.every_nth, x.times, x.message, x.fill_ratio,
           x.report_error, x.stale_queries, x.delay_ms, x.applied);
}

// messages/market_data.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LendingIndex& x) {
  return f(caf::meta::type_name("LendingIndex"), x.liquidity_index, x.borrow_index);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, MarketData& x) {
  return f(caf::meta::type_name("MarketData"), x.prices, x.indices, x.staking_rates,
           x.funding_rates, x.timestamp);
}

// messages/valuation.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, PositionValue& x) {
  return f(caf::meta::type_name("PositionValue"), x.value, optional_field(x.underlying),
           optional_field(x.entry_price), optional_field(x.mark_price),
           optional_field(x.unrealised_pnl));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Valuation& x) {
  return f(caf::meta::type_name("Valuation"), x.positions, x.unpriced, optional_field(x.nav));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, BookValuation& x) {
  return f(caf::meta::type_name("BookValuation"), x.expected, optional_field(x.venue));
}

// messages/order_result.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, KeyMismatch& x) {
  return f(caf::meta::type_name("KeyMismatch"), x.position_key, x.expected,
           optional_field(x.reported));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Reconciliation& x) {
  return f(caf::meta::type_name("Reconciliation"), x.outcome, x.attempts, x.mismatches,
           x.backoff_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RefreshResult& x) {
  return f(caf::meta::type_name("RefreshResult"), x.deltas, x.failure);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ExpectedDeltasCheck& x) {
  return f(caf::meta::type_name("ExpectedDeltasCheck"), x.checked, x.mismatches);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, OrderResult& x) {
  return f(caf::meta::type_name("OrderResult"), x.handshake, x.deltas, x.reconciliation,
           x.expected_deltas_check);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, HaltInfo& x) {
  return f(caf::meta::type_name("HaltInfo"), x.halted, x.code, x.reason, x.mismatches);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, BookPositions& x) {
  return f(caf::meta::type_name("BookPositions"), x.amounts, x.entry_prices);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, BookResult& x) {
  return f(caf::meta::type_name("BookResult"), x.book, x.results, x.positions, x.entry_prices,
           x.valuation, x.halt);
}

// messages/apply_outcome.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ApplyOutcome& x) {
  return f(caf::meta::type_name("ApplyOutcome"), x.failure, x.values);
}

// messages/settlement.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Settlement& x) {
  return f(caf::meta::type_name("Settlement"), x.deltas, x.failure);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LegsResult& x) {
  return f(caf::meta::type_name("LegsResult"), x.failure, x.balances);
}

// messages/book_status.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, BookStatus& x) {
  return f(caf::meta::type_name("BookStatus"), x.book, x.halt, x.dead_venues);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ResumeResult& x) {
  return f(caf::meta::type_name("ResumeResult"), x.resumed, x.failure, x.mismatches,
           x.restarted_venues);
}

// messages/book_stream.hpp

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, StreamEntry& x) {
  return f(caf::meta::type_name("StreamEntry"), x.kind, x.order, x.market);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, StreamEntryResult& x) {
  return f(caf::meta::type_name("StreamEntryResult"), x.order, x.refresh);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, StreamResult& x) {
  return f(caf::meta::type_name("StreamResult"), x.entries, x.book);
}

}  // namespace tightloop
