#include "messages/execution_delta.hpp"

#include <array>

#include "messages/enum_names.hpp"

namespace tightloop {

namespace {
constexpr std::array<std::string_view, 7> source_names{"trade",    "transfer", "fee",    "funding",
                                                       "interest", "reward",   "initial"};
}

std::string_view to_string(DeltaSource source) { return name_of(source_names, source); }

std::optional<DeltaSource> parse_delta_source(std::string_view text) {
  return parse_name<DeltaSource>(source_names, text);
}

}  // namespace tightloop
