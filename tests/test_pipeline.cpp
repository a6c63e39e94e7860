// The whole tight loop through the real actors (Runtime): every operation, failures, halting,
// several books at once.
#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"
#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "runtime/runtime.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::all_venue_ledgers;
using tightloop::test::exact_config;
using tightloop::test::operator""_amt;
using tightloop::test::order_from;
using tightloop::test::Positions;

namespace {

// Order text read as the orders file is (parse_json): numbers keep their own decimal text.
nlohmann::json parsed(const std::string& text) {
  auto result = parse_json(text);
  REQUIRE_MESSAGE(result.ok(), (result.error ? result.error->message : std::string()));
  return result.value;
}

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
  for (const char* line : lines) orders.push_back(order_from(parsed(line)));
  return orders;
}

// o1 buys 0.5 BTC for 30000 + 30 fee; o2/o3 open and close 0.25 BTC perp at 60000 (no PnL,
// 15 fee each); o4 sends 1000 USDT to the wallet (+1 fee): 100000 - 30030 - 30 - 1001 = 68939.
// WETH: 10 - 5 (supply) + 2 (borrow) - 1 (repay) + 2.5 (withdraw 2 at 1.25) - 4 (stake)
// + 2 (unstake 1 at 0.5) - 1 (swap) + 1 - 1.0005 (flash loan and its 0.0005 fee) = 5.4995.
// aWETH 5/1.25 - 2 = 2; debt 2/2 - 1/2 = 0.5; weETH 4*0.5 - 1 = 1; USDC 5000 + 2000 - 6 = 6994.
const Positions& expected_final_positions() {
  static const Positions positions{
      {"binance:BaseToken:BTC", "1.5"_amt},
      {"binance:BaseToken:USDT", "68939"_amt},
      {"binance:Perp:BTCUSDT", "0"_amt},
      {"wallet:BaseToken:WETH", "5.4995"_amt},
      {"wallet:BaseToken:USDT", "1000"_amt},
      {"wallet:BaseToken:USDC", "6994"_amt},
      {"wallet:LST:weETH", "1"_amt},
      {"aave:aToken:WETH", "2"_amt},
      {"aave:aToken:weETH", "0"_amt},
      {"aave:debtToken:WETH", "0.5"_amt},
  };
  return positions;
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
  CHECK(buy.handshake.position_deltas.at("binance:BaseToken:USDT") == "-30000"_amt);
  CHECK(buy.handshake.fee_amount == "30"_amt);
  REQUIRE(buy.deltas.size() == 2);
  CHECK(buy.deltas[1].position_key == "binance:BaseToken:USDT");
  CHECK(buy.deltas[1].delta_amount == "-30030"_amt);
  CHECK(buy.deltas[1].fee == "30"_amt);

  const auto& oversell = result.results[13];
  CHECK(oversell.handshake.status == HandshakeStatus::failed);
  CHECK(oversell.handshake.error_code == ErrorCode::ven_insufficient_balance);
  CHECK(oversell.deltas.empty());

  CHECK_FALSE(result.halt.halted);
  CHECK(result.positions == expected_final_positions());
  // The venues kept their own books and arrived at the same numbers.
  CHECK(all_venue_ledgers(runtime, "main") == expected_final_positions());
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
  Order zero_amount = order_from(parsed(
      R"({"operation_id":"z","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":1})"));
  zero_amount.amount = Amount();
  Order no_pair = order_from(parsed(
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
      {order_from(parsed(
           R"({"operation_id":"a","venue":"kraken","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":1})")),
       order_from(parsed(
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
      "main", {order_from(parsed(
                   R"({"operation_id":"s","venue":"aave","operation":"supply","token_in":"WETH","amount":10.5})")),
               order_from(parsed(
                   R"({"operation_id":"t","venue":"wallet","operation":"transfer","token_in":"USDT","target_venue":"binance","amount":1})"))});
  CHECK(result.results[0].handshake.error_code == ErrorCode::ven_insufficient_balance);
  CHECK(result.results[1].handshake.error_code == ErrorCode::ven_insufficient_balance);
  CHECK(result.positions == before);
  CHECK(all_venue_ledgers(runtime, "main") == before);
}

// Exact amounts cannot become inf or NaN; what was a non-finite result is now a result outside
// the amount range (about 1.7e20 units): VEN-009 before anything is applied.
TEST_CASE("a result outside the amount range fails with VEN-009 and changes nothing") {
  auto json = tightloop::test::exact_config_json();
  // Within 30000 of the largest amount (170141183460469231731.687303715884105727).
  json["books"][0]["initial_positions"]["binance:BaseToken:USDT"] =
      raw_number("170141183460469231700");
  Runtime runtime(tightloop::test::config_from(json));
  auto before = runtime.run_book("main", {}).positions;
  REQUIRE(before.at("binance:BaseToken:USDT") == "170141183460469231700"_amt);
  auto result = runtime.run_book(
      "main",
      {// 1e20 BTC at 60000: a notional of 6e24, beyond the range.
       order_from(parsed(
           R"({"operation_id":"huge","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":100000000000000000000})")),
       // Proceeds of 30000 - 30 on top of a balance 31.69 below the largest amount.
       order_from(parsed(
           R"({"operation_id":"sell","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"SELL","amount":0.5})")),
       // Buying lowers the balance: in range, executed.
       order_from(parsed(
           R"({"operation_id":"buy","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":0.5})"))});
  REQUIRE(result.results.size() == 3);
  tightloop::test::check_failed(result.results[0].handshake, ErrorCode::ven_amount_overflow,
                                "overflow");
  tightloop::test::check_failed(result.results[1].handshake, ErrorCode::ven_amount_overflow,
                                "binance:BaseToken:USDT would leave the amount range");
  CHECK(to_string(result.results[1].handshake.error_code) == "VEN-009");
  for (std::size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(result.results[i].deltas.empty());
    CHECK(result.results[i].reconciliation.outcome == ReconciliationOutcome::not_run);
  }
  CHECK(result.results[2].handshake.status == HandshakeStatus::executed);
  CHECK(result.results[2].handshake.trade_id == "binance-1");  // the failures took no trade id
  CHECK_FALSE(result.halt.halted);
  auto expected = before;
  expected["binance:BaseToken:BTC"] = "1.5"_amt;
  expected["binance:BaseToken:USDT"] = "170141183460469201670"_amt;  // - 30000 - 30
  CHECK(result.positions == expected);
  CHECK(all_venue_ledgers(runtime, "main") == expected);
}

TEST_CASE("a reused operation_id is refused with ORD-007 and not executed again") {
  Runtime runtime(exact_config());
  auto buy = order_from(parsed(
      R"({"operation_id":"dup","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":0.5})"));
  auto result = runtime.run_book("main", {buy, buy});
  CHECK(result.results[0].handshake.status == HandshakeStatus::executed);
  CHECK(result.results[1].handshake.error_code == ErrorCode::ord_duplicate_operation_id);
  CHECK(result.positions.at("binance:BaseToken:BTC") == "1.5"_amt);
  auto again = runtime.run_book("main", {buy});
  CHECK(again.results[0].handshake.error_code == ErrorCode::ord_duplicate_operation_id);
}

TEST_CASE("a reconciliation mismatch fails the order with EM-001, halts the book, skips the rest") {
  Runtime runtime(exact_config());
  // Someone moves 5 USDT on the exchange behind the book's back.
  REQUIRE(runtime.adjust_venue_balance("main", "binance", "binance:BaseToken:USDT", "-5"_amt));
  auto result = runtime.run_book(
      "main",
      {order_from(parsed(
           R"({"operation_id":"ok","venue":"aave","operation":"supply","token_in":"WETH","amount":1})")),
       order_from(parsed(
           R"({"operation_id":"bad","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"BUY","amount":0.5})")),
       order_from(parsed(
           R"({"operation_id":"later1","venue":"aave","operation":"supply","token_in":"WETH","amount":1})")),
       order_from(parsed(
           R"({"operation_id":"later2","venue":"binance","operation":"spot_trade","pair":"BTC/USDT","side":"SELL","amount":0.1})"))});
  CHECK(result.results[0].handshake.status == HandshakeStatus::executed);
  const auto& bad = result.results[1];
  CHECK(bad.handshake.status == HandshakeStatus::failed);
  CHECK(bad.handshake.error_code == ErrorCode::em_reconciliation_mismatch);
  CHECK(bad.reconciliation.outcome == ReconciliationOutcome::mismatch);
  REQUIRE(bad.reconciliation.mismatches.size() == 1);
  CHECK(bad.reconciliation.mismatches[0].position_key == "binance:BaseToken:USDT");
  CHECK(bad.reconciliation.mismatches[0].expected == "69970"_amt);
  CHECK(bad.reconciliation.mismatches[0].reported == "69965"_amt);
  // The deltas were applied: nothing already done is lost.
  CHECK(bad.deltas.size() == 2);
  CHECK(result.positions.at("binance:BaseToken:BTC") == "1.5"_amt);
  for (std::size_t i = 2; i < 4; ++i) {
    CHECK(result.results[i].handshake.status == HandshakeStatus::skipped);
    CHECK(result.results[i].handshake.error_code == ErrorCode::em_book_halted_skip);
  }
  CHECK(result.halt.halted);
  CHECK(result.halt.code == ErrorCode::em_reconciliation_mismatch);
  CHECK(result.halt.reason.find("binance:BaseToken:USDT") != std::string::npos);
  CHECK(result.positions.at("wallet:BaseToken:WETH") == "9"_amt);
}

TEST_CASE("two books run concurrently with independent positions") {
  Runtime runtime(exact_config({"alpha", "beta"}));
  std::vector<Order> alpha_orders, beta_orders;
  for (int i = 0; i < 200; ++i) {
    alpha_orders.push_back(order_from(nlohmann::json{
        {"operation_id", "a" + std::to_string(i)}, {"venue", "aave"}, {"operation", "supply"},
        {"token_in", "WETH"}, {"amount", raw_number("0.03")}}));
    beta_orders.push_back(order_from(nlohmann::json{
        {"operation_id", "b" + std::to_string(i)}, {"venue", "binance"},
        {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", i % 2 ? "SELL" : "BUY"},
        {"amount", raw_number("0.5")}}));
  }
  std::map<std::string, std::vector<Order>> batches{{"alpha", alpha_orders},
                                                    {"beta", beta_orders}};
  auto results = runtime.run(batches);
  const auto& alpha = results.at("alpha");
  const auto& beta = results.at("beta");
  // 200 supplies of 0.03 WETH (no binary64 holds 0.03; a decimal sum of 200 of them is exact),
  // 0.03 / 1.25 = 0.024 aWETH each.
  CHECK(alpha.positions.at("wallet:BaseToken:WETH") == "4"_amt);  // 10 - 200 * 0.03
  CHECK(alpha.positions.at("aave:aToken:WETH") == "4.8"_amt);     // 200 * 0.024
  CHECK(alpha.positions.at("binance:BaseToken:BTC") == "1"_amt);
  CHECK(beta.positions.at("wallet:BaseToken:WETH") == "10"_amt);
  CHECK(beta.positions.at("binance:BaseToken:BTC") == "1"_amt);
  // 100 round trips of 0.5 BTC at 60000 with 0.1 % fee each way: 200 fees of 30.
  CHECK(beta.positions.at("binance:BaseToken:USDT") == "94000"_amt);
  CHECK(alpha.positions == all_venue_ledgers(runtime, "alpha"));
  CHECK(beta.positions == all_venue_ledgers(runtime, "beta"));
  for (const auto& r : alpha.results) CHECK(r.handshake.status == HandshakeStatus::executed);
  for (const auto& r : beta.results) CHECK(r.handshake.status == HandshakeStatus::executed);
}

namespace {

// One order of a 16-step cycle that touches every operation of every venue kind (a flash loan
// pair as an atomic group included), with amounts and market numbers whose products and
// quotients need rounding at the 18th digit.
nlohmann::json mixed_order(int i) {
  const auto num = [](const char* text) { return raw_number(text); };
  const std::string id = "m" + std::to_string(i);
  const std::string group = "flash-" + std::to_string(i / 16);
  switch (i % 16) {
    case 0:
      return {{"venue", "binance"}, {"operation", "spot_trade"}, {"pair", "BTC/USDT"},
              {"side", "BUY"}, {"amount", num("0.0123")}};
    case 1:
      return {{"venue", "binance"}, {"operation", "spot_trade"}, {"pair", "BTC/USDT"},
              {"side", "SELL"}, {"amount", num("0.0071")}};
    case 2:
      return {{"venue", "binance"}, {"operation", "perp_trade"}, {"pair", "BTC/USDT"},
              {"side", "LONG"}, {"amount", num("0.013")}};
    case 3:  // opens, reduces, closes and flips the perp as the cycles go on
      return {{"venue", "binance"}, {"operation", "perp_trade"}, {"pair", "BTC/USDT"},
              {"side", "SHORT"}, {"amount", num("0.021")}};
    case 4:
      return {{"venue", "binance"}, {"operation", "transfer"}, {"token_in", "USDT"},
              {"target_venue", "wallet"}, {"amount", num("3.7")}};
    case 5:
      return {{"venue", "aave"}, {"operation", "supply"}, {"token_in", "WETH"},
              {"amount", num("0.0137")}};
    case 6:
      return {{"venue", "aave"}, {"operation", "borrow"}, {"token_out", "WETH"},
              {"amount", num("0.0059")}};
    case 7:
      return {{"venue", "aave"}, {"operation", "repay"}, {"token_in", "WETH"},
              {"amount", num("0.0031")}};
    case 8:
      return {{"venue", "aave"}, {"operation", "withdraw"}, {"token_out", "WETH"},
              {"amount", num("0.0041")}};
    case 9:
      return {{"venue", "etherfi"}, {"operation", "stake"}, {"token_in", "WETH"},
              {"amount", num("0.0173")}};
    case 10:
      return {{"venue", "etherfi"}, {"operation", "unstake"}, {"token_in", "weETH"},
              {"amount", num("0.0067")}};
    case 11:
      return {{"venue", "uniswap"}, {"operation", "swap"}, {"token_in", "WETH"},
              {"token_out", "USDC"}, {"amount", num("0.011")}};
    case 12:
      return {{"venue", "uniswap"}, {"operation", "swap"}, {"token_in", "USDC"},
              {"token_out", "WETH"}, {"amount", num("13.37")}};
    case 13:
      return {{"venue", "wallet"}, {"operation", "transfer"}, {"token_in", "USDT"},
              {"target_venue", "binance"}, {"amount", num("1.3")}};
    case 14:
      return {{"venue", "aave"}, {"operation", "flash_borrow"}, {"token_out", "WETH"},
              {"amount", num("0.7")}, {"execution_mode", "atomic"},
              {"atomic_group_id", group}, {"sequence_in_group", 0}};
    default:
      return {{"venue", "aave"}, {"operation", "flash_repay"}, {"token_in", "WETH"},
              {"amount", num("0.7")}, {"execution_mode", "atomic"},
              {"atomic_group_id", group}, {"sequence_in_group", 1}};
  }
}

}  // namespace

TEST_CASE("2000 mixed orders leave the monitor's positions exactly equal to the venues' ledgers") {
  auto json = tightloop::test::exact_config_json();
  // Numbers that no binary64 holds and whose products need the 18th digit rounded.
  auto& market = json["market"];
  market["prices"]["BTC"] = raw_number("60123.456789");
  market["prices"]["WETH"] = raw_number("2017.123456789012345678");
  market["prices"]["USDC"] = raw_number("0.9999");
  market["indices"]["aave"]["WETH"] = {{"liquidity_index", raw_number("1.023456789012345678")},
                                       {"borrow_index", raw_number("1.0456")}};
  market["staking_rates"]["etherfi"]["weETH"] = raw_number("0.951234567");
  json["venues"][0]["slippage_bps"] = raw_number("3.3");
  json["venues"][0]["taker_fee_rate"] = raw_number("0.00075");
  json["venues"][4]["slippage_bps"] = 7;
  Runtime runtime(tightloop::test::config_from(json));
  // Reconciliation compares exactly: no tolerance hides a difference.
  REQUIRE(runtime.config().reconciliation.absolute_tolerance.is_zero());
  REQUIRE(runtime.config().reconciliation.relative_tolerance.is_zero());

  std::vector<Order> orders;
  for (int i = 0; i < 2000; ++i) {
    auto o = mixed_order(i);
    o["operation_id"] = "m" + std::to_string(i);
    orders.push_back(order_from(o));
  }
  auto result = runtime.run_book("main", orders);
  REQUIRE(result.results.size() == 2000);
  std::size_t executed = 0;
  for (std::size_t i = 0; i < result.results.size(); ++i) {
    const auto& r = result.results[i];
    if (r.handshake.status != HandshakeStatus::executed ||
        r.reconciliation.outcome != ReconciliationOutcome::matched) {
      CAPTURE(i);
      CAPTURE(r.handshake.error_message);
      CHECK(r.handshake.status == HandshakeStatus::executed);
      CHECK(r.reconciliation.outcome == ReconciliationOutcome::matched);
    } else {
      ++executed;
    }
  }
  CHECK(executed == 2000);
  CHECK_FALSE(result.halt.halted);

  const auto ledgers = all_venue_ledgers(runtime, "main");
  CHECK(result.positions == ledgers);
  // Every subscribed key is there, and the run moved all of them.
  REQUIRE(ledgers.size() == tightloop::test::exact_initial_positions().size());
  for (const auto& [key, initial] : tightloop::test::exact_initial_positions()) {
    CAPTURE(key);
    REQUIRE(ledgers.count(key) == 1);
    if (key != "aave:aToken:weETH") CHECK(ledgers.at(key) != initial);
  }
  // The monitor's snapshot of the book, asked again, still agrees to the last digit.
  auto later = runtime.run_book("main", {});
  CHECK(later.positions == ledgers);
}
