#include "actors/venues/staking_venue.hpp"

#include <optional>
#include <tuple>

#include "config/supported_operations.hpp"
#include "actors/venues/transfer_pricing.hpp"

namespace tightloop {

namespace {

// The base asset whose LST is `lst` in the venue's map, or "".
std::string base_of(const VenueConfig& venue, const std::string& lst) {
  for (const auto& [base, issued] : venue.lst)
    if (issued == lst) return base;
  return {};
}

// A rate that is absent, zero or negative cannot price a stake.
std::optional<Amount> staking_rate(const MarketData& market, const std::string& venue,
                                   const std::string& lst) {
  auto rates = market.staking_rates.find(venue);
  if (rates == market.staking_rates.end()) return std::nullopt;
  auto rate = rates->second.find(lst);
  if (rate == rates->second.end() || rate->second.sign() <= 0) return std::nullopt;
  return rate->second;
}

}  // namespace

bool StakingVenue::supports(Operation op) const { return kind_supports(VenueKind::staking, op); }

std::unique_ptr<VenueSimulator> StakingVenue::clone() const {
  return std::make_unique<StakingVenue>(*this);
}

VenuePlan StakingVenue::price(const Order& order) {
  const bool stakes = order.operation == Operation::stake;
  if (order.token_in.empty())
    return rejected_plan(order, ErrorCode::ord_missing_operation_field,
                         std::string(to_string(order.operation)) + " needs token_in");
  std::string base;
  std::string lst;
  if (stakes) {
    auto it = config_.lst.find(order.token_in);
    if (it != config_.lst.end()) std::tie(base, lst) = *it;
  } else {
    base = base_of(config_, order.token_in);
    if (!base.empty()) lst = order.token_in;
  }
  if (lst.empty())
    return rejected_plan(order, ErrorCode::ven_unknown_asset,
                         "staking venue '" + name() + "' has no " +
                             (stakes ? "LST for " : "base asset behind ") + order.token_in);

  auto rate = staking_rate(market(), name(), lst);
  if (!rate)
    return rejected_plan(order, ErrorCode::ven_no_market_data,
                         "no staking rate for " + lst + " on '" + name() + "'");
  const Amount r = *rate;
  const Amount amount = order.amount;

  VenuePlan plan;
  auto& hs = plan.handshake;
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = amount;
  hs.executed_price = r;
  const std::string base_key = wallet_key(config_.wallet, base);
  const std::string lst_key = wallet_key(config_.wallet, lst);
  // What the book receives rounds down (actors/venues/README.md).
  if (stakes) {
    hs.position_deltas[base_key] = -amount;
    hs.position_deltas[lst_key] = mul(amount, r, Rounding::down);
  } else {
    hs.position_deltas[lst_key] = -amount;
    hs.position_deltas[base_key] = div(amount, r, Rounding::down);
  }
  hs.fee_venue = config_.wallet;
  return plan;
}

}  // namespace tightloop
