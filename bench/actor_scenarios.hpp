// The scenarios that run through the real actors. Drivers live inside the actor system (one per
// book) and never block per order: a closed-loop driver sends the next order when the previous
// result arrives; an open-loop pacer sends at fixed times whatever the book is doing. No CAF in
// this header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace tightloop::bench {

struct ClosedLoopRun {
  std::size_t books = 0;
  std::size_t threads = 0;  // scheduler threads actually used
  std::string policy;
  std::size_t orders = 0;      // measured orders, all books
  double seconds = 0.0;        // first send to last result
  double all_busy_seconds = 0.0;    // first send until the first book finished
  std::size_t all_busy_orders = 0;  // results within all_busy_seconds
  std::vector<std::int64_t> latencies_ns;  // one per measured order, all books
  double slowest_book_orders_per_second = 0.0;
  double fastest_book_orders_per_second = 0.0;
  std::size_t failures = 0;  // not executed, or not reconciled
  std::string first_failure;
};

// Spawns `books` copies of config.books[0] on a fresh actor system (config.scheduler), runs
// `warmup_per_book` orders per book, then `orders_per_book` measured ones per book, all books
// at once.
ClosedLoopRun run_closed_loop(const Config& config, std::size_t books,
                              std::size_t orders_per_book, std::size_t warmup_per_book);

// The floor of this stack on the machine at hand: five CAF actors in the order path's shape
// (driver -> manager -> venue -> manager -> updater -> monitor -> updater -> manager -> driver,
// 8 messages, the product's count with the client's request and reply) doing request/response
// on an integer, no business logic. Same scheduler settings as `config`.
struct FloorRun {
  std::size_t threads = 0;
  std::size_t orders = 0;
  double seconds = 0.0;
  std::vector<std::int64_t> latencies_ns;
  static constexpr int messages_per_order = 8;
};
FloorRun run_floor(const Config& config, std::size_t orders, std::size_t warmup);

// Where one order's time goes, measured on a book whose venue actors sit behind a timing probe
// (one extra hop, inside `venue`). Per order, in ns:
//   to_venue     driver sends -> the venue's probe receives (driver and manager mailboxes,
//                admission, routing)
//   venue        the probe forwards -> the venue's handshake is back at the probe (the venue's
//                work, its mailbox, and the probe's own hop)
//   after_venue  handshake leaves the probe -> the driver has the result (the handshake's way
//                back, the update handler, the monitor's apply, the comparison, the result)
struct HopBreakdown {
  std::size_t orders = 0;
  std::vector<std::int64_t> to_venue_ns, venue_ns, after_venue_ns, total_ns;
};
HopBreakdown run_hop_breakdown(const Config& config, std::size_t orders, std::size_t warmup);

struct OpenLoopRun {
  std::int64_t batch_interval_us = 0;  // 0: one hand-over per order
  double offered_per_second = 0.0;
  double achieved_per_second = 0.0;  // results / (last result - first scheduled send)
  std::size_t orders = 0;
  std::size_t threads = 0;
  std::string policy;
  std::vector<std::int64_t> latencies_ns;  // result time - scheduled send time
  std::vector<std::int64_t> pacer_lag_ns;  // actual send time - scheduled send time
  std::size_t failures = 0;
  std::string first_failure;
};

// One book; order i is due at start + i / rate. Its latency counts from that time, so a book
// that falls behind shows the queueing (no coordinated omission). batch_interval_us > 0: the
// pacer hands over everything due once per interval in one message (a daemon's batching);
// 0: one message per order at its due time.
OpenLoopRun run_open_loop(const Config& config, double orders_per_second, double seconds,
                          std::size_t warmup, std::int64_t batch_interval_us = 0);

struct MemoryProbe {
  std::size_t requested = 0;
  std::size_t spawned = 0;
  std::size_t actors_per_book = 0;
  std::int64_t rss_before_bytes = 0;
  std::int64_t rss_config_bytes = 0;  // after building the config of every book, before spawning
  std::int64_t rss_after_bytes = 0;
  double spawn_seconds = 0.0;
  bool complete = false;  // false when the time budget stopped the spawning early
};

// Spawns up to `books` idle books and reads the resident set size before and after; stops
// spawning when `budget_seconds` have passed. Leaves the actor system and the books running
// (tearing 100k books down is not what we measure): call it in a fresh process that exits right
// after, `tightloop-bench --memory-child`, where no earlier scenario's heap blurs the figure.
MemoryProbe probe_memory(const Config& config, std::size_t books, double budget_seconds);

}  // namespace tightloop::bench
