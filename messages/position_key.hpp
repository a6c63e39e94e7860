// Position keys: "venue:position_type:symbol", exactly three non-empty parts; the symbol is an
// asset symbol (is_symbol).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tightloop {

// Enumerator names are the wire names on purpose: the key text is their spelling.
enum class PositionType : std::uint8_t { BaseToken, aToken, debtToken, LST, Perp };

std::string_view to_string(PositionType type);
std::optional<PositionType> parse_position_type(std::string_view text);

// BaseToken, aToken and LST balances never go below zero; debtToken and Perp are signed.
bool is_non_negative(PositionType type);

struct PositionKey {
  std::string venue;
  PositionType type = PositionType::BaseToken;
  std::string symbol;

  std::string to_string() const;
};

// An asset symbol: letters, digits, '.' and '_' ("BTC", "weETH", "USDC.e"). Nothing else, so
// that a Perp symbol (BASE and QUOTE written together: BTCUSDT) is the only spelling of its
// market, and a key never carries a separator.
bool is_symbol(std::string_view text);

// On failure returns nullopt and, if `error` is given, a message naming the problem.
std::optional<PositionKey> parse_position_key(std::string_view text, std::string* error = nullptr);

std::string make_position_key(std::string_view venue, PositionType type, std::string_view symbol);

}  // namespace tightloop
