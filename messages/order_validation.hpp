// Semantic checks of an Order, for orders decoded from JSON and orders built in C++ alike.
#pragma once

#include <optional>

#include "messages/failure.hpp"
#include "messages/order.hpp"

namespace tightloop {

// nullopt when the order is valid, else the first failure, checked in this order:
//   1. ORD-001 operation_id, then venue, empty
//   2. ORD-005 amount (finite, > 0), price (finite, > 0), slippage_tolerance ([0, 1)),
//      sequence_in_group (>= 0)
//   3. ORD-006 the fields the operation needs (table in actors/venues/README.md), then a limit
//      order's price
//   4. ORD-009 atomic group consistency: execution_mode atomic <-> atomic_group_id,
//      sequence_in_group needs atomic_group_id,
//      flash_borrow and flash_repay need an atomic group
// Fields an operation does not use are not rejected (a side on a supply is ignored).
std::optional<Failure> validate_order(const Order& order);

}  // namespace tightloop
