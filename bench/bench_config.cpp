#include "bench/bench_config.hpp"

#include <stdexcept>

#include "config/config_loader.hpp"

namespace tightloop::bench {

namespace {

nlohmann::json scheduler_json(const SchedulerConfig& scheduler) {
  return {{"threads", scheduler.threads}, {"policy", scheduler.policy}};
}

// Balances are large enough that fees (about 5 USDT and 0.002 WETH per cycle) cannot exhaust
// them within any run, yet small enough that doubles keep sub-micro precision.
nlohmann::json full_book() {
  auto keys = nlohmann::json::array(
      {"binance:BaseToken:BTC", "binance:BaseToken:USDT", "binance:Perp:BTCUSDT",
       "wallet:BaseToken:WETH", "wallet:BaseToken:USDT", "wallet:BaseToken:USDC",
       "wallet:LST:weETH", "aave:aToken:WETH", "aave:debtToken:WETH"});
  auto initial = nlohmann::json{{"binance:BaseToken:BTC", 1.0e6},
                                {"binance:BaseToken:USDT", 1.0e10},
                                {"wallet:BaseToken:WETH", 1.0e8},
                                {"wallet:BaseToken:USDT", 1.0e9},
                                {"wallet:BaseToken:USDC", 1.0e10},
                                {"wallet:LST:weETH", 1.0e6},
                                {"aave:aToken:WETH", 1.0e6},
                                {"aave:debtToken:WETH", 1.0e3}};
  return {{"name", "book"}, {"subscribed_keys", keys}, {"initial_positions", initial}};
}

Order base_order(const char* venue, Operation op, const char* amount) {
  Order order;
  order.venue = venue;
  order.operation = op;
  order.amount = *parse_amount(amount).amount;
  return order;
}

Order trade(Operation op, Side side, const char* amount) {
  auto order = base_order("binance", op, amount);
  order.pair = "BTC/USDT";
  order.side = side;
  return order;
}

Order token_op(const char* venue, Operation op, const char* amount, const char* in,
               const char* out) {
  auto order = base_order(venue, op, amount);
  order.token_in = in;
  order.token_out = out;
  return order;
}

Order transfer(const char* from, const char* to, const char* amount) {
  auto order = base_order(from, Operation::transfer, amount);
  order.token_in = "USDT";
  order.target_venue = to;
  return order;
}

// Trades dominate, as in a trading book; every on-chain kind and transfers are in it too.
const std::vector<Order>& mix() {
  static const std::vector<Order> orders = [] {
    std::vector<Order> v;
    v.push_back(trade(Operation::spot_trade, Side::buy, "0.01"));
    v.push_back(token_op("uniswap", Operation::swap, "0.5", "WETH", "USDC"));
    v.push_back(trade(Operation::spot_trade, Side::sell, "0.01"));
    v.push_back(token_op("aave", Operation::supply, "1.0", "WETH", ""));
    v.push_back(trade(Operation::perp_trade, Side::long_, "0.01"));
    v.push_back(token_op("etherfi", Operation::stake, "1.0", "WETH", ""));
    v.push_back(trade(Operation::perp_trade, Side::short_, "0.01"));
    v.push_back(transfer("binance", "wallet", "100.0"));
    v.push_back(trade(Operation::spot_trade, Side::buy, "0.02"));
    v.push_back(token_op("aave", Operation::borrow, "1.0", "", "WETH"));
    v.push_back(trade(Operation::spot_trade, Side::sell, "0.02"));
    v.push_back(token_op("uniswap", Operation::swap, "1000.0", "USDC", "WETH"));
    v.push_back(token_op("aave", Operation::repay, "1.0", "WETH", ""));
    v.push_back(token_op("etherfi", Operation::unstake, "0.5", "weETH", ""));
    v.push_back(transfer("wallet", "binance", "100.0"));
    // 1 WETH supplied at liquidity index 1.25 is 0.8 aToken.
    v.push_back(token_op("aave", Operation::withdraw, "0.8", "", "WETH"));
    return v;
  }();
  return orders;
}

std::string describe(const Order& order) {
  std::string text = order.venue + " " + std::string(to_string(order.operation));
  if (order.side) text += " " + std::string(to_string(*order.side));
  text += " " + format(order.amount);
  if (!order.pair.empty()) text += " " + order.pair;
  if (!order.token_in.empty()) text += " in " + order.token_in;
  if (!order.token_out.empty()) text += " out " + order.token_out;
  if (!order.target_venue.empty()) text += " to " + order.target_venue;
  return text;
}

}  // namespace

nlohmann::json full_config_json(const SchedulerConfig& scheduler) {
  auto config = nlohmann::json::parse(R"({
    "log": {"level": "warning"},
    "venue_timeout_ms": 5000,
    "market": {
      "prices": {"BTC": 60000, "USDT": 1, "WETH": 2000, "weETH": 4000, "USDC": 1},
      "indices": {"aave": {"WETH": {"liquidity_index": 1.25, "borrow_index": 2.0}}},
      "staking_rates": {"etherfi": {"weETH": 0.5}}
    },
    "venues": [
      {"name": "binance", "kind": "cex", "taker_fee_rate": 0.001, "slippage_bps": 0,
       "settlement_token": "USDT", "transfer_fees": {"USDT": 1}},
      {"name": "wallet", "kind": "wallet"},
      {"name": "aave", "kind": "lending", "wallet": "wallet"},
      {"name": "etherfi", "kind": "staking", "wallet": "wallet", "lst": {"WETH": "weETH"}},
      {"name": "uniswap", "kind": "dex", "wallet": "wallet", "pool_fee_rate": 0.003,
       "slippage_bps": 0}
    ]
  })");
  config["scheduler"] = scheduler_json(scheduler);
  config["books"] = nlohmann::json::array({full_book()});
  return config;
}

