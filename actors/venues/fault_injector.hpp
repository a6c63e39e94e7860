// Switchable venue faults as plain logic: which faults hit an order, and the pure transformations
// the venue actor applies for them. No actors here, so tests call it directly. What each fault
// kind means: messages/fault_spec.hpp and config/README.md ("Faults").
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "messages/execution_handshake.hpp"
#include "messages/fault_spec.hpp"
#include "messages/order.hpp"

namespace tightloop {

class FaultInjector {
 public:
  explicit FaultInjector(std::vector<FaultSpec> faults = {});

  void add(FaultSpec fault);
  // Removes every fault; the order count goes on (every_nth keeps counting from the venue's
  // first order, not from the clear).
  void clear();

  // Called once for every order the venue receives, in arrival order. Counts the order, then
  // returns the faults firing for it, in the order they were added, each as it was added.
  // A fault fires when every target it sets matches (config sets exactly one) and it has fired
  // fewer than `times` times (0: unlimited). A fault with no target never fires.
  std::vector<FaultSpec> on_order(const Order& order);

  std::size_t orders_seen() const { return orders_seen_; }

 private:
  struct Armed {
    FaultSpec spec;
    std::uint32_t fired = 0;
  };
  bool matches(const FaultSpec& fault, const Order& order) const;

  std::vector<Armed> faults_;
  std::size_t orders_seen_ = 0;
};

// The order with amount * fill_ratio; everything else unchanged.
Order partially_filled(const Order& order, Amount fill_ratio);

// Every position_deltas value and fee_amount multiplied by (1 + report_error).
void misreport(ExecutionHandshake& handshake, Amount report_error);

// Remembers balances as they were before an order and answers the next N balance queries with
// them, so that reconciliation sees a venue lagging behind its own ledger.
class StaleBalances {
 public:
  // Replaces any armed view; queries == 0 disarms.
  void arm(std::map<std::string, Amount> before, std::uint32_t queries);

  // Armed: for each asked key the remembered amount, else the current one (a key in neither is
  // left out, as a venue leaves out keys it does not hold); counts one query. Not armed: nullopt.
  std::optional<std::map<std::string, Amount>> answer(const std::vector<std::string>& keys,
                                                      const std::map<std::string, Amount>& current);

  bool armed() const { return queries_left_ > 0; }

 private:
  std::map<std::string, Amount> before_;
  std::uint32_t queries_left_ = 0;
};

}  // namespace tightloop
