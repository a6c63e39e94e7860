// What the benchmark runs: its configs (built in code from JSON through the real loader) and the
// order mix, which a book can repeat for millions of orders without running out of balance and
// without ever failing reconciliation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "messages/order.hpp"

namespace tightloop::bench {

// Five venues (cex, wallet, lending, staking, dex) and one book "book" with large balances.
nlohmann::json full_config_json(const SchedulerConfig& scheduler);
// Two venues (cex + wallet) and one book: the idle book of the memory scenario.
nlohmann::json small_config_json(const SchedulerConfig& scheduler);

// Through parse_config; throws std::runtime_error with the loader's message if refused.
Config load_config(const nlohmann::json& json);

// The config with its first book copied under each of `names` instead of its own books.
Config with_books(Config config, const std::vector<std::string>& names);
// "<prefix>0" ... "<prefix><count - 1>".
std::vector<std::string> numbered(const std::string& prefix, std::size_t count);

// One cycle of the mix: every order is followed later in the cycle by its inverse (buy/sell,
// long/short, supply/withdraw, borrow/repay, stake/unstake, swap both ways, transfer both ways),
// so balances drift only by fees.
std::size_t mix_cycle_length();
std::vector<std::string> mix_description();  // "binance spot_trade BUY 0.01 BTC/USDT", ...

// Orders number first_id .. first_id + count - 1, operation_id "<number>", cycling the mix from
// position first_id. Built before any timing starts.
std::vector<Order> make_orders(std::size_t count, std::uint64_t first_id);

}  // namespace tightloop::bench