nlohmann::json small_config_json(const SchedulerConfig& scheduler) {
  auto config = nlohmann::json::parse(R"({
    "log": {"level": "warning"},
    "market": {"prices": {"BTC": 60000, "USDT": 1}},
    "venues": [
      {"name": "binance", "kind": "cex", "taker_fee_rate": 0.001, "settlement_token": "USDT"},
      {"name": "wallet", "kind": "wallet"}
    ],
    "books": [{"name": "book",
               "subscribed_keys": ["binance:BaseToken:BTC", "binance:BaseToken:USDT",
                                   "binance:Perp:BTCUSDT", "wallet:BaseToken:USDT"],
               "initial_positions": {"binance:BaseToken:USDT": 100000}}]
  })");
  config["scheduler"] = scheduler_json(scheduler);
  return config;
}

Config load_config(const nlohmann::json& json) {
  auto loaded = parse_config(json);
  if (!loaded.ok())
    throw std::runtime_error("benchmark config refused: " + loaded.failure.describe());
  return loaded.config;
}

Config with_books(Config config, const std::vector<std::string>& names) {
  const BookConfig model = config.books.at(0);
  config.books.clear();
  config.books.reserve(names.size());
  for (const auto& name : names) {
    config.books.push_back(model);
    config.books.back().name = name;
  }
  config.reindex();
  return config;
}

std::vector<std::string> numbered(const std::string& prefix, std::size_t count) {
  std::vector<std::string> names;
  names.reserve(count);
  for (std::size_t i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

std::size_t mix_cycle_length() { return mix().size(); }

std::vector<std::string> mix_description() {
  std::vector<std::string> lines;
  for (const auto& order : mix()) lines.push_back(describe(order));
  return lines;
}

std::vector<Order> make_orders(std::size_t count, std::uint64_t first_id) {
  const auto& cycle = mix();
  std::vector<Order> orders;
  orders.reserve(count);
  for (std::uint64_t id = first_id; id < first_id + count; ++id) {
    orders.push_back(cycle[id % cycle.size()]);
    orders.back().operation_id = std::to_string(id);
  }
  return orders;
}

}  // namespace tightloop::bench
