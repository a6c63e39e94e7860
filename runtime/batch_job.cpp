#include "runtime/batch_job.hpp"

#include <optional>

#include "config/config_loader.hpp"
#include "messages/order_json.hpp"
#include "messages/result_json.hpp"
#include "runtime/logging.hpp"
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

Failure bad_event(std::size_t entry, const std::string& why) {
  return Failure{ErrorCode::inp_invalid, "entry " + std::to_string(entry + 1) + ": " + why};
}

// Decodes an event line into the books it applies to. Market updates merge into `market`.
std::optional<Failure> decode_event(const Config& config, const json& value, std::size_t entry,
                                    MarketData& market, Slot& slot,
                                    std::vector<std::string>& books) {
  const auto& kind = value.at("event");
  if (!kind.is_string() || (kind != "refresh" && kind != "market"))
    return bad_event(entry, "event must be \"refresh\" or \"market\", got " + kind.dump());
  slot.kind = kind == "refresh" ? EntryKind::refresh : EntryKind::market;
  slot.timestamp = nullptr;
  json body = json::object();
  for (const auto& [field, field_value] : value.items()) {
    if (field == "event") continue;
    if (field == "timestamp") {
      if (!field_value.is_string() || field_value.get<std::string>().empty())
        return bad_event(entry, "timestamp must be a non-empty string");
      slot.timestamp = field_value;
      continue;
    }
    if (field == "book" && slot.kind == EntryKind::refresh) {
      if (!field_value.is_string() || !config.find_book(field_value.get<std::string>()))
        return bad_event(entry, "book " + field_value.dump() + " is not configured");
      books = {field_value.get<std::string>()};
      continue;
    }
    if (slot.kind == EntryKind::refresh)
      return bad_event(entry, "unknown field '" + field +
                                  "' in a refresh event (allowed: event, book, timestamp)");
    body[field] = field_value;
  }
  if (slot.kind == EntryKind::market) {
    if (auto failure = merge_market_update(body, config, market, "market event",
                                           ErrorCode::inp_invalid))
      return bad_event(entry, failure->message);
    market.timestamp = slot.timestamp.is_string() ? slot.timestamp.get<std::string>() : "";
  }
  return std::nullopt;
}

json refresh_line(const Slot& slot, std::map<std::string, StreamResult>& results) {
  json books = json::object();
  for (const auto& [book, index] : slot.event_index) {
    const auto& refresh = results.at(book).entries.at(index).refresh;
    json deltas = json::array();
    for (const auto& delta : refresh.deltas) deltas.push_back(encode_delta(delta));
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

json halt_report(const BookResult& book) {
  json mismatches = json::array();
  for (const auto& m : book.halt_mismatches)
    mismatches.push_back(
        {{"position_key", m.position_key}, {"expected", m.expected}, {"reported", m.reported}});
  return {{"code", std::string(to_string(book.halt_code))},
          {"reason", book.halt_reason},
          {"mismatches", std::move(mismatches)}};
}

}  // namespace

BatchOutput run_batch_job(const Config& config, const std::vector<json>& entries) {
  BatchOutput output;
  std::vector<Slot> slots(entries.size());
  std::map<std::string, std::vector<StreamEntry>> streams;
  std::vector<std::string> all_books;
  for (const auto& book : config.books) {
    streams[book.name];
    all_books.push_back(book.name);
  }
  MarketData market = config.market;

  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    auto& slot = slots[i];
    if (entry.contains("event")) {
      std::vector<std::string> books = all_books;
      if (auto failure = decode_event(config, entry, i, market, slot, books)) {
        output.failure = std::move(*failure);
        return output;
      }
      for (const auto& book : books) {
        auto& stream = streams[book];
        slot.event_index[book] = stream.size();
        stream.emplace_back();
        stream.back().kind =
            slot.kind == EntryKind::refresh ? StreamEntryKind::refresh : StreamEntryKind::market;
        if (slot.kind == EntryKind::market) stream.back().market = market;
      }
      continue;
    }
    auto decoded = decode_order(entry);
    auto failure = decoded.ok() ? resolve_book(config, decoded.order) : decoded.failure;
    if (failure && failure->failed()) {
      OrderResult result;
      result.handshake = failed_handshake(decoded.order, failure->code, failure->message);
      slot.ingress = std::move(result);
      continue;
    }
    auto& stream = streams[decoded.order.book];
    slot.book = decoded.order.book;
    slot.stream_index = stream.size();
    stream.emplace_back();
    stream.back().order = std::move(decoded.order);
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
                         : results.at(slot.book).entries.at(slot.stream_index).order));
        break;
      case EntryKind::refresh:
        output.lines.push_back(refresh_line(slot, results));
        break;
      case EntryKind::market:
        output.lines.push_back({{"event", "market"}, {"timestamp", slot.timestamp}});
        break;
    }
  }
  json positions, halted = json::object();
  if (results.size() == 1) {
    positions = encode_positions(results.begin()->second.book.positions);
  } else {
    positions = json::object();
    for (const auto& [book, result] : results)
      positions[book] = encode_positions(result.book.positions);
  }
  for (const auto& [book, result] : results) {
    if (!result.book.halted) continue;
    output.halted_books.push_back(book);
    halted[book] = halt_report(result.book);
    log_line(LogLevel::error, "run",
             "book " + book + " halted: " + std::string(to_string(result.book.halt_code)) + " " +
                 result.book.halt_reason);
  }
  json last = {{"positions", std::move(positions)}};
  if (!halted.empty()) last["halted"] = std::move(halted);
  output.lines.push_back(std::move(last));
  return output;
}

}  // namespace tightloop
