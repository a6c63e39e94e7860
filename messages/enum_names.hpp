// Enums that travel as text (JSON, config, the error-code page) keep their spellings in one
// array each, indexed by the enumerator's value; these two helpers read it both ways.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace tightloop {

template <class Enum, std::size_t N>
constexpr std::string_view name_of(const std::array<std::string_view, N>& names, Enum value) {
  return names[static_cast<std::size_t>(value)];
}

template <class Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<std::string_view, N>& names,
                               std::string_view text) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace tightloop
