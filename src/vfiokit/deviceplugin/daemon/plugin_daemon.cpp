// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/daemon/plugin_daemon.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "vfiokit/deviceplugin/events/kubelet_dir_watch.hpp"
#include "vfiokit/deviceplugin/events/tree_watch.hpp"
#include "vfiokit/deviceplugin/events/uevent_socket.hpp"
#include "vfiokit/deviceplugin/service/plugin_server.hpp"
#include "vfiokit/host/tools/run_tool.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::deviceplugin {

namespace {

// How long a kubelet's start takes from removing the sockets to listening
// on kubelet.sock again (milliseconds; it does nothing else between).
constexpr std::chrono::milliseconds kKubeletSettle{200};

std::string describe_device(const std::string& resource, const PluginDevice& d) {
  std::string functions;
  for (const auto& f : d.functions) functions += (functions.empty() ? "" : " ") + f.str();
  std::string line = fmt::format("{} {} (IOMMU group {}: {}): {}", resource, d.id, d.group, functions,
                                 d.healthy ? kHealthy : kUnhealthy);
  if (!d.healthy) line += ": " + d.reason;
  if (!d.numa_nodes.empty()) {
    std::string nodes;
    for (auto n : d.numa_nodes) nodes += (nodes.empty() ? "" : ",") + std::to_string(n);
    line += ", NUMA node " + nodes;
  }
  return line;
}

// The server sockets must be the kubelet's only: the directory is root's.
bool ours(const std::vector<std::unique_ptr<DeviceBoard>>& boards, const std::string& name) {
  return std::any_of(boards.begin(), boards.end(),
                     [&](const auto& b) { return endpoint_for(b->config().name) == name; });
}

}  // namespace

Result<std::unique_ptr<PluginDaemon>> PluginDaemon::prepare(DaemonOptions options) {
  std::unique_ptr<PluginDaemon> d(new PluginDaemon(std::move(options)));
  for (const auto& r : d->options_.config.resources) d->boards_.push_back(std::make_unique<DeviceBoard>(r));
  auto found = d->read_devices();
  if (!found) return fail(found.error());
  // bind = true: each group not yet whole on vfio-pci goes through `vfiokit
  // bind`, which plans, journals, applies and rolls back (one group failing
  // leaves it Unhealthy and the others served).
  bool bound = false;
  for (size_t i = 0; i < found->size(); ++i) {
    if (!d->options_.config.resources[i].bind) continue;
    for (unsigned group : groups_to_bind((*found)[i])) {
      std::vector<std::string> argv = {"vfiokit", "bind", "--group", std::to_string(group)};
      if (!d->options_.simulate.empty()) argv.insert(argv.end(), {"--simulate", d->options_.simulate});
      d->log(fmt::format("binding IOMMU group {} for {}: {}", group, d->options_.config.resources[i].name,
                         fmt::join(argv, " ")));
      if (auto ok = host::run_program(d->options_.vfiokit_program, argv, fmt::format("IOMMU group {}", group)); !ok)
        d->log(fmt::format("binding IOMMU group {} failed, it stays Unhealthy: {}", group, ok.error().describe()));
      bound = true;
    }
  }
  if (bound) {
    found = d->read_devices();
    if (!found) return fail(found.error());
  }
  d->publish(std::move(*found), false);
  return d;
}

PluginDaemon::~PluginDaemon() {
  for (auto& b : boards_) b->close();
  servers_.clear();
}

void PluginDaemon::log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

Result<std::vector<ResourceDevices>> PluginDaemon::read_devices() const {
  const host::HostView view = host::read_host(options_.root, host::Detail::summary, host::Predict::nothing);
  return find_resource_devices(options_.root, view, options_.config);
}

