// The reliability policy on virtual time: reconciliation retries and their backoff, the deadline,
// venue faults (stale balances, wrong reports, silence, slowness, crashes), the book halting,
// an operator's resume, and books staying independent. No test sleeps; every wait is a timer the
// test fires, so each schedule is checked to the millisecond.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "messages/json_number.hpp"
#include "runtime/book.hpp"
#include "tests/test_support.hpp"
#include "tests/virtual_time.hpp"

using namespace tightloop;
using tightloop::test::operator""_amt;
using std::chrono::milliseconds;

namespace {

// Prices and fees of test::exact_config_json: BTC/USDT fills at 60000, taker fee 0.001.
Amount constant(const char* text) { return parse_amount(text).amount.value(); }
const Amount btc_price = constant("60000");
const Amount taker_fee_rate = constant("0.001");
const Amount initial_btc = constant("1");
const Amount initial_usdt = constant("100000");
const std::string btc_key = "binance:BaseToken:BTC";
const std::string usdt_key = "binance:BaseToken:USDT";

struct Policy {
  int max_attempts = 3;
  std::int64_t initial_backoff_ms = 1000;
  std::string multiplier = "2";  // a JSON number's text
  std::int64_t deadline_ms = 120000;
};

// The exact config with the reconciliation policy's documented defaults (the shared helper
// sets millisecond retries for real-time tests).
nlohmann::json config_json(const std::vector<std::string>& books = {"main"},
                           const Policy& policy = {}) {
  auto json = test::exact_config_json(books);
  json["reconciliation"] = {{"max_attempts", policy.max_attempts},
                            {"initial_backoff_ms", policy.initial_backoff_ms},
                            {"multiplier", raw_number(policy.multiplier)},
                            {"deadline_ms", policy.deadline_ms}};
  return json;
}

// Amounts go into the order JSON as decimal text (a raw number node, as parse_json reads it).
Order binance_spot(const std::string& operation_id, const std::string& side,
                   const std::string& amount) {
  return test::order_from({{"operation_id", operation_id}, {"venue", "binance"},
                           {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", side},
                           {"amount", raw_number(amount)}});
}

Order binance_buy(const std::string& operation_id) {
  return binance_spot(operation_id, "BUY", "0.5");
}

Order aave_supply(const std::string& operation_id, const std::string& amount) {
  return test::order_from({{"operation_id", operation_id}, {"venue", "aave"},
                           {"operation", "supply"}, {"token_in", "WETH"},
                           {"amount", raw_number(amount)}});
}

// USDT delta of a spot trade of `amount` BTC at 60000, fee folded in (README, cex spot_trade:
// notional q*p [up] for a BUY, [down] for a SELL; fee notional*rate [up]). Exact for the
// amounts used here: a BUY of 0.5 is -30030, a SELL of 0.25 is +14985.
Amount usdt_delta(Amount amount, bool buys) {
  const Amount notional = mul(amount, btc_price, buys ? Rounding::up : Rounding::down);
  const Amount fee = mul(notional, taker_fee_rate, Rounding::up);
  return (buys ? -notional : notional) - fee;
}

using test::fault_on;

struct Book {
  test::VirtualTime vt;
  Config config;
  BookActors book;

  explicit Book(const nlohmann::json& json) : config(test::config_from(json)) {
    book = spawn_book(vt.system(), std::make_shared<const Config>(config),
                      config.books.front().name,
                      std::make_shared<const MarketData>(config.market),
                      {spawn_venue_interface, PartsSpawn::at_start});
    vt.track(book);
    vt.run();  // peers delivered; nothing else pending but nothing timed either
  }
  Book() : Book(config_json()) {}

  milliseconds venue_timeout() const { return milliseconds(config.venue_timeout_ms); }
};

template <class T>
T take(test::VirtualTime& vt, test::Expected<T> reply) {
  REQUIRE_MESSAGE(reply, vt.system().render(reply.error()));
  return std::move(*reply);
}

// Runs one order to its result, firing timers only as far as it needs.
OrderResult execute(test::VirtualTime& vt, const BookActors& book, Order order) {
  return take(vt, vt.request<OrderResult>(book.manager, execute_atom::value, std::move(order)));
}

BookResult submit(test::VirtualTime& vt, const BookActors& book, std::vector<Order> orders) {
  return take(vt, vt.request<BookResult>(book.manager, submit_atom::value, std::move(orders)));
}

BookStatus status(test::VirtualTime& vt, const BookActors& book) {
  return take(vt, vt.request<BookStatus>(book.supervisor, status_atom::value));
}

ResumeResult resume(test::VirtualTime& vt, const BookActors& book) {
  return take(vt, vt.request<ResumeResult>(book.supervisor, resume_atom::value));
}

Balances monitor_positions(test::VirtualTime& vt, const BookActors& book) {
  return take(vt, vt.request<Balances>(book.monitor, snapshot_atom::value));
}

Balances venue_ledger(test::VirtualTime& vt, const BookActors& book, const std::string& venue) {
  return take(vt, vt.request<Balances>(book.supervisor, snapshot_atom::value, venue));
}

void switch_on(test::VirtualTime& vt, const BookActors& book, const std::string& venue,
               const FaultSpec& fault) {
  CHECK(take(vt, vt.request<bool>(book.supervisor, fault_atom::value, venue, fault)));
}

void adjust(test::VirtualTime& vt, const BookActors& book, const std::string& venue,
            const std::string& key, Amount delta_amount) {
  CHECK(take(vt, vt.request<bool>(book.supervisor, adjust_atom::value, venue, key,
                                  delta_amount)));
}

void check_mismatch(const KeyMismatch& mismatch, const std::string& key, Amount expected,
                    Amount reported) {
  CHECK(mismatch.position_key == key);
  CHECK(mismatch.expected == expected);
  CHECK(mismatch.reported == reported);
}

void check_executed_and_matched(const OrderResult& result, std::uint32_t attempts = 1) {
  CHECK(result.handshake.status == HandshakeStatus::executed);
  CHECK(result.handshake.error_code == ErrorCode::none);
  CHECK_FALSE(result.handshake.in_doubt);
  CHECK(result.reconciliation.outcome == ReconciliationOutcome::matched);
  CHECK(result.reconciliation.attempts == attempts);
  CHECK(result.reconciliation.mismatches.empty());
}

void check_reconciliation_failed(const OrderResult& result, std::uint32_t attempts,
                                 const std::vector<std::int64_t>& backoff_ms) {
  CHECK(result.handshake.status == HandshakeStatus::failed);
  CHECK(result.handshake.error_code == ErrorCode::em_reconciliation_mismatch);
  CHECK_FALSE(result.handshake.in_doubt);
  CHECK(result.handshake.error_message.find("reconciliation mismatch after " +
                                            std::to_string(attempts) + " attempt(s)") !=
        std::string::npos);
  CHECK(result.reconciliation.outcome == ReconciliationOutcome::mismatch);
  CHECK(result.reconciliation.attempts == attempts);
  CHECK(result.reconciliation.backoff_ms == backoff_ms);
  CHECK_FALSE(result.deltas.empty());  // applied: the monitor keeps what the venue reported
}

void check_in_doubt(const OrderResult& result, ErrorCode code) {
  CHECK(result.handshake.status == HandshakeStatus::failed);
  CHECK(result.handshake.error_code == code);
  CHECK(result.handshake.in_doubt);
  CHECK(result.deltas.empty());
  CHECK(result.reconciliation.outcome == ReconciliationOutcome::not_run);
}

void check_venue_timeout(const OrderResult& result, const Config& config) {
  check_in_doubt(result, ErrorCode::em_venue_timeout);
  CHECK(result.handshake.error_message.find("did not answer within " +
                                            std::to_string(config.venue_timeout_ms) + " ms") !=
        std::string::npos);
}

// A venue that keeps answering balance queries from before the order: every attempt mismatches.
struct StaleBinance {
  Book f;
  OrderResult result;
  milliseconds elapsed{0};

  explicit StaleBinance(const Policy& policy) : f(config_json({"main"}, policy)) {
    auto stale = fault_on(FaultKind::stale_balance, "stale-1");
    stale.stale_queries = 1000;
    switch_on(f.vt, f.book, "binance", stale);
    const auto start = f.vt.now();
    result = execute(f.vt, f.book, binance_buy("stale-1"));
    elapsed = std::chrono::duration_cast<milliseconds>(f.vt.now() - start);
  }
};

}  // namespace

// ---- 1. backoff schedule ------------------------------------------------------------------

TEST_CASE("a balance that stays stale is retried at 1000 and 2000 ms and then halts the book") {
  Book f;
  auto stale = fault_on(FaultKind::stale_balance, "stale-1");
  stale.stale_queries = 1000;
  switch_on(f.vt, f.book, "binance", stale);

  // The venue answers at once, so the handshake is there at `start`; only the retries' timers
  // move the clock, one at a time.
  const auto start = f.vt.now();
  auto reply = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                              binance_buy("stale-1"));
  CHECK_FALSE(reply.ready());
  CHECK(f.vt.now() == start);
  REQUIRE(f.vt.advance_to_next_timer());
  CHECK(f.vt.now() - start == milliseconds(1000));
  CHECK_FALSE(reply.ready());
  REQUIRE(f.vt.advance_to_next_timer());
  CHECK(f.vt.now() - start == milliseconds(3000));
  REQUIRE(reply.ready());
  auto result = take(f.vt, reply.take());
  check_reconciliation_failed(result, 3, {1000, 2000});

