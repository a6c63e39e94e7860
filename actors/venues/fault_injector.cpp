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

Order partially_filled(const Order& order, double fill_ratio) {
  Order partial = order;
  partial.amount = order.amount * fill_ratio;
  return partial;
}

void misreport(ExecutionHandshake& handshake, double report_error) {
  const double factor = 1.0 + report_error;
  for (auto& entry : handshake.position_deltas) entry.second *= factor;
  handshake.fee_amount *= factor;
}

void StaleBalances::arm(std::map<std::string, double> before, std::uint32_t queries) {
  before_ = std::move(before);
  queries_left_ = queries;
  if (queries_left_ == 0) before_.clear();
}

std::optional<std::map<std::string, double>> StaleBalances::answer(
    const std::vector<std::string>& keys, const std::map<std::string, double>& current) {
  if (!armed()) return std::nullopt;
  std::map<std::string, double> result;
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
