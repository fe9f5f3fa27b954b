#include "host/binding_journal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "host/file_io.hpp"
#include "host/journal_files.hpp"
#include "host/json_fields.hpp"

namespace vfiokit::host {

namespace {
using nlohmann::json;

constexpr const char* kSchema = "vfiokit.journal/1";

}  // namespace

const char* journal_state_name(JournalState state) {
  switch (state) {
    case JournalState::binding: return "binding";
    case JournalState::held: return "held";
    case JournalState::restoring: return "restoring";
  }
  return "?";
}

BindingJournal BindingJournal::choose(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return BindingJournal(explicit_dir);
  if (const char* env = std::getenv(kJournalDirEnv); env && *env) return BindingJournal(env);
  return BindingJournal(kDefaultJournalDir);
}

std::filesystem::path BindingJournal::file(unsigned group) const { return dir_ / fmt::format("group-{}.json", group); }

std::string journal_to_json(const JournalEntry& e) {
  json members = json::array();
  for (const auto& m : e.members)
    members.push_back({{"bdf", m.bdf.str()},
                       {"driver", m.original.driver},
                       {"driver_override", m.original.driver_override ? json(*m.original.driver_override) : json(nullptr)},
                       {"bridge", m.bridge}});
  json j{{"schema", kSchema},       {"group", e.group},         {"driver", e.driver},
         {"state", journal_state_name(e.state)}, {"next_step", e.next_step}, {"steps", e.steps},
         {"members", members},      {"pid", e.pid}};
  return j.dump(2) + "\n";
}

Result<JournalEntry> journal_from_json(const std::string& text, const std::string& subject) {
  auto bad = [&](const std::string& what) { return fail(Errc::malformed, subject, what); };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("is not a JSON object");
  if (!has_schema(j, kSchema)) return bad(fmt::format("is not a {} journal", kSchema));
  try {
    JournalEntry e;
    e.group = integer_field<unsigned>(j.at("group"));
    e.driver = j.at("driver").get<std::string>();
    const auto state = j.at("state").get<std::string>();
    if (state == "binding") e.state = JournalState::binding;
    else if (state == "held") e.state = JournalState::held;
    else if (state == "restoring") e.state = JournalState::restoring;
    else return bad(fmt::format("unknown state '{}'", state));
    e.next_step = integer_field<size_t>(j.at("next_step"));
    e.steps = j.at("steps").get<std::vector<std::string>>();
    e.pid = j.contains("pid") ? integer_field<long>(j.at("pid")) : 0;
    for (const auto& m : j.at("members")) {
      auto bdf = pci::Bdf::parse(m.at("bdf").get<std::string>());
      if (!bdf) return bad(bdf.error().message());
      GroupMember member{*bdf, Binding{m.at("driver").get<std::string>(), std::nullopt}, m.value("bridge", false)};
      if (!m.at("driver_override").is_null()) member.original.driver_override = m.at("driver_override").get<std::string>();
      e.members.push_back(member);
    }
    return e;
  } catch (const std::exception& ex) {
    return bad(fmt::format("missing or mistyped field: {}", ex.what()));
  }
}

Result<void> BindingJournal::write(const JournalEntry& entry) const {
  return write_file_durably(file(entry.group), journal_to_json(entry));
}

Result<std::optional<JournalEntry>> BindingJournal::read(unsigned group) const {
  auto text = read_journal_text(file(group));
  if (!text) return fail(text.error());
  if (!*text) return std::optional<JournalEntry>();
  auto e = journal_from_json(**text, file(group).string());
  if (!e) return fail(e.error());
  return std::optional<JournalEntry>(std::move(*e));
}

Result<std::vector<JournalEntry>> BindingJournal::list() const {
  std::vector<JournalEntry> out;
  for (const auto& f : journal_files(dir_, "group-")) {
    unsigned group = 0;
    char tail = 0;
    // Only group-N.json: a decimal group number and nothing else.
    if (std::sscanf(journal_file_key(f, "group-").c_str(), "%u%c", &group, &tail) != 1 || file(group) != f) continue;
    auto e = read(group);
    if (!e) return fail(e.error());
    if (*e) out.push_back(std::move(**e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.group < b.group; });
  return out;
}

Result<void> BindingJournal::remove(unsigned group) const { return remove_journal_file(file(group)); }

}  // namespace vfiokit::host