  const Amount monitor_btc = initial_btc + "0.5"_amt;
  const Amount monitor_usdt = initial_usdt + usdt_delta("0.5"_amt, true);
  CHECK(monitor_btc == "1.5"_amt);
  CHECK(monitor_usdt == "69970"_amt);  // 100000 - 0.5 * 60000 - 30
  REQUIRE(result.reconciliation.mismatches.size() == 2);
  check_mismatch(result.reconciliation.mismatches[0], btc_key, monitor_btc, initial_btc);
  check_mismatch(result.reconciliation.mismatches[1], usdt_key, monitor_usdt, initial_usdt);

  auto book = status(f.vt, f.book);
  CHECK(book.book == "main");
  CHECK(book.halt.halted);
  CHECK(book.halt.code == ErrorCode::em_reconciliation_mismatch);
  CHECK(book.halt.reason.find("reconciliation mismatch after 3 attempt(s)") != std::string::npos);
  CHECK(book.dead_venues.empty());
  REQUIRE(book.halt.mismatches.size() == 2);
  check_mismatch(book.halt.mismatches[0], btc_key, monitor_btc, initial_btc);
  check_mismatch(book.halt.mismatches[1], usdt_key, monitor_usdt, initial_usdt);
}

TEST_CASE("an out-of-band ledger change before the order fails reconciliation after 3000 ms") {
  Book f;
  adjust(f.vt, f.book, "binance", usdt_key, "5"_amt);  // a deposit the monitor never saw

  const auto start = f.vt.now();
  auto result = execute(f.vt, f.book, binance_buy("buy-1"));
  CHECK(f.vt.now() - start == milliseconds(3000));
  check_reconciliation_failed(result, 3, {1000, 2000});
  const Amount monitor_usdt = initial_usdt + usdt_delta("0.5"_amt, true);
  const Amount venue_usdt = (initial_usdt + "5"_amt) + usdt_delta("0.5"_amt, true);
  CHECK(venue_usdt == "69975"_amt);
  REQUIRE(result.reconciliation.mismatches.size() == 1);  // BTC agrees
  check_mismatch(result.reconciliation.mismatches[0], usdt_key, monitor_usdt, venue_usdt);

  auto book = status(f.vt, f.book);
  CHECK(book.halt.halted);
  CHECK(book.halt.code == ErrorCode::em_reconciliation_mismatch);
  REQUIRE(book.halt.mismatches.size() == 1);
  check_mismatch(book.halt.mismatches[0], usdt_key, monitor_usdt, venue_usdt);
}

