#include <doctest/doctest.h>

#include <stdexcept>
#include <typeinfo>

#include "actors/venues/cex_venue.hpp"
#include "actors/venues/lending_venue.hpp"
#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using Balances = test::Positions;

const std::vector<std::string> kVenueNames = {"binance", "okx", "wallet", "aave", "lido", "uni"};

// One venue of every kind (two cex so that transfers have a second custodial target). No fees on
// the cex, no slippage: the numbers stay exact, but nothing below depends on that.
Config checkpoint_config() {
  Config config;
  VenueConfig binance;
  binance.name = "binance";
  binance.kind = VenueKind::cex;
  binance.taker_fee_rate = "0.001"_amt;
  binance.transfer_fees = {{"USDT", "1"_amt}};
  VenueConfig okx = binance;
  okx.name = "okx";
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  VenueConfig aave;
  aave.name = "aave";
  aave.kind = VenueKind::lending;
  aave.wallet = "wallet";
  VenueConfig lido;
  lido.name = "lido";
  lido.kind = VenueKind::staking;
  lido.wallet = "wallet";
  lido.lst = {{"WETH", "weETH"}};
  VenueConfig uni;
  uni.name = "uni";
  uni.kind = VenueKind::dex;
  uni.wallet = "wallet";
  config.venues = {binance, okx, wallet, aave, lido, uni};
  return config;
}

BookConfig checkpoint_book() {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"binance:BaseToken:USDT", "binance:BaseToken:BTC",
                          "binance:Perp:BTCUSDT",   "okx:BaseToken:USDT",
                          "wallet:BaseToken:USDT",  "wallet:BaseToken:WETH",
                          "wallet:BaseToken:USDC",  "wallet:LST:weETH",
                          "aave:aToken:WETH",       "aave:debtToken:WETH"};
  book.initial_positions = {{"binance:BaseToken:USDT", "100000"_amt},
                            {"okx:BaseToken:USDT", "1000"_amt},
                            {"wallet:BaseToken:WETH", "100"_amt},
                            {"wallet:BaseToken:USDC", "1000"_amt}};
  return book;
}

std::shared_ptr<MarketData> market(Amount btc) {
  auto data = std::make_shared<MarketData>();
  data->prices = {{"BTC", btc},
                  {"USDT", "1"_amt},
                  {"WETH", "2000"_amt},
                  {"weETH", "4000"_amt},
                  {"USDC", "1"_amt}};
  data->indices["aave"]["WETH"] = LendingIndex{"1.25"_amt, "2"_amt};
  data->staking_rates["lido"]["weETH"] = "0.5"_amt;
  return data;
}

Order make_order(std::string venue, Operation op, Amount amount) {
  Order order;
  order.operation_id = "op";
  order.venue = std::move(venue);
  order.operation = op;
  order.amount = amount;
  return order;
}

Order perp(Side side, Amount amount) {
  Order order = make_order("binance", Operation::perp_trade, amount);
  order.pair = "BTC/USDT";
  order.side = side;
  return order;
}

Order with_tokens(Order order, std::string token_in, std::string token_out = "") {
  order.token_in = std::move(token_in);
  order.token_out = std::move(token_out);
  return order;
}

Order transfer(std::string from, std::string to, std::string token, Amount amount) {
  Order order = with_tokens(make_order(std::move(from), Operation::transfer, amount),
                            std::move(token));
  order.target_venue = std::move(to);
  return order;
}

void require_executed(VenueSet& venues, const Order& order) {
  auto hs = venues.execute(order);
  REQUIRE_MESSAGE(hs.status == HandshakeStatus::executed, hs.error_message);
}

CexVenue& cex(VenueSet& venues, const std::string& name) {
  auto* venue = dynamic_cast<CexVenue*>(venues.find(name));
  REQUIRE(venue != nullptr);
  return *venue;
}

LendingVenue& lending(VenueSet& venues) {
  auto* venue = dynamic_cast<LendingVenue*>(venues.find("aave"));
  REQUIRE(venue != nullptr);
  return *venue;
}

using Checkpoints = std::map<std::string, std::unique_ptr<VenueSimulator>>;

Checkpoints checkpoint_all(VenueSet& venues) {
  Checkpoints checkpoints;
  for (const auto& name : kVenueNames) checkpoints.emplace(name, venues.find(name)->clone());
  return checkpoints;
}

void restore_all(VenueSet& venues, const Checkpoints& checkpoints) {
  for (const auto& [name, checkpoint] : checkpoints) venues.find(name)->restore(*checkpoint);
}

// Orders that change every ledger and every piece of venue state of the set.
void run_group(VenueSet& venues) {
  require_executed(venues, perp(Side::long_, "1"_amt));     // adds: entry 60000 -> 61000 at 62000
  require_executed(venues, perp(Side::short_, "3"_amt));    // flips: entry 62000, PnL on the long
  require_executed(venues, with_tokens(make_order("aave", Operation::flash_borrow, "10"_amt), "",
                                       "WETH"));      // flash liability 10 WETH
  require_executed(venues, with_tokens(make_order("aave", Operation::supply, "5"_amt), "WETH"));
  require_executed(venues, with_tokens(make_order("lido", Operation::stake, "4"_amt), "WETH"));
  require_executed(venues,
                   with_tokens(make_order("uni", Operation::swap, "1"_amt), "WETH", "USDC"));
  require_executed(venues, transfer("binance", "wallet", "USDT", "500"_amt));
  require_executed(venues, transfer("wallet", "okx", "USDT", "200"_amt));
}

}  // namespace

