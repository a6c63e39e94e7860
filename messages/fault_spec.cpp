#include "messages/fault_spec.hpp"

#include <array>
#include <sstream>

#include "messages/enum_names.hpp"

namespace tightloop {

namespace {

constexpr std::array<std::string_view, fault_kind_count> fault_kind_names{
    "reject", "no_reply", "partial_fill", "wrong_report", "stale_balance", "slow_reply", "crash"};

std::string target_text(const FaultSpec& fault) {
  std::ostringstream text;
  if (!fault.operation_id.empty()) text << " on order '" << fault.operation_id << "'";
  if (fault.operation) text << " on every " << to_string(*fault.operation) << " order";
  if (fault.every_nth > 0) {
    auto n = fault.every_nth;
    text << " on orders " << n << ", " << 2 * std::uint64_t{n} << ", " << 3 * std::uint64_t{n}
         << ", ...";
  }
  if (text.str().empty()) text << " on no order (no target)";
  return text.str();
}

std::string parameter_text(const FaultSpec& fault) {
  std::ostringstream text;
  switch (fault.kind) {
    case FaultKind::reject:
      text << ", message '" << reject_message(fault) << "'";
      break;
    case FaultKind::no_reply:
      text << (fault.applied ? ", after applying the order" : ", without applying the order");
      break;
    case FaultKind::partial_fill:
      text << ", fill_ratio " << format(fault.fill_ratio);
      break;
    case FaultKind::wrong_report:
      text << ", report_error " << format(fault.report_error);
      break;
    case FaultKind::stale_balance:
      text << ", stale_queries " << fault.stale_queries;
      break;
    case FaultKind::slow_reply:
      text << ", delay_ms " << fault.delay_ms;
      break;
    case FaultKind::crash:
      break;
  }
  return text.str();
}

}  // namespace

std::string_view to_string(FaultKind kind) { return name_of(fault_kind_names, kind); }

std::optional<FaultKind> parse_fault_kind(std::string_view text) {
  return parse_name<FaultKind>(fault_kind_names, text);
}

std::string reject_message(const FaultSpec& fault) {
  return fault.message.empty() ? std::string(default_reject_message) : fault.message;
}

std::string describe(const FaultSpec& fault) {
  std::string text(to_string(fault.kind));
  text += target_text(fault);
  text += parameter_text(fault);
  if (fault.times > 0) text += " (at most " + std::to_string(fault.times) + " times)";
  return text;
}

}  // namespace tightloop
