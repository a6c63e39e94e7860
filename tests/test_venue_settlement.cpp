#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using Balances = test::Positions;

// 2^-10 = 0.0009765625: the payments below need no rounding.
Amount base_rate() { return "0.0009765625"_amt; }

Config funding_config() {
  Config config;
  VenueConfig binance;
  binance.name = "binance";
  binance.kind = VenueKind::cex;
  binance.settlement_token = "USDT";
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  config.venues = {binance, wallet};
  return config;
}

// BTCUSDC does not end with the settlement token: its mark cannot be priced in USDT.
BookConfig funding_book(Balances initial) {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"binance:BaseToken:USDT", "binance:BaseToken:BTC",
                          "binance:Perp:BTCUSDT",   "binance:Perp:ETHUSDT",
                          "binance:Perp:BTCUSDC"};
  book.initial_positions = std::move(initial);
  book.initial_positions.emplace("binance:BaseToken:USDT", "1000"_amt);
  return book;
}

std::shared_ptr<MarketData> funding_market(Balances rates, Amount usdt_price = "1"_amt) {
  auto market = std::make_shared<MarketData>();
  market->prices = {
      {"BTC", "60000"_amt}, {"ETH", "2000"_amt}, {"USDT", usdt_price}, {"USDC", "1"_amt}};
  market->funding_rates["binance"] = std::move(rates);
  return market;
}

void check_funding(const ExecutionDelta& delta, Amount amount, Amount mark) {
  CHECK(delta.position_key == "binance:BaseToken:USDT");
  CHECK(delta.delta_amount == amount);
  CHECK(delta.source == DeltaSource::funding);
  CHECK(delta.price == mark);
  CHECK(delta.fee == "0"_amt);
  CHECK(delta.operation_id.empty());
}

// settle() on `venue`, checking that its ledger moved by exactly the returned deltas.
std::vector<ExecutionDelta> settle_checked(VenueSimulator& venue) {
  Balances expected = venue.ledger().snapshot();
  auto settlement = venue.settle();
  REQUIRE_FALSE(settlement.failure.failed());
  auto deltas = settlement.deltas;
  for (const auto& delta : deltas) expected.at(delta.position_key) += delta.delta_amount;
  CHECK(venue.ledger().snapshot() == expected);
  return deltas;
}

}  // namespace

TEST_CASE("settle: a long pays funding at a positive rate, -size * mark * rate") {
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", "0.5"_amt}}),
                  funding_market({{"BTCUSDT", base_rate()}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], "-29.296875"_amt, "60000"_amt);  // 0.5 * 60000 / 1024
  CHECK(venues.balances({"binance:BaseToken:USDT", "binance:Perp:BTCUSDT"}) ==
        Balances{{"binance:BaseToken:USDT", "970.703125"_amt},
                 {"binance:Perp:BTCUSDT", "0.5"_amt}});
}

TEST_CASE("settle: a short receives funding at a positive rate, pays at a negative one") {
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", "-0.5"_amt}}),
                  funding_market({{"BTCUSDT", base_rate()}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], "29.296875"_amt, "60000"_amt);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", "1029.296875"_amt}});

  venues.set_market(funding_market({{"BTCUSDT", -base_rate()}}));
  deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], "-29.296875"_amt, "60000"_amt);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", "1000"_amt}});
}

TEST_CASE("settle: the payment rounds toward -infinity, the notional half-even") {
  auto market = funding_market({{"ETHUSDT", "0.0001"_amt}});
  market->prices["ETH"] = "2000.000000000000000001"_amt;
  // 0.7 * 2000.000000000000000001 = 1400.0000000000000000007: half-even to ...001 (down would
  // give 1400, and then a payment of -0.14 for the long).
  SUBCASE("a long at a positive rate pays the rounded-up amount") {
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:ETHUSDT", "0.7"_amt}}), market);
    auto deltas = settle_checked(*venues.find("binance"));
    REQUIRE(deltas.size() == 1);
    // -(1400.000000000000000001 * 0.0001) = -0.1400000000000000000001: floor (toward zero or
    // half-even would give -0.14).
    check_funding(deltas[0], "-0.140000000000000001"_amt, "2000.000000000000000001"_amt);
    CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
          Balances{{"binance:BaseToken:USDT", "999.859999999999999999"_amt}});
  }
  SUBCASE("a short at a positive rate receives the rounded-down amount") {
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:ETHUSDT", "-0.7"_amt}}),
                    market);
    auto deltas = settle_checked(*venues.find("binance"));
    REQUIRE(deltas.size() == 1);
    // +0.1400000000000000000001: floor (away from zero would give 0.140000000000000001).
    check_funding(deltas[0], "0.14"_amt, "2000.000000000000000001"_amt);
  }
  SUBCASE("a long at a negative rate receives the rounded-down amount") {
    market->funding_rates["binance"]["ETHUSDT"] = "-0.0001"_amt;
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:ETHUSDT", "0.7"_amt}}), market);
    auto deltas = settle_checked(*venues.find("binance"));
    REQUIRE(deltas.size() == 1);
    check_funding(deltas[0], "0.14"_amt, "2000.000000000000000001"_amt);  // floor
  }
}

