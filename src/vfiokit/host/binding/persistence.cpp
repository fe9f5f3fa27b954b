// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/binding/persistence.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {

std::filesystem::path choose_rules_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  // secure_getenv: a setuid or otherwise elevated vfiokit ignores it.
  if (const char* env = ::secure_getenv(kUdevRulesDirEnv); env && *env) return env;
  return kDefaultUdevRulesDir;
}

std::filesystem::path persist_rule_file(const std::filesystem::path& dir, const std::vector<pci::Bdf>& endpoints) {
  return dir / fmt::format("70-vfiokit-{}.rules", endpoints.empty() ? std::string("none") : endpoints.front().str());
}

std::string persist_rule_text(const std::vector<pci::Bdf>& endpoints, const std::string& driver,
                              const std::string& vfiokit_path) {
  std::vector<std::string> names;
  for (const auto& bdf : endpoints) names.push_back(bdf.str());
  // One rule for the group; %k is the endpoint the kernel announced.
  return fmt::format(
      "# Written by `vfiokit bind --persist`; `vfiokit release --persist` removes it.\n"
      "# Binds the IOMMU group of these functions to {} when the kernel adds them.\n"
      "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"{}\", RUN+=\"{} bind --driver {} %k\"\n",
      driver, fmt::join(names, "|"), vfiokit_path, driver);
}

std::vector<std::string> persist_rule_endpoints(const std::string& text) {
  std::vector<std::string> out;
  constexpr std::string_view kKernel = "KERNEL==\"";
  for (size_t at = text.find(kKernel); at != std::string::npos; at = text.find(kKernel, at)) {
    at += kKernel.size();
    const size_t end = text.find('"', at);
    if (end == std::string::npos) break;
    const std::string patterns = text.substr(at, end - at);
    size_t from = 0;
    for (;;) {
      const size_t bar = patterns.find('|', from);
      out.push_back(patterns.substr(from, bar == std::string::npos ? std::string::npos : bar - from));
      if (bar == std::string::npos) break;
      from = bar + 1;
    }
    at = end;
  }
  return out;
}

Result<std::filesystem::path> trusted_program(const std::filesystem::path& program) {
  const auto refuse = [&](const std::string& why) {
    return fail(Errc::permission, program.string(),
                fmt::format("{}; what runs vfiokit as root (a rule at every boot, the device plugin) must run an "
                            "installed vfiokit that only root can replace (cmake --install, or the vfiokit package)",
                            why));
  };
  // Both the way the rule names it (each directory of that path, and a
  // link there) and where that leads must be root's alone.
  const auto root_only = [&](const std::filesystem::path& from, bool follow_last) -> Result<void> {
    struct stat st {};
    for (auto p = from;; p = p.parent_path()) {
      const int rc = p == from && follow_last ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st);
      if (rc != 0) return refuse(fmt::format("{} cannot be checked", p.string()));
      if (st.st_uid != 0) return refuse(fmt::format("{} is not owned by root", p.string()));
      // A link's own mode means nothing; what it names is checked. A
      // directory others may write is safe above a root-owned entry only
      // with the sticky bit (as /tmp has it): then nobody but root can
      // rename or remove what root owns in it (inode(7), S_ISVTX).
      const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
      if (!S_ISLNK(st.st_mode) && !sticky_dir && (st.st_mode & (S_IWGRP | S_IWOTH)))
        return refuse(fmt::format("{} may be written by others", p.string()));
      if (p == p.root_path() || p.empty()) return {};
    }
  };
  std::error_code ec;
  const auto real = std::filesystem::canonical(program, ec);
  if (ec || !program.is_absolute()) return refuse("is not there");
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return refuse("is not a program");
  if (auto ok = root_only(program, false); !ok) return std::unexpected(ok.error());
  if (auto ok = root_only(real, true); !ok) return std::unexpected(ok.error());
  return program;
}

Result<std::filesystem::path> write_persist_rule(const std::filesystem::path& dir,
                                                 const std::vector<pci::Bdf>& endpoints, const std::string& driver,
                                                 const std::filesystem::path& program) {
  const auto file = persist_rule_file(dir, endpoints);
  // 0644 whatever the umask; created exclusively under a new name and
  // renamed into place, so nothing planted in the directory is followed.
  if (auto ok = write_file_durably(file, persist_rule_text(endpoints, driver, program.string()), 0644); !ok)
    return fail(ok.error());
  return file;
}

namespace {

// RUN+="PROGRAM bind --driver DRIVER %k", as persist_rule_text writes it.
void read_run_key(const std::string& text, PersistRule& rule) {
  constexpr std::string_view kRun = "RUN+=\"";
  const size_t at = text.find(kRun);
  if (at == std::string::npos) return;
  const size_t from = at + kRun.size();
  const size_t end = text.find('"', from);
  std::vector<std::string> words;
  std::string word;
  for (char c : text.substr(from, end == std::string::npos ? std::string::npos : end - from)) {
    if (c != ' ') word += c;
    else if (!word.empty()) words.push_back(std::exchange(word, ""));
  }
  if (!word.empty()) words.push_back(word);
  if (!words.empty()) rule.program = words[0];
  for (size_t i = 0; i + 1 < words.size(); ++i)
    if (words[i] == "--driver") rule.driver = words[i + 1];
}

}  // namespace

Result<std::vector<PersistRule>> list_persist_rules(const std::filesystem::path& dir) {
  std::vector<PersistRule> rules;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec == std::errc::no_such_file_or_directory) return rules;
  if (ec) return fail(Error::from_errno(ec.value(), dir.string(), "cannot list the udev rules"));
  for (const auto& e : it) {
    const auto name = e.path().filename().string();
    if (name.rfind("70-vfiokit-", 0) != 0 || e.path().extension() != ".rules") continue;
    // The rules directory may be one the caller named: a planted link or
    // FIFO is neither followed nor waited on.
    auto text = read_regular_file(e.path(), 64 * 1024, "a udev rule");
    if (!text || !*text) continue;
    PersistRule rule{e.path(), persist_rule_endpoints(**text), {}, {}};
    read_run_key(**text, rule);
    rules.push_back(std::move(rule));
  }
  std::sort(rules.begin(), rules.end(), [](const PersistRule& a, const PersistRule& b) { return a.file < b.file; });
  return rules;
}

Result<std::vector<std::filesystem::path>> remove_persist_rules(const std::filesystem::path& dir,
                                                                const std::vector<pci::Bdf>& endpoints) {
  auto rules = list_persist_rules(dir);
  if (!rules) return fail(rules.error());
  std::vector<std::filesystem::path> removed;
  for (const auto& rule : *rules) {
    bool mentions = false;
    for (const auto& bdf : endpoints)
      if (std::find(rule.endpoints.begin(), rule.endpoints.end(), bdf.str()) != rule.endpoints.end()) mentions = true;
    if (!mentions) continue;
    std::error_code rec;
    std::filesystem::remove(rule.file, rec);
    if (rec) return fail(Error::from_errno(rec.value(), rule.file.string(), "cannot remove"));
    removed.push_back(rule.file);
  }
  return removed;
}

}  // namespace vfiokit::host
