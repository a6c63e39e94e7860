// `tightloop run --format table`: a summary for people instead of JSON Lines. Orders by status,
// every failed order with its code and message, then per book its positions with their value
// (BookResult::valuation), the NAV, and on a halt the halt and the venues' NAV. Amounts are the
// exact decimals of format() (messages/amount.hpp); columns are aligned, numbers to the right.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "messages/failure.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

enum class RunFormat { json, table };

// A line of standard input that was refused (`tightloop run --orders -`).
struct RefusedLine {
  std::size_t line = 0;  // from 1
  Failure failure;
};

// `orders`: every order entry's result, in input order; `books`: each book's final figures.
void write_table(std::ostream& out, const std::vector<OrderResult>& orders,
                 const std::map<std::string, BookResult>& books,
                 const std::vector<RefusedLine>& refused = {});

}  // namespace tightloop
