#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "messages/error_code.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;

TEST_CASE("every error code has a unique id, a component and a meaning") {
  std::set<std::string_view> ids;
  for (const auto& info : error_code_registry()) {
    CAPTURE(info.id);
    CHECK(ids.insert(info.id).second);
    CHECK_FALSE(info.component.empty());
    CHECK_FALSE(info.meaning.empty());
    CHECK(to_string(info.code) == info.id);
    CHECK(parse_error_code(info.id) == info.code);
    const auto prefix = info.id.substr(0, info.id.find('-'));
    CHECK(std::set<std::string_view>{"ORD", "VIM", "VEN", "POS", "EM", "CFG", "INP", "CLI",
                                     "OUT", "API", "SRV"}
              .count(
              prefix) == 1);
  }
  CHECK(to_string(ErrorCode::none).empty());
  CHECK(error_code_registry().size() == error_code_count);
  for (std::size_t i = 0; i < error_code_registry().size(); ++i)
    CHECK(static_cast<std::size_t>(error_code_registry()[i].code) == i + 1);
  CHECK_FALSE(parse_error_code("XYZ-999").has_value());
}

TEST_CASE("messages/ERROR_CODES.md is exactly the registry's page") {
  CHECK_MESSAGE(test::source_file("messages/ERROR_CODES.md") == error_codes_markdown(),
                "regenerate with: build/tightloop error-codes > messages/ERROR_CODES.md");
}