// ---- 2. deadline ----------------------------------------------------------------------------

TEST_CASE("a retry that would start after the deadline is not made") {
  Policy policy;
  policy.max_attempts = 5;
  policy.deadline_ms = 2500;  // the second retry would start at 3000 ms
  StaleBinance run(policy);
  check_reconciliation_failed(run.result, 2, {1000});
  CHECK(run.elapsed == milliseconds(1000));
  CHECK(status(run.f.vt, run.f.book).halt.halted);
}

TEST_CASE("a retry due exactly at the deadline is still made") {
  Policy policy;
  policy.max_attempts = 5;
  policy.deadline_ms = 3000;
  StaleBinance run(policy);
  check_reconciliation_failed(run.result, 3, {1000, 2000});
  CHECK(run.elapsed == milliseconds(3000));
}

TEST_CASE("five attempts within a long deadline wait 1000, 2000, 4000 and 8000 ms") {
  Policy policy;
  policy.max_attempts = 5;
  StaleBinance run(policy);
  check_reconciliation_failed(run.result, 5, {1000, 2000, 4000, 8000});
  CHECK(run.elapsed == milliseconds(15000));
}

TEST_CASE("one attempt means no retry at all") {
  Policy policy;
  policy.max_attempts = 1;
  StaleBinance run(policy);
  check_reconciliation_failed(run.result, 1, {});
  CHECK(run.elapsed == milliseconds(0));
}

// ---- 3. stale balance recovers ------------------------------------------------------------

