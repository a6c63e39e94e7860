#include "runtime/orders_file.hpp"

#include <fstream>
#include <sstream>

namespace tightloop {

namespace {

OrdersFile fail(ErrorCode code, std::string message) {
  OrdersFile file;
  file.failure = Failure{code, std::move(message)};
  return file;
}

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

OrdersFile parse_orders_text(const std::string& text) {
  OrdersFile file;
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    nlohmann::json array;
    try {
      array = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      return fail(ErrorCode::inp_unreadable, std::string("not valid JSON: ") + e.what());
    }
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (!array[i].is_object())
        return fail(ErrorCode::inp_invalid,
                    "entry " + std::to_string(i) + " is not a JSON object");
      file.entries.push_back(std::move(array[i]));
    }
    return file;
  }
  std::istringstream lines(text);
  std::string line;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    if (is_blank(line)) continue;
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      return fail(ErrorCode::inp_unreadable,
                  "line " + std::to_string(number) + " is not valid JSON: " + e.what());
    }
    if (!value.is_object())
      return fail(ErrorCode::inp_invalid,
                  "line " + std::to_string(number) + " is not a JSON object");
    file.entries.push_back(std::move(value));
  }
  return file;
}

OrdersFile read_orders_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::inp_unreadable, "cannot read orders file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_orders_text(text.str());
}

}  // namespace tightloop
