// SPDX-License-Identifier: Apache-2.0
// `vfiokit libvirt-hook DOMAIN OPERATION SUB-OPERATION [EXTRA]`: libvirt's
// QEMU hook (https://libvirt.org/hooks.html), installed as
// /etc/libvirt/hooks/qemu.d/vfiokit. libvirt runs it with the domain's
// name, the operation and its sub-operation, and the domain's XML on
// standard input; a failing hook (non-zero status) makes libvirt refuse to
// start the domain, with what the hook wrote to standard error.
//   prepare begin  the domain's profile up: the one its <metadata> names
//                  (PROFILES_DIR/NAME.toml), else one derived from its PCI
//                  <hostdev> addresses (their whole groups, named
//                  libvirt-DOMAIN)
//   release end    that profile down
// Everything else, and a domain with neither, is nothing to do.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "vfiokit/cli/commands/commands.hpp"
#include "vfiokit/cli/commands/profile_actions.hpp"
#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/render/output.hpp"
#include "vfiokit/cli/usage/exit_status.hpp"
#include "vfiokit/host/profile/libvirt_domain.hpp"

namespace vfiokit::cli {

namespace {

struct HookOptions {
  std::string domain, operation, sub_operation, extra;
  std::string profiles_dir = kDefaultProfilesDir;
  ChangeRoot where;
};

// Standard input, whole, up to the limit (what libvirt writes is the domain's XML).
Result<std::string> read_stdin(size_t limit) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Error::from_errno(errno, "standard input", "cannot read the domain XML"));
    if (n == 0) return out;
    out.append(buf, size_t(n));
    if (out.size() > limit)
      return fail(Errc::invalid_argument, "the domain XML", fmt::format("is larger than {} bytes", limit));
  }
}

// The profile of a domain without one named: "libvirt-" and its name, with
// what a profile name cannot hold replaced.
std::string derived_name(const std::string& domain) {
  std::string out = "libvirt-";
  for (char c : domain.substr(0, 48))
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
  return out;
}

int run_hook(const HookOptions& o) {
  const bool up = o.operation == "prepare" && o.sub_operation == "begin";
  const bool down = o.operation == "release" && o.sub_operation == "end";
  if (!up && !down) return kExitOk;  // the other moments of a domain's life need nothing of vfiokit
  auto xml = read_stdin(host::kDomainXmlLimit);
  if (!xml) return print_error(xml.error()), kExitFailure;
  auto domain = host::parse_libvirt_domain(*xml);
  if (!domain) return print_error(domain.error()), kExitFailure;
  if (domain->name != o.domain)
    return print_error(Error(Errc::invalid_argument, "the domain XML",
                             fmt::format("describes domain '{}', not '{}'", domain->name, o.domain))),
           kExitFailure;
  if (domain->profile) {
    if (auto ok = host::check_profile_name(*domain->profile); !ok) return print_error(ok.error()), kExitFailure;
    if (down) return down_profile(*domain->profile, o.where, false);
    auto profile = host::read_profile(std::filesystem::path(o.profiles_dir) / (*domain->profile + ".toml"));
    if (!profile) return print_error(profile.error()), kExitFailure;
    return up_profile(*profile, o.where, false, false);
  }
  if (domain->hostdevs.empty()) return kExitOk;
  const std::string name = derived_name(domain->name);
  if (down) return down_profile(name, o.where, false);
  return up_functions(name, domain->hostdevs, o.where);
}

}  // namespace

Runner add_libvirt_hook_command(CLI::App& app) {
  auto o = std::make_shared<HookOptions>();
  CLI::App* cmd = app.add_subcommand(
      "libvirt-hook", "libvirt's QEMU hook: a domain's profile up at prepare/begin, down at release/end");
  cmd->add_option("DOMAIN", o->domain, "the domain's name, as libvirt passes it")->required();
  cmd->add_option("OPERATION", o->operation, "prepare, start, started, stopped, release, ...")->required();
  cmd->add_option("SUB_OPERATION", o->sub_operation, "begin, end or -")->required();
  cmd->add_option("EXTRA", o->extra, "libvirt's extra argument (unused)");
  cmd->add_option("--profiles-dir", o->profiles_dir,
                  fmt::format("where profiles named in a domain's metadata are (default {})", kDefaultProfilesDir));
  add_change_root_options(cmd, o->where);
  return [cmd, o] { return cmd->parsed() ? run_hook(*o) : -1; };
}

}  // namespace vfiokit::cli
