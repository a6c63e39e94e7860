// JSON for MarketData: the config's "market" section and the body of a {"event": "market"} line
// share one shape (documented in config/README.md):
//   {"prices": {SYM: amount > 0},
//    "indices": {VENUE: {ASSET: {"liquidity_index": amount > 0, "borrow_index": amount > 0}}},
//    "staking_rates": {VENUE: {LST: amount > 0}},
//    "funding_rates": {VENUE: {PERP_SYMBOL: amount}}}
// Every amount is an exact decimal (json_number.hpp, amount_from_json): a JSON number or a JSON
// string holding a decimal, at most 18 fractional digits, read from its text.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>

#include "messages/error_code.hpp"
#include "messages/failure.hpp"
#include "messages/json_number.hpp"
#include "messages/market_data.hpp"

namespace tightloop {

// Merges `value` into `into`: every section is optional and only the entries named change, so a
// market event overrides what it names and keeps the rest. An index object may name one of the
// two indices (a new asset starts at 1.0 for the other). Unknown fields (also "event" and
// "timestamp": the event decoder strips them) and empty keys are rejected. All or nothing:
// on failure `into` is unchanged and the Failure carries `code` and a message prefixed with
// `path` ("market.prices.BTC: must be a number > 0, got -1"). A value that is not an exact
// decimal says why ("... got \"NaN\": 'NaN' is not a decimal number").
std::optional<Failure> merge_market_json(const nlohmann::json& value, MarketData& into,
                                         std::string_view path, ErrorCode code);

// All four sections, always present (possibly empty); no timestamp. Amounts as amount_json
// (raw numbers by default, strings on request; print with dump_json). merge_market_json of the
// result into an empty MarketData gives back the same data.
nlohmann::json encode_market(const MarketData& market, AmountStyle style = AmountStyle::numbers);

}  // namespace tightloop
