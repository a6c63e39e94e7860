// The runtime's configuration as plain data. Parsing and validation: config_loader.hpp.
// Every field and its default is documented in config/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "messages/fault_spec.hpp"
#include "messages/market_data.hpp"

namespace tightloop {

enum class VenueKind : std::uint8_t { cex, lending, staking, dex, wallet };
inline constexpr std::size_t venue_kind_count = 5;

std::string_view to_string(VenueKind kind);

struct VenueConfig {
  std::string name;
  VenueKind kind = VenueKind::cex;
  double taker_fee_rate = 0.0;              // cex: fee = notional * rate, in the quote token
  double slippage_bps = 0.0;                // cex: fill vs reference; dex: price impact
  std::string settlement_token = "USDT";    // cex: perp PnL, fees and funding settle here
  std::string wallet;                       // lending, staking, dex: wallet venue holding tokens
  double flash_fee_rate = 0.0005;           // lending: flash loan fee, paid on flash_repay
  double pool_fee_rate = 0.003;             // dex: taken from the output token
  double default_slippage_tolerance = 0.005;  // dex: when the order has none
  std::map<std::string, std::string> lst;   // staking: base symbol -> LST symbol
  std::map<std::string, double> transfer_fees;  // cex, wallet: token -> fixed fee per transfer
  std::vector<FaultSpec> faults;            // all kinds: injected faults, in config order
};

struct BookConfig {
  std::string name;
  std::vector<std::string> subscribed_keys;          // only these positions exist
  std::map<std::string, double> initial_positions;   // venue ledgers start equal to these
};

struct ReconciliationConfig {
  double absolute_tolerance = 1e-9;
  double relative_tolerance = 1e-9;
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
};

struct Config {
  SchedulerConfig scheduler;
  LogConfig log;
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
