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

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, BookStatus& x) {
  return f(caf::meta::type_name("BookStatus"), x.book, x.halt, x.dead_venues);
}

struct ResumeResult {
  bool resumed = false;
  Failure failure;                        // why not, when not resumed
  std::vector<KeyMismatch> mismatches;    // monitor vs venues at the re-check
  std::vector<std::string> restarted_venues;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ResumeResult& x) {
  return f(caf::meta::type_name("ResumeResult"), x.resumed, x.failure, x.mismatches,
           x.restarted_venues);
}

}  // namespace tightloop
