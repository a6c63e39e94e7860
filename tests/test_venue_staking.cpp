#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using test::check_failed;

using Balances = test::Positions;

Config staking_config() {
  Config config;
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  VenueConfig lido;
  lido.name = "lido";
  lido.kind = VenueKind::staking;
  lido.wallet = "wallet";
  lido.lst = {{"ETH", "stETH"}};
  VenueConfig etherfi = lido;
  etherfi.name = "etherfi";
  etherfi.lst = {{"ETH", "weETH"}};
  config.venues = {wallet, lido, etherfi};
  return config;
}

// wallet:LST:weETH is deliberately not subscribed.
BookConfig staking_book() {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"wallet:BaseToken:ETH", "wallet:LST:stETH"};
  book.initial_positions = {{"wallet:BaseToken:ETH", "10"_amt}};
  return book;
}

std::shared_ptr<MarketData> rates(Amount steth_rate = "0.5"_amt) {
  auto market = std::make_shared<MarketData>();
  market->staking_rates["lido"]["stETH"] = steth_rate;
  market->staking_rates["etherfi"]["weETH"] = "0.5"_amt;
  return market;
}

Order staking(std::string venue, Operation op, std::string token_in, Amount amount) {
  Order order;
  order.operation_id = "op";
  order.venue = std::move(venue);
  order.operation = op;
  order.token_in = std::move(token_in);
  order.amount = amount;
  return order;
}

Order stake(std::string token, Amount amount) {
  return staking("lido", Operation::stake, std::move(token), amount);
}

Order unstake(std::string token, Amount amount) {
  return staking("lido", Operation::unstake, std::move(token), amount);
}

}  // namespace

TEST_CASE("staking: stake x gives x*r LST in the wallet, unstake y gives back y/r") {
  const BookConfig book = staking_book();
  VenueSet venues(staking_config(), book, rates());

  auto staked = venues.execute(stake("ETH", "4"_amt));
  REQUIRE(staked.status == HandshakeStatus::executed);
  CHECK(staked.trade_id == "lido-1");
  CHECK(staked.executed_amount == "4"_amt);
  CHECK(staked.executed_price == "0.5"_amt);
  CHECK(staked.position_deltas ==
        Balances{{"wallet:BaseToken:ETH", "-4"_amt}, {"wallet:LST:stETH", "2"_amt}});
  CHECK(staked.fee_amount == "0"_amt);
  CHECK(venues.balances(book.subscribed_keys) ==
        Balances{{"wallet:BaseToken:ETH", "6"_amt}, {"wallet:LST:stETH", "2"_amt}});

  auto unstaked = venues.execute(unstake("stETH", "1"_amt));
  REQUIRE(unstaked.status == HandshakeStatus::executed);
  CHECK(unstaked.trade_id == "lido-2");
  CHECK(unstaked.executed_price == "0.5"_amt);
  CHECK(unstaked.position_deltas ==
        Balances{{"wallet:LST:stETH", "-1"_amt}, {"wallet:BaseToken:ETH", "2"_amt}});
  CHECK(venues.balances(book.subscribed_keys) ==
        Balances{{"wallet:BaseToken:ETH", "8"_amt}, {"wallet:LST:stETH", "1"_amt}});

  // A staking venue keeps no keys of its own.
  CHECK(venues.find("lido")->ledger().snapshot().empty());
}

TEST_CASE("staking at another rate uses the same formula") {
  const BookConfig book = staking_book();
  VenueSet venues(staking_config(), book, rates("0.8"_amt));
  // stake 3 * 0.8 = 2.4 stETH; unstake 1 / 0.8 = 1.25 ETH.
  REQUIRE(venues.execute(stake("ETH", "3"_amt)).status == HandshakeStatus::executed);
  REQUIRE(venues.execute(unstake("stETH", "1"_amt)).status == HandshakeStatus::executed);
  CHECK(venues.balances(book.subscribed_keys) ==
        Balances{{"wallet:BaseToken:ETH", "8.25"_amt}, {"wallet:LST:stETH", "1.4"_amt}});
}