TEST_CASE("settle: every open perp settles, one delta each, in key order") {
  VenueSet venues(
      funding_config(),
      funding_book({{"binance:Perp:BTCUSDT", "0.5"_amt}, {"binance:Perp:ETHUSDT", "-0.25"_amt}}),
      funding_market({{"BTCUSDT", base_rate()}, {"ETHUSDT", "0.001953125"_amt}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 2);
  check_funding(deltas[0], "-29.296875"_amt, "60000"_amt);
  check_funding(deltas[1], "0.9765625"_amt, "2000"_amt);  // 0.25 * 2000 * 2 / 1024
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", "971.6796875"_amt}});  // 1000 - 29.296875 + 0.9765625
}

TEST_CASE("settle: the mark is the base price over the settlement token's price") {
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", "0.5"_amt}}),
                  funding_market({{"BTCUSDT", base_rate()}}, "0.5"_amt));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], "-58.59375"_amt, "120000"_amt);  // 0.5 * (60000 / 0.5) / 1024
}

TEST_CASE("settle: each call is one funding period and settles again") {
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", "0.5"_amt}}),
                  funding_market({{"BTCUSDT", base_rate()}}));
  REQUIRE(settle_checked(*venues.find("binance")).size() == 1);
  REQUIRE(settle_checked(*venues.find("binance")).size() == 1);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", "941.40625"_amt}});  // 1000 - 2 * 29.296875
}

