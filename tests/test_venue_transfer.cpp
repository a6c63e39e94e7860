#include <doctest/doctest.h>

#include "actors/venues/transfer_pricing.hpp"
#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using test::check_failed;

using Balances = test::Positions;

// binance (cex) and wallet charge transfer fees, cold (wallet) charges none; aave is a valid
// venue but no transfer target; lido makes weETH an LST symbol.
Config transfer_config() {
  Config config;
  VenueConfig binance;
  binance.name = "binance";
  binance.kind = VenueKind::cex;
  binance.transfer_fees = {{"USDT", "1"_amt}};
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  wallet.transfer_fees = {{"USDT", "0.5"_amt}};
  VenueConfig cold;
  cold.name = "cold";
  cold.kind = VenueKind::wallet;
  VenueConfig aave;
  aave.name = "aave";
  aave.kind = VenueKind::lending;
  aave.wallet = "wallet";
  VenueConfig lido;
  lido.name = "lido";
  lido.kind = VenueKind::staking;
  lido.wallet = "wallet";
  lido.lst = {{"ETH", "weETH"}};
  config.venues = {binance, wallet, cold, aave, lido};
  return config;
}

// cold:LST:weETH is deliberately not subscribed.
BookConfig transfer_book() {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"binance:BaseToken:USDT", "binance:BaseToken:ETH", "binance:LST:weETH",
                          "wallet:BaseToken:USDT",  "wallet:BaseToken:ETH",  "wallet:LST:weETH",
                          "cold:BaseToken:USDT"};
  book.initial_positions = {{"binance:BaseToken:USDT", "5000"_amt},
                            {"binance:BaseToken:ETH", "2"_amt},
                            {"wallet:BaseToken:USDT", "1000"_amt},
                            {"wallet:LST:weETH", "3"_amt}};
  return book;
}

Order transfer(std::string from, std::string to, std::string token, Amount amount) {
  Order order;
  order.operation_id = "op";
  order.venue = std::move(from);
  order.operation = Operation::transfer;
  order.token_in = std::move(token);
  order.target_venue = std::move(to);
  order.amount = amount;
  return order;
}

}  // namespace

TEST_CASE("transfer cex -> wallet: sender pays amount plus its fee, target receives amount") {
  const BookConfig book = transfer_book();
  VenueSet venues(transfer_config(), book, nullptr);
  Order order = transfer("binance", "wallet", "USDT", "1000"_amt);
  order.source_venue = "binance";

  VenuePlan plan = venues.find("binance")->plan(order);
  REQUIRE(plan.executed());
  CHECK(plan.remote_venue == "wallet");
  REQUIRE(plan.own_legs.size() == 1);
  CHECK(plan.own_legs[0].delta_amount == "-1001"_amt);
  CHECK(plan.own_legs[0].source == DeltaSource::transfer);
  REQUIRE(plan.remote_legs.size() == 1);
  CHECK(plan.remote_legs[0].position_key == "wallet:BaseToken:USDT");
  CHECK(plan.remote_legs[0].delta_amount == "1000"_amt);

  auto hs = venues.execute(order);
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.trade_id == "binance-1");
  CHECK(hs.executed_amount == "1000"_amt);
  CHECK(hs.position_deltas ==
        Balances{{"binance:BaseToken:USDT", "-1000"_amt}, {"wallet:BaseToken:USDT", "1000"_amt}});
  CHECK(hs.fee_amount == "1"_amt);
  CHECK(hs.fee_currency == "USDT");
  CHECK(hs.fee_venue == "binance");
  CHECK(venues.balances({"binance:BaseToken:USDT", "wallet:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", "3999"_amt}, {"wallet:BaseToken:USDT", "2000"_amt}});
}

TEST_CASE("transfer wallet -> cex with the wallet's fee") {
  VenueSet venues(transfer_config(), transfer_book(), nullptr);
  auto hs = venues.execute(transfer("wallet", "binance", "USDT", "500"_amt));
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.trade_id == "wallet-1");
  CHECK(hs.position_deltas ==
        Balances{{"wallet:BaseToken:USDT", "-500"_amt}, {"binance:BaseToken:USDT", "500"_amt}});
  CHECK(hs.fee_amount == "0.5"_amt);
  CHECK(hs.fee_venue == "wallet");
  CHECK(venues.balances({"binance:BaseToken:USDT", "wallet:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", "5500"_amt}, {"wallet:BaseToken:USDT", "499.5"_amt}});
}

TEST_CASE("transfer of an LST moves LST keys, a token without a fee is free") {
  const BookConfig book = transfer_book();
  VenueSet venues(transfer_config(), book, nullptr);
  auto lst = venues.execute(transfer("wallet", "binance", "weETH", "2"_amt));
  REQUIRE(lst.status == HandshakeStatus::executed);
  CHECK(lst.position_deltas ==
        Balances{{"wallet:LST:weETH", "-2"_amt}, {"binance:LST:weETH", "2"_amt}});
  CHECK(lst.fee_amount == "0"_amt);

  auto eth = venues.execute(transfer("binance", "wallet", "ETH", "1.5"_amt));
  REQUIRE(eth.status == HandshakeStatus::executed);
  CHECK(eth.fee_amount == "0"_amt);
  CHECK(venues.balances(book.subscribed_keys) == Balances{{"binance:BaseToken:USDT", "5000"_amt},
                                                          {"binance:BaseToken:ETH", "0.5"_amt},
                                                          {"binance:LST:weETH", "2"_amt},
                                                          {"wallet:BaseToken:USDT", "1000"_amt},
                                                          {"wallet:BaseToken:ETH", "1.5"_amt},
                                                          {"wallet:LST:weETH", "1"_amt},
                                                          {"cold:BaseToken:USDT", "0"_amt}});
}

