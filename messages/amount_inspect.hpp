// CAF serialization of Amount: the 128-bit count as two 64-bit halves, rebuilt after loading.
// Apart from amount.hpp so that the amount type itself stays free of CAF.
#pragma once

#include <cstdint>

#include "caf/error.hpp"
#include "caf/meta/load_callback.hpp"
#include "caf/meta/type_name.hpp"
#include "messages/amount.hpp"

namespace tightloop {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Amount& x) {
  using U128 = unsigned __int128;
  const auto bits = static_cast<U128>(x.raw());
  auto high = static_cast<std::uint64_t>(bits >> 64);
  auto low = static_cast<std::uint64_t>(bits);
  auto rebuild = [&]() -> caf::error {
    x = Amount::from_raw(static_cast<Amount::Raw>((U128{high} << 64) | low));
    return caf::none;
  };
  return f(caf::meta::type_name("Amount"), high, low, caf::meta::load_callback(rebuild));
}

}  // namespace tightloop
