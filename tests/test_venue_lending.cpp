#include <doctest/doctest.h>

#include "actors/venues/lending_venue.hpp"
#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

namespace {

using test::check_failed;

using Balances = std::map<std::string, double>;

Config lending_config() {
  Config config;
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  VenueConfig aave;
  aave.name = "aave";
  aave.kind = VenueKind::lending;
  aave.wallet = "wallet";
  aave.flash_fee_rate = 0.0005;
  config.venues = {wallet, aave};
  return config;
}

BookConfig lending_book(double wallet_weth = 100) {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"wallet:BaseToken:WETH", "wallet:BaseToken:USDC", "aave:aToken:WETH",
                          "aave:debtToken:WETH",   "aave:debtToken:USDC",   "aave:debtToken:DAI"};
  book.initial_positions = {{"wallet:BaseToken:WETH", wallet_weth},
                            {"wallet:BaseToken:USDC", 1000}};
  return book;
}

std::shared_ptr<MarketData> indices(double weth_liquidity = 1.25) {
  auto market = std::make_shared<MarketData>();
  market->indices["aave"]["WETH"] = LendingIndex{weth_liquidity, 2.0};
  market->indices["aave"]["USDC"] = LendingIndex{1.0, 1.25};
  return market;
}

Order lend(Operation op, std::string asset, double amount) {
  Order order;
  order.operation_id = "op";
  order.venue = "aave";
  order.operation = op;
  const bool in = op == Operation::supply || op == Operation::repay || op == Operation::flash_repay;
  (in ? order.token_in : order.token_out) = std::move(asset);
  order.amount = amount;
  return order;
}

LendingVenue& aave_of(VenueSet& venues) {
  auto* aave = dynamic_cast<LendingVenue*>(venues.find("aave"));
  REQUIRE(aave);
  return *aave;
}

}  // namespace

TEST_CASE("lending supply and withdraw move scaled aTokens through the liquidity index") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  const std::vector<std::string> keys{"wallet:BaseToken:WETH", "aave:aToken:WETH"};

  // Supply 10 WETH at I = 1.25: 8 aTokens.
  auto supply = venues.execute(lend(Operation::supply, "WETH", 10));
  REQUIRE(supply.status == HandshakeStatus::executed);
  CHECK(supply.trade_id == "aave-1");
  CHECK(supply.executed_amount == 10.0);
  CHECK(supply.executed_price == 1.25);
  CHECK(supply.position_deltas ==
        Balances{{"wallet:BaseToken:WETH", -10}, {"aave:aToken:WETH", 8}});
  CHECK(supply.fee_amount == 0.0);
  CHECK(supply.fee_currency.empty());
  CHECK(supply.fee_venue == "wallet");
  CHECK(venues.balances(keys) == Balances{{"wallet:BaseToken:WETH", 90}, {"aave:aToken:WETH", 8}});

  // Withdraw 4 aTokens at I = 1.25: 5 WETH.
  auto withdraw = venues.execute(lend(Operation::withdraw, "WETH", 4));
  REQUIRE(withdraw.status == HandshakeStatus::executed);
  CHECK(withdraw.trade_id == "aave-2");
  CHECK(withdraw.executed_price == 1.25);
  CHECK(withdraw.position_deltas ==
        Balances{{"aave:aToken:WETH", -4}, {"wallet:BaseToken:WETH", 5}});
  CHECK(venues.balances(keys) == Balances{{"wallet:BaseToken:WETH", 95}, {"aave:aToken:WETH", 4}});

  // The index grew to 2.0: the remaining 4 aTokens are worth 8 WETH.
  venues.set_market(indices(2.0));
  auto rest = venues.execute(lend(Operation::withdraw, "WETH", 4));
  REQUIRE(rest.status == HandshakeStatus::executed);
  CHECK(rest.executed_price == 2.0);
  CHECK(venues.balances(keys) == Balances{{"wallet:BaseToken:WETH", 103}, {"aave:aToken:WETH", 0}});
}

TEST_CASE("lending plan keeps protocol legs and sends token legs to the wallet") {
  VenueSet venues(lending_config(), lending_book(), indices());
  VenuePlan plan = venues.find("aave")->plan(lend(Operation::supply, "WETH", 10));
  REQUIRE(plan.executed());
  CHECK(plan.remote_venue == "wallet");
  REQUIRE(plan.own_legs.size() == 1);
  CHECK(plan.own_legs[0].position_key == "aave:aToken:WETH");
  CHECK(plan.own_legs[0].delta_amount == 8.0);
  REQUIRE(plan.remote_legs.size() == 1);
  CHECK(plan.remote_legs[0].position_key == "wallet:BaseToken:WETH");
  CHECK(plan.remote_legs[0].delta_amount == -10.0);
}

