#include "runtime/table_format.hpp"

#include <algorithm>
#include <array>
#include <ostream>
#include <set>

#include "messages/amount.hpp"

namespace tightloop {

namespace {

// Rows of cells under a header; a column with no cell filled in any row is left out. Columns
// marked numeric are right-aligned, the last printed column is not padded.
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<bool> numeric)
      : header_(std::move(header)), numeric_(std::move(numeric)) {}

  void add(std::vector<std::string> row) {
    row.resize(header_.size());
    rows_.push_back(std::move(row));
  }

  void write(std::ostream& out, const std::string& indent = "  ") const {
    std::vector<std::size_t> shown;
    std::vector<std::size_t> width(header_.size(), 0);
    for (std::size_t c = 0; c < header_.size(); ++c) {
      bool used = c == 0;
      width[c] = header_[c].size();
      for (const auto& row : rows_) {
        used = used || !row[c].empty();
        width[c] = std::max(width[c], row[c].size());
      }
      if (used) shown.push_back(c);
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text = indent;
      for (std::size_t k = 0; k < shown.size(); ++k) {
        const auto c = shown[k];
        const bool last = k + 1 == shown.size();
        const std::string pad(width[c] - cells[c].size(), ' ');
        if (k > 0) text += "  ";
        if (numeric_[c])
          text += pad + cells[c];
        else
          text += last ? cells[c] : cells[c] + pad;
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out << text << '\n';
    };
    line(header_);
    for (const auto& row : rows_) line(row);
  }

 private:
  std::vector<std::string> header_;
  std::vector<bool> numeric_;
  std::vector<std::vector<std::string>> rows_;
};

std::string text(const std::optional<Amount>& amount) {
  return amount ? format(*amount) : std::string();
}

void write_orders(std::ostream& out, const std::vector<OrderResult>& orders) {
  constexpr std::array<HandshakeStatus, 4> statuses{HandshakeStatus::executed,
                                                    HandshakeStatus::failed,
                                                    HandshakeStatus::rolled_back,
                                                    HandshakeStatus::skipped};
  std::map<HandshakeStatus, std::size_t> counts;
  for (const auto& result : orders) ++counts[result.handshake.status];
  out << "orders by status\n";
  Table table({"status", "count"}, {false, true});
  for (auto status : statuses)
    table.add({std::string(to_string(status)), std::to_string(counts[status])});
  table.add({"total", std::to_string(orders.size())});
  table.write(out);

  out << "\nfailed orders";
  if (counts[HandshakeStatus::failed] == 0) {
    out << ": none\n";
    return;
  }
  out << '\n';
  Table failed({"operation_id", "book", "error_code", "error_message"},
               {false, false, false, false});
  for (const auto& result : orders) {
    const auto& hs = result.handshake;
    if (hs.status != HandshakeStatus::failed) continue;
    failed.add({hs.order.operation_id, hs.order.book, std::string(to_string(hs.error_code)),
                hs.error_message});
  }
  failed.write(out);
}

void write_book(std::ostream& out, const std::string& name, const BookResult& book) {
  out << "\nbook " << name;
  if (book.halt.halted)
    out << ": HALTED " << to_string(book.halt.code) << " " << book.halt.reason;
  out << '\n';
  const auto& valuation = book.valuation.expected;
  std::set<std::string> keys;
  for (const auto& [key, amount] : book.positions) keys.insert(key);
  for (const auto& [key, value] : valuation.positions) keys.insert(key);
  for (const auto& [key, why] : valuation.unpriced) keys.insert(key);
  Table table({"position", "amount", "value", "underlying", "entry_price", "mark_price",
               "unrealised_pnl", "note"},
              {false, true, true, true, true, true, true, false});
  for (const auto& key : keys) {
    std::vector<std::string> row{key};
    auto amount = book.positions.find(key);
    row.push_back(amount == book.positions.end() ? "" : format(amount->second));
    if (auto priced = valuation.positions.find(key); priced != valuation.positions.end()) {
      const auto& v = priced->second;
      row.insert(row.end(), {format(v.value), text(v.underlying), text(v.entry_price),
                             text(v.mark_price), text(v.unrealised_pnl), ""});
    } else if (auto why = valuation.unpriced.find(key); why != valuation.unpriced.end()) {
      row.insert(row.end(), {"unpriced", "", "", "", "", why->second});
    }
    table.add(std::move(row));
  }
  table.add({"nav", "", valuation.nav ? format(*valuation.nav) : "unknown", "", "", "", "",
             valuation.nav ? "" : "a position is unpriced"});
  if (book.valuation.venue) {
    const auto& venue = *book.valuation.venue;
    table.add({"nav (venues)", "", venue.nav ? format(*venue.nav) : "unknown", "", "", "", "",
               "what the venues report"});
  }
  table.write(out);
  if (!book.halt.mismatches.empty()) {
    out << "  mismatches\n";
    Table mismatches({"position", "expected", "reported"}, {false, true, true});
    for (const auto& m : book.halt.mismatches)
      mismatches.add({m.position_key, format(m.expected),
                      m.reported ? format(*m.reported) : "not reported"});
    mismatches.write(out, "    ");
  }
}

}  // namespace

void write_table(std::ostream& out, const std::vector<OrderResult>& orders,
                 const std::map<std::string, BookResult>& books,
                 const std::vector<RefusedLine>& refused) {
  write_orders(out, orders);
  if (!refused.empty()) {
    out << "\nrefused lines\n";
    Table table({"line", "error_code", "error_message"}, {true, false, false});
    for (const auto& r : refused)
      table.add({std::to_string(r.line), std::string(to_string(r.failure.code)),
                 r.failure.message});
    table.write(out);
  }
  for (const auto& [name, book] : books) write_book(out, name, book);
}

}  // namespace tightloop
