#include <doctest/doctest.h>

#include <stdexcept>

#include "actors/venues/venue_set.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

using Balances = test::Positions;

VenueConfig venue(std::string name, VenueKind kind, std::string wallet = "") {
  VenueConfig config;
  config.name = std::move(name);
  config.kind = kind;
  config.wallet = std::move(wallet);
  return config;
}

// One venue of each kind, all on-chain ones acting on `wallet`.
Config set_config() {
  Config config;
  VenueConfig lido = venue("lido", VenueKind::staking, "wallet");
  lido.lst = {{"ETH", "stETH"}};
  VenueConfig etherfi = venue("etherfi", VenueKind::staking, "wallet");
  etherfi.lst = {{"ETH", "weETH"}, {"BTC", "eBTC"}};
  config.venues = {venue("binance", VenueKind::cex),
                   venue("wallet", VenueKind::wallet),
                   venue("aave", VenueKind::lending, "wallet"),
                   venue("uniswap", VenueKind::dex, "wallet"),
                   lido,
                   etherfi};
  config.market.prices = {
      {"BTC", "60000"_amt}, {"USDT", "1"_amt}, {"ETH", "3000"_amt}, {"USDC", "1"_amt}};
  config.market.indices["aave"]["USDC"] = LendingIndex{"1"_amt, "1"_amt};
  config.market.staking_rates["lido"]["stETH"] = "1"_amt;
  return config;
}

BookConfig set_book() {
  BookConfig book;
  book.name = "main";
  book.subscribed_keys = {"binance:BaseToken:BTC", "binance:BaseToken:USDT", "wallet:BaseToken:ETH",
                          "wallet:BaseToken:USDC", "wallet:LST:stETH",       "aave:aToken:USDC"};
  book.initial_positions = {{"binance:BaseToken:USDT", "100000"_amt},
                            {"wallet:BaseToken:ETH", "10"_amt},
                            {"wallet:BaseToken:USDC", "500"_amt},
                            {"aave:aToken:ETH", "99"_amt}};  // not subscribed: ignored
  return book;
}

Order order_for(std::string venue_name, Operation op, Amount amount) {
  Order order;
  order.operation_id = "op";
  order.venue = std::move(venue_name);
  order.operation = op;
  order.amount = amount;
  order.timestamp = "t1";
  return order;
}

Order spot_buy(Amount amount) {
  Order order = order_for("binance", Operation::spot_trade, amount);
  order.pair = "BTC/USDT";
  order.side = Side::buy;
  return order;
}

Order supply_usdc(Amount amount) {
  Order order = order_for("aave", Operation::supply, amount);
  order.token_in = "USDC";
  return order;
}

Order swap_eth(Amount amount) {
  Order order = order_for("uniswap", Operation::swap, amount);
  order.token_in = "ETH";
  order.token_out = "USDC";
  return order;
}

Order stake_eth(Amount amount) {
  Order order = order_for("lido", Operation::stake, amount);
  order.token_in = "ETH";
  return order;
}

Order send_usdc(Amount amount) {
  Order order = order_for("wallet", Operation::transfer, amount);
  order.token_in = "USDC";
  order.target_venue = "binance";
  return order;
}

}  // namespace

TEST_CASE("venue set: each ledger opens the book's keys of its venue at the initial positions") {
  VenueSet venues(set_config(), set_book(), nullptr);
  CHECK(venues.find("binance")->ledger().snapshot() ==
        Balances{{"binance:BaseToken:BTC", "0"_amt}, {"binance:BaseToken:USDT", "100000"_amt}});
  CHECK(venues.find("wallet")->ledger().snapshot() == Balances{{"wallet:BaseToken:ETH", "10"_amt},
                                                               {"wallet:BaseToken:USDC", "500"_amt},
                                                               {"wallet:LST:stETH", "0"_amt}});
  CHECK(venues.find("aave")->ledger().snapshot() == Balances{{"aave:aToken:USDC", "0"_amt}});
  CHECK(venues.find("uniswap")->ledger().snapshot().empty());
  CHECK(venues.find("kraken") == nullptr);
}

