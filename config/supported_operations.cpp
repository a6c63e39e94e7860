#include "config/supported_operations.hpp"

namespace tightloop {

bool kind_supports(VenueKind kind, Operation op) {
  switch (kind) {
    case VenueKind::cex:
      return op == Operation::spot_trade || op == Operation::perp_trade ||
             op == Operation::transfer;
    case VenueKind::lending:
      return op == Operation::supply || op == Operation::withdraw || op == Operation::borrow ||
             op == Operation::repay || op == Operation::flash_borrow ||
             op == Operation::flash_repay;
    case VenueKind::staking:
      return op == Operation::stake || op == Operation::unstake;
    case VenueKind::dex:
      return op == Operation::swap;
    case VenueKind::wallet:
      return op == Operation::transfer;
  }
  return false;
}

}  // namespace tightloop