TEST_CASE("a balance stale for one query matches on the second attempt and the book goes on") {
  auto json = config_json();
  json["venues"][0]["faults"] = nlohmann::json::array(
      {{{"kind", "stale_balance"}, {"operation_id", "stale-1"}, {"stale_queries", 1}}});
  Book f(json);
  REQUIRE(f.config.venues[0].name == "binance");

  const auto start = f.vt.now();
  auto first = execute(f.vt, f.book, binance_buy("stale-1"));
  CHECK(f.vt.now() - start == milliseconds(1000));
  check_executed_and_matched(first, 2);
  CHECK(first.reconciliation.backoff_ms == std::vector<std::int64_t>{1000});

  auto book = status(f.vt, f.book);
  CHECK_FALSE(book.halt.halted);
  CHECK(book.halt.code == ErrorCode::none);
  CHECK(book.halt.mismatches.empty());

  const auto before_next = f.vt.now();
  auto next = execute(f.vt, f.book, binance_spot("sell-2", "SELL", "0.25"));
  CHECK(f.vt.now() == before_next);  // no retry needed
  check_executed_and_matched(next, 1);
  CHECK(next.reconciliation.backoff_ms.empty());

  auto positions = monitor_positions(f.vt, f.book);
  CHECK(positions.at(btc_key) == initial_btc + "0.5"_amt - "0.25"_amt);
  CHECK(positions.at(usdt_key) ==
        (initial_usdt + usdt_delta("0.5"_amt, true)) + usdt_delta("0.25"_amt, false));
}

// ---- 4. permanent mismatch ------------------------------------------------------------------

TEST_CASE("a wrong report halts after max_attempts, skips the batch's rest, refuses new orders") {
  Book f;
  switch_on(f.vt, f.book, "binance", fault_on(FaultKind::wrong_report, "wrong-1"));

  const auto start = f.vt.now();
  auto batch = submit(f.vt, f.book,
                      {binance_buy("wrong-1"), binance_spot("sell-2", "SELL", "0.25"),
                       aave_supply("supply-3", "1")});
  CHECK(f.vt.now() - start == milliseconds(3000));
  REQUIRE(batch.results.size() == 3);
  check_reconciliation_failed(batch.results[0], 3, {1000, 2000});
  for (std::size_t i = 1; i < 3; ++i) {
    const auto& hs = batch.results[i].handshake;
    CHECK(hs.status == HandshakeStatus::skipped);
    CHECK(hs.error_code == ErrorCode::em_book_halted_skip);
    CHECK(hs.error_message.find("book halted before this order") != std::string::npos);
    CHECK(batch.results[i].deltas.empty());
  }
  CHECK(batch.results[1].handshake.order.operation_id == "sell-2");
  CHECK(batch.results[2].handshake.order.operation_id == "supply-3");

  // The monitor holds what the venue reported (1 % too much), the ledger the truth.
  // Default report_error 0.01: reported +0.505 BTC, -30300 USDT and a 30.3 fee.
  const Amount monitor_btc = "1.505"_amt;
  const Amount monitor_usdt = "69669.7"_amt;  // 100000 - 30300 - 30.3
  const Amount venue_btc = "1.5"_amt;
  const Amount venue_usdt = "69970"_amt;     // 100000 - 30000 - 30
  CHECK(venue_btc == initial_btc + "0.5"_amt);
  CHECK(venue_usdt == initial_usdt + usdt_delta("0.5"_amt, true));
  CHECK(batch.halt.halted);
  CHECK(batch.halt.code == ErrorCode::em_reconciliation_mismatch);
  REQUIRE(batch.halt.mismatches.size() == 2);
  check_mismatch(batch.halt.mismatches[0], btc_key, monitor_btc, venue_btc);
  check_mismatch(batch.halt.mismatches[1], usdt_key, monitor_usdt, venue_usdt);
  CHECK(batch.positions.at(btc_key) == monitor_btc);  // nothing already applied is lost
  CHECK(batch.positions.at(usdt_key) == monitor_usdt);
  CHECK(batch.positions.at("wallet:BaseToken:WETH") == "10"_amt);

  const auto halted_at = f.vt.now();
  auto refused = execute(f.vt, f.book, aave_supply("supply-4", "1"));
  CHECK(f.vt.now() == halted_at);
  CHECK(refused.handshake.status == HandshakeStatus::failed);
  CHECK(refused.handshake.error_code == ErrorCode::em_book_halted);
  CHECK(refused.handshake.error_message.find("is halted until an operator resumes it") !=
        std::string::npos);
  CHECK(refused.deltas.empty());
  CHECK(venue_ledger(f.vt, f.book, "wallet").at("wallet:BaseToken:WETH") == "10"_amt);
}

