#include "actors/venues/venue_set.hpp"

#include <stdexcept>

#include "actors/position/reconciliation.hpp"
#include "actors/venues/transfer_pricing.hpp"
#include "messages/position_key.hpp"

namespace tightloop {

namespace {

std::shared_ptr<const MarketData> market_or_config(const Config& config,
                                                   std::shared_ptr<const MarketData> market) {
  return market ? std::move(market) : std::make_shared<const MarketData>(config.market);
}

void open_subscribed_keys(const BookConfig& book,
                          std::map<std::string, std::unique_ptr<VenueSimulator>>& venues) {
  for (const auto& key : book.subscribed_keys) {
    std::string why;
    auto parsed = parse_position_key(key, &why);
    if (!parsed) throw std::invalid_argument("book '" + book.name + "': " + why);
    auto venue = venues.find(parsed->venue);
    if (venue == venues.end())
      throw std::invalid_argument("book '" + book.name + "' subscribes to '" + key +
                                  "' but venue '" + parsed->venue + "' is not configured");
    auto initial = book.initial_positions.find(key);
    const Amount amount = initial == book.initial_positions.end() ? Amount{} : initial->second;
    if (auto failure = venue->second->ledger().open(key, amount))
      throw std::invalid_argument("book '" + book.name + "': " + failure->describe());
    // A perp held before the run keeps its own entry price (the config loader requires one
    // for a size other than 0).
    auto entry = book.entry_prices.find(key);
    if (entry == book.entry_prices.end()) continue;
    if (!venue->second->ledger().set_entry_price(key, entry->second))
      throw std::invalid_argument("book '" + book.name + "': an entry price for '" + key +
                                  "', which is not a perp");
  }
}

}  // namespace

VenueContext make_venue_context(const Config& config, std::shared_ptr<const MarketData> market) {
  VenueContext context;
  context.market = market_or_config(config, std::move(market));
  for (const auto& venue : config.venues)
    if (venue.kind == VenueKind::staking)
      for (const auto& [base, lst] : venue.lst) context.lst_symbols.insert(lst);
  return context;
}

std::map<std::string, std::unique_ptr<VenueSimulator>> make_book_venues(
    const Config& config, const BookConfig& book, std::shared_ptr<const MarketData> market) {
  const VenueContext context = make_venue_context(config, std::move(market));
  const auto targets =
      std::make_shared<const std::set<std::string>>(transfer_target_names(config.venues));
  std::map<std::string, std::unique_ptr<VenueSimulator>> venues;
  for (const auto& venue_config : config.venues) {
    auto venue = make_venue_simulator(venue_config, context);
    configure_transfer_targets(*venue, targets);
    venues.emplace(venue_config.name, std::move(venue));
  }
  open_subscribed_keys(book, venues);
  return venues;
}

std::optional<Failure> apply_remote_legs(const VenuePlan& plan, Ledger& remote) {
  if (plan.remote_legs.empty()) return std::nullopt;
  if (remote.venue() != plan.remote_venue)
    return Failure{ErrorCode::vim_unknown_venue, "legs for venue '" + plan.remote_venue +
                                                     "' offered to venue '" + remote.venue() + "'"};
  return remote.apply_checked(plan.remote_legs);
}

VenueSet::VenueSet(const Config& config, const BookConfig& book,
                   std::shared_ptr<const MarketData> market)
    : venues_(make_book_venues(config, book, std::move(market))) {}

ExecutionHandshake VenueSet::execute(const Order& order) {
  VenueSimulator* venue = find(order.venue);
  if (!venue)
    return failed_handshake(order, ErrorCode::vim_unknown_venue,
                            "venue '" + order.venue + "' is not configured");
  VenuePlan plan = venue->plan(order);
  if (!plan.executed()) return std::move(plan.handshake);
  if (!plan.remote_legs.empty()) {
    VenueSimulator* remote = find(plan.remote_venue);
    if (!remote)
      return failed_handshake(order, ErrorCode::vim_unknown_venue,
                              "venue '" + order.venue + "' moves tokens of venue '" +
                                  plan.remote_venue + "', which is not configured");
    if (auto failure = apply_remote_legs(plan, remote->ledger()))
      return failed_handshake(order, failure->code, std::move(failure->message));
  }
  venue->commit(plan);
  // What the venue actors report with the handshake: each ledger's own keys after the order.
  plan.handshake.reported_balances = venue->report_balances(touched_keys(plan.own_legs));
  if (!plan.remote_legs.empty())
    plan.handshake.reported_balances.merge(
        find(plan.remote_venue)->report_balances(touched_keys(plan.remote_legs)));
  return std::move(plan.handshake);
}

std::map<std::string, Amount> VenueSet::balances(const std::vector<std::string>& keys) const {
  std::map<std::string, Amount> result;
  for (const auto& key : keys) {
    const VenueSimulator* venue = find(key.substr(0, key.find(':')));
    if (!venue) continue;
    if (auto amount = venue->ledger().balance(key)) result.emplace(key, *amount);
  }
  return result;
}

VenueSimulator* VenueSet::find(const std::string& venue) {
  auto it = venues_.find(venue);
  return it == venues_.end() ? nullptr : it->second.get();
}

const VenueSimulator* VenueSet::find(const std::string& venue) const {
  auto it = venues_.find(venue);
  return it == venues_.end() ? nullptr : it->second.get();
}

void VenueSet::set_market(std::shared_ptr<const MarketData> market) {
  for (auto& [name, venue] : venues_) venue->set_market(market);
}

}  // namespace tightloop
