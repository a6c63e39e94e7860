#include "bench/direct_book.hpp"

#include <chrono>

#include "actors/position/delta_conversion.hpp"
#include "config/supported_operations.hpp"
#include "bench/bench_config.hpp"
#include "actors/position/admission.hpp"

namespace tightloop::bench {

namespace {

using Clock = std::chrono::steady_clock;

OrderResult failed(const Order& order, ErrorCode code, std::string message) {
  OrderResult result;
  result.handshake = failed_handshake(order, code, std::move(message));
  return result;
}

// What counts as a failure in a benchmark run: anything but executed and reconciled.
bool succeeded(const OrderResult& result) {
  return result.handshake.status == HandshakeStatus::executed &&
         result.reconciliation.outcome == ReconciliationOutcome::matched;
}

}  // namespace

DirectBook::DirectBook(const Config& config, const BookConfig& book)
    : venues_(config, book, nullptr), positions_(opening_positions(book)), book_(book.name) {
  for (const auto& venue : config.venues) kinds_.emplace(venue.name, venue.kind);
  tolerance_ = {config.reconciliation.absolute_tolerance,
                config.reconciliation.relative_tolerance};
}

void DirectBook::mark(std::vector<std::int64_t> StageTimes::*stage) {
  if (!stages_) return;
  const auto now = Clock::now();
  (stages_->*stage).push_back((now - stage_start_).count());
  stage_start_ = now;
}

OrderResult DirectBook::execute(const Order& order) {
  if (stages_) stage_start_ = Clock::now();
  // execution manager: the same admission and operation_id rule as the actor
  auto refusal = admit(order, used_operation_ids_, book_);
  OrderResult result =
      refusal ? failed(order, refusal->code, refusal->message) : route_and_apply(order);
  if (claims_operation_id(result.handshake)) used_operation_ids_.insert(order.operation_id);
  return result;
}

OrderResult DirectBook::route_and_apply(const Order& order) {
  // venue interface manager
  auto kind = kinds_.find(order.venue);
  if (kind == kinds_.end()) return failed(order, ErrorCode::vim_unknown_venue, "unknown venue");
  if (!kind_supports(kind->second, order.operation))
    return failed(order, ErrorCode::vim_unsupported_operation, "unsupported operation");
  mark(&StageTimes::admit_route_ns);
  // venue (+ remote ledger)
  OrderResult result;
  result.handshake = venues_.execute(order);
  mark(&StageTimes::venue_ns);
  if (result.handshake.status != HandshakeStatus::executed) return result;
  // position update handler -> monitor, venues, compare
  result.deltas = to_execution_deltas(result.handshake);
  const auto keys = touched_keys(result.deltas);
  result.reconciliation.attempts = 1;
  if (auto failure = positions_.check(result.deltas, ErrorCode::pos_negative_balance)) {
    result.reconciliation.outcome = ReconciliationOutcome::mismatch;
    result.handshake.status = HandshakeStatus::failed;
    result.handshake.error_code = failure->code;
    result.handshake.error_message = failure->message;
    return result;
  }
  positions_.apply(result.deltas);
  const auto expected = positions_.amounts(keys);
  mark(&StageTimes::apply_ns);
  // As the actors do on the first comparison: the balances the venues sent with the handshake.
  const auto& reported = result.handshake.reported_balances;
  result.reconciliation.mismatches = compare_balances(expected, reported, tolerance_);
  result.reconciliation.outcome = result.reconciliation.mismatches.empty()
                                      ? ReconciliationOutcome::matched
                                      : ReconciliationOutcome::mismatch;
  mark(&StageTimes::compare_ns);
  return result;
}

DirectRun run_direct(const Config& config, std::size_t orders, std::size_t warmup,
                     StageTimes* stages) {
  DirectBook book(config, config.books.at(0));
  auto warmup_orders = make_orders(warmup, 0);
  for (const auto& order : warmup_orders) book.execute(order);
  book.time_stages(stages);
  auto timed = make_orders(orders, warmup);

  DirectRun run;
  run.orders = orders;
  run.latencies_ns.reserve(orders);
  const auto start = Clock::now();
  auto before = start;
  for (const auto& order : timed) {
    auto result = book.execute(order);
    const auto after = Clock::now();
    run.latencies_ns.push_back((after - before).count());
    before = after;
    if (!succeeded(result) && run.failures++ == 0)
      run.first_failure = order.operation_id + ": " + result.handshake.error_message;
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return run;
}

}  // namespace tightloop::bench
