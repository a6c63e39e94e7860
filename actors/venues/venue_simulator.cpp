#include "actors/venues/venue_simulator.hpp"

#include <cmath>
#include <stdexcept>
#include <typeinfo>

#include "actors/position/delta_conversion.hpp"
#include "actors/venues/cex_venue.hpp"
#include "actors/venues/dex_venue.hpp"
#include "actors/venues/lending_venue.hpp"
#include "actors/venues/staking_venue.hpp"
#include "actors/venues/transfer_pricing.hpp"
#include "actors/venues/wallet_venue.hpp"
#include "messages/position_key.hpp"

namespace tightloop {

namespace {

bool acts_on_wallet(VenueKind kind) {
  return kind == VenueKind::lending || kind == VenueKind::staking || kind == VenueKind::dex;
}

// Own legs stay here; the rest must all belong to one other ledger (the wallet of an on-chain
// venue, or a transfer's target), so that one remote apply makes the order all or nothing.
std::optional<Failure> split_legs(const std::string& venue, std::vector<ExecutionDelta> legs,
                                  VenuePlan& plan) {
  plan.own_legs.clear();
  plan.remote_legs.clear();
  plan.remote_venue.clear();
  for (auto& leg : legs) {
    std::string why;
    auto key = parse_position_key(leg.position_key, &why);
    if (!key) return Failure{ErrorCode::pos_malformed_key, why};
    if (key->venue == venue) {
      plan.own_legs.push_back(std::move(leg));
      continue;
    }
    if (plan.remote_venue.empty()) plan.remote_venue = key->venue;
    if (key->venue != plan.remote_venue)
      return Failure{ErrorCode::pos_unknown_key,
                     "order on '" + venue + "' would touch keys of both '" + plan.remote_venue +
                         "' and '" + key->venue + "'; at most one other venue is allowed"};
    plan.remote_legs.push_back(std::move(leg));
  }
  return std::nullopt;
}

std::shared_ptr<const MarketData> or_empty(std::shared_ptr<const MarketData> market) {
  return market ? std::move(market) : std::make_shared<const MarketData>();
}

}  // namespace

VenueSimulator::VenueSimulator(VenueConfig config, VenueContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      ledger_(config_.name),
      faults_(config_.faults) {
  context_.market = or_empty(std::move(context_.market));
}

VenuePlan VenueSimulator::plan(const Order& order) {
  if (!supports(order.operation))
    return rejected_plan(order, ErrorCode::vim_unsupported_operation,
                         "venue '" + name() + "' (" + std::string(to_string(config_.kind)) +
                             ") does not support " + std::string(to_string(order.operation)));
  // Validation upstream rejects these too; a venue must never trade a negative amount.
  if (order.amount.sign() <= 0)
    return rejected_plan(order, ErrorCode::ord_out_of_range,
                         "amount must be > 0, got " + format(order.amount));
  if (acts_on_wallet(config_.kind) && config_.wallet.empty())
    return rejected_plan(order, ErrorCode::cfg_invalid,
                         "venue '" + name() + "' names no wallet to move tokens from");

  // Exact arithmetic cannot produce inf or NaN; it can leave the range (an extreme price times
  // an extreme amount), and then nothing is applied.
  VenuePlan plan;
  std::vector<ExecutionDelta> deltas;
  try {
    plan = price(order);
    if (!plan.executed())
      return rejected_plan(order, plan.handshake.error_code,
                           std::move(plan.handshake.error_message));
    plan.handshake.order = order;
    deltas = to_execution_deltas(plan.handshake);
  } catch (const AmountOverflow& overflow) {
    return rejected_plan(order, ErrorCode::ven_amount_overflow, overflow.what());
  }
  if (plan.handshake.fee_venue.empty()) plan.handshake.fee_venue = name();

  if (auto failure = split_legs(name(), std::move(deltas), plan))
    return rejected_plan(order, failure->code, std::move(failure->message));
  if (auto failure = ledger_.check(plan.own_legs))
    return rejected_plan(order, failure->code, std::move(failure->message));
  plan.handshake.trade_id = next_trade_id();
  return plan;
}

void VenueSimulator::commit(const VenuePlan& plan) {
  if (!plan.executed()) return;
  ledger_.apply(plan.own_legs);
  if (plan.commit_state) plan.commit_state();
  ++fills_;
}

std::map<std::string, Amount> VenueSimulator::report_balances(
    const std::vector<std::string>& keys) {
  std::map<std::string, Amount> current;
  for (const auto& key : keys)
    if (auto amount = ledger_.balance(key)) current.emplace(key, *amount);
  if (auto stale = stale_.answer(keys, current)) return std::move(*stale);
  return current;
}

void VenueSimulator::set_market(std::shared_ptr<const MarketData> market) {
  context_.market = or_empty(std::move(market));
  ++market_version_;
}

void VenueSimulator::restore(const VenueSimulator& checkpoint) {
  if (&checkpoint == this) return;
  if (typeid(checkpoint) != typeid(*this) || checkpoint.name() != name())
    throw std::invalid_argument("cannot restore venue '" + name() + "' (" +
                                std::string(to_string(config_.kind)) +
                                ") from a checkpoint of venue '" + checkpoint.name() + "' (" +
                                std::string(to_string(checkpoint.config_.kind)) + ")");
  ledger_ = checkpoint.ledger_;
  fills_ = checkpoint.fills_;
  restore_state(checkpoint);
}

void VenueSimulator::restore_state(const VenueSimulator&) {}

void VenueSimulator::open_checkpoint(const std::string& group) {
  if (group.empty() || checkpoints_.count(group)) return;
  auto checkpoint = clone();
  checkpoint->checkpoints_.clear();  // a checkpoint holds no checkpoints of its own
  checkpoints_.emplace(group, std::move(checkpoint));
}

bool VenueSimulator::revert_checkpoint(const std::string& group) {
  auto it = checkpoints_.find(group);
  if (it == checkpoints_.end()) return false;
  auto checkpoint = std::move(it->second);
  checkpoints_.erase(it);
  restore(*checkpoint);
  return true;
}

void VenueSimulator::close_checkpoint(const std::string& group) { checkpoints_.erase(group); }

std::vector<std::string> VenueSimulator::revert_open_checkpoints() {
  std::vector<std::string> groups;
  for (const auto& [group, checkpoint] : checkpoints_) groups.push_back(group);
  for (const auto& group : groups) revert_checkpoint(group);
  return groups;
}

Settlement VenueSimulator::settle() { return {}; }

std::string VenueSimulator::wallet_key(const std::string& wallet_venue,
                                       const std::string& symbol) const {
  const bool is_lst = context_.lst_symbols.count(symbol) != 0;
  return make_position_key(wallet_venue, is_lst ? PositionType::LST : PositionType::BaseToken,
                           symbol);
}

std::string VenueSimulator::next_trade_id() { return name() + "-" + std::to_string(fills_ + 1); }

std::unique_ptr<VenueSimulator> make_venue_simulator(const VenueConfig& config,
                                                     VenueContext context) {
  switch (config.kind) {
    case VenueKind::cex:
      return std::make_unique<CexVenue>(config, std::move(context));
    case VenueKind::lending:
      return std::make_unique<LendingVenue>(config, std::move(context));
    case VenueKind::staking:
      return std::make_unique<StakingVenue>(config, std::move(context));
    case VenueKind::dex:
      return std::make_unique<DexVenue>(config, std::move(context));
    case VenueKind::wallet:
      return std::make_unique<WalletVenue>(config, std::move(context));
  }
  return nullptr;
}

}  // namespace tightloop
