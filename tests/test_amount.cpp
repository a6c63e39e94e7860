// messages/amount.hpp: exact decimal text in and out, exact addition, one rounding per product
// or quotient, overflow reported. Expected values are decimal strings, never doubles.
#include <doctest/doctest.h>

#include <random>

#include "messages/amount.hpp"

using namespace tightloop;

namespace {

Amount a(const std::string& text) {
  auto parsed = parse_amount(text);
  REQUIRE_MESSAGE(parsed.amount, parsed.error);
  return *parsed.amount;
}

std::string refused(const std::string& text) {
  auto parsed = parse_amount(text);
  CHECK_FALSE(parsed.amount);
  return parsed.error;
}

constexpr const char* largest = "170141183460469231731.687303715884105727";

}  // namespace

TEST_CASE("amounts print as their shortest exact decimal") {
  CHECK(format(a("0")) == "0");
  CHECK(format(a("-0")) == "0");
  CHECK(format(a("0.6")) == "0.6");
  CHECK(format(a("3030.015")) == "3030.015");
  CHECK(format(a("6.0012")) == "6.0012");
  CHECK(format(a("-1.50")) == "-1.5");
  CHECK(format(a("1e-18")) == "0.000000000000000001");
  CHECK(format(a("-1E-18")) == "-0.000000000000000001");
  CHECK(format(a("60000")) == "60000");
  CHECK(format(a("6e4")) == "60000");
  CHECK(format(a("1.5e+3")) == "1500");
  CHECK(format(a("12345.678e-2")) == "123.45678");
  CHECK(format(a(largest)) == largest);
  CHECK(format(Amount::max()) == largest);
  CHECK(format(Amount::min()) == std::string("-") + largest);
  CHECK(format(Amount::units(-7)) == "-7");
}

TEST_CASE("0.1 + 0.2 is exactly 0.3, and the sum of ten 0.1 is exactly 1") {
  CHECK(a("0.1") + a("0.2") == a("0.3"));
  Amount sum;
  for (int i = 0; i < 10; ++i) sum += a("0.1");
  CHECK(sum == Amount::units(1));
  CHECK(format(a("219964") - a("0.000000000000000001")) == "219963.999999999999999999");
}

TEST_CASE("parse refuses what is not an exact 18-decimal amount, with the reason") {
  CHECK(refused("0.0000000000000000001").find("more than 18 fractional digits") !=
        std::string::npos);
  CHECK(refused("1e-19").find("more than 18 fractional digits") != std::string::npos);
  CHECK(refused("1.0000000000000000001").find("more than 18") != std::string::npos);
  CHECK(format(a("0.1000000000000000000000")) == "0.1");  // zeros beyond the 18th: exact
  CHECK(refused("170141183460469231731.687303715884105728").find("out of range") !=
        std::string::npos);
  CHECK(refused("1e21").find("out of range") != std::string::npos);
  CHECK(refused("1e401").find("exponent") != std::string::npos);
  CHECK(format(a("0e999999")) == "0");
  for (const char* bad : {"", "-", "NaN", "nan", "Infinity", "-Infinity", "inf", "1.", ".5",
                          "+1", "01", "1e", "1e+", "0x10", "1 ", " 1", "1,5", "1.2.3", "--1"})
    CHECK_MESSAGE(!parse_amount(bad).amount, bad);
  CHECK(refused("NaN").find("'NaN'") == 0);
}

TEST_CASE("addition and subtraction report overflow instead of wrapping") {
  CHECK_FALSE(checked_add(Amount::max(), a("1e-18")));
  CHECK_FALSE(checked_sub(Amount::min(), a("1e-18")));
  CHECK(checked_add(Amount::max(), a("-1e-18")));
  CHECK_THROWS_AS(Amount::max() + a("1e-18"), AmountOverflow);
  CHECK_THROWS_AS(Amount::min() - Amount::units(1), AmountOverflow);
  CHECK(-Amount::min() == Amount::max());
  CHECK(Amount::min().abs() == Amount::max());
}

