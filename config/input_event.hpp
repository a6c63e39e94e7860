// Events in an orders file (or, later, an API body): {"event": "market", ...} and
// {"event": "refresh", ...}. Plain decoding, shared by `tightloop run` and the fuzzer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/config.hpp"
#include "messages/failure.hpp"

namespace tightloop {

enum class InputEventKind : std::uint8_t { refresh, market };

struct InputEvent {
  InputEventKind kind = InputEventKind::refresh;
  std::string timestamp;           // empty: none given
  std::vector<std::string> books;  // refresh: the one book named; empty: every book
};

// Decodes an object that has an "event" field. A market event merges into `market` (only what
// it names; all or nothing). On failure (INP-003) `market` is unchanged.
std::optional<Failure> decode_event(const Config& config, const nlohmann::json& value,
                                    MarketData& market, InputEvent& event);

}  // namespace tightloop
