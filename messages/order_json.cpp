#include "messages/order_json.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace tightloop {

namespace {

using nlohmann::json;

// Wire order: also the order in which fields are checked and listed in messages.
constexpr std::array<std::string_view, 21> wire_fields{
    "operation_id", "book", "venue", "operation", "pair", "side", "amount", "price",
    "order_type", "token_in", "token_out", "source_venue", "target_venue", "execution_mode",
    "atomic_group_id", "sequence_in_group", "slippage_tolerance", "strategy_intent",
    "expected_deltas", "metadata", "timestamp"};

std::string joined_wire_fields() {
  std::string text;
  for (auto name : wire_fields) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

template <class Enum, class ToString>
std::string joined_spellings(int count, ToString to_text) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += ", ";
    text += to_text(static_cast<Enum>(i));
  }
  return text;
}

std::string got(const json& value) { return std::string(" (got ") + value.type_name() + ")"; }

// Reads fields of one object into an Order, remembering only the first failure.
class Reader {
 public:
  explicit Reader(const json& object) : object_(object) {}

  Failure& failure() { return failure_; }

  void fail(ErrorCode code, std::string message) {
    if (!failure_.failed()) failure_ = Failure{code, std::move(message)};
  }

  // The field's value, or nullptr when absent or null (ORD-001 if required).
  const json* find(std::string_view name, bool required) {
    auto it = object_.find(std::string(name));
    if (it == object_.end() || it->is_null()) {
      if (required) fail(ErrorCode::ord_missing_field, std::string(name) + " is required");
      return nullptr;
    }
    return &*it;
  }

  void text(std::string_view name, std::string& out, bool required = false) {
    const json* value = find(name, required);
    if (value == nullptr) return;
    if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
      fail(ErrorCode::ord_wrong_type,
           std::string(name) + " must be a non-empty string" +
               (value->is_string() ? std::string(" (got empty string)") : got(*value)));
      return;
    }
    out = value->get<std::string>();
  }

  std::optional<double> number(std::string_view name, bool required = false) {
    const json* value = find(name, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number()) {
      fail(ErrorCode::ord_wrong_type, std::string(name) + " must be a number" + got(*value));
      return std::nullopt;
    }
    return value->get<double>();
  }

  std::optional<std::int64_t> integer(std::string_view name) {
    const json* value = find(name, false);
    if (value == nullptr) return std::nullopt;
    const bool fits = value->is_number_integer() &&
                      !(value->is_number_unsigned() &&
                        value->get<std::uint64_t>() >
                            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    if (!fits) {
      fail(ErrorCode::ord_wrong_type,
           std::string(name) + " must be a 64-bit integer" +
               (value->is_number_integer() ? std::string(" (got an out-of-range integer)")
                                           : got(*value)));
      return std::nullopt;
    }
    return value->get<std::int64_t>();
  }

  // An enum spelled by `parse`; `allowed` lists the spellings for the message.
  template <class Enum, class Parse>
  std::optional<Enum> enumeration(std::string_view name, Parse parse, const std::string& allowed,
                                  bool required = false) {
    const json* value = find(name, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      fail(ErrorCode::ord_wrong_type,
           std::string(name) + " must be a string, one of " + allowed + got(*value));
      return std::nullopt;
    }
    const auto& spelling = value->get_ref<const std::string&>();
    std::optional<Enum> parsed = parse(spelling);
    if (!parsed)
      fail(ErrorCode::ord_invalid_enum,
           std::string(name) + " '" + spelling + "' is not one of " + allowed);
    return parsed;
  }

  void number_map(std::string_view name, std::map<std::string, double>& out) {
    const json* value = find(name, false);
    if (value == nullptr) return;
    if (!value->is_object()) {
      fail(ErrorCode::ord_wrong_type,
           std::string(name) + " must be an object of numbers" + got(*value));
      return;
    }
    std::map<std::string, double> entries;
    for (auto it = value->begin(); it != value->end(); ++it) {
      if (!it->is_number()) {
        fail(ErrorCode::ord_wrong_type, std::string(name) +
                                            " must be an object of numbers: entry '" + it.key() +
                                            "' is not a number" + got(*it));
        return;
      }
      entries.emplace(it.key(), it->get<double>());
    }
    out = std::move(entries);
  }

  void object_text(std::string_view name, std::string& out) {
    const json* value = find(name, false);
    if (value == nullptr) return;
    if (!value->is_object()) {
      fail(ErrorCode::ord_wrong_type, std::string(name) + " must be a JSON object" + got(*value));
      return;
    }
    // Replace rather than throw on invalid UTF-8 (possible only in values built in C++).
    out = value->dump(-1, ' ', false, json::error_handler_t::replace);
  }

  void reject_unknown_fields() {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      const bool known =
          std::find(wire_fields.begin(), wire_fields.end(), it.key()) != wire_fields.end();
      if (!known) {
        fail(ErrorCode::ord_unknown_field,
             "unknown field '" + it.key() + "' (allowed: " + joined_wire_fields() + ")");
        return;
      }
    }
  }

 private:
  const json& object_;
  Failure failure_;
};

