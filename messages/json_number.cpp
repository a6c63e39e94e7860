#include "messages/json_number.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace tightloop {

using nlohmann::json;

json raw_number(std::string_view text) {
  return json::binary(json::binary_t::container_type(text.begin(), text.end()),
                      raw_number_subtype);
}

bool is_raw_number(const json& value) {
  return value.is_binary() && value.get_binary().has_subtype() &&
         value.get_binary().subtype() == raw_number_subtype;
}

std::string raw_number_text(const json& value) {
  if (!is_raw_number(value)) return {};
  const auto& bytes = value.get_binary();
  return std::string(bytes.begin(), bytes.end());
}

bool is_json_number(const json& value) {
  return value.is_number() || is_raw_number(value);
}

namespace {

// A binary64 in a document built by code (never from text): its shortest round-trip digits,
// which are the digits the code wrote ("0.001", not 0.001000000000000000020816...).
std::string shortest_text(double value) {
  if (!std::isfinite(value)) return "NaN";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::optional<Amount> amount_from_json(const json& value, std::string& why) {
  std::string text;
  if (value.is_number_unsigned())
    text = std::to_string(value.get<std::uint64_t>());
  else if (value.is_number_integer())
    text = std::to_string(value.get<std::int64_t>());
  else if (is_raw_number(value))
    text = raw_number_text(value);
  else if (value.is_number_float())
    text = shortest_text(value.get<double>());
  else if (value.is_string())
    text = value.get<std::string>();
  else {
    why = "must be a number or a decimal string, got " + shown_json(value);
    return std::nullopt;
  }
  auto parsed = parse_amount(text);
  if (!parsed.amount) why = parsed.error;
  return parsed.amount;
}

std::optional<double> double_from_json(const json& value) {
  if (value.is_number_float()) {
    const double number = value.get<double>();
    return std::isfinite(number) ? std::optional<double>(number) : std::nullopt;
  }
  if (value.is_number_unsigned()) return static_cast<double>(value.get<std::uint64_t>());
  if (value.is_number_integer()) return static_cast<double>(value.get<std::int64_t>());
  if (!is_raw_number(value)) return std::nullopt;
  const auto text = raw_number_text(value);
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(number)) return std::nullopt;
  return number;
}

json amount_json(Amount amount, AmountStyle style) {
  auto text = format(amount);
  return style == AmountStyle::strings ? json(std::move(text)) : raw_number(text);
}

json amount_json(const std::optional<Amount>& amount, AmountStyle style) {
  return amount ? amount_json(*amount, style) : json(nullptr);
}

namespace {

void dump_into(const json& value, std::string& out) {
  switch (value.type()) {
    case json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out.push_back(',');
        first = false;
        out += json(it.key()).dump(-1, ' ', false, json::error_handler_t::replace);
        out.push_back(':');
        dump_into(it.value(), out);
      }
      out.push_back('}');
      return;
    }
    case json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        dump_into(element, out);
      }
      out.push_back(']');
      return;
    }
    case json::value_t::binary:
      if (is_raw_number(value)) {
        out += raw_number_text(value);
        return;
      }
      break;
    default:
      break;
  }
  out += value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string dump_json(const json& value) {
  std::string out;
  dump_into(value, out);
  return out;
}

std::string shown_json(const json& value, std::size_t limit) {
  auto text = dump_json(value);
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

}  // namespace tightloop
