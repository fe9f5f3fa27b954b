#include "vfiokit/host/binding/persistence.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vfiokit::host {

std::filesystem::path choose_rules_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (const char* env = std::getenv(kUdevRulesDirEnv); env && *env) return env;
  return kDefaultUdevRulesDir;
}

std::filesystem::path persist_rule_file(const std::filesystem::path& dir, const std::vector<pci::Bdf>& endpoints) {
  return dir / fmt::format("70-vfiokit-{}.rules", endpoints.empty() ? std::string("none") : endpoints.front().str());
}

std::string persist_rule_text(const std::vector<pci::Bdf>& endpoints, const std::string& driver,
                              const std::string& vfiokit_path) {
  std::string out = fmt::format(
      "# Written by `vfiokit bind --persist`; `vfiokit release --persist` removes it.\n"
      "# Binds the IOMMU group of these functions to {} when the kernel adds them.\n",
      driver);
  for (const auto& bdf : endpoints)
    out += fmt::format("ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"{}\", RUN+=\"{} bind --driver {} {}\"\n",
                       bdf.str(), vfiokit_path, driver, bdf.str());
  return out;
}

Result<std::filesystem::path> write_persist_rule(const std::filesystem::path& dir,
                                                 const std::vector<pci::Bdf>& endpoints, const std::string& driver) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return fail(Error::from_errno(ec.value(), "/proc/self/exe", "cannot find the vfiokit binary"));
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Error::from_errno(ec.value(), dir.string(), "cannot create the rules directory"));
  const auto file = persist_rule_file(dir, endpoints);
  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << persist_rule_text(endpoints, driver, self.string());
    if (!out.flush()) return fail(Error::from_errno(errno, tmp, "cannot write"));
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) return fail(Error::from_errno(ec.value(), file.string(), "cannot install"));
  return file;
}

Result<std::vector<std::filesystem::path>> remove_persist_rules(const std::filesystem::path& dir,
                                                                const std::vector<pci::Bdf>& endpoints) {
  std::vector<std::filesystem::path> removed;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.rfind("70-vfiokit-", 0) != 0 || e.path().extension() != ".rules") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    bool mentions = false;
    for (const auto& bdf : endpoints)
      if (text.str().find(fmt::format("KERNEL==\"{}\"", bdf.str())) != std::string::npos) mentions = true;
    if (!mentions) continue;
    std::error_code rec;
    std::filesystem::remove(e.path(), rec);
    if (rec) return fail(Error::from_errno(rec.value(), e.path().string(), "cannot remove"));
    removed.push_back(e.path());
  }
  return removed;
}

}  // namespace vfiokit::host
