// Reading and validating the runtime's configuration (fields, defaults and rules:
// config/README.md). Nothing is thrown: a bad config comes back as a Failure.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "messages/failure.hpp"

namespace tightloop {

struct LoadedConfig {
  Config config;    // meaningful only when ok()
  Failure failure;  // CFG-001 or CFG-002 with a message naming the JSON path

  bool ok() const { return !failure.failed(); }
};

// Validates a parsed JSON document; any invalid content is CFG-002. Amounts (fees, rates,
// slippage_bps, transfer_fees, initial_positions, tolerances, market data, fill_ratio,
// report_error) are read exactly (json_number.hpp, amount_from_json): a JSON number as
// parse_json keeps it (an integer or a raw number) or a JSON string holding a decimal, at most
// 18 fractional digits. A binary64 node (a double put into a nlohmann::json by code; parse_json
// never makes one) is read from its shortest round-trip digits, as amount_from_json does.
LoadedConfig parse_config(const nlohmann::json& value);

// CFG-001 when the file cannot be read or is not JSON under the input policy of
// messages/json_input.hpp (a repeated key included; the message names the file and where the
// parser stopped), then parse_config's checks (prefixed with the file's path).
LoadedConfig load_config_file(const std::string& path);
// The same for a file's text already read (`source` names it in messages).
LoadedConfig load_config_text(std::string_view text, const std::string& source);

std::optional<VenueKind> parse_venue_kind(std::string_view text);

// Merges a market update (the shape of the config's `market` section) into `market`, with the
// config's checks: venues named in indices / staking_rates / funding_rates must be configured
// lending / staking / cex venues. On failure `market` is unchanged and the code is `code`.
std::optional<Failure> merge_market_update(const nlohmann::json& value, const Config& config,
                                           MarketData& market, const std::string& path,
                                           ErrorCode code);

}  // namespace tightloop
