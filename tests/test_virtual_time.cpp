// Venue timeouts on virtual time: a book whose binance venue never answers an order. The clock
// moves only when the test fires a timer, so the timeout is checked to the millisecond and no
// test sleeps.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/venue_interface.hpp"
#include "runtime/book.hpp"
#include "tests/test_support.hpp"
#include "tests/virtual_time.hpp"

using namespace tightloop;
using std::chrono::milliseconds;

namespace {

const std::string hung_venue_name = "binance";

struct HungVenueState {
  caf::actor inner;
  std::vector<caf::response_promise> parked;  // never delivered
};

// A venue that takes orders and never answers them; every other message goes to the real
// venue. Untyped with a forwarding default handler, so it keeps up with venue_actor's interface;
// the book gets it through actor_cast.
caf::behavior hung_venue(caf::stateful_actor<HungVenueState>* self, venue_actor inner) {
  self->link_to(inner);
  self->state.inner = actor_cast<caf::actor>(inner);
  self->set_default_handler(
      [self](caf::scheduled_actor*, caf::message_view& view) -> caf::result<caf::message> {
        return self->delegate(self->state.inner, view.move_content_to_message());
      });
  return {
      [self](execute_atom, const Order&) -> caf::response_promise {
        self->state.parked.push_back(self->make_response_promise());
        return self->state.parked.back();
      },
  };
}

VenueSpawner hang_one_venue() {
  return [](ActorSystem& sys, std::shared_ptr<VenueSimulator> sim) {
    const bool hang = sim->name() == hung_venue_name;
    auto inner = spawn_venue_interface(sys, std::move(sim));
    return hang ? actor_cast<venue_actor>(sys.spawn(hung_venue, inner)) : inner;
  };
}

Order binance_buy(const std::string& operation_id) {
  return test::order_from({{"operation_id", operation_id}, {"venue", "binance"},
                           {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", "BUY"},
                           {"amount", 0.001}});
}

Order aave_supply(const std::string& operation_id) {
  return test::order_from({{"operation_id", operation_id}, {"venue", "aave"},
                           {"operation", "supply"}, {"token_in", "WETH"}, {"amount", 0.01}});
}

struct HungBook {
  test::VirtualTime vt;
  Config config = test::exact_config({"main"});
  BookActors book;

  HungBook() {
    book = spawn_book(vt.system(), std::make_shared<const Config>(config),
                      config.books.front().name,
                      std::make_shared<const MarketData>(config.market),
                      {hang_one_venue(), PartsSpawn::at_start});
    vt.track(book);
    vt.run();  // peers are delivered; nothing else is pending
  }
};

void check_venue_timeout(const OrderResult& result, const Config& config) {
  const auto& hs = result.handshake;
  CHECK(hs.order.operation_id == "hung-1");
  CHECK(hs.status == HandshakeStatus::failed);
  CHECK(hs.error_code == ErrorCode::em_venue_timeout);
  CHECK(hs.in_doubt);
  CHECK(hs.error_message.find("did not answer within " +
                              std::to_string(config.venue_timeout_ms) + " ms") !=
        std::string::npos);
  CHECK(result.deltas.empty());
  CHECK(result.reconciliation.outcome == ReconciliationOutcome::not_run);
}

}  // namespace

TEST_CASE("a venue that never answers times out after exactly venue_timeout_ms of virtual time") {
  HungBook f;
  const auto start = f.vt.now();
  auto hung = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                             binance_buy("hung-1"));
  CHECK_FALSE(hung.ready());  // the system is idle: only a timer can move things on
  CHECK(f.vt.now() == start);

  REQUIRE(f.vt.advance_to_next_timer());
  REQUIRE(hung.ready());
  CHECK(f.vt.now() - start == milliseconds(f.config.venue_timeout_ms));
  auto result = hung.take();
  REQUIRE_MESSAGE(result, f.vt.system().render(result.error()));
  check_venue_timeout(*result, f.config);

  // The book moved on: an order to another venue executes without any timer firing.
  const auto after_timeout = f.vt.now();
  auto next = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                             aave_supply("next-1"));
  REQUIRE(next.ready());
  auto executed = next.take();
  REQUIRE_MESSAGE(executed, f.vt.system().render(executed.error()));
  CHECK(executed->handshake.status == HandshakeStatus::executed);
  CHECK(executed->handshake.error_code == ErrorCode::none);
  CHECK_FALSE(executed->handshake.in_doubt);
  CHECK(executed->reconciliation.outcome == ReconciliationOutcome::matched);
  CHECK(f.vt.now() == after_timeout);
}

TEST_CASE("request fires timers only until the reply is there") {
  HungBook f;
  const auto start = f.vt.now();
  auto result =
      f.vt.request<OrderResult>(f.book.manager, execute_atom::value, binance_buy("hung-1"));
  REQUIRE_MESSAGE(result, f.vt.system().render(result.error()));
  check_venue_timeout(*result, f.config);
  CHECK(f.vt.now() - start == milliseconds(f.config.venue_timeout_ms));
}

TEST_CASE("request returns the error when the fixture's own reply timeout fires") {
  HungBook f;
  const auto start = f.vt.now();
  auto venue = f.book.venues.at(hung_venue_name);
  auto result =
      f.vt.request<ExecutionHandshake>(venue, execute_atom::value, binance_buy("direct-1"));
  REQUIRE_FALSE(result);
  CHECK(result.error() == caf::sec::request_timeout);
  CHECK(f.vt.now() - start == std::chrono::duration_cast<caf::timespan>(
                                  test::VirtualTime::reply_timeout));
}

TEST_CASE("request returns the error of a dead receiver") {
  HungBook f;
  auto venue = f.book.venues.at("wallet");
  caf::anon_send_exit(venue, ExitReason::kill);
  f.vt.run();
  auto result = f.vt.request<Balances>(venue, snapshot_atom::value);
  REQUIRE_FALSE(result);
  CHECK(result.error() == caf::sec::request_receiver_down);
}

TEST_CASE("a reply cannot be taken before it arrived or twice") {
  HungBook f;
  auto hung = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                             binance_buy("hung-1"));
  CHECK_THROWS_AS(hung.take(), std::logic_error);
  REQUIRE(f.vt.advance_to_next_timer());
  CHECK(hung.take());
  CHECK_THROWS_AS(hung.take(), std::logic_error);
}
