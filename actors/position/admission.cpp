#include "actors/position/admission.hpp"

#include <map>
#include <set>

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

}  // namespace tightloop
