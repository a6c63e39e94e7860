#include <doctest/doctest.h>

#include "actors/venues/ledger.hpp"
#include "actors/venues/transfer_pricing.hpp"

using namespace tightloop;

namespace {

ExecutionDelta leg(std::string key, double amount) {
  ExecutionDelta delta;
  delta.position_key = std::move(key);
  delta.delta_amount = amount;
  return delta;
}

Ledger binance_ledger() {
  Ledger ledger("binance");
  REQUIRE_FALSE(ledger.open("binance:BaseToken:USDT", 100));
  REQUIRE_FALSE(ledger.open("binance:BaseToken:BTC", 2));
  REQUIRE_FALSE(ledger.open("binance:Perp:BTCUSDT", -1.5));
  return ledger;
}

}  // namespace

TEST_CASE("ledger: open accepts only well-formed keys of its own venue") {
  Ledger ledger("binance");
  CHECK(ledger.venue() == "binance");
  CHECK_FALSE(ledger.open("binance:BaseToken:USDT", 100));
  CHECK(ledger.holds("binance:BaseToken:USDT"));
  CHECK(ledger.balance("binance:BaseToken:USDT") == 100.0);

  auto malformed = ledger.open("binance:Token:USDT", 1);
  REQUIRE(malformed);
  CHECK(malformed->code == ErrorCode::pos_malformed_key);
  CHECK(malformed->message.find("unknown position type 'Token'") != std::string::npos);

  auto two_parts = ledger.open("binance:USDT", 1);
  REQUIRE(two_parts);
  CHECK(two_parts->code == ErrorCode::pos_malformed_key);

  auto foreign = ledger.open("okx:BaseToken:USDT", 1);
  REQUIRE(foreign);
  CHECK(foreign->code == ErrorCode::pos_malformed_key);
  CHECK(foreign->message.find("belongs to venue 'okx'") != std::string::npos);
  CHECK_FALSE(ledger.holds("okx:BaseToken:USDT"));
}

TEST_CASE("ledger: a non-negative key cannot start below zero, a signed one can") {
  Ledger ledger("aave");
  auto negative = ledger.open("aave:aToken:WETH", -1);
  REQUIRE(negative);
  CHECK(negative->code == ErrorCode::pos_negative_balance);
  CHECK(negative->message.find("cannot start negative (-1)") != std::string::npos);
  CHECK_FALSE(ledger.holds("aave:aToken:WETH"));
  CHECK_FALSE(ledger.open("aave:debtToken:WETH", -1));
  CHECK(ledger.balance("aave:debtToken:WETH") == -1.0);
}

TEST_CASE("ledger: balance of a key not held is empty") {
  Ledger ledger = binance_ledger();
  CHECK_FALSE(ledger.holds("binance:BaseToken:ETH"));
  CHECK_FALSE(ledger.balance("binance:BaseToken:ETH").has_value());
}

TEST_CASE("ledger: check reports a key not held with POS-001") {
  Ledger ledger = binance_ledger();
  auto failure = ledger.check({leg("binance:BaseToken:USDT", -1), leg("binance:BaseToken:ETH", 1)});
  REQUIRE(failure);
  CHECK(failure->code == ErrorCode::pos_unknown_key);
  CHECK(failure->message.find("'binance:BaseToken:ETH'") != std::string::npos);
}

TEST_CASE("ledger: check refuses a BaseToken going below zero and names the amounts") {
  Ledger ledger = binance_ledger();
  auto failure =
      ledger.check({leg("binance:BaseToken:BTC", 0.5), leg("binance:BaseToken:USDT", -30030)});
  REQUIRE(failure);
  CHECK(failure->code == ErrorCode::ven_insufficient_balance);
  CHECK(failure->message == "insufficient binance:BaseToken:USDT: have 100, need 30030");
}

