// Failure: an error code with a human message. The common "why not" of checks and replies.
#pragma once

#include <string>

#include "messages/error_code.hpp"

namespace tightloop {

struct Failure {
  ErrorCode code = ErrorCode::none;
  std::string message;

  bool failed() const { return code != ErrorCode::none; }
  // "ORD-001: operation_id is required"
  std::string describe() const;
};

}  // namespace tightloop
