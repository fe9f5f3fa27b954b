// SPDX-License-Identifier: Apache-2.0
// `vfiokit power BDF [--cycle] [--wakeup] [--json]`: the function's power as
// sysfs shows it (power_state, d3cold_allowed, runtime PM), and with
// --cycle a low-power round trip through VFIO: open the device (bound to
// vfio-pci), LOW_POWER_ENTRY, wait for the kernel to runtime-suspend it,
// then LOW_POWER_EXIT; with --wakeup, LOW_POWER_ENTRY_WITH_WAKEUP instead,
// woken by a device access, which the kernel reports on the eventfd.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/options/host_options.hpp"
#include "vfiokit/cli/render/json_output.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/host/power/power_state.hpp"
#include "vfiokit/vfio/device.hpp"
#include "vfiokit/vfio/device_features.hpp"

namespace vfiokit::cli {
namespace {

using nlohmann::ordered_json;

struct PowerOptions {
  std::string bdf;
  std::string backend = "auto";
  bool cycle = false;
  bool wakeup = false;
  bool json = false;
  std::string sysfs_root;
  int settle_ms = 2000;
};

// A runtime-suspended function reads as D3hot or D3cold.
const std::vector<std::string> kSuspended = {"D3hot", "D3cold"};

ordered_json power_json(const host::PowerView& v) {
  // null, as in every document, for what this kernel or tree does not say.
  const auto text_or_null = [](const std::string& s) { return s.empty() ? ordered_json(nullptr) : ordered_json(s); };
  ordered_json j{{"power_state", text_or_null(v.power_state)}};
  j["d3cold_allowed"] = v.d3cold_allowed ? ordered_json(*v.d3cold_allowed) : ordered_json(nullptr);
  j["runtime_status"] = text_or_null(v.runtime_status);
  j["runtime_control"] = text_or_null(v.runtime_control);
  return j;
}

std::string power_text(const host::PowerView& v) {
  return fmt::format(
      "power_state {}, d3cold_allowed {}, runtime {} (control {})", v.power_state.empty() ? "unknown" : v.power_state,
      v.d3cold_allowed ? (*v.d3cold_allowed ? "yes" : "no") : "n/a",
      v.runtime_status.empty() ? "n/a" : v.runtime_status, v.runtime_control.empty() ? "n/a" : v.runtime_control);
}

struct Step {
  std::string what;
  std::string power_state;
};

// The low-power round trip; every step records the power_state after it.
Result<std::vector<Step>> cycle(const pci::Bdf& bdf, vfio::BackendChoice choice, const PowerOptions& o) {
  const host::SysfsRoot root("/sys");
  std::vector<Step> steps;
  auto state = [&](std::vector<std::string> wanted) {
    return host::wait_for_power_state(root, bdf, wanted, o.settle_ms);
  };
  auto dev = vfio::Device::open(bdf, choice);
  if (!dev) return fail(dev.error());
  auto opened = state({"D0"});
  if (!opened) return fail(opened.error());
  steps.push_back({"opened through VFIO", *opened});
  auto features = (*dev)->feature_ioctl();
  std::optional<vfio::EventFd> wake;
  if (o.wakeup) {
    auto efd = vfio::EventFd::create();
    if (!efd) return fail(efd.error());
    wake = std::move(*efd);
    if (auto ok = vfio::low_power_entry_with_wakeup(features, *wake); !ok) return fail(ok.error());
  } else if (auto ok = vfio::low_power_entry(features); !ok) {
    return fail(ok.error());
  }
  auto low = state(kSuspended);
  if (!low) return fail(low.error());
  steps.push_back({o.wakeup ? "LOW_POWER_ENTRY_WITH_WAKEUP" : "LOW_POWER_ENTRY", *low});
  if (o.wakeup) {
    // Any ioctl on the device resumes it; the kernel then signals the
    // eventfd and leaves low power by itself.
    if (auto info = (*dev)->region_info(0); !info) return fail(info.error());
    auto count = wake->wait(o.settle_ms);
    if (!count) return fail(count.error());
    if (*count == 0) return fail(Errc::io, bdf.str(), "woke up but the wake-up eventfd was not signalled");
    auto woke = state({"D0"});
    if (!woke) return fail(woke.error());
    steps.push_back({fmt::format("device access; wake-up eventfd signalled ({})", *count), *woke});
  }
  if (auto ok = vfio::low_power_exit(features); !ok) return fail(ok.error());
  auto back = state({"D0"});
  if (!back) return fail(back.error());
  steps.push_back({"LOW_POWER_EXIT", *back});
  return steps;
}

int run_power(const PowerOptions& o) {
  auto bdf = pci::Bdf::parse(o.bdf);
  if (!bdf) return print_error(bdf.error()), 1;
  auto choice = vfio::parse_backend_choice(o.backend);
  if (!choice) return print_error(choice.error()), 2;
  const auto source = open_sysfs_root(o.sysfs_root);
  if (!source) return kExitFailure;
  auto before = host::read_power(source->root(), *bdf);
  if (!before) return print_error(before.error()), 1;
  ordered_json j{{"schema", "vfiokit.power/1"}, {"bdf", bdf->str()}, {"power", power_json(*before)}};
  std::string text = fmt::format("{}: {}\n", bdf->str(), power_text(*before));
  int status = 0;
  if (o.cycle) {
    auto steps = cycle(*bdf, *choice, o);
    if (!steps) {
      print_error(steps.error());
      status = 1;
    } else {
      j["cycle"] = ordered_json::array();
      for (const auto& s : *steps) {
        j["cycle"].push_back({{"step", s.what}, {"power_state", s.power_state}});
        text += fmt::format("  {:<48} -> {}\n", s.what, s.power_state);
      }
      const bool reached = std::find(kSuspended.begin(), kSuspended.end(), (*steps)[1].power_state) != kSuspended.end();
      j["reached_low_power"] = reached;
      if (!reached) {
        text += "  the device did not reach D3 (its driver keeps it active, or runtime PM is off: power/control)\n";
        status = 1;
      }
    }
  }
  if (o.json) print_json(j);
  else fmt::print("{}", text);
  return status;
}

}  // namespace

Runner add_power_command(CLI::App& app) {
  auto o = std::make_shared<PowerOptions>();
  CLI::App* cmd =
      app.add_subcommand("power", "Show a function's power state; --cycle enters and leaves VFIO low power");
  cmd->add_option("BDF", o->bdf, "device address, e.g. 0000:03:00.0")->required()->check(bdf_value());
  cmd->add_flag("--cycle", o->cycle,
                "open through VFIO, LOW_POWER_ENTRY, wait for D3, LOW_POWER_EXIT (needs vfio-pci)");
  cmd->add_flag("--wakeup", o->wakeup, "with --cycle: enter with a wake-up eventfd and wake by a device access");
  cmd->add_flag("--json", o->json, "print JSON (schema vfiokit.power/1)");
  add_sysfs_root_option(cmd, o->sysfs_root);
  cmd->add_option("--settle-ms", o->settle_ms, "how long to wait for each power state change (default 2000)")
      ->check(CLI::Range(1, 600000));
  cmd->add_option("--backend", o->backend, "IOMMU backend: auto, type1, iommufd")
      ->check(CLI::IsMember({"auto", "type1", "iommufd"}));
  return [cmd, o] {
    if (!cmd->parsed()) return -1;
    if (o->wakeup && !o->cycle) return usage_error("power: --wakeup goes with --cycle");
    if (o->cycle && !o->sysfs_root.empty())
      return usage_error("power: --cycle acts on this host's devices; --sysfs-root only shows another tree");
    return run_power(*o);
  };
}

}  // namespace vfiokit::cli
