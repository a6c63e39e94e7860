#include "messages/order_result.hpp"

#include <array>

namespace tightloop {

std::string_view to_string(ReconciliationOutcome outcome) {
  static constexpr std::array<std::string_view, 3> names{"not_run", "matched", "mismatch"};
  return names[static_cast<std::size_t>(outcome)];
}

}  // namespace tightloop
