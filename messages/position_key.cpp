#include "messages/position_key.hpp"

#include <array>

#include "messages/enum_names.hpp"

namespace tightloop {

namespace {
constexpr std::array<std::string_view, 5> type_names{"BaseToken", "aToken", "debtToken", "LST",
                                                     "Perp"};
}

std::string_view to_string(PositionType type) { return name_of(type_names, type); }

std::optional<PositionType> parse_position_type(std::string_view text) {
  return parse_name<PositionType>(type_names, text);
}

bool is_non_negative(PositionType type) {
  return type == PositionType::BaseToken || type == PositionType::aToken ||
         type == PositionType::LST;
}

bool is_symbol(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string PositionKey::to_string() const {
  return make_position_key(venue, type, symbol);
}

std::string make_position_key(std::string_view venue, PositionType type, std::string_view symbol) {
  std::string key;
  auto type_name = tightloop::to_string(type);
  key.reserve(venue.size() + type_name.size() + symbol.size() + 2);
  key.append(venue).append(1, ':').append(type_name).append(1, ':').append(symbol);
  return key;
}

std::optional<PositionKey> parse_position_key(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<PositionKey> {
    if (error) *error = "position key '" + std::string(text) + "': " + std::move(why);
    return std::nullopt;
  };
  auto first = text.find(':');
  if (first == std::string_view::npos)
    return fail("expected venue:position_type:symbol (three parts separated by ':')");
  auto second = text.find(':', first + 1);
  if (second == std::string_view::npos || text.find(':', second + 1) != std::string_view::npos)
    return fail("expected venue:position_type:symbol (exactly three parts)");
  auto venue = text.substr(0, first);
  auto type_text = text.substr(first + 1, second - first - 1);
  auto symbol = text.substr(second + 1);
  if (venue.empty() || symbol.empty()) return fail("venue and symbol must not be empty");
  auto type = parse_position_type(type_text);
  if (!type)
    return fail("unknown position type '" + std::string(type_text) +
                "' (one of BaseToken, aToken, debtToken, LST, Perp)");
  if (!is_symbol(symbol))
    return fail("symbol '" + std::string(symbol) + "' must be letters, digits, '.' or '_'" +
                (*type == PositionType::Perp
                     ? " (a Perp symbol is the pair's BASE and QUOTE written together: "
                       "BTCUSDT for BTC/USDT)"
                     : ""));
  return PositionKey{std::string(venue), *type, std::string(symbol)};
}

}  // namespace tightloop
