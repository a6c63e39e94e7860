// The position monitor's answer to applying execution_deltas.
#pragma once

#include <map>
#include <string>

#include "messages/amount.hpp"
#include "messages/failure.hpp"

namespace tightloop {

struct ApplyOutcome {
  Failure failure;                       // POS- code when nothing was applied
  std::map<std::string, Amount> values;  // the touched keys after applying
};

}  // namespace tightloop
