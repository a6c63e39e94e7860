// CAF 0.17 cannot serialize std::optional. A field is written as a presence flag plus a value
// and rebuilt after loading. Only light CAF headers here: messages/ stays free of actor code.
#pragma once

#include <optional>

#include "caf/error.hpp"
#include "caf/meta/load_callback.hpp"
#include "caf/meta/type_name.hpp"

namespace tightloop {

template <class T>
struct OptionalField {
  std::optional<T>& ref;
};

template <class T>
OptionalField<T> optional_field(std::optional<T>& ref) {
  return {ref};
}

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, OptionalField<T>& x) {
  bool present = x.ref.has_value();
  T value = present ? *x.ref : T{};
  auto rebuild = [&]() -> caf::error {
    if (present)
      x.ref = value;
    else
      x.ref.reset();
    return caf::none;
  };
  return f(caf::meta::type_name("optional"), present, value, caf::meta::load_callback(rebuild));
}

}  // namespace tightloop
