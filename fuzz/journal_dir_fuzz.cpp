// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over a whole journal directory, as `status` and
// `recover` find it after a crash or after someone else wrote to it:
// several files at once (the input holds them, each "NAME\n" then its
// content, separated by "\n--\n"). The listing, the changes made from the
// entries and their undo run against a simulated host that records writes
// instead of making them. A bad file must be reported and skipped while
// the others are handled; never a crash.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "vfiokit/host/archive/private_dir.hpp"
#include "vfiokit/host/change/recovery.hpp"
#include "vfiokit/host/known_changes.hpp"

namespace {

// Writes nothing: the undo of a hostile entry runs, but touches no host.
class NoWrites final : public vfiokit::host::AttrWriter {
 public:
  vfiokit::Result<void> write(const std::filesystem::path&, std::string_view) override {
    return vfiokit::fail(vfiokit::Errc::io, "fuzz", "no writes here");
  }
  vfiokit::Result<void> load_module(const std::string&) override { return {}; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vfiokit::host;
  auto dir = PrivateDir::create();
  if (!dir) __builtin_trap();
  const auto journal_dir = dir->path() / "journal";
  const auto sysfs = dir->path() / "sys";
  ::mkdir(journal_dir.c_str(), 0700);
  ::mkdir(sysfs.c_str(), 0700);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (int files = 0; !input.empty() && files < 8; ++files) {
    const size_t end = input.find("\n--\n");
    std::string_view chunk = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 4);
    const size_t newline = chunk.find('\n');
    const std::string name(chunk.substr(0, newline));
    if (name.empty() || name.find('/') != std::string::npos || name.find('\0') != std::string::npos || name == "." ||
        name == "..")
      continue;
    std::ofstream(journal_dir / name, std::ios::binary)
        << (newline == std::string_view::npos ? std::string_view() : chunk.substr(newline + 1));
  }
  const Journal journal(journal_dir);
  (void)journal.list();
  const SysfsRoot root = SysfsRoot(sysfs).with_writer(std::make_shared<NoWrites>());
  ExecutionOptions options;
  options.probe_timeout_ms = 0;
  options.deferred_probe_ms = 0;
  (void)recover_changes(root, journal, known_change_kinds(), options, {});
  return 0;
}