TEST_CASE("checkpoint: a clone has the venue's type, name, ledger and shares its market") {
  VenueSet venues(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  for (const auto& name : kVenueNames) {
    VenueSimulator& venue = *venues.find(name);
    auto copy = venue.clone();
    REQUIRE(copy != nullptr);
    CHECK(typeid(*copy) == typeid(venue));
    CHECK(copy->name() == name);
    CHECK(copy->ledger().snapshot() == venue.ledger().snapshot());
    CHECK(&copy->market() == &venue.market());  // shared, not copied
  }
  CHECK(dynamic_cast<TransferringVenue&>(*venues.find("wallet")->clone()).transfer_targets() ==
        std::set<std::string>{"binance", "okx", "wallet"});
}

TEST_CASE("checkpoint: restore puts every kind back exactly, ledgers and venue state") {
  VenueSet venues(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  require_executed(venues, perp(Side::long_, "1"_amt));  // entry 60000 before the checkpoint
  require_executed(venues, with_tokens(make_order("aave", Operation::borrow, "2"_amt), "", "WETH"));
  const Balances before = venues.balances(checkpoint_book().subscribed_keys);
  const Checkpoints checkpoints = checkpoint_all(venues);

  venues.set_market(market("62000"_amt));
  run_group(venues);
  cex(venues, "okx").set_transfer_targets({"binance"});
  // The group did change what the checkpoint must undo.
  REQUIRE(cex(venues, "binance").entry_price("binance:Perp:BTCUSDT") == "62000"_amt);
  REQUIRE(lending(venues).flash_liability("WETH") == "10"_amt);
  REQUIRE(venues.balances(checkpoint_book().subscribed_keys) != before);
  // A checkpoint is a copy: the group did not touch it.
  CHECK(checkpoints.at("binance")->ledger().balance("binance:Perp:BTCUSDT") == "1"_amt);

  restore_all(venues, checkpoints);
  CHECK(venues.balances(checkpoint_book().subscribed_keys) == before);
  for (const auto& [name, checkpoint] : checkpoints)
    CHECK(venues.find(name)->ledger().snapshot() == checkpoint->ledger().snapshot());
  CHECK(before == Balances{{"binance:BaseToken:USDT", "99940"_amt},  // 100000 - fee 60
                           {"binance:BaseToken:BTC", "0"_amt},
                           {"binance:Perp:BTCUSDT", "1"_amt},
                           {"okx:BaseToken:USDT", "1000"_amt},
                           {"wallet:BaseToken:USDT", "0"_amt},
                           {"wallet:BaseToken:WETH", "102"_amt},
                           {"wallet:BaseToken:USDC", "1000"_amt},
                           {"wallet:LST:weETH", "0"_amt},
                           {"aave:aToken:WETH", "0"_amt},
                           {"aave:debtToken:WETH", "1"_amt}});
  CHECK(cex(venues, "binance").entry_price("binance:Perp:BTCUSDT") == "60000"_amt);
  CHECK(lending(venues).flash_liabilities().empty());
  CHECK(lending(venues).flash_liability("WETH") == "0"_amt);
  CHECK(cex(venues, "okx").transfer_targets() ==
        std::set<std::string>{"binance", "okx", "wallet"});
  // The market is not venue state: a market event during the group stays.
  CHECK(venues.find("binance")->market().prices.at("BTC") == "62000"_amt);
}

TEST_CASE("checkpoint: state created after the checkpoint is removed by restore") {
  VenueSet venues(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  const Checkpoints checkpoints = checkpoint_all(venues);
  require_executed(venues, perp(Side::short_, "0.5"_amt));
  require_executed(venues, with_tokens(make_order("aave", Operation::flash_borrow, "3"_amt), "",
                                       "WETH"));
  REQUIRE(cex(venues, "binance").entry_price("binance:Perp:BTCUSDT").has_value());
  restore_all(venues, checkpoints);
  CHECK_FALSE(cex(venues, "binance").entry_price("binance:Perp:BTCUSDT").has_value());
  CHECK(lending(venues).flash_liabilities().empty());
  CHECK(venues.balances({"binance:Perp:BTCUSDT", "wallet:BaseToken:WETH"}) ==
        Balances{{"binance:Perp:BTCUSDT", "0"_amt}, {"wallet:BaseToken:WETH", "100"_amt}});
}

TEST_CASE("checkpoint: after restore, orders and trade ids go on as if the group never ran") {
  VenueSet reverted(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  VenueSet untouched(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  for (VenueSet* venues : {&reverted, &untouched}) {
    require_executed(*venues, perp(Side::long_, "1"_amt));
    require_executed(*venues, with_tokens(make_order("aave", Operation::supply, "8"_amt), "WETH"));
  }
  const Checkpoints checkpoints = checkpoint_all(reverted);
  run_group(reverted);
  restore_all(reverted, checkpoints);

  const std::vector<Order> next = {
      perp(Side::long_, "1"_amt),
      with_tokens(make_order("aave", Operation::flash_borrow, "2"_amt), "", "WETH"),
      with_tokens(make_order("aave", Operation::flash_repay, "2"_amt), "WETH"),
      with_tokens(make_order("lido", Operation::stake, "2"_amt), "WETH"),
      transfer("binance", "wallet", "USDT", "100"_amt)};
  const std::vector<std::string> trade_ids = {"binance-2", "aave-2", "aave-3", "lido-1",
                                              "binance-3"};
  for (std::size_t i = 0; i < next.size(); ++i) {
    auto a = reverted.execute(next[i]);
    auto b = untouched.execute(next[i]);
    REQUIRE_MESSAGE(a.status == HandshakeStatus::executed, a.error_message);
    CHECK(a.trade_id == trade_ids[i]);
    CHECK(a.trade_id == b.trade_id);
    CHECK(a.position_deltas == b.position_deltas);
    CHECK(a.fee_amount == b.fee_amount);
    CHECK(a.executed_price == b.executed_price);
  }
  CHECK(reverted.balances(checkpoint_book().subscribed_keys) ==
        untouched.balances(checkpoint_book().subscribed_keys));
  CHECK(cex(reverted, "binance").entry_price("binance:Perp:BTCUSDT") ==
        cex(untouched, "binance").entry_price("binance:Perp:BTCUSDT"));
}

TEST_CASE("checkpoint: one checkpoint restores as often as needed") {
  VenueSet venues(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  const Balances start = venues.balances(checkpoint_book().subscribed_keys);
  const Checkpoints checkpoints = checkpoint_all(venues);
  for (int attempt = 0; attempt < 2; ++attempt) {
    run_group(venues);
    restore_all(venues, checkpoints);
    CHECK(venues.balances(checkpoint_book().subscribed_keys) == start);
    CHECK(venues.execute(perp(Side::long_, "0.5"_amt)).trade_id == "binance-1");
    restore_all(venues, checkpoints);
  }
}

TEST_CASE("checkpoint: restoring from another venue's checkpoint is refused, nothing changes") {
  VenueSet venues(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  VenueSimulator& binance = *venues.find("binance");
  const Balances before = binance.ledger().snapshot();
  auto okx = venues.find("okx")->clone();      // same kind, other venue
  auto wallet = venues.find("wallet")->clone();  // other kind
  try {
    binance.restore(*okx);
    FAIL("restore from okx's checkpoint was accepted");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) ==
          "cannot restore venue 'binance' (cex) from a checkpoint of venue 'okx' (cex)");
  }
  CHECK_THROWS_WITH_AS(binance.restore(*wallet),
                       "cannot restore venue 'binance' (cex) from a checkpoint of venue "
                       "'wallet' (wallet)",
                       std::invalid_argument);
  CHECK(binance.ledger().snapshot() == before);
  binance.restore(binance);  // its own self: a no-op
  CHECK(binance.ledger().snapshot() == before);
}

TEST_CASE("checkpoint: a group's checkpoint is kept from its first touch until revert or close") {
  VenueSet venues(checkpoint_config(), checkpoint_book(), market("60000"_amt));
  auto& aave = lending(venues);
  aave.open_checkpoint("g1");
  require_executed(venues, with_tokens(make_order("aave", Operation::flash_borrow, "3"_amt), "",
                                       "WETH"));
  aave.open_checkpoint("g1");  // a later touch of the same group keeps the first checkpoint
  require_executed(venues, with_tokens(make_order("aave", Operation::flash_borrow, "2"_amt), "",
                                       "WETH"));
  REQUIRE(aave.flash_liability("WETH") == "5"_amt);
  CHECK(aave.revert_checkpoint("g1"));
  CHECK(aave.flash_liabilities().empty());
  CHECK_FALSE(aave.revert_checkpoint("g1"));  // reverted once, then forgotten

  aave.open_checkpoint("g2");
  require_executed(venues, with_tokens(make_order("aave", Operation::flash_borrow, "1"_amt), "",
                                       "WETH"));
  aave.close_checkpoint("g2");  // committed: nothing left to revert
  CHECK_FALSE(aave.revert_checkpoint("g2"));
  CHECK(aave.flash_liability("WETH") == "1"_amt);
  CHECK(aave.revert_open_checkpoints().empty());

  aave.open_checkpoint("g3");
  aave.open_checkpoint("");  // no group, no checkpoint
  require_executed(venues, with_tokens(make_order("aave", Operation::flash_borrow, "4"_amt), "",
                                       "WETH"));
  CHECK(aave.revert_open_checkpoints() == std::vector<std::string>{"g3"});
  CHECK(aave.flash_liability("WETH") == "1"_amt);
  CHECK(aave.revert_open_checkpoints().empty());
}
