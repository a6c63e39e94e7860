// The one registry of error codes: every code the runtime can report, with the component that
// raises it and what it means. messages/ERROR_CODES.md is generated from this table and a test
// keeps the two in step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tightloop {

enum class ErrorCode : std::uint16_t {
  none = 0,
  // ORD-: order validation (ingress decoding and the execution manager's checks)
  ord_missing_field,
  ord_unknown_field,
  ord_wrong_type,
  ord_invalid_enum,
  ord_out_of_range,
  ord_missing_operation_field,
  ord_duplicate_operation_id,
  ord_unknown_book,
  ord_bad_group,
  // VIM-: routing
  vim_unknown_venue,
  vim_unsupported_operation,
  // VEN-: venue execution
  ven_insufficient_balance,
  ven_limit_not_reached,
  ven_slippage_exceeded,
  ven_no_market_data,
  ven_unknown_asset,
  ven_flash_liability,
  ven_bad_transfer,
  ven_rejected,
  ven_amount_overflow,
  // POS-: positions
  pos_unknown_key,
  pos_malformed_key,
  pos_negative_balance,
  // EM-: the tight loop
  em_reconciliation_mismatch,
  em_venue_timeout,
  em_book_halted_skip,
  em_book_halted,
  em_component_down,
  em_group_member_failed,
  em_shutting_down,
  // CFG- / INP- / CLI-: configuration, input files, command line (exit code 2)
  cfg_unreadable,
  cfg_invalid,
  cfg_unusable_path,
  inp_unreadable,
  inp_invalid,
  inp_bad_event,
  cli_usage,
  // OUT-: writing results (exit code 4)
  out_write_failed,
  // API- / SRV-: the daemon's HTTP API and its start
  api_unauthorized,
  api_no_route,
  api_method_not_allowed,
  api_unknown_book,
  api_body_too_large,
  api_too_many_orders,
  api_too_many_connections,
  api_headers_too_large,
  api_bad_request,
  api_events_gone,
  api_unavailable,
  srv_cannot_listen,
};
// Codes after none; the registry has exactly one row per code, in enum order.
inline constexpr std::size_t error_code_count =
    static_cast<std::size_t>(ErrorCode::srv_cannot_listen);

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view id;         // "ORD-001"
  std::string_view component;  // who raises it
  std::string_view meaning;
};

// Row i describes ErrorCode(i + 1).
const std::vector<ErrorCodeInfo>& error_code_registry();

// "ORD-001"; "" for ErrorCode::none.
std::string_view to_string(ErrorCode code);
std::optional<ErrorCode> parse_error_code(std::string_view id);

// The registry as a Markdown page (what messages/ERROR_CODES.md holds).
std::string error_codes_markdown();

}  // namespace tightloop
