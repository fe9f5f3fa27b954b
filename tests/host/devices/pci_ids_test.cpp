// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/pci_ids.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

extern "C" {
#include <pci/pci.h>
}

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "support/temp_dir.hpp"
#include "vfiokit/host/devices/pci_names.hpp"

namespace vfiokit::host {
namespace {

constexpr const char* kSample =
    "# comment\n"
    "8086  Intel Corporation\n"
    "\t10d3  82574L Gigabit Network Connection\n"
    "\t\t8086 a01f  Gigabit CT Desktop Adapter\n"
    "\t\t103c 3250  NC112T\n"
    "\t1234  Another device\n"
    "\t\t8086 a01f  Under the other device\n"
    "1af4  Red Hat, Inc.\n"
    "  # a comment after blanks\n"
    "\t1041  Virtio network device\n"
    "\n"
    "C 02  Network controller\n"
    "\t00  Ethernet controller\n"
    "\t80  Network controller\n"
    "C 0c  Serial bus controller\n";

TEST(PciIds, FindsEachKindOfEntry) {
  const PciIds ids{std::string(kSample)};
  EXPECT_EQ(ids.vendor(0x8086), "Intel Corporation");
  EXPECT_EQ(ids.device(0x8086, 0x10d3), "82574L Gigabit Network Connection");
  EXPECT_EQ(ids.device(0x1af4, 0x1041), "Virtio network device");
  EXPECT_EQ(ids.subsystem(0x8086, 0x10d3, 0x8086, 0xa01f), "Gigabit CT Desktop Adapter");
  EXPECT_EQ(ids.subsystem(0x8086, 0x10d3, 0x103c, 0x3250), "NC112T");
  EXPECT_EQ(ids.subsystem(0x8086, 0x1234, 0x8086, 0xa01f), "Under the other device");
  EXPECT_EQ(ids.device_class(0x02), "Network controller");
  EXPECT_EQ(ids.subclass(0x02, 0x00), "Ethernet controller");
  EXPECT_EQ(ids.device_class(0x0c), "Serial bus controller");
}

TEST(PciIds, AnEntryBelongsToItsOwnBlock) {
  const PciIds ids{std::string(kSample)};
  EXPECT_FALSE(ids.vendor(0x10d3));                             // a device ID, not a vendor
  EXPECT_FALSE(ids.device(0x1af4, 0x10d3));                     // Intel's device, not Red Hat's
  EXPECT_FALSE(ids.subsystem(0x8086, 0x1234, 0x103c, 0x3250));  // the first device's subsystem
  EXPECT_FALSE(ids.device(0x8086, 0x8086));                     // a subsystem line is not a device
  EXPECT_FALSE(ids.subclass(0x0c, 0x00));
  EXPECT_FALSE(ids.vendor(0x0000));
}

// names-parse.c: a line ends at CR or LF and loses one trailing blank.
TEST(PciIds, LinesEndAsLibpciReadsThem) {
  const PciIds ids{std::string("8086  Intel\r\n\t0001  one \t\n\t0002  two  \r\n\t0003  three\rjunk\n")};
  EXPECT_EQ(ids.vendor(0x8086), "Intel");
  EXPECT_EQ(ids.device(0x8086, 1), "one ");
  EXPECT_EQ(ids.device(0x8086, 2), "two ");
  EXPECT_EQ(ids.device(0x8086, 3), "three");
}

// Nested lines are passed over 16 bytes a step: every entry is found
// wherever its line starts within a step, after nested lines, comments,
// blank lines and CRLF ends of every length, and at the text's very end.
TEST(PciIds, EveryLineIsFoundWhereverItStartsInAStep) {
  for (size_t pad = 0; pad < 40; ++pad) {
    std::string text = "0001  First\n";
    std::string filler(pad, 'x');
    for (int d = 1; d <= 40; ++d) {
      text += fmt::format("\t{:04x}  dev{}{}\n", d, d, filler.substr(0, size_t(d) % (pad + 1)));
      text += fmt::format("\t\t{:04x} {:04x}  sub{}{}\n", d, d, d, filler.substr(0, size_t(d * 7) % (pad + 1)));
      if (d % 5 == 0) text += "\t# nested comment" + filler.substr(0, pad / 2) + "\n";
      if (d % 7 == 0) text += "\n";
      if (d % 3 == 0) text += fmt::format("\t\t{:04x} 0000  crlf{}\r\n", d, filler.substr(0, pad / 3));
    }
    for (int v = 2; v <= 20; ++v) {
      text += fmt::format("{:04x}  Vendor{}{}\n", v, v, filler.substr(0, size_t(v) % (pad + 1)));
      text += fmt::format("\t{:04x}  only{}\n", v, filler.substr(0, size_t(v * 3) % (pad + 1)));
    }
    text += "0015  Last";  // no newline at the end
    const PciIds ids{std::string(text)};
    SCOPED_TRACE(pad);
    EXPECT_EQ(ids.vendor(1), "First");
    for (int d = 1; d <= 40; ++d) {
      EXPECT_EQ(ids.device(1, uint16_t(d)), fmt::format("dev{}{}", d, filler.substr(0, size_t(d) % (pad + 1))));
      EXPECT_EQ(ids.subsystem(1, uint16_t(d), uint16_t(d), uint16_t(d)),
                fmt::format("sub{}{}", d, filler.substr(0, size_t(d * 7) % (pad + 1))));
      if (d % 3 == 0) {
        EXPECT_EQ(ids.subsystem(1, uint16_t(d), uint16_t(d), 0), "crlf" + filler.substr(0, pad / 3));
      }
    }
    for (int v = 2; v <= 20; ++v) {
      EXPECT_EQ(ids.vendor(uint16_t(v)), fmt::format("Vendor{}{}", v, filler.substr(0, size_t(v) % (pad + 1))));
      EXPECT_EQ(ids.device(uint16_t(v), uint16_t(v)), "only" + filler.substr(0, size_t(v * 3) % (pad + 1)));
      EXPECT_FALSE(ids.device(uint16_t(v), 1));
    }
    EXPECT_EQ(ids.vendor(0x15), "Last");
  }
}

TEST(PciIds, UpperCaseHexIsAccepted) {
  const PciIds ids{std::string("ABCD  Vendor\n\t00FF  Device\nC 0A  Class\n")};
  EXPECT_EQ(ids.vendor(0xabcd), "Vendor");
  EXPECT_EQ(ids.device(0xabcd, 0xff), "Device");
  EXPECT_EQ(ids.device_class(0x0a), "Class");
}

// libpci refuses the whole file for one bad line; here only that line is
// lost, and the block around it still reads.
TEST(PciIds, AMalformedLineLosesOnlyItself) {
  const PciIds ids{
      std::string("8086  Intel\n"
                  "\tzz01  not hex\n"
                  "\t0002\n"             // no name
                  "\t0003x  no blank\n"  // no blank after the ID
                  "\t\t\t0004  too deep\n"
                  "\t0005  five\n"
                  "80  short vendor\n"
                  "1af4  Red Hat\n")};
  EXPECT_FALSE(ids.device(0x8086, 0x0002));
  EXPECT_FALSE(ids.device(0x8086, 0x0003));
  EXPECT_FALSE(ids.device(0x8086, 0x0004));
  EXPECT_EQ(ids.device(0x8086, 0x0005), "five");
  EXPECT_EQ(ids.vendor(0x1af4), "Red Hat");
}

TEST(PciIds, TheFirstOfTwoDuplicatesIsFound) {
  const PciIds ids{std::string("8086  Intel\n\t0001  first\n\t0001  second\n8086  Intel again\n\t0002  lost\n")};
  EXPECT_EQ(ids.vendor(0x8086), "Intel");
  EXPECT_EQ(ids.device(0x8086, 1), "first");
  EXPECT_FALSE(ids.device(0x8086, 2));
}

TEST(PciIds, BlocksOfOtherKindsAreSkippedWithTheirLines) {
  const PciIds ids{
      std::string("X 12  reserved block\n\t0001  not a device\n"
                  "S 8086\n\t0001  generic subsystem\n"
                  "8086  Intel\n")};
  EXPECT_FALSE(ids.device(0x8086, 1));
  EXPECT_EQ(ids.generic_subsystem(0x8086, 1), "generic subsystem");
  EXPECT_EQ(ids.vendor(0x8086), "Intel");
}

TEST(PciIds, NothingAnswersFromGarbage) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::string text(rng() % 300, '\0');
    for (char& c : text) c = "0123456789abcdefC \t\n\r#"[rng() % 23];
    const PciIds ids(text);
    for (int k = 0; k < 20; ++k) {
      const auto v = static_cast<uint16_t>(rng()), d = static_cast<uint16_t>(rng());
      // Whatever is found is text of the file with no line end in it.
      for (auto name : {ids.vendor(v), ids.device(v, d), ids.subsystem(v, d, d, v),
                        ids.subclass(static_cast<uint8_t>(v), static_cast<uint8_t>(d))})
        if (name) {
          EXPECT_FALSE(name->empty());
          EXPECT_EQ(name->find_first_of("\r\n"), std::string_view::npos);
        }
    }
  }
}

