// A book's input stream as a strategy hands it over: orders, market updates and
// position_refresh triggers, in the order they must take effect.
#pragma once

#include <cstdint>
#include <vector>

#include "messages/market_data.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

enum class StreamEntryKind : std::uint8_t { order, refresh, market };

struct StreamEntry {
  StreamEntryKind kind = StreamEntryKind::order;
  Order order;        // kind order
  MarketData market;  // kind market: the complete market data from this point on
};

struct StreamEntryResult {
  OrderResult order;      // kind order
  RefreshResult refresh;  // kind refresh
};

struct StreamResult {
  std::vector<StreamEntryResult> entries;  // one per StreamEntry, same order
  BookResult book;  // positions and halt state after the whole stream (book.results empty)
};

}  // namespace tightloop
