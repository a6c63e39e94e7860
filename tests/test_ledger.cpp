#include <doctest/doctest.h>

#include "actors/venues/ledger.hpp"
#include "tests/test_support.hpp"

using tightloop::test::operator""_amt;
using namespace tightloop;

namespace {

ExecutionDelta leg(std::string key, Amount amount) {
  ExecutionDelta delta;
  delta.position_key = std::move(key);
  delta.delta_amount = amount;
  return delta;
}

Ledger binance_ledger() {
  Ledger ledger("binance");
  REQUIRE_FALSE(ledger.open("binance:BaseToken:USDT", "100"_amt));
  REQUIRE_FALSE(ledger.open("binance:BaseToken:BTC", "2"_amt));
  REQUIRE_FALSE(ledger.open("binance:Perp:BTCUSDT", "-1.5"_amt));
  return ledger;
}

}  // namespace

TEST_CASE("ledger: open accepts only well-formed keys of its own venue") {
  Ledger ledger("binance");
  CHECK(ledger.venue() == "binance");
  CHECK_FALSE(ledger.open("binance:BaseToken:USDT", "100"_amt));
  CHECK(ledger.holds("binance:BaseToken:USDT"));
  CHECK(ledger.balance("binance:BaseToken:USDT") == "100"_amt);

  auto malformed = ledger.open("binance:Token:USDT", "1"_amt);
  REQUIRE(malformed);
  CHECK(malformed->code == ErrorCode::pos_malformed_key);
  CHECK(malformed->message.find("unknown position type 'Token'") != std::string::npos);

  auto two_parts = ledger.open("binance:USDT", "1"_amt);
  REQUIRE(two_parts);
  CHECK(two_parts->code == ErrorCode::pos_malformed_key);

  auto foreign = ledger.open("okx:BaseToken:USDT", "1"_amt);
  REQUIRE(foreign);
  CHECK(foreign->code == ErrorCode::pos_malformed_key);
  CHECK(foreign->message.find("belongs to venue 'okx'") != std::string::npos);
  CHECK_FALSE(ledger.holds("okx:BaseToken:USDT"));
}

TEST_CASE("ledger: a non-negative key cannot start below zero, a signed one can") {
  Ledger ledger("aave");
  auto negative = ledger.open("aave:aToken:WETH", "-1"_amt);
  REQUIRE(negative);
  CHECK(negative->code == ErrorCode::pos_negative_balance);
  CHECK(negative->message.find("cannot start negative (-1)") != std::string::npos);
  CHECK_FALSE(ledger.holds("aave:aToken:WETH"));
  CHECK_FALSE(ledger.open("aave:debtToken:WETH", "-1"_amt));
  CHECK(ledger.balance("aave:debtToken:WETH") == "-1"_amt);
}

TEST_CASE("ledger: balance of a key not held is empty") {
  Ledger ledger = binance_ledger();
  CHECK_FALSE(ledger.holds("binance:BaseToken:ETH"));
  CHECK_FALSE(ledger.balance("binance:BaseToken:ETH").has_value());
}

TEST_CASE("ledger: check reports a key not held with POS-001") {
  Ledger ledger = binance_ledger();
  auto failure = ledger.check(
      {leg("binance:BaseToken:USDT", "-1"_amt), leg("binance:BaseToken:ETH", "1"_amt)});
  REQUIRE(failure);
  CHECK(failure->code == ErrorCode::pos_unknown_key);
  CHECK(failure->message.find("'binance:BaseToken:ETH'") != std::string::npos);
}

TEST_CASE("ledger: check refuses a BaseToken going below zero and names the amounts") {
  Ledger ledger = binance_ledger();
  auto failure = ledger.check(
      {leg("binance:BaseToken:BTC", "0.5"_amt), leg("binance:BaseToken:USDT", "-30030"_amt)});
  REQUIRE(failure);
  CHECK(failure->code == ErrorCode::ven_insufficient_balance);
  CHECK(failure->message == "insufficient binance:BaseToken:USDT: have 100, need 30030");
}

