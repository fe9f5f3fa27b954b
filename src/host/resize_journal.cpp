#include "host/resize_journal.hpp"

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
constexpr const char* kSchema = "vfiokit.resize-journal/1";

json optional_json(const std::optional<unsigned>& v) { return v ? json(*v) : json(nullptr); }
json optional_json(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

ResizeEntry ResizeEntry::from_plan(const ResizePlan& plan) {
  ResizeEntry e;
  e.bdf = plan.bdf;
  e.bar = plan.bar;
  e.from = plan.from;
  e.to = plan.to;
  e.from_encoding = plan.from_encoding;
  e.to_encoding = plan.to_encoding;
  e.rehearse = plan.rehearse;
  for (const auto& s : plan.steps) e.steps.push_back(s.text);
  e.functions = plan.functions;
  e.removed = plan.removed;
  e.pid = ::getpid();
  return e;
}

std::filesystem::path ResizeJournal::file(const pci::Bdf& bdf) const {
  return dir_ / fmt::format("resize-{}.json", bdf.str());
}

std::string resize_entry_to_json(const ResizeEntry& e) {
  json functions = json::array(), removed = json::array();
  for (const auto& a : e.functions)
    functions.push_back({{"bdf", a.bdf.str()},
                         {"driver", a.original.driver},
                         {"driver_override", optional_json(a.original.driver_override)},
                         {"iommu_group", optional_json(a.group)},
                         {"removed", a.removed}});
  for (const auto& b : e.removed) removed.push_back(b.str());
  json j{{"schema", kSchema},
         {"bdf", e.bdf.str()},
         {"bar", e.bar},
         {"from_bytes", e.from.bytes()},
         {"to_bytes", e.to.bytes()},
         {"from_encoding", optional_json(e.from_encoding)},
         {"to_encoding", optional_json(e.to_encoding)},
         {"rehearse", e.rehearse},
         {"state", e.state == ResizeState::resizing ? "resizing" : "rolling_back"},
         {"next_step", e.next_step},
         {"steps", e.steps},
         {"functions", functions},
         {"removed", removed},
         {"pid", e.pid}};
  return j.dump(2) + "\n";
}

Result<ResizeEntry> resize_entry_from_json(const std::string& text, const std::string& subject) {
  auto bad = [&](const std::string& what) { return fail(Errc::malformed, subject, what); };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("is not a JSON object");
  if (!has_schema(j, kSchema)) return bad(fmt::format("is not a {} journal", kSchema));
  try {
    auto bdf = [&](const json& v) {
      auto b = pci::Bdf::parse(v.get<std::string>());
      if (!b) throw std::runtime_error(b.error().describe());
      return *b;
    };
    auto opt_unsigned = [](const json& v) { return v.is_null() ? std::nullopt : std::optional<unsigned>(integer_field<unsigned>(v)); };
    ResizeEntry e;
    e.bdf = bdf(j.at("bdf"));
    e.bar = integer_field<unsigned>(j.at("bar"));
    if (e.bar > 5) return bad("BAR index out of range");
    e.from = ByteSize(integer_field<uint64_t>(j.at("from_bytes")));
    e.to = ByteSize(integer_field<uint64_t>(j.at("to_bytes")));
    e.from_encoding = opt_unsigned(j.at("from_encoding"));
    e.to_encoding = opt_unsigned(j.at("to_encoding"));
    e.rehearse = j.at("rehearse").get<bool>();
    const auto state = j.at("state").get<std::string>();
    if (state == "resizing") e.state = ResizeState::resizing;
    else if (state == "rolling_back") e.state = ResizeState::rolling_back;
    else return bad(fmt::format("unknown state '{}'", state));
    e.next_step = integer_field<size_t>(j.at("next_step"));
    e.steps = j.at("steps").get<std::vector<std::string>>();
    for (const auto& a : j.at("functions")) {
      AffectedFunction f{bdf(a.at("bdf")), Binding{a.at("driver").get<std::string>(), std::nullopt},
                         opt_unsigned(a.at("iommu_group")), a.at("removed").get<bool>()};
      if (!a.at("driver_override").is_null()) f.original.driver_override = a.at("driver_override").get<std::string>();
      e.functions.push_back(std::move(f));
    }
    if (e.functions.empty() || e.functions.front().bdf != e.bdf) return bad("the first function is not the target");
    for (const auto& b : j.at("removed")) e.removed.push_back(bdf(b));
    e.pid = j.contains("pid") ? integer_field<long>(j.at("pid")) : 0;
    return e;
  } catch (const std::exception& ex) {
    return bad(fmt::format("missing or mistyped field: {}", ex.what()));
  }
}

Result<void> ResizeJournal::write(const ResizeEntry& entry) const {
  return write_file_durably(file(entry.bdf), resize_entry_to_json(entry));
}

Result<std::optional<ResizeEntry>> ResizeJournal::read(const pci::Bdf& bdf) const {
  auto text = read_journal_text(file(bdf));
  if (!text) return fail(text.error());
  if (!*text) return std::optional<ResizeEntry>();
  auto e = resize_entry_from_json(**text, file(bdf).string());
  if (!e) return fail(e.error());
  return std::optional<ResizeEntry>(std::move(*e));
}

Result<std::vector<ResizeEntry>> ResizeJournal::list() const {
  std::vector<ResizeEntry> out;
  for (const auto& f : journal_files(dir_, "resize-")) {
    auto bdf = pci::Bdf::parse(journal_file_key(f, "resize-"));
    if (!bdf) return fail(Errc::malformed, f.string(), "is not named resize-BDF.json");
    auto e = read(*bdf);
    if (!e) return fail(e.error());
    if (*e) out.push_back(std::move(**e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.bdf < b.bdf; });
  return out;
}

Result<void> ResizeJournal::remove(const pci::Bdf& bdf) const { return remove_journal_file(file(bdf)); }

}  // namespace vfiokit::host
