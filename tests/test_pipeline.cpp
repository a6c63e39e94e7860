// The whole tight loop through the real actors (Runtime): every operation, failures, halting,
// several books at once.
#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"
#include "runtime/runtime.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::exact_config;
using tightloop::test::order_from;

namespace {

std::vector<Order> every_operation_orders() {
  const char* lines[] = {
      R"({"operation_id":"o1","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":0.5})",
      R"({"operation_id":"o2","venue":"binance","operation":"perp_trade","pair":"BTC/USDT","side":"LONG","amount":0.25})",
      R"({"operation_id":"o3","venue":"binance","operation":"perp_trade","pair":"BTC/USDT","side":"SHORT","amount":0.25})",
      R"({"operation_id":"o4","venue":"binance","operation":"transfer","token_in":"USDT","target_venue":"wallet","amount":1000})",
      R"({"operation_id":"o5","venue":"aave","operation":"supply","token_in":"WETH","amount":5})",
      R"({"operation_id":"o6","venue":"aave","operation":"borrow","token_out":"WETH","amount":2})",
      R"({"operation_id":"o7","venue":"aave","operation":"repay","token_in":"WETH","amount":1})",
      R"({"operation_id":"o8","venue":"aave","operation":"withdraw","token_out":"WETH","amount":2})",
      R"({"operation_id":"o9","venue":"etherfi","operation":"stake","token_in":"WETH","amount":4})",
      R"({"operation_id":"o10","venue":"etherfi","operation":"unstake","token_in":"weETH","amount":1})",
      R"({"operation_id":"o11","venue":"uniswap","operation":"swap","token_in":"WETH","token_out":"USDC","amount":1})",
      R"({"operation_id":"o12","venue":"aave","operation":"flash_borrow","token_out":"WETH","amount":1,"execution_mode":"atomic","atomic_group_id":"flash","sequence_in_group":0})",
      R"({"operation_id":"o13","venue":"aave","operation":"flash_repay","token_in":"WETH","amount":1,"execution_mode":"atomic","atomic_group_id":"flash","sequence_in_group":1})",
      R"({"operation_id":"o14","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"SELL","amount":10})",
  };
  std::vector<Order> orders;
  for (const char* line : lines) orders.push_back(order_from(nlohmann::json::parse(line)));
  return orders;
}

const std::map<std::string, double> expected_final_positions{
    {"binance:BaseToken:BTC", 1.5},
    {"binance:BaseToken:USDT", 68939.0},
    {"binance:Perp:BTCUSDT", 0.0},
    {"wallet:BaseToken:WETH", 6.5 + (-1.0 - 0.0005)},
    {"wallet:BaseToken:USDT", 1000.0},
    {"wallet:BaseToken:USDC", 6994.0},
    {"wallet:LST:weETH", 1.0},
    {"aave:aToken:WETH", 2.0},
    {"aave:aToken:weETH", 0.0},
    {"aave:debtToken:WETH", 0.5},
};

std::map<std::string, double> all_venue_ledgers(Runtime& runtime, const std::string& book) {
  std::map<std::string, double> merged;
  for (const auto& venue : runtime.config().venues)
    for (const auto& [key, amount] : runtime.venue_balances(book, venue.name))
      merged.emplace(key, amount);
  return merged;
}

}  // namespace

TEST_CASE("every operation runs through the actor pipeline with exact positions and ledgers") {
  Runtime runtime(exact_config());
  auto result = runtime.run_book("main", every_operation_orders());
  REQUIRE(result.results.size() == 14);
  for (std::size_t i = 0; i < 13; ++i) {
    CAPTURE(i);
    const auto& r = result.results[i];
    CHECK(r.handshake.status == HandshakeStatus::executed);
    CHECK(r.reconciliation.outcome == ReconciliationOutcome::matched);
    CHECK(r.reconciliation.attempts == 1);
    CHECK_FALSE(r.deltas.empty());
  }
  const auto& buy = result.results[0];
  CHECK(buy.handshake.trade_id == "binance-1");
  CHECK(buy.handshake.position_deltas.at("binance:BaseToken:USDT") == -30000.0);
  CHECK(buy.handshake.fee_amount == 30.0);
  REQUIRE(buy.deltas.size() == 2);
  CHECK(buy.deltas[1].position_key == "binance:BaseToken:USDT");
  CHECK(buy.deltas[1].delta_amount == -30030.0);
  CHECK(buy.deltas[1].fee == 30.0);

  const auto& oversell = result.results[13];
  CHECK(oversell.handshake.status == HandshakeStatus::failed);
  CHECK(oversell.handshake.error_code == ErrorCode::ven_insufficient_balance);
  CHECK(oversell.deltas.empty());

  CHECK_FALSE(result.halt.halted);
  CHECK(result.positions == expected_final_positions);
  // The venues kept their own books and arrived at the same numbers.
  CHECK(all_venue_ledgers(runtime, "main") == expected_final_positions);
}