void read_fields(Reader& in, Order& order) {
  static const std::string operations = joined_spellings<Operation>(
      operation_count, [](Operation op) { return std::string(to_string(op)); });
  static const std::string sides =
      joined_spellings<Side>(4, [](Side side) { return std::string(to_string(side)); });
  static const std::string order_types =
      joined_spellings<OrderType>(2, [](OrderType type) { return std::string(to_string(type)); });
  static const std::string modes = joined_spellings<ExecutionMode>(
      2, [](ExecutionMode mode) { return std::string(to_string(mode)); });

  in.text("operation_id", order.operation_id, true);
  in.text("book", order.book);
  in.text("venue", order.venue, true);
  if (auto op = in.enumeration<Operation>("operation", parse_operation, operations, true))
    order.operation = *op;
  in.text("pair", order.pair);
  order.side = in.enumeration<Side>("side", parse_side, sides);
  if (auto amount = in.number("amount", true)) order.amount = *amount;
  order.price = in.number("price");
  if (auto type = in.enumeration<OrderType>("order_type", parse_order_type, order_types))
    order.order_type = *type;
  in.text("token_in", order.token_in);
  in.text("token_out", order.token_out);
  in.text("source_venue", order.source_venue);
  in.text("target_venue", order.target_venue);
  if (auto mode = in.enumeration<ExecutionMode>("execution_mode", parse_execution_mode, modes))
    order.execution_mode = *mode;
  in.text("atomic_group_id", order.atomic_group_id);
  order.sequence_in_group = in.integer("sequence_in_group");
  order.slippage_tolerance = in.number("slippage_tolerance");
  in.text("strategy_intent", order.strategy_intent);
  in.number_map("expected_deltas", order.expected_deltas);
  in.object_text("metadata", order.metadata_json);
  in.text("timestamp", order.timestamp);
}

void put_text(json& out, const char* name, const std::string& value) {
  if (!value.empty()) out[name] = value;
}

// metadata is echoed, but its numbers are written too: no "-0.0" there either.
void normalise_zeros(json& value) {
  if (value.is_number_float()) {
    value = wire_double(value.get<double>());
  } else if (value.is_structured()) {
    for (auto& element : value) normalise_zeros(element);
  }
}

}  // namespace

double wire_double(double value) { return value == 0.0 ? 0.0 : value; }

DecodedOrder decode_order(const nlohmann::json& value) {
  DecodedOrder decoded;
  if (!value.is_object()) {
    decoded.failure =
        Failure{ErrorCode::ord_wrong_type, std::string("order must be a JSON object") + got(value)};
    return decoded;
  }
  Reader in(value);
  in.reject_unknown_fields();
  read_fields(in, decoded.order);
  decoded.failure = in.failure();
  return decoded;
}

nlohmann::json encode_order(const Order& order) {
  json out = json::object();
  put_text(out, "operation_id", order.operation_id);
  put_text(out, "book", order.book);
  put_text(out, "venue", order.venue);
  out["operation"] = to_string(order.operation);
  put_text(out, "pair", order.pair);
  if (order.side) out["side"] = to_string(*order.side);
  out["amount"] = wire_double(order.amount);
  if (order.price) out["price"] = wire_double(*order.price);
  out["order_type"] = to_string(order.order_type);
  put_text(out, "token_in", order.token_in);
  put_text(out, "token_out", order.token_out);
  put_text(out, "source_venue", order.source_venue);
  put_text(out, "target_venue", order.target_venue);
  out["execution_mode"] = to_string(order.execution_mode);
  put_text(out, "atomic_group_id", order.atomic_group_id);
  if (order.sequence_in_group) out["sequence_in_group"] = *order.sequence_in_group;
  if (order.slippage_tolerance) out["slippage_tolerance"] = wire_double(*order.slippage_tolerance);
  put_text(out, "strategy_intent", order.strategy_intent);
  if (!order.expected_deltas.empty()) {
    json deltas = json::object();
    for (const auto& [key, amount] : order.expected_deltas) deltas[key] = wire_double(amount);
    out["expected_deltas"] = std::move(deltas);
  }
  if (!order.metadata_json.empty()) {
    json metadata = json::parse(order.metadata_json, nullptr, /*allow_exceptions=*/false);
    if (metadata.is_discarded()) {
      out["metadata"] = order.metadata_json;
    } else {
      normalise_zeros(metadata);
      out["metadata"] = std::move(metadata);
    }
  }
  put_text(out, "timestamp", order.timestamp);
  return out;
}

}  // namespace tightloop
