#include "messages/execution_delta.hpp"

#include <array>

namespace tightloop {

namespace {
constexpr std::array<std::string_view, 7> source_names{"trade",    "transfer", "fee",    "funding",
                                                       "interest", "reward",   "initial"};
}

std::string_view to_string(DeltaSource source) {
  return source_names[static_cast<std::size_t>(source)];
}

std::optional<DeltaSource> parse_delta_source(std::string_view text) {
  for (std::size_t i = 0; i < source_names.size(); ++i)
    if (source_names[i] == text) return static_cast<DeltaSource>(i);
  return std::nullopt;
}

}  // namespace tightloop
