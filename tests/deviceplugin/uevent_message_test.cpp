// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/events/uevent_message.hpp"

#include <gtest/gtest.h>

namespace vfiokit::deviceplugin {
namespace {

std::string message(std::initializer_list<std::string> fields) {
  std::string out;
  for (const auto& f : fields) out += f + std::string(1, '\0');
  return out;
}

TEST(Uevent, AKernelUnbindOfAPciFunction) {
  // As lib/kobject_uevent.c sends it when vfio-pci lets go of 0000:01:00.0.
  const std::string m = message({"unbind@/devices/pci0000:00/0000:00:09.0/0000:01:00.0", "ACTION=unbind",
                                 "DEVPATH=/devices/pci0000:00/0000:00:09.0/0000:01:00.0", "SUBSYSTEM=pci",
                                 "PCI_CLASS=FF00", "PCI_ID=1234:11E8", "PCI_SLOT_NAME=0000:01:00.0", "SEQNUM=2291"});
  auto e = parse_uevent(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->action, "unbind");
  EXPECT_EQ(e->subsystem, "pci");
  EXPECT_EQ(e->devpath, "/devices/pci0000:00/0000:00:09.0/0000:01:00.0");
  EXPECT_TRUE(matters_for_health(*e));
  EXPECT_FALSE(changes_devices(*e));
}

TEST(Uevent, AddAndRemoveOfAFunctionChangeTheDevices) {
  auto add = parse_uevent(message({"add@/devices/pci0000:00/0000:00:02.0/0000:02:00.0", "ACTION=add",
                                   "DEVPATH=/devices/pci0000:00/0000:00:02.0/0000:02:00.0", "SUBSYSTEM=pci"}));
  ASSERT_TRUE(add);
  EXPECT_TRUE(changes_devices(*add));
  auto block = parse_uevent(message(
      {"add@/devices/virtual/block/loop0", "ACTION=add", "DEVPATH=/devices/virtual/block/loop0", "SUBSYSTEM=block"}));
  ASSERT_TRUE(block);
  EXPECT_FALSE(matters_for_health(*block));
  EXPECT_FALSE(changes_devices(*block));
}

TEST(Uevent, WhatIsNotAKernelUeventIsIgnored) {
  EXPECT_FALSE(parse_uevent(""));
  EXPECT_FALSE(parse_uevent(std::string("libudev\0\xfe\xed\xca\xfe", 12)));
  EXPECT_FALSE(parse_uevent(message({"unbind@/devices/x", "ACTION=unbind", "SUBSYSTEM=pci"})));  // no DEVPATH
  EXPECT_FALSE(parse_uevent("unbind@/devices/x"));                                               // no NUL: no fields
  EXPECT_FALSE(parse_uevent(message({"no header", "ACTION=add", "DEVPATH=/d", "SUBSYSTEM=pci"})));
  auto odd = parse_uevent(message({"a@/d", "ACTION=add", "junk", "=", "DEVPATH=/d", "SUBSYSTEM=pci"}) + "TRAIL");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->devpath, "/d");
}

}  // namespace
}  // namespace vfiokit::deviceplugin