TEST_CASE("settle: nothing for a zero rate, a missing rate or a flat position") {
  const Balances initial{{"binance:Perp:BTCUSDT", "0.5"_amt}, {"binance:Perp:ETHUSDT", "0"_amt}};
  SUBCASE("zero rate") {
    VenueSet venues(funding_config(), funding_book(initial),
                    funding_market({{"BTCUSDT", "0"_amt}}));
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
  SUBCASE("no rate for the perp") {
    VenueSet venues(funding_config(), funding_book(initial),
                    funding_market({{"ETHUSDT", base_rate()}}));
    CHECK(settle_checked(*venues.find("binance")).empty());  // ETHUSDT is flat
  }
  SUBCASE("no funding rates for the venue at all") {
    auto market = funding_market({});
    market->funding_rates.clear();
    VenueSet venues(funding_config(), funding_book(initial), market);
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
  SUBCASE("flat position with a rate") {
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", "0"_amt}}),
                    funding_market({{"BTCUSDT", base_rate()}}));
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
}

TEST_CASE("settle: perps that cannot be marked in the settlement token are skipped") {
  SUBCASE("symbol of another quote") {
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDC", "0.5"_amt}}),
                    funding_market({{"BTCUSDC", base_rate()}}));
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
  SUBCASE("no price for the base") {
    auto market = funding_market({{"ETHUSDT", base_rate()}});
    market->prices.erase("ETH");
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:ETHUSDT", "0.5"_amt}}),
                    market);
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
}

TEST_CASE("settle: without the settlement key in the book, nothing settles") {
  BookConfig book = funding_book({{"binance:Perp:BTCUSDT", "0.5"_amt}});
  book.subscribed_keys.erase(book.subscribed_keys.begin());  // binance:BaseToken:USDT
  book.initial_positions.erase("binance:BaseToken:USDT");
  VenueSet venues(funding_config(), book, funding_market({{"BTCUSDT", base_rate()}}));
  CHECK(settle_checked(*venues.find("binance")).empty());
  CHECK(venues.balances({"binance:Perp:BTCUSDT"}) ==
        Balances{{"binance:Perp:BTCUSDT", "0.5"_amt}});
}

TEST_CASE("settle: funding is imposed, it may take the settlement token below zero") {
  BookConfig book = funding_book({{"binance:Perp:BTCUSDT", "0.5"_amt}});
  book.initial_positions["binance:BaseToken:USDT"] = "10"_amt;
  VenueSet venues(funding_config(), book, funding_market({{"BTCUSDT", base_rate()}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], "-29.296875"_amt, "60000"_amt);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", "-19.296875"_amt}});
}

TEST_CASE("settle: a payment beyond the amount range settles nothing and reports VEN-009") {
  SUBCASE("the notional is out of range") {
    // 1e16 * 60000 = 6e20 units: beyond about 1.7e20. ETHUSDT alone would settle, but a
    // failure settles nothing of the venue.
    BookConfig book = funding_book(
        {{"binance:Perp:BTCUSDT", "1e16"_amt}, {"binance:Perp:ETHUSDT", "0.5"_amt}});
    VenueSet venues(funding_config(), book,
                    funding_market({{"BTCUSDT", base_rate()}, {"ETHUSDT", base_rate()}}));
    VenueSimulator& binance = *venues.find("binance");
    const Balances before = binance.ledger().snapshot();
    auto settlement = binance.settle();
    CHECK(settlement.failure.code == ErrorCode::ven_amount_overflow);
    CHECK_MESSAGE(settlement.failure.message.find("amount overflow") != std::string::npos,
                  settlement.failure.message);
    CHECK(settlement.deltas.empty());
    CHECK(binance.ledger().snapshot() == before);
  }
  SUBCASE("the balance after the payment is out of range") {
    // A short receives 29.296875 on a settlement balance already at the largest amount.
    BookConfig book = funding_book({{"binance:Perp:BTCUSDT", "-0.5"_amt}});
    book.initial_positions["binance:BaseToken:USDT"] = Amount::max();
    VenueSet venues(funding_config(), book, funding_market({{"BTCUSDT", base_rate()}}));
    VenueSimulator& binance = *venues.find("binance");
    const Balances before = binance.ledger().snapshot();
    auto settlement = binance.settle();
    CHECK(settlement.failure.code == ErrorCode::ven_amount_overflow);
    CHECK_MESSAGE(settlement.failure.message.find("binance:BaseToken:USDT would leave the "
                                                  "amount range") != std::string::npos,
                  settlement.failure.message);
    CHECK(settlement.deltas.empty());
    CHECK(binance.ledger().snapshot() == before);
  }
}

TEST_CASE("settle: lending, staking, dex and wallet settle nothing") {
  Config config;
  VenueConfig wallet;
  wallet.name = "wallet";
  wallet.kind = VenueKind::wallet;
  VenueConfig aave;
  aave.name = "aave";
  aave.kind = VenueKind::lending;
  aave.wallet = "wallet";
  VenueConfig lido = aave;
  lido.name = "lido";
  lido.kind = VenueKind::staking;
  lido.lst = {{"WETH", "weETH"}};
  VenueConfig uni = aave;
  uni.name = "uni";
  uni.kind = VenueKind::dex;
  config.venues = {wallet, aave, lido, uni};
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"wallet:BaseToken:WETH", "wallet:LST:weETH", "aave:aToken:WETH",
                          "aave:debtToken:WETH"};
  book.initial_positions = {{"wallet:BaseToken:WETH", "10"_amt},
                            {"wallet:LST:weETH", "4"_amt},
                            {"aave:aToken:WETH", "8"_amt},
                            {"aave:debtToken:WETH", "2"_amt}};
  auto market = std::make_shared<MarketData>();
  market->prices = {{"WETH", "2000"_amt}, {"weETH", "4000"_amt}};
  // Grown: interest is in the index.
  market->indices["aave"]["WETH"] = LendingIndex{"1.5"_amt, "2.5"_amt};
  market->staking_rates["lido"]["weETH"] = "0.5"_amt;
  VenueSet venues(config, book, market);
  for (const std::string name : {"wallet", "aave", "lido", "uni"})
    CHECK_MESSAGE(settle_checked(*venues.find(name)).empty(), name);
  CHECK(venues.balances(book.subscribed_keys) == book.initial_positions);
}
