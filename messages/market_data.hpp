// Market data the simulated venues price against: reference prices, lending indices, staking
// rates and funding rates. The config's `market` section and a `{"event": "market"}` line share
// this shape.
#pragma once

#include <map>
#include <string>

#include "messages/amount.hpp"

namespace tightloop {

struct LendingIndex {
  Amount liquidity_index = Amount::units(1);  // underlying per aToken (scaled supply balance)
  Amount borrow_index = Amount::units(1);     // underlying per debtToken (scaled debt balance)
};

struct MarketData {
  std::map<std::string, Amount> prices;  // symbol -> price in a common unit (USD)
  std::map<std::string, std::map<std::string, LendingIndex>> indices;  // venue -> asset -> index
  // venue -> LST -> LST per base unit
  std::map<std::string, std::map<std::string, Amount>> staking_rates;
  std::map<std::string, std::map<std::string, Amount>> funding_rates;  // venue -> perp -> rate
  std::string timestamp;  // of the last market event, "" before any
};

}  // namespace tightloop
