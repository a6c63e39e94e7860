#include "actors/venues/transfer_pricing.hpp"

namespace tightloop {

VenuePlan rejected_plan(const Order& order, ErrorCode code, std::string message) {
  VenuePlan plan;
  plan.handshake = failed_handshake(order, code, std::move(message));
  return plan;
}

Amount bps_fraction(Amount bps) { return div(bps, Amount::units(10000), Rounding::half_even); }

std::optional<Amount> usable_price(const MarketData& market, const std::string& symbol) {
  auto it = market.prices.find(symbol);
  if (it == market.prices.end() || it->second.sign() <= 0) return std::nullopt;
  return it->second;
}

std::set<std::string> transfer_target_names(const std::vector<VenueConfig>& venues) {
  std::set<std::string> names;
  for (const auto& venue : venues)
    if (venue.kind == VenueKind::cex || venue.kind == VenueKind::wallet) names.insert(venue.name);
  return names;
}

void TransferringVenue::set_transfer_targets(std::set<std::string> venue_names) {
  transfer_targets_ = std::make_shared<const std::set<std::string>>(std::move(venue_names));
}

void TransferringVenue::set_transfer_targets(
    std::shared_ptr<const std::set<std::string>> venue_names) {
  transfer_targets_ = std::move(venue_names);
}

const std::set<std::string>& TransferringVenue::transfer_targets() const {
  static const std::set<std::string> none;
  return transfer_targets_ ? *transfer_targets_ : none;
}

void TransferringVenue::restore_state(const VenueSimulator& checkpoint) {
  transfer_targets_ = static_cast<const TransferringVenue&>(checkpoint).transfer_targets_;
}

VenuePlan TransferringVenue::price_transfer(const Order& order) const {
  auto reject = [&](ErrorCode code, std::string message) {
    return rejected_plan(order, code, std::move(message));
  };
  if (order.token_in.empty())
    return reject(ErrorCode::ord_missing_operation_field, "transfer needs token_in");
  if (order.target_venue.empty())
    return reject(ErrorCode::ord_missing_operation_field, "transfer needs target_venue");
  if (!order.source_venue.empty() && order.source_venue != name())
    return reject(ErrorCode::ven_bad_transfer, "transfer on venue '" + name() +
                                                   "' names source_venue '" + order.source_venue +
                                                   "'; they must match");
  if (order.target_venue == name())
    return reject(ErrorCode::ven_bad_transfer,
                  "transfer from '" + name() + "' to itself moves nothing");
  if (transfer_targets().empty())
    return reject(
        ErrorCode::ven_bad_transfer,
        "venue '" + name() + "' was given no transfer targets (configure_transfer_targets)");
  if (transfer_targets().count(order.target_venue) == 0)
    return reject(ErrorCode::ven_bad_transfer, "transfer target '" + order.target_venue +
                                                   "' is not a configured cex or wallet venue");

  const std::string& token = order.token_in;
  const Amount amount = order.amount;
  auto fee_it = config_.transfer_fees.find(token);
  const Amount fee = fee_it == config_.transfer_fees.end() ? Amount{} : fee_it->second;

  VenuePlan plan;
  auto& hs = plan.handshake;
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = amount;
  hs.position_deltas[wallet_key(name(), token)] = -amount;
  hs.position_deltas[wallet_key(order.target_venue, token)] = amount;
  hs.fee_amount = fee;
  hs.fee_currency = token;
  hs.fee_venue = name();
  plan.remote_venue = order.target_venue;
  return plan;
}

bool configure_transfer_targets(VenueSimulator& venue,
                                std::shared_ptr<const std::set<std::string>> venue_names) {
  auto* sender = dynamic_cast<TransferringVenue*>(&venue);
  if (!sender) return false;
  sender->set_transfer_targets(std::move(venue_names));
  return true;
}

}  // namespace tightloop
