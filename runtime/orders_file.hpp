// The orders file: a JSON array of orders, or JSON Lines (one order per non-empty line).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/failure.hpp"

namespace tightloop {

struct OrdersFile {
  std::vector<nlohmann::json> entries;  // in input order, each a JSON object
  Failure failure;                      // INP-001 / INP-002: nothing may be executed
};

// Reads and splits the file; does not decode orders (a bad order fails alone, a bad file fails
// the run). The first non-blank character decides: '[' means one JSON array, else JSON Lines.
OrdersFile read_orders_file(const std::string& path);
OrdersFile parse_orders_text(const std::string& text);

}  // namespace tightloop
