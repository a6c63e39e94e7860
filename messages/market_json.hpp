// JSON for MarketData: the config's "market" section and the body of a {"event": "market"} line
// share one shape (documented in config/README.md):
//   {"prices": {SYM: number > 0},
//    "indices": {VENUE: {ASSET: {"liquidity_index": number > 0, "borrow_index": number > 0}}},
//    "staking_rates": {VENUE: {LST: number > 0}},
//    "funding_rates": {VENUE: {PERP_SYMBOL: number}}}
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>

#include "messages/error_code.hpp"
#include "messages/failure.hpp"
#include "messages/market_data.hpp"

namespace tightloop {

// Merges `value` into `into`: every section is optional and only the entries named change, so a
// market event overrides what it names and keeps the rest. An index object may name one of the
// two indices (a new asset starts at 1.0 for the other). Unknown fields (also "event" and
// "timestamp": the event decoder strips them) and empty keys are rejected. All or nothing:
// on failure `into` is unchanged and the Failure carries `code` and a message prefixed with
// `path` ("market.prices.BTC: must be a number > 0, got -1").
std::optional<Failure> merge_market_json(const nlohmann::json& value, MarketData& into,
                                         std::string_view path, ErrorCode code);

// All four sections, always present (possibly empty); no timestamp. merge_market_json of the
// result into an empty MarketData gives back the same data.
nlohmann::json encode_market(const MarketData& market);

}  // namespace tightloop
