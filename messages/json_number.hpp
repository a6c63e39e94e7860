// JSON numbers without binary64: how input keeps a number's own text and output prints exact
// decimals.
//
// parse_json (json_input.hpp) keeps every non-integer number as its decimal text in a "raw
// number" node (a JSON binary value with subtype raw_number_subtype, which JSON text itself
// can never produce); integers stay integers. Readers go through the functions here and never
// call is_number()/get<double>() on input. Output puts amounts in raw number nodes and writes
// the document with dump_json, which prints them as their text: `0.6`, not
// `0.59999999999999998`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "messages/amount.hpp"

namespace tightloop {

inline constexpr std::uint8_t raw_number_subtype = 0x2e;  // '.'

nlohmann::json raw_number(std::string_view text);
bool is_raw_number(const nlohmann::json& value);
std::string raw_number_text(const nlohmann::json& value);  // "" unless is_raw_number

// An integer, a raw number, or a binary64 (only in a document built by code: parse_json never
// makes one).
bool is_json_number(const nlohmann::json& value);

// An amount from a JSON number or a JSON string holding a decimal (as exchanges send them),
// read exactly from its text (amount.hpp: 18 fractional digits at most). A binary64 in a
// document built by code is read from its shortest round-trip digits. On failure `why` says
// so ("must be a number or a decimal string, got true", or parse_amount's reason).
std::optional<Amount> amount_from_json(const nlohmann::json& value, std::string& why);

// A number that is not money (a multiplier, a ratio a test sets): the nearest double.
std::optional<double> double_from_json(const nlohmann::json& value);

// How output shows amounts: JSON numbers (the default) or JSON strings, for clients whose JSON
// parser would read a number into a binary64.
enum class AmountStyle : std::uint8_t { numbers, strings };

nlohmann::json amount_json(Amount amount, AmountStyle style = AmountStyle::numbers);
nlohmann::json amount_json(const std::optional<Amount>& amount,
                           AmountStyle style = AmountStyle::numbers);  // null when empty

// Compact text like nlohmann's dump(), raw numbers as their text; invalid UTF-8 in strings is
// replaced (U+FFFD) rather than thrown on.
std::string dump_json(const nlohmann::json& value);

// A value for an error message: dump_json, cut to `limit` characters.
std::string shown_json(const nlohmann::json& value, std::size_t limit = 80);

}  // namespace tightloop