TEST_CASE("products and quotients round once, as the rule names") {
  const auto third = [](Rounding r) { return format(div(Amount::units(1), Amount::units(3), r)); };
  CHECK(third(Rounding::down) == "0.333333333333333333");
  CHECK(third(Rounding::up) == "0.333333333333333334");
  CHECK(third(Rounding::floor) == "0.333333333333333333");
  CHECK(third(Rounding::ceiling) == "0.333333333333333334");
  CHECK(third(Rounding::half_even) == "0.333333333333333333");
  const auto minus_third = [](Rounding r) {
    return format(div(Amount::units(-1), Amount::units(3), r));
  };
  CHECK(minus_third(Rounding::down) == "-0.333333333333333333");
  CHECK(minus_third(Rounding::up) == "-0.333333333333333334");
  CHECK(minus_third(Rounding::floor) == "-0.333333333333333334");
  CHECK(minus_third(Rounding::ceiling) == "-0.333333333333333333");
  // Half-way: 1e-18 × 0.5 is exactly half a step.
  CHECK(format(mul(a("1e-18"), a("0.5"), Rounding::half_even)) == "0");
  CHECK(format(mul(a("3e-18"), a("0.5"), Rounding::half_even)) == "0.000000000000000002");
  CHECK(format(mul(a("1e-18"), a("0.5"), Rounding::up)) == "0.000000000000000001");
  CHECK(format(mul(a("1e-18"), a("0.5"), Rounding::down)) == "0");
  CHECK(format(mul(a("-3e-18"), a("0.5"), Rounding::half_even)) == "-0.000000000000000002");
  // A fee: 0.001 of 0.5 BTC at 60000 is exactly 30; of 6001.2 USDT exactly 6.0012.
  CHECK(format(mul(mul(a("0.5"), a("60000"), Rounding::up), a("0.001"), Rounding::up)) == "30");
  CHECK(format(mul(a("6001.2"), a("0.001"), Rounding::up)) == "6.0012");
  CHECK(format(mul_div(a("2"), a("3"), a("7"), Rounding::down)) == "0.857142857142857142");
  CHECK(format(mul(Amount::max(), a("1"), Rounding::down)) == largest);
}

TEST_CASE("products and quotients report overflow and division by zero") {
  CHECK_THROWS_AS(mul(Amount::max(), a("1.000000000000000001"), Rounding::down), AmountOverflow);
  CHECK_THROWS_AS(mul(a("1e11"), a("1e11"), Rounding::down), AmountOverflow);
  CHECK_THROWS_AS(div(a("1e20"), a("0.1"), Rounding::down), AmountOverflow);
  CHECK_THROWS_AS(div(a("1"), Amount{}, Rounding::down), std::domain_error);
  CHECK_THROWS_AS(mul_div(a("1"), a("1"), Amount{}, Rounding::down), std::domain_error);
}

TEST_CASE("random amounts survive format and parse unchanged") {
  std::mt19937_64 rng(20261201);
  for (int i = 0; i < 20000; ++i) {
    const auto high = static_cast<__int128>(rng() >> (rng() % 64)) << (rng() % 63);
    Amount::Raw raw = high ^ static_cast<__int128>(rng() >> (rng() % 64));
    if (rng() % 2) raw = -raw;
    const auto amount = Amount::from_raw(raw);
    const auto text = format(amount);
    auto back = parse_amount(text);
    REQUIRE_MESSAGE(back.amount, text);
    CHECK(*back.amount == amount);
  }
}

TEST_CASE("comparisons and signs work on the integers") {
  CHECK(a("0.000000000000000001") > Amount{});
  CHECK(a("-0.000000000000000001") < Amount{});
  CHECK(a("-0.000000000000000001").negative());
  CHECK(a("2.5").sign() == 1);
  CHECK(a("0").sign() == 0);
  CHECK(a("1.10") == a("1.1"));
  CHECK(a("0.3").to_double() == doctest::Approx(0.3));
}

TEST_CASE("the limb multiplication agrees with the 256-bit path for every rounding") {
  std::mt19937_64 rng(42);
  const Rounding rules[] = {Rounding::down, Rounding::up, Rounding::floor, Rounding::ceiling,
                            Rounding::half_even};
  for (int i = 0; i < 20000; ++i) {
    // Up to about 1.8e10 units each: some products leave the range, and both must say so.
    auto operand = [&] {
      Amount::Raw raw = static_cast<Amount::Raw>(rng() >> (rng() % 64)) *
                        static_cast<Amount::Raw>(rng() >> (20 + rng() % 44));
      return Amount::from_raw(rng() % 2 ? -raw : raw);
    };
    const auto x = operand(), y = operand();
    for (auto rule : rules) {
      std::optional<Amount> fast, wide;  // empty: overflow
      try { fast = mul(x, y, rule); } catch (const AmountOverflow&) {}
      try { wide = mul_div(x, y, Amount::units(1), rule); } catch (const AmountOverflow&) {}
      REQUIRE_MESSAGE(fast == wide, format(x) << " * " << format(y));
    }
  }
}
