// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/root.hpp"

#include <cstdlib>

#include "vfiokit/host/sysfs/write.hpp"
#include "vfiokit/host/tools/run_tool.hpp"

namespace vfiokit::host {

SysfsRoot SysfsRoot::choose(const std::string& explicit_root) {
  if (!explicit_root.empty()) return SysfsRoot(explicit_root);
  // secure_getenv: a setuid or otherwise elevated vfiokit ignores it.
  if (const char* env = ::secure_getenv(kSysfsRootEnv); env && *env) return SysfsRoot(env);
  return SysfsRoot("/sys");
}

Result<void> SysfsRoot::write(const std::filesystem::path& file, std::string_view value) const {
  return writer_ ? writer_->write(file, value) : write_attr(file, value);
}

}  // namespace vfiokit::host

namespace vfiokit::host {

Result<void> SysfsRoot::load_module(const std::string& name) const {
  if (writer_) return writer_->load_module(name);
  return run_tool({"modprobe", name}, "driver " + name);
}

}  // namespace vfiokit::host
