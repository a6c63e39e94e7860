#include "messages/amount.hpp"

#include <boost/multiprecision/cpp_int.hpp>

namespace tightloop {

namespace {

using Wide = boost::multiprecision::int256_t;  // a product of two amounts always fits
using U128 = unsigned __int128;

// Symmetric range, so that negation and abs() never overflow.
constexpr Amount::Raw max_raw = static_cast<Amount::Raw>(~U128{0} >> 1);

[[noreturn]] void overflow(const char* what) {
  throw AmountOverflow(std::string("amount overflow in ") + what +
                       " (the range is about +/-1.7e20 units at 18 decimals)");
}

Wide widen(Amount::Raw raw) {
  const bool negative = raw < 0;
  U128 magnitude = negative ? U128(0) - static_cast<U128>(raw) : static_cast<U128>(raw);
  Wide wide = static_cast<std::uint64_t>(magnitude >> 64);
  wide <<= 64;
  wide += static_cast<std::uint64_t>(magnitude);
  return negative ? Wide(-wide) : wide;
}

Amount narrow(const Wide& wide, const char* what) {
  const bool negative = wide < 0;
  Wide magnitude = negative ? Wide(-wide) : wide;
  if (magnitude > widen(max_raw)) overflow(what);
  const auto high = static_cast<std::uint64_t>(magnitude >> 64);
  const auto low = static_cast<std::uint64_t>(magnitude & Wide(~std::uint64_t{0}));
  U128 value = (U128{high} << 64) | low;
  auto raw = static_cast<Amount::Raw>(value);
  return Amount::from_raw(negative ? -raw : raw);
}

// numerator / denominator rounded as asked (denominator != 0).
Wide divide(const Wide& numerator, const Wide& denominator, Rounding rounding) {
  Wide quotient = numerator / denominator;  // truncates toward zero
  Wide remainder = numerator % denominator;   // has the numerator's sign
  if (remainder == 0) return quotient;
  const bool positive = (numerator < 0) == (denominator < 0);
  const Wide away = positive ? Wide(1) : Wide(-1);
  switch (rounding) {
    case Rounding::down:
      return quotient;
    case Rounding::up:
      return quotient + away;
    case Rounding::floor:
      return positive ? quotient : Wide(quotient - 1);
    case Rounding::ceiling:
      return positive ? Wide(quotient + 1) : quotient;
    case Rounding::half_even: {
      Wide twice = remainder < 0 ? Wide(-remainder * 2) : Wide(remainder * 2);
      Wide whole = denominator < 0 ? Wide(-denominator) : denominator;
      if (twice > whole || (twice == whole && (quotient & 1) != 0)) return quotient + away;
      return quotient;
    }
  }
  return quotient;
}

const Wide& wide_scale() {
  static const Wide value = Amount::scale;
  return value;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Amount Amount::max() { return Amount(max_raw); }
Amount Amount::min() { return Amount(-max_raw); }

Amount Amount::abs() const { return negative() ? -*this : *this; }

double Amount::to_double() const {
  const Raw raw_ = raw();
  const U128 magnitude = raw_ < 0 ? U128(0) - static_cast<U128>(raw_) : static_cast<U128>(raw_);
  const double whole = static_cast<double>(magnitude / static_cast<U128>(scale));
  const double fraction =
      static_cast<double>(static_cast<std::uint64_t>(magnitude % static_cast<U128>(scale))) /
      static_cast<double>(scale);
  return raw_ < 0 ? -(whole + fraction) : whole + fraction;
}

std::optional<Amount> checked_add(Amount a, Amount b) {
  Amount::Raw sum = 0;
  if (__builtin_add_overflow(a.raw(), b.raw(), &sum) || sum > max_raw || sum < -max_raw)
    return std::nullopt;
  return Amount::from_raw(sum);
}

std::optional<Amount> checked_sub(Amount a, Amount b) {
  Amount::Raw difference = 0;
  if (__builtin_sub_overflow(a.raw(), b.raw(), &difference) || difference > max_raw ||
      difference < -max_raw)
    return std::nullopt;
  return Amount::from_raw(difference);
}

Amount operator+(Amount a, Amount b) {
  auto sum = checked_add(a, b);
  if (!sum) overflow("addition");
  return *sum;
}

Amount operator-(Amount a, Amount b) {
  auto difference = checked_sub(a, b);
  if (!difference) overflow("subtraction");
  return *difference;
}

Amount Amount::operator-() const { return Amount(-raw()); }

// The magnitude of a × b / 10^18 from 64-bit limbs (the common case, without the general
// 256-bit type: a fee or a notional is a product on every order): the 256-bit product, then a
// long division by 10^18, which fits one limb.
Amount mul(Amount a, Amount b, Rounding rounding) {
  const bool negative = (a.raw() < 0) != (b.raw() < 0);
  const U128 x = a.raw() < 0 ? U128(0) - static_cast<U128>(a.raw()) : static_cast<U128>(a.raw());
  const U128 y = b.raw() < 0 ? U128(0) - static_cast<U128>(b.raw()) : static_cast<U128>(b.raw());
  const std::uint64_t x0 = static_cast<std::uint64_t>(x), x1 = static_cast<std::uint64_t>(x >> 64);
  const std::uint64_t y0 = static_cast<std::uint64_t>(y), y1 = static_cast<std::uint64_t>(y >> 64);
  // limbs[0] is the lowest of the four 64-bit limbs of x × y.
  const U128 p00 = U128{x0} * y0, p01 = U128{x0} * y1, p10 = U128{x1} * y0, p11 = U128{x1} * y1;
  std::uint64_t limbs[4];
  limbs[0] = static_cast<std::uint64_t>(p00);
  U128 middle = (p00 >> 64) + static_cast<std::uint64_t>(p01) + static_cast<std::uint64_t>(p10);
  limbs[1] = static_cast<std::uint64_t>(middle);
  U128 upper = (middle >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<std::uint64_t>(p11);
  limbs[2] = static_cast<std::uint64_t>(upper);
  limbs[3] = static_cast<std::uint64_t>((upper >> 64) + (p11 >> 64));
  const std::uint64_t divisor = static_cast<std::uint64_t>(Amount::scale);
  std::uint64_t quotient[4];
  std::uint64_t remainder = 0;
  for (int k = 3; k >= 0; --k) {
    const U128 current = (U128{remainder} << 64) | limbs[k];
    quotient[k] = static_cast<std::uint64_t>(current / divisor);
    remainder = static_cast<std::uint64_t>(current % divisor);
  }
  if (quotient[3] != 0 || quotient[2] != 0) overflow("multiplication");
  U128 magnitude = (U128{quotient[1]} << 64) | quotient[0];
  if (remainder != 0) {
    bool away = false;
    switch (rounding) {
      case Rounding::down: break;
      case Rounding::up: away = true; break;
      case Rounding::floor: away = negative; break;
      case Rounding::ceiling: away = !negative; break;
      case Rounding::half_even: {
        const U128 twice = U128{remainder} * 2;
        away = twice > divisor || (twice == divisor && (magnitude & 1) != 0);
        break;
      }
    }
    if (away) ++magnitude;
  }
  if (magnitude > static_cast<U128>(max_raw)) overflow("multiplication");
  const auto raw = static_cast<Amount::Raw>(magnitude);
  return Amount::from_raw(negative ? -raw : raw);
}

Amount div(Amount a, Amount b, Rounding rounding) {
  if (b.is_zero()) throw std::domain_error("amount division by zero");
  return narrow(divide(widen(a.raw()) * wide_scale(), widen(b.raw()), rounding), "division");
}

Amount mul_div(Amount a, Amount numerator, Amount denominator, Rounding rounding) {
  if (denominator.is_zero()) throw std::domain_error("amount division by zero");
  return narrow(
      divide(widen(a.raw()) * widen(numerator.raw()), widen(denominator.raw()), rounding),
      "multiplication and division");
}

AmountParse parse_amount(std::string_view text) {
  auto refuse = [&](const std::string& why) {
    return AmountParse{std::nullopt, "'" + std::string(text.substr(0, 64)) +
                                         (text.size() > 64 ? "...'" : "'") + " " + why};
  };
  std::size_t i = 0;
  const bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  // The significant digits, and how many of them are fractional.
  std::string digits;
  const std::size_t int_start = i;
  while (i < text.size() && is_digit(text[i])) digits.push_back(text[i++]);
  const std::size_t int_digits = i - int_start;
  if (int_digits == 0) return refuse("is not a decimal number");
  if (int_digits > 1 && text[int_start] == '0') return refuse("has a leading zero");
  long long fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    while (i < text.size() && is_digit(text[i])) digits.push_back(text[i++]);
    fraction_digits = static_cast<long long>(i - frac_start);
    if (fraction_digits == 0) return refuse("has no digit after the decimal point");
  }
  long long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    const std::size_t exp_start = i;
    while (i < text.size() && is_digit(text[i])) {
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_start) return refuse("has no digit in its exponent");
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return refuse("is not a decimal number");

  // Leading zeros carry nothing; an all-zero value is 0 whatever its exponent.
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return {Amount{}, {}};
  digits.erase(0, first);
  if (exponent > 400 || exponent < -400) return refuse("has an exponent beyond +/-400");
  // value = digits × 10^(exponent - fraction_digits); raw = value × 10^18.
  long long shift = exponent - fraction_digits + Amount::decimals;
  if (shift < 0) {
    // Digits below 1e-18 must all be zero.
    const auto dropped = static_cast<std::size_t>(-shift);
    if (dropped >= digits.size() ||
        digits.find_first_not_of('0', digits.size() - dropped) != std::string::npos)
      return refuse("has more than 18 fractional digits");
    digits.erase(digits.size() - dropped);
    shift = 0;
  }
  if (static_cast<long long>(digits.size()) + shift > 39) return refuse("is out of range");
  U128 raw = 0;
  const U128 limit = static_cast<U128>(max_raw);
  auto push = [&](unsigned digit) {
    if (raw > (limit - digit) / 10) return false;
    raw = raw * 10 + digit;
    return true;
  };
  for (char c : digits)
    if (!push(static_cast<unsigned>(c - '0'))) return refuse("is out of range");
  for (long long k = 0; k < shift; ++k)
    if (!push(0)) return refuse("is out of range");
  const auto value = static_cast<Amount::Raw>(raw);
  return {Amount::from_raw(negative ? -value : value), {}};
}

std::string format(Amount amount) {
  const auto raw = amount.raw();
  U128 magnitude = raw < 0 ? U128(0) - static_cast<U128>(raw) : static_cast<U128>(raw);
  const U128 scale = static_cast<U128>(Amount::scale);
  U128 whole = magnitude / scale;
  auto fraction = static_cast<std::uint64_t>(magnitude % scale);
  std::string integer_part;
  do {
    integer_part.push_back(static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole != 0);
  std::string out = raw < 0 ? "-" : "";
  out.append(integer_part.rbegin(), integer_part.rend());
  if (fraction != 0) {
    char buffer[Amount::decimals];
    for (int k = Amount::decimals - 1; k >= 0; --k) {
      buffer[k] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    int length = Amount::decimals;
    while (buffer[length - 1] == '0') --length;
    out.push_back('.');
    out.append(buffer, static_cast<std::size_t>(length));
  }
  return out;
}

}  // namespace tightloop
