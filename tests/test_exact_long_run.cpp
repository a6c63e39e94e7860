// A long run with exact amounts: 100k orders of a mix that rounds (lending indices 1.25 and 2,
// a staking rate of 0.5, fees, swaps, perp PnL) through the venue simulators and a position
// book fed with the same execution deltas. At the end the book and every venue ledger agree
// exactly, with tolerance zero, as reconciliation now expects of a simulated venue.
#include <doctest/doctest.h>

#include "actors/position/delta_conversion.hpp"
#include "actors/position/position_book.hpp"
#include "actors/position/reconciliation.hpp"
#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

namespace {

std::vector<Order> mix() {
  const std::vector<nlohmann::json> shapes = {
      {{"venue", "binance"}, {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", "BUY"},
       {"amount", "0.000123456789012345"}},
      {{"venue", "binance"}, {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", "SELL"},
       {"amount", "0.000123456789012344"}},
      {{"venue", "binance"}, {"operation", "perp_trade"}, {"pair", "BTC/USDT"}, {"side", "LONG"},
       {"amount", "0.003"}},
      {{"venue", "binance"}, {"operation", "perp_trade"}, {"pair", "BTC/USDT"}, {"side", "SHORT"},
       {"amount", "0.0029999"}},
      {{"venue", "aave"}, {"operation", "supply"}, {"token_in", "WETH"}, {"amount", "0.0100001"}},
      {{"venue", "aave"}, {"operation", "withdraw"}, {"token_out", "WETH"}, {"amount", "0.008"}},
      {{"venue", "aave"}, {"operation", "borrow"}, {"token_out", "WETH"}, {"amount", "0.0030003"}},
      {{"venue", "aave"}, {"operation", "repay"}, {"token_in", "WETH"}, {"amount", "0.003"}},
      {{"venue", "etherfi"}, {"operation", "stake"}, {"token_in", "WETH"}, {"amount", "0.0011"}},
      {{"venue", "etherfi"}, {"operation", "unstake"}, {"token_in", "weETH"},
       {"amount", "0.00055"}},
      {{"venue", "uniswap"}, {"operation", "swap"}, {"token_in", "USDC"}, {"token_out", "WETH"},
       {"amount", "2.000000000000000001"}},
      {{"venue", "uniswap"}, {"operation", "swap"}, {"token_in", "WETH"}, {"token_out", "USDC"},
       {"amount", "0.000999"}},
      {{"venue", "binance"}, {"operation", "transfer"}, {"token_in", "USDT"},
       {"target_venue", "wallet"}, {"amount", "1.5"}},
  };
  std::vector<Order> orders;
  for (auto shape : shapes) {
    shape["operation_id"] = "template";
    orders.push_back(test::order_from(shape));
  }
  return orders;
}

}  // namespace

TEST_CASE("100k orders: the position book and every venue ledger agree exactly at the end") {
  const auto config = test::exact_config({"main"});
  const auto& book_config = config.books.front();
  VenueSet venues(config, book_config, std::make_shared<const MarketData>(config.market));
  PositionBook book = opening_positions(book_config);
  REQUIRE(book.size() == book_config.subscribed_keys.size());
  const auto templates = mix();
  constexpr int orders = 100000;
  int executed = 0, refused = 0;
  for (int i = 0; i < orders; ++i) {
    Order order = templates[static_cast<std::size_t>(i) % templates.size()];
    order.operation_id = "long-" + std::to_string(i);
    const auto handshake = venues.execute(order);
    if (handshake.status != HandshakeStatus::executed) {
      ++refused;
      continue;
    }
    ++executed;
    const auto deltas = to_execution_deltas(handshake);
    REQUIRE_FALSE(book.apply_checked(deltas, ErrorCode::pos_negative_balance));
    // The venue's reported balances are its ledgers after the order: equal, not close.
    const auto keys = touched_keys(deltas);
    REQUIRE(compare_balances(book.amounts(keys), venues.balances(keys), Tolerance{}).empty());
  }
  // Most orders execute; the rest fail at a venue (a balance ran out) and apply nothing.
  CHECK(executed > orders * 9 / 10);
  CHECK(executed + refused == orders);
  const auto positions = book.snapshot();
  std::vector<std::string> keys;
  for (const auto& [key, amount] : positions) keys.push_back(key);
  const auto ledgers = venues.balances(keys);
  CHECK(ledgers == positions);
  CHECK(compare_balances(positions, ledgers, Tolerance{}).empty());
}
