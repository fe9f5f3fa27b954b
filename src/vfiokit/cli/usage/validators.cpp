// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/usage/validators.hpp"

#include "vfiokit/base/uuid.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/selection/device_patterns.hpp"
#include "vfiokit/vfio/device_address.hpp"

namespace vfiokit::cli {
namespace {

// A value is good when `parse` accepts it; CLI11 puts the option's name
// before the message: "BDF: 'zz': no '.' ...".
template <class Parse>
CLI::Validator accepted_by(Parse parse, const char* name) {
  return CLI::Validator(
      [parse](std::string& text) -> std::string {
        auto parsed = parse(text);
        return parsed ? std::string() : "'" + text + "': " + parsed.error().message();
      },
      name);
}

}  // namespace

CLI::Validator bdf_value() {
  return accepted_by([](const std::string& t) { return pci::Bdf::parse(t); }, "BDF");
}

CLI::Validator device_address_value() {
  return accepted_by([](const std::string& t) { return vfio::DeviceAddress::parse(t); }, "DEVICE");
}

CLI::Validator uuid_value() {
  return accepted_by([](const std::string& t) { return Uuid::parse(t); }, "UUID");
}

CLI::Validator slot_pattern_value() {
  return accepted_by([](const std::string& t) { return pci::SlotPattern::parse(t); }, "SLOT");
}

CLI::Validator id_pattern_value() {
  return accepted_by([](const std::string& t) { return pci::IdPattern::parse(t); }, "ID");
}

CLI::Validator bar_index_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.size() == 1 && text[0] >= '0' && text[0] <= '5') return "";
        return "BAR index '" + text + "': a function has BARs 0 to 5";
      },
      "0-5");
}

}  // namespace vfiokit::cli