// ---- 5. no reply ----------------------------------------------------------------------------

TEST_CASE("a venue that drops an order leaves it in doubt after venue_timeout_ms and the loop goes on") {
  Book f;
  switch_on(f.vt, f.book, "binance", fault_on(FaultKind::no_reply, "silent-1"));

  const auto start = f.vt.now();
  auto silent = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                               binance_buy("silent-1"));
  auto next = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                             binance_spot("buy-2", "BUY", "0.25"));
  CHECK_FALSE(silent.ready());
  CHECK_FALSE(next.ready());  // strictly one at a time: queued behind the silent order
  REQUIRE(f.vt.advance_to_next_timer());
  CHECK(f.vt.now() - start == f.venue_timeout());
  REQUIRE(silent.ready());
  REQUIRE(next.ready());  // routed as soon as the first was given up
  check_venue_timeout(take(f.vt, silent.take()), f.config);
  check_executed_and_matched(take(f.vt, next.take()));

  // The venue applied nothing: ledger and monitor both hold only the second order.
  auto positions = monitor_positions(f.vt, f.book);
  auto ledger = venue_ledger(f.vt, f.book, "binance");
  CHECK(positions.at(btc_key) == initial_btc + "0.25"_amt);
  CHECK(ledger.at(btc_key) == initial_btc + "0.25"_amt);
  CHECK(ledger.at(usdt_key) == positions.at(usdt_key));
  CHECK_FALSE(status(f.vt, f.book).halt.halted);
}

TEST_CASE("an order applied by a silent venue makes the next order on its keys fail to reconcile") {
  Book f;
  auto fault = fault_on(FaultKind::no_reply, "silent-1");
  fault.applied = true;
  switch_on(f.vt, f.book, "binance", fault);

  const auto start = f.vt.now();
  auto silent = execute(f.vt, f.book, binance_buy("silent-1"));
  CHECK(f.vt.now() - start == f.venue_timeout());
  check_venue_timeout(silent, f.config);
  CHECK_FALSE(status(f.vt, f.book).halt.halted);  // in doubt is not a mismatch yet

  const auto second_start = f.vt.now();
  auto next = execute(f.vt, f.book, binance_buy("buy-2"));
  CHECK(f.vt.now() - second_start == milliseconds(3000));
  check_reconciliation_failed(next, 3, {1000, 2000});
  REQUIRE(next.reconciliation.mismatches.size() == 2);
  check_mismatch(next.reconciliation.mismatches[0], btc_key, initial_btc + "0.5"_amt,
                 (initial_btc + "0.5"_amt) + "0.5"_amt);
  check_mismatch(next.reconciliation.mismatches[1], usdt_key,
                 initial_usdt + usdt_delta("0.5"_amt, true),
                 (initial_usdt + usdt_delta("0.5"_amt, true)) + usdt_delta("0.5"_amt, true));
  auto book = status(f.vt, f.book);
  CHECK(book.halt.halted);
  CHECK(book.halt.code == ErrorCode::em_reconciliation_mismatch);
}

// ---- 6. slow reply --------------------------------------------------------------------------

TEST_CASE("a reply slower than usual but within the venue timeout arrives after exactly delay_ms") {
  Book f;
  auto fault = fault_on(FaultKind::slow_reply, "slow-1");
  fault.delay_ms = 2000;
  switch_on(f.vt, f.book, "binance", fault);

  const auto start = f.vt.now();
  auto slow = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                             binance_buy("slow-1"));
  auto next = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                             aave_supply("supply-2", "1"));
  CHECK_FALSE(slow.ready());
  CHECK_FALSE(next.ready());
  REQUIRE(f.vt.advance_to_next_timer());
  CHECK(f.vt.now() - start == milliseconds(2000));
  REQUIRE(slow.ready());
  REQUIRE(next.ready());
  check_executed_and_matched(take(f.vt, slow.take()));
  check_executed_and_matched(take(f.vt, next.take()));
  auto positions = monitor_positions(f.vt, f.book);
  CHECK(positions.at(btc_key) == initial_btc + "0.5"_amt);
  CHECK(positions.at("aave:aToken:WETH") == "0.8"_amt);
}

