// SPDX-License-Identifier: Apache-2.0
// `vfiokit decode FILE [--json]`: decode config-space dumps.
#include <fmt/format.h>

#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/render/device_json.hpp"
#include "vfiokit/cli/render/device_text.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"
#include "vfiokit/pci/dump_format.hpp"

namespace vfiokit::cli {
namespace {

// Large enough for `lspci -xxxx` of a few hundred devices.
constexpr size_t kMaxDumpBytes = 64u << 20;

struct DecodeOptions {
  std::string file;
  bool json = false;
};

int run_decode(const DecodeOptions& o) {
  const std::string path = o.file == "-" ? "/dev/stdin" : o.file;
  auto content = host::read_file_bytes(path, kMaxDumpBytes + 1);
  if (!content) {
    print_error(content.error());
    return 1;
  }
  if (content->size() > kMaxDumpBytes) {
    print_error_line(fmt::format("{}: larger than {} bytes; not a config-space dump", o.file, kMaxDumpBytes));
    return 1;
  }
  auto devices = pci::parse_dump(*content, o.file);
  if (!devices) {
    print_error(devices.error());
    return 1;
  }
  host::PciNames names;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  int status = 0;
  for (const auto& dumped : *devices) {
    const pci::DecodedDevice decoded = pci::decode_device(dumped.config);
    DeviceLabel label;
    label.bdf = dumped.bdf;
    label.title = dumped.title;
    label.source_line = dumped.line;
    if (o.json) list.push_back(device_json(label, decoded, names));
    else fmt::print("{}\n", device_text(label, decoded, names));
    const std::string who =
        dumped.bdf ? dumped.bdf->str() : (dumped.line ? fmt::format("line {}", dumped.line) : "config space");
    for (const auto& line : device_defect_lines(decoded)) {
      print_error_line(fmt::format("{}: {}: {}", o.file, who, line));
      status = 1;
    }
  }
  if (o.json) print_json(nlohmann::ordered_json{{"schema", kDevicesSchema}, {"devices", list}});
  return status;
}

}  // namespace

Runner add_decode_command(CLI::App& app) {
  auto options = std::make_shared<DecodeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "decode", "Decode config-space dumps: lspci -x/-xxx/-xxxx text (one or many devices) or raw 64/256/4096 bytes");
  cmd->add_option("FILE", options->file, "the dump file, or - for standard input")->required();
  cmd->add_flag("--json", options->json, "print JSON (schema vfiokit.devices/2)");
  return [cmd, options] { return cmd->parsed() ? run_decode(*options) : -1; };
}

}  // namespace vfiokit::cli
