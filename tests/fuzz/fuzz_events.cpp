// libFuzzer target: one orders-file line read as an event ({"event": "market" | "refresh"})
// against the bundled default config. A refused event carries INP-003 and leaves the market
// data as it was; an accepted market update encodes back to what was merged, as a value, through
// its text and with amounts as strings (amounts are exact: nothing may change on the way).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config_loader.hpp"
#include "config/input_event.hpp"
#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "messages/market_json.hpp"
#include "tests/fuzz/invariants.hpp"

using namespace tightloop;

namespace {

const Config& default_config() {
  static const Config config = [] {
    auto loaded = load_config_file(std::string(TIGHTLOOP_SOURCE_DIR) + "/config/default.json");
    if (!loaded.ok()) fuzz::broken("the bundled config does not load: " + loaded.failure.describe());
    return loaded.config;
  }();
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_json(text);
  if (!parsed.ok()) {
    fuzz::require(!parsed.error->message.empty(), "a parse error without a message");
    return 0;
  }
  if (!parsed.value.is_object() || !parsed.value.contains("event")) return 0;
  const Config& config = default_config();
  MarketData market = config.market;
  const auto before = encode_market(market);
  InputEvent event;
  if (auto failure = decode_event(config, parsed.value, market, event)) {
    fuzz::require_coded(*failure, {"INP-003"});
    fuzz::require(encode_market(market) == before, "a refused event changed the market data");
    return 0;
  }
  for (const auto& book : event.books)
    fuzz::require(config.find_book(book) != nullptr, "a refresh for an unknown book");
  MarketData round_trip;
  auto failure = merge_market_json(encode_market(market), round_trip, "round trip",
                                   ErrorCode::inp_bad_event);
  fuzz::require(!failure, "merged market data does not read back: " +
                              (failure ? failure->message : std::string()));
  fuzz::require(encode_market(round_trip) == encode_market(market),
                "merged market data reads back differently");

  const std::string encoded_text = dump_json(encode_market(market));
  auto reread = parse_json(encoded_text);
  fuzz::require(reread.ok(), "encoded market data is not valid input: " + encoded_text);
  MarketData from_text;
  fuzz::require(!merge_market_json(reread.value, from_text, "round trip", ErrorCode::inp_bad_event),
                "encoded market data does not read back from its text: " + encoded_text);
  fuzz::require(encode_market(from_text) == encode_market(market),
                "encoded market data reads back differently from its text: " + encoded_text);

  MarketData from_strings;
  fuzz::require(!merge_market_json(encode_market(market, AmountStyle::strings), from_strings,
                                   "round trip", ErrorCode::inp_bad_event),
                "market data with amounts as strings does not read back");
  fuzz::require(encode_market(from_strings) == encode_market(market),
                "market data with amounts as strings reads back differently");
  return 0;
}
