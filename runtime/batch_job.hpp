// `tightloop run`: decode the orders file's entries (orders, market updates, refresh triggers),
// give each book its stream in input order, run all books concurrently, and produce the output
// lines in input order.
//
// The steps (prepare_entries, run_prepared, positions_line) are also what runs stdin one line
// or one atomic group at a time (runtime/stream_job.hpp), so both modes decode, route, check
// groups and print exactly alike.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "config/orders_file.hpp"
#include "messages/book_stream.hpp"
#include "messages/failure.hpp"
#include "messages/json_number.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

class Runtime;

struct BatchOutput {
  std::vector<nlohmann::json> lines;  // one per input entry, then the positions line
  std::vector<std::string> halted_books;
  Failure failure;  // INP-003: a malformed event line; nothing was executed
  // With keep_results only: every order entry's result in input order (events left out) and
  // every book's final figures (what `--format table` prints).
  std::vector<OrderResult> orders;
  std::map<std::string, BookResult> books;
};

// `amounts`: how the output lines show amounts (exact decimals, as numbers or as strings).
BatchOutput run_batch_job(const Config& config, const OrdersFile& file,
                          AmountStyle amounts = AmountStyle::numbers, bool keep_results = false);

// ---- the steps ------------------------------------------------------------------------------

enum class EntryKind { order, refresh, market };

// Where one input entry's result comes from.
struct EntrySlot {
  EntryKind kind = EntryKind::order;
  std::string book;                    // order: its book; empty for an ingress failure
  std::size_t stream_index = 0;        // order: position in its book's stream
  std::optional<OrderResult> ingress;  // an order that failed before reaching a book
  std::map<std::string, std::size_t> event_index;  // event: book -> position in its stream
  nlohmann::json timestamp;                        // event: its timestamp, or null
  std::vector<std::string> event_books;            // event: the books it goes to
  MarketData market;                               // market event: the market data from it on
};

// One submission's entries, decoded and routed, ready for Runtime::run_streams.
struct PreparedEntries {
  std::vector<EntrySlot> slots;  // one per entry
  std::map<std::string, std::vector<StreamEntry>> streams;
  std::vector<std::string> group_ids;  // per entry: an order's atomic_group_id, else empty
  Failure failure;  // INP-003: a malformed event (label included); nothing may run
};

// An extra refusal for an order that decoding, routing and the group shape check let through
// (stdin: a group id whose run already ended). Empty: none.
using OrderCheck = std::function<std::optional<Failure>(const Order& order)>;

// Decodes `entries` (each a JSON object) in order: events merge into `market` as they come
// (all or nothing per event), orders are decoded, given their book and checked as atomic groups
// within these entries. `label(i)` names entry i in a failure. `every_book`: every configured
// book gets a stream, empty or not (its figures come back); else only the books named.
PreparedEntries prepare_entries(const Config& config, const std::vector<nlohmann::json>& entries,
                                MarketData& market,
                                const std::function<std::string(std::size_t)>& label,
                                bool every_book, const OrderCheck& extra_check = {});

// Runs the prepared streams and returns one output line per entry, in input order. `orders`
// (when not null) receives every order entry's result in input order; `results` the books'.
std::vector<nlohmann::json> run_prepared(Runtime& runtime, PreparedEntries prepared,
                                         AmountStyle amounts, std::vector<OrderResult>* orders,
                                         std::map<std::string, StreamResult>* results = nullptr);

// The last line: {"positions", "entry_prices", "valuation"} (each keyed by book when there are
// several), plus "halted" when a book is; `halted` receives the halted books' names (each
// logged at error level).
nlohmann::json positions_line(const std::map<std::string, BookResult>& books, AmountStyle amounts,
                              std::vector<std::string>& halted);

}  // namespace tightloop
