// What a venue settles on position_refresh (perp funding), and what it answers when another
// venue's order applies legs on its ledger.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "messages/amount.hpp"
#include "messages/execution_delta.hpp"
#include "messages/failure.hpp"

namespace tightloop {

struct Settlement {
  std::vector<ExecutionDelta> deltas;  // applied to the venue's ledger; empty on failure
  Failure failure;                     // VEN-009: a payment would not be a finite number
};

// Another venue's answer to applying an order's legs on its ledger: nothing applied and why, or
// the balances of the legs' keys after applying them.
struct LegsResult {
  Failure failure;
  std::map<std::string, Amount> balances;
};

}  // namespace tightloop