// The book keeps one deadline timer and re-arms it when it fires early: an order routed while an
// earlier order's timer is still pending must still get its full venue_timeout_ms.
TEST_CASE("a venue timeout counts from the order's own routing while an earlier timer is pending") {
  Book f;
  auto slow = fault_on(FaultKind::slow_reply, "slow-1");
  slow.delay_ms = 3000;
  REQUIRE(milliseconds(slow.delay_ms) < f.venue_timeout());
  switch_on(f.vt, f.book, "binance", slow);
  switch_on(f.vt, f.book, "binance", fault_on(FaultKind::no_reply, "silent-2"));

  const auto start = f.vt.now();
  check_executed_and_matched(execute(f.vt, f.book, binance_buy("slow-1")));
  CHECK(f.vt.now() - start == milliseconds(3000));
  auto silent = execute(f.vt, f.book, binance_buy("silent-2"));
  CHECK(f.vt.now() - start == milliseconds(3000) + f.venue_timeout());
  check_venue_timeout(silent, f.config);
  CHECK(monitor_positions(f.vt, f.book).at(btc_key) == initial_btc + "0.5"_amt);
}

TEST_CASE("a reply slower than the venue timeout leaves the order in doubt and the late one is dropped") {
  Book f;
  auto fault = fault_on(FaultKind::slow_reply, "slow-1");
  fault.delay_ms = 7000;
  switch_on(f.vt, f.book, "binance", fault);

  const auto start = f.vt.now();
  auto slow = execute(f.vt, f.book, binance_buy("slow-1"));
  CHECK(f.vt.now() - start == f.venue_timeout());
  check_venue_timeout(slow, f.config);

  auto next = execute(f.vt, f.book, aave_supply("supply-2", "1"));
  check_executed_and_matched(next);
  CHECK(f.vt.now() - start == f.venue_timeout());

  // The late answer comes at 7000 ms and changes nothing the book reports.
  while (f.vt.now() - start < milliseconds(7000))
    if (!f.vt.advance_to_next_timer()) break;
  CHECK(f.vt.now() - start == milliseconds(7000));
  auto positions = monitor_positions(f.vt, f.book);
  CHECK(positions.at(btc_key) == initial_btc);  // the monitor never saw it
  CHECK(positions.at("aave:aToken:WETH") == "0.8"_amt);
  CHECK(venue_ledger(f.vt, f.book, "binance").at(btc_key) == initial_btc + "0.5"_amt);  // applied
  CHECK_FALSE(status(f.vt, f.book).halt.halted);
}

// ---- 7. crash -------------------------------------------------------------------------------

TEST_CASE("a crashing venue halts the book and resume restarts it from its ledger") {
  Book f;
  // Sent to the venue actor itself: a restarted venue starts without it.
  f.vt.self()->send(f.book.venues.at("binance"), fault_atom::value,
                    fault_on(FaultKind::crash, "crash-1"));
  f.vt.run();

  // The supervisor halts the book and tells the execution manager which venue died: the order
  // that venue held is in doubt at once, without waiting for venue_timeout_ms.
  const auto start = f.vt.now();
  auto crashed = execute(f.vt, f.book, binance_buy("crash-1"));
  CHECK(f.vt.now() == start);
  CHECK(crashed.handshake.order.operation_id == "crash-1");
  check_in_doubt(crashed, ErrorCode::em_component_down);
  CHECK(crashed.handshake.error_message.find("venue binance died with the order in flight") !=
        std::string::npos);

  auto book = status(f.vt, f.book);
  CHECK(book.halt.halted);
  CHECK(book.halt.code == ErrorCode::em_component_down);
  CHECK(book.halt.reason.find("venue binance died") != std::string::npos);
  CHECK(book.dead_venues == std::vector<std::string>{"binance"});

  auto refused = execute(f.vt, f.book, aave_supply("supply-2", "1"));
  CHECK(refused.handshake.error_code == ErrorCode::em_book_halted);

  const auto before_resume = f.vt.now();
  auto resumed = resume(f.vt, f.book);
  CHECK(f.vt.now() == before_resume);
  CHECK(resumed.resumed);
  CHECK(resumed.failure.code == ErrorCode::none);
  CHECK(resumed.mismatches.empty());
  CHECK(resumed.restarted_venues == std::vector<std::string>{"binance"});

  book = status(f.vt, f.book);
  CHECK_FALSE(book.halt.halted);
  CHECK(book.halt.code == ErrorCode::none);
  CHECK(book.dead_venues.empty());

  auto next = execute(f.vt, f.book, binance_buy("buy-3"));
  check_executed_and_matched(next);
  CHECK(f.vt.now() == before_resume);
  auto ledger = venue_ledger(f.vt, f.book, "binance");
  auto positions = monitor_positions(f.vt, f.book);
  CHECK(ledger.at(btc_key) == initial_btc + "0.5"_amt);
  CHECK(positions.at(btc_key) == initial_btc + "0.5"_amt);
  CHECK(ledger.at(usdt_key) == initial_usdt + usdt_delta("0.5"_amt, true));
  CHECK(positions.at(usdt_key) == initial_usdt + usdt_delta("0.5"_amt, true));
}