TEST_CASE("venue set: balances answer only the keys some venue holds") {
  const VenueSet venues(set_config(), set_book(), nullptr);
  CHECK(venues.balances({"binance:BaseToken:USDT", "binance:BaseToken:SOL", "kraken:BaseToken:USDT",
                         "not a key", "wallet:LST:stETH"}) ==
        Balances{{"binance:BaseToken:USDT", "100000"_amt}, {"wallet:LST:stETH", "0"_amt}});
}

TEST_CASE("venue set: the market comes from the argument, else from the config") {
  VenueSet from_config(set_config(), set_book(), nullptr);
  CHECK(from_config.find("binance")->market().prices.at("BTC") == "60000"_amt);

  auto market = std::make_shared<MarketData>();
  market->prices = {{"BTC", "50000"_amt}, {"USDT", "1"_amt}};
  VenueSet from_argument(set_config(), set_book(), market);
  CHECK(from_argument.find("binance")->market().prices.at("BTC") == "50000"_amt);

  auto later = std::make_shared<MarketData>();
  later->prices = {{"BTC", "40000"_amt}, {"USDT", "1"_amt}};
  from_argument.set_market(later);
  for (const char* name : {"binance", "wallet", "aave", "uniswap", "lido", "etherfi"})
    CHECK(from_argument.find(name)->market().prices.at("BTC") == "40000"_amt);
  auto hs = from_argument.execute(spot_buy("1"_amt));
  CHECK(hs.executed_price == "40000"_amt);
}

TEST_CASE("venue set: LST symbols are every staking venue's lst values") {
  const auto context = make_venue_context(set_config(), nullptr);
  CHECK(context.lst_symbols == std::set<std::string>{"eBTC", "stETH", "weETH"});
  REQUIRE(context.market.get() != nullptr);
  CHECK(context.market->prices.at("ETH") == "3000"_amt);
}

TEST_CASE("venue set: a bad subscribed key is refused when the set is built") {
  BookConfig unknown_venue = set_book();
  unknown_venue.subscribed_keys.push_back("kraken:BaseToken:USDT");
  CHECK_THROWS_WITH_AS(VenueSet(set_config(), unknown_venue, nullptr),
                       "book 'main' subscribes to 'kraken:BaseToken:USDT' but venue 'kraken' "
                       "is not configured",
                       std::invalid_argument);
  BookConfig malformed = set_book();
  malformed.subscribed_keys.push_back("binance:Coin:USDT");
  CHECK_THROWS_AS(VenueSet(set_config(), malformed, nullptr), std::invalid_argument);
  BookConfig negative = set_book();
  negative.initial_positions["binance:BaseToken:BTC"] = "-1"_amt;
  CHECK_THROWS_WITH_AS(VenueSet(set_config(), negative, nullptr), doctest::Contains("POS-003"),
                       std::invalid_argument);
}

TEST_CASE("venue set: an unknown venue fails with VIM-001") {
  VenueSet venues(set_config(), set_book(), nullptr);
  Order order = spot_buy("1"_amt);
  order.venue = "kraken";
  auto hs = venues.execute(order);
  CHECK(hs.status == HandshakeStatus::failed);
  CHECK(hs.error_code == ErrorCode::vim_unknown_venue);
  CHECK(hs.error_message == "venue 'kraken' is not configured");
  CHECK(hs.order.timestamp == "t1");
  CHECK(hs.order.venue == "kraken");
}

TEST_CASE("venue set: every kind supports exactly the operations of the README table") {
  VenueSet venues(set_config(), set_book(), nullptr);
  const std::map<std::string, std::set<Operation>> table{
      {"binance", {Operation::spot_trade, Operation::perp_trade, Operation::transfer}},
      {"aave",
       {Operation::supply, Operation::withdraw, Operation::borrow, Operation::repay,
        Operation::flash_borrow, Operation::flash_repay}},
      {"lido", {Operation::stake, Operation::unstake}},
      {"uniswap", {Operation::swap}},
      {"wallet", {Operation::transfer}}};
  for (const auto& [name, supported] : table) {
    for (int i = 0; i < operation_count; ++i) {
      const auto op = static_cast<Operation>(i);
      CAPTURE(name);
      CAPTURE(to_string(op));
      CHECK(venues.find(name)->supports(op) == (supported.count(op) == 1));
      if (supported.count(op)) continue;
      auto hs = venues.execute(order_for(name, op, "1"_amt));
      CHECK(hs.error_code == ErrorCode::vim_unsupported_operation);
      CHECK(hs.error_message.find("does not support " + std::string(to_string(op))) !=
            std::string::npos);
    }
  }
}

