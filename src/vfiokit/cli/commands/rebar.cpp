// SPDX-License-Identifier: Apache-2.0
// `vfiokit rebar BDF [--json]` (a host, live or a snapshot) and
// `vfiokit rebar --from DUMP [--json]` (lspci -xxxx text): each resizable
// BAR's current and supported sizes, extended sizes included; on a host
// also what `resourceN_resize` reports (and whether it agrees), the
// upstream bridge window holding the BAR, what else sits in it, and which
// larger sizes would fit without moving anything. With --bar and --size it
// resizes (cli/rebar_resize).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/commands/rebar_resize.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/render/device_json.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/rebar/view.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"
#include "vfiokit/pci/dump_format.hpp"

namespace vfiokit::cli {
namespace {

using json = nlohmann::ordered_json;

struct RebarOptions {
  std::string bdf;
  std::string from;
  HostOptions host;
  ResizeOptions resize;
};

std::string sizes(const std::vector<unsigned>& encodings) {
  std::string out;
  for (unsigned e : encodings) out += (out.empty() ? "" : " ") + pci::rebar::size_of(e).str();
  return out.empty() ? "none" : out;
}

json entries_json(const pci::DecodedCapability& cap, const pci::ResizableBar& r) {
  json out = json::array();
  for (const auto& e : r.entries) {
    json sup = json::array();
    for (unsigned enc : e.supported_encodings()) sup.push_back(size_json(pci::rebar::size_of(enc)));
    out.push_back({{"offset", cap.ref.offset},
                   {"vf", r.for_vfs},
                   {"bar", e.bar_index},
                   {"current_size", size_json(e.current_size())},
                   {"supported_sizes", sup}});
  }
  return out;
}

int run_from_dump(const RebarOptions& o) {
  auto content = host::read_file_bytes(o.from, 16 << 20);
  if (!content) return print_error(content.error()), 1;
  auto devices = pci::parse_dump(*content, o.from);
  if (!devices) return print_error(devices.error()), 1;
  json list = json::array();
  for (const auto& d : *devices) {
    const std::string name = d.bdf ? d.bdf->str() : o.from;
    if (!o.bdf.empty() && name.find(o.bdf) == std::string::npos) continue;
    const auto decoded = pci::decode_device(d.config);
    json bars = json::array();
    if (!o.host.json) fmt::print("{}\n", name);
    for (const auto& cap : decoded.capabilities) {
      const auto* r = std::get_if<pci::ResizableBar>(&cap.body);
      if (!r) continue;
      for (auto& e : entries_json(cap, *r)) bars.push_back(e);
      if (!o.host.json)
        for (const auto& e : r->entries)
          fmt::print("  {}BAR {}: current {}, supported {}\n", r->for_vfs ? "VF " : "", e.bar_index,
                     e.current_size().str(), sizes(e.supported_encodings()));
    }
    if (bars.empty() && !o.host.json) fmt::print("  no Resizable BAR capability\n");
    list.push_back({{"bdf", name}, {"rebar", bars}});
  }
  if (o.host.json) print_json(json{{"schema", "vfiokit.rebar/2"}, {"devices", list}});
  return 0;
}

int run_on_host(const RebarOptions& o) {
  auto bdf = pci::Bdf::parse(o.bdf);
  if (!bdf) return print_error(bdf.error()), 1;
  auto source = open_host_source(o.host);
  if (!source) return 1;
  const host::HostView view = host::read_host(source->root());
  const host::PciFunction* f = view.function(*bdf);
  if (!f) return print_error(Error(Errc::not_found, bdf->str(), "no such PCI function")), 1;
  const auto placements = host::rebar_placements(source->root(), view, *f);
  json bars = json::array();
  int status = 0;
  if (!o.host.json) fmt::print("{}\n", bdf->str());
  if (placements.empty() && !o.host.json) fmt::print("  no Resizable BAR capability\n");
  for (const auto& p : placements) {
    json supported = json::array();
    for (unsigned e : p.entry.supported_encodings()) supported.push_back(size_json(pci::rebar::size_of(e)));
    json j{{"bar", p.bar}, {"current_size", size_json(p.entry.current_size())}, {"supported_sizes", supported}};
    j["resource_resize"] = p.resize_bitmap ? json(*p.resize_bitmap) : json(nullptr);
    if (p.disagreement) status = 1;
    j["disagreement"] = p.disagreement ? json(*p.disagreement) : json(nullptr);
    j["assigned"] = p.assigned ? range_json(p.assigned->start, p.assigned->end) : json(nullptr);
    j["bridge"] = p.bridge ? json(p.bridge->str()) : json(nullptr);
    j["window"] = p.window ? range_json(p.window->start, p.window->end) : json(nullptr);
    json neighbours = json::array();
    for (const auto& n : p.neighbours)
      neighbours.push_back(
          {{"bdf", n.bdf.str()}, {"resource", n.resource}, {"range", range_json(n.range.start, n.range.end)}});
    j["in_window"] = neighbours;
    json fits = json::array();
    for (unsigned e : p.fits_in_place) fits.push_back(size_json(pci::rebar::size_of(e)));
    j["fits_in_place"] = fits;
    bars.push_back(j);
    if (o.host.json) continue;
    fmt::print("  BAR {}: current {}, supported {}\n", p.bar, p.entry.current_size().str(),
               sizes(p.entry.supported_encodings()));
    if (p.resize_bitmap)
      fmt::print("    resource{}_resize: {:016x}{}\n", p.bar, *p.resize_bitmap, p.disagreement ? "" : " (agrees)");
    if (p.disagreement) print_error_line(fmt::format("{}: BAR {}: {}", bdf->str(), p.bar, *p.disagreement));
    if (p.window)
      fmt::print("    in {}'s window 0x{:x}-0x{:x} with {} other resource(s); fits in place: {}\n", p.bridge->str(),
                 p.window->start, p.window->end, p.neighbours.size(), sizes(p.fits_in_place));
    else if (!p.assigned) fmt::print("    not assigned an address\n");
  }
  if (o.host.json) print_json(json{{"schema", "vfiokit.rebar-host/2"}, {"bdf", bdf->str()}, {"bars", bars}});
  return status;
}

}  // namespace

Runner add_rebar_command(CLI::App& app) {
  auto o = std::make_shared<RebarOptions>();
  CLI::App* cmd = app.add_subcommand("rebar", "Show a device's Resizable BARs: sizes, sysfs view, bridge window");
  cmd->footer(
      "With a BDF: each Resizable BAR of the function, its current and supported sizes, what sysfs offers\n"
      "(resourceN_resize) and the bridge window it sits in. With --bar N --size SIZE (or max) it resizes:\n"
      "the functions sharing the bridge window are removed and found again, their drivers and overrides\n"
      "put back, everything verified, journaled and rolled back on failure; --dry-run prints the plan.\n"
      "--from DUMP reads lspci -xxxx output instead of the host.\n");
  cmd->add_option("BDF", o->bdf, "a function on the host (or, with --from, which device of the dump)")
      ->check(bdf_value());
  cmd->add_option("--from", o->from, "read an lspci -xxxx dump instead of a host");
  add_host_options(cmd, o->host);
  add_resize_options(cmd, o->resize);
  return [cmd, o] {
    if (!cmd->parsed()) return -1;
    if (o->resize.requested()) {
      if (o->bdf.empty() || !o->from.empty())
        return print_error(Error(Errc::invalid_argument, "rebar", "a resize names a function on the host")), 2;
      return run_resize(o->bdf, o->host, o->resize);
    }
    if (!o->from.empty()) return run_from_dump(*o);
    if (o->bdf.empty()) return print_error(Error(Errc::invalid_argument, "rebar", "name a function or --from DUMP")), 2;
    return run_on_host(*o);
  };
}

}  // namespace vfiokit::cli
