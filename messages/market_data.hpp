// Market data the simulated venues price against: reference prices, lending indices, staking
// rates and funding rates. The config's `market` section and a `{"event": "market"}` line share
// this shape.
#pragma once

#include <map>
#include <string>

#include "messages/inspect_optional.hpp"

namespace tightloop {

struct LendingIndex {
  double liquidity_index = 1.0;  // underlying per aToken (scaled supply balance)
  double borrow_index = 1.0;     // underlying per debtToken (scaled debt balance)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LendingIndex& x) {
  return f(caf::meta::type_name("LendingIndex"), x.liquidity_index, x.borrow_index);
}

struct MarketData {
  std::map<std::string, double> prices;  // symbol -> price in a common unit (USD)
  std::map<std::string, std::map<std::string, LendingIndex>> indices;  // venue -> asset -> index
  std::map<std::string, std::map<std::string, double>> staking_rates;  // venue -> LST -> LST per base
  std::map<std::string, std::map<std::string, double>> funding_rates;  // venue -> perp -> rate
  std::string timestamp;  // of the last market event, "" before any
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, MarketData& x) {
  return f(caf::meta::type_name("MarketData"), x.prices, x.indices, x.staking_rates,
           x.funding_rates, x.timestamp);
}

}  // namespace tightloop
