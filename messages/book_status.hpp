// A book's state as its supervisor reports it, and the answer to an operator's resume.
#pragma once

#include <string>
#include <vector>

#include "messages/failure.hpp"
#include "messages/order_result.hpp"

namespace tightloop {

struct BookStatus {
  std::string book;
  HaltInfo halt;
  std::vector<std::string> dead_venues;  // venue actors that died and are not restarted yet
};

struct ResumeResult {
  bool resumed = false;
  Failure failure;                        // why not, when not resumed
  std::vector<KeyMismatch> mismatches;    // monitor vs venues at the re-check
  std::vector<std::string> restarted_venues;
};

}  // namespace tightloop
