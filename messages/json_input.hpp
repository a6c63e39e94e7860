// The one input policy for JSON text, shared by every reader of user input: the orders file
// (array or JSON Lines), its events, the config file and, later, HTTP bodies. Documented in the
// README ("Input policy") and docs/ORDER_FORMAT.md.
//
//   syntax      RFC 8259 JSON, nothing after the value but white space
//   encoding    UTF-8; a byte-order mark only as the first three bytes of a file
//               (read_document strips it); a NUL byte anywhere is refused
//   depth       at most max_json_depth nested arrays/objects
//   keys        a key repeated inside one object is refused (nothing is "last wins")
//   numbers     integers that fit int64/uint64 stay integers; every other number is kept as
//               its own decimal text (a raw number node, json_number.hpp), never as a binary64:
//               amounts are read from that text exactly (amount_from_json). Its magnitude must
//               still be within binary64 range, not rounded to 0 or infinity (1e400 and 1e-400
//               are refused, not turned into inf or 0). Readers never call is_number() or
//               get<double>() on input: raw numbers are binary nodes (json_number.hpp helpers)
//   null        accepted by the parser; what it means is the decoder's rule (orders: a
//               wrong type on every field)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tightloop {

inline constexpr int max_json_depth = 64;

struct JsonError {
  std::size_t offset = 0;  // byte offset in the text given, from 0
  std::string message;     // "at byte 12: ..." with the reason
};

struct ParsedJson {
  nlohmann::json value;
  std::optional<JsonError> error;
  bool ok() const { return !error.has_value(); }
};

// One JSON value under the policy above. A byte-order mark is refused here (it is only
// allowed at the start of a file: use strip_bom first on a whole file's text).
ParsedJson parse_json(std::string_view text);

// The text without a leading UTF-8 byte-order mark, if it has one.
std::string_view strip_bom(std::string_view text);

// The first NUL byte's offset, if any.
std::optional<std::size_t> find_nul(std::string_view text);

}  // namespace tightloop
