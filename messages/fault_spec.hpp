// FaultSpec: one switchable fault of a simulated venue (config: a venue's `faults`, documented
// in config/README.md). Plain data; which orders it hits: actors/venues/fault_injector.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/amount.hpp"
#include "messages/order.hpp"

namespace tightloop {

enum class FaultKind : std::uint8_t {
  reject,         // a failed handshake instead of executing
  no_reply,       // the venue never answers (the caller times out: in doubt)
  partial_fill,   // only fill_ratio of the amount executes
  wrong_report,   // the handshake misstates the deltas the ledger applied
  stale_balance,  // balance queries answer with the balances from before the order
  slow_reply,     // the answer comes delay_ms late
  crash,          // the venue actor dies on this order
};
inline constexpr int fault_kind_count = 7;

std::string_view to_string(FaultKind kind);
std::optional<FaultKind> parse_fault_kind(std::string_view text);

inline constexpr std::string_view default_reject_message = "rejected by venue (injected fault)";

struct FaultSpec {
  FaultKind kind = FaultKind::reject;
  // Target: exactly one of these is set.
  std::string operation_id;            // this order only
  std::optional<Operation> operation;  // every order of this operation kind
  std::uint32_t every_nth = 0;  // the Nth, 2Nth, ... order this venue receives (counting from 1)
  std::uint32_t times = 0;      // how many times it may fire; 0 = unlimited
  // Parameters (only those of the kind may be given in config):
  std::string message;          // reject: "" -> default_reject_message
  // partial_fill: executed share, in (0, 1); 0.5
  Amount fill_ratio = Amount::from_raw(Amount::scale / 2);
  // wrong_report: reported gross deltas = true * (1 + report_error); 0.01
  Amount report_error = Amount::from_raw(Amount::scale / 100);
  std::uint32_t stale_queries = 1;  // stale_balance: queries answered with old balances (>= 1)
  std::int64_t delay_ms = 1000;     // slow_reply: reply delay (>= 0)
  bool applied = false;  // no_reply: whether the venue applied the order before going silent
};

// The text of a reject fault's failed handshake.
std::string reject_message(const FaultSpec& fault);

// One line for logs: "partial_fill on every 3rd order (at most 2 times)".
std::string describe(const FaultSpec& fault);

}  // namespace tightloop