TEST_CASE("staking rounding: stake x*r and unstake y/r both round down") {
  const BookConfig book = staking_book();
  VenueSet venues(staking_config(), book, rates("0.999999999999999999"_amt));
  // 0.5 * 0.999999999999999999 = 0.4999999999999999995: down (half-even would give 0.5).
  auto staked = venues.execute(stake("ETH", "0.5"_amt));
  REQUIRE(staked.status == HandshakeStatus::executed);
  CHECK(staked.position_deltas == Balances{{"wallet:BaseToken:ETH", "-0.5"_amt},
                                           {"wallet:LST:stETH", "0.499999999999999999"_amt}});
  // 0.2 / 0.3 = 0.666...: down (half-even would give ...667).
  venues.set_market(rates("0.3"_amt));
  auto unstaked = venues.execute(unstake("stETH", "0.2"_amt));
  REQUIRE(unstaked.status == HandshakeStatus::executed);
  CHECK(unstaked.position_deltas == Balances{{"wallet:LST:stETH", "-0.2"_amt},
                                             {"wallet:BaseToken:ETH", "0.666666666666666666"_amt}});
  CHECK(venues.balances(book.subscribed_keys) ==
        Balances{{"wallet:BaseToken:ETH", "10.166666666666666666"_amt},
                 {"wallet:LST:stETH", "0.299999999999999999"_amt}});
}

TEST_CASE("staking unknown assets fail with VEN-005, a missing rate with VEN-004") {
  auto market = rates();
  market->staking_rates.erase("etherfi");
  VenueSet venues(staking_config(), staking_book(), market);
  check_failed(venues.execute(stake("BTC", "1"_amt)), ErrorCode::ven_unknown_asset,
               "staking venue 'lido' has no LST for BTC");
  check_failed(venues.execute(stake("stETH", "1"_amt)), ErrorCode::ven_unknown_asset,
               "has no LST for stETH");
  check_failed(venues.execute(unstake("weETH", "1"_amt)), ErrorCode::ven_unknown_asset,
               "staking venue 'lido' has no base asset behind weETH");
  check_failed(venues.execute(unstake("ETH", "1"_amt)), ErrorCode::ven_unknown_asset,
               "no base asset behind ETH");
  check_failed(venues.execute(staking("etherfi", Operation::stake, "ETH", "1"_amt)),
               ErrorCode::ven_no_market_data, "no staking rate for weETH on 'etherfi'");
}

TEST_CASE("staking with an insufficient balance fails with VEN-001 and changes nothing") {
  const BookConfig book = staking_book();
  VenueSet venues(staking_config(), book, rates());
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(stake("ETH", "20"_amt)), ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:ETH: have 10, need 20");
  check_failed(venues.execute(unstake("stETH", "1"_amt)), ErrorCode::ven_insufficient_balance,
               "insufficient wallet:LST:stETH: have 0, need 1");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(stake("ETH", "1"_amt)).trade_id == "lido-1");
}

TEST_CASE("staking into an LST key the book does not subscribe fails with POS-001") {
  const BookConfig book = staking_book();
  VenueSet venues(staking_config(), book, rates());
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(staking("etherfi", Operation::stake, "ETH", "1"_amt)),
               ErrorCode::pos_unknown_key, "'wallet:LST:weETH'");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("staking refuses other operations with VIM-002") {
  VenueSet venues(staking_config(), staking_book(), rates());
  check_failed(venues.execute(staking("lido", Operation::supply, "ETH", "1"_amt)),
               ErrorCode::vim_unsupported_operation,
               "venue 'lido' (staking) does not support supply");
  check_failed(venues.execute(stake("", "1"_amt)), ErrorCode::ord_missing_operation_field,
               "stake needs token_in");
}
