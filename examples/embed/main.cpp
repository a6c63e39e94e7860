// Embedding tightloop: a Runtime from a config file, three orders on its first book, then
// each order's status, the book's positions and its NAV, every figure an exact decimal.
//   tightloop-embed CONFIG.json
// The config needs a cex venue `binance` holding BTC and USDT and a lending venue `aave` with
// a wallet holding WETH (tests/test_support.cpp's exact_config_json is one).
#include <tightloop/tightloop.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

// An exact amount from its decimal text (never from a double).
tightloop::Amount amount(const char* text) {
  auto parsed = tightloop::parse_amount(text);
  if (!parsed.amount) {
    std::cerr << "bad amount " << text << ": " << parsed.error << "\n";
    std::exit(1);
  }
  return *parsed.amount;
}

tightloop::Order spot(const std::string& id, tightloop::Side side, const char* size) {
  tightloop::Order order;
  order.operation_id = id;
  order.venue = "binance";
  order.operation = tightloop::Operation::spot_trade;
  order.pair = "BTC/USDT";
  order.side = side;
  order.amount = amount(size);
  return order;
}

tightloop::Order supply(const std::string& id, const std::string& token, const char* size) {
  tightloop::Order order;
  order.operation_id = id;
  order.venue = "aave";
  order.operation = tightloop::Operation::supply;
  order.token_in = token;
  order.amount = amount(size);
  return order;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tightloop-embed CONFIG.json\n";
    return 2;
  }
  auto loaded = tightloop::load_config_file(argv[1]);
  if (!loaded.ok()) {
    std::cerr << loaded.failure.describe() << "\n";
    return 2;
  }
  // Log lines to stderr (or the config's log.file), as the tightloop binary does.
  if (auto failure = tightloop::init_logging(loaded.config.log.level, loaded.config.log.file)) {
    std::cerr << failure->describe() << "\n";
    return 2;
  }
  const std::string book = loaded.config.books.front().name;

  tightloop::Runtime runtime(loaded.config);
  std::vector<tightloop::Order> orders{
      spot("embed-1", tightloop::Side::buy, "0.5"),   // 0.5 BTC at the market
      supply("embed-2", "WETH", "4"),                 // 4 WETH into aave
      spot("embed-3", tightloop::Side::sell, "100"),  // more BTC than the book holds: fails
  };
  auto result = runtime.run_book(book, std::move(orders));

  for (const auto& order : result.results) {
    const auto& hs = order.handshake;
    std::cout << "order " << hs.order.operation_id << " " << tightloop::to_string(hs.status);
    if (hs.error_code != tightloop::ErrorCode::none)
      std::cout << " " << tightloop::to_string(hs.error_code);
    std::cout << "\n";
  }
  for (const auto& [key, balance] : result.positions)
    std::cout << "position " << key << " " << tightloop::format(balance) << "\n";
  const auto& nav = result.valuation.expected.nav;
  std::cout << "nav " << (nav ? tightloop::format(*nav) : std::string("unpriced")) << "\n";
  return result.halt.halted ? 3 : 0;
}
