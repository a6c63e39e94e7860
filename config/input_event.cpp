#include "config/input_event.hpp"

#include <nlohmann/json.hpp>

#include "config/config_loader.hpp"
#include "messages/json_number.hpp"

namespace tightloop {

namespace {

Failure bad_event(std::string why) { return Failure{ErrorCode::inp_bad_event, std::move(why)}; }

}  // namespace

std::optional<Failure> decode_event(const Config& config, const nlohmann::json& value,
                                    MarketData& market, InputEvent& event) {
  using json = nlohmann::json;
  const auto& kind = value.at("event");
  if (!kind.is_string() || (kind != "refresh" && kind != "market"))
    return bad_event("event must be \"refresh\" or \"market\", got " + shown_json(kind));
  event = InputEvent{};
  event.kind = kind == "refresh" ? InputEventKind::refresh : InputEventKind::market;
  const bool refresh = event.kind == InputEventKind::refresh;
  json body = json::object();
  for (const auto& [field, field_value] : value.items()) {
    if (field == "event") continue;
    if (field == "timestamp") {
      if (!field_value.is_string() || field_value.get_ref<const std::string&>().empty())
        return bad_event("timestamp must be a non-empty string, got " + shown_json(field_value));
      event.timestamp = field_value.get<std::string>();
      continue;
    }
    if (field == "book" && refresh) {
      if (!field_value.is_string() || !config.find_book(field_value.get<std::string>()))
        return bad_event("book " + shown_json(field_value) + " is not configured");
      event.books = {field_value.get<std::string>()};
      continue;
    }
    if (refresh)
      return bad_event("unknown field '" + field +
                       "' in a refresh event (allowed: event, book, timestamp)");
    body[field] = field_value;
  }
  if (!refresh) {
    MarketData merged = market;
    if (auto failure =
            merge_market_update(body, config, merged, "market event", ErrorCode::inp_bad_event))
      return failure;
    merged.timestamp = event.timestamp;
    market = std::move(merged);
  }
  return std::nullopt;
}

}  // namespace tightloop
