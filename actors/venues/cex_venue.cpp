#include "actors/venues/cex_venue.hpp"

#include "actors/position/valuation.hpp"
#include "actors/venues/transfer_pricing.hpp"
#include "config/supported_operations.hpp"
#include "messages/position_key.hpp"

namespace tightloop {

namespace {

bool buys(Side side) { return side == Side::buy || side == Side::long_; }

// The common first half of a spot or perp trade: pair, side, reference and fill price, limit.
struct Fill {
  std::string base;
  std::string quote;
  Amount reference_price;
  Amount price;
  bool buys = true;
};

std::optional<Failure> read_pair(const Order& order, Fill& fill) {
  const auto slash = order.pair.find('/');
  const bool well_formed = slash != std::string::npos && slash != 0 &&
                           slash + 1 < order.pair.size() &&
                           order.pair.find('/', slash + 1) == std::string::npos;
  if (!well_formed)
    return Failure{ErrorCode::ord_missing_operation_field, std::string(to_string(order.operation)) +
                                                               " needs pair BASE/QUOTE, got '" +
                                                               order.pair + "'"};
  fill.base = order.pair.substr(0, slash);
  fill.quote = order.pair.substr(slash + 1);
  if (fill.base == fill.quote)
    return Failure{ErrorCode::ord_missing_operation_field,
                   "pair '" + order.pair + "' trades a symbol against itself"};
  return std::nullopt;
}

std::optional<Failure> read_side(const Order& order, Fill& fill) {
  const bool perp = order.operation == Operation::perp_trade;
  const bool fits =
      order.side && (perp ? (*order.side == Side::long_ || *order.side == Side::short_)
                          : (*order.side == Side::buy || *order.side == Side::sell));
  if (!fits)
    return Failure{ErrorCode::ord_missing_operation_field,
                   std::string(to_string(order.operation)) + " needs side " +
                       (perp ? "LONG or SHORT" : "BUY or SELL")};
  fill.buys = buys(*order.side);
  return std::nullopt;
}

std::optional<Failure> read_prices(const Order& order, const VenueConfig& venue,
                                   const MarketData& market, CexVenue::PriceCache& cache,
                                   Fill& fill) {
  auto cached = cache.reference.find(order.pair);
  if (cached == cache.reference.end()) {
    auto base_price = usable_price(market, fill.base);
    auto quote_price = usable_price(market, fill.quote);
    std::optional<Amount> reference;
    // Rounding (actors/venues/README.md): the reference price half-even.
    if (base_price && quote_price)
      reference = div(*base_price, *quote_price, Rounding::half_even);
    cached = cache.reference.emplace(order.pair, reference).first;
  }
  if (!cached->second) {
    const bool has_base = usable_price(market, fill.base).has_value();
    return Failure{ErrorCode::ven_no_market_data,
                   "no reference price for " + (has_base ? fill.quote : fill.base) + " (pair " +
                       order.pair + " on " + venue.name + ")"};
  }
  fill.reference_price = *cached->second;
  if (!cache.slippage) cache.slippage = bps_fraction(venue.slippage_bps);
  // The fill price moves against the book: up when it buys, down when it sells.
  const Amount slippage = *cache.slippage;
  const Amount one = Amount::units(1);
  fill.price = fill.buys ? mul(fill.reference_price, one + slippage, Rounding::up)
                         : mul(fill.reference_price, one - slippage, Rounding::down);
  return std::nullopt;
}

std::optional<Failure> check_limit(const Order& order, const Fill& fill) {
  if (order.order_type != OrderType::limit) return std::nullopt;
  if (!order.price)
    return Failure{ErrorCode::ord_missing_operation_field, "a limit order needs a price"};
  const bool reached = fill.buys ? fill.price <= *order.price : fill.price >= *order.price;
  if (reached) return std::nullopt;
  return Failure{ErrorCode::ven_limit_not_reached,
                 "limit " + std::string(to_string(*order.side)) + " " + order.pair + " at " +
                     format(*order.price) + " not reached: fill price would be " +
                     format(fill.price)};
}

std::optional<Failure> price_fill(const Order& order, const VenueConfig& venue,
                                  const MarketData& market, CexVenue::PriceCache& cache,
                                  Fill& fill) {
  if (auto failure = read_pair(order, fill)) return failure;
  if (auto failure = read_side(order, fill)) return failure;
  if (auto failure = read_prices(order, venue, market, cache, fill)) return failure;
  return check_limit(order, fill);
}

}  // namespace

bool CexVenue::supports(Operation op) const { return kind_supports(VenueKind::cex, op); }

std::unique_ptr<VenueSimulator> CexVenue::clone() const {
  return std::make_unique<CexVenue>(*this);
}

std::optional<Amount> CexVenue::entry_price(const std::string& perp_key) const {
  return ledger_.entry_price(perp_key);
}

VenuePlan CexVenue::price(const Order& order) {
  switch (order.operation) {
    case Operation::spot_trade:
      return price_spot(order);
    case Operation::perp_trade:
      return price_perp(order);
    default:
      return price_transfer(order);
  }
}

VenuePlan CexVenue::price_spot(const Order& order) const {
  Fill fill;
  if (cache_.market_version != market_version()) cache_ = PriceCache{market_version(), {}, {}};
  if (auto failure = price_fill(order, config_, market(), cache_, fill))
    return rejected_plan(order, failure->code, failure->message);
  const Amount q = order.amount;
  // The book pays its notional rounded up and receives it rounded down; the fee rounds up.
  const Amount notional = mul(q, fill.price, fill.buys ? Rounding::up : Rounding::down);

  VenuePlan plan;
  auto& hs = plan.handshake;
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = q;
  hs.executed_price = fill.price;
  hs.position_deltas[wallet_key(name(), fill.base)] = fill.buys ? q : -q;
  hs.position_deltas[wallet_key(name(), fill.quote)] = fill.buys ? -notional : notional;
  hs.fee_amount = mul(notional, config_.taker_fee_rate, Rounding::up);
  hs.fee_currency = fill.quote;
  hs.fee_venue = name();
  return plan;
}

VenuePlan CexVenue::price_perp(const Order& order) {
  Fill fill;
  if (cache_.market_version != market_version()) cache_ = PriceCache{market_version(), {}, {}};
  if (auto failure = price_fill(order, config_, market(), cache_, fill))
    return rejected_plan(order, failure->code, failure->message);
  const Amount q = order.amount;
  const Amount p = fill.price;
  const Amount signed_size = fill.buys ? q : -q;
  const std::string perp_key =
      make_position_key(name(), PositionType::Perp, fill.base + fill.quote);
  const std::string settlement_key =
      make_position_key(name(), PositionType::BaseToken, config_.settlement_token);
  // A key the book does not hold reads as flat here; the ledger check then reports POS-001.
  const Amount old_size = ledger_.balance(perp_key).value_or(Amount{});
  // The ledger moves the entry when the legs apply (PositionBook, the monitor's rule too).
  const Amount entry = entry_price(perp_key).value_or(p);

  VenuePlan plan;
  auto& hs = plan.handshake;
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = q;
  hs.executed_price = p;
  hs.position_deltas[perp_key] = signed_size;
  hs.fee_amount = mul(mul(q, p, Rounding::up), config_.taker_fee_rate, Rounding::up);
  hs.fee_currency = config_.settlement_token;
  hs.fee_venue = name();
  if (auto pnl = perp_realised_pnl(old_size, entry, signed_size, p))
    hs.position_deltas[settlement_key] = *pnl;
  return plan;
}

std::optional<Amount> CexVenue::funding_rate(const std::string& perp_symbol) const {
  auto rates = market().funding_rates.find(name());
  if (rates == market().funding_rates.end()) return std::nullopt;
  auto rate = rates->second.find(perp_symbol);
  if (rate == rates->second.end()) return std::nullopt;
  return rate->second;
}

Settlement CexVenue::settle() {
  Settlement settlement;
  auto& deltas = settlement.deltas;
  const std::string settlement_key =
      make_position_key(name(), PositionType::BaseToken, config_.settlement_token);
  if (!ledger_.holds(settlement_key)) return settlement;
  // snapshot() is ordered by key, so the deltas come out in the same order on every run.
  try {
    for (const auto& [key, size] : ledger_.snapshot()) {
      auto parsed = parse_position_key(key);
      if (!parsed || parsed->type != PositionType::Perp || size.is_zero()) continue;
      auto rate = funding_rate(parsed->symbol);
      auto mark = perp_mark_price(market(), parsed->symbol, config_.settlement_token);
      if (!rate || !mark) continue;
      // A long pays a positive rate. The notional at the mark half-even; the payment is the
      // book's credit, rounded toward -infinity: floor(-(n * r)) = -ceiling(n * r).
      const Amount notional = mul(size, *mark, Rounding::half_even);
      const Amount payment = -mul(notional, *rate, Rounding::ceiling);
      if (payment.is_zero()) continue;
      ExecutionDelta delta;
      delta.position_key = settlement_key;
      delta.delta_amount = payment;
      delta.source = DeltaSource::funding;
      delta.price = *mark;
      deltas.push_back(std::move(delta));
    }
  } catch (const AmountOverflow& overflow) {
    settlement = Settlement{};
    settlement.failure = {ErrorCode::ven_amount_overflow, overflow.what()};
    return settlement;
  }
  if (auto failure = ledger_.check_range(deltas)) {
    settlement = Settlement{};
    settlement.failure = std::move(*failure);
    return settlement;
  }
  ledger_.apply(deltas);
  return settlement;
}

}  // namespace tightloop
