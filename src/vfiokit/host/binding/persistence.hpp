// SPDX-License-Identifier: Apache-2.0
// `bind --persist`: the binding comes back at boot. Like driverctl, vfiokit
// installs a udev rule, one per group: when the kernel announces any of the
// group's endpoints, it runs `vfiokit bind` for it, so the whole group is
// bound (with a fresh journal under /run) however the devices are ordered
// at boot and whatever host driver probed first; binds of one group wait
// for each other on the group's lock. `release --persist` removes it.
//
// The rule runs as root at every boot, so it runs only the installed
// program (kInstalledProgram), and only when nobody but root could have
// replaced it: the file and every directory above it owned by root and
// writable by nobody else. The rule file is written 0644.
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
// The endpoints a rule's text names (its KERNEL=="A|B" patterns).
std::vector<std::string> persist_rule_endpoints(const std::string& text);

// `program` when a root-run rule may call it (see above); an error naming
// what is wrong otherwise.
Result<std::filesystem::path> trusted_program(const std::filesystem::path& program);

// Writes the rule for a group, calling `program` (trusted_program's check
// is the caller's: the CLI passes the installed program).
Result<std::filesystem::path> write_persist_rule(const std::filesystem::path& dir,
                                                 const std::vector<pci::Bdf>& endpoints, const std::string& driver,
                                                 const std::filesystem::path& program);
// A rule file vfiokit wrote, as `status` lists it (like driverctl's
// list-persisted).
struct PersistRule {
  std::filesystem::path file;
  std::vector<std::string> endpoints;  // as the rule names them
  std::string driver;                  // "" when the rule does not say
  std::string program;                 // what the rule runs
};
// Every 70-vfiokit-*.rules file of `dir`, by name. A file that is not a
// regular file (a planted link or FIFO) is neither followed nor listed.
// A missing directory has no rules.
Result<std::vector<PersistRule>> list_persist_rules(const std::filesystem::path& dir);

// Removes every vfiokit rule file that names one of `endpoints`; returns them.
Result<std::vector<std::filesystem::path>> remove_persist_rules(const std::filesystem::path& dir,
                                                                const std::vector<pci::Bdf>& endpoints);

}  // namespace vfiokit::host
