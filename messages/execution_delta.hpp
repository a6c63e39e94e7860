// execution_delta: one net change to one position key, as the position monitor applies it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/amount.hpp"

namespace tightloop {

enum class DeltaSource : std::uint8_t { trade, transfer, fee, funding, interest, reward, initial };

std::string_view to_string(DeltaSource source);
std::optional<DeltaSource> parse_delta_source(std::string_view text);

struct ExecutionDelta {
  std::string position_key;
  Amount delta_amount;  // net: the fee leg already includes the fee
  DeltaSource source = DeltaSource::trade;
  std::optional<Amount> price;
  Amount fee;  // the fee folded into delta_amount (or charged by a `fee` delta)
  std::string operation_id;
};

}  // namespace tightloop
