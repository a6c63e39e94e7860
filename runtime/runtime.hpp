// The embedding API: a running actor system with one set of actors per configured book.
// No CAF in this header; link tightloop_runtime.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

class Runtime {
 public:
  // Starts the actor system (scheduler threads and policy from config) and spawns every book.
  explicit Runtime(Config config);
  ~Runtime();  // stops every book and waits for the actors to finish
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const;
  std::size_t scheduler_threads() const;

  // Runs each book's orders as one batch; books run concurrently, each strictly in order.
  // Every order must name a configured book (Order::book, already resolved by the caller).
  std::map<std::string, BookResult> run(std::map<std::string, std::vector<Order>> orders_by_book);
  BookResult run_book(const std::string& book, std::vector<Order> orders);

  // A venue's ledger for a book (reconciliation's other side).
  std::map<std::string, double> venue_balances(const std::string& book, const std::string& venue);
  // An out-of-band change to a venue's ledger the book did not order (a deposit, a correction);
  // the next order touching the key fails reconciliation. False if the key is not held.
  bool adjust_venue_balance(const std::string& book, const std::string& venue,
                            const std::string& key, double delta_amount);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tightloop
