// SPDX-License-Identifier: Apache-2.0
// Register offsets and field masks of PCI configuration space, named after
// the PCI Local Bus 3.0 and PCI Express Base 6.x specifications (section
// numbers given where a field's meaning is subtle). Values match Linux's
// include/uapi/linux/pci_regs.h.
#pragma once

#include <cstdint>

namespace vfiokit::pci::reg {

// Common header (PCIe r6 §7.5.1.1).
inline constexpr uint16_t kVendorId = 0x00;
inline constexpr uint16_t kDeviceId = 0x02;
inline constexpr uint16_t kCommand = 0x04;
inline constexpr uint16_t kStatus = 0x06;
inline constexpr uint16_t kRevision = 0x08;
inline constexpr uint16_t kClassProgIf = 0x09;  // 24-bit class code at 0x09..0x0b
inline constexpr uint16_t kCacheLineSize = 0x0c;
inline constexpr uint16_t kLatencyTimer = 0x0d;
inline constexpr uint16_t kHeaderType = 0x0e;
inline constexpr uint16_t kBist = 0x0f;
inline constexpr uint16_t kBar0 = 0x10;
inline constexpr uint16_t kCapabilityPointer = 0x34;
inline constexpr uint16_t kInterruptLine = 0x3c;
inline constexpr uint16_t kInterruptPin = 0x3d;

inline constexpr uint8_t kHeaderLayoutMask = 0x7f;
inline constexpr uint8_t kHeaderMultifunction = 0x80;
inline constexpr uint8_t kHeaderTypeNormal = 0;
inline constexpr uint8_t kHeaderTypeBridge = 1;
inline constexpr uint8_t kHeaderTypeCardbus = 2;

inline constexpr uint16_t kCommandIo = 1u << 0;
inline constexpr uint16_t kCommandMemory = 1u << 1;
inline constexpr uint16_t kCommandBusMaster = 1u << 2;
inline constexpr uint16_t kCommandIntxDisable = 1u << 10;
inline constexpr uint16_t kStatusCapList = 1u << 4;
inline constexpr uint16_t kStatusInterrupt = 1u << 3;

// Type 0 header.
inline constexpr uint16_t kSubsystemVendorId = 0x2c;
inline constexpr uint16_t kSubsystemId = 0x2e;
inline constexpr uint16_t kRomAddress = 0x30;

// Type 1 (bridge) header (PCI-to-PCI Bridge Architecture 1.2, PCIe r6 §7.5.1.3).
inline constexpr uint16_t kPrimaryBus = 0x18;
inline constexpr uint16_t kSecondaryBus = 0x19;
inline constexpr uint16_t kSubordinateBus = 0x1a;
inline constexpr uint16_t kIoBase = 0x1c;
inline constexpr uint16_t kIoLimit = 0x1d;
inline constexpr uint16_t kSecondaryStatus = 0x1e;
inline constexpr uint16_t kMemoryBase = 0x20;
inline constexpr uint16_t kMemoryLimit = 0x22;
inline constexpr uint16_t kPrefMemoryBase = 0x24;
inline constexpr uint16_t kPrefMemoryLimit = 0x26;
inline constexpr uint16_t kPrefBaseUpper32 = 0x28;
inline constexpr uint16_t kPrefLimitUpper32 = 0x2c;
inline constexpr uint16_t kIoBaseUpper16 = 0x30;
inline constexpr uint16_t kIoLimitUpper16 = 0x32;
inline constexpr uint16_t kBridgeRomAddress = 0x38;
inline constexpr uint16_t kBridgeControl = 0x3e;

// Type 2 (CardBus) header: its capability pointer lives elsewhere.
inline constexpr uint16_t kCardbusCapabilityPointer = 0x14;

// BAR encoding (PCI 3.0 §6.2.5.1).
inline constexpr uint32_t kBarSpaceIo = 0x1;
inline constexpr uint32_t kBarMemTypeMask = 0x6;
inline constexpr uint32_t kBarMemType32 = 0x0;
inline constexpr uint32_t kBarMemType1M = 0x2;  // below 1 MiB, legacy
inline constexpr uint32_t kBarMemType64 = 0x4;
inline constexpr uint32_t kBarMemPrefetch = 0x8;
inline constexpr uint32_t kBarIoAddressMask = ~0x3u;
inline constexpr uint32_t kBarMemAddressMask = ~0xfu;

// Capability lists. The standard list starts in the header and lives in
// 0x40..0xff; the extended list starts at 0x100 (PCIe r6 §7.6).
inline constexpr uint16_t kStandardCapStart = 0x40;
inline constexpr uint16_t kExtendedCapStart = 0x100;
// Linux bounds its walks the same way: PCI_FIND_CAP_TTL (48) for the standard
// list and (4096 - 256) / 8 entries for the extended list.
inline constexpr unsigned kStandardCapMaxEntries = 48;
inline constexpr unsigned kExtendedCapMaxEntries = (4096 - 256) / 8;

}  // namespace vfiokit::pci::reg
