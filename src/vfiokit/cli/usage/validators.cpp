#include "vfiokit/cli/usage/validators.hpp"

#include "vfiokit/base/uuid.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/vfio/device_address.hpp"

namespace vfiokit::cli {

CLI::Validator bdf_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto bdf = pci::Bdf::parse(text);
        // CLI11 puts the option's name first: "BDF: 'zz': no '.' ...".
        return bdf ? std::string() : "'" + text + "': " + bdf.error().message();
      },
      "BDF");
}

CLI::Validator device_address_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto address = vfio::DeviceAddress::parse(text);
        return address ? std::string() : "'" + text + "': " + address.error().message();
      },
      "DEVICE");
}

CLI::Validator uuid_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto uuid = Uuid::parse(text);
        return uuid ? std::string() : "'" + text + "': " + uuid.error().message();
      },
      "UUID");
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
