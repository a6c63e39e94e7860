// What a venue settles on position_refresh (perp funding): the deltas it applied to its own
// ledger, or why it settled nothing.
#pragma once

#include <vector>

#include "messages/execution_delta.hpp"
#include "messages/failure.hpp"

namespace tightloop {

struct Settlement {
  std::vector<ExecutionDelta> deltas;  // applied to the venue's ledger; empty on failure
  Failure failure;                     // VEN-009: a payment would not be a finite number
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Settlement& x) {
  return f(caf::meta::type_name("Settlement"), x.deltas, x.failure);
}

}  // namespace tightloop
