// Market data the simulated venues price against: reference prices, lending indices, staking
// rates and funding rates. The config's `market` section and a `{"event": "market"}` line share
// this shape.
#pragma once

#include <map>
#include <string>

#include "messages/amount_inspect.hpp"
#include "messages/inspect_optional.hpp"

namespace tightloop {

struct LendingIndex {
  Amount liquidity_index = Amount::units(1);  // underlying per aToken (scaled supply balance)
  Amount borrow_index = Amount::units(1);     // underlying per debtToken (scaled debt balance)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LendingIndex& x) {
  return f(caf::meta::type_name("LendingIndex"), x.liquidity_index, x.borrow_index);
}

struct MarketData {
  std::map<std::string, Amount> prices;  // symbol -> price in a common unit (USD)
  std::map<std::string, std::map<std::string, LendingIndex>> indices;  // venue -> asset -> index
  // venue -> LST -> LST per base unit
  std::map<std::string, std::map<std::string, Amount>> staking_rates;
  std::map<std::string, std::map<std::string, Amount>> funding_rates;  // venue -> perp -> rate
  std::string timestamp;  // of the last market event, "" before any
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, MarketData& x) {
  return f(caf::meta::type_name("MarketData"), x.prices, x.indices, x.staking_rates,
           x.funding_rates, x.timestamp);
}

}  // namespace tightloop
