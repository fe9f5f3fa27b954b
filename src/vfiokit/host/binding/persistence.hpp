// `bind --persist`: the binding comes back at boot. Like driverctl, vfiokit
// installs a udev rule; its action runs `vfiokit bind` itself for each
// endpoint as the kernel announces it, so the whole group is bound (with a
// fresh journal under /run) however the devices are ordered at boot and
// whatever host driver probed first. `release --persist` removes it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

inline constexpr const char* kUdevRulesDirEnv = "VFIOKIT_UDEV_RULES_DIR";
inline constexpr const char* kDefaultUdevRulesDir = "/etc/udev/rules.d";

// An explicit directory wins, then $VFIOKIT_UDEV_RULES_DIR, then /etc/udev/rules.d.
std::filesystem::path choose_rules_dir(const std::string& explicit_dir);

// The rule file for a group, named after its first endpoint (group numbers
// can change between boots; addresses rarely do).
std::filesystem::path persist_rule_file(const std::filesystem::path& dir, const std::vector<pci::Bdf>& endpoints);
std::string persist_rule_text(const std::vector<pci::Bdf>& endpoints, const std::string& driver,
                              const std::string& vfiokit_path);

Result<std::filesystem::path> write_persist_rule(const std::filesystem::path& dir,
                                                 const std::vector<pci::Bdf>& endpoints, const std::string& driver);
// Removes every vfiokit rule file that names one of `endpoints`; returns them.
Result<std::vector<std::filesystem::path>> remove_persist_rules(const std::filesystem::path& dir,
                                                                const std::vector<pci::Bdf>& endpoints);

}  // namespace vfiokit::host
