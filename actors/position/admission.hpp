// Admission: what a book checks before an order may reach a venue, and the one rule for
// operation_ids (the idempotency key). Plain functions: the execution manager, the batch
// ingress, tests and the direct-call benchmark use the same code.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "messages/execution_handshake.hpp"
#include "messages/failure.hpp"
#include "messages/order.hpp"

namespace tightloop {

// In this order: a used operation_id (ORD-007: a retried id is answered as a duplicate
// whatever else is wrong with it), a refusal at ingress (decoding, group shape), validation.
std::optional<Failure> admit(const Order& order, const std::unordered_set<std::string>& used_ids,
                             const std::string& book);

// The idempotency rule, one for every kind of refusal: an order claims its operation_id in its
// book once the book has decided on it — executed, failed for any reason (decoding,
// validation, the venue, in doubt), or rolled back. An order that was never looked at claims
// nothing and may be resubmitted under the same id: skipped (EM-003, EM-006) or refused because
// the book is halted (EM-004). An order without a readable operation_id claims nothing.
bool claims_operation_id(const ExecutionHandshake& handshake);

// Atomic groups must be whole before any member runs. `orders` is one submission in input
// order; nullptr stands for an entry that is not an order (an event), which ends a run. A group
// is a run of consecutive orders with the same atomic_group_id. Per entry, the failure the
// group's shape gives it (none when the shape is fine):
//   - the group id has more than one run (split by another entry): ORD-009 on every member;
//   - the members name different books (Order::book, already resolved): ORD-009 on every
//     member.
std::vector<std::optional<Failure>> check_group_shapes(const std::vector<const Order*>& orders);

// The order in which a group's members run: by sequence_in_group; members without one keep
// their input position, after those that have one. Indices into `members`.
std::vector<std::size_t> group_run_order(const std::vector<const Order*>& members);

// Each member's refusal before anything runs, in run order (`run_order` from above): admit(),
// an operation_id repeated inside the group (ORD-007), a repeated sequence_in_group (ORD-009).
std::vector<std::optional<Failure>> check_group_members(
    const std::vector<const Order*>& members, const std::vector<std::size_t>& run_order,
    const std::unordered_set<std::string>& used_ids, const std::string& book);

// Flash loans must be repaid inside the group: borrowed minus repaid per venue and asset over
// the executed members. The message for the first one left open, if any (VEN-006).
std::optional<std::string> unrepaid_flash_loan(const std::vector<ExecutionHandshake>& executed);

}  // namespace tightloop
