// The typed message interfaces of a book's actors. Every signature starts with its own atom so
// that two interfaces never collapse into the same C++ type.
//
// Path of one order (request/response hops):
//   execution_manager -route-> venue_interface_manager =delegates=> venue -handshake-> execution_manager
//   execution_manager -update-> position_update_handler
//       -apply-> position_monitor     } in parallel, then compare
//       -balances-> venue(s)          }
//   position_update_handler -OrderResult-> execution_manager
#pragma once

#include <map>
#include <string>
#include <vector>

#include "messages/apply_outcome.hpp"
#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/failure.hpp"
#include "messages/market_data.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"
#include "runtime/caf_aliases.hpp"

namespace tightloop {

using Balances = std::map<std::string, double>;
using VenuePeers = std::map<std::string, ActorAddr>;

using venue_actor = TypedActor<
    Replies<ExecutionHandshake, execute_atom, Order>,
    // Applies legs on this venue's ledger for another venue's order, all or nothing.
    Replies<Failure, legs_atom, std::vector<ExecutionDelta>>,
    // Balances of the asked keys this venue holds (keys it does not hold are left out).
    Replies<Balances, balances_atom, std::vector<std::string>>,
    Replies<Balances, snapshot_atom>,
    // Out-of-band change of one balance (deposit, correction, test fault); false if not held.
    Replies<bool, adjust_atom, std::string, double>,
    Reacts<market_atom, MarketData>,
    Reacts<peers_atom, VenuePeers>>;

using venue_interface_manager_actor =
    TypedActor<Replies<ExecutionHandshake, route_atom, Order>>;

using position_monitor_actor = TypedActor<
    Replies<ApplyOutcome, apply_atom, std::vector<ExecutionDelta>>,
    Replies<Balances, values_atom, std::vector<std::string>>,
    Replies<Balances, snapshot_atom>>;

using position_update_handler_actor =
    TypedActor<Replies<OrderResult, update_atom, ExecutionHandshake>>;

using execution_manager_actor = TypedActor<
    // Runs a batch strictly in order; answers when every order has a result.
    Replies<BookResult, submit_atom, std::vector<Order>>,
    // One order, queued behind everything submitted before it; answers with its result only
    // (no positions snapshot), which is what a streaming client or a latency probe wants.
    Replies<OrderResult, execute_atom, Order>>;

using strategy_actor = TypedActor<Replies<BookResult, run_atom>>;

}  // namespace tightloop
