// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/profile_holders.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "vfiokit/host/binding/record.hpp"
#include "vfiokit/host/profile/profile_change.hpp"

namespace vfiokit::host {

Result<std::optional<std::string>> profile_holding_group(const Journal& journal, unsigned group) {
  const std::string id = fmt::to_string(group);
  // A damaged entry is `vfiokit status`'s and `recover`'s to report; it
  // holds nothing that can be read here.
  for (const auto& e : journal.list(kProfileKind).entries) {
    const auto j = nlohmann::json::parse(e.record, nullptr, false);
    if (!j.is_object() || !j.contains("parts") || !j.at("parts").is_array()) continue;
    for (const auto& p : j.at("parts"))
      if (p.is_object() && p.value("kind", "") == kBindingKind && p.value("id", "") == id) return e.key.id;
  }
  return std::nullopt;
}

Result<void> check_groups_free(const Journal& journal, const ProfilePlan& plan) {
  for (unsigned group : plan.groups) {
    const std::string subject = fmt::format("IOMMU group {}", group);
    auto bound = journal.read(binding_key(group));
    if (!bound) return fail(bound.error());
    if (*bound)
      return fail(Errc::invalid_argument, subject,
                  fmt::format("is held by `vfiokit bind` ({}): `vfiokit release --group {}` gives it back first, "
                              "then the profile can take it",
                              journal.file(binding_key(group)).string(), group));
    auto holder = profile_holding_group(journal, group);
    if (!holder) return fail(holder.error());
    if (*holder && **holder != plan.name)
      return fail(Errc::invalid_argument, subject,
                  fmt::format("is held by profile {}, which is up: `vfiokit down {}` first", **holder, **holder));
  }
  return {};
}

}  // namespace vfiokit::host
