// The embedding API's asynchronous side: submit with a callback or a future from several
// threads, two runtimes in one process, events to subscribers, and a destructor that answers
// everything still pending.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "runtime/runtime.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using namespace tightloop::test;

namespace {

Order buy(const std::string& id, const std::string& amount = "0.125") {
  return order_from({{"operation_id", id}, {"venue", "binance"}, {"operation", "spot_trade"},
                     {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", amount}});
}

}  // namespace

TEST_CASE("embedding: submit from several threads on two books, answered by futures") {
  Runtime runtime(exact_config({"alpha", "beta"}));
  std::vector<std::future<SubmitOutcome>> answers[4];
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      const std::string book = t % 2 ? "alpha" : "beta";
      for (int i = 0; i < 10; ++i)
        answers[t].push_back(runtime.submit(
            book, {buy("t" + std::to_string(t) + "-" + std::to_string(i), "0.05")}));
    });
  for (auto& thread : threads) thread.join();
  for (auto& list : answers)
    for (auto& answer : list) {
      auto outcome = answer.get();
      CHECK_FALSE(outcome.failure.failed());
      REQUIRE(outcome.result.results.size() == 1);
      CHECK(outcome.result.results[0].handshake.status == HandshakeStatus::executed);
    }
  for (const auto& book : {"alpha", "beta"}) {
    auto positions = runtime.positions(book);
    REQUIRE_FALSE(positions.failure.failed());
    // 20 buys of 0.05 BTC at 60000 with a 0.001 fee per book.
    CHECK(positions.result.positions.at("binance:BaseToken:BTC") == "2"_amt);
    CHECK(positions.result.positions.at("binance:BaseToken:USDT") == "39940"_amt);
    CHECK(positions.result.valuation.expected.nav == "184940"_amt);
  }
  auto unknown = runtime.submit("nobody", {buy("x")}).get();
  CHECK(unknown.failure.code == ErrorCode::ord_unknown_book);
}

TEST_CASE("embedding: two runtimes with different configs side by side") {
  auto other_json = exact_config_json({"main"});
  other_json["market"]["prices"]["BTC"] = 50000;
  Runtime first(exact_config({"main"}));
  Runtime second(config_from(other_json));
  auto a = first.submit("main", {buy("same-id")});
  auto b = second.submit("main", {buy("same-id")});  // ids are per book, per runtime
  auto fa = a.get(), fb = b.get();
  REQUIRE(fa.result.results.size() == 1);
  REQUIRE(fb.result.results.size() == 1);
  CHECK(fa.result.results[0].handshake.executed_price == "60000"_amt);
  CHECK(fb.result.results[0].handshake.executed_price == "50000"_amt);
  CHECK(first.positions("main").result.positions.at("binance:BaseToken:USDT") == "92492.5"_amt);
  CHECK(second.positions("main").result.positions.at("binance:BaseToken:USDT") == "93743.75"_amt);
}

TEST_CASE("embedding: subscribers see every order result and the halt, until unsubscribed") {
  auto json = exact_config_json({"main"});
  json["venues"][0]["faults"] = nlohmann::json::array(
      {{{"kind", "wrong_report"}, {"operation_id", "bad"}, {"report_error", "0.5"}}});
  Runtime runtime(config_from(json));
  std::mutex mutex;
  std::vector<std::string> seen;
  auto id = runtime.subscribe([&](const RuntimeEvent& event) {
    std::lock_guard<std::mutex> lock(mutex);
    if (event.type == RuntimeEvent::Type::order)
      seen.push_back(event.book + " " + event.order.handshake.order.operation_id + " " +
                     std::string(to_string(event.order.handshake.status)));
    else
      seen.push_back(event.book + " halt " + std::string(to_string(event.halt.code)));
  });
  runtime.submit("main", {buy("ok-1"), buy("bad"), buy("after")}).get();
  runtime.unsubscribe(id);
  runtime.submit("main", {buy("unseen")}).get();
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(seen == std::vector<std::string>{"main ok-1 executed", "main bad failed",
                                         "main after skipped", "main halt EM-001"});
}

TEST_CASE("embedding: the destructor answers every pending submission") {
  std::vector<std::future<SubmitOutcome>> answers;
  std::atomic<int> callbacks{0};
  {
    auto json = exact_config_json({"main"});
    json["books"][0]["initial_positions"]["binance:BaseToken:USDT"] = "100000000";
    Runtime runtime(config_from(json));
    std::vector<Order> batch;
    for (int i = 0; i < 5000; ++i) batch.push_back(buy("p" + std::to_string(i), "0.001"));
    answers.push_back(runtime.submit("main", std::move(batch)));
    for (int i = 0; i < 50; ++i)
      runtime.submit("main", {buy("q" + std::to_string(i), "0.001")},
                     [&](SubmitOutcome) { ++callbacks; });
  }  // destroyed with most of that still queued
  CHECK(callbacks == 50);
  auto outcome = answers[0].get();
  REQUIRE_FALSE(outcome.failure.failed());
  REQUIRE(outcome.result.results.size() == 5000);
  for (const auto& result : outcome.result.results) {
    const auto status = result.handshake.status;
    CHECK((status == HandshakeStatus::executed ||
           (status == HandshakeStatus::skipped &&
            result.handshake.error_code == ErrorCode::em_shutting_down)));
  }
}
