// Which operations each venue kind supports (the table in actors/venues/README.md).
#pragma once

#include "config/config.hpp"
#include "messages/order.hpp"

namespace tightloop {

bool kind_supports(VenueKind kind, Operation op);

}  // namespace tightloop
