#include "config/config.hpp"

#include <array>

#include "messages/enum_names.hpp"

namespace tightloop {

namespace {
constexpr std::array<std::string_view, 5> venue_kind_names{"cex", "lending", "staking", "dex",
                                                           "wallet"};
}

std::string_view to_string(VenueKind kind) { return name_of(venue_kind_names, kind); }

const VenueConfig* Config::find_venue(std::string_view name) const {
  for (const auto& venue : venues)
    if (venue.name == name) return &venue;
  return nullptr;
}

const BookConfig* Config::find_book(std::string_view name) const {
  for (const auto& book : books)
    if (book.name == name) return &book;
  return nullptr;
}

std::set<std::string> Config::lst_symbols() const {
  std::set<std::string> symbols;
  for (const auto& venue : venues) {
    if (venue.kind != VenueKind::staking) continue;
    for (const auto& [base, lst] : venue.lst) symbols.insert(lst);
  }
  return symbols;
}

}  // namespace tightloop