TEST_CASE("transfer to an unknown, the same or a non-custodial venue fails with VEN-007") {
  const BookConfig book = transfer_book();
  VenueSet venues(transfer_config(), book, nullptr);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(transfer("binance", "kraken", "USDT", "10"_amt)),
               ErrorCode::ven_bad_transfer,
               "transfer target 'kraken' is not a configured cex or wallet venue");
  check_failed(venues.execute(transfer("binance", "aave", "USDT", "10"_amt)),
               ErrorCode::ven_bad_transfer, "target 'aave' is not a configured cex or wallet");
  check_failed(venues.execute(transfer("binance", "binance", "USDT", "10"_amt)),
               ErrorCode::ven_bad_transfer, "transfer from 'binance' to itself");
  Order wrong_source = transfer("binance", "wallet", "USDT", "10"_amt);
  wrong_source.source_venue = "wallet";
  check_failed(venues.execute(wrong_source), ErrorCode::ven_bad_transfer,
               "names source_venue 'wallet'; they must match");
  check_failed(venues.execute(transfer("binance", "", "USDT", "10"_amt)),
               ErrorCode::ord_missing_operation_field, "transfer needs target_venue");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(transfer("binance", "wallet", "USDT", "10"_amt)).trade_id == "binance-1");
}

TEST_CASE("transfer the sender cannot cover with its fee fails with VEN-001") {
  const BookConfig book = transfer_book();
  VenueSet venues(transfer_config(), book, nullptr);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(transfer("binance", "wallet", "USDT", "5000"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient binance:BaseToken:USDT: have 5000, need 5001");
  check_failed(venues.execute(transfer("wallet", "cold", "USDT", "1000"_amt)),
               ErrorCode::ven_insufficient_balance,
               "insufficient wallet:BaseToken:USDT: have 1000, need 1000.5");
  CHECK(venues.balances(book.subscribed_keys) == before);
}

TEST_CASE("transfer to a target key the book does not subscribe fails with POS-001") {
  const BookConfig book = transfer_book();
  VenueSet venues(transfer_config(), book, nullptr);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(transfer("wallet", "cold", "weETH", "1"_amt)),
               ErrorCode::pos_unknown_key, "'cold:LST:weETH'");
  CHECK(venues.balances(book.subscribed_keys) == before);
  CHECK(venues.execute(transfer("wallet", "cold", "USDT", "1"_amt)).trade_id == "wallet-1");
}

TEST_CASE("a transferring venue built alone knows no targets until told") {
  const Config config = transfer_config();
  auto binance = make_venue_simulator(config.venues[0], VenueContext{});
  REQUIRE_FALSE(binance->ledger().open("binance:BaseToken:USDT", "100"_amt));
  auto refused = binance->plan(transfer("binance", "wallet", "USDT", "10"_amt));
  CHECK(refused.handshake.error_code == ErrorCode::ven_bad_transfer);
  CHECK(refused.handshake.error_message ==
        "venue 'binance' was given no transfer targets (configure_transfer_targets)");

  CHECK(transfer_target_names(config.venues) == std::set<std::string>{"binance", "cold", "wallet"});
  CHECK(configure_transfer_targets(*binance, std::make_shared<const std::set<std::string>>(
                                                 transfer_target_names(config.venues))));
  auto plan = binance->plan(transfer("binance", "wallet", "USDT", "10"_amt));
  CHECK(plan.executed());
  CHECK(plan.remote_venue == "wallet");

  auto aave = make_venue_simulator(config.venues[3], VenueContext{});
  CHECK_FALSE(configure_transfer_targets(
      *aave, std::make_shared<const std::set<std::string>>(std::set<std::string>{"binance"})));
}

TEST_CASE("transfer whose target balance would leave the amount range fails with VEN-009") {
  BookConfig book = transfer_book();
  book.initial_positions["cold:BaseToken:USDT"] = Amount::max();  // about 1.7e20
  VenueSet venues(transfer_config(), book, nullptr);
  const auto before = venues.balances(book.subscribed_keys);
  check_failed(venues.execute(transfer("wallet", "cold", "USDT", "0.000000000000000001"_amt)),
               ErrorCode::ven_amount_overflow,
               "the balance of cold:BaseToken:USDT would leave the amount range");
  CHECK(venues.balances(book.subscribed_keys) == before);  // the sender is untouched too
  CHECK(venues.execute(transfer("wallet", "binance", "USDT", "1"_amt)).trade_id == "wallet-1");
}
