// Idle books: a book is its execution manager and its supervisor until its first order,
// refresh or venue question spawns the venues, the update handler and the monitor
// (runtime/book.hpp, PartsSpawn). Counted with CAF's registry of running actors.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "messages/json_number.hpp"
#include "runtime/actor_system_setup.hpp"
#include "runtime/book.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;

namespace {

constexpr std::int64_t answer_ms = 5000;

struct LazyBook {
  Config config = test::exact_config({"main"});
  std::unique_ptr<ActorSystemConfig> system_config = make_actor_system_config(config.scheduler);
  ActorSystem system{*system_config};
  ScopedActor self{system, true};  // hidden: not in the running count
  std::size_t before = system.registry().running();
  BookActors book;

  explicit LazyBook(PartsSpawn parts = PartsSpawn::at_first_use) {
    book = spawn_book(system, std::make_shared<const Config>(config), "main",
                      std::make_shared<const MarketData>(config.market),
                      {spawn_venue_interface, parts});
  }
  ~LazyBook() { stop_book(book); }

  std::size_t actors() { return system.registry().running() - before; }
  std::size_t all_parts() const { return 2 + config.venues.size() + 2; }

  template <class T, class Dest, class... Ts>
  T ask(const Dest& dest, Ts&&... xs) {
    T answer{};
    bool answered = false;
    self->request(dest, millis(answer_ms), std::forward<Ts>(xs)...)
        .receive(
            [&](T& value) {
              answer = std::move(value);
              answered = true;
            },
            [&](const CafError& error) { FAIL("no answer: " << system.render(error)); });
    REQUIRE(answered);
    return answer;
  }
  BookResult submit(std::vector<Order> orders) {
    return ask<BookResult>(book.manager, submit_atom::value, std::move(orders));
  }
  BookStatus status() { return ask<BookStatus>(book.supervisor, status_atom::value); }
};

Order buy_btc(const std::string& id) {
  return test::order_from({{"operation_id", id}, {"venue", "binance"},
                           {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", "BUY"},
                           {"amount", raw_number("0.01")}});
}

}  // namespace

TEST_CASE("an idle book answers positions and status with two actors and no venue") {
  LazyBook f;
  auto result = f.submit({});
  CHECK(result.positions == test::exact_initial_positions());
  CHECK(result.results.empty());
  auto status = f.status();
  CHECK(status.book == "main");
  CHECK_FALSE(status.halt.halted);
  CHECK(f.actors() == 2);
}

TEST_CASE("orders refused without a venue leave an idle book idle") {
  LazyBook f;
  auto bad = buy_btc("dup");
  bad.amount = "-1"_amt;  // refused by validation, before routing
  auto result = f.submit({bad});
  REQUIRE(result.results.size() == 1);
  CHECK(result.results[0].handshake.error_code == ErrorCode::ord_out_of_range);
  CHECK(result.positions == test::exact_initial_positions());
  CHECK(f.actors() == 2);
}

TEST_CASE("the first order spawns the book's parts and executes exactly as a book spawned whole") {
  LazyBook lazy;
  LazyBook eager(PartsSpawn::at_start);
  CHECK(eager.actors() == eager.all_parts());
  auto lazy_result = lazy.submit({buy_btc("b1"), buy_btc("b2")});
  auto eager_result = eager.submit({buy_btc("b1"), buy_btc("b2")});
  CHECK(lazy.actors() == lazy.all_parts());
  REQUIRE(lazy_result.results.size() == 2);
  for (const auto& r : lazy_result.results)
    CHECK(r.handshake.status == HandshakeStatus::executed);
  CHECK(lazy_result.positions == eager_result.positions);
  CHECK(lazy_result.positions.at("binance:BaseToken:BTC") ==
        test::exact_initial_positions().at("binance:BaseToken:BTC") + "0.02"_amt);
  CHECK(lazy_result.results[1].handshake.trade_id == eager_result.results[1].handshake.trade_id);
}

TEST_CASE("market data sent to an idle book prices its first order") {
  auto with_price = [](PartsSpawn parts) {
    LazyBook f(parts);
    auto market = f.config.market;
    market.prices["BTC"] = "50000"_amt;
    CHECK(f.ask<bool>(f.book.manager, market_atom::value, market));
    auto result = f.submit({buy_btc("m1")});
    REQUIRE(result.results.size() == 1);
    return result;
  };
  auto lazy = with_price(PartsSpawn::at_first_use);
  auto eager = with_price(PartsSpawn::at_start);
  REQUIRE(lazy.results[0].handshake.executed_price);
  CHECK(*lazy.results[0].handshake.executed_price == "50000"_amt);
  CHECK(lazy.positions == eager.positions);
}

TEST_CASE("a fault injected into an idle book's venue spawns the parts and takes effect") {
  LazyBook f;
  CHECK(f.ask<bool>(f.book.supervisor, fault_atom::value, std::string("binance"),
                    test::fault_on(FaultKind::reject, "f1")));
  CHECK(f.actors() == f.all_parts());
  CHECK_FALSE(f.ask<bool>(f.book.supervisor, fault_atom::value, std::string("nowhere"),
                          test::fault_on(FaultKind::reject, "f1")));
  auto result = f.submit({buy_btc("f1")});
  REQUIRE(result.results.size() == 1);
  CHECK(result.results[0].handshake.error_code == ErrorCode::ven_rejected);
  CHECK(result.positions == test::exact_initial_positions());
}

TEST_CASE("the supervisor watches venues that the execution manager spawned later") {
  LazyBook f;
  f.submit({buy_btc("w1")});
  auto parts = f.ask<BookParts>(f.book.manager, wire_atom::value);
  REQUIRE(parts.venues.count("binance") == 1);
  f.self->send_exit(parts.venues.at("binance").handle, ExitReason::kill);
  BookStatus status;
  for (int i = 0; i < 500 && !status.halt.halted; ++i) {  // the down message is asynchronous
    status = f.status();
    if (!status.halt.halted) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(status.halt.halted);
  CHECK(status.halt.code == ErrorCode::em_component_down);
  CHECK(status.dead_venues == std::vector<std::string>{"binance"});
}
