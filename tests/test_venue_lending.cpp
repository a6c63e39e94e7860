#include <doctest/doctest.h>

#include "actors/venues/lending_venue.hpp"
#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using test::check_failed;

using Balances = test::Positions;

Config lending_config() {
  Config config;
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  VenueConfig aave;
  aave.name = "aave";
  aave.kind = VenueKind::lending;
  aave.wallet = "wallet";
  aave.flash_fee_rate = "0.0005"_amt;
  config.venues = {wallet, aave};
  return config;
}

BookConfig lending_book(Amount wallet_weth = "100"_amt) {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"wallet:BaseToken:WETH", "wallet:BaseToken:USDC", "aave:aToken:WETH",
                          "aave:debtToken:WETH",   "aave:debtToken:USDC",   "aave:debtToken:DAI"};
  book.initial_positions = {{"wallet:BaseToken:WETH", wallet_weth},
                            {"wallet:BaseToken:USDC", "1000"_amt}};
  return book;
}

std::shared_ptr<MarketData> indices(Amount weth_liquidity = "1.25"_amt,
                                    Amount weth_borrow = "2"_amt) {
  auto market = std::make_shared<MarketData>();
  market->indices["aave"]["WETH"] = LendingIndex{weth_liquidity, weth_borrow};
  market->indices["aave"]["USDC"] = LendingIndex{"1"_amt, "1.25"_amt};
  return market;
}

Order lend(Operation op, std::string asset, Amount amount) {
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
  auto supply = venues.execute(lend(Operation::supply, "WETH", "10"_amt));
  REQUIRE(supply.status == HandshakeStatus::executed);
  CHECK(supply.trade_id == "aave-1");
  CHECK(supply.executed_amount == "10"_amt);
  CHECK(supply.executed_price == "1.25"_amt);
  CHECK(supply.position_deltas ==
        Balances{{"wallet:BaseToken:WETH", "-10"_amt}, {"aave:aToken:WETH", "8"_amt}});
  CHECK(supply.fee_amount == "0"_amt);
  CHECK(supply.fee_currency.empty());
  CHECK(supply.fee_venue == "wallet");
  CHECK(venues.balances(keys) ==
        Balances{{"wallet:BaseToken:WETH", "90"_amt}, {"aave:aToken:WETH", "8"_amt}});

  // Withdraw 4 aTokens at I = 1.25: 5 WETH.
  auto withdraw = venues.execute(lend(Operation::withdraw, "WETH", "4"_amt));
  REQUIRE(withdraw.status == HandshakeStatus::executed);
  CHECK(withdraw.trade_id == "aave-2");
  CHECK(withdraw.executed_price == "1.25"_amt);
  CHECK(withdraw.position_deltas ==
        Balances{{"aave:aToken:WETH", "-4"_amt}, {"wallet:BaseToken:WETH", "5"_amt}});
  CHECK(venues.balances(keys) ==
        Balances{{"wallet:BaseToken:WETH", "95"_amt}, {"aave:aToken:WETH", "4"_amt}});

  // The index grew to 2: the remaining 4 aTokens are worth 8 WETH.
  venues.set_market(indices("2"_amt));
  auto rest = venues.execute(lend(Operation::withdraw, "WETH", "4"_amt));
  REQUIRE(rest.status == HandshakeStatus::executed);
  CHECK(rest.executed_price == "2"_amt);
  CHECK(venues.balances(keys) ==
        Balances{{"wallet:BaseToken:WETH", "103"_amt}, {"aave:aToken:WETH", "0"_amt}});
}