TEST_CASE("lending borrow and repay move scaled debt through the borrow index") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  const std::vector<std::string> keys{"wallet:BaseToken:USDC", "aave:debtToken:USDC"};

  // Borrow 1000 USDC at J = 1.25: 800 debtTokens.
  auto borrow = venues.execute(lend(Operation::borrow, "USDC", 1000));
  REQUIRE(borrow.status == HandshakeStatus::executed);
  CHECK(borrow.executed_price == 1.25);
  CHECK(borrow.position_deltas ==
        Balances{{"wallet:BaseToken:USDC", 1000}, {"aave:debtToken:USDC", 800}});
  CHECK(venues.balances(keys) ==
        Balances{{"wallet:BaseToken:USDC", 2000}, {"aave:debtToken:USDC", 800}});

  // Repay 500: burns 400.
  auto repay = venues.execute(lend(Operation::repay, "USDC", 500));
  REQUIRE(repay.status == HandshakeStatus::executed);
  CHECK(repay.executed_price == 1.25);
  CHECK(repay.position_deltas ==
        Balances{{"wallet:BaseToken:USDC", -500}, {"aave:debtToken:USDC", -400}});
  CHECK(venues.balances(keys) ==
        Balances{{"wallet:BaseToken:USDC", 1500}, {"aave:debtToken:USDC", 400}});

  // Borrow 3 WETH at J = 2.0: 1.5 debtTokens.
  auto weth = venues.execute(lend(Operation::borrow, "WETH", 3));
  REQUIRE(weth.status == HandshakeStatus::executed);
  CHECK(weth.executed_price == 2.0);
  CHECK(venues.balances({"wallet:BaseToken:WETH", "aave:debtToken:WETH"}) ==
        Balances{{"wallet:BaseToken:WETH", 103}, {"aave:debtToken:WETH", 1.5}});
}

TEST_CASE("lending over-repay fails with VEN-001, repaying exactly the debt leaves zero") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  REQUIRE(venues.execute(lend(Operation::borrow, "USDC", 1000)).status ==
          HandshakeStatus::executed);
  REQUIRE(venues.execute(lend(Operation::repay, "USDC", 500)).status == HandshakeStatus::executed);
  const auto before = venues.balances(book.subscribed_keys);

  // 1000 / 1.25 = 800 scaled, but only 400 is owed.
  check_failed(venues.execute(lend(Operation::repay, "USDC", 1000)),
               ErrorCode::ven_insufficient_balance,
               "repay of 1000 USDC burns 800 scaled debt but aave:debtToken:USDC holds only 400");
  CHECK(venues.balances(book.subscribed_keys) == before);

  auto exact = venues.execute(lend(Operation::repay, "USDC", 500));
  REQUIRE(exact.status == HandshakeStatus::executed);
  CHECK(exact.trade_id == "aave-3");
  CHECK(venues.balances({"wallet:BaseToken:USDC", "aave:debtToken:USDC"}) ==
        Balances{{"wallet:BaseToken:USDC", 1000}, {"aave:debtToken:USDC", 0}});
}

TEST_CASE("lending flash_borrow then flash_repay charges the fee and clears the liability") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  LendingVenue& aave = aave_of(venues);

  auto borrow = venues.execute(lend(Operation::flash_borrow, "WETH", 100));
  REQUIRE(borrow.status == HandshakeStatus::executed);
  CHECK(borrow.executed_amount == 100.0);
  CHECK(borrow.position_deltas == Balances{{"wallet:BaseToken:WETH", 100}});
  CHECK(borrow.fee_amount == 0.0);
  CHECK(aave.flash_liability("WETH") == 100.0);
  CHECK(venues.balances({"wallet:BaseToken:WETH"}) == Balances{{"wallet:BaseToken:WETH", 200}});

  auto repay = venues.execute(lend(Operation::flash_repay, "WETH", 100));
  const double fee = 100 * 0.0005;
  REQUIRE(repay.status == HandshakeStatus::executed);
  CHECK(repay.trade_id == "aave-2");
  CHECK(repay.executed_amount == 100.0);
  CHECK(repay.position_deltas == Balances{{"wallet:BaseToken:WETH", -100}});
  CHECK(repay.fee_amount == fee);
  CHECK(repay.fee_currency == "WETH");
  CHECK(repay.fee_venue == "wallet");
  CHECK(venues.balances({"wallet:BaseToken:WETH"}) ==
        Balances{{"wallet:BaseToken:WETH", 200 + (-100 - fee)}});
  CHECK(aave.flash_liability("WETH") == 0.0);
  CHECK(aave.flash_liabilities().empty());
}

TEST_CASE("lending flash_repay in parts pays the liability down") {
  VenueSet venues(lending_config(), lending_book(), indices());
  LendingVenue& aave = aave_of(venues);
  REQUIRE(venues.execute(lend(Operation::flash_borrow, "WETH", 10)).status ==
          HandshakeStatus::executed);
  REQUIRE(venues.execute(lend(Operation::flash_repay, "WETH", 4)).status ==
          HandshakeStatus::executed);
  CHECK(aave.flash_liability("WETH") == 6.0);
}

