#include "messages/market_json.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace tightloop {

namespace {

using nlohmann::json;

// Thrown inside this file only; merge_market_json turns it into a Failure.
struct Invalid {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Invalid{path.empty() ? what : path + ": " + what};
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// "string \"x\"", "number 1.5" (a raw number is a number, not the binary node it is inside).
std::string shown(const json& value) {
  const std::string type = is_raw_number(value) ? "number" : value.type_name();
  return type + " " + shown_json(value, 37);
}

void require_object(const json& value, const std::string& path) {
  if (!value.is_object()) fail(path, "must be an object, got " + shown(value));
}

void require_key(const std::string& key, const std::string& path) {
  if (key.empty()) fail(path, "keys must not be empty");
}

// An exact amount (a JSON number or a decimal string); `rule` completes "must be ...".
Amount exact_amount(const json& value, const std::string& path, const std::string& rule) {
  if (!is_json_number(value) && !value.is_string())
    fail(path, "must be " + rule + " (or a decimal string), got " + shown(value));
  std::string why;
  auto amount = amount_from_json(value, why);
  if (!amount) fail(path, "must be " + rule + ", got " + shown_json(value) + ": " + why);
  return *amount;
}

Amount any_amount(const json& value, const std::string& path) {
  return exact_amount(value, path, "a number");
}

Amount positive_amount(const json& value, const std::string& path) {
  Amount amount = exact_amount(value, path, "a number > 0");
  if (amount.sign() <= 0) fail(path, "must be a number > 0, got " + shown_json(value));
  return amount;
}

void merge_prices(const json& section, const std::string& path,
                  std::map<std::string, Amount>& prices) {
  require_object(section, path);
  for (const auto& [symbol, value] : section.items()) {
    require_key(symbol, path);
    prices[symbol] = positive_amount(value, child(path, symbol));
  }
}

void merge_index(const json& value, const std::string& path, LendingIndex& index) {
  require_object(value, path);
  if (value.empty()) fail(path, "must name liquidity_index, borrow_index or both");
  for (const auto& [field, number] : value.items()) {
    if (field == "liquidity_index")
      index.liquidity_index = positive_amount(number, child(path, field));
    else if (field == "borrow_index")
      index.borrow_index = positive_amount(number, child(path, field));
    else
      fail(path, "unknown field '" + field + "' (allowed: liquidity_index, borrow_index)");
  }
}

void merge_indices(const json& section, const std::string& path,
                   std::map<std::string, std::map<std::string, LendingIndex>>& indices) {
  require_object(section, path);
  for (const auto& [venue, assets] : section.items()) {
    require_key(venue, path);
    auto venue_path = child(path, venue);
    require_object(assets, venue_path);
    for (const auto& [asset, index] : assets.items()) {
      require_key(asset, venue_path);
      merge_index(index, child(venue_path, asset), indices[venue][asset]);
    }
  }
}

// staking_rates (> 0) and funding_rates (any sign): venue -> symbol -> amount.
void merge_venue_rates(const json& section, const std::string& path, bool positive_only,
                       std::map<std::string, std::map<std::string, Amount>>& rates) {
  require_object(section, path);
  for (const auto& [venue, symbols] : section.items()) {
    require_key(venue, path);
    auto venue_path = child(path, venue);
    require_object(symbols, venue_path);
    for (const auto& [symbol, value] : symbols.items()) {
      require_key(symbol, venue_path);
      auto symbol_path = child(venue_path, symbol);
      rates[venue][symbol] =
          positive_only ? positive_amount(value, symbol_path) : any_amount(value, symbol_path);
    }
  }
}

void merge_sections(const json& value, const std::string& path, MarketData& market) {
  require_object(value, path);
  for (const auto& [field, section] : value.items()) {
    auto section_path = child(path, field);
    if (field == "prices")
      merge_prices(section, section_path, market.prices);
    else if (field == "indices")
      merge_indices(section, section_path, market.indices);
    else if (field == "staking_rates")
      merge_venue_rates(section, section_path, true, market.staking_rates);
    else if (field == "funding_rates")
      merge_venue_rates(section, section_path, false, market.funding_rates);
    else
      fail(path, "unknown field '" + field +
                     "' (allowed: prices, indices, staking_rates, funding_rates)");
  }
}

}  // namespace

std::optional<Failure> merge_market_json(const nlohmann::json& value, MarketData& into,
                                         std::string_view path, ErrorCode code) {
  MarketData merged = into;  // all or nothing: a bad event must not half-apply
  try {
    merge_sections(value, std::string(path), merged);
  } catch (const Invalid& invalid) {
    return Failure{code, invalid.message};
  }
  into = std::move(merged);
  return std::nullopt;
}

nlohmann::json encode_market(const MarketData& market, AmountStyle style) {
  json indices = json::object();
  for (const auto& [venue, assets] : market.indices) {
    json venue_indices = json::object();
    for (const auto& [asset, index] : assets) {
      json entry = json::object();
      entry["liquidity_index"] = amount_json(index.liquidity_index, style);
      entry["borrow_index"] = amount_json(index.borrow_index, style);
      venue_indices[asset] = std::move(entry);
    }
    indices[venue] = std::move(venue_indices);
  }
  auto amounts = [style](const std::map<std::string, Amount>& by_symbol) {
    json out = json::object();
    for (const auto& [symbol, amount] : by_symbol) out[symbol] = amount_json(amount, style);
    return out;
  };
  auto nested = [&](const std::map<std::string, std::map<std::string, Amount>>& rates) {
    json out = json::object();
    for (const auto& [venue, symbols] : rates) out[venue] = amounts(symbols);
    return out;
  };
  json prices = amounts(market.prices);
  return {{"prices", std::move(prices)},
          {"indices", std::move(indices)},
          {"staking_rates", nested(market.staking_rates)},
          {"funding_rates", nested(market.funding_rates)}};
}

}  // namespace tightloop
