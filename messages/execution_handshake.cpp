#include "messages/execution_handshake.hpp"

#include <array>

namespace tightloop {

std::string_view to_string(HandshakeStatus status) {
  static constexpr std::array<std::string_view, 4> names{"executed", "failed", "rolled_back",
                                                         "skipped"};
  return names[static_cast<std::size_t>(status)];
}

ExecutionHandshake failed_handshake(const Order& order, ErrorCode code, std::string message) {
  ExecutionHandshake hs;
  hs.order = order;
  hs.status = HandshakeStatus::failed;
  hs.error_code = code;
  hs.error_message = std::move(message);
  return hs;
}

}  // namespace tightloop
