// libFuzzer target: the orders-file reader (JSON array or JSON Lines under the input policy)
// and the order decoder, with the invariants of invariants.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/orders_file.hpp"
#include "tests/fuzz/invariants.hpp"

using namespace tightloop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto file = parse_orders_text(text);
  if (file.failure.failed()) {
    fuzz::require_coded(file.failure, {"INP-001", "INP-002"});
    fuzz::require(file.entries.empty(), "a refused file still handed out entries");
    return 0;
  }
  for (const auto& entry : file.entries) {
    fuzz::require(entry.is_object(), "an entry that is not an object was accepted");
    if (!entry.contains("event")) fuzz::check_order_entry(entry);
  }
  return 0;
}