TEST(PciIds, LoadsPlainAndCompressedFilesAndTriesTheNameWithoutGz) {
  testing::TempDir dir;
  const auto plain = dir.path() / "pci.ids";
  std::ofstream(plain) << kSample;
  EXPECT_EQ(PciIds::load(plain.string()).vendor(0x8086), "Intel Corporation");

  const auto packed = dir.path() / "packed.ids.gz";
  gzFile f = gzopen(packed.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzputs(f, kSample);
  gzclose(f);
  EXPECT_EQ(PciIds::load(packed.string()).device(0x1af4, 0x1041), "Virtio network device");

  // Only pci.ids exists: "pci.ids.gz" finds it, as in libpci's pci_open().
  EXPECT_EQ(PciIds::load(plain.string() + ".gz").vendor(0x1af4), "Red Hat, Inc.");
  EXPECT_TRUE(PciIds::load((dir.path() / "missing").string()).empty());
}

// A compressed file is inflated only up to a cap (64 MiB): a vendor
// beyond it is not named, and the read ends.
TEST(PciIds, ACompressedFileIsInflatedOnlySoFar) {
  testing::TempDir dir;
  const auto packed = dir.path() / "pci.ids.gz";
  gzFile f = gzopen(packed.c_str(), "wb1");
  ASSERT_NE(f, nullptr);
  gzputs(f, "8086  Intel Corporation\n");
  const std::string comments(1 << 20, '#');
  for (int i = 0; i < 70; ++i) gzwrite(f, comments.data(), static_cast<unsigned>(comments.size()));
  gzputs(f, "\n1af4  Red Hat, Inc.\n");
  gzclose(f);
  const PciIds ids = PciIds::load(packed.string());
  EXPECT_EQ(ids.vendor(0x8086), "Intel Corporation");
  EXPECT_EQ(ids.vendor(0x1af4), std::nullopt);
  EXPECT_LE(ids.text().size(), (64u << 20) + (256u << 10));
}

// A plain file is read through in 64 KiB pieces and its blocks read again
// when asked for: a block cut by a piece's end, a vendor whose block spans
// several pieces (as Intel's does), and a last line with no newline, are
// found as in the whole text; a copy of the index shares the file; a file
// cut short since it was indexed only yields less.
TEST(PciIds, AStreamedFileAnswersAsItsWholeText) {
  std::string text = "# filler\n";
  for (int v = 0; v < 6000; ++v) {
    text += fmt::format("{:04x}  Vendor {}\n", v, v);
    text += fmt::format("\t{:04x}  Device {} of {}\n", v ^ 0x5a5a, v, v);
  }
  // Devices in no order, each with subsystems, some behind a comment.
  text += "fffe  Large vendor\n";
  for (int d = 0; d < 4000; ++d) {
    const int device = (d * 7919) & 0xffff;
    text += fmt::format("\t{:04x}  Large device {}\n", device, d);
    if (d % 5 == 0) text += "# a comment among the subsystems\n";
    for (int s = 0; s < 2; ++s) text += fmt::format("\t\t{:04x} {:04x}  Subsystem {}.{}\n", s, d & 0xffff, d, s);
  }
  text += "ffff  Last vendor\n\t0001  Last device";  // no newline at the end
  ASSERT_GT(text.size(), 3 * 64 * 1024u);
  testing::TempDir dir;
  const auto path = dir.path() / "pci.ids";
  std::ofstream(path) << text;
  const PciIds streamed = PciIds::load(path.string()), whole{std::string(text)};
  for (int v = 0; v < 6000; v += 7) {
    const auto id = static_cast<uint16_t>(v), device = static_cast<uint16_t>(v ^ 0x5a5a);
    ASSERT_EQ(streamed.vendor(id), whole.vendor(id)) << v;
    ASSERT_EQ(streamed.device(id, device), fmt::format("Device {} of {}", v, v)) << v;
  }
  EXPECT_EQ(streamed.device(0xffff, 0x0001), "Last device");
  for (int d = 0; d < 4000; d += 13) {
    const auto device = static_cast<uint16_t>((d * 7919) & 0xffff);
    ASSERT_EQ(streamed.device(0xfffe, device), fmt::format("Large device {}", d)) << d;
    ASSERT_EQ(streamed.subsystem(0xfffe, device, 1, static_cast<uint16_t>(d)), fmt::format("Subsystem {}.1", d)) << d;
    ASSERT_EQ(whole.subsystem(0xfffe, device, 1, static_cast<uint16_t>(d)), fmt::format("Subsystem {}.1", d)) << d;
    // Another device's subsystem is not this one's.
    ASSERT_EQ(streamed.subsystem(0xfffe, device, 0, static_cast<uint16_t>(d + 1)), std::nullopt) << d;
  }
  const PciIds copy = streamed;
  EXPECT_EQ(copy.vendor(0x0abc), "Vendor 2748");
  std::filesystem::resize_file(path, 1000);
  EXPECT_EQ(copy.vendor(0x1000), std::nullopt);  // its block is gone: no name, no crash
}

// libpci, asked as vfiokit used to ask it: names from pci.ids only.
class Libpci {
 public:
  Libpci() : a_(pci_alloc()) {
    a_->warning = ignore;
    a_->debug = ignore;
    a_->error = fail;
  }
  ~Libpci() { pci_cleanup(a_); }
  std::string operator()(int flags, int a1, int a2 = 0, int a3 = 0, int a4 = 0) {
    const char* n =
        pci_lookup_name(a_, buf_, sizeof buf_, flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a1, a2, a3, a4);
    return n ? n : "";
  }

 private:
  static void ignore(char*, ...) {}
  [[noreturn]] static void fail(char* msg, ...) {
    std::fprintf(stderr, "libpci: %s\n", msg);
    std::abort();
  }
  pci_access* a_;
  char buf_[512];
};

// vfiokit reads the file libpci reads: the path found when vfiokit was
// configured is the one libpci's pci_alloc() gives now.
TEST(PciIds, TheDatabaseIsTheOneLibpciReads) {
  pci_access* a = pci_alloc();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(a->id_file_name, nullptr);
  EXPECT_EQ(PciNames::database_path(), a->id_file_name);
  pci_cleanup(a);
}

// Every entry of the installed pci.ids, and random IDs around them, get the
// name libpci gives.
TEST(PciIds, EveryEntryOfTheInstalledDatabaseIsNamedAsLibpciNamesIt) {
  std::string path = PciNames::database_path();
  // Debian's libpci names "pci.ids.gz" and finds the plain file beside it.
  if (!std::filesystem::exists(path) && path.ends_with(".gz")) path.resize(path.size() - 3);
  std::ifstream in(path);
  ASSERT_TRUE(in) << "pci.ids is not installed at " << path << " (Debian package pci.ids)";
  // The IDs of every entry, read by a simple parse of the file.
  std::set<uint16_t> vendors;
  std::set<std::pair<uint16_t, uint16_t>> devices;
  std::set<std::tuple<uint16_t, uint16_t, uint16_t, uint16_t>> subsystems;
  std::set<uint16_t> classes;  // base << 8 | subclass
  std::string line;
  int vendor = -1, device = -1, base = -1;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("C ")) {
      base = std::stoi(line.substr(2, 2), nullptr, 16);
      vendor = -1;
      classes.insert(static_cast<uint16_t>(base << 8 | 0xff));  // a subclass no file names: the base's name
    } else if (line[0] != '\t' && line.size() > 4 && line[1] != ' ') {
      vendor = std::stoi(line.substr(0, 4), nullptr, 16);
      base = -1;
      vendors.insert(static_cast<uint16_t>(vendor));
    } else if (line.starts_with("\t\t") && vendor >= 0 && device >= 0) {
      subsystems.insert({static_cast<uint16_t>(vendor), static_cast<uint16_t>(device),
                         static_cast<uint16_t>(std::stoi(line.substr(2, 4), nullptr, 16)),
                         static_cast<uint16_t>(std::stoi(line.substr(7, 4), nullptr, 16))});
    } else if (line[0] == '\t' && line[1] != '\t' && vendor >= 0) {
      device = std::stoi(line.substr(1, 4), nullptr, 16);
      devices.insert({static_cast<uint16_t>(vendor), static_cast<uint16_t>(device)});
    } else if (line[0] == '\t' && line[1] != '\t' && base >= 0) {
      classes.insert(static_cast<uint16_t>(base << 8 | std::stoi(line.substr(1, 2), nullptr, 16)));
    }
  }
  ASSERT_GT(devices.size(), 10000u) << path << " is not the whole database";

  Libpci libpci;
  PciNames names;
  size_t named = 0;
  for (uint16_t v : vendors) {
    ASSERT_EQ(names.vendor(v), libpci(PCI_LOOKUP_VENDOR, v)) << std::hex << v;
    named += !names.vendor(v).empty();
  }
  for (const auto& [v, d] : devices)
    ASSERT_EQ(names.device(v, d), libpci(PCI_LOOKUP_DEVICE, v, d)) << std::hex << v << ":" << d;
  for (const auto& [v, d, sv, sd] : subsystems) {
    ASSERT_EQ(names.subsystem(v, d, sv, sd), libpci(PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, v, d, sv, sd))
        << std::hex << v << ":" << d << " " << sv << ":" << sd;
    // The same subsystem under the device's vendor's other device, and as the device itself.
    ASSERT_EQ(names.subsystem(v, d, v, d), libpci(PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, v, d, v, d));
  }
  for (uint16_t c : classes)
    ASSERT_EQ(names.device_class(uint32_t{c} << 8), libpci(PCI_LOOKUP_CLASS, c)) << std::hex << c;
  EXPECT_EQ(named, vendors.size());

  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    const int v = static_cast<int>(rng() & 0xffff), d = static_cast<int>(rng() & 0xffff);
    const int sv = static_cast<int>(rng() & 0xffff), sd = static_cast<int>(rng() & 0xffff);
    ASSERT_EQ(names.vendor(static_cast<uint16_t>(v)), libpci(PCI_LOOKUP_VENDOR, v));
    ASSERT_EQ(names.device(static_cast<uint16_t>(v), static_cast<uint16_t>(d)), libpci(PCI_LOOKUP_DEVICE, v, d));
    ASSERT_EQ(names.subsystem(static_cast<uint16_t>(v), static_cast<uint16_t>(d), static_cast<uint16_t>(sv),
                              static_cast<uint16_t>(sd)),
              libpci(PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, v, d, sv, sd));
    ASSERT_EQ(names.device_class(static_cast<uint32_t>(v) << 8), libpci(PCI_LOOKUP_CLASS, v));
  }
}

}  // namespace
}  // namespace vfiokit::host
