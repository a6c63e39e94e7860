#include "actors/position/admission.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "actors/position/position_book.hpp"
#include "messages/order_validation.hpp"

namespace tightloop {

std::optional<Failure> admit(const Order& order, const std::unordered_set<std::string>& used_ids,
                             const std::string& book) {
  if (!order.operation_id.empty() && used_ids.count(order.operation_id))
    return Failure{ErrorCode::ord_duplicate_operation_id,
                   "operation_id '" + order.operation_id + "' was already used in book " + book};
  if (order.ingress_failure.failed()) return order.ingress_failure;
  return validate_order(order);
}

bool claims_operation_id(const ExecutionHandshake& handshake) {
  if (handshake.order.operation_id.empty()) return false;
  if (handshake.status == HandshakeStatus::skipped) return false;
  return handshake.error_code != ErrorCode::em_book_halted;
}

std::vector<std::optional<Failure>> check_group_shapes(const std::vector<const Order*>& orders) {
  std::vector<std::optional<Failure>> verdicts(orders.size());
  struct Run {
    std::size_t first = 0, last = 0;  // indices in orders, inclusive
  };
  std::map<std::string, std::vector<Run>> runs;  // by group id; only when groups exist
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const Order* order = orders[i];
    if (!order || order->atomic_group_id.empty()) continue;
    const bool continues = i > 0 && orders[i - 1] &&
                           orders[i - 1]->atomic_group_id == order->atomic_group_id;
    auto& group = runs[order->atomic_group_id];
    if (continues)
      group.back().last = i;
    else
      group.push_back(Run{i, i});
  }
  auto fail_members = [&](const std::vector<Run>& group, const std::string& why) {
    for (const auto& run : group)
      for (std::size_t i = run.first; i <= run.last; ++i)
        if (!verdicts[i]) verdicts[i] = Failure{ErrorCode::ord_bad_group, why};
  };
  for (const auto& [id, group] : runs) {
    if (group.size() > 1) {
      std::string where;
      for (const auto& run : group)
        where += (where.empty() ? "" : ", ") + std::to_string(run.first + 1) + "-" +
                 std::to_string(run.last + 1);
      fail_members(group, "atomic group '" + id +
                              "' is split: its members must be consecutive entries of one "
                              "submission (found at entries " + where + ")");
      continue;
    }
    std::set<std::string> books;
    for (std::size_t i = group.front().first; i <= group.front().last; ++i)
      books.insert(orders[i]->book);
    if (books.size() > 1) {
      std::string names;
      for (const auto& book : books) names += (names.empty() ? "'" : ", '") + book + "'";
      fail_members(group, "atomic group '" + id + "' spans books " + names +
                              ": a group runs in one book");
    }
  }
  return verdicts;
}

std::vector<std::size_t> group_run_order(const std::vector<const Order*>& members) {
  std::vector<std::size_t> order(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& sa = members[a]->sequence_in_group;
    const auto& sb = members[b]->sequence_in_group;
    if (sa.has_value() != sb.has_value()) return sa.has_value();
    return sa && *sa < *sb;
  });
  return order;
}

std::vector<std::optional<Failure>> check_group_members(
    const std::vector<const Order*>& members, const std::vector<std::size_t>& run_order,
    const std::unordered_set<std::string>& used_ids, const std::string& book) {
  std::vector<std::optional<Failure>> failures(run_order.size());
  std::set<std::int64_t> sequences;
  std::set<std::string> ids;
  for (std::size_t pos = 0; pos < run_order.size(); ++pos) {
    const Order& order = *members[run_order[pos]];
    const auto& group = order.atomic_group_id;
    auto failure = admit(order, used_ids, book);
    if (!failure && !ids.insert(order.operation_id).second)
      failure = Failure{ErrorCode::ord_duplicate_operation_id,
                        "operation_id '" + order.operation_id + "' repeats inside group " + group};
    if (!failure && order.sequence_in_group && !sequences.insert(*order.sequence_in_group).second)
      failure = Failure{ErrorCode::ord_bad_group,
                        "sequence_in_group " + std::to_string(*order.sequence_in_group) +
                            " repeats inside group " + group};
    failures[pos] = std::move(failure);
  }
  return failures;
}

std::optional<std::string> unrepaid_flash_loan(const std::vector<ExecutionHandshake>& executed) {
  std::map<std::pair<std::string, std::string>, Amount> outstanding;
  for (const auto& hs : executed) {
    if (hs.order.operation == Operation::flash_borrow)
      outstanding[{hs.order.venue, hs.order.token_out}] += hs.executed_amount;
    else if (hs.order.operation == Operation::flash_repay)
      outstanding[{hs.order.venue, hs.order.token_in}] -= hs.executed_amount;
  }
  for (const auto& [where, amount] : outstanding)
    if (!amount.is_zero())
      return "flash loan of " + where.second + " on " + where.first + " not repaid (" +
             format(amount) + " outstanding at the end of the group)";
  return std::nullopt;
}

}  // namespace tightloop
