#include "messages/order_json.hpp"

#include "messages/json_input.hpp"
#include "messages/json_number.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace tightloop {

namespace {

using nlohmann::json;

// The wire format, one row per field, in wire order (also the order in which fields are
// checked and listed in messages). The decoder reads names and `required` from here and
// docs/ORDER_FORMAT.md is generated from it, so the page cannot drift from the code.
struct WireField {
  std::string_view name;
  std::string_view type;  // JSON type as the page states it
  bool required;
  std::string_view default_value;  // when absent
  std::string_view rules;          // checks after decoding, each with its code
};

constexpr WireField wire_table[] = {
    {"operation_id", "string", true, "-",
     "non-empty; unique per book, the idempotency key: a used id is ORD-007 (see below)"},
    {"book", "string", false, "the only configured book",
     "a configured book; absent with several books configured: ORD-008"},
    {"venue", "string", true, "-",
     "a configured venue (VIM-001) whose kind supports the operation (VIM-002)"},
    {"operation", "string", true, "-",
     "spot_trade, perp_trade, supply, withdraw, borrow, repay, stake, unstake, swap, "
     "flash_borrow, flash_repay, transfer"},
    {"pair", "string", false, "-",
     "spot_trade and perp_trade need BASE/QUOTE, two symbols around one '/' (ORD-006)"},
    {"side", "string", false, "-",
     "BUY, SELL, LONG, SHORT; spot_trade needs BUY or SELL, perp_trade LONG or SHORT (ORD-006)"},
    {"amount", "number or decimal string", true, "-",
     "exact decimal, at most 18 fractional digits (ORD-005); > 0 (ORD-005)"},
    {"price", "number or decimal string", false, "-",
     "exact decimal, at most 18 fractional digits (ORD-005); > 0 (ORD-005); required by "
     "order_type limit, refused on a market order (ORD-006)"},
    {"order_type", "string", false, "market", "market, limit"},
    {"token_in", "string", false, "-",
     "a symbol; supply, repay, stake, unstake, flash_repay, swap, transfer need it (ORD-006)"},
    {"token_out", "string", false, "-",
     "a symbol; withdraw, borrow, flash_borrow, swap need it; a swap's differs from token_in "
     "(ORD-006)"},
    {"source_venue", "string", false, "venue",
     "transfer: absent or equal to venue, the sender (ORD-006)"},
    {"target_venue", "string", false, "-", "transfer needs it, different from venue (ORD-006)"},
    {"execution_mode", "string", false, "sequential",
     "sequential, atomic; atomic needs atomic_group_id and the reverse (ORD-009)"},
    {"atomic_group_id", "string", false, "-",
     "members are consecutive entries of one submission in one book (ORD-009); flash_borrow "
     "and flash_repay need one (ORD-009)"},
    {"sequence_in_group", "integer", false, "input position",
     "a JSON integer >= 0 (ORD-003, ORD-005), unique in its group, needs atomic_group_id "
     "(ORD-009)"},
    {"slippage_tolerance", "number or decimal string", false,
     "the dex venue's default_slippage_tolerance",
     "exact decimal, at most 18 fractional digits (ORD-005); in [0, 1) (ORD-005)"},
    {"strategy_intent", "string", false, "-", "free text, echoed"},
    {"expected_deltas", "object of numbers or decimal strings", false, "-",
     "position key -> expected net delta, an exact decimal, at most 18 fractional digits "
     "(ORD-005); compared after execution, reported in expected_deltas_check (informational)"},
    {"metadata", "object", false, "-", "free, echoed"},
    {"timestamp", "string", false, "-", "passed through verbatim"},
};

const WireField& wire_field(std::string_view name) {
  for (const auto& field : wire_table)
    if (field.name == name) return field;
  throw std::logic_error("order field '" + std::string(name) + "' is not in the wire table");
}

bool is_wire_field(std::string_view name) {
  for (const auto& field : wire_table)
    if (field.name == name) return true;
  return false;
}

std::string joined_wire_fields() {
  std::string text;
  for (const auto& field : wire_table) {
    if (!text.empty()) text += ", ";
    text += field.name;
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

// The JSON type as a message names it: a raw number (a binary node inside) is a number.
std::string type_of(const json& value) {
  return is_raw_number(value) ? std::string("number") : std::string(value.type_name());
}

std::string got(const json& value) { return " (got " + type_of(value) + ")"; }

// Reads fields of one object into an Order, remembering only the first failure.
class Reader {
 public:
  explicit Reader(const json& object) : object_(object) {}

  Failure& failure() { return failure_; }

  void fail(ErrorCode code, std::string message) {
    if (!failure_.failed()) failure_ = Failure{code, std::move(message)};
  }

  // The field's value, or nullptr when absent (ORD-001 if required) or null (ORD-003: null is
  // a wrong type on every field; an absent optional field is left out, not null).
  const json* find(std::string_view name) {
    const bool required = wire_field(name).required;
    auto it = object_.find(std::string(name));
    if (it == object_.end()) {
      if (required) fail(ErrorCode::ord_missing_field, std::string(name) + " is required");
      return nullptr;
    }
    if (it->is_null()) {
      fail(ErrorCode::ord_wrong_type,
           std::string(name) + " must not be null (leave an optional field out)");
      return nullptr;
    }
    return &*it;
  }

  void text(std::string_view name, std::string& out) {
    const json* value = find(name);
    if (value == nullptr) return;
    if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
      fail(ErrorCode::ord_wrong_type,
           std::string(name) + " must be a non-empty string" +
               (value->is_string() ? std::string(" (got empty string)") : got(*value)));
      return;
    }
    out = value->get<std::string>();
  }

  std::optional<Amount> amount(std::string_view name) {
    const json* value = find(name);
    if (value == nullptr) return std::nullopt;
    return amount_value(*value, std::string(name));
  }

  // An exact amount from a JSON number or a decimal string (json_number.hpp). Another JSON
  // type or an empty string is ORD-003; text that is not an exact amount (too many fractional
  // digits, out of range, NaN, not a decimal) is ORD-005. `what` starts the message.
  std::optional<Amount> amount_value(const json& value, const std::string& what) {
    const std::string expected = what + " must be a number or a decimal string";
    if (value.is_string() && value.get_ref<const std::string&>().empty()) {
      fail(ErrorCode::ord_wrong_type, expected + " (got empty string)");
      return std::nullopt;
    }
    if (!is_json_number(value) && !value.is_string()) {
      fail(ErrorCode::ord_wrong_type, expected + got(value));
      return std::nullopt;
    }
    std::string why;
    auto amount = amount_from_json(value, why);
    if (!amount)
      fail(ErrorCode::ord_out_of_range,
           what +
               " must be an exact decimal (at most 18 fractional digits, magnitude below "
               "1.7e20): " +
               why);
    return amount;
  }

  std::optional<std::int64_t> integer(std::string_view name) {
    const json* value = find(name);
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
  std::optional<Enum> enumeration(std::string_view name, Parse parse, const std::string& allowed) {
    const json* value = find(name);
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

  // An object of amounts, all or nothing: a bad entry leaves `out` empty.
  void amount_map(std::string_view name, std::map<std::string, Amount>& out) {
    const json* value = find(name);
    if (value == nullptr) return;
    if (!value->is_object()) {
      fail(ErrorCode::ord_wrong_type,
           std::string(name) + " must be an object of numbers or decimal strings" + got(*value));
      return;
    }
    std::map<std::string, Amount> entries;
    for (auto it = value->begin(); it != value->end(); ++it) {
      auto amount = amount_value(*it, std::string(name) + " entry '" + it.key() + "'");
      if (!amount) return;
      entries.emplace(it.key(), *amount);
    }
    out = std::move(entries);
  }

  void object_text(std::string_view name, std::string& out) {
    const json* value = find(name);
    if (value == nullptr) return;
    if (!value->is_object()) {
      fail(ErrorCode::ord_wrong_type, std::string(name) + " must be a JSON object" + got(*value));
      return;
    }
    // Raw numbers keep their text; invalid UTF-8 (possible only in values built in C++) is
    // replaced rather than thrown on.
    out = dump_json(*value);
  }

  void reject_unknown_fields() {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (!is_wire_field(it.key())) {
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

  in.text("operation_id", order.operation_id);
  in.text("book", order.book);
  in.text("venue", order.venue);
  if (auto op = in.enumeration<Operation>("operation", parse_operation, operations))
    order.operation = *op;
  in.text("pair", order.pair);
  order.side = in.enumeration<Side>("side", parse_side, sides);
  if (auto amount = in.amount("amount")) order.amount = *amount;
  order.price = in.amount("price");
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
  order.slippage_tolerance = in.amount("slippage_tolerance");
  in.text("strategy_intent", order.strategy_intent);
  in.amount_map("expected_deltas", order.expected_deltas);
  in.object_text("metadata", order.metadata_json);
  in.text("timestamp", order.timestamp);
}

void put_text(json& out, const char* name, const std::string& value) {
  if (!value.empty()) out[name] = value;
}

}  // namespace

std::string order_format_markdown() {
  std::ostringstream out;
  out << "# The order wire format\n\n"
      << "Generated by `tightloop order-format` from `messages/order_json.cpp`, the table the "
         "decoder reads; a test checks this page against it and against the decoder's "
         "behaviour.\n\n"
      << "An order is one JSON object, an entry of an orders file (a JSON array, or JSON "
         "Lines: one object per non-empty line).\n\n"
      << "## Input policy (every JSON input: orders file, events, config)\n\n"
      << "- RFC 8259 JSON in UTF-8; nothing after the value but white space.\n"
      << "- A UTF-8 byte-order mark is accepted only as the first three bytes of a file; "
         "anywhere else it is an error. A NUL byte anywhere is an error.\n"
      << "- At most " << max_json_depth << " nested arrays and objects.\n"
      << "- A key repeated inside one object is an error (no \"last one wins\").\n"
      << "- Numbers: integers that fit 64 bits stay integers; every other number is kept as "
         "its own decimal text, never converted to a binary64, so amounts are read exactly; "
         "its magnitude must still be within binary64 range, not rounded to 0 or infinity "
         "(`1e400`, `1e-400` are errors).\n"
      << "- In an orders file a break of this policy rejects the whole file: INP-001, exit 2, "
         "nothing executed (in a config file: CFG-001).\n\n"
      << "## Fields\n\n"
      << "| field | type | required | default | rules (code) |\n|---|---|---|---|---|\n";
  for (const auto& field : wire_table)
    out << "| `" << field.name << "` | " << field.type << " | "
        << (field.required ? "yes" : "no") << " | " << field.default_value << " | "
        << field.rules << " |\n";
  out << "\n## Decoding\n\n"
      << "A bad order fails alone (`status` `failed`, its code) and the batch goes on; it "
         "executes nothing. The first failure wins, checked in this order: the entry is not an "
         "object (ORD-003); an unknown field, the first in key order (ORD-002); then each field "
         "in the table's order: a required field absent (ORD-001); a wrong JSON type, `null` "
         "or an empty string (ORD-003: `null` is never \"absent\", leave an optional field "
         "out); an enum spelling not listed (ORD-004, case-sensitive). Then validation: ranges "
         "(ORD-005), what the operation needs (ORD-006), group fields (ORD-009), in the order "
         "of the table.\n\n"
      << "Amounts (`amount`, `price`, `slippage_tolerance`, the values of `expected_deltas`) "
         "are exact decimals: a JSON number or a JSON string holding one (`0.1` and `\"0.1\"` "
         "are the same amount), read from its text, never through a binary64. At most 18 "
         "fractional digits (a 19th non-zero digit is ORD-005, never rounded away) and a "
         "magnitude below about 1.7e20; `\"NaN\"`, `\"Infinity\"`, an exponent beyond 400 or "
         "any other text is ORD-005, another JSON type (or an empty string) ORD-003. Output "
         "writes amounts in their shortest exact form (`0.6`, `3030.015`, `60000`).\n\n"
      << "A symbol (`pair` parts, `token_in`, `token_out`, a position key's last part) is "
         "letters, digits, `.` and `_`.\n\n"
      << "## The operation_id rule\n\n"
      << "An order claims its `operation_id` in its book once the book has decided on it: "
         "executed, failed for any reason (decoding, validation, the venue, in doubt) or "
         "rolled back. A later order with that id fails with ORD-007 and executes nothing, "
         "whatever else it carries. An order the book never looked at claims nothing and may "
         "be sent again under the same id: `skipped` (EM-003, EM-006) or refused because the "
         "book is halted (EM-004). An order whose id or book cannot be read claims nothing.\n\n"
      << "## Atomic groups\n\n"
      << "A group is decoded and checked whole before any member runs: its members must be "
         "consecutive entries of one submission and name one book (ORD-009 on every member "
         "otherwise). A member that fails decoding or validation fails with its own code and "
         "every other member is `skipped` (EM-006): nothing of the group runs.\n";
  return out.str();
}

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

nlohmann::json encode_order(const Order& order, AmountStyle style) {
  json out = json::object();
  put_text(out, "operation_id", order.operation_id);
  put_text(out, "book", order.book);
  put_text(out, "venue", order.venue);
  out["operation"] = to_string(order.operation);
  put_text(out, "pair", order.pair);
  if (order.side) out["side"] = to_string(*order.side);
  out["amount"] = amount_json(order.amount, style);
  if (order.price) out["price"] = amount_json(*order.price, style);
  out["order_type"] = to_string(order.order_type);
  put_text(out, "token_in", order.token_in);
  put_text(out, "token_out", order.token_out);
  put_text(out, "source_venue", order.source_venue);
  put_text(out, "target_venue", order.target_venue);
  out["execution_mode"] = to_string(order.execution_mode);
  put_text(out, "atomic_group_id", order.atomic_group_id);
  if (order.sequence_in_group) out["sequence_in_group"] = *order.sequence_in_group;
  if (order.slippage_tolerance)
    out["slippage_tolerance"] = amount_json(*order.slippage_tolerance, style);
  put_text(out, "strategy_intent", order.strategy_intent);
  if (!order.expected_deltas.empty()) {
    json deltas = json::object();
    for (const auto& [key, amount] : order.expected_deltas)
      deltas[key] = amount_json(amount, style);
    out["expected_deltas"] = std::move(deltas);
  }
  if (!order.metadata_json.empty()) {
    // Echoed as given: parse_json keeps its numbers' text (no binary64 on the way back).
    auto metadata = parse_json(order.metadata_json);
    if (metadata.ok())
      out["metadata"] = std::move(metadata.value);
    else
      out["metadata"] = order.metadata_json;
  }
  put_text(out, "timestamp", order.timestamp);
  return out;
}

}  // namespace tightloop
