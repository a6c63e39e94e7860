// `tightloop run`: decode the orders file's entries (orders, market updates, refresh triggers),
// give each book its stream in input order, run all books concurrently, and produce the output
// lines in input order.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/json_number.hpp"
#include "config/config.hpp"
#include "messages/failure.hpp"
#include "config/orders_file.hpp"

namespace tightloop {

struct BatchOutput {
  std::vector<nlohmann::json> lines;  // one per input entry, then the positions line
  std::vector<std::string> halted_books;
  Failure failure;  // INP-003: a malformed event line; nothing was executed
};

// `amounts`: how the output lines show amounts (exact decimals, as numbers or as strings).
BatchOutput run_batch_job(const Config& config, const OrdersFile& file,
                          AmountStyle amounts = AmountStyle::numbers);

}  // namespace tightloop
