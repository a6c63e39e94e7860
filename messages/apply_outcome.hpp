// The position monitor's answer to applying execution_deltas.
#pragma once

#include <map>
#include <string>

#include "messages/amount_inspect.hpp"
#include "messages/failure.hpp"

namespace tightloop {

struct ApplyOutcome {
  Failure failure;                       // POS- code when nothing was applied
  std::map<std::string, Amount> values;  // the touched keys after applying
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ApplyOutcome& x) {
  return f(caf::meta::type_name("ApplyOutcome"), x.failure, x.values);
}

}  // namespace tightloop
