#include "messages/failure.hpp"

namespace tightloop {

std::string Failure::describe() const {
  std::string text(to_string(code));
  if (!message.empty()) text.append(": ").append(message);
  return text;
}

}  // namespace tightloop
