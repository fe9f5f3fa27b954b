// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/options/completion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/usage/man_page.hpp"
#include "vfiokit/host/mdev/mdev.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::cli {

namespace {

// What the line so far says: the command it reaches, its positional
// arguments, and the host it names.
struct Line {
  const CLI::App* command = nullptr;
  std::vector<std::string> positionals;
  HostOptions host;
};

const CLI::Option* find_option(const CLI::App* app, std::string_view word) {
  for (const CLI::Option* o : app->get_options({})) {
    if (!o->nonpositional()) continue;
    for (const auto& l : o->get_lnames())
      if (word == "--" + l) return o;
    for (const auto& s : o->get_snames())
      if (word == "-" + s) return o;
  }
  return nullptr;
}

bool takes_value(const CLI::Option* o) { return o && o->get_items_expected_max() > 0; }

std::string long_name(const CLI::Option* o) { return o->get_lnames().empty() ? "" : o->get_lnames().front(); }

void note_value(Line& line, const CLI::Option* o, const std::string& value) {
  const std::string name = long_name(o);
  if (name == "sysfs-root" || name == "simulate") line.host.sysfs_root = value;
}

Line read_line(const CLI::App& app, const std::vector<std::string>& done) {
  Line line;
  line.command = &app;
  for (size_t i = 0; i < done.size(); ++i) {
    const std::string& w = done[i];
    if (w.starts_with("-")) {
      const size_t eq = w.find('=');
      const CLI::Option* o = find_option(line.command, w.substr(0, eq));
      if (o && long_name(o) == "example") line.host.example = true;
      if (eq != std::string::npos) {
        if (o) note_value(line, o, w.substr(eq + 1));
      } else if (takes_value(o) && i + 1 < done.size()) {
        note_value(line, o, done[++i]);
      }
      continue;
    }
    const auto subs = visible_subcommands(*line.command);
    const auto sub = std::find_if(subs.begin(), subs.end(), [&](const CLI::App* s) { return s->get_name() == w; });
    if (sub != subs.end() && line.positionals.empty()) {
      line.command = *sub;
      continue;
    }
    line.positionals.push_back(w);
  }
  return line;
}

// The positional the next word fills, by its name ("BDF", "FILE").
std::string next_positional(const CLI::App* app, size_t index) {
  size_t n = 0;
  for (const CLI::Option* o : app->get_options({})) {
    if (o->nonpositional()) continue;
    const int many = o->get_items_expected_max();
    if (index < n + size_t(std::max(many, 1)) || many >= CLI::detail::expected_max_vector_size)
      return o->get_name(true);
    n += size_t(std::max(many, 1));
  }
  return {};
}

struct Host {
  std::optional<host::SysfsSource> source;
  std::optional<host::HostView> view;
};

Host read_host_of(const Line& line) {
  Host h;
  HostOptions options = line.host;
  if (options.sysfs_root.empty() && !options.example)
    if (const char* env = std::getenv("VFIOKIT_SYSFS_ROOT"); env && *env) options.sysfs_root = env;
  // Completion stays quiet: a host it cannot read offers nothing.
  auto source = options.example ? host::SysfsSource::open_archive(example_snapshot(), "the example host")
                                : host::SysfsSource::open(options.sysfs_root);
  if (!source) return h;
  h.source.emplace(std::move(*source));
  h.view.emplace(host::read_host(h.source->root()));
  return h;
}

std::vector<std::string> bdfs(const Host& h) {
  std::vector<std::string> out;
  if (h.view)
    for (const auto& f : h.view->functions) out.push_back(f.bdf.str());
  return out;
}

std::vector<std::string> mdev_uuids(const Host& h) {
  std::vector<std::string> out;
  if (!h.source) return out;
  if (auto mdevs = host::list_mdevs(h.source->root()))
    for (const auto& m : *mdevs) out.push_back(m.uuid.str());
  return out;
}

std::vector<std::string> values_for(const std::string& kind, const Line& line, const Host& h) {
  if (kind == "BDF" || kind == "parent") return bdfs(h);
  if (kind == "DEVICE") {
    auto out = bdfs(h);
    for (auto& u : mdev_uuids(h)) out.push_back(std::move(u));
    return out;
  }
  if (kind == "UUID") return mdev_uuids(h);
  if (kind == "TYPE") {
    std::vector<std::string> out;
    if (h.source)
      if (auto types = host::list_mdev_types(h.source->root()))
        for (const auto& t : *types) out.push_back(t.id);
    return out;
  }
  if (kind == "group") {
    std::vector<std::string> out;
    if (h.view)
      for (const auto& g : h.view->groups) out.push_back(std::to_string(g.id));
    return out;
  }
  if (kind == "bar") {
    // The BARs of the function the line names that have a size; for
    // rebar, the resizable ones.
    std::vector<std::string> out;
    if (!h.view || line.positionals.empty()) return out;
    auto bdf = pci::Bdf::parse(line.positionals.front());
    const host::PciFunction* f = bdf ? h.view->function(*bdf) : nullptr;
    if (!f) return out;
    if (line.command->get_name() == "rebar") {
      for (unsigned b : f->resizable_bars) out.push_back(std::to_string(b));
      return out;
    }
    for (size_t i = 0; i < 6 && i < f->resources.size(); ++i)
      if (f->resources[i].size() > 0) out.push_back(std::to_string(i));
    return out;
  }
  if (kind == "driver") {
    std::vector<std::string> out;
    std::error_code ec;
    const auto dir = h.source ? h.source->root().path() / "bus/pci/drivers" : std::filesystem::path();
    for (const auto& d : std::filesystem::directory_iterator(dir, ec)) out.push_back(d.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  if (kind == "backend") return {"auto", "type1", "iommufd"};
  if (kind == "COMMAND") {
    std::vector<std::string> out;
    const CLI::App* root = line.command;
    while (root->get_parent()) root = root->get_parent();
    for (const CLI::App* s : visible_subcommands(*root)) out.push_back(s->get_name());
    return out;
  }
  if (kind == "PHASE") return {"pre-start", "post-start", "pre-stop", "post-stop"};
  if (kind == "FILE" || kind == "OUT" || kind == "PROFILE" || kind == "sysfs-root" || kind == "simulate" ||
      kind == "journal-dir" || kind == "output" || kind == "rules-dir" || kind == "profiles-dir" ||
      kind == "config-dir" || kind == "dump" || kind == "from" || kind == "dot" || kind == "svg")
    return {kCompleteFiles};
  return {};
}

// A BDF typed without its domain ("03:00") is matched and answered in
// that form, as lspci prints it.
std::vector<std::string> matching(const std::vector<std::string>& values, const std::string& word) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (v.starts_with(word)) out.push_back(v);
    else if (v.size() == 12 && v.starts_with("0000:") && v.substr(5).starts_with(word)) out.push_back(v.substr(5));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::vector<std::string> completions(const CLI::App& app, const std::vector<std::string>& words) {
  const std::string word = words.empty() ? "" : words.back();
  const std::vector<std::string> done(words.begin(), words.end() - (words.empty() ? 0 : 1));
  const Line line = read_line(app, done);

  // The value of the option just before.
  if (!done.empty() && done.back().starts_with("-") && done.back().find('=') == std::string::npos) {
    const CLI::Option* o = find_option(line.command, done.back());
    if (takes_value(o)) {
      auto values = values_for(long_name(o), line, read_host_of(line));
      if (values.size() == 1 && values.front() == kCompleteFiles) return values;
      return matching(values, word);
    }
  }
  if (word.starts_with("-")) {
    std::vector<std::string> names;
    for (const CLI::Option* o : line.command->get_options({})) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
    return matching(names, word);
  }
  std::vector<std::string> out;
  if (line.positionals.empty())
    for (const CLI::App* s : visible_subcommands(*line.command)) out.push_back(s->get_name());
  const std::string kind = next_positional(line.command, line.positionals.size());
  if (!kind.empty()) {
    auto values = values_for(kind, line, read_host_of(line));
    if (values.size() == 1 && values.front() == kCompleteFiles && out.empty()) return values;
    for (auto& v : values)
      if (v != kCompleteFiles) out.push_back(std::move(v));
  }
  return matching(out, word);
}

}  // namespace vfiokit::cli