TEST_CASE("ledger: aToken and LST are floored at zero, debtToken and Perp are signed") {
  Ledger ledger("wallet");
  REQUIRE_FALSE(ledger.open("wallet:LST:stETH", "1"_amt));
  auto lst = ledger.check({leg("wallet:LST:stETH", "-2"_amt)});
  REQUIRE(lst);
  CHECK(lst->code == ErrorCode::ven_insufficient_balance);

  Ledger aave("aave");
  REQUIRE_FALSE(aave.open("aave:aToken:WETH", "0"_amt));
  REQUIRE_FALSE(aave.open("aave:debtToken:WETH", "0"_amt));
  auto supply = aave.check({leg("aave:aToken:WETH", "-0.5"_amt)});
  REQUIRE(supply);
  CHECK(supply->message == "insufficient aave:aToken:WETH: have 0, need 0.5");
  CHECK_FALSE(aave.check({leg("aave:debtToken:WETH", "-0.5"_amt)}));

  Ledger binance = binance_ledger();
  CHECK_FALSE(binance.apply_checked({leg("binance:Perp:BTCUSDT", "-2"_amt)}));
  CHECK(binance.balance("binance:Perp:BTCUSDT") == "-3.5"_amt);
}

TEST_CASE("ledger: a balance may reach exactly zero") {
  Ledger ledger = binance_ledger();
  CHECK_FALSE(ledger.apply_checked({leg("binance:BaseToken:USDT", "-100"_amt)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == "0"_amt);
}

TEST_CASE("ledger: legs on one key are checked on their sum") {
  Ledger ledger = binance_ledger();
  // -150 alone would fail; with +100 on the same key the end balance is 50.
  CHECK_FALSE(ledger.apply_checked(
      {leg("binance:BaseToken:USDT", "-150"_amt), leg("binance:BaseToken:USDT", "100"_amt)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == "50"_amt);
  auto failure = ledger.check(
      {leg("binance:BaseToken:USDT", "-100"_amt), leg("binance:BaseToken:USDT", "40"_amt)});
  REQUIRE(failure);
  CHECK(failure->message == "insufficient binance:BaseToken:USDT: have 50, need 60");
}

TEST_CASE("ledger: apply_checked is all or nothing") {
  Ledger ledger = binance_ledger();
  const auto before = ledger.snapshot();
  auto short_funds = ledger.apply_checked(
      {leg("binance:BaseToken:BTC", "1"_amt), leg("binance:BaseToken:USDT", "-100.5"_amt)});
  REQUIRE(short_funds);
  CHECK(short_funds->code == ErrorCode::ven_insufficient_balance);
  CHECK(ledger.snapshot() == before);

  auto unknown = ledger.apply_checked(
      {leg("binance:BaseToken:BTC", "1"_amt), leg("binance:BaseToken:SOL", "1"_amt)});
  REQUIRE(unknown);
  CHECK(unknown->code == ErrorCode::pos_unknown_key);
  CHECK(ledger.snapshot() == before);
}

TEST_CASE("ledger: a deposit into a balance already below zero is not refused") {
  Ledger ledger("binance");
  REQUIRE_FALSE(ledger.open("binance:BaseToken:USDT", "10"_amt));
  REQUIRE(ledger.adjust("binance:BaseToken:USDT", "-15"_amt));
  CHECK_FALSE(ledger.apply_checked({leg("binance:BaseToken:USDT", "2"_amt)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == "-3"_amt);
  CHECK(ledger.check({leg("binance:BaseToken:USDT", "-1"_amt)}));
}

TEST_CASE("ledger: apply adds each leg in order") {
  Ledger ledger = binance_ledger();
  ledger.apply(
      {leg("binance:BaseToken:BTC", "0.5"_amt), leg("binance:BaseToken:USDT", "-30.25"_amt)});
  CHECK(ledger.snapshot() == test::Positions{{"binance:BaseToken:BTC", "2.5"_amt},
                                             {"binance:BaseToken:USDT", "69.75"_amt},
                                             {"binance:Perp:BTCUSDT", "-1.5"_amt}});
}

TEST_CASE("ledger: adjust changes a held key only") {
  Ledger ledger = binance_ledger();
  CHECK(ledger.adjust("binance:BaseToken:USDT", "25"_amt));
  CHECK(ledger.balance("binance:BaseToken:USDT") == "125"_amt);
  CHECK_FALSE(ledger.adjust("binance:BaseToken:ETH", "1"_amt));
  CHECK_FALSE(ledger.holds("binance:BaseToken:ETH"));
}

TEST_CASE("ledger: amounts are exact, failure messages print them exactly") {
  Ledger ledger("binance");
  REQUIRE_FALSE(ledger.open("binance:BaseToken:USDT", "0.3"_amt));
  // 0.1 + 0.2 is exactly 0.3: the balance reaches zero, it does not go below it.
  CHECK_FALSE(ledger.apply_checked(
      {leg("binance:BaseToken:USDT", "-0.1"_amt), leg("binance:BaseToken:USDT", "-0.2"_amt)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == "0"_amt);
  REQUIRE(ledger.adjust("binance:BaseToken:USDT", "0.25"_amt));
  auto failure = ledger.check(
      {leg("binance:BaseToken:USDT", "-0.1"_amt), leg("binance:BaseToken:USDT", "-0.2"_amt)});
  REQUIRE(failure);
  CHECK(failure->message == "insufficient binance:BaseToken:USDT: have 0.25, need 0.3");
  // The smallest step counts.
  auto by_one_step = ledger.check({leg("binance:BaseToken:USDT", "-0.250000000000000001"_amt)});
  REQUIRE(by_one_step);
  CHECK(by_one_step->message ==
        "insufficient binance:BaseToken:USDT: have 0.25, need 0.250000000000000001");
}

TEST_CASE("ledger: a balance that would leave the amount range fails with VEN-009") {
  Ledger ledger = binance_ledger();
  REQUIRE(ledger.adjust("binance:BaseToken:USDT", Amount::max() - "100"_amt));
  REQUIRE(ledger.balance("binance:BaseToken:USDT") == Amount::max());
  const auto before = ledger.snapshot();
  const auto step = "0.000000000000000001"_amt;

  // One step above the largest amount (about 1.7e20): refused, nothing applied.
  auto failure = ledger.apply_checked({leg("binance:BaseToken:BTC", "1"_amt),
                                       leg("binance:BaseToken:USDT", step)});
  REQUIRE(failure);
  CHECK(failure->code == ErrorCode::ven_amount_overflow);
  CHECK(failure->message.find("the balance of binance:BaseToken:USDT would leave the amount "
                              "range") != std::string::npos);
  CHECK(ledger.snapshot() == before);
  auto range = ledger.check_range({leg("binance:BaseToken:USDT", step)});
  REQUIRE(range);
  CHECK(range->code == ErrorCode::ven_amount_overflow);

  // Signed keys have the same range below zero.
  auto perp = ledger.check({leg("binance:Perp:BTCUSDT", Amount::min())});
  REQUIRE(perp);
  CHECK(perp->code == ErrorCode::ven_amount_overflow);

  // apply() adds the legs of a key one by one, so an intermediate sum beyond the range is
  // refused too: a check that passes is never followed by an overflow in apply().
  auto legs = ledger.check(
      {leg("binance:BaseToken:USDT", step), leg("binance:BaseToken:USDT", -step)});
  REQUIRE(legs);
  CHECK(legs->code == ErrorCode::ven_amount_overflow);

  // An out-of-band change beyond the range is refused the same way.
  CHECK_FALSE(ledger.adjust("binance:BaseToken:USDT", step));
  CHECK(ledger.snapshot() == before);

  // Right at the limit and back down is fine.
  CHECK_FALSE(ledger.check_range({leg("binance:BaseToken:USDT", "0"_amt)}));
  CHECK_FALSE(ledger.apply_checked({leg("binance:BaseToken:USDT", -step)}));
  CHECK(ledger.balance("binance:BaseToken:USDT") == Amount::max() - step);
}