// Another venue of the book dying does not end the order in flight at a live venue.
TEST_CASE("a venue that dies while another venue holds the order leaves that order to finish") {
  Book f;
  auto slow = fault_on(FaultKind::slow_reply, "slow-1");
  slow.delay_ms = 2000;
  switch_on(f.vt, f.book, "binance", slow);

  const auto start = f.vt.now();
  auto order = f.vt.send_request<OrderResult>(f.book.manager, execute_atom::value,
                                              binance_buy("slow-1"));
  f.vt.self()->send_exit(f.book.venues.at("aave"), ExitReason::kill);
  f.vt.run();
  REQUIRE(status(f.vt, f.book).halt.halted);
  CHECK_FALSE(order.ready());
  REQUIRE(f.vt.advance_to_next_timer());
  CHECK(f.vt.now() - start == milliseconds(2000));
  REQUIRE(order.ready());
  check_executed_and_matched(take(f.vt, order.take()));
  CHECK(monitor_positions(f.vt, f.book).at(btc_key) == initial_btc + "0.5"_amt);
}

// `times` is how often a fault may fire in the venue's life, not per actor incarnation: a
// configured crash that has fired once must not take the restarted venue down again.
TEST_CASE("a configured crash fault with times 1 does not fire again after the restart") {
  auto json = config_json();
  json["venues"][0]["faults"] = nlohmann::json::array(
      {{{"kind", "crash"}, {"operation", "spot_trade"}, {"times", 1}}});
  Book f(json);
  REQUIRE(f.config.venues[0].name == "binance");

  auto crashed = execute(f.vt, f.book, binance_buy("crash-1"));
  CHECK(crashed.handshake.in_doubt);
  REQUIRE(status(f.vt, f.book).halt.halted);
  auto resumed = resume(f.vt, f.book);
  CHECK(resumed.resumed);
  CHECK(resumed.restarted_venues == std::vector<std::string>{"binance"});

  const auto resumed_at = f.vt.now();
  auto next = execute(f.vt, f.book, binance_buy("buy-2"));
  check_executed_and_matched(next);
  CHECK(f.vt.now() == resumed_at);
  auto book = status(f.vt, f.book);
  CHECK_FALSE(book.halt.halted);
  CHECK(book.dead_venues.empty());
}

// ---- 8. resume refused while positions disagree --------------------------------------------

TEST_CASE("resume is refused while the monitor and the venues disagree, granted once they agree") {
  Book f;
  switch_on(f.vt, f.book, "binance", fault_on(FaultKind::wrong_report, "wrong-1"));
  auto wrong = execute(f.vt, f.book, binance_buy("wrong-1"));
  check_reconciliation_failed(wrong, 3, {1000, 2000});
  REQUIRE(status(f.vt, f.book).halt.halted);

  // Default report_error 0.01: reported +0.505 BTC, -30300 USDT and a 30.3 fee.
  const Amount monitor_btc = "1.505"_amt;
  const Amount monitor_usdt = "69669.7"_amt;  // 100000 - 30300 - 30.3
  const Amount venue_btc = "1.5"_amt;
  const Amount venue_usdt = "69970"_amt;     // 100000 - 30000 - 30
  CHECK(venue_btc == initial_btc + "0.5"_amt);
  CHECK(venue_usdt == initial_usdt + usdt_delta("0.5"_amt, true));

  auto refused = resume(f.vt, f.book);
  CHECK_FALSE(refused.resumed);
  CHECK(refused.failure.code == ErrorCode::em_reconciliation_mismatch);
  CHECK(refused.failure.message.find("positions still disagree with the venues") !=
        std::string::npos);
  CHECK(refused.restarted_venues.empty());
  REQUIRE(refused.mismatches.size() == 2);
  check_mismatch(refused.mismatches[0], btc_key, monitor_btc, venue_btc);
  check_mismatch(refused.mismatches[1], usdt_key, monitor_usdt, venue_usdt);
  auto book = status(f.vt, f.book);
  CHECK(book.halt.halted);
  CHECK(book.halt.code == ErrorCode::em_reconciliation_mismatch);
  CHECK(execute(f.vt, f.book, aave_supply("supply-2", "1")).handshake.error_code ==
        ErrorCode::em_book_halted);

  // The operator books the difference on the venue: now the ledger says what the monitor says.
  adjust(f.vt, f.book, "binance", btc_key, monitor_btc - venue_btc);
  adjust(f.vt, f.book, "binance", usdt_key, monitor_usdt - venue_usdt);
  auto granted = resume(f.vt, f.book);
  CHECK(granted.resumed);
  CHECK(granted.failure.code == ErrorCode::none);
  CHECK(granted.mismatches.empty());
  book = status(f.vt, f.book);
  CHECK_FALSE(book.halt.halted);
  CHECK(book.halt.mismatches.empty());

  const auto resumed_at = f.vt.now();
  check_executed_and_matched(execute(f.vt, f.book, aave_supply("supply-3", "1")));
  check_executed_and_matched(execute(f.vt, f.book, binance_spot("sell-4", "SELL", "0.25")));
  CHECK(f.vt.now() == resumed_at);
  auto positions = monitor_positions(f.vt, f.book);
  CHECK(positions.at(btc_key) == monitor_btc - "0.25"_amt);
  CHECK(positions.at("aave:aToken:WETH") == "0.8"_amt);
}

