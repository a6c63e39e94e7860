// What a server hands the books without blocking: requests in batches, each answered through
// its callback on an actor thread (the caller moves the answer to its own thread). No CAF here:
// runtime/runtime.hpp exposes it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "messages/book_status.hpp"
#include "messages/market_data.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

enum class IngressKind : std::uint8_t {
  batch,      // orders as one batch: BookResult (results, positions, valuation)
  order,      // orders[0] alone: OrderResult, no positions snapshot
  positions,  // an empty batch: BookResult with the positions, after everything before it
  status,     // BookStatus
  resume,     // ResumeResult
  refresh,    // RefreshResult
  market,     // market data for the book (complete): bool
  drain,      // shutdown: nothing queued starts any more (EM-007)
};

struct IngressReply {
  std::string error;  // non-empty: the book did not answer (the runtime's reason)
  BookResult book;
  OrderResult order;
  BookStatus status;
  ResumeResult resume;
  RefreshResult refresh;
};

struct IngressRequest {
  IngressKind kind = IngressKind::batch;
  std::string book;
  std::vector<Order> orders;
  MarketData market;
  std::function<void(IngressReply&&)> done;  // called once, on an actor thread
};

}  // namespace tightloop
