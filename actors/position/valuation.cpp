#include "actors/position/valuation.hpp"

#include "messages/position_key.hpp"

namespace tightloop {

namespace {

std::optional<Amount> price_of(const MarketData& market, const std::string& symbol) {
  auto it = market.prices.find(symbol);
  if (it == market.prices.end() || it->second.sign() <= 0) return std::nullopt;
  return it->second;
}

const LendingIndex* index_of(const MarketData& market, const PositionKey& key) {
  auto venue = market.indices.find(key.venue);
  if (venue == market.indices.end()) return nullptr;
  auto asset = venue->second.find(key.symbol);
  return asset == venue->second.end() ? nullptr : &asset->second;
}

// One key's value, or the reason it has none. Products are half-even (a neutral figure) except
// where the value is what a venue would pay or charge: the underlying of an aToken is what
// withdrawing it all pays [down], of a debtToken what repaying it all costs [up], and a perp's
// unrealised PnL is what closing at the mark would realise [floor].
std::optional<std::string> value_key(const std::string& key, Amount amount,
                                     const std::map<std::string, Amount>& entry_prices,
                                     const MarketData& market, const SettlementTokens& settlement,
                                     PositionValue& out) {
  auto parsed = parse_position_key(key);
  if (!parsed) return "not a position key";
  auto need_price = [&](const std::string& symbol, std::optional<std::string>& why) {
    auto price = price_of(market, symbol);
    if (!price) why = "no price for " + symbol;
    return price;
  };
  std::optional<std::string> why;
  switch (parsed->type) {
    case PositionType::BaseToken:
    case PositionType::LST: {
      if (amount.is_zero()) return std::nullopt;
      auto price = need_price(parsed->symbol, why);
      if (price) out.value = mul(amount, *price, Rounding::half_even);
      return why;
    }
    case PositionType::aToken:
    case PositionType::debtToken: {
      const bool debt = parsed->type == PositionType::debtToken;
      const LendingIndex* index = index_of(market, *parsed);
      if (!index) return amount.is_zero() ? std::nullopt
                                          : std::optional<std::string>(
                                                "no lending index for " + parsed->symbol +
                                                " on " + parsed->venue);
      out.underlying = debt ? mul(amount, index->borrow_index, Rounding::up)
                            : mul(amount, index->liquidity_index, Rounding::down);
      if (amount.is_zero()) return std::nullopt;
      auto price = need_price(parsed->symbol, why);
      if (price) out.value = mul(debt ? -*out.underlying : *out.underlying, *price,
                                 Rounding::half_even);
      return why;
    }
    case PositionType::Perp: {
      auto token = settlement.find(parsed->venue);
      if (token != settlement.end())
        out.mark_price = perp_mark_price(market, parsed->symbol, token->second);
      auto entry = entry_prices.find(key);
      if (entry != entry_prices.end()) out.entry_price = entry->second;
      if (amount.is_zero()) {
        out.unrealised_pnl = Amount{};
        return std::nullopt;
      }
      if (token == settlement.end()) return "no cex venue '" + parsed->venue + "' settles it";
      if (!out.mark_price) return "no mark price for " + parsed->symbol + " in " + token->second;
      if (!out.entry_price) return "no entry price (its size moved only out of band)";
      out.unrealised_pnl = mul(amount, *out.mark_price - *out.entry_price, Rounding::floor);
      auto price = need_price(token->second, why);
      if (price) out.value = mul(*out.unrealised_pnl, *price, Rounding::half_even);
      return why;
    }
  }
  return "unknown position type";
}

}  // namespace

SettlementTokens settlement_tokens(const std::vector<VenueConfig>& venues) {
  SettlementTokens tokens;
  for (const auto& venue : venues)
    if (venue.kind == VenueKind::cex) tokens.emplace(venue.name, venue.settlement_token);
  return tokens;
}

std::optional<Amount> perp_mark_price(const MarketData& market, const std::string& perp_symbol,
                                      const std::string& settlement_token) {
  const std::size_t n = settlement_token.size();
  const bool settles_here = perp_symbol.size() > n &&
                            perp_symbol.compare(perp_symbol.size() - n, n, settlement_token) == 0;
  if (!settles_here) return std::nullopt;
  auto base_price = price_of(market, perp_symbol.substr(0, perp_symbol.size() - n));
  auto settlement_price = price_of(market, settlement_token);
  if (!base_price || !settlement_price) return std::nullopt;
  return div(*base_price, *settlement_price, Rounding::half_even);
}

Valuation value_positions(const std::map<std::string, Amount>& positions,
                          const std::map<std::string, Amount>& entry_prices,
                          const MarketData& market, const SettlementTokens& settlement) {
  Valuation valuation;
  std::optional<Amount> nav = Amount{};
  for (const auto& [key, amount] : positions) {
    PositionValue value;
    std::optional<std::string> why;
    try {
      why = value_key(key, amount, entry_prices, market, settlement, value);
    } catch (const AmountOverflow&) {
      why = "its value leaves the amount range";
    }
    if (why) {
      valuation.unpriced.emplace(key, std::move(*why));
      nav.reset();
      continue;
    }
    if (nav) nav = checked_add(*nav, value.value);
    valuation.positions.emplace(key, std::move(value));
  }
  valuation.nav = nav;
  return valuation;
}

BookValuation value_book(const std::map<std::string, Amount>& positions,
                         const std::map<std::string, Amount>& entry_prices, const HaltInfo& halt,
                         const MarketData& market, const SettlementTokens& settlement) {
  BookValuation result;
  result.expected = value_positions(positions, entry_prices, market, settlement);
  if (!halt.halted) return result;
  auto reported = positions;
  for (const auto& mismatch : halt.mismatches)
    reported[mismatch.position_key] = mismatch.reported.value_or(Amount{});
  result.venue = value_positions(reported, entry_prices, market, settlement);
  return result;
}

}  // namespace tightloop