TEST_CASE("ledger: aToken and LST are floored at zero, debtToken and Perp are signed") {
  Ledger ledger("wallet");
  REQUIRE_FALSE(ledger.open("wallet:LST:stETH", 1));
  auto lst = ledger.check({leg("wallet:LST:stETH", -2)});
  REQUIRE(lst);
  CHECK(lst->code == ErrorCode::ven_insufficient_balance);

  Ledger aave("aave");
  REQUIRE_FALSE(aave.open("aave:aToken:WETH", 0));
  REQUIRE_FALSE(aave.open("aave:debtToken:WETH", 0));
  auto supply = aave.check({leg("aave:aToken:WETH", -0.5)});
  REQUIRE(supply);
  CHECK(supply->message == "insufficient aave:aToken:WETH: have 0, need 0.5");
  CHECK_FALSE(aave.check({leg("aave:debtToken:WETH", -0.5)}));

  Ledger binance = binance_ledger();
  CHECK_FALSE(binance.apply_checked({leg("binance:Perp:BTCUSDT", -2)}));
  CHECK(binance.balance("binance:Perp:BTCUSDT") == -3.5);
}

TEST_CASE("ledger: a balance may reach exactly zero") {
  Ledger ledger = binance_ledger();
  CHECK_FALSE(ledger.apply_checked({leg("binance:BaseToken:USDT", -100)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == 0.0);
}

TEST_CASE("ledger: legs on one key are checked on their sum") {
  Ledger ledger = binance_ledger();
  // -150 alone would fail; with +100 on the same key the end balance is 50.
  CHECK_FALSE(ledger.apply_checked(
      {leg("binance:BaseToken:USDT", -150), leg("binance:BaseToken:USDT", 100)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == 50.0);
  auto failure =
      ledger.check({leg("binance:BaseToken:USDT", -100), leg("binance:BaseToken:USDT", 40)});
  REQUIRE(failure);
  CHECK(failure->message == "insufficient binance:BaseToken:USDT: have 50, need 60");
}

TEST_CASE("ledger: apply_checked is all or nothing") {
  Ledger ledger = binance_ledger();
  const auto before = ledger.snapshot();
  auto short_funds = ledger.apply_checked(
      {leg("binance:BaseToken:BTC", 1), leg("binance:BaseToken:USDT", -100.5)});
  REQUIRE(short_funds);
  CHECK(short_funds->code == ErrorCode::ven_insufficient_balance);
  CHECK(ledger.snapshot() == before);

  auto unknown =
      ledger.apply_checked({leg("binance:BaseToken:BTC", 1), leg("binance:BaseToken:SOL", 1)});
  REQUIRE(unknown);
  CHECK(unknown->code == ErrorCode::pos_unknown_key);
  CHECK(ledger.snapshot() == before);
}

TEST_CASE("ledger: a deposit into a balance already below zero is not refused") {
  Ledger ledger("binance");
  REQUIRE_FALSE(ledger.open("binance:BaseToken:USDT", 10));
  REQUIRE(ledger.adjust("binance:BaseToken:USDT", -15));
  CHECK_FALSE(ledger.apply_checked({leg("binance:BaseToken:USDT", 2)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == -3.0);
  CHECK(ledger.check({leg("binance:BaseToken:USDT", -1)}));
}

TEST_CASE("ledger: apply adds each leg in order") {
  Ledger ledger = binance_ledger();
  ledger.apply({leg("binance:BaseToken:BTC", 0.5), leg("binance:BaseToken:USDT", -30.25)});
  CHECK(ledger.snapshot() == std::map<std::string, double>{{"binance:BaseToken:BTC", 2.5},
                                                           {"binance:BaseToken:USDT", 69.75},
                                                           {"binance:Perp:BTCUSDT", -1.5}});
}

TEST_CASE("ledger: adjust changes a held key only") {
  Ledger ledger = binance_ledger();
  CHECK(ledger.adjust("binance:BaseToken:USDT", 25));
  CHECK(ledger.balance("binance:BaseToken:USDT") == 125.0);
  CHECK_FALSE(ledger.adjust("binance:BaseToken:ETH", 1));
  CHECK_FALSE(ledger.holds("binance:BaseToken:ETH"));
}

TEST_CASE("format_amount writes the shortest text that reads back exactly") {
  CHECK(format_amount(30030) == "30030");
  CHECK(format_amount(0.1) == "0.1");
  CHECK(format_amount(1e-12) == "1e-12");
  CHECK(format_amount(-1.5) == "-1.5");
  CHECK(format_amount(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_amount(100000) == "100000");
  CHECK(format_amount(0) == "0");
  CHECK(format_amount(2.5e20) == "2.5e+20");
}