TEST_CASE("lending flash_repay beyond the liability fails with VEN-006 and changes nothing") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  LendingVenue& aave = aave_of(venues);
  check_failed(venues.execute(lend(Operation::flash_repay, "WETH", 1)),
               ErrorCode::ven_flash_liability,
               "flash_repay of 1 WETH on 'aave' exceeds the outstanding flash loan of 0");

  REQUIRE(venues.execute(lend(Operation::flash_borrow, "WETH", 10)).status ==
          HandshakeStatus::executed);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(lend(Operation::flash_repay, "WETH", 20)),
               ErrorCode::ven_flash_liability, "exceeds the outstanding flash loan of 10");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(aave.flash_liability("WETH") == 10.0);
}

TEST_CASE("lending flash_repay the wallet cannot pay keeps the liability (remote VEN-001)") {
  const BookConfig book = lending_book(0);
  VenueSet venues(lending_config(), book, indices());
  LendingVenue& aave = aave_of(venues);
  REQUIRE(venues.execute(lend(Operation::flash_borrow, "WETH", 100)).status ==
          HandshakeStatus::executed);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(lend(Operation::flash_repay, "WETH", 100)),
               ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:WETH: have 100, need 100.05");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(aave.flash_liability("WETH") == 100.0);
  // The failed repay took no trade id.
  CHECK(venues.execute(lend(Operation::flash_repay, "WETH", 50)).trade_id == "aave-2");
}

TEST_CASE("lending with an insufficient balance fails with VEN-001 and leaves both ledgers") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  const auto before = venues.balances(book.subscribed_keys);
  // The wallet (remote) refuses.
  check_failed(venues.execute(lend(Operation::supply, "WETH", 1000)),
               ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:WETH: have 100, need 1000");
  check_failed(venues.execute(lend(Operation::repay, "WETH", 200)),
               ErrorCode::ven_insufficient_balance, "holds only 0");
  // The venue's own aToken refuses.
  check_failed(venues.execute(lend(Operation::withdraw, "WETH", 1)),
               ErrorCode::ven_insufficient_balance,
               "insufficient aave:aToken:WETH: have 0, need 1");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(lend(Operation::supply, "WETH", 10)).trade_id == "aave-1");
}

TEST_CASE("lending on a key the book does not subscribe fails with POS-001") {
  const BookConfig book = lending_book();
  auto market = indices();
  market->indices["aave"]["DAI"] = LendingIndex{1.0, 1.0};
  VenueSet venues(lending_config(), book, market);
  const auto before = venues.balances(book.subscribed_keys);
  // Own key missing: aave:aToken:USDC.
  check_failed(venues.execute(lend(Operation::supply, "USDC", 10)), ErrorCode::pos_unknown_key,
               "'aave:aToken:USDC'");
  // Remote key missing: wallet:BaseToken:DAI (aave:debtToken:DAI is subscribed).
  check_failed(venues.execute(lend(Operation::borrow, "DAI", 10)), ErrorCode::pos_unknown_key,
               "'wallet:BaseToken:DAI'");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("lending asset without a market fails with VEN-005, a bad index with VEN-004") {
  auto market = indices();
  market->indices["aave"]["USDC"] = LendingIndex{1.0, 0.0};
  VenueSet venues(lending_config(), lending_book(), market);
  check_failed(venues.execute(lend(Operation::borrow, "DAI", 10)), ErrorCode::ven_unknown_asset,
               "lending venue 'aave' lists no market for DAI");
  check_failed(venues.execute(lend(Operation::flash_borrow, "DAI", 10)),
               ErrorCode::ven_unknown_asset, "no market for DAI");
  check_failed(venues.execute(lend(Operation::borrow, "USDC", 10)), ErrorCode::ven_no_market_data,
               "borrow index of USDC on 'aave' is 0");
  venues.set_market(std::make_shared<MarketData>());
  check_failed(venues.execute(lend(Operation::supply, "WETH", 10)), ErrorCode::ven_unknown_asset,
               "no market for WETH");
}

TEST_CASE("lending refuses other operations (VIM-002) and orders without their token") {
  VenueSet venues(lending_config(), lending_book(), indices());
  Order swap = lend(Operation::supply, "WETH", 1);
  swap.operation = Operation::swap;
  check_failed(venues.execute(swap), ErrorCode::vim_unsupported_operation,
               "venue 'aave' (lending) does not support swap");
  Order stake = lend(Operation::supply, "WETH", 1);
  stake.operation = Operation::stake;
  check_failed(venues.execute(stake), ErrorCode::vim_unsupported_operation,
               "does not support stake");
  Order no_token = lend(Operation::withdraw, "", 1);
  check_failed(venues.execute(no_token), ErrorCode::ord_missing_operation_field,
               "withdraw needs token_out");
}
