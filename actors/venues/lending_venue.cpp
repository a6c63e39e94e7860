#include "actors/venues/lending_venue.hpp"

#include "config/supported_operations.hpp"
#include "actors/venues/transfer_pricing.hpp"
#include "messages/position_key.hpp"

namespace tightloop {

namespace {

bool usable(Amount index) { return index.sign() > 0; }

// supply, repay and flash_repay put token_in into the protocol; the others take token_out out.
bool takes_token_in(Operation op) {
  return op == Operation::supply || op == Operation::repay || op == Operation::flash_repay;
}

}  // namespace

bool LendingVenue::supports(Operation op) const { return kind_supports(VenueKind::lending, op); }

std::unique_ptr<VenueSimulator> LendingVenue::clone() const {
  return std::make_unique<LendingVenue>(*this);
}

void LendingVenue::restore_state(const VenueSimulator& checkpoint) {
  flash_liabilities_ = static_cast<const LendingVenue&>(checkpoint).flash_liabilities_;
}

Amount LendingVenue::flash_liability(const std::string& asset) const {
  auto it = flash_liabilities_.find(asset);
  return it == flash_liabilities_.end() ? Amount{} : it->second;
}

VenuePlan LendingVenue::price(const Order& order) {
  const bool token_in = takes_token_in(order.operation);
  const std::string& asset = token_in ? order.token_in : order.token_out;
  if (asset.empty())
    return rejected_plan(order, ErrorCode::ord_missing_operation_field,
                         std::string(to_string(order.operation)) + " needs " +
                             (token_in ? "token_in" : "token_out"));
  // A flash loan is repaid against the liability alone; every other operation needs a market.
  if (order.operation == Operation::flash_repay) return price_flash_repay(order, asset);
  auto markets = market().indices.find(name());
  if (markets == market().indices.end() || markets->second.count(asset) == 0)
    return rejected_plan(order, ErrorCode::ven_unknown_asset,
                         "lending venue '" + name() + "' lists no market for " + asset);
  if (order.operation == Operation::flash_borrow) return price_flash_borrow(order, asset);
  return price_indexed(order, asset);
}

VenuePlan LendingVenue::price_indexed(const Order& order, const std::string& asset) const {
  const LendingIndex& index = market().indices.at(name()).at(asset);
  const bool uses_liquidity =
      order.operation == Operation::supply || order.operation == Operation::withdraw;
  const Amount i = uses_liquidity ? index.liquidity_index : index.borrow_index;
  if (!usable(i))
    return rejected_plan(order, ErrorCode::ven_no_market_data,
                         std::string(uses_liquidity ? "liquidity" : "borrow") + " index of " +
                             asset + " on '" + name() + "' is " + format(i) + ", not > 0");
  const std::string wallet = wallet_key(config_.wallet, asset);
  const std::string supply_key = make_position_key(name(), PositionType::aToken, asset);
  const std::string debt_key = make_position_key(name(), PositionType::debtToken, asset);
  const Amount amount = order.amount;

  // Rounding (actors/venues/README.md): what the book receives rounds down, what it owes up.
  VenuePlan plan;
  auto& hs = plan.handshake;
  auto& deltas = hs.position_deltas;
  switch (order.operation) {
    case Operation::supply:
      deltas[wallet] = -amount;
      deltas[supply_key] = div(amount, i, Rounding::down);
      break;
    case Operation::withdraw:
      deltas[supply_key] = -amount;
      deltas[wallet] = mul(amount, i, Rounding::down);
      break;
    case Operation::borrow:
      deltas[wallet] = amount;
      deltas[debt_key] = div(amount, i, Rounding::up);
      break;
    default: {  // repay
      const Amount burned = div(amount, i, Rounding::down);
      // A key the book does not hold is left to the ledger check (POS-001).
      auto owed = ledger_.balance(debt_key);
      if (owed && burned > *owed)
        return rejected_plan(order, ErrorCode::ven_insufficient_balance,
                             "repay of " + format(amount) + " " + asset + " burns " +
                                 format(burned) + " scaled debt but " + debt_key +
                                 " holds only " + format(*owed));
      deltas[wallet] = -amount;
      deltas[debt_key] = -burned;
    }
  }
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = amount;
  hs.executed_price = i;
  hs.fee_venue = config_.wallet;
  return plan;
}

VenuePlan LendingVenue::price_flash_borrow(const Order& order, const std::string& asset) {
  const Amount amount = order.amount;
  VenuePlan plan;
  auto& hs = plan.handshake;
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = amount;
  hs.position_deltas[wallet_key(config_.wallet, asset)] = amount;
  hs.fee_venue = config_.wallet;
  plan.commit_state = [this, asset, amount] { flash_liabilities_[asset] += amount; };
  return plan;
}

VenuePlan LendingVenue::price_flash_repay(const Order& order, const std::string& asset) {
  const Amount amount = order.amount;
  const Amount owed = flash_liability(asset);
  if (amount > owed)
    return rejected_plan(order, ErrorCode::ven_flash_liability,
                         "flash_repay of " + format(amount) + " " + asset + " on '" +
                             name() + "' exceeds the outstanding flash loan of " + format(owed));
  VenuePlan plan;
  auto& hs = plan.handshake;
  hs.status = HandshakeStatus::executed;
  hs.executed_amount = amount;
  hs.position_deltas[wallet_key(config_.wallet, asset)] = -amount;
  hs.fee_amount = mul(amount, config_.flash_fee_rate, Rounding::up);
  hs.fee_currency = asset;
  hs.fee_venue = config_.wallet;
  plan.commit_state = [this, asset, amount] {
    const Amount left = flash_liabilities_[asset] - amount;
    if (left.sign() > 0)
      flash_liabilities_[asset] = left;
    else
      flash_liabilities_.erase(asset);
  };
  return plan;
}

}  // namespace tightloop
