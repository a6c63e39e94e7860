// Handshake -> execution_deltas. The one place a fee is folded in, so it is charged exactly once:
// venues use it to move their own ledgers and the position update handler to move the monitor,
// which is why both arrive at bit-identical balances.
#pragma once

#include <vector>

#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"

namespace tightloop {

// Empty unless the handshake is `executed`. One delta per position_deltas entry (key order),
// source `transfer` for transfers and `trade` otherwise, price = executed_price. A fee goes into
// the delta of <fee_venue>:BaseToken:<fee_currency> (or :LST:) when the handshake has that key,
// else into an extra `fee` delta on <fee_venue>:BaseToken:<fee_currency>.
std::vector<ExecutionDelta> to_execution_deltas(const ExecutionHandshake& handshake);

}  // namespace tightloop
