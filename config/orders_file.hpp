// The orders file: a JSON array of orders, or JSON Lines (one order per non-empty line), read
// under the input policy of messages/json_input.hpp.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/failure.hpp"

namespace tightloop {

struct OrdersFile {
  std::vector<nlohmann::json> entries;  // in input order, each a JSON object
  std::vector<std::size_t> lines;       // JSON Lines: each entry's line (from 1); array: empty
  Failure failure;                      // INP-001 / INP-002: nothing may be executed

  // How messages name entry i (from 0): "entry 3 (line 5)", or "entry 3" in an array.
  // Entries and lines are counted from 1 in every message.
  std::string label(std::size_t i) const;
};

// Reads and splits the file; does not decode orders (a bad order fails alone, a bad file fails
// the run). The first non-blank character decides: '[' means one JSON array, else JSON Lines.
OrdersFile read_orders_file(const std::string& path);
OrdersFile parse_orders_text(std::string_view text);

}  // namespace tightloop
