#include "actors/venues/fault_injector.hpp"

#include <utility>

namespace tightloop {

FaultInjector::FaultInjector(std::vector<FaultSpec> faults) {
  for (auto& fault : faults) add(std::move(fault));
}

void FaultInjector::add(FaultSpec fault) { faults_.push_back({std::move(fault), 0}); }

void FaultInjector::clear() { faults_.clear(); }

bool FaultInjector::matches(const FaultSpec& fault, const Order& order) const {
  bool has_target = false;
  if (!fault.operation_id.empty()) {
    has_target = true;
    if (order.operation_id != fault.operation_id) return false;
  }
  if (fault.operation) {
    has_target = true;
    if (order.operation != *fault.operation) return false;
  }
  if (fault.every_nth > 0) {
    has_target = true;
    if (orders_seen_ % fault.every_nth != 0) return false;
  }
  return has_target;
}

std::vector<FaultSpec> FaultInjector::on_order(const Order& order) {
  ++orders_seen_;
  std::vector<FaultSpec> firing;
  for (auto& armed : faults_) {
    bool exhausted = armed.spec.times > 0 && armed.fired >= armed.spec.times;
    if (exhausted || !matches(armed.spec, order)) continue;
    ++armed.fired;
    firing.push_back(armed.spec);
  }
  return firing;
}

Order partially_filled(const Order& order, Amount fill_ratio) {
  Order partial = order;
  partial.amount = mul(order.amount, fill_ratio, Rounding::down);
  return partial;
}

void misreport(ExecutionHandshake& handshake, Amount report_error) {
  const Amount factor = Amount::units(1) + report_error;
  try {
    ExecutionHandshake wrong = handshake;
    for (auto& entry : wrong.position_deltas)
      entry.second = mul(entry.second, factor, Rounding::half_even);
    wrong.fee_amount = mul(wrong.fee_amount, factor, Rounding::half_even);
    handshake = std::move(wrong);
  } catch (const AmountOverflow&) {
    // A misstatement that leaves the range is not made: the report stays true.
  }
}

void StaleBalances::arm(std::map<std::string, Amount> before, std::uint32_t queries) {
  before_ = std::move(before);
  queries_left_ = queries;
  if (queries_left_ == 0) before_.clear();
}

std::optional<std::map<std::string, Amount>> StaleBalances::answer(
    const std::vector<std::string>& keys, const std::map<std::string, Amount>& current) {
  if (!armed()) return std::nullopt;
  std::map<std::string, Amount> result;
  for (const auto& key : keys) {
    if (auto old = before_.find(key); old != before_.end())
      result.emplace(key, old->second);
    else if (auto now = current.find(key); now != current.end())
      result.emplace(key, now->second);
  }
  if (--queries_left_ == 0) before_.clear();
  return result;
}

}  // namespace tightloop
