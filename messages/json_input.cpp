#include "messages/json_input.hpp"

#include <cstring>
#include <vector>

#include "messages/json_number.hpp"

namespace tightloop {

namespace {

using nlohmann::json;

constexpr std::string_view bom = "\xEF\xBB\xBF";

// nlohmann's messages start with "[json.exception.parse_error.101] ": the reader wants the rest.
std::string without_prefix(const char* what) {
  std::string text = what;
  if (!text.empty() && text.front() == '[') {
    auto end = text.find("] ");
    if (end != std::string::npos) text.erase(0, end + 2);
  }
  return text;
}

// Builds the DOM from nlohmann's SAX events and enforces what nlohmann does not: depth,
// repeated keys, numbers rounded to zero. A non-integer number is stored as its own text (a
// raw number node, json_number.hpp), never as the binary64 nlohmann computed. Stops at the
// first violation.
class StrictBuilder {
 public:
  json root;
  std::optional<JsonError> error;

  bool null() { return put(json(nullptr)); }
  bool boolean(bool value) { return put(json(value)); }
  bool number_integer(json::number_integer_t value) { return put(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return put(json(value)); }
  bool number_float(json::number_float_t value, const std::string& raw) {
    // nlohmann refuses an overflow to infinity itself; an underflow it would turn into 0.
    if (value == 0.0 && raw.find_first_of("123456789") < raw.find_first_of("eE"))
      return fail("number " + raw + " is too small for a binary64 (it would read as 0)");
    // The text, not the double: 0.1 stays "0.1" (amounts are read from it exactly).
    return put(raw_number(raw));
  }
  bool string(std::string& value) { return put(json(std::move(value))); }
  bool binary(json::binary_t&) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& name) {
    auto& object = *stack_.back();
    if (object.contains(name)) {
      auto at = path();
      return fail((at.empty() ? name : at + "." + name) +
                  ": key appears more than once in its object");
    }
    pending_key_ = std::move(name);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    error = JsonError{position, without_prefix(e.what())};
    return false;
  }

 private:
  bool fail(std::string message) {
    error = JsonError{0, std::move(message)};
    return false;
  }

  // "metadata.a[2]" for the container being filled; empty at the top level. Only the first
  // levels: a path 64 deep helps nobody.
  std::string path() const {
    std::string text;
    constexpr std::size_t shown = 6;
    for (std::size_t i = 0; i < path_.size() && i < shown; ++i) text += path_[i];
    if (path_.size() > shown) text += "...";
    if (!text.empty() && text.front() == '.') text.erase(0, 1);
    return text;
  }

  // Where a new value goes: the root, the end of an array, or the pending key of an object.
  json* slot() {
    if (stack_.empty()) return &root;
    auto& parent = *stack_.back();
    if (parent.is_array()) {
      path_.push_back("[" + std::to_string(parent.size()) + "]");
      parent.push_back(nullptr);
      return &parent.back();
    }
    path_.push_back("." + pending_key_);
    return &parent[pending_key_];
  }

  bool put(json value) {
    *slot() = std::move(value);
    if (!stack_.empty()) path_.pop_back();
    return true;
  }

  bool open(json container) {
    if (stack_.size() >= static_cast<std::size_t>(max_json_depth))
      return fail("nesting deeper than " + std::to_string(max_json_depth) + " levels (in " +
                  path() + ")");
    json* target = slot();
    *target = std::move(container);
    stack_.push_back(target);
    return true;
  }

  bool close() {
    stack_.pop_back();
    if (!stack_.empty()) path_.pop_back();
    return true;
  }

  std::vector<json*> stack_;  // open containers; their addresses are stable while open
  std::vector<std::string> path_;
  std::string pending_key_;
};

}  // namespace

std::string_view strip_bom(std::string_view text) {
  return text.substr(0, bom.size()) == bom ? text.substr(bom.size()) : text;
}

std::optional<std::size_t> find_nul(std::string_view text) {
  auto at = text.find('\0');
  if (at == std::string_view::npos) return std::nullopt;
  return at;
}

ParsedJson parse_json(std::string_view text) {
  ParsedJson parsed;
  // nlohmann reads a NUL as the end of the input and skips a BOM at the start of any text:
  // both would let bytes through unseen.
  if (auto nul = find_nul(text)) {
    parsed.error = JsonError{*nul, "NUL byte at byte " + std::to_string(*nul)};
    return parsed;
  }
  if (text.substr(0, bom.size()) == bom) {
    parsed.error =
        JsonError{0, "byte-order mark where a JSON value belongs (it is allowed only as the "
                     "first bytes of a file)"};
    return parsed;
  }
  StrictBuilder builder;
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                                  /*strict=*/true);
  if (!ok) {
    parsed.error = builder.error ? std::move(builder.error)
                                 : JsonError{0, "not valid JSON"};
    return parsed;
  }
  parsed.value = std::move(builder.root);
  return parsed;
}

}  // namespace tightloop
