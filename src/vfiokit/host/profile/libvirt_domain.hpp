// SPDX-License-Identifier: Apache-2.0
// What vfiokit reads of a libvirt domain's XML, as libvirt hands it to a
// hook on standard input (https://libvirt.org/hooks.html; the format is
// https://libvirt.org/formatdomain.html): the domain's name, the profile
// its <metadata> names, and the PCI functions of its <hostdev> elements.
//
//   <domain type='kvm'>
//     <name>win11</name>
//     <metadata>
//       <vfiokit:profile xmlns:vfiokit="https://vfiokit.dev/xmlns/libvirt/1" name="win11"/>
//     </metadata>
//     <devices>
//       <hostdev mode='subsystem' type='pci' managed='yes'>
//         <source><address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></source>
//       </hostdev>
//     </devices>
//   </domain>
//
// The XML is hostile input: parsed without network access or entity
// expansion, at most 4 MiB.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

inline constexpr const char* kLibvirtNamespace = "https://vfiokit.dev/xmlns/libvirt/1";
inline constexpr size_t kDomainXmlLimit = 4 << 20;

struct LibvirtDomain {
  std::string name;
  std::optional<std::string> profile;  // <vfiokit:profile name="..."/> in <metadata>
  std::vector<pci::Bdf> hostdevs;      // <hostdev type='pci'> source addresses, in order
};

Result<LibvirtDomain> parse_libvirt_domain(std::string_view xml);

}  // namespace vfiokit::host
