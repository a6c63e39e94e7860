// What every fuzz target checks besides "no crash": a refusal carries a code from the registry
// (of the expected component), and an accepted order survives encode -> decode unchanged, as a
// JSON value and through its text, with amounts as numbers and as strings (amounts are exact:
// nothing may change on the way). A broken invariant aborts, so libFuzzer keeps the input as a
// crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "messages/error_code.hpp"
#include "messages/failure.hpp"
#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "messages/order_json.hpp"
#include "messages/order_validation.hpp"

namespace tightloop::fuzz {

[[noreturn]] inline void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

inline void require(bool holds, const std::string& what) {
  if (!holds) broken(what);
}

// A refusal names a registered code whose id starts with `prefix` ("ORD-", "INP-", ...) and
// says why.
inline void require_coded(const Failure& failure, std::initializer_list<const char*> prefixes) {
  const auto id = to_string(failure.code);
  require(failure.failed(), "a refusal without a code");
  require(id != "UNKNOWN" && parse_error_code(id) == failure.code,
          "code not in the registry: " + std::string(id));
  bool expected = false;
  for (const char* prefix : prefixes) expected = expected || id.rfind(prefix, 0) == 0;
  require(expected, "unexpected component for " + std::string(id) + ": " + failure.message);
  require(!failure.message.empty(), std::string(id) + " without a message");
}

// One orders-file entry that is not an event: decoded, validated, and when accepted encoded
// and decoded again to the same order.
inline void check_order_entry(const nlohmann::json& entry) {
  auto decoded = decode_order(entry);
  if (!decoded.ok()) {
    require_coded(decoded.failure, {"ORD-"});
    return;
  }
  if (auto failure = validate_order(decoded.order)) require_coded(*failure, {"ORD-"});
  const auto encoded = encode_order(decoded.order);
  // nlohmann's strict dump must not throw: every string came through the UTF-8 check.
  (void)encoded.dump();
  const std::string text = dump_json(encoded);
  auto again = decode_order(encoded);
  require(again.ok(), "an accepted order does not decode after encoding: " +
                          again.failure.describe() + " in " + text);
  require(encode_order(again.order) == encoded, "encode(decode(encode(order))) differs: " + text);

  // The output text is JSON under the input policy and reads back to the same order.
  auto reread = parse_json(text);
  require(reread.ok(), "the encoded order is not valid input: " +
                           (reread.error ? reread.error->message : std::string()) + " in " + text);
  auto from_text = decode_order(reread.value);
  require(from_text.ok(), "the encoded order's text does not decode: " +
                              from_text.failure.describe() + " in " + text);
  require(encode_order(from_text.order) == encoded,
          "the encoded order's text reads back differently: " + text);

  // Amounts as strings: the same order.
  const auto as_strings = encode_order(decoded.order, AmountStyle::strings);
  auto from_strings = decode_order(as_strings);
  require(from_strings.ok(), "an order with amounts as strings does not decode: " +
                                 from_strings.failure.describe() + " in " + dump_json(as_strings));
  require(encode_order(from_strings.order) == encoded,
          "amounts as strings read back differently: " + dump_json(as_strings));

  // Every amount prints as parse_amount reads it back.
  auto exact = [](Amount amount) {
    const auto parsed = parse_amount(format(amount));
    require(parsed.amount && *parsed.amount == amount,
            "an amount does not read back from its text: " + format(amount));
  };
  exact(decoded.order.amount);
  if (decoded.order.price) exact(*decoded.order.price);
  if (decoded.order.slippage_tolerance) exact(*decoded.order.slippage_tolerance);
  for (const auto& [key, amount] : decoded.order.expected_deltas) exact(amount);
}

}  // namespace tightloop::fuzz