TEST_CASE("the actor pipeline gives the same handshakes as calling the venues directly") {
  auto config = exact_config();
  VenueSet direct(config, config.books.front(), std::make_shared<const MarketData>(config.market));
  Runtime runtime(config);
  auto orders = every_operation_orders();
  auto result = runtime.run_book("main", orders);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    CAPTURE(orders[i].operation_id);
    orders[i].book = "main";
    auto expected = direct.execute(orders[i]);
    const auto& got = result.results[i].handshake;
    CHECK(got.status == expected.status);
    CHECK(got.error_code == expected.error_code);
    CHECK(got.position_deltas == expected.position_deltas);
    CHECK(got.fee_amount == expected.fee_amount);
    CHECK(got.trade_id == expected.trade_id);
  }
}

TEST_CASE("invalid orders fail with their ORD- code and change nothing") {
  Runtime runtime(exact_config());
  auto before = runtime.run_book("main", {}).positions;
  Order zero_amount = order_from(nlohmann::json::parse(
      R"({"operation_id":"z","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":1})"));
  zero_amount.amount = 0.0;
  Order no_pair = order_from(nlohmann::json::parse(
      R"({"operation_id":"p","venue":"binance","operation":"spot_trade","side":"BUY","amount":1})"));
  auto result = runtime.run_book("main", {zero_amount, no_pair});
  CHECK(result.results[0].handshake.status == HandshakeStatus::failed);
  CHECK(result.results[0].handshake.error_code == ErrorCode::ord_out_of_range);
  CHECK(result.results[1].handshake.error_code == ErrorCode::ord_missing_operation_field);
  CHECK(result.positions == before);
  CHECK(all_venue_ledgers(runtime, "main") == before);
}

TEST_CASE("unknown venue and unsupported operation fail with VIM- codes") {
  Runtime runtime(exact_config());
  auto result = runtime.run_book(
      "main",
      {order_from(nlohmann::json::parse(
           R"({"operation_id":"a","venue":"kraken","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":1})")),
       order_from(nlohmann::json::parse(
           R"({"operation_id":"b","venue":"uniswap","operation":"supply","token_in":"WETH","amount":1})"))});
  CHECK(result.results[0].handshake.error_code == ErrorCode::vim_unknown_venue);
  CHECK(result.results[0].handshake.error_message.find("kraken") != std::string::npos);
  CHECK(result.results[1].handshake.error_code == ErrorCode::vim_unsupported_operation);
  CHECK_FALSE(result.halt.halted);
}

TEST_CASE("insufficient balance fails before anything is applied, on the venue and the wallet") {
  Runtime runtime(exact_config());
  auto before = runtime.run_book("main", {}).positions;
  auto result = runtime.run_book(
      "main", {order_from(nlohmann::json::parse(
                   R"({"operation_id":"s","venue":"aave","operation":"supply","token_in":"WETH","amount":10.5})")),
               order_from(nlohmann::json::parse(
                   R"({"operation_id":"t","venue":"wallet","operation":"transfer","token_in":"USDT","target_venue":"binance","amount":1})"))});
  CHECK(result.results[0].handshake.error_code == ErrorCode::ven_insufficient_balance);
  CHECK(result.results[1].handshake.error_code == ErrorCode::ven_insufficient_balance);
  CHECK(result.positions == before);
  CHECK(all_venue_ledgers(runtime, "main") == before);
}

TEST_CASE("a reused operation_id is refused with ORD-007 and not executed again") {
  Runtime runtime(exact_config());
  auto buy = order_from(nlohmann::json::parse(
      R"({"operation_id":"dup","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":0.5})"));
  auto result = runtime.run_book("main", {buy, buy});
  CHECK(result.results[0].handshake.status == HandshakeStatus::executed);
  CHECK(result.results[1].handshake.error_code == ErrorCode::ord_duplicate_operation_id);
  CHECK(result.positions.at("binance:BaseToken:BTC") == 1.5);
  auto again = runtime.run_book("main", {buy});
  CHECK(again.results[0].handshake.error_code == ErrorCode::ord_duplicate_operation_id);
}

