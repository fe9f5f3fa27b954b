// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over what vfiokit-device-plugin parses from outside: a
// netlink uevent (the first byte 0) and its configuration file (else).
// A uevent's fields must be pieces of the message with no NUL in them; a
// configuration accepted must hold only resource names the kubelet would
// accept, each giving an environment variable name of [A-Z0-9_-]. A
// violation is a crash here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vfiokit/deviceplugin/config/plugin_config.hpp"
#include "vfiokit/deviceplugin/events/uevent_message.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void piece_of(std::string_view message, const std::string& field) {
  require(field.find('\0') == std::string::npos);
  require(message.find(field) != std::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vfiokit::deviceplugin;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 0) {
    if (auto e = parse_uevent(input)) {
      require(!e->action.empty() && !e->devpath.empty() && !e->subsystem.empty());
      piece_of(input, e->action);
      piece_of(input, e->devpath);
      piece_of(input, e->subsystem);
      (void)matters_for_health(*e);
      (void)changes_devices(*e);
    }
    return 0;
  }
  if (auto c = parse_plugin_config(input, "fuzz.toml")) {
    require(!c->resources.empty());
    for (const auto& r : c->resources) {
      require(check_resource_name(r.name).has_value());
      require(r.patterns.empty() != !r.profile.has_value());
      for (char ch : pci_resource_env(r.name))
        require((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-');
    }
  }
  return 0;
}
