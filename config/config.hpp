// The runtime's configuration as plain data. Parsing and validation: config_loader.hpp.
// Every field and its default is documented in config/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "messages/amount.hpp"
#include "messages/fault_spec.hpp"
#include "messages/market_data.hpp"

namespace tightloop {

enum class VenueKind : std::uint8_t { cex, lending, staking, dex, wallet };
inline constexpr std::size_t venue_kind_count = 5;

std::string_view to_string(VenueKind kind);

struct VenueConfig {
  std::string name;
  VenueKind kind = VenueKind::cex;
  Amount taker_fee_rate;                  // cex: fee = notional * rate, in the quote token
  Amount slippage_bps;                    // cex: fill vs reference; dex: price impact
  std::string settlement_token = "USDT";  // cex: perp PnL, fees and funding settle here
  std::string wallet;                     // lending, staking, dex: wallet venue holding tokens
  // lending: flash loan fee, paid on flash_repay (0.0005)
  Amount flash_fee_rate = Amount::from_raw(Amount::scale / 2000);
  // dex: taken from the output token (0.003)
  Amount pool_fee_rate = Amount::from_raw(Amount::scale / 1000 * 3);
  // dex: when the order has none (0.005)
  Amount default_slippage_tolerance = Amount::from_raw(Amount::scale / 200);
  std::map<std::string, std::string> lst;       // staking: base symbol -> LST symbol
  std::map<std::string, Amount> transfer_fees;  // cex, wallet: token -> fixed fee per transfer
  std::vector<FaultSpec> faults;            // all kinds: injected faults, in config order
};

struct BookConfig {
  std::string name;
  std::vector<std::string> subscribed_keys;          // only these positions exist
  std::map<std::string, Amount> initial_positions;   // venue ledgers start equal to these
  std::map<std::string, Amount> entry_prices;        // perp key -> average entry at start
};

struct ReconciliationConfig {
  Amount absolute_tolerance;  // 0: the simulators compute the same integers as the monitor
  Amount relative_tolerance;  // a fraction of the larger magnitude; 0 by default
  int max_attempts = 3;
  std::int64_t initial_backoff_ms = 1000;
  double multiplier = 2.0;
  std::int64_t deadline_ms = 120000;
};

struct SchedulerConfig {
  int threads = 0;                 // 0: one per core
  std::string policy = "stealing"; // stealing or sharing
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warning, error
  std::string file;            // empty: stderr
  std::int64_t rotation_bytes = 0;  // file only: start a new file past this size; 0: never
};

// `tightloop serve` (runtime/daemon.hpp). Limits answer 413/429/431 with a code.
struct ServerConfig {
  std::string address = "127.0.0.1";
  int port = 8080;
  std::string token_file;  // the bearer token: the first line of this file, or
  std::string token_env;   // the value of this environment variable
  std::int64_t max_body_bytes = 1 << 20;
  std::int64_t max_header_bytes = 8192;
  std::int64_t max_orders_per_batch = 10000;
  std::int64_t max_connections = 256;
  std::int64_t idle_timeout_ms = 30000;
  std::int64_t events_retention = 100000;  // events kept for /v1/events?since=N
};

struct Config {
  SchedulerConfig scheduler;
  LogConfig log;
  ServerConfig server;
  ReconciliationConfig reconciliation;
  std::int64_t venue_timeout_ms = 5000;
  MarketData market;
  std::vector<VenueConfig> venues;
  std::vector<BookConfig> books;

  // By name; O(log n) once reindex() has run (the loader does), a scan otherwise.
  const VenueConfig* find_venue(std::string_view name) const;
  const BookConfig* find_book(std::string_view name) const;
  // Call after changing the names or the order of venues or books.
  void reindex();
  std::map<std::string, std::size_t, std::less<>> venue_index, book_index;
  // Symbols some staking venue issues: their wallet keys are of type LST, not BaseToken.
  std::set<std::string> lst_symbols() const;
};

}  // namespace tightloop
