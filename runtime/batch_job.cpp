#include "runtime/batch_job.hpp"

#include <optional>

#include "actors/position/admission.hpp"
#include "config/input_event.hpp"
#include "messages/order_json.hpp"
#include "messages/result_json.hpp"
#include "actors/logging.hpp"
#include "runtime/runtime.hpp"

namespace tightloop {

namespace {

using json = nlohmann::json;

enum class EntryKind { order, refresh, market };

// Where each input entry's result comes from.
struct Slot {
  EntryKind kind = EntryKind::order;
  std::string book;                    // order: its book; empty for an ingress failure
  std::size_t stream_index = 0;        // order: position in its book's stream
  std::optional<OrderResult> ingress;  // an order that failed before reaching a book
  std::map<std::string, std::size_t> event_index;  // event: book -> position in its stream
  json timestamp;                      // event: its timestamp, or null
  std::vector<std::string> event_books;  // event: the books it goes to
  MarketData market;                     // market event: the market data from it on
};

// Empty when the order's book is known (filled in when the order names none and one book is
// configured); else why it cannot reach any book (ORD-008).
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

json refresh_line(const Slot& slot, std::map<std::string, StreamResult>& results,
                  AmountStyle amounts) {
  json books = json::object();
  for (const auto& [book, index] : slot.event_index) {
    const auto& refresh = results.at(book).entries.at(index).refresh;
    json deltas = json::array();
    for (const auto& delta : refresh.deltas) deltas.push_back(encode_delta(delta, amounts));
    json error_code = nullptr, error_message = nullptr;
    if (refresh.failure.failed()) {
      error_code = std::string(to_string(refresh.failure.code));
      error_message = refresh.failure.message;
    }
    books[book] = {{"deltas", std::move(deltas)},
                   {"error_code", std::move(error_code)},
                   {"error_message", std::move(error_message)}};
  }
  return {{"event", "refresh"}, {"timestamp", slot.timestamp}, {"books", std::move(books)}};
}

json halt_report(const BookResult& book, AmountStyle amounts) {
  return {{"code", std::string(to_string(book.halt.code))},
          {"reason", book.halt.reason},
          {"mismatches", encode_mismatches(book.halt.mismatches, "reported", amounts)}};
}

}  // namespace

BatchOutput run_batch_job(const Config& config, const OrdersFile& file, AmountStyle amounts) {
  const auto& entries = file.entries;
  BatchOutput output;
  std::vector<Slot> slots(entries.size());
  std::map<std::string, std::vector<StreamEntry>> streams;
  std::vector<std::string> all_books;
  for (const auto& book : config.books) {
    streams[book.name];
    all_books.push_back(book.name);
  }
  MarketData market = config.market;

  // Decode everything first: a bad event stops the run before anything executes, and an
  // atomic group is checked whole before any member can run.
  std::vector<Order> orders(entries.size());
  std::vector<const Order*> shape_input(entries.size(), nullptr);
  std::vector<bool> routable(entries.size(), false);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    auto& slot = slots[i];
    if (entry.contains("event")) {
      InputEvent event;
      if (auto failure = decode_event(config, entry, market, event)) {
        output.failure = Failure{failure->code, file.label(i) + ": " + failure->message};
        return output;
      }
      slot.kind = event.kind == InputEventKind::refresh ? EntryKind::refresh : EntryKind::market;
      slot.timestamp = event.timestamp.empty() ? json(nullptr) : json(event.timestamp);
      slot.event_books = event.books.empty() ? all_books : event.books;
      if (slot.kind == EntryKind::market) slot.market = market;
      continue;
    }
    auto decoded = decode_order(entry);
    orders[i] = std::move(decoded.order);
    // A refused order still goes to its book (when it has one): the book claims its
    // operation_id and fails its atomic group, as for any other refusal.
    orders[i].ingress_failure = decoded.failure;
    auto unroutable = resolve_book(config, orders[i]);
    if (unroutable && !orders[i].ingress_failure.failed())
      orders[i].ingress_failure = *unroutable;
    routable[i] = !unroutable;
    shape_input[i] = &orders[i];
  }
  auto shapes = check_group_shapes(shape_input);
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (shapes[i] && !orders[i].ingress_failure.failed())
      orders[i].ingress_failure = std::move(*shapes[i]);
  // A member that cannot reach any book names no book or an unknown one, so its group spans
  // books by check_group_shapes: every other member already failed with ORD-009 above.
  // Each book's stream in input order: events and orders interleaved as in the file.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& slot = slots[i];
    if (slot.kind != EntryKind::order) {
      for (const auto& book : slot.event_books) {
        auto& stream = streams[book];
        slot.event_index[book] = stream.size();
        stream.emplace_back();
        stream.back().kind = slot.kind == EntryKind::refresh ? StreamEntryKind::refresh
                                                             : StreamEntryKind::market;
        if (slot.kind == EntryKind::market) stream.back().market = slot.market;
      }
      continue;
    }
    if (!shape_input[i]) continue;
    auto& order = orders[i];
    if (!routable[i]) {
      slot.ingress.emplace();
      slot.ingress->handshake = failed_handshake(order, order.ingress_failure.code,
                                                 order.ingress_failure.message);
      continue;
    }
    auto& stream = streams[order.book];
    slot.book = order.book;
    slot.stream_index = stream.size();
    stream.emplace_back();
    stream.back().order = std::move(order);
  }

  log_line(LogLevel::info, "run",
           std::to_string(entries.size()) + " entries for " + std::to_string(streams.size()) +
               " book(s)");
  Runtime runtime(config);
  auto results = runtime.run_streams(std::move(streams));

  output.lines.reserve(slots.size() + 1);
  for (auto& slot : slots) {
    switch (slot.kind) {
      case EntryKind::order:
        output.lines.push_back(encode_order_result(
            slot.ingress ? *slot.ingress
                         : results.at(slot.book).entries.at(slot.stream_index).order,
            amounts));
        break;
      case EntryKind::refresh:
        output.lines.push_back(refresh_line(slot, results, amounts));
        break;
      case EntryKind::market:
        output.lines.push_back({{"event", "market"}, {"timestamp", slot.timestamp}});
        break;
    }
  }
  // One book: its figures directly; several: each keyed by book.
  json positions = json::object(), entry_prices = json::object(), valuation = json::object();
  json halted = json::object();
  for (const auto& [book, result] : results) {
    auto book_positions = encode_positions(result.book.positions, amounts);
    auto book_entries = encode_positions(result.book.entry_prices, amounts);
    auto book_valuation = encode_valuation(result.book.valuation, amounts);
    if (results.size() == 1) {
      positions = std::move(book_positions);
      entry_prices = std::move(book_entries);
      valuation = std::move(book_valuation);
    } else {
      positions[book] = std::move(book_positions);
      entry_prices[book] = std::move(book_entries);
      valuation[book] = std::move(book_valuation);
    }
  }
  for (const auto& [book, result] : results) {
    if (!result.book.halt.halted) continue;
    output.halted_books.push_back(book);
    halted[book] = halt_report(result.book, amounts);
    log_line(LogLevel::error, "run",
             "book " + book + " halted: " + std::string(to_string(result.book.halt.code)) + " " +
                 result.book.halt.reason);
  }
  json last = {{"positions", std::move(positions)},
               {"entry_prices", std::move(entry_prices)},
               {"valuation", std::move(valuation)}};
  if (!halted.empty()) last["halted"] = std::move(halted);
  output.lines.push_back(std::move(last));
  return output;
}

}  // namespace tightloop
