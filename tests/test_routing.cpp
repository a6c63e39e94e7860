// VenueInterfaceManager: routing is a table lookup in the execution manager, not a hop.
#include <doctest/doctest.h>

#include "actors/venue_interface_manager.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

TEST_CASE("routing refuses an unknown venue (VIM-001) and an unsupported operation (VIM-002)") {
  VenueInterfaceManager router(
      VenueRoutes{{"binance", RoutedVenue{VenueKind::cex, {}}},
                  {"aave", RoutedVenue{VenueKind::lending, {}}}});
  auto order = test::order_from({{"operation_id", "r"}, {"venue", "kraken"},
                                 {"operation", "supply"}, {"token_in", "WETH"}, {"amount", 1}});
  auto unknown = router.route(order);
  REQUIRE(unknown.refusal.has_value());
  CHECK(unknown.refusal->code == ErrorCode::vim_unknown_venue);
  CHECK(unknown.refusal->message == "venue 'kraken' is not configured");

  order.venue = "binance";
  auto unsupported = router.route(order);
  REQUIRE(unsupported.refusal.has_value());
  CHECK(unsupported.refusal->code == ErrorCode::vim_unsupported_operation);
  CHECK(unsupported.refusal->message == "venue 'binance' (cex) does not support supply");

  order.venue = "aave";
  CHECK_FALSE(router.route(order).refusal.has_value());
  CHECK(router.replace("aave", {}));
  CHECK_FALSE(router.replace("kraken", {}));
}
