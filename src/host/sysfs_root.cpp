#include "host/sysfs_root.hpp"

#include <cstdlib>

namespace vfiokit::host {

SysfsRoot SysfsRoot::choose(const std::string& explicit_root) {
  if (!explicit_root.empty()) return SysfsRoot(explicit_root);
  if (const char* env = std::getenv(kSysfsRootEnv); env && *env) return SysfsRoot(env);
  return SysfsRoot("/sys");
}

}  // namespace vfiokit::host
