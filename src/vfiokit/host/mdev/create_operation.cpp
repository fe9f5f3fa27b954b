// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/mdev/create_operation.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "vfiokit/host/internal/json_fields.hpp"

namespace vfiokit::host {

namespace {
using nlohmann::json;

std::filesystem::path type_dir(const SysfsRoot& root, const std::string& parent, const std::string& type) {
  return root.path() / "class/mdev_bus" / parent / "mdev_supported_types" / type;
}
}  // namespace

ChangeKey mdev_key(const Uuid& uuid) { return {kMdevKind, uuid.str()}; }

std::string mdev_record_to_json(const MdevRecord& r) {
  return json{{"uuid", r.uuid.str()}, {"parent", r.parent}, {"type", r.type}}.dump();
}

Result<MdevRecord> mdev_record_from_json(const std::string& text, const std::string& subject) {
  auto bad = [&](const std::string& what) { return fail(Errc::malformed, subject, what); };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("its record is not a JSON object");
  try {
    MdevRecord r;
    auto uuid = Uuid::parse(j.at("uuid").get<std::string>());
    if (!uuid) return bad(uuid.error().describe());
    r.uuid = *uuid;
    r.parent = j.at("parent").get<std::string>();
    r.type = j.at("type").get<std::string>();
    for (const auto* name : {&r.parent, &r.type})
      if (name->empty() || name->find('/') != std::string::npos || *name == "." || *name == "..")
        return bad(fmt::format("'{}' is not a parent or type name", *name));
    return r;
  } catch (const std::exception& ex) {
    return bad(fmt::format("missing or mistyped field: {}", ex.what()));
  }
}

Result<MdevCreatePlan> plan_mdev_create(const SysfsRoot& root, const std::string& parent, const std::string& type,
                                        std::optional<Uuid> uuid) {
  auto t = find_mdev_type(root, parent, type);
  if (!t) return fail(t.error());
  if (t->available && *t->available == 0)
    return fail(Errc::unsupported, t->parent + "/" + t->id,
                fmt::format("has no instance left (available_instances is 0; {} exist)", t->devices.size()));
  if (!uuid) {
    auto r = Uuid::random();
    if (!r) return fail(r.error());
    uuid = *r;
  }
  auto existing = find_mdev(root, *uuid);
  if (!existing) return fail(existing.error());
  if (*existing)
    return fail(Errc::invalid_argument, uuid->str(), fmt::format("is already an mdev (of type {})", (*existing)->type));
  MdevCreatePlan plan{std::move(*t), *uuid, {}};
  plan.steps = {
      fmt::format("check that {} is still free", uuid->str()),
      fmt::format("write {} to {}", uuid->str(), (type_dir(root, plan.type.parent, plan.type.id) / "create").string()),
      fmt::format("verify {} exists as {} on {}", (mdev_dir(root, *uuid)).string(), plan.type.id, plan.type.parent)};
  return plan;
}

MdevCreateChange::MdevCreateChange(SysfsRoot root, MdevRecord record, std::vector<std::string> steps)
    : root_(std::move(root)), record_(std::move(record)), steps_(std::move(steps)) {}

Result<void> MdevCreateChange::run_step(size_t index, const ExecutionOptions&) {
  const std::string subject = record_.parent + "/" + record_.type;
  switch (index) {
    case 0: {  // the journal now records the UUID; nobody may have taken it meanwhile
      auto existing = find_mdev(root_, record_.uuid);
      if (!existing) return fail(existing.error());
      if (*existing) return fail(Errc::invalid_argument, record_.uuid.str(), "is already in use as an mdev");
      return {};
    }
    case 1: {
      auto ok = root_.write(type_dir(root_, record_.parent, record_.type) / "create", record_.uuid.str());
      if (ok) return {};
      const int err = ok.error().sys_errno();
      if (err == EEXIST)
        return fail(Error(Errc::invalid_argument, record_.uuid.str(), "is already in use as an mdev", err));
      if (err == EUSERS || err == ENOSPC)
        return fail(Error(Errc::unsupported, subject, "has no instance left for another mdev", err));
      return ok;
    }
    case 2: {
      auto made = find_mdev(root_, record_.uuid);
      if (made && *made && (*made)->type == record_.type) return {};
      const auto why = !made    ? made.error().describe()
                       : !*made ? std::string("it did not appear")
                                : fmt::format("it has type {}", (*made)->type);
      return fail(Errc::io, record_.uuid.str(), fmt::format("the mdev was not created as asked ({})", why));
    }
  }
  return fail(Errc::invalid_argument, subject, "has no such step to run");
}

std::vector<std::string> MdevCreateChange::undo(const ExecutionOptions&, const std::function<void()>& after_write) {
  auto d = find_mdev(root_, record_.uuid);
  if (!d) return {d.error().describe()};
  if (!*d) return {};
  if (auto ok = remove_mdev(root_, record_.uuid); !ok) return {ok.error().describe()};
  removed_ = true;
  after_write();
  return {};
}

ChangeKind mdev_change_kind() {
  return {kMdevKind, [](const SysfsRoot& root, const JournalEntry& e) -> Result<std::unique_ptr<Change>> {
            auto r = mdev_record_from_json(e.record, e.key.file_name());
            if (!r) return fail(r.error());
            if (mdev_key(r->uuid) != e.key)
              return fail(Errc::malformed, e.key.file_name(), "names another UUID than it holds");
            return std::make_unique<MdevCreateChange>(root, std::move(*r), e.steps);
          }};
}

Result<MdevDevice> create_mdev(const SysfsRoot& root, const MdevCreatePlan& plan, const Journal& journal,
                               const ExecutionOptions& options) {
  MdevCreateChange change(root, MdevRecord{plan.uuid, plan.type.parent, plan.type.id}, plan.steps);
  if (auto ok = apply_change(change, journal, options); !ok) return fail(ok.error());
  auto made = find_mdev(root, plan.uuid);
  if (!made) return fail(made.error());
  if (!*made) return fail(Errc::io, plan.uuid.str(), "disappeared right after it was created");
  return std::move(**made);
}

Result<void> remove_mdev(const SysfsRoot& root, const Uuid& uuid) {
  auto d = find_mdev(root, uuid);
  if (!d) return fail(d.error());
  if (!*d) return fail(Errc::not_found, uuid.str(), "is not an mdev on this host");
  if (auto ok = root.write(mdev_dir(root, uuid) / "remove", "1"); !ok) {
    if (ok.error().sys_errno() == EBUSY)
      return fail(Error(Errc::permission, uuid.str(), "is in use (open through VFIO); close it first", EBUSY));
    return fail(ok.error());
  }
  auto after = find_mdev(root, uuid);
  if (after && *after) return fail(Errc::io, uuid.str(), "is still present after remove");
  return {};
}

}  // namespace vfiokit::host