TEST_CASE("a reconciliation mismatch fails the order with EM-001, halts the book, skips the rest") {
  Runtime runtime(exact_config());
  // Someone moves 5 USDT on the exchange behind the book's back.
  REQUIRE(runtime.adjust_venue_balance("main", "binance", "binance:BaseToken:USDT", -5.0));
  auto result = runtime.run_book(
      "main",
      {order_from(nlohmann::json::parse(
           R"({"operation_id":"ok","venue":"aave","operation":"supply","token_in":"WETH","amount":1})")),
       order_from(nlohmann::json::parse(
           R"({"operation_id":"bad","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":0.5})")),
       order_from(nlohmann::json::parse(
           R"({"operation_id":"later1","venue":"aave","operation":"supply","token_in":"WETH","amount":1})")),
       order_from(nlohmann::json::parse(
           R"({"operation_id":"later2","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"SELL","amount":0.1})"))});
  CHECK(result.results[0].handshake.status == HandshakeStatus::executed);
  const auto& bad = result.results[1];
  CHECK(bad.handshake.status == HandshakeStatus::failed);
  CHECK(bad.handshake.error_code == ErrorCode::em_reconciliation_mismatch);
  CHECK(bad.reconciliation.outcome == ReconciliationOutcome::mismatch);
  REQUIRE(bad.reconciliation.mismatches.size() == 1);
  CHECK(bad.reconciliation.mismatches[0].position_key == "binance:BaseToken:USDT");
  CHECK(bad.reconciliation.mismatches[0].expected == 69970.0);
  CHECK(bad.reconciliation.mismatches[0].reported == 69965.0);
  // The deltas were applied: nothing already done is lost.
  CHECK(bad.deltas.size() == 2);
  CHECK(result.positions.at("binance:BaseToken:BTC") == 1.5);
  for (std::size_t i = 2; i < 4; ++i) {
    CHECK(result.results[i].handshake.status == HandshakeStatus::skipped);
    CHECK(result.results[i].handshake.error_code == ErrorCode::em_book_halted_skip);
  }
  CHECK(result.halt.halted);
  CHECK(result.halt.code == ErrorCode::em_reconciliation_mismatch);
  CHECK(result.halt.reason.find("binance:BaseToken:USDT") != std::string::npos);
  CHECK(result.positions.at("wallet:BaseToken:WETH") == 9.0);
}

TEST_CASE("two books run concurrently with independent positions") {
  Runtime runtime(exact_config({"alpha", "beta"}));
  std::vector<Order> alpha_orders, beta_orders;
  for (int i = 0; i < 200; ++i) {
    alpha_orders.push_back(order_from(nlohmann::json{
        {"operation_id", "a" + std::to_string(i)}, {"venue", "aave"}, {"operation", "supply"},
        {"token_in", "WETH"}, {"amount", 0.0390625}}));
    beta_orders.push_back(order_from(nlohmann::json{
        {"operation_id", "b" + std::to_string(i)}, {"venue", "binance"},
        {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", i % 2 ? "SELL" : "BUY"},
        {"amount", 0.5}}));
  }
  std::map<std::string, std::vector<Order>> batches{{"alpha", alpha_orders},
                                                    {"beta", beta_orders}};
  auto results = runtime.run(batches);
  const auto& alpha = results.at("alpha");
  const auto& beta = results.at("beta");
  // 0.0390625 = 1.25 * 0.03125: every amount is a short binary fraction, so sums are exact.
  CHECK(alpha.positions.at("wallet:BaseToken:WETH") == 10.0 - 200 * 0.0390625);
  CHECK(alpha.positions.at("aave:aToken:WETH") == 200 * 0.03125);
  CHECK(alpha.positions.at("binance:BaseToken:BTC") == 1.0);
  CHECK(beta.positions.at("wallet:BaseToken:WETH") == 10.0);
  CHECK(beta.positions.at("binance:BaseToken:BTC") == 1.0);
  // 200 round trips of 0.5 BTC at 60000 with 0.1 % fee each way.
  CHECK(beta.positions.at("binance:BaseToken:USDT") == 100000.0 - 200 * 30.0);
  for (const auto& r : alpha.results) CHECK(r.handshake.status == HandshakeStatus::executed);
  for (const auto& r : beta.results) CHECK(r.handshake.status == HandshakeStatus::executed);
}
