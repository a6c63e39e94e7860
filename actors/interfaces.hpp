// The typed message interfaces of a book's actors. Every signature starts with its own atom so
// that two interfaces never collapse into the same C++ type.
//
// Path of one order, 6 messages inside the book on the common path (8 with the client's
// request and reply):
//   execution_manager: admission and routing (VenueInterfaceManager, a table lookup)
//   execution_manager -execute-> venue -handshake (+ the touched keys' balances)-> execution_manager
//   execution_manager -update-> position_update_handler
//       -apply-> position_monitor -values-> position_update_handler: compare with the reported
//       balances (a retry asks the venues again: -balances-> venue(s), in parallel)
//   position_update_handler -OrderResult-> execution_manager
// An on-chain venue moving its wallet's tokens adds 2 (-legs-> wallet -LegsResult->); a failed
// handshake skips the update handler (2 messages).
//
// An idle book is two actors, its execution manager and its supervisor: the venues, the update
// handler and the monitor (BookParts) are spawned by the execution manager at the book's first
// order, refresh or venue question, and handed to the supervisor, which monitors the execution
// manager and every venue actor of its book.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "messages/apply_outcome.hpp"
#include "messages/book_status.hpp"
#include "messages/book_stream.hpp"
#include "messages/fault_spec.hpp"
#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/failure.hpp"
#include "messages/market_data.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"
#include "messages/settlement.hpp"
#include "actors/caf_aliases.hpp"
#include "config/config.hpp"

namespace tightloop {

using Balances = std::map<std::string, Amount>;
// The book's venues by name, one table shared by all of them (a copy per venue would cost
// O(venues²)); replaced whole, never changed in place, when a venue restarts.
using VenuePeerTable = std::map<std::string, ActorAddr>;
using VenuePeers = std::shared_ptr<const VenuePeerTable>;

using venue_actor = TypedActor<
    Replies<ExecutionHandshake, execute_atom, Order>,
    // Applies legs on this venue's ledger for another venue's order, all or nothing. The group
    // id ("" outside atomic groups) lets this venue checkpoint before the group touches it.
    Replies<LegsResult, legs_atom, std::string, std::vector<ExecutionDelta>>,
    // Balances of the asked keys this venue holds (keys it does not hold are left out).
    Replies<Balances, balances_atom, std::vector<std::string>>,
    Replies<Balances, snapshot_atom>,
    // Out-of-band change of one balance (deposit, correction, test fault); false if not held.
    Replies<bool, adjust_atom, std::string, Amount>,
    // position_refresh: what the venue settled since the last refresh, applied to its ledger.
    Replies<Settlement, settle_atom>,
    // Atomic groups: restore the checkpoint taken before the group (true if there was one),
    // or drop it once the group succeeded.
    Replies<bool, revert_atom, std::string>,
    Reacts<commit_atom, std::string>,
    Reacts<fault_atom, FaultSpec>,
    Replies<bool, market_atom, MarketData>,
    Reacts<peers_atom, VenuePeers>,
    // Internal: a delayed answer (slow_reply fault) is due.
    Reacts<wake_atom, std::uint64_t>>;

using position_monitor_actor = TypedActor<
    Replies<ApplyOutcome, apply_atom, std::vector<ExecutionDelta>>,
    Replies<Balances, values_atom, std::vector<std::string>>,
    Replies<Balances, snapshot_atom>,
    Replies<BookPositions, positions_atom>,  // with the perps' entry prices, for a report
    // Settlements are imposed by the venue, not ordered: applied without the money checks.
    Replies<Balances, settle_atom, std::vector<ExecutionDelta>>>;

using position_update_handler_actor = TypedActor<
    // One order, or every member of an atomic group: applied together, reconciled once.
    Replies<std::vector<OrderResult>, update_atom, std::vector<ExecutionHandshake>>,
    Replies<RefreshResult, refresh_atom>,
    Reacts<retry_atom, std::uint64_t>,
    Reacts<replace_atom, std::string, venue_actor>>;

// A book's venue actor, with the kind that decides which operations it is routed.
struct RoutedVenue {
  VenueKind kind;
  venue_actor handle;
};
using VenueRoutes = std::map<std::string, RoutedVenue, std::less<>>;

class VenueSimulator;

// The actors behind a book's execution manager: spawned at the book's first order or first
// question that needs them (an idle book is its execution manager and its supervisor only),
// or at start for tests that reach into them. Local only: it holds the simulators.
struct BookParts {
  VenueRoutes venues;
  std::map<std::string, std::shared_ptr<VenueSimulator>> sims;  // the ledgers outlive actors
  position_update_handler_actor updater;
  position_monitor_actor monitor;
  bool spawned() const { return static_cast<bool>(monitor); }
};

// What an idle book's execution manager needs to become a whole book (runtime/book.cpp): its
// parts, spawned with the market data the book last saw, and until then the positions the
// monitor would show.
class BookPartsFactory {
 public:
  virtual ~BookPartsFactory() = default;
  virtual BookParts spawn(std::shared_ptr<const MarketData> market) const = 0;
  virtual BookPositions opening_positions() const = 0;
  // The book's positions valued at `market` (actors/position/valuation.hpp), once per batch.
  virtual BookValuation value(const BookPositions& positions, const HaltInfo& halt,
                              const MarketData& market) const = 0;
};

using book_supervisor_actor = TypedActor<
    // From the execution manager: reconciliation failed for good, the book halts.
    Reacts<escalate_atom, ErrorCode, std::string, std::vector<KeyMismatch>>,
    // Operator: restart dead venues from their ledgers, re-check every position, un-halt if
    // the monitor and the venues agree.
    Replies<ResumeResult, resume_atom>,
    Replies<BookStatus, status_atom>,
    // Reach a venue through its current actor (a restart replaces it).
    Replies<bool, fault_atom, std::string, FaultSpec>,
    Replies<Balances, snapshot_atom, std::string>,
    Replies<bool, adjust_atom, std::string, std::string, Amount>,
    // From the execution manager: the parts it spawned, to watch and to restart.
    Reacts<wired_atom, BookParts>>;

using execution_manager_actor = TypedActor<
    // Runs a batch strictly in order; answers when every order has a result.
    Replies<BookResult, submit_atom, std::vector<Order>>,
    // One order, queued behind everything submitted before it; answers with its result only
    // (no positions snapshot), which is what a streaming client or a latency probe wants.
    Replies<OrderResult, execute_atom, Order>,
    // position_refresh and market updates, in line with the orders around them.
    Replies<RefreshResult, refresh_atom>,
    Replies<bool, market_atom, MarketData>,
    // From the supervisor.
    Reacts<halt_atom, ErrorCode, std::string>,
    Reacts<replace_atom, std::string, venue_actor>,  // a restarted venue's new actor
    Reacts<venue_down_atom, std::string>,  // after the halt: the venue's order is in doubt now
    Reacts<resume_atom>,
    // Shutdown: the step in flight finishes; every order not started yet, queued or submitted
    // later, is answered `skipped` with EM-007. Answers at once.
    Replies<bool, drain_atom>,
    Reacts<supervise_atom, ActorAddr>,
    // The book's parts, spawned now if they were not yet (the supervisor needs its venues).
    Replies<BookParts, wire_atom>,
    // Its own step-deadline timer (see ExecutionManagerState::deadline).
    Reacts<wake_atom>>;

using strategy_actor = TypedActor<Replies<StreamResult, run_atom>>;

}  // namespace tightloop

// Local only: the shared table never leaves the process (a remote venue gets its own).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tightloop::VenuePeers)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tightloop::BookParts)
