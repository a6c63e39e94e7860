#include "messages/error_code.hpp"

#include <iterator>
#include <sstream>

namespace tightloop {

namespace {

// In enum order, one row per code: to_string indexes it, the static_assert counts it.
constexpr ErrorCodeInfo rows[] = {
      {ErrorCode::ord_missing_field, "ORD-001", "order decoding",
       "a required order field is absent (operation_id, venue, operation, amount)"},
      {ErrorCode::ord_unknown_field, "ORD-002", "order decoding",
       "the order has a field that is not part of the wire format"},
      {ErrorCode::ord_wrong_type, "ORD-003", "order decoding",
       "an order field has the wrong JSON type (e.g. a string where a number belongs)"},
      {ErrorCode::ord_invalid_enum, "ORD-004", "order decoding",
       "operation, side, order_type or execution_mode is not one of the allowed values"},
      {ErrorCode::ord_out_of_range, "ORD-005", "order validation",
       "a number is out of range: amount and price must be finite and > 0, "
       "slippage_tolerance in [0, 1), sequence_in_group >= 0"},
      {ErrorCode::ord_missing_operation_field, "ORD-006", "order validation",
       "a field the operation needs is absent or does not fit it (pair, side, token_in, "
       "token_out, target_venue, a limit order's price)"},
      {ErrorCode::ord_duplicate_operation_id, "ORD-007", "execution_manager",
       "the operation_id was already used in this book; the order is not executed again"},
      {ErrorCode::ord_unknown_book, "ORD-008", "order ingress",
       "the order names a book that is not configured (or names none while several exist)"},
      {ErrorCode::ord_bad_group, "ORD-009", "execution_manager",
       "atomic group fields are inconsistent: atomic_group_id without execution_mode atomic "
       "or the reverse, a repeated sequence_in_group, or flash_borrow/flash_repay outside an "
       "atomic group"},
      {ErrorCode::vim_unknown_venue, "VIM-001", "venue_interface_manager",
       "the order's venue is not configured"},
      {ErrorCode::vim_unsupported_operation, "VIM-002", "venue_interface_manager",
       "the venue's kind does not support the order's operation"},
      {ErrorCode::ven_insufficient_balance, "VEN-001", "venue",
       "a BaseToken, aToken or LST balance would go below zero; nothing was applied"},
      {ErrorCode::ven_limit_not_reached, "VEN-002", "venue (cex)",
       "the fill price is worse than the limit order's price"},
      {ErrorCode::ven_slippage_exceeded, "VEN-003", "venue (dex)",
       "the swap's price impact exceeds the order's slippage tolerance"},
      {ErrorCode::ven_no_market_data, "VEN-004", "venue",
       "no reference price, lending index or staking rate for the asset"},
      {ErrorCode::ven_unknown_asset, "VEN-005", "venue",
       "the venue does not list the asset or pair (no lending market, no staking route)"},
      {ErrorCode::ven_flash_liability, "VEN-006", "venue (lending)",
       "flash_repay exceeds the outstanding flash loan of that asset, or an atomic group ends "
       "with a flash loan not repaid"},
      {ErrorCode::ven_bad_transfer, "VEN-007", "venue (wallet, cex)",
       "transfer target is unknown, equal to the source, or source_venue differs from venue"},
      {ErrorCode::ven_rejected, "VEN-008", "venue",
       "the venue rejected the order (an injected fault)"},
      {ErrorCode::ven_amount_overflow, "VEN-009", "venue / position book",
       "the order's result (an amount, a fee, a price, a balance after it) or a settlement would "
       "leave the amount range (about +/-1.7e20 units at 18 decimals): nothing was applied"},
      {ErrorCode::pos_unknown_key, "POS-001", "position_monitor / venue pre-trade check",
       "the order would touch a position key the book does not subscribe to"},
      {ErrorCode::pos_malformed_key, "POS-002", "position keys",
       "a position key is not venue:position_type:symbol with one of the five types"},
      {ErrorCode::pos_negative_balance, "POS-003", "position_monitor",
       "applying the deltas would make a non-negative position negative"},
      {ErrorCode::em_reconciliation_mismatch, "EM-001", "position_update_handler",
       "after applying the deltas, the monitor and the venue disagree beyond tolerance; "
       "the book halts"},
      {ErrorCode::em_venue_timeout, "EM-002", "execution_manager",
       "the venue did not answer in time; the order is in doubt"},
      {ErrorCode::em_book_halted_skip, "EM-003", "execution_manager",
       "not attempted: the book halted before this order's turn"},
      {ErrorCode::em_book_halted, "EM-004", "execution_manager",
       "refused: the book is halted until an operator resumes it"},
      {ErrorCode::em_component_down, "EM-005", "execution_manager",
       "a component of the book (venue, handler, monitor) is down or failed to answer"},
      {ErrorCode::em_group_member_failed, "EM-006", "execution_manager",
       "another member of the order's atomic group failed: this one was rolled back (it had "
       "executed) or skipped (it had not run yet); nothing of the group stays applied"},
      {ErrorCode::em_shutting_down, "EM-007", "execution_manager",
       "not attempted: the daemon is stopping (SIGTERM/SIGINT) and the order was still queued; "
       "it may be submitted again under the same operation_id"},
      {ErrorCode::cfg_unreadable, "CFG-001", "config",
       "the config file cannot be read (the reason is the operating system's) or is not JSON "
       "under the input policy (syntax, encoding, depth, repeated key, number range)"},
      {ErrorCode::cfg_invalid, "CFG-002", "config",
       "the config is invalid: unknown field, wrong type, bad value or broken reference"},
      {ErrorCode::cfg_unusable_path, "CFG-003", "config",
       "a path the config names cannot be used (the log file: a directory, a missing parent, "
       "no permission, a name too long)"},
      {ErrorCode::inp_unreadable, "INP-001", "orders file",
       "the orders file cannot be read (the reason is the operating system's) or is not JSON "
       "under the input policy (syntax, encoding, depth, repeated key, number range)"},
      {ErrorCode::inp_invalid, "INP-002", "orders file",
       "an entry of the orders file is not a JSON object"},
      {ErrorCode::inp_bad_event, "INP-003", "orders file",
       "an event entry is malformed: unknown event, unknown field, bad book, bad timestamp or "
       "bad market values"},
      {ErrorCode::cli_usage, "CLI-001", "command line",
       "the command line is wrong: unknown command or option, a missing or repeated value"},
      {ErrorCode::out_write_failed, "OUT-001", "command line",
       "the results could not be written to standard output (a full disk, a closed pipe); "
       "the process exits 4"},
      {ErrorCode::api_unauthorized, "API-001", "HTTP API",
       "401: the request has no bearer token or a wrong one"},
      {ErrorCode::api_no_route, "API-002", "HTTP API", "404: no such route"},
      {ErrorCode::api_method_not_allowed, "API-003", "HTTP API",
       "405: the route exists but not with this method"},
      {ErrorCode::api_unknown_book, "API-004", "HTTP API", "404: the path names no configured book"},
      {ErrorCode::api_body_too_large, "API-005", "HTTP API",
       "413: the body is larger than server.max_body_bytes"},
      {ErrorCode::api_too_many_orders, "API-006", "HTTP API",
       "413: the batch has more orders than server.max_orders_per_batch"},
      {ErrorCode::api_too_many_connections, "API-007", "HTTP API",
       "429: server.max_connections connections are open already"},
      {ErrorCode::api_headers_too_large, "API-008", "HTTP API",
       "431: the request's headers exceed server.max_header_bytes"},
      {ErrorCode::api_bad_request, "API-009", "HTTP API",
       "400: the request is malformed (HTTP syntax, a bad query parameter, a body where none "
       "belongs, a body that is not an order, an array of orders or the route's object)"},
      {ErrorCode::api_events_gone, "API-010", "HTTP API",
       "410: /v1/events?since=N asks for events older than the retention window "
       "(server.events_retention)"},
      {ErrorCode::api_unavailable, "API-011", "HTTP API",
       "503: the daemon is starting or stopping"},
      {ErrorCode::srv_cannot_listen, "SRV-001", "tightloop serve",
       "the daemon cannot start: the address cannot be bound, a non-loopback address without a "
       "token, or the token cannot be read (exit 2)"},
};

constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i)
    if (static_cast<std::size_t>(rows[i].code) != i + 1) return false;
  return true;
}
static_assert(sizeof rows / sizeof rows[0] == error_code_count, "one row per error code");
static_assert(rows_in_enum_order(), "rows in enum order");

}  // namespace

const std::vector<ErrorCodeInfo>& error_code_registry() {
  static const std::vector<ErrorCodeInfo> registry(std::begin(rows), std::end(rows));
  return registry;
}

std::string_view to_string(ErrorCode code) {
  const auto index = static_cast<std::size_t>(code);
  if (index == 0) return {};
  return index <= error_code_count ? rows[index - 1].id : "UNKNOWN";
}

std::optional<ErrorCode> parse_error_code(std::string_view id) {
  for (const auto& info : error_code_registry())
    if (info.id == id) return info.code;
  return std::nullopt;
}

std::string error_codes_markdown() {
  std::ostringstream out;
  out << "# Error codes\n\n"
      << "Generated by `tightloop error-codes` from `messages/error_code.cpp`; a test checks "
         "that this page matches the registry.\n\n"
      << "| code | component | meaning |\n|---|---|---|\n";
  for (const auto& info : error_code_registry())
    out << "| " << info.id << " | " << info.component << " | " << info.meaning << " |\n";
  return out.str();
}

}  // namespace tightloop