TEST_CASE("lending rounding: supply A/I and withdraw W*I down, borrow B/J up, repay R/J down") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices("3"_amt, "3"_amt));
  const std::vector<std::string> keys{"wallet:BaseToken:WETH", "aave:aToken:WETH",
                                      "aave:debtToken:WETH"};

  // 2 / 3 = 0.666...: A/I rounded down (half-even would give ...667).
  auto supply = venues.execute(lend(Operation::supply, "WETH", "2"_amt));
  REQUIRE(supply.status == HandshakeStatus::executed);
  CHECK(supply.position_deltas == Balances{{"wallet:BaseToken:WETH", "-2"_amt},
                                           {"aave:aToken:WETH", "0.666666666666666666"_amt}});

  // 1 / 3 = 0.333...: B/J rounded up, the debt the book owes (half-even would give ...333).
  auto borrow = venues.execute(lend(Operation::borrow, "WETH", "1"_amt));
  REQUIRE(borrow.status == HandshakeStatus::executed);
  CHECK(borrow.position_deltas == Balances{{"wallet:BaseToken:WETH", "1"_amt},
                                           {"aave:debtToken:WETH", "0.333333333333333334"_amt}});

  // 0.5 / 3 = 0.1666...: R/J rounded down, the debt it clears (half-even would give ...667).
  auto repay = venues.execute(lend(Operation::repay, "WETH", "0.5"_amt));
  REQUIRE(repay.status == HandshakeStatus::executed);
  CHECK(repay.position_deltas == Balances{{"wallet:BaseToken:WETH", "-0.5"_amt},
                                          {"aave:debtToken:WETH", "-0.166666666666666666"_amt}});

  // 0.6 * 1.000000000000000001 = 0.6000000000000000006: W*I rounded down (half-even ...001).
  venues.set_market(indices("1.000000000000000001"_amt, "3"_amt));
  auto withdraw = venues.execute(lend(Operation::withdraw, "WETH", "0.6"_amt));
  REQUIRE(withdraw.status == HandshakeStatus::executed);
  CHECK(withdraw.position_deltas ==
        Balances{{"aave:aToken:WETH", "-0.6"_amt}, {"wallet:BaseToken:WETH", "0.6"_amt}});

  CHECK(venues.balances(keys) == Balances{{"wallet:BaseToken:WETH", "99.1"_amt},
                                          {"aave:aToken:WETH", "0.066666666666666666"_amt},
                                          {"aave:debtToken:WETH", "0.166666666666666668"_amt}});
}

TEST_CASE("lending plan keeps protocol legs and sends token legs to the wallet") {
  VenueSet venues(lending_config(), lending_book(), indices());
  VenuePlan plan = venues.find("aave")->plan(lend(Operation::supply, "WETH", "10"_amt));
  REQUIRE(plan.executed());
  CHECK(plan.remote_venue == "wallet");
  REQUIRE(plan.own_legs.size() == 1);
  CHECK(plan.own_legs[0].position_key == "aave:aToken:WETH");
  CHECK(plan.own_legs[0].delta_amount == "8"_amt);
  REQUIRE(plan.remote_legs.size() == 1);
  CHECK(plan.remote_legs[0].position_key == "wallet:BaseToken:WETH");
  CHECK(plan.remote_legs[0].delta_amount == "-10"_amt);
}

TEST_CASE("lending borrow and repay move scaled debt through the borrow index") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  const std::vector<std::string> keys{"wallet:BaseToken:USDC", "aave:debtToken:USDC"};

  // Borrow 1000 USDC at J = 1.25: 800 debtTokens.
  auto borrow = venues.execute(lend(Operation::borrow, "USDC", "1000"_amt));
  REQUIRE(borrow.status == HandshakeStatus::executed);
  CHECK(borrow.executed_price == "1.25"_amt);
  CHECK(borrow.position_deltas ==
        Balances{{"wallet:BaseToken:USDC", "1000"_amt}, {"aave:debtToken:USDC", "800"_amt}});
  CHECK(venues.balances(keys) ==
        Balances{{"wallet:BaseToken:USDC", "2000"_amt}, {"aave:debtToken:USDC", "800"_amt}});

  // Repay 500: burns 400.
  auto repay = venues.execute(lend(Operation::repay, "USDC", "500"_amt));
  REQUIRE(repay.status == HandshakeStatus::executed);
  CHECK(repay.executed_price == "1.25"_amt);
  CHECK(repay.position_deltas ==
        Balances{{"wallet:BaseToken:USDC", "-500"_amt}, {"aave:debtToken:USDC", "-400"_amt}});
  CHECK(venues.balances(keys) ==
        Balances{{"wallet:BaseToken:USDC", "1500"_amt}, {"aave:debtToken:USDC", "400"_amt}});

  // Borrow 3 WETH at J = 2: 1.5 debtTokens.
  auto weth = venues.execute(lend(Operation::borrow, "WETH", "3"_amt));
  REQUIRE(weth.status == HandshakeStatus::executed);
  CHECK(weth.executed_price == "2"_amt);
  CHECK(venues.balances({"wallet:BaseToken:WETH", "aave:debtToken:WETH"}) ==
        Balances{{"wallet:BaseToken:WETH", "103"_amt}, {"aave:debtToken:WETH", "1.5"_amt}});
}

