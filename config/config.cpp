#include "config/config.hpp"

#include <array>

#include "messages/enum_names.hpp"

namespace tightloop {

namespace {
constexpr std::array<std::string_view, venue_kind_count> venue_kind_names{"cex", "lending", "staking", "dex",
                                                           "wallet"};
}

std::string_view to_string(VenueKind kind) { return name_of(venue_kind_names, kind); }

namespace {

// Through the index when it covers every entry (reindex() after the last edit), else a scan:
// a Config built by hand without reindex() is correct, only slower.
template <class Entry>
const Entry* find_named(const std::vector<Entry>& entries,
                        const std::map<std::string, std::size_t, std::less<>>& index,
                        std::string_view name) {
  if (index.size() == entries.size() && !entries.empty()) {
    auto it = index.find(name);
    if (it == index.end()) return nullptr;
    if (it->second < entries.size() && entries[it->second].name == name)
      return &entries[it->second];
  }
  for (const auto& entry : entries)
    if (entry.name == name) return &entry;
  return nullptr;
}

template <class Entry>
void build_index(const std::vector<Entry>& entries,
                 std::map<std::string, std::size_t, std::less<>>& index) {
  index.clear();
  for (std::size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].name, i);
}

}  // namespace

const VenueConfig* Config::find_venue(std::string_view name) const {
  return find_named(venues, venue_index, name);
}

const BookConfig* Config::find_book(std::string_view name) const {
  return find_named(books, book_index, name);
}

void Config::reindex() {
  build_index(venues, venue_index);
  build_index(books, book_index);
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