TEST_CASE("venue set: trade ids count each venue's executed orders only") {
  VenueSet venues(set_config(), set_book(), nullptr);
  CHECK(venues.execute(spot_buy("1"_amt)).trade_id == "binance-1");
  CHECK(venues.execute(spot_buy("100"_amt)).trade_id.empty());  // VEN-001
  CHECK(venues.execute(supply_usdc("100"_amt)).trade_id == "aave-1");
  CHECK(venues.execute(supply_usdc("1000"_amt)).trade_id.empty());  // the wallet refuses
  CHECK(venues.execute(spot_buy("0.5"_amt)).trade_id == "binance-2");
  CHECK(venues.execute(swap_eth("1"_amt)).trade_id == "uniswap-1");
  CHECK(venues.execute(stake_eth("1"_amt)).trade_id == "lido-1");
  CHECK(venues.execute(send_usdc("100"_amt)).trade_id.empty());  // binance:BaseToken:USDC missing
  CHECK(venues.execute(supply_usdc("100"_amt)).trade_id == "aave-2");
}

TEST_CASE("venue set: an insufficient balance on any kind leaves every ledger unchanged") {
  const BookConfig book = set_book();
  VenueSet venues(set_config(), book, nullptr);
  const auto before = venues.balances(book.subscribed_keys);
  for (const Order& order :
       {spot_buy("2"_amt), supply_usdc("501"_amt), swap_eth("11"_amt), stake_eth("11"_amt)}) {
    auto hs = venues.execute(order);
    CAPTURE(order.venue);
    CHECK(hs.error_code == ErrorCode::ven_insufficient_balance);
    CHECK(hs.error_message.find("insufficient") == 0);
    CHECK(venues.balances(book.subscribed_keys) == before);
  }
}

TEST_CASE("venue set: a failed order reports no amounts, fee or deltas") {
  VenueSet venues(set_config(), set_book(), nullptr);
  auto hs = venues.execute(spot_buy("2"_amt));
  CHECK(hs.status == HandshakeStatus::failed);
  CHECK(hs.error_message == "insufficient binance:BaseToken:USDT: have 100000, need 120000");
  CHECK(hs.position_deltas.empty());
  CHECK(hs.executed_amount == "0"_amt);
  CHECK_FALSE(hs.executed_price.has_value());
  CHECK(hs.fee_amount == "0"_amt);
  CHECK(hs.fee_currency.empty());
  CHECK(hs.fee_venue.empty());
  CHECK(hs.trade_id.empty());
  CHECK(hs.order.timestamp == "t1");
}

TEST_CASE("venue set: amounts that are not positive fail with ORD-005") {
  VenueSet venues(set_config(), set_book(), nullptr);
  for (Amount amount : {"0"_amt, "-1"_amt, "-0.000000000000000001"_amt, Amount::min()}) {
    CAPTURE(amount);
    auto hs = venues.execute(spot_buy(amount));
    CHECK(hs.error_code == ErrorCode::ord_out_of_range);
  }
  // The smallest positive amount is an amount like any other.
  CHECK(venues.execute(spot_buy("0.000000000000000001"_amt)).trade_id == "binance-1");
}

TEST_CASE("venue set: an order whose result leaves the amount range fails with VEN-009") {
  const BookConfig book = set_book();
  VenueSet venues(set_config(), book, nullptr);
  const auto before = venues.balances(book.subscribed_keys);
  // Amount::max() BTC at 60000 and 1e16 BTC (6e20 USDT): both notionals beyond about 1.7e20.
  for (Amount amount : {Amount::max(), "1e16"_amt}) {
    CAPTURE(amount);
    auto hs = venues.execute(spot_buy(amount));
    CHECK(hs.status == HandshakeStatus::failed);
    CHECK(hs.error_code == ErrorCode::ven_amount_overflow);
    CHECK(hs.error_message.find("amount overflow") != std::string::npos);
    CHECK(hs.position_deltas.empty());
    CHECK(hs.trade_id.empty());
    CHECK(venues.balances(book.subscribed_keys) == before);
  }
  CHECK(venues.execute(spot_buy("1"_amt)).trade_id == "binance-1");
}