TEST_CASE("lending over-repay fails with VEN-001, repaying exactly the debt leaves zero") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  REQUIRE(venues.execute(lend(Operation::borrow, "USDC", "1000"_amt)).status ==
          HandshakeStatus::executed);
  REQUIRE(venues.execute(lend(Operation::repay, "USDC", "500"_amt)).status ==
          HandshakeStatus::executed);
  const auto before = venues.balances(book.subscribed_keys);

  // 1000 / 1.25 = 800 scaled, but only 400 is owed.
  check_failed(venues.execute(lend(Operation::repay, "USDC", "1000"_amt)),
               ErrorCode::ven_insufficient_balance,
               "repay of 1000 USDC burns 800 scaled debt but aave:debtToken:USDC holds only 400");
  // 500.000000000000000002 / 1.25 = 400.0000000000000000016, down: one step more than owed.
  check_failed(venues.execute(lend(Operation::repay, "USDC", "500.000000000000000002"_amt)),
               ErrorCode::ven_insufficient_balance,
               "burns 400.000000000000000001 scaled debt but aave:debtToken:USDC holds only 400");
  CHECK(venues.balances(book.subscribed_keys) == before);

  auto exact = venues.execute(lend(Operation::repay, "USDC", "500"_amt));
  REQUIRE(exact.status == HandshakeStatus::executed);
  CHECK(exact.trade_id == "aave-3");
  CHECK(venues.balances({"wallet:BaseToken:USDC", "aave:debtToken:USDC"}) ==
        Balances{{"wallet:BaseToken:USDC", "1000"_amt}, {"aave:debtToken:USDC", "0"_amt}});
}

TEST_CASE("lending flash_borrow then flash_repay charges the fee and clears the liability") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  LendingVenue& aave = aave_of(venues);

  auto borrow = venues.execute(lend(Operation::flash_borrow, "WETH", "100"_amt));
  REQUIRE(borrow.status == HandshakeStatus::executed);
  CHECK(borrow.executed_amount == "100"_amt);
  CHECK(borrow.position_deltas == Balances{{"wallet:BaseToken:WETH", "100"_amt}});
  CHECK(borrow.fee_amount == "0"_amt);
  CHECK(aave.flash_liability("WETH") == "100"_amt);
  CHECK(venues.balances({"wallet:BaseToken:WETH"}) ==
        Balances{{"wallet:BaseToken:WETH", "200"_amt}});

  // Fee 100 * 0.0005 = 0.05.
  auto repay = venues.execute(lend(Operation::flash_repay, "WETH", "100"_amt));
  REQUIRE(repay.status == HandshakeStatus::executed);
  CHECK(repay.trade_id == "aave-2");
  CHECK(repay.executed_amount == "100"_amt);
  CHECK(repay.position_deltas == Balances{{"wallet:BaseToken:WETH", "-100"_amt}});
  CHECK(repay.fee_amount == "0.05"_amt);
  CHECK(repay.fee_currency == "WETH");
  CHECK(repay.fee_venue == "wallet");
  CHECK(venues.balances({"wallet:BaseToken:WETH"}) ==
        Balances{{"wallet:BaseToken:WETH", "99.95"_amt}});
  CHECK(aave.flash_liability("WETH") == "0"_amt);
  CHECK(aave.flash_liabilities().empty());
}

TEST_CASE("lending flash_repay fee F*rate rounds up") {
  VenueSet venues(lending_config(), lending_book(), indices());
  REQUIRE(venues.execute(lend(Operation::flash_borrow, "WETH", "1"_amt)).status ==
          HandshakeStatus::executed);
  // 0.000000000000000003 * 0.0005 = 0.0000000000000000000015: fee rounded up to one step
  // (half-even or down would give 0).
  auto repay = venues.execute(lend(Operation::flash_repay, "WETH", "0.000000000000000003"_amt));
  REQUIRE(repay.status == HandshakeStatus::executed);
  CHECK(repay.fee_amount == "0.000000000000000001"_amt);
  CHECK(venues.balances({"wallet:BaseToken:WETH"}) ==
        Balances{{"wallet:BaseToken:WETH", "100.999999999999999996"_amt}});
}

TEST_CASE("lending flash_repay in parts pays the liability down") {
  VenueSet venues(lending_config(), lending_book(), indices());
  LendingVenue& aave = aave_of(venues);
  REQUIRE(venues.execute(lend(Operation::flash_borrow, "WETH", "10"_amt)).status ==
          HandshakeStatus::executed);
  REQUIRE(venues.execute(lend(Operation::flash_repay, "WETH", "4"_amt)).status ==
          HandshakeStatus::executed);
  CHECK(aave.flash_liability("WETH") == "6"_amt);
}

TEST_CASE("lending flash_repay beyond the liability fails with VEN-006 and changes nothing") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  LendingVenue& aave = aave_of(venues);
  check_failed(venues.execute(lend(Operation::flash_repay, "WETH", "1"_amt)),
               ErrorCode::ven_flash_liability,
               "flash_repay of 1 WETH on 'aave' exceeds the outstanding flash loan of 0");

  REQUIRE(venues.execute(lend(Operation::flash_borrow, "WETH", "10"_amt)).status ==
          HandshakeStatus::executed);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(lend(Operation::flash_repay, "WETH", "20"_amt)),
               ErrorCode::ven_flash_liability, "exceeds the outstanding flash loan of 10");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(aave.flash_liability("WETH") == "10"_amt);
}

