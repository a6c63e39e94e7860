// What every fuzz target checks besides "no crash": a refusal carries a code from the registry
// (of the expected component), and an accepted order survives encode -> decode unchanged.
// A broken invariant aborts, so libFuzzer keeps the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "messages/error_code.hpp"
#include "messages/failure.hpp"
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
  (void)encoded.dump();  // must not throw: every string came through the UTF-8 check
  auto again = decode_order(encoded);
  require(again.ok(), "an accepted order does not decode after encoding: " +
                          again.failure.describe() + " in " + encoded.dump());
  require(encode_order(again.order) == encoded,
          "encode(decode(encode(order))) differs: " + encoded.dump());
}

}  // namespace tightloop::fuzz
