#include "runtime/stream_job.hpp"

#include <istream>
#include <map>
#include <ostream>

#include "actors/logging.hpp"
#include "messages/json_input.hpp"
#include "messages/order_json.hpp"
#include "runtime/batch_job.hpp"
#include "runtime/runtime.hpp"

namespace tightloop {

namespace {

using json = nlohmann::json;

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Entries waiting to run: the members of an atomic group seen so far.
struct Pending {
  std::vector<json> entries;
  std::vector<std::size_t> lines;    // each entry's line, from 1
  std::vector<std::size_t> numbers;  // each entry's number (non-blank lines), from 1
  std::string group;
  bool empty() const { return entries.empty(); }
};

class Session {
 public:
  Session(const Config& config, std::ostream& out, AmountStyle amounts, RunFormat format)
      : config_(config),
        out_(out),
        amounts_(amounts),
        table_(format == RunFormat::table),
        runtime_(config),
        market_(config.market) {}

  // Each returns false once a write failed: the caller stops reading.
  bool refuse(std::size_t line, Failure failure) {
    ++result_.refused_lines;
    if (table_) {
      refused_.push_back(RefusedLine{line, std::move(failure)});
      return true;
    }
    return write({{"error_code", std::string(to_string(failure.code))},
                  {"error_message", failure.message},
                  {"line", line}});
  }

  bool run(Pending& chunk) {
    auto label = [&](std::size_t i) {
      return "entry " + std::to_string(chunk.numbers[i]) + " (line " +
             std::to_string(chunk.lines[i]) + ")";
    };
    // A group id whose run already ended would be split, as in one file (ORD-009); its
    // earlier run has run, so only the later members can fail.
    auto split = [&](const Order& order) -> std::optional<Failure> {
      if (order.atomic_group_id.empty()) return std::nullopt;
      auto ended = ended_groups_.find(order.atomic_group_id);
      if (ended == ended_groups_.end()) return std::nullopt;
      return Failure{ErrorCode::ord_bad_group,
                     "atomic group '" + order.atomic_group_id +
                         "' is split: its members must be consecutive lines (a run of it "
                         "ended at line " + std::to_string(ended->second) + ")"};
    };
    auto prepared = prepare_entries(config_, chunk.entries, market_, label, false, split);
    const auto first_line = chunk.lines.front();
    Pending done = std::move(chunk);
    chunk = Pending{};
    if (prepared.failure.failed()) return refuse(first_line, std::move(prepared.failure));
    for (std::size_t i = 0; i < prepared.group_ids.size(); ++i)
      if (!prepared.group_ids[i].empty()) ended_groups_[prepared.group_ids[i]] = done.lines[i];
    entries_ += done.entries.size();
    auto lines = run_prepared(runtime_, std::move(prepared), amounts_, table_ ? &orders_ : nullptr);
    for (const auto& line : lines)
      if (!write(line, false)) return false;
    return flush();
  }

  // The positions line (or the table) from every book's final figures.
  StreamJobResult finish() {
    std::map<std::string, std::vector<StreamEntry>> every_book;
    for (const auto& book : config_.books) every_book[book.name];
    std::map<std::string, BookResult> books;
    for (auto& [name, result] : runtime_.run_streams(std::move(every_book)))
      books.emplace(name, std::move(result.book));
    log_line(LogLevel::info, "run",
             "standard input done: " + std::to_string(entries_) + " entries, " +
                 std::to_string(result_.refused_lines) + " line(s) refused");
    auto last = positions_line(books, amounts_, result_.halted_books);
    if (table_) {
      write_table(out_, orders_, books, refused_);
      flush();
    } else {
      write(last);
    }
    return result_;
  }

  StreamJobResult failed_output() {
    result_.output_failed = true;
    return result_;
  }

  StreamJobResult& result() { return result_; }

 private:
  bool write(const json& line, bool then_flush = true) {
    if (table_) return true;
    out_ << dump_json(line) << '\n';
    return then_flush ? flush() : bool(out_);
  }

  bool flush() {
    out_.flush();
    if (!out_) result_.output_failed = true;
    return !result_.output_failed;
  }

  const Config& config_;
  std::ostream& out_;
  AmountStyle amounts_;
  bool table_;
  Runtime runtime_;
  MarketData market_;  // the config's market with every market event so far
  std::map<std::string, std::size_t> ended_groups_;  // group id -> line its last run ended at
  std::vector<OrderResult> orders_;                  // table only
  std::vector<RefusedLine> refused_;                 // table only
  std::size_t entries_ = 0;
  StreamJobResult result_;
};

}  // namespace

StreamJobResult run_stream_job(const Config& config, std::istream& in, std::ostream& out,
                               AmountStyle amounts, RunFormat format) {
  log_line(LogLevel::info, "run",
           "orders from standard input for " + std::to_string(config.books.size()) +
               " book(s)");
  Session session(config, out, amounts, format);
  Pending pending;
  std::string text;
  std::size_t line_number = 0, entry_number = 0;
  while (std::getline(in, text)) {
    ++line_number;
    std::string_view line = text;
    if (line_number == 1) line = strip_bom(line);  // a byte-order mark only as the first bytes
    if (is_blank(line)) continue;
    ++entry_number;
    std::optional<Failure> refusal;
    json entry;
    const std::string where = "line " + std::to_string(line_number);
    if (auto nul = find_nul(line)) {
      refusal = Failure{ErrorCode::inp_unreadable,
                        where + ": NUL byte at byte " + std::to_string(*nul) + ": not text"};
    } else if (auto parsed = parse_json(line); !parsed.ok()) {
      refusal = Failure{ErrorCode::inp_unreadable,
                        where + " is not valid JSON: " + parsed.error->message};
    } else if (!parsed.value.is_object()) {
      refusal = Failure{ErrorCode::inp_invalid, "entry " + std::to_string(entry_number) + " (" +
                                                    where + ") is not a JSON object"};
    } else {
      entry = std::move(parsed.value);
    }
    // Its atomic group, as the book will see it (decoded, like every member of a file's run).
    std::string group;
    if (!refusal && !entry.contains("event")) group = decode_order(entry).order.atomic_group_id;
    const bool member = !group.empty() && group == pending.group;
    if (!pending.empty() && !member && !session.run(pending)) return session.failed_output();
    if (refusal) {
      if (!session.refuse(line_number, std::move(*refusal))) return session.failed_output();
      continue;
    }
    pending.entries.push_back(std::move(entry));
    pending.lines.push_back(line_number);
    pending.numbers.push_back(entry_number);
    pending.group = group;
    // A group waits for its end; anything else runs now.
    if (group.empty() && !session.run(pending)) return session.failed_output();
  }
  if (in.bad()) {
    session.result().input_failed = true;
  }
  if (!pending.empty() && !session.run(pending)) return session.failed_output();
  return session.finish();
}

}  // namespace tightloop
