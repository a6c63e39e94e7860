#include "actors/venues/ledger.hpp"

#include "messages/position_key.hpp"

namespace tightloop {

Ledger::Ledger(std::string venue) : venue_(std::move(venue)) {}

std::optional<Failure> Ledger::open(const std::string& key, Amount initial_amount) {
  std::string why;
  auto parsed = parse_position_key(key, &why);
  if (!parsed) return Failure{ErrorCode::pos_malformed_key, why};
  if (parsed->venue != venue_)
    return Failure{ErrorCode::pos_malformed_key, "position key '" + key + "' belongs to venue '" +
                                                     parsed->venue + "', not to '" + venue_ + "'"};
  return book_.open(key, initial_amount);
}

}  // namespace tightloop
