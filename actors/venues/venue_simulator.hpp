// A simulated venue: prices an order against market data, keeps its own ledger, and answers
// balance queries. Plain C++ (no actors): the venue actor wraps it, tests and the direct-call
// benchmark call it as is.
//
// Execution is split in two so that an order whose legs span two ledgers (an on-chain venue
// moving its wallet's tokens, a transfer to another venue) applies all or nothing:
//   plan()   prices the order and checks this venue's own legs; changes nothing;
//   (the caller applies remote_legs on remote_venue's ledger, all or nothing)
//   commit() applies own legs and venue state (perp entry price, flash liability).
//
// clone()/restore() checkpoint a venue for an atomic group; settle() is what position_refresh
// asks for (funding on a cex; nothing elsewhere).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/market_data.hpp"
#include "messages/settlement.hpp"
#include "actors/venues/fault_injector.hpp"
#include "actors/venues/ledger.hpp"

namespace tightloop {

struct VenuePlan {
  ExecutionHandshake handshake;              // executed, or failed with a code
  std::vector<ExecutionDelta> own_legs;      // on this venue's ledger, net of fee
  std::string remote_venue;                  // ledger that takes remote_legs; "" if none
  std::vector<ExecutionDelta> remote_legs;
  std::function<void()> commit_state;        // venue state beyond balances; may be empty

  bool executed() const { return handshake.status == HandshakeStatus::executed; }
};

// What a simulator knows besides its own config.
struct VenueContext {
  std::shared_ptr<const MarketData> market;
  std::set<std::string> lst_symbols;  // symbols held as LST (not BaseToken) in a wallet
};

class VenueSimulator {
 public:
  VenueSimulator(VenueConfig config, VenueContext context);
  virtual ~VenueSimulator() = default;
  // Assigning one venue to another would slice; restore() is the way back to a checkpoint.
  VenueSimulator& operator=(const VenueSimulator&) = delete;

  const VenueConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  virtual bool supports(Operation op) const = 0;

  // Never throws for a bad order: failures come back as a failed handshake with a code.
  VenuePlan plan(const Order& order);
  void commit(const VenuePlan& plan);

  Ledger& ledger() { return ledger_; }
  const Ledger& ledger() const { return ledger_; }

  // Faults switched on for this venue (config `faults` or at run time) with their counters, and
  // a stale view of balances. They live with the simulator, not its actor, so that a restarted
  // actor carries on where the dead one stopped; restore() leaves them alone.
  FaultInjector& faults() { return faults_; }
  StaleBalances& stale_balances() { return stale_; }

  // What this venue reports for `keys` (held ones only): its ledger, or the stale view while
  // a stale_balance fault is armed (each call counts as one query). Balance queries and the
  // handshake's reported_balances both come from here.
  std::map<std::string, Amount> report_balances(const std::vector<std::string>& keys);

  const MarketData& market() const { return *context_.market; }
  void set_market(std::shared_ptr<const MarketData> market);
  // Changes with every set_market: what a venue derives from the market may be kept until then.
  std::uint64_t market_version() const { return market_version_; }

  // A copy of everything this venue knows (ledger and state), to restore after a failed atomic
  // group. The market data stays shared. A plan made before a restore and committed after it
  // would apply on the restored state: restore between orders, never between plan and commit.
  virtual std::unique_ptr<VenueSimulator> clone() const = 0;
  // Puts this venue back exactly as it was when `checkpoint` (a clone() of this same venue) was
  // taken: ledger, fill counter (trade ids) and kind-specific state. Keeps the current market
  // data: a market event is not undone. Throws std::invalid_argument for a checkpoint of another
  // venue or kind.
  void restore(const VenueSimulator& checkpoint);

  // Atomic-group checkpoints by group id. They live with the simulator, not its actor, so that
  // a venue whose actor died inside a group is still put back once it is restarted.
  // open: the group's first touch of this venue takes a clone (later touches keep it);
  // revert: restore it and forget it (false when there is none); close: the group committed;
  // revert_open: after a restart, put back every group left open (groups of a book run one at
  // a time, so there is at most one) and return their ids.
  void open_checkpoint(const std::string& group);
  bool revert_checkpoint(const std::string& group);
  void close_checkpoint(const std::string& group);
  std::vector<std::string> revert_open_checkpoints();

  // Applies what the venue settles now to its own ledger and returns it (empty when nothing).
  // Not checked against the non-negative rule: a settlement is imposed by the venue, not ordered.
  // A payment that would not be finite (or leave a balance that is not) settles nothing of
  // this venue and comes back as a VEN-009 failure.
  virtual Settlement settle();

 protected:
  VenueSimulator(const VenueSimulator&) = default;  // for clone()

  // Copies the kind-specific state of `checkpoint`, whose dynamic type is this one's.
  virtual void restore_state(const VenueSimulator& checkpoint);

  // Fills handshake (status, executed_amount/price, position_deltas gross of fee, fee_amount,
  // fee_currency, fee_venue) and commit_state; or returns a failed handshake.
  virtual VenuePlan price(const Order& order) = 0;

  // Key of `symbol` in the wallet `wallet_venue`: LST for LST symbols, else BaseToken.
  std::string wallet_key(const std::string& wallet_venue, const std::string& symbol) const;
  std::string next_trade_id();

  VenueConfig config_;
  VenueContext context_;
  Ledger ledger_;
  std::uint64_t fills_ = 0;
  std::uint64_t market_version_ = 0;
  FaultInjector faults_;
  StaleBalances stale_;
  std::map<std::string, std::shared_ptr<const VenueSimulator>> checkpoints_;  // by group
};

// Builds the simulator for config.kind.
std::unique_ptr<VenueSimulator> make_venue_simulator(const VenueConfig& config,
                                                     VenueContext context);

}  // namespace tightloop
