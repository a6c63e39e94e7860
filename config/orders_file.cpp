#include "config/orders_file.hpp"

#include "config/text_file.hpp"
#include "messages/json_input.hpp"

namespace tightloop {

namespace {

OrdersFile fail(ErrorCode code, std::string message) {
  OrdersFile file;
  file.failure = Failure{code, std::move(message)};
  return file;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::string OrdersFile::label(std::size_t i) const {
  std::string text = "entry " + std::to_string(i + 1);
  if (i < lines.size()) text += " (line " + std::to_string(lines[i]) + ")";
  return text;
}

OrdersFile parse_orders_text(std::string_view whole) {
  OrdersFile file;
  const std::string_view text = strip_bom(whole);  // allowed once, as the file's first bytes
  if (auto nul = find_nul(text))
    return fail(ErrorCode::inp_unreadable,
                "NUL byte at byte " + std::to_string(*nul + (whole.size() - text.size())) +
                    ": not a text file");
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') {
    auto parsed = parse_json(text);
    if (!parsed.ok())
      return fail(ErrorCode::inp_unreadable, "not valid JSON: " + parsed.error->message);
    for (std::size_t i = 0; i < parsed.value.size(); ++i) {
      if (!parsed.value[i].is_object())
        return fail(ErrorCode::inp_invalid, file.label(i) + " is not a JSON object");
      file.entries.push_back(std::move(parsed.value[i]));
    }
    return file;
  }
  std::size_t start = 0;
  for (std::size_t number = 1; start < text.size(); ++number) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    start = end + 1;
    if (is_blank(line)) continue;
    auto parsed = parse_json(line);
    if (!parsed.ok())
      return fail(ErrorCode::inp_unreadable, "line " + std::to_string(number) +
                                                 " is not valid JSON: " + parsed.error->message);
    file.lines.push_back(number);
    if (!parsed.value.is_object())
      return fail(ErrorCode::inp_invalid,
                  file.label(file.entries.size()) + " is not a JSON object");
    file.entries.push_back(std::move(parsed.value));
  }
  return file;
}

OrdersFile read_orders_file(const std::string& path) {
  std::string why;
  auto text = read_text_file(path, why);
  if (!text) return fail(ErrorCode::inp_unreadable, "cannot read orders file '" + path + "': " + why);
  auto file = parse_orders_text(*text);
  if (file.failure.failed())
    file.failure.message = "orders file '" + path + "': " + file.failure.message;
  return file;
}

}  // namespace tightloop
