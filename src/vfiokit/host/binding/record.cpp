// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/binding/record.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "vfiokit/host/internal/json_fields.hpp"

namespace vfiokit::host {

namespace {
using nlohmann::json;
}

ChangeKey binding_key(unsigned group) { return {kBindingKind, fmt::to_string(group)}; }

std::string binding_record_to_json(const BindingRecord& r) {
  json members = json::array();
  for (const auto& m : r.members)
    members.push_back(
        {{"bdf", m.bdf.str()},
         {"driver", m.original.driver},
         {"driver_override", m.original.driver_override ? json(*m.original.driver_override) : json(nullptr)},
         {"bridge", m.bridge}});
  return json{{"group", r.group}, {"driver", r.driver}, {"members", members}}.dump();
}

Result<BindingRecord> binding_record_from_json(const std::string& text, const std::string& subject) {
  auto bad = [&](const std::string& what) { return fail(Errc::malformed, subject, what); };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("its record is not a JSON object");
  try {
    BindingRecord r;
    r.group = integer_field<unsigned>(j.at("group"));
    r.driver = j.at("driver").get<std::string>();
    if (auto ok = check_driver_name(r.driver); !ok) return bad(ok.error().describe());
    for (const auto& m : j.at("members")) {
      auto bdf = pci::Bdf::parse(m.at("bdf").get<std::string>());
      if (!bdf) return bad(bdf.error().message());
      GroupMember member{*bdf, Binding{m.at("driver").get<std::string>(), std::nullopt}, m.at("bridge").get<bool>()};
      if (!m.at("driver_override").is_null())
        member.original.driver_override = m.at("driver_override").get<std::string>();
      if (!member.original.driver.empty())
        if (auto ok = check_driver_name(member.original.driver); !ok) return bad(ok.error().describe());
      if (auto ok = check_journalable(member.original, member.bdf); !ok) return bad(ok.error().describe());
      r.members.push_back(std::move(member));
    }
    return r;
  } catch (const std::exception& ex) {
    return bad(fmt::format("missing or mistyped field: {}", ex.what()));
  }
}

}  // namespace vfiokit::host
