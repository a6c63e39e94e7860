// The embedding API: a running actor system with one set of actors per configured book.
// No CAF in this header; link tightloop_runtime.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/ingress_request.hpp"
#include "config/config.hpp"
#include "messages/book_status.hpp"
#include "messages/book_stream.hpp"
#include "messages/fault_spec.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

// What an asynchronous submission answers: the book's result, or why there is none (ORD-008
// an unknown book, EM-005 the book did not answer; `result` is then empty).
struct SubmitOutcome {
  BookResult result;
  Failure failure;
};

// One thing a book did, as subscribers see it.
struct RuntimeEvent {
  enum class Type : std::uint8_t { order, halt } type = Type::order;
  std::string book;
  OrderResult order;  // type order: the result, with its deltas and reconciliation
  HaltInfo halt;      // type halt: why
};

class Runtime {
 public:
  // Starts the actor system (scheduler threads and policy from config) and spawns every book.
  // Applies the config's log.level as the threshold; log sinks stay the application's (call
  // tightloop::init_logging from runtime/log_sinks.hpp for the binary's stderr or file sink).
  explicit Runtime(Config config);
  ~Runtime();  // shutdown(): pending work answered, every book stopped, threads joined
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const;
  std::size_t scheduler_threads() const;

  // Runs each book's stream (orders, market updates, refresh triggers) in order; books run
  // concurrently. Every order must name a configured book (Order::book resolved by the caller).
  std::map<std::string, StreamResult> run_streams(
      std::map<std::string, std::vector<StreamEntry>> streams);
  // Orders only: each book's orders as one batch.
  std::map<std::string, BookResult> run(std::map<std::string, std::vector<Order>> orders_by_book);
  BookResult run_book(const std::string& book, std::vector<Order> orders);

  // Supervision: a book's state, and an operator's resume (restart dead venues from their
  // ledgers, re-check every position, un-halt only if monitor and venues agree).
  BookStatus status(const std::string& book);
  ResumeResult resume(const std::string& book);

  // Switches a fault on for one venue of one book (config `faults` does it at start).
  bool inject_fault(const std::string& book, const std::string& venue, const FaultSpec& fault);

  // A venue's ledger for a book (reconciliation's other side).
  std::map<std::string, Amount> venue_balances(const std::string& book, const std::string& venue);
  // An out-of-band change to a venue's ledger the book did not order (a deposit, a correction);
  // the next order touching the key fails reconciliation. False if the key is not held.
  bool adjust_venue_balance(const std::string& book, const std::string& venue,
                            const std::string& key, Amount delta_amount);

  // Non-blocking, for servers: the whole batch is one message to the runtime's ingress actor;
  // each request's `done` runs once, on an actor thread, when its book answered (or with
  // `error` set). Requests to one book take effect in the order given. Thread-safe.
  void post(std::vector<IngressRequest> requests);

  // Asynchronous: `orders` as one batch to `book`; `done` runs once, on an actor thread (keep it
  // short, never block there), with the outcome. Thread-safe, never blocks the caller.
  using SubmitCallback = std::function<void(SubmitOutcome)>;
  void submit(const std::string& book, std::vector<Order> orders, SubmitCallback done);
  // The same, answered through a future.
  std::future<SubmitOutcome> submit(const std::string& book, std::vector<Order> orders);
  // The book's positions, entry prices and valuation after everything submitted before
  // (blocking; `result.results` empty).
  SubmitOutcome positions(const std::string& book);

  // Every order result of work submitted with submit() or post(), and every halt seen there,
  // reach each subscriber in the order of each book's answers, on an actor thread (keep it
  // short; do not (un)subscribe from inside it). Thread-safe; a subscriber is not called after
  // unsubscribe() returns.
  using EventCallback = std::function<void(const RuntimeEvent&)>;
  std::uint64_t subscribe(EventCallback callback);
  void unsubscribe(std::uint64_t id);

  // Shutdown, also done by the destructor: no order starts any more (queued ones are answered
  // `skipped`, EM-007), every pending callback and future is answered, then the actors stop.
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tightloop
