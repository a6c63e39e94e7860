// `tightloop run`: decode the orders file's entries, give each book its orders in input order,
// run all books concurrently, and produce the output lines in input order.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace tightloop {

struct BatchOutput {
  std::vector<nlohmann::json> lines;  // one per input entry, then the positions line
  std::vector<std::string> halted_books;
};

BatchOutput run_batch_job(const Config& config, const std::vector<nlohmann::json>& entries);

}  // namespace tightloop
