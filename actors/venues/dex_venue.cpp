#include "actors/venues/dex_venue.hpp"

#include "config/supported_operations.hpp"
#include "actors/venues/transfer_pricing.hpp"

namespace tightloop {

bool DexVenue::supports(Operation op) const { return kind_supports(VenueKind::dex, op); }

std::unique_ptr<VenueSimulator> DexVenue::clone() const {
  return std::make_unique<DexVenue>(*this);
}

VenuePlan DexVenue::price(const Order& order) {
  const std::string& sold = order.token_in;
  const std::string& bought = order.token_out;
  if (sold.empty() || bought.empty() || sold == bought)
    return rejected_plan(order, ErrorCode::ord_missing_operation_field,
                         "swap needs token_in and token_out, different from each other");
  auto sold_price = usable_price(market(), sold);
  auto bought_price = usable_price(market(), bought);
  if (!sold_price || !bought_price)
    return rejected_plan(
        order, ErrorCode::ven_no_market_data,
        "no reference price for " + (sold_price ? bought : sold) + " (swap on '" + name() + "')");
  const Amount impact = bps_fraction(config_.slippage_bps);
  const Amount tolerance = order.slippage_tolerance.value_or(config_.default_slippage_tolerance);
  if (impact > tolerance)
    return rejected_plan(order, ErrorCode::ven_slippage_exceeded,
                         "price impact " + format(impact) + " on '" + name() +
                             "' exceeds the slippage tolerance " + format(tolerance));

  // Rounding (actors/venues/README.md): the output the book receives rounds down, the pool's
  // fee up, the reported price half-even.
  const Amount x = order.amount;
  const Amount value_out = mul_div(x, *sold_price, *bought_price, Rounding::down);
  const Amount gross_out = mul(value_out, Amount::units(1) - impact, Rounding::down);
  VenuePlan plan;
  auto& hs = plan.handshake;
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = x;
  hs.executed_price = div(gross_out, x, Rounding::half_even);
  hs.position_deltas[wallet_key(config_.wallet, sold)] = -x;
  hs.position_deltas[wallet_key(config_.wallet, bought)] = gross_out;
  hs.fee_amount = mul(gross_out, config_.pool_fee_rate, Rounding::up);
  hs.fee_currency = bought;
  hs.fee_venue = config_.wallet;
  return plan;
}

}  // namespace tightloop