void PluginDaemon::publish(std::vector<ResourceDevices> found, bool keep_vanished) {
  notes_.resize(boards_.size());
  for (size_t i = 0; i < boards_.size(); ++i) {
    auto& devices = found[i].devices;
    const auto before = boards_[i]->snapshot().devices;
    // A device the kubelet was told of stays on the list, Unhealthy, when
    // its functions leave the host: the kubelet then knows that the pods
    // holding it lost it, which a shorter list does not say.
    if (keep_vanished)
      for (auto old : before)
        if (std::none_of(devices.begin(), devices.end(), [&](const auto& n) { return n.id == old.id; })) {
          old.healthy = false;
          old.reason = "its functions left the host";
          devices.push_back(std::move(old));
        }
    std::sort(devices.begin(), devices.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (const auto& d : devices) {
      auto was = std::find_if(before.begin(), before.end(), [&](const auto& o) { return o.id == d.id; });
      if (was == before.end() || was->healthy != d.healthy) log(describe_device(boards_[i]->config().name, d));
    }
    notes_[i] = found[i].notes;
    boards_[i]->publish(std::move(devices));
  }
}

void PluginDaemon::refresh_health() {
  for (auto& board : boards_) {
    auto devices = board->snapshot().devices;
    bool changed = false;
    for (auto& d : devices)
      if (deviceplugin::refresh_health(options_.root, d)) {
        changed = true;
        log(describe_device(board->config().name, d));
      }
    if (changed) board->publish(std::move(devices));
  }
}

std::vector<std::string> PluginDaemon::describe() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < boards_.size(); ++i) {
    const auto devices = boards_[i]->snapshot().devices;
    out.push_back(fmt::format(
        "{}: {} device{} (socket {}, {} {})", boards_[i]->config().name, devices.size(), devices.size() == 1 ? "" : "s",
        endpoint_for(boards_[i]->config().name), pci_resource_env(boards_[i]->config().name),
        boards_[i]->config().nodes == DeviceNodes::group ? "with /dev/vfio/N" : "with the VFIO cdevs"));
    for (const auto& d : devices) out.push_back("  " + describe_device(boards_[i]->config().name, d));
    if (i < notes_.size())
      for (const auto& n : notes_[i]) out.push_back("  left out: " + n);
  }
  return out;
}

Result<void> PluginDaemon::serve_and_register() {
  servers_.clear();  // the old sockets go first: a restarted kubelet has forgotten them
  for (const auto& board : boards_) {
    auto server = PluginServer::start(options_.plugin_dir, *board, options_.root);
    if (!server) return fail(server.error());
    servers_.push_back(std::move(*server));
  }
  for (const auto& server : servers_) {
    auto ok = server->register_with_kubelet();
    if (ok) {
      log(fmt::format("registered {} with the kubelet (socket {})", server->resource(), server->endpoint()));
      continue;
    }
    if (ok.error().code() != Errc::not_found) return fail(ok.error());
    log(fmt::format("{}; waiting for the kubelet to create {}", ok.error().describe(), kKubeletSocket));
    break;  // the others would wait alike; all register once kubelet.sock appears
  }
  return {};
}

Result<void> PluginDaemon::run(int stop_fd) {
  std::unique_ptr<HostChanges> changes;
  if (options_.root.is_live()) {
    auto s = UeventSocket::open();
    if (!s) return fail(s.error());
    changes = std::move(*s);
  } else {
    auto w = TreeWatch::open(options_.root);
    if (!w) return fail(w.error());
    changes = std::move(*w);
  }
  auto kubelet = KubeletDirWatch::open(options_.plugin_dir, [this](const std::string& n) { return ours(boards_, n); });
  if (!kubelet) return fail(kubelet.error());
  // What changed between the first read and the watches is read now.
  refresh_health();
  if (auto ok = serve_and_register(); !ok) return ok;
  (void)(*kubelet)->drain();  // our own sockets' comings and goings
  for (;;) {
    pollfd fds[3] = {{stop_fd, POLLIN, 0}, {changes->fd(), POLLIN, 0}, {(*kubelet)->fd(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return fail(Error::from_errno(errno, "device plugin", "poll failed"));
    }
    if (fds[0].revents) return {};
    if (fds[1].revents) {
      auto pending = changes->drain();
      if (!pending) return fail(pending.error());
      if (pending->devices) {
        auto found = read_devices();
        if (!found)
          log(fmt::format("reading the host again failed, keeping the last list: {}", found.error().describe()));
        else publish(std::move(*found), true);
      } else if (pending->health) {
        refresh_health();
      }
    }
    if (fds[2].revents) {
      auto events = (*kubelet)->drain();
      if (!events) return fail(events.error());
      if (events->kubelet_started || events->socket_removed) {
        // A starting kubelet removes the sockets, then creates kubelet.sock:
        // both are taken as one restart, so the plugin serves and registers
        // once, after the kubelet is listening.
        std::this_thread::sleep_for(kKubeletSettle);
        auto more = (*kubelet)->drain();
        if (!more) return fail(more.error());
        log(events->kubelet_started || more->kubelet_started ? "the kubelet (re)started: serving and registering again"
                                                             : "a socket of ours was removed: serving again");
        if (auto ok = serve_and_register(); !ok) return ok;
        (void)(*kubelet)->drain();  // our own sockets' comings and goings
      }
    }
  }
}

}  // namespace vfiokit::deviceplugin
