// SPDX-License-Identifier: Apache-2.0
// `vfiokit migrate save DEVICE FILE` / `migrate load DEVICE FILE`: a device's
// migration v2 state into a file and back, for devices that offer
// migration (VFIO_DEVICE_FEATURE_MIGRATION). DEVICE is a BDF on vfio-pci or
// an mdev UUID. Save walks RUNNING -> [PRE_COPY] -> STOP_COPY -> STOP; load
// walks STOP -> RESUMING -> STOP -> RUNNING. A saved source stays in STOP,
// as a migration source does, until it is reset or `--resume` runs it again
// (an mdev keeps its state across closes; vfio-pci resets a function when it
// is opened).
#include <fcntl.h>
#include <fmt/format.h>

#include <memory>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/validators.hpp"
#include "vfiokit/vfio/device.hpp"
#include "vfiokit/vfio/migration/migration_stream.hpp"

namespace vfiokit::cli {
namespace {

struct MigrateOptions {
  std::string device;
  std::string file;
  std::string backend = "auto";
  bool no_precopy = false;
  bool resume = false;
};

Result<std::unique_ptr<vfio::Device>> open_device(const MigrateOptions& o) {
  auto address = vfio::DeviceAddress::parse(o.device);
  if (!address) return fail(address.error());
  auto choice = vfio::parse_backend_choice(o.backend);
  if (!choice) return fail(choice.error());
  return vfio::Device::open(*address, *choice);
}

int run_save(const MigrateOptions& o) {
  auto dev = open_device(o);
  if (!dev) return print_error(dev.error()), 1;
  auto features = (*dev)->feature_ioctl();
  auto mig = vfio::Migration::attach(features);
  if (!mig) return print_error(mig.error()), 1;
  // Written beside FILE and renamed over it only when complete: a failed
  // save leaves an earlier FILE as it was.
  const std::string partial = o.file + ".partial";
  vfio::UniqueFd out(::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!out.valid()) return print_error(Error::from_errno(errno, partial, "cannot create")), 1;
  auto report = vfio::save_device_state(*mig, out.get(), !o.no_precopy, (*dev)->name());
  if (report && ::fsync(out.get()) != 0) report = fail(Error::from_errno(errno, partial, "fsync failed"));
  if (report && ::rename(partial.c_str(), o.file.c_str()) != 0)
    report = fail(Error::from_errno(errno, o.file, "cannot rename the saved state into place"));
  if (!report) {
    ::unlink(partial.c_str());
    return print_error(report.error()), 1;
  }
  fmt::print("{}: migration {}; saved {} bytes to {}\n", (*dev)->name(), mig->caps().describe(), report->total(),
             o.file);
  if (report->precopy_bytes || report->precopy.initial_bytes)
    fmt::print("  PRE_COPY: {} bytes (initial {} / dirty {} reported by VFIO_MIG_GET_PRECOPY_INFO)\n",
               report->precopy_bytes, report->precopy.initial_bytes, report->precopy.dirty_bytes);
  fmt::print("  STOP_COPY: {} bytes (MIG_DATA_SIZE estimated {})\n", report->stop_copy_bytes, report->estimated_bytes);
  if (o.resume) {
    if (auto ok = mig->transition(vfio::MigState::running); !ok) return print_error(ok.error()), 1;
    fmt::print("  the device runs again (RUNNING)\n");
  } else {
    fmt::print("  the device is left in STOP, as a migration source is (--resume runs it again)\n");
  }
  return 0;
}

int run_load(const MigrateOptions& o) {
  vfio::UniqueFd in(::open(o.file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return print_error(Error::from_errno(errno, o.file, "cannot open")), 1;
  auto dev = open_device(o);
  if (!dev) return print_error(dev.error()), 1;
  auto features = (*dev)->feature_ioctl();
  auto mig = vfio::Migration::attach(features);
  if (!mig) return print_error(mig.error()), 1;
  auto loaded = vfio::load_device_state(*mig, in.get(), (*dev)->name());
  if (!loaded) return print_error(loaded.error()), 1;
  fmt::print("{}: loaded {} bytes of device state from {}; the device is RUNNING\n", (*dev)->name(), *loaded, o.file);
  return 0;
}

}  // namespace

Runner add_migrate_command(CLI::App& app) {
  auto o = std::make_shared<MigrateOptions>();
  CLI::App* cmd = app.add_subcommand("migrate", "Save a device's migration state to a file, or load it");
  cmd->require_subcommand(1);
  CLI::App* save = cmd->add_subcommand("save", "RUNNING -> [PRE_COPY] -> STOP_COPY -> STOP, the stream into FILE");
  CLI::App* load = cmd->add_subcommand("load", "STOP -> RESUMING with FILE's stream -> RUNNING");
  for (CLI::App* sub : {save, load}) {
    sub->add_option("DEVICE", o->device, "a BDF on vfio-pci or an mdev UUID")
        ->required()
        ->check(device_address_value());
    sub->add_option("FILE", o->file, "the saved state")->required();
    sub->add_option("--backend", o->backend, "IOMMU backend: auto, type1, iommufd")
        ->check(CLI::IsMember({"auto", "type1", "iommufd"}));
  }
  save->add_flag("--no-precopy", o->no_precopy, "go straight to STOP_COPY even when the device offers PRE_COPY");
  save->add_flag("--resume", o->resume, "run the device again (RUNNING) after saving: a snapshot, not a migration");
  return [cmd, save, load, o] {
    if (!cmd->parsed()) return -1;
    if (save->parsed()) return run_save(*o);
    if (load->parsed()) return run_load(*o);
    return 2;
  };
}

}  // namespace vfiokit::cli
