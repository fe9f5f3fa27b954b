// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/rebar/resize_record.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "vfiokit/host/internal/json_fields.hpp"

namespace vfiokit::host {

namespace {
using nlohmann::json;

json optional_json(const std::optional<unsigned>& v) { return v ? json(*v) : json(nullptr); }
json optional_json(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

ResizeRecord ResizeRecord::from_plan(const ResizePlan& plan) {
  return {plan.bdf,         plan.bar,      plan.from,      plan.to,      plan.from_encoding,
          plan.to_encoding, plan.rehearse, plan.functions, plan.removed, plan.reenumerate};
}

ChangeKey resize_key(const pci::Bdf& bdf) { return {kResizeKind, bdf.str()}; }

std::string resize_record_to_json(const ResizeRecord& r) {
  json functions = json::array(), removed = json::array();
  for (const auto& a : r.functions)
    functions.push_back({{"bdf", a.bdf.str()},
                         {"driver", a.original.driver},
                         {"driver_override", optional_json(a.original.driver_override)},
                         {"iommu_group", optional_json(a.group)},
                         {"removed", a.removed}});
  for (const auto& b : r.removed) removed.push_back(b.str());
  return json{{"bdf", r.bdf.str()},
              {"bar", r.bar},
              {"from_bytes", r.from.bytes()},
              {"to_bytes", r.to.bytes()},
              {"from_encoding", optional_json(r.from_encoding)},
              {"to_encoding", optional_json(r.to_encoding)},
              {"rehearse", r.rehearse},
              {"functions", functions},
              {"removed", removed},
              {"reenumerate", r.reenumerate ? json(r.reenumerate->str()) : json(nullptr)}}
      .dump();
}

Result<ResizeRecord> resize_record_from_json(const std::string& text, const std::string& subject) {
  auto bad = [&](const std::string& what) { return fail(Errc::malformed, subject, what); };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("its record is not a JSON object");
  try {
    auto bdf = [&](const json& v) {
      auto b = pci::Bdf::parse(v.get<std::string>());
      if (!b) throw std::runtime_error(b.error().describe());
      return *b;
    };
    auto opt_unsigned = [](const json& v) {
      return v.is_null() ? std::nullopt : std::optional<unsigned>(integer_field<unsigned>(v));
    };
    ResizeRecord r;
    r.bdf = bdf(j.at("bdf"));
    r.bar = integer_field<unsigned>(j.at("bar"));
    if (r.bar > 5) return bad("BAR index out of range");
    r.from = ByteSize(integer_field<uint64_t>(j.at("from_bytes")));
    r.to = ByteSize(integer_field<uint64_t>(j.at("to_bytes")));
    r.from_encoding = opt_unsigned(j.at("from_encoding"));
    r.to_encoding = opt_unsigned(j.at("to_encoding"));
    r.rehearse = j.at("rehearse").get<bool>();
    for (const auto& a : j.at("functions")) {
      AffectedFunction f{bdf(a.at("bdf")), Binding{a.at("driver").get<std::string>(), std::nullopt},
                         opt_unsigned(a.at("iommu_group")), a.at("removed").get<bool>()};
      if (!a.at("driver_override").is_null()) f.original.driver_override = a.at("driver_override").get<std::string>();
      if (!f.original.driver.empty())
        if (auto ok = check_driver_name(f.original.driver); !ok) return bad(ok.error().describe());
      if (auto ok = check_journalable(f.original, f.bdf); !ok) return bad(ok.error().describe());
      r.functions.push_back(std::move(f));
    }
    if (r.functions.empty() || r.functions.front().bdf != r.bdf) return bad("the first function is not the target");
    for (const auto& b : j.at("removed")) r.removed.push_back(bdf(b));
    // Absent from records written before the plan followed the kernel's walk.
    if (j.contains("reenumerate") && !j.at("reenumerate").is_null()) r.reenumerate = bdf(j.at("reenumerate"));
    return r;
  } catch (const std::exception& ex) {
    return bad(fmt::format("missing or mistyped field: {}", ex.what()));
  }
}

}  // namespace vfiokit::host
