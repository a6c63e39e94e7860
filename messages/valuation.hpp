// What a book's positions are worth at the market it last saw, in the reference unit (the unit
// of market.prices). actors/position/valuation.hpp computes it; the rules are in README.md
// ("Valuation").
#pragma once

#include <map>
#include <optional>
#include <string>

#include "messages/amount.hpp"

namespace tightloop {

struct PositionValue {
  Amount value;                         // in the reference unit; a debt is negative
  std::optional<Amount> underlying;     // aToken / debtToken: the token the balance stands for
  std::optional<Amount> entry_price;    // perp: average entry (quote per base)
  std::optional<Amount> mark_price;     // perp: prices[BASE] / prices[settlement token]
  std::optional<Amount> unrealised_pnl;  // perp: in its settlement token, closing at the mark
};

struct Valuation {
  std::map<std::string, PositionValue> positions;  // every priced key, zero balances included
  std::map<std::string, std::string> unpriced;  // non-zero keys it cannot value -> why
  std::optional<Amount> nav;          // the sum of the values; none while a key is unpriced
};

// `expected` is the position monitor's view. On a halt `venue` values what the venues report
// instead: the monitor's positions with the venues' figures for the keys that did not agree.
struct BookValuation {
  Valuation expected;
  std::optional<Valuation> venue;
};

}  // namespace tightloop
