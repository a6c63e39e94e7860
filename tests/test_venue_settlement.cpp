#include <doctest/doctest.h>

#include "actors/venues/venue_set.hpp"

using namespace tightloop;

namespace {

using Balances = std::map<std::string, double>;

// 2^-10: every funding payment below is exact in binary.
constexpr double kRate = 0.0009765625;

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
BookConfig funding_book(std::map<std::string, double> initial) {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"binance:BaseToken:USDT", "binance:BaseToken:BTC",
                          "binance:Perp:BTCUSDT",   "binance:Perp:ETHUSDT",
                          "binance:Perp:BTCUSDC"};
  book.initial_positions = std::move(initial);
  book.initial_positions.emplace("binance:BaseToken:USDT", 1000);
  return book;
}

std::shared_ptr<MarketData> funding_market(std::map<std::string, double> rates,
                                           double usdt_price = 1) {
  auto market = std::make_shared<MarketData>();
  market->prices = {{"BTC", 60000}, {"ETH", 2000}, {"USDT", usdt_price}, {"USDC", 1}};
  market->funding_rates["binance"] = std::move(rates);
  return market;
}

void check_funding(const ExecutionDelta& delta, double amount, double mark) {
  CHECK(delta.position_key == "binance:BaseToken:USDT");
  CHECK(delta.delta_amount == amount);
  CHECK(delta.source == DeltaSource::funding);
  CHECK(delta.price == mark);
  CHECK(delta.fee == 0.0);
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
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", 0.5}}),
                  funding_market({{"BTCUSDT", kRate}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], -29.296875, 60000);  // 0.5 * 60000 / 1024
  CHECK(venues.balances({"binance:BaseToken:USDT", "binance:Perp:BTCUSDT"}) ==
        Balances{{"binance:BaseToken:USDT", 970.703125}, {"binance:Perp:BTCUSDT", 0.5}});
}

TEST_CASE("settle: a short receives funding at a positive rate, pays at a negative one") {
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", -0.5}}),
                  funding_market({{"BTCUSDT", kRate}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], 29.296875, 60000);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", 1029.296875}});

  venues.set_market(funding_market({{"BTCUSDT", -kRate}}));
  deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], -29.296875, 60000);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) == Balances{{"binance:BaseToken:USDT", 1000}});
}

TEST_CASE("settle: every open perp settles, one delta each, in key order") {
  VenueSet venues(funding_config(),
                  funding_book({{"binance:Perp:BTCUSDT", 0.5}, {"binance:Perp:ETHUSDT", -0.25}}),
                  funding_market({{"BTCUSDT", kRate}, {"ETHUSDT", 2 * kRate}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 2);
  check_funding(deltas[0], -29.296875, 60000);
  check_funding(deltas[1], 0.9765625, 2000);  // 0.25 * 2000 * 2 / 1024
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", 1000 - 29.296875 + 0.9765625}});
}

TEST_CASE("settle: the mark is the base price over the settlement token's price") {
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", 0.5}}),
                  funding_market({{"BTCUSDT", kRate}}, 0.5));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], -58.59375, 120000);  // 0.5 * (60000 / 0.5) / 1024
}

TEST_CASE("settle: each call is one funding period and settles again") {
  VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", 0.5}}),
                  funding_market({{"BTCUSDT", kRate}}));
  REQUIRE(settle_checked(*venues.find("binance")).size() == 1);
  REQUIRE(settle_checked(*venues.find("binance")).size() == 1);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", 1000 - 2 * 29.296875}});
}

TEST_CASE("settle: nothing for a zero rate, a missing rate or a flat position") {
  const Balances initial{{"binance:Perp:BTCUSDT", 0.5}, {"binance:Perp:ETHUSDT", 0}};
  SUBCASE("zero rate") {
    VenueSet venues(funding_config(), funding_book(initial), funding_market({{"BTCUSDT", 0}}));
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
  SUBCASE("no rate for the perp") {
    VenueSet venues(funding_config(), funding_book(initial), funding_market({{"ETHUSDT", kRate}}));
    CHECK(settle_checked(*venues.find("binance")).empty());  // ETHUSDT is flat
  }
  SUBCASE("no funding rates for the venue at all") {
    auto market = funding_market({});
    market->funding_rates.clear();
    VenueSet venues(funding_config(), funding_book(initial), market);
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
  SUBCASE("flat position with a rate") {
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDT", 0}}),
                    funding_market({{"BTCUSDT", kRate}}));
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
}

TEST_CASE("settle: perps that cannot be marked in the settlement token are skipped") {
  SUBCASE("symbol of another quote") {
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:BTCUSDC", 0.5}}),
                    funding_market({{"BTCUSDC", kRate}}));
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
  SUBCASE("no price for the base") {
    auto market = funding_market({{"ETHUSDT", kRate}});
    market->prices.erase("ETH");
    VenueSet venues(funding_config(), funding_book({{"binance:Perp:ETHUSDT", 0.5}}), market);
    CHECK(settle_checked(*venues.find("binance")).empty());
  }
}

TEST_CASE("settle: without the settlement key in the book, nothing settles") {
  BookConfig book = funding_book({{"binance:Perp:BTCUSDT", 0.5}});
  book.subscribed_keys.erase(book.subscribed_keys.begin());  // binance:BaseToken:USDT
  book.initial_positions.erase("binance:BaseToken:USDT");
  VenueSet venues(funding_config(), book, funding_market({{"BTCUSDT", kRate}}));
  CHECK(settle_checked(*venues.find("binance")).empty());
  CHECK(venues.balances({"binance:Perp:BTCUSDT"}) == Balances{{"binance:Perp:BTCUSDT", 0.5}});
}

TEST_CASE("settle: funding is imposed, it may take the settlement token below zero") {
  BookConfig book = funding_book({{"binance:Perp:BTCUSDT", 0.5}});
  book.initial_positions["binance:BaseToken:USDT"] = 10;
  VenueSet venues(funding_config(), book, funding_market({{"BTCUSDT", kRate}}));
  auto deltas = settle_checked(*venues.find("binance"));
  REQUIRE(deltas.size() == 1);
  check_funding(deltas[0], -29.296875, 60000);
  CHECK(venues.balances({"binance:BaseToken:USDT"}) ==
        Balances{{"binance:BaseToken:USDT", -19.296875}});
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
  book.initial_positions = {{"wallet:BaseToken:WETH", 10},
                            {"wallet:LST:weETH", 4},
                            {"aave:aToken:WETH", 8},
                            {"aave:debtToken:WETH", 2}};
  auto market = std::make_shared<MarketData>();
  market->prices = {{"WETH", 2000}, {"weETH", 4000}};
  market->indices["aave"]["WETH"] = LendingIndex{1.5, 2.5};  // grown: interest is in the index
  market->staking_rates["lido"]["weETH"] = 0.5;
  VenueSet venues(config, book, market);
  for (const std::string name : {"wallet", "aave", "lido", "uni"})
    CHECK_MESSAGE(settle_checked(*venues.find(name)).empty(), name);
  CHECK(venues.balances(book.subscribed_keys) == book.initial_positions);
}
