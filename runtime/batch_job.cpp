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

json refresh_line(const EntrySlot& slot, std::map<std::string, StreamResult>& results,
                  AmountStyle amounts) {
  json books = json::object();
  for (const auto& [book, index] : slot.event_index)
    books[book] = encode_refresh(results.at(book).entries.at(index).refresh, amounts);
  return {{"event", "refresh"}, {"timestamp", slot.timestamp}, {"books", std::move(books)}};
}


}  // namespace

PreparedEntries prepare_entries(const Config& config, const std::vector<json>& entries,
                                MarketData& market,
                                const std::function<std::string(std::size_t)>& label,
                                bool every_book, const OrderCheck& extra_check) {
  PreparedEntries prepared;
  auto& slots = prepared.slots;
  auto& streams = prepared.streams;
  slots.resize(entries.size());
  prepared.group_ids.resize(entries.size());
  std::vector<std::string> all_books;
  for (const auto& book : config.books) {
    if (every_book) streams[book.name];
    all_books.push_back(book.name);
  }
  // Decode everything first: a bad event stops the run before anything executes, and an
  // atomic group is checked whole before any member can run. `market` changes only once every
  // event decoded.
  MarketData next_market = market;
  std::vector<Order> orders(entries.size());
  std::vector<const Order*> shape_input(entries.size(), nullptr);
  std::vector<bool> routable(entries.size(), false);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    auto& slot = slots[i];
    if (entry.contains("event")) {
      InputEvent event;
      if (auto failure = decode_event(config, entry, next_market, event)) {
        prepared.failure = Failure{failure->code, label(i) + ": " + failure->message};
        return prepared;
      }
      slot.kind = event.kind == InputEventKind::refresh ? EntryKind::refresh : EntryKind::market;
      slot.timestamp = event.timestamp.empty() ? json(nullptr) : json(event.timestamp);
      slot.event_books = event.books.empty() ? all_books : event.books;
      if (slot.kind == EntryKind::market) slot.market = next_market;
      continue;
    }
    auto decoded = decode_order(entry);
    orders[i] = std::move(decoded.order);
    prepared.group_ids[i] = orders[i].atomic_group_id;
    // A refused order still goes to its book (when it has one): the book claims its
    // operation_id and fails its atomic group, as for any other refusal.
    orders[i].ingress_failure = decoded.failure;
    auto unroutable = resolve_book(config, orders[i]);
    if (unroutable && !orders[i].ingress_failure.failed())
      orders[i].ingress_failure = *unroutable;
    routable[i] = !unroutable;
    shape_input[i] = &orders[i];
  }
  market = std::move(next_market);
  auto shapes = check_group_shapes(shape_input);
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (shapes[i] && !orders[i].ingress_failure.failed())
      orders[i].ingress_failure = std::move(*shapes[i]);
  if (extra_check)
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (shape_input[i] && !orders[i].ingress_failure.failed())
        if (auto failure = extra_check(orders[i])) orders[i].ingress_failure = std::move(*failure);
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
  return prepared;
}

std::vector<json> run_prepared(Runtime& runtime, PreparedEntries prepared, AmountStyle amounts,
                               std::vector<OrderResult>* orders,
                               std::map<std::string, StreamResult>* results_out) {
  std::map<std::string, StreamResult> results;
  if (!prepared.streams.empty()) results = runtime.run_streams(std::move(prepared.streams));
  std::vector<json> lines;
  lines.reserve(prepared.slots.size() + 1);
  for (auto& slot : prepared.slots) {
    switch (slot.kind) {
      case EntryKind::order: {
        const auto& result = slot.ingress
                                 ? *slot.ingress
                                 : results.at(slot.book).entries.at(slot.stream_index).order;
        lines.push_back(encode_order_result(result, amounts));
        if (orders) orders->push_back(result);
        break;
      }
      case EntryKind::refresh:
        lines.push_back(refresh_line(slot, results, amounts));
        break;
      case EntryKind::market:
        lines.push_back({{"event", "market"}, {"timestamp", slot.timestamp}});
        break;
    }
  }
  if (results_out) *results_out = std::move(results);
  return lines;
}

json positions_line(const std::map<std::string, BookResult>& books, AmountStyle amounts,
                    std::vector<std::string>& halted_books) {
  // One book: its figures directly; several: each keyed by book.
  json positions = json::object(), entry_prices = json::object(), valuation = json::object();
  json halted = json::object();
  for (const auto& [book, result] : books) {
    auto book_positions = encode_positions(result.positions, amounts);
    auto book_entries = encode_positions(result.entry_prices, amounts);
    auto book_valuation = encode_valuation(result.valuation, amounts);
    if (books.size() == 1) {
      positions = std::move(book_positions);
      entry_prices = std::move(book_entries);
      valuation = std::move(book_valuation);
    } else {
      positions[book] = std::move(book_positions);
      entry_prices[book] = std::move(book_entries);
      valuation[book] = std::move(book_valuation);
    }
  }
  for (const auto& [book, result] : books) {
    if (!result.halt.halted) continue;
    halted_books.push_back(book);
    halted[book] = encode_halt(result.halt, amounts);
    log_line(LogLevel::error, "run",
             "book " + book + " halted: " + std::string(to_string(result.halt.code)) + " " +
                 result.halt.reason);
  }
  json last = {{"positions", std::move(positions)},
               {"entry_prices", std::move(entry_prices)},
               {"valuation", std::move(valuation)}};
  if (!halted.empty()) last["halted"] = std::move(halted);
  return last;
}

BatchOutput run_batch_job(const Config& config, const OrdersFile& file, AmountStyle amounts,
                          bool keep_results) {
  BatchOutput output;
  MarketData market = config.market;
  auto prepared = prepare_entries(
      config, file.entries, market, [&](std::size_t i) { return file.label(i); }, true);
  if (prepared.failure.failed()) {
    output.failure = std::move(prepared.failure);
    return output;
  }
  log_line(LogLevel::info, "run",
           std::to_string(file.entries.size()) + " entries for " +
               std::to_string(prepared.streams.size()) + " book(s)");
  Runtime runtime(config);
  std::map<std::string, StreamResult> results;
  output.lines = run_prepared(runtime, std::move(prepared), amounts,
                              keep_results ? &output.orders : nullptr, &results);
  std::map<std::string, BookResult> books;
  for (auto& [book, result] : results) books.emplace(book, std::move(result.book));
  output.lines.push_back(positions_line(books, amounts, output.halted_books));
  if (keep_results) output.books = std::move(books);
  return output;
}

}  // namespace tightloop
