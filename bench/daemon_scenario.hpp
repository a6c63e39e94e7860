// Scenario 7, `daemon`: load over loopback against a real `tightloop serve` child process (the
// `tightloop` binary built beside the bench). Every client (order connections and the event
// stream follower) is an asynchronous Boost.Beast client on one thread, the caller's: the
// daemon gets the other core. The child is always stopped (SIGTERM, then SIGKILL after a
// bound), whatever happens. bench/README.md describes the phases and the figures.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tightloop::bench {

struct DaemonSizes {
  std::size_t connections = 4;         // batched: one book each
  std::size_t orders_per_request = 100;
  std::size_t batched_orders = 200000;  // timed, over all connections (whole requests)
  std::size_t warmup_requests = 5;      // per connection, before the timed runs
  std::size_t single_orders = 30000;    // one connection, one order per request
  std::size_t single_warmup = 2000;
  double catch_up_bound_seconds = 10.0;  // the event stream after the last batch's answer
  double request_timeout_seconds = 30.0;  // every connect, write and read
};

DaemonSizes daemon_quick_sizes();
nlohmann::json to_json(const DaemonSizes& sizes);

// The in-process one-book closed loop the HTTP tax is measured against.
struct InProcessBaseline {
  double orders_per_second = 0.0;
  std::string source;  // "one_book", "open_loop" (its capacity run), "measured here"
};

// The `tightloop` binary this bench was built with (a compile definition).
std::string default_daemon_binary();

// Runs the phases against a child started from `daemon_binary` with `book_config` (the bench
// config; its books are replaced by one per connection plus "single", and a server section is
// added). Never throws: a failure is {"status": "error", "reason": ...}, the child stopped.
nlohmann::json run_daemon_scenario(const std::string& daemon_binary,
                                   const nlohmann::json& book_config, const DaemonSizes& sizes,
                                   const InProcessBaseline& baseline,
                                   const std::function<void(const std::string&)>& progress);

// [{"name", "target", "value", "met"}] of a scenario result (empty unless it ran).
nlohmann::json daemon_targets(const nlohmann::json& scenario);

// The human lines of a scenario result.
void print_daemon_table(const nlohmann::json& scenario, std::ostream& out);

}  // namespace tightloop::bench
