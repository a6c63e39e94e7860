#include "runtime/batch_job.hpp"

#include <optional>

#include "messages/order_json.hpp"
#include "messages/result_json.hpp"
#include "runtime/logging.hpp"
#include "runtime/runtime.hpp"

namespace tightloop {

namespace {

// Where each input entry's result comes from: a book's batch, or a failure at ingress.
struct Slot {
  std::string book;                    // empty: ingress failure
  std::size_t index_in_book = 0;
  std::optional<OrderResult> ingress;  // set for an ingress failure
};

std::optional<Failure> resolve_book(const Config& config, Order& order) {
  if (order.book.empty()) {
    if (config.books.size() == 1) {
      order.book = config.books.front().name;
      return std::nullopt;
    }
    return Failure{ErrorCode::ord_unknown_book,
                   "order names no book and the config has " +
                       std::to_string(config.books.size()) + " books"};
  }
  if (!config.find_book(order.book))
    return Failure{ErrorCode::ord_unknown_book, "book '" + order.book + "' is not configured"};
  return std::nullopt;
}

OrderResult ingress_failure(const Order& order, const Failure& failure) {
  OrderResult result;
  result.handshake = failed_handshake(order, failure.code, failure.message);
  return result;
}

}  // namespace

BatchOutput run_batch_job(const Config& config, const std::vector<nlohmann::json>& entries) {
  std::vector<Slot> slots;
  slots.reserve(entries.size());
  std::map<std::string, std::vector<Order>> orders_by_book;
  for (const auto& book : config.books) orders_by_book[book.name];

  for (const auto& entry : entries) {
    auto decoded = decode_order(entry);
    Slot slot;
    if (!decoded.ok()) {
      slot.ingress = ingress_failure(decoded.order, decoded.failure);
    } else if (auto failure = resolve_book(config, decoded.order)) {
      slot.ingress = ingress_failure(decoded.order, *failure);
    } else {
      auto& orders = orders_by_book[decoded.order.book];
      slot.book = decoded.order.book;
      slot.index_in_book = orders.size();
      orders.push_back(std::move(decoded.order));
    }
    slots.push_back(std::move(slot));
  }

  log_line(LogLevel::info, "run",
           std::to_string(entries.size()) + " entries for " +
               std::to_string(orders_by_book.size()) + " book(s)");
  Runtime runtime(config);
  auto results = runtime.run(std::move(orders_by_book));

  BatchOutput output;
  output.lines.reserve(slots.size() + 1);
  for (auto& slot : slots) {
    const OrderResult& result =
        slot.ingress ? *slot.ingress : results.at(slot.book).results.at(slot.index_in_book);
    output.lines.push_back(encode_order_result(result));
  }
  nlohmann::json positions;
  if (results.size() == 1) {
    positions = encode_positions(results.begin()->second.positions);
  } else {
    positions = nlohmann::json::object();
    for (const auto& [book, result] : results) positions[book] = encode_positions(result.positions);
  }
  output.lines.push_back(nlohmann::json{{"positions", std::move(positions)}});
  for (const auto& [book, result] : results) {
    if (!result.halted) continue;
    output.halted_books.push_back(book);
    log_line(LogLevel::error, "run",
             "book " + book + " halted: " + std::string(to_string(result.halt_code)) + " " +
                 result.halt_reason);
  }
  return output;
}

}  // namespace tightloop
