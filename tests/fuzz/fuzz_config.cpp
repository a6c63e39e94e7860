// libFuzzer target: the config loader on a file's text. A refusal is CFG-001/CFG-002 with a
// message; an accepted config can build every book's venues (what the runtime does next), and
// its market data encodes and reads back exactly.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "actors/venues/venue_set.hpp"
#include "config/config_loader.hpp"
#include "messages/json_number.hpp"
#include "messages/market_json.hpp"
#include "messages/position_key.hpp"
#include "tests/fuzz/invariants.hpp"

using namespace tightloop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = load_config_text(text, "fuzz.json");
  if (!loaded.ok()) {
    fuzz::require_coded(loaded.failure, {"CFG-001", "CFG-002"});
    return 0;
  }
  const Config& config = loaded.config;
  fuzz::require(!config.venues.empty() && !config.books.empty(), "a config without venues or books");
  MarketData market;
  fuzz::require(
      !merge_market_json(encode_market(config.market), market, "market", ErrorCode::cfg_invalid),
      "an accepted config's market data does not read back");
  fuzz::require(encode_market(market) == encode_market(config.market),
                "an accepted config's market data reads back differently: " +
                    dump_json(encode_market(config.market)));
  for (const auto& book : config.books) {
    fuzz::require(config.find_book(book.name) == &book, "book lookup broken for " + book.name);
    for (const auto& key : book.subscribed_keys)
      fuzz::require(parse_position_key(key).has_value(), "an accepted key does not parse: " + key);
    try {
      auto venues = make_book_venues(config, book, nullptr);
      fuzz::require(venues.size() == config.venues.size(), "venues missing for " + book.name);
    } catch (const std::exception& e) {
      fuzz::broken("an accepted config cannot build book " + book.name + ": " + e.what());
    }
  }
  return 0;
}
