// Documents the daemon serves, compiled in from docs/openapi.json and runtime/status_page.html
// (CMake writes them into generated/api_documents.cpp): nothing is read from disk at run time.
#pragma once

#include <string_view>

namespace tightloop {

std::string_view openapi_document();  // GET /v1/openapi.json
std::string_view status_page();       // GET /

}  // namespace tightloop
