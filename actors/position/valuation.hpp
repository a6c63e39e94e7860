// Valuation of a book's positions at a market: per key its value in the reference unit, a
// perp's unrealised PnL at the mark, an aToken's or debtToken's underlying, and the book's net
// asset value. Plain functions: the execution manager calls them at a batch's end, tests and
// the embedding API without actors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "messages/market_data.hpp"
#include "messages/order_result.hpp"
#include "messages/valuation.hpp"

namespace tightloop {

// cex venue -> its settlement token: what a perp on that venue is marked and settled in.
using SettlementTokens = std::map<std::string, std::string>;
SettlementTokens settlement_tokens(const std::vector<VenueConfig>& venues);

// prices[BASE] / prices[settlement] (half-even) for a perp symbol BASE + settlement token;
// nullopt when the symbol is not of that form or a price is missing or not > 0. Funding and
// valuation mark a perp by it.
std::optional<Amount> perp_mark_price(const MarketData& market, const std::string& perp_symbol,
                                      const std::string& settlement_token);

Valuation value_positions(const std::map<std::string, Amount>& positions,
                          const std::map<std::string, Amount>& entry_prices,
                          const MarketData& market, const SettlementTokens& settlement);

// The monitor's view, and on a halt the venues' (their figures for the mismatched keys; a key
// a venue no longer reports counts as 0 there).
BookValuation value_book(const std::map<std::string, Amount>& positions,
                         const std::map<std::string, Amount>& entry_prices, const HaltInfo& halt,
                         const MarketData& market, const SettlementTokens& settlement);

}  // namespace tightloop