TEST_CASE("lending flash_repay the wallet cannot pay keeps the liability (remote VEN-001)") {
  const BookConfig book = lending_book("0"_amt);
  VenueSet venues(lending_config(), book, indices());
  LendingVenue& aave = aave_of(venues);
  REQUIRE(venues.execute(lend(Operation::flash_borrow, "WETH", "100"_amt)).status ==
          HandshakeStatus::executed);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(lend(Operation::flash_repay, "WETH", "100"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:WETH: have 100, need 100.05");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(aave.flash_liability("WETH") == "100"_amt);
  // The failed repay took no trade id.
  CHECK(venues.execute(lend(Operation::flash_repay, "WETH", "50"_amt)).trade_id == "aave-2");
}

TEST_CASE("lending with an insufficient balance fails with VEN-001 and leaves both ledgers") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices());
  const auto before = venues.balances(book.subscribed_keys);
  // The wallet (remote) refuses.
  check_failed(venues.execute(lend(Operation::supply, "WETH", "1000"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:WETH: have 100, need 1000");
  check_failed(venues.execute(lend(Operation::repay, "WETH", "200"_amt)),
               ErrorCode::ven_insufficient_balance, "holds only 0");
  // The venue's own aToken refuses.
  check_failed(venues.execute(lend(Operation::withdraw, "WETH", "1"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient aave:aToken:WETH: have 0, need 1");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(lend(Operation::supply, "WETH", "10"_amt)).trade_id == "aave-1");
}

TEST_CASE("lending results beyond the amount range fail with VEN-009 and change nothing") {
  const BookConfig book = lending_book();
  VenueSet venues(lending_config(), book, indices("1.25"_amt, "0.000000000000000001"_amt));
  const auto before = venues.balances(book.subscribed_keys);
  // 1000 / 1e-18 = 1e21 scaled debt: beyond about 1.7e20.
  check_failed(venues.execute(lend(Operation::borrow, "WETH", "1000"_amt)),
               ErrorCode::ven_amount_overflow, "amount overflow");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(lend(Operation::borrow, "WETH", "1"_amt)).trade_id == "aave-1");
}

TEST_CASE("lending on a key the book does not subscribe fails with POS-001") {
  const BookConfig book = lending_book();
  auto market = indices();
  market->indices["aave"]["DAI"] = LendingIndex{"1"_amt, "1"_amt};
  VenueSet venues(lending_config(), book, market);
  const auto before = venues.balances(book.subscribed_keys);
  // Own key missing: aave:aToken:USDC.
  check_failed(venues.execute(lend(Operation::supply, "USDC", "10"_amt)),
               ErrorCode::pos_unknown_key, "'aave:aToken:USDC'");
  // Remote key missing: wallet:BaseToken:DAI (aave:debtToken:DAI is subscribed).
  check_failed(venues.execute(lend(Operation::borrow, "DAI", "10"_amt)),
               ErrorCode::pos_unknown_key, "'wallet:BaseToken:DAI'");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("lending asset without a market fails with VEN-005, a bad index with VEN-004") {
  auto market = indices();
  market->indices["aave"]["USDC"] = LendingIndex{"1"_amt, "0"_amt};
  VenueSet venues(lending_config(), lending_book(), market);
  check_failed(venues.execute(lend(Operation::borrow, "DAI", "10"_amt)),
               ErrorCode::ven_unknown_asset, "lending venue 'aave' lists no market for DAI");
  check_failed(venues.execute(lend(Operation::flash_borrow, "DAI", "10"_amt)),
               ErrorCode::ven_unknown_asset, "no market for DAI");
  check_failed(venues.execute(lend(Operation::borrow, "USDC", "10"_amt)),
               ErrorCode::ven_no_market_data, "borrow index of USDC on 'aave' is 0");
  venues.set_market(std::make_shared<MarketData>());
  check_failed(venues.execute(lend(Operation::supply, "WETH", "10"_amt)),
               ErrorCode::ven_unknown_asset, "no market for WETH");
}

TEST_CASE("lending refuses other operations (VIM-002) and orders without their token") {
  VenueSet venues(lending_config(), lending_book(), indices());
  Order swap = lend(Operation::supply, "WETH", "1"_amt);
  swap.operation = Operation::swap;
  check_failed(venues.execute(swap), ErrorCode::vim_unsupported_operation,
               "venue 'aave' (lending) does not support swap");
  Order stake = lend(Operation::supply, "WETH", "1"_amt);
  stake.operation = Operation::stake;
  check_failed(venues.execute(stake), ErrorCode::vim_unsupported_operation,
               "does not support stake");
  Order no_token = lend(Operation::withdraw, "", "1"_amt);
  check_failed(venues.execute(no_token), ErrorCode::ord_missing_operation_field,
               "withdraw needs token_out");
}
