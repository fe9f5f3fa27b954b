// SPDX-License-Identifier: Apache-2.0
// Reading the fields of vfiokit's JSON files (journals, simulation state)
// without trusting them. nlohmann's value() throws when a field has another
// type, and get<unsigned>() of a float is undefined behaviour, so types and
// ranges are checked first: a damaged or hand-edited file must be an error,
// never an exception escaping or UB.
#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace vfiokit::host {

inline bool has_schema(const nlohmann::json& j, std::string_view schema) {
  if (!j.is_object()) return false;
  const auto it = j.find("schema");
  return it != j.end() && it->is_string() && it->get_ref<const std::string&>() == schema;
}

// An integer that fits T; throws std::out_of_range otherwise (the parsers
// turn it into a "mistyped field" error).
template <class T>
T integer_field(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const auto n = v.get<uint64_t>();
    if (n <= uint64_t(std::numeric_limits<T>::max())) return T(n);
  } else if (v.is_number_integer()) {
    const auto n = v.get<int64_t>();
    if constexpr (std::is_signed_v<T>) {
      if (n >= int64_t(std::numeric_limits<T>::min()) && n <= int64_t(std::numeric_limits<T>::max())) return T(n);
    } else if (n >= 0 && uint64_t(n) <= uint64_t(std::numeric_limits<T>::max())) {
      return T(n);
    }
  }
  throw std::out_of_range("expected an integer in range, found " + v.dump());
}

}  // namespace vfiokit::host