TEST_CASE("venue set: an on-chain venue without a usable wallet fails before trading") {
  Config config = set_config();
  config.venues.push_back(venue("ghostlend", VenueKind::lending, "ghost"));
  config.venues.push_back(venue("nowallet", VenueKind::dex));
  config.market.indices["ghostlend"]["USDC"] = LendingIndex{"1"_amt, "1"_amt};
  BookConfig book = set_book();
  book.subscribed_keys.push_back("ghostlend:aToken:USDC");
  VenueSet venues(config, book, nullptr);

  Order ghost = supply_usdc("1"_amt);
  ghost.venue = "ghostlend";
  auto hs = venues.execute(ghost);
  CHECK(hs.error_code == ErrorCode::vim_unknown_venue);
  CHECK(hs.error_message.find("moves tokens of venue 'ghost', which is not configured") !=
        std::string::npos);

  Order orphan = swap_eth("1"_amt);
  orphan.venue = "nowallet";
  auto refused = venues.execute(orphan);
  CHECK(refused.error_code == ErrorCode::cfg_invalid);
  CHECK(refused.error_message == "venue 'nowallet' names no wallet to move tokens from");
}

TEST_CASE("apply_remote_legs applies on the named ledger only, all or nothing") {
  VenueSet venues(set_config(), set_book(), nullptr);
  VenuePlan plan = venues.find("uniswap")->plan(swap_eth("2"_amt));
  REQUIRE(plan.executed());
  CHECK(plan.remote_venue == "wallet");
  CHECK(plan.own_legs.empty());

  auto wrong = apply_remote_legs(plan, venues.find("binance")->ledger());
  REQUIRE(wrong);
  CHECK(wrong->code == ErrorCode::vim_unknown_venue);
  CHECK(wrong->message == "legs for venue 'wallet' offered to venue 'binance'");

  CHECK_FALSE(apply_remote_legs(plan, venues.find("wallet")->ledger()));
  venues.find("uniswap")->commit(plan);
  CHECK(venues.balances({"wallet:BaseToken:ETH", "wallet:BaseToken:USDC"}) ==
        Balances{{"wallet:BaseToken:ETH", "8"_amt},
                 {"wallet:BaseToken:USDC", "6482"_amt}});  // 500 + 6000 - 6000 * 0.003
  CHECK(venues.execute(swap_eth("1"_amt)).trade_id == "uniswap-2");
}

TEST_CASE("an executed handshake reports its keys from the venues' own ledgers after the order") {
  Config config = test::exact_config();
  VenueSet venues(config, config.books.front(), nullptr);
  auto supply = test::order_from({{"operation_id", "s1"}, {"venue", "aave"},
                                  {"operation", "supply"}, {"token_in", "WETH"},
                                  {"amount", 2.5}});
  auto hs = venues.execute(supply);
  REQUIRE(hs.status == HandshakeStatus::executed);
  // The wallet's key comes from the wallet's ledger, the aToken from aave's.
  CHECK(hs.reported_balances ==
        venues.balances({"aave:aToken:WETH", "wallet:BaseToken:WETH"}));
  CHECK(hs.reported_balances.at("wallet:BaseToken:WETH") == "7.5"_amt);
  CHECK(hs.reported_balances.at("aave:aToken:WETH") == "2"_amt);  // 2.5 / 1.25

  // A stale view (the stale_balance fault) is what the venue reports, once per report.
  auto& binance = *venues.find("binance");
  binance.stale_balances().arm(binance.ledger().snapshot(), 1);
  auto buy = test::order_from({{"operation_id", "b1"}, {"venue", "binance"},
                               {"operation", "spot_trade"}, {"pair", "BTC/USDT"},
                               {"side", "BUY"}, {"amount", 0.5}});
  hs = venues.execute(buy);
  REQUIRE(hs.status == HandshakeStatus::executed);
  CHECK(hs.reported_balances.at("binance:BaseToken:BTC") == "1"_amt);  // before the order
  CHECK(binance.report_balances({"binance:BaseToken:BTC"}).at("binance:BaseToken:BTC") ==
        "1.5"_amt);
}
