#include "host/mdev_changes.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "host/file_io.hpp"
#include "host/journal_files.hpp"
#include "host/json_fields.hpp"

namespace vfiokit::host {

namespace {
using nlohmann::json;
constexpr const char* kSchema = "vfiokit.mdev-journal/1";

std::filesystem::path type_dir(const SysfsRoot& root, const MdevType& t) {
  return root.path() / "class/mdev_bus" / t.parent / "mdev_supported_types" / t.id;
}
}  // namespace

std::filesystem::path MdevJournal::file(const Uuid& uuid) const { return dir_ / fmt::format("mdev-{}.json", uuid.str()); }

std::string mdev_entry_to_json(const MdevJournalEntry& e) {
  json j{{"schema", kSchema}, {"uuid", e.uuid.str()}, {"parent", e.parent}, {"type", e.type}, {"pid", e.pid}};
  return j.dump(2) + "\n";
}

Result<MdevJournalEntry> mdev_entry_from_json(const std::string& text, const std::string& subject) {
  auto bad = [&](const std::string& what) { return fail(Errc::malformed, subject, what); };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("is not a JSON object");
  if (!has_schema(j, kSchema)) return bad(fmt::format("is not a {} journal", kSchema));
  try {
    MdevJournalEntry e;
    auto uuid = Uuid::parse(j.at("uuid").get<std::string>());
    if (!uuid) return bad(uuid.error().describe());
    e.uuid = *uuid;
    e.parent = j.at("parent").get<std::string>();
    e.type = j.at("type").get<std::string>();
    // Names become sysfs paths: refuse anything that could leave the tree.
    for (const auto* name : {&e.parent, &e.type})
      if (name->empty() || name->find('/') != std::string::npos || *name == "." || *name == "..")
        return bad(fmt::format("'{}' is not a parent or type name", *name));
    e.pid = j.contains("pid") ? integer_field<long>(j.at("pid")) : 0;
    return e;
  } catch (const std::exception& ex) {
    return bad(fmt::format("missing or mistyped field: {}", ex.what()));
  }
}

Result<void> MdevJournal::write(const MdevJournalEntry& entry) const {
  return write_file_durably(file(entry.uuid), mdev_entry_to_json(entry));
}

Result<std::vector<MdevJournalEntry>> MdevJournal::list() const {
  std::vector<MdevJournalEntry> out;
  for (const auto& f : journal_files(dir_, "mdev-")) {
    auto text = read_journal_text(f);
    if (!text) return fail(text.error());
    if (!*text) continue;  // removed meanwhile
    auto e = mdev_entry_from_json(**text, f.string());
    if (!e) return fail(e.error());
    if (file(e->uuid) != f) return fail(Errc::malformed, f.string(), "names another UUID than it holds");
    out.push_back(std::move(*e));
  }
  return out;  // journal_files sorts by name, which is by UUID
}

Result<void> MdevJournal::remove(const Uuid& uuid) const { return remove_journal_file(file(uuid)); }

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
  plan.steps = {fmt::format("record {} in the journal", uuid->str()),
                fmt::format("write {} to {}", uuid->str(), (type_dir(root, plan.type) / "create").string()),
                fmt::format("verify {} exists as {} on {}", (mdev_dir(root, *uuid)).string(), plan.type.id,
                            plan.type.parent),
                "drop the journal entry"};
  return plan;
}

Result<MdevDevice> create_mdev(const SysfsRoot& root, const MdevCreatePlan& plan, const MdevJournal& journal,
                               const ExecutionOptions& options) {
  StepCounter steps(options);
  const MdevJournalEntry entry{plan.uuid, plan.type.parent, plan.type.id, long(::getpid())};
  if (auto ok = journal.write(entry); !ok) return fail(ok.error());
  steps.done();
  if (auto ok = root.write(type_dir(root, plan.type) / "create", plan.uuid.str()); !ok) {
    (void)journal.remove(plan.uuid);
    const int err = ok.error().sys_errno();
    const std::string subject = plan.type.parent + "/" + plan.type.id;
    if (err == EEXIST) return fail(Error(Errc::invalid_argument, plan.uuid.str(), "is already in use as an mdev", err));
    if (err == EUSERS || err == ENOSPC)
      return fail(Error(Errc::unsupported, subject, "has no instance left for another mdev", err));
    return fail(ok.error());
  }
  steps.done();
  auto made = find_mdev(root, plan.uuid);
  if (!made || !*made || (*made)->type != plan.type.id) {
    auto why = !made ? made.error().describe()
                     : !*made ? std::string("it did not appear")
                              : fmt::format("it has type {}", (*made)->type);
    auto undo = recover_mdev(root, entry, journal);
    return fail(Errc::io, plan.uuid.str(),
                fmt::format("the mdev was not created as asked ({}){}", why,
                            undo ? "" : "; removing it failed too: " + undo.error().describe()));
  }
  steps.done();
  if (auto ok = journal.remove(plan.uuid); !ok) return fail(ok.error());
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

Result<bool> recover_mdev(const SysfsRoot& root, const MdevJournalEntry& entry, const MdevJournal& journal) {
  auto d = find_mdev(root, entry.uuid);
  if (!d) return fail(d.error());
  bool removed = false;
  if (*d) {
    if (auto ok = remove_mdev(root, entry.uuid); !ok) return fail(ok.error());
    removed = true;
  }
  if (auto ok = journal.remove(entry.uuid); !ok) return fail(ok.error());
  return removed;
}

}  // namespace vfiokit::host
