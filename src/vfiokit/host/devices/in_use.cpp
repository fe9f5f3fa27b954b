// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/in_use.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Non-link-local addresses of an interface.
std::vector<std::string> addresses_of(const std::string& ifname) {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || ifname != a->ifa_name) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (a->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof(text));
      out.push_back(text);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr;
      if (IN6_IS_ADDR_LINKLOCAL(in6)) continue;  // every up interface has one
      inet_ntop(AF_INET6, in6, text, sizeof(text));
      out.push_back(text);
    }
  }
  freeifaddrs(list);
  return out;
}

}  // namespace

// Entries of /sys/class/CLASS whose device lives below the function: a disk
// (nvme/nvme0/nvme0n1, host0/.../block/sda), its partitions, an interface
// (net/eth0, virtio0/net/eth0). The class links lead to the real directories.
std::vector<std::string> class_members_below(const SysfsRoot& root, const pci::Bdf& bdf, const char* cls) {
  std::vector<std::string> out;
  std::error_code ec;
  const auto self = std::filesystem::canonical(root.device_dir(bdf), ec);
  if (ec) return out;
  const std::string prefix = self.string() + "/";
  for (const auto& e : std::filesystem::directory_iterator(root.path() / "class" / cls, ec)) {
    std::error_code lec;
    const auto real = std::filesystem::canonical(e.path(), lec);
    if (!lec && real.string().rfind(prefix, 0) == 0) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> block_devices_of(const SysfsRoot& root, const pci::Bdf& bdf) {
  return class_members_below(root, bdf, "block");
}

std::vector<std::string> interfaces_of(const SysfsRoot& root, const pci::Bdf& bdf) {
  return class_members_below(root, bdf, "net");
}

std::vector<std::pair<std::string, std::string>> mounted_devices(std::string_view mounts_table) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& line : lines(mounts_table)) {
    std::istringstream in(line);
    std::string source, target;
    if (!(in >> source >> target) || source.rfind("/dev/", 0) != 0) continue;
    out.emplace_back(source.substr(5), target);
  }
  return out;
}

std::vector<std::string> swap_devices(std::string_view swaps_table) {
  std::vector<std::string> out;
  for (const auto& line : lines(swaps_table)) {
    std::istringstream in(line);
    std::string source;
    if (in >> source && source.rfind("/dev/", 0) == 0) out.push_back(source.substr(5));
  }
  return out;
}

std::vector<std::string> interfaces_with_routes(std::string_view ipv4_routes, std::string_view ipv6_routes) {
  std::set<std::string> out;
  bool header = true;
  for (const auto& line : lines(ipv4_routes)) {  // "Iface Destination Gateway ..." then one route a line
    if (std::exchange(header, false)) continue;
    std::istringstream in(line);
    std::string iface;
    if (in >> iface) out.insert(iface);
  }
  for (const auto& line : lines(ipv6_routes)) {  // the interface is the last column
    std::istringstream in(line);
    std::string field, last;
    while (in >> field) last = field;
    if (!last.empty() && last != "lo") out.insert(last);
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> function_uses(const SysfsRoot& root, const pci::Bdf& bdf, const ProcTables& proc) {
  std::vector<std::string> uses;
  const auto blocks = block_devices_of(root, bdf);
  if (!blocks.empty()) {
    const auto mounts = mounted_devices(slurp(proc.mounts));
    const auto swaps = swap_devices(slurp(proc.swaps));
    for (const auto& b : blocks) {
      for (const auto& [dev, where] : mounts)
        if (dev == b) uses.push_back(fmt::format("block device {} is mounted at {}", b, where));
      if (std::find(swaps.begin(), swaps.end(), b) != swaps.end())
        uses.push_back(fmt::format("block device {} is active swap", b));
      std::error_code ec;
      for (const auto& h : std::filesystem::directory_iterator(root.path() / "class/block" / b / "holders", ec))
        uses.push_back(
            fmt::format("block device {} is held by {} (RAID, LVM or device-mapper)", b, h.path().filename().string()));
    }
  }
  const auto ifaces = interfaces_of(root, bdf);
  if (!ifaces.empty()) {
    const auto routed = interfaces_with_routes(slurp(proc.ipv4_routes), slurp(proc.ipv6_routes));
    for (const auto& i : ifaces) {
      const auto flags = read_hex_attr(root.path() / "class/net" / i / "flags", UINT32_MAX);
      const bool up = flags && *flags && (**flags & IFF_UP);
      if (!up) continue;
      const auto addrs = root.is_live() ? addresses_of(i) : std::vector<std::string>{};
      const bool has_route = std::find(routed.begin(), routed.end(), i) != routed.end();
      if (!addrs.empty() || has_route) {
        std::string joined;
        for (const auto& a : addrs) joined += (joined.empty() ? "" : ", ") + a;
        uses.push_back(fmt::format("network interface {} is up{}{}", i,
                                   joined.empty() ? "" : " with addresses " + joined,
                                   has_route ? " and has routes" : ""));
      }
    }
  }
  if (const auto boot_vga = read_attr(root.device_dir(bdf) / "boot_vga"); boot_vga && *boot_vga && **boot_vga == "1")
    uses.push_back("is the boot VGA device (the firmware console)");
  std::error_code ec;
  const auto self = std::filesystem::canonical(root.device_dir(bdf), ec);
  for (const auto& fb : std::filesystem::directory_iterator(root.path() / "class/graphics", ec)) {
    std::error_code fec;
    if (!ec && std::filesystem::canonical(fb.path() / "device", fec) == self && !fec)
      uses.push_back(fmt::format("drives framebuffer {} (a console may be on it)", fb.path().filename().string()));
  }
  return uses;
}

}  // namespace vfiokit::host
