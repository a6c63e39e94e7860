// Amount: an exact signed decimal with 18 fractional digits (the ERC-20 wei scale), stored as
// a 128-bit integer count of 1e-18 units. Range: about ±1.7e20 whole units.
//
// - Addition, subtraction and negation are exact; a result outside the range throws
//   AmountOverflow (checked_add / checked_sub return nullopt instead). Nothing wraps.
// - Multiplication and division take a 256-bit intermediate and one explicit Rounding: every
//   formula that uses them names its rule (actors/venues/README.md).
// - Text: parse() reads the decimal characters exactly (a JSON number's own text, or a
//   string), format() prints the shortest exact decimal ("0.6", "-3030.015", "0").
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tightloop {

class AmountOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

// How a product or a quotient that falls between two 1e-18 steps is resolved.
enum class Rounding : std::uint8_t {
  down,       // toward zero (what a payer may keep: amounts a venue pays out)
  up,         // away from zero (what a payer owes: fees)
  floor,      // toward -infinity
  ceiling,    // toward +infinity
  half_even,  // to the nearer step, ties to the even one (neutral valuations)
};

class Amount {
 public:
  using Raw = __int128;
  static constexpr int decimals = 18;
  static constexpr std::int64_t scale = 1'000'000'000'000'000'000;  // 10^18 raw units per unit

  constexpr Amount() = default;
  static constexpr Amount from_raw(Raw raw) { return Amount(raw); }
  // Whole units, exactly.
  static constexpr Amount units(std::int64_t whole) { return Amount(Raw{whole} * scale); }
  static Amount max();
  static Amount min();

  constexpr Raw raw() const {
    return static_cast<Raw>((static_cast<unsigned __int128>(static_cast<std::uint64_t>(high_))
                             << 64) |
                            low_);
  }
  constexpr bool is_zero() const { return high_ == 0 && low_ == 0; }
  constexpr bool negative() const { return high_ < 0; }
  constexpr int sign() const { return high_ < 0 ? -1 : (is_zero() ? 0 : 1); }
  Amount abs() const;  // throws AmountOverflow for min()

  // The nearest double (for logs and for the few places that must leave exact arithmetic,
  // such as a backoff multiplier); never used for money.
  double to_double() const;

  friend constexpr bool operator==(Amount a, Amount b) {
    return a.low_ == b.low_ && a.high_ == b.high_;
  }
  friend constexpr bool operator!=(Amount a, Amount b) { return !(a == b); }
  friend constexpr bool operator<(Amount a, Amount b) { return a.raw() < b.raw(); }
  friend constexpr bool operator<=(Amount a, Amount b) { return a.raw() <= b.raw(); }
  friend constexpr bool operator>(Amount a, Amount b) { return a.raw() > b.raw(); }
  friend constexpr bool operator>=(Amount a, Amount b) { return a.raw() >= b.raw(); }

  friend Amount operator+(Amount a, Amount b);  // throw AmountOverflow
  friend Amount operator-(Amount a, Amount b);
  Amount operator-() const;
  Amount& operator+=(Amount b) { return *this = *this + b; }
  Amount& operator-=(Amount b) { return *this = *this - b; }

 private:
  constexpr explicit Amount(Raw raw)
      : low_(static_cast<std::uint64_t>(raw)), high_(static_cast<std::int64_t>(raw >> 64)) {}
  // Two 64-bit halves rather than one __int128: 8-byte alignment keeps the messages that carry
  // amounts small (an __int128 member pads every struct around it to 16 bytes, which pushed the
  // per-order result past malloc's thread cache and cost the loop a fifth of its speed).
  std::uint64_t low_ = 0;
  std::int64_t high_ = 0;
};

std::optional<Amount> checked_add(Amount a, Amount b);
std::optional<Amount> checked_sub(Amount a, Amount b);

// a × b and a ÷ b, rounded once by `rounding`; throw AmountOverflow when the result is out of
// range and std::domain_error on a division by zero.
Amount mul(Amount a, Amount b, Rounding rounding);
Amount div(Amount a, Amount b, Rounding rounding);
// a × numerator ÷ denominator with one rounding (a price ratio, a fraction of a fill).
Amount mul_div(Amount a, Amount numerator, Amount denominator, Rounding rounding);

struct AmountParse {
  std::optional<Amount> amount;
  std::string error;  // why not, when amount is empty
};

// Decimal text as JSON writes numbers: [-]digits[.digits][(e|E)[+|-]digits], nothing around
// it. Exact: a non-zero digit beyond the 18th fractional place, a value out of range, an
// exponent beyond ±400, NaN, Infinity, empty text or any other character are refused with a
// reason. Trailing zeros beyond the 18th place are accepted (the value is still exact).
AmountParse parse_amount(std::string_view text);

// The shortest exact decimal: "0", "-1.5", "0.000000000000000001"; never an exponent.
std::string format(Amount amount);

}  // namespace tightloop
