// The direct-call baseline: one book's tight loop as plain function calls, no actors. Per order
// it does exactly the work the actors do (admission and the operation_id rule, route, venue plan and
// commit with remote legs, deltas, monitor check + apply + amounts, venue balances, compare), so
// actor throughput / direct throughput is the price of the actor runtime.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "actors/position/position_book.hpp"
#include "actors/position/reconciliation.hpp"
#include "actors/venues/venue_set.hpp"
#include "config/config.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"

namespace tightloop::bench {

// Per order, the time each stage of the work takes (only when asked: the clock reads cost).
struct StageTimes {
  std::vector<std::int64_t> admit_route_ns, venue_ns, apply_ns, compare_ns;
};

class DirectBook {
 public:
  DirectBook(const Config& config, const BookConfig& book);
  OrderResult execute(const Order& order);
  void time_stages(StageTimes* stages) { stages_ = stages; }

 private:
  OrderResult route_and_apply(const Order& order);  // after admission
  void mark(std::vector<std::int64_t> StageTimes::*stage);  // ends a stage when timing them

  std::map<std::string, VenueKind> kinds_;
  VenueSet venues_;
  PositionBook positions_;
  Tolerance tolerance_;
  std::string book_;
  std::unordered_set<std::string> used_operation_ids_;
  StageTimes* stages_ = nullptr;
  std::chrono::steady_clock::time_point stage_start_;
};

struct DirectRun {
  std::size_t orders = 0;
  double seconds = 0.0;
  std::vector<std::int64_t> latencies_ns;
  std::size_t failures = 0;
  std::string first_failure;
};

// `warmup` orders first (not measured), then `orders` timed one by one; with `stages`, each
// stage of each order is timed too.
DirectRun run_direct(const Config& config, std::size_t orders, std::size_t warmup,
                     StageTimes* stages = nullptr);

}  // namespace tightloop::bench