// ---- 9. books are independent ---------------------------------------------------------------

TEST_CASE("a halted book does not stop another book spawned from the same config") {
  test::VirtualTime vt;
  auto config = test::config_from(config_json({"a", "b"}));
  auto market = std::make_shared<const MarketData>(config.market);
  auto shared = std::make_shared<const Config>(config);
  const BookOptions at_start{spawn_venue_interface, PartsSpawn::at_start};
  auto book_a = spawn_book(vt.system(), shared, config.books[0].name, market, at_start);
  auto book_b = spawn_book(vt.system(), shared, config.books[1].name, market, at_start);
  vt.track(book_a);
  vt.track(book_b);
  vt.run();
  switch_on(vt, book_a, "binance", fault_on(FaultKind::wrong_report, "a-1"));

  const auto start = vt.now();
  auto batch_a = vt.send_request<BookResult>(
      book_a.manager, submit_atom::value,
      std::vector<Order>{binance_buy("a-1"), binance_spot("a-2", "SELL", "0.25"),
                         aave_supply("a-3", "1")});
  auto batch_b = vt.send_request<BookResult>(
      book_b.manager, submit_atom::value,
      std::vector<Order>{binance_buy("b-1"), binance_spot("b-2", "SELL", "0.25"),
                         aave_supply("b-3", "1")});
  REQUIRE(batch_b.ready());  // book B needs no timer: it never waits for book A
  CHECK_FALSE(batch_a.ready());
  auto b = take(vt, batch_b.take());
  while (!batch_a.ready())
    if (!vt.advance_to_next_timer()) break;
  CHECK(vt.now() - start == milliseconds(3000));
  auto a = take(vt, batch_a.take());

  CHECK(a.book == "a");
  CHECK(a.halt.halted);
  CHECK(a.halt.code == ErrorCode::em_reconciliation_mismatch);
  REQUIRE(a.results.size() == 3);
  check_reconciliation_failed(a.results[0], 3, {1000, 2000});
  CHECK(a.results[1].handshake.error_code == ErrorCode::em_book_halted_skip);
  CHECK(a.results[2].handshake.error_code == ErrorCode::em_book_halted_skip);

  CHECK(b.book == "b");
  CHECK_FALSE(b.halt.halted);
  CHECK(b.halt.code == ErrorCode::none);
  REQUIRE(b.results.size() == 3);
  for (const auto& result : b.results) check_executed_and_matched(result);
  const Amount b_btc = initial_btc + "0.5"_amt - "0.25"_amt;
  const Amount b_usdt =
      (initial_usdt + usdt_delta("0.5"_amt, true)) + usdt_delta("0.25"_amt, false);
  CHECK(b.positions.at(btc_key) == b_btc);
  CHECK(b.positions.at(usdt_key) == b_usdt);
  CHECK(b_usdt == "84955"_amt);
  CHECK(b.positions.at("wallet:BaseToken:WETH") == "9"_amt);
  CHECK(b.positions.at("aave:aToken:WETH") == "0.8"_amt);
  CHECK(b.positions.at("wallet:BaseToken:USDC") == "5000"_amt);
  auto b_binance = venue_ledger(vt, book_b, "binance");
  CHECK(b_binance.at(btc_key) == b_btc);
  CHECK(b_binance.at(usdt_key) == b_usdt);

  CHECK(status(vt, book_a).halt.halted);
  CHECK_FALSE(status(vt, book_b).halt.halted);
  // Book B keeps running after A's halt; A still refuses.
  check_executed_and_matched(execute(vt, book_b, binance_buy("b-4")));
  CHECK(execute(vt, book_a, binance_buy("a-4")).handshake.error_code ==
        ErrorCode::em_book_halted);
}
