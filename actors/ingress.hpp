// ingress: the one door from a non-actor thread (the HTTP I/O thread) into the books. A batch
// of requests is one message; each is sent on to its book's execution manager or supervisor
// and answered through its callback, so the sender never blocks and never waits per order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/ingress_request.hpp"
#include "actors/interfaces.hpp"

namespace tightloop {

struct IngressBook {
  execution_manager_actor manager;
  book_supervisor_actor supervisor;
};
using IngressBooks = std::map<std::string, IngressBook, std::less<>>;
using IngressBatch = std::shared_ptr<std::vector<IngressRequest>>;

struct IngressState {
  IngressBooks books;
  // Supervisor questions (status, resume) time out after this; a dead book answers an error.
  std::int64_t timeout_ms = 0;
  static inline const char* name = "ingress";
};

using ingress_actor = TypedActor<Reacts<IngressBatch>>;

ingress_actor::behavior_type ingress(ingress_actor::stateful_pointer<IngressState> self,
                                     IngressBooks books, std::int64_t timeout_ms);

}  // namespace tightloop

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tightloop::IngressBatch)
