// The one header that names CAF. Everything else says ActorSystem, Promise<T>, Replies<...>:
// a CAF upgrade (0.18 replaced atoms and the type registry) touches this file first.
// Other headers that name caf:: and why: messages/inspect.hpp, every inspect() function of the
// messages/ types (caf::meta::type_name, the serialization CAF needs to send them; included
// here, so every user of CAF sees them); actors/interfaces.hpp's and actors/ingress.hpp's
// CAF_ALLOW_UNSAFE_MESSAGE_TYPE for the local-only peer table, BookParts and IngressBatch; and
// tests/virtual_time.hpp (CAF's testing scheduler). The other messages/ headers, config/ and
// the embedding API (runtime/runtime.hpp) include no CAF (scripts/check-public-headers).
// Outside those, caf:: appears only in .cpp files of actors/ and runtime/. It lives in actors/
// so that actors never include runtime/.
#pragma once

#include <chrono>

#include "caf/all.hpp"
#include "messages/duration.hpp"
#include "messages/inspect.hpp"

namespace tightloop {

using ActorSystem = caf::actor_system;
using ActorSystemConfig = caf::actor_system_config;
using ScopedActor = caf::scoped_actor;
using ActorAddr = caf::actor_addr;
using CafError = caf::error;
using DownMsg = caf::down_msg;
using ExitMsg = caf::exit_msg;
using ExitReason = caf::exit_reason;

template <class... Signatures>
using TypedActor = caf::typed_actor<Signatures...>;
template <class Out, class... In>
using Replies = typename caf::replies_to<In...>::template with<Out>;
template <class... In>
using Reacts = caf::reacts_to<In...>;
template <class T>
using Promise = caf::typed_response_promise<T>;
template <class T>
using Result = caf::result<T>;

// Atoms: at most 10 characters each (CAF 0.17 limit).
using execute_atom = caf::atom_constant<caf::atom("execute")>;
using legs_atom = caf::atom_constant<caf::atom("legs")>;
using balances_atom = caf::atom_constant<caf::atom("balances")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
using market_atom = caf::atom_constant<caf::atom("market")>;
using adjust_atom = caf::atom_constant<caf::atom("adjust")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using apply_atom = caf::atom_constant<caf::atom("apply")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using values_atom = caf::atom_constant<caf::atom("values")>;
using positions_atom = caf::atom_constant<caf::atom("positions")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using replace_atom = caf::atom_constant<caf::atom("replace")>;
using revert_atom = caf::atom_constant<caf::atom("revert")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using halt_atom = caf::atom_constant<caf::atom("halt")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using escalate_atom = caf::atom_constant<caf::atom("escalate")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using fault_atom = caf::atom_constant<caf::atom("fault")>;
using supervise_atom = caf::atom_constant<caf::atom("supervise")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using venue_down_atom = caf::atom_constant<caf::atom("venuedown")>;
using wire_atom = caf::atom_constant<caf::atom("wire")>;
using wired_atom = caf::atom_constant<caf::atom("wired")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;

// A using-declaration, not a wrapper: ADL on handles whose message types live in this
// namespace would otherwise see two actor_cast templates.
using caf::actor_cast;

// Clamped (messages/duration.hpp): a sum of configured durations never overflows a timer.
inline caf::duration millis(std::int64_t ms) { return caf::duration{wait_for(ms)}; }

// A request without a CAF timeout. In 0.17 every finite request timeout takes the clock
// thread's mutex and wakes it (about as much as the hop itself), so the order path uses this and
// guards its steps with its own deadline instead (execution_manager).
inline caf::duration no_timeout() { return caf::infinite; }

// The actor's clock: steady time in production, virtual time under the testing scheduler.
using TimePoint = caf::actor_clock::time_point;

}  // namespace tightloop
