// ExecutionHandshake: a venue's answer to one order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "messages/amount.hpp"
#include "messages/error_code.hpp"
#include "messages/order.hpp"

namespace tightloop {

enum class HandshakeStatus : std::uint8_t { executed, failed, rolled_back, skipped };

std::string_view to_string(HandshakeStatus status);

struct ExecutionHandshake {
  Order order;
  HandshakeStatus status = HandshakeStatus::failed;
  std::string trade_id;  // deterministic: "<venue>-<n>", n counts the venue's fills per book
  Amount executed_amount;
  std::optional<Amount> executed_price;
  std::map<std::string, Amount> position_deltas;  // position key -> signed amount, gross of fees
  Amount fee_amount;
  std::string fee_currency;
  std::string fee_venue;  // whose BaseToken:<fee_currency> pays the fee (a DEX's wallet, ...)
  ErrorCode error_code = ErrorCode::none;
  std::string error_message;
  bool in_doubt = false;  // outcome unknown (venue timed out); never guessed either way
  // An executed order's touched keys as the venue's own ledgers hold them right after it
  // (a wallet's or a transfer target's keys from that venue), as an exchange's account update
  // comes with its execution report. Reconciliation's first comparison uses them; retries ask
  // the venues afresh. Not part of the JSON output.
  std::map<std::string, Amount> reported_balances;
};

// A failed handshake for `order` with a code and a message, nothing executed.
ExecutionHandshake failed_handshake(const Order& order, ErrorCode code, std::string message);

}  // namespace tightloop
