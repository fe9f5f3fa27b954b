// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/pci_function.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include "fakes/fake_sysfs.hpp"
#include "support/function_compare.hpp"
#include "vfiokit/host/devices/function_tree_walk.hpp"
#include "vfiokit/host/sysfs/source.hpp"

namespace vfiokit::host {
namespace {

using pci::Bdf;
using pci::PcieType;
using testing::ConfigBuilder;

ConfigBuilder endpoint(uint16_t device) {
  ConfigBuilder b;
  b.ids(0x8086, device).class_code(0x020000).header_type(0).pci_express(0x40, PcieType::endpoint);
  return b;
}

ConfigBuilder root_port() {
  ConfigBuilder b;
  b.ids(0x8086, 0x7a38).class_code(0x060400).header_type(1).pci_express(0x40, PcieType::root_port);
  return b;
}

void overwrite(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

std::vector<PciFunction> read_all(const SysfsRoot& root, std::vector<Error>* problems = nullptr) {
  std::vector<Error> p;
  auto out = read_pci_functions(root, p);
  if (problems) *problems = p;
  return out;
}

std::string problems_of(const PciFunction& f) {
  std::string out;
  for (const auto& p : f.problems) out += p.describe() + "\n";
  return out;
}

TEST(PciFunctionRead, IdsAndClassComeFromUeventAsTheKernelWritesIt) {
  testing::FakeSysfs sysfs;
  const Bdf rp(0, 0, 0x1c, 0), nic(0, 1, 0, 0);
  sysfs.add(rp, root_port()).add(nic, endpoint(0x10d3), rp, "e1000e");
  // Quirk-fixed values differ from config space; uevent carries the
  // kernel's, and the separate files are then not needed.
  overwrite(sysfs.device_dir(nic) / "uevent",
            "DRIVER=e1000e\nPCI_CLASS=20000\nPCI_ID=8086:10D4\nPCI_SUBSYS_ID=1AF4:1100\nPCI_SLOT_NAME=0000:01:00.0\n");
  std::filesystem::remove(sysfs.device_dir(nic) / "vendor");
  const auto functions = read_all(SysfsRoot(sysfs.root()));
  ASSERT_EQ(functions.size(), 2u);
  const PciFunction& f = functions[1];
  EXPECT_TRUE(f.problems.empty()) << problems_of(f);
  EXPECT_EQ(f.vendor_id, 0x8086);
  EXPECT_EQ(f.device_id, 0x10d4);
  EXPECT_EQ(f.class_code, 0x020000u);
  EXPECT_EQ(f.subsystem_vendor_id, 0x1af4);
  EXPECT_EQ(f.subsystem_id, 0x1100);
  EXPECT_EQ(f.driver, "e1000e");
  EXPECT_EQ(f.parent, rp);
}

TEST(PciFunctionRead, WithoutUeventTheSeparateFilesAreRead) {
  testing::FakeSysfs sysfs;
  const Bdf nic(0, 0, 2, 0);
  sysfs.add(nic, endpoint(0x10d3));
  std::filesystem::remove(sysfs.device_dir(nic) / "uevent");
  const auto functions = read_all(SysfsRoot(sysfs.root()));
  ASSERT_EQ(functions.size(), 1u);
  EXPECT_TRUE(functions[0].problems.empty()) << problems_of(functions[0]);
  EXPECT_EQ(functions[0].device_id, 0x10d3);
  EXPECT_EQ(functions[0].class_code, 0x020000u);
  EXPECT_FALSE(functions[0].subsystem_vendor_id);  // no such file in this tree
}

TEST(PciFunctionRead, AGarbledUeventIsAProblemAndTheFilesAreReadInstead) {
  testing::FakeSysfs sysfs;
  const Bdf nic(0, 0, 2, 0);
  sysfs.add(nic, endpoint(0x10d3));
  for (const char* text :
       {"PCI_CLASS=20000\nPCI_ID=80zz:10D3\nPCI_SUBSYS_ID=0:0\n", "PCI_CLASS=1000000\n", "PCI_ID=8086\n"}) {
    overwrite(sysfs.device_dir(nic) / "uevent", text);
    const auto functions = read_all(SysfsRoot(sysfs.root()));
    ASSERT_EQ(functions.size(), 1u);
    const std::string problems = problems_of(functions[0]);
    EXPECT_NE(problems.find("uevent: cannot parse"), std::string::npos) << text << problems;
    EXPECT_EQ(functions[0].vendor_id, 0x8086) << text;
    EXPECT_EQ(functions[0].device_id, 0x10d3) << text;
  }
  // A uevent that leaves a value out is not a problem: the files say it.
  overwrite(sysfs.device_dir(nic) / "uevent", "PCI_SLOT_NAME=0000:00:02.0\n");
  const auto functions = read_all(SysfsRoot(sysfs.root()));
  EXPECT_TRUE(functions[0].problems.empty()) << problems_of(functions[0]);
  EXPECT_EQ(functions[0].device_id, 0x10d3);
}

TEST(PciFunctionRead, HostBridgesOutsideTheTopAndNestedOnesAreFound) {
  testing::FakeSysfs sysfs;
  const Bdf rp(0, 0, 0x1c, 0), nic(0, 1, 0, 0), soc(1, 0, 0, 0), nested(2, 0, 0, 0);
  sysfs.add(rp, root_port()).add(nic, endpoint(0x10d3), rp);
  // A host bridge below a platform device, as on many Arm systems: not
  // reached by the walk of devices/pci*, read through its bus link.
  sysfs.add_on_host_bridge(soc, endpoint(0x1111), "devices/platform/soc/40000000.pcie/pci0001:00");
  // A root bus nested in an endpoint's directory, as a VMD domain is: a
  // function there has no upstream bridge.
  sysfs.add_on_host_bridge(nested, endpoint(0x2222), "devices/pci0000:00/0000:00:1c.0/0000:01:00.0/pci0002:00");
  std::vector<Error> problems;
  const auto functions = read_all(SysfsRoot(sysfs.root()), &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(functions.size(), 4u);
  std::map<Bdf, const PciFunction*> by;
  for (const auto& f : functions) {
    by[f.bdf] = &f;
    EXPECT_TRUE(f.problems.empty()) << f.bdf.str() << ": " << problems_of(f);
  }
  EXPECT_EQ(by.at(nic)->parent, rp);
  EXPECT_FALSE(by.at(rp)->parent);
  EXPECT_FALSE(by.at(soc)->parent);
  EXPECT_EQ(by.at(soc)->device_id, 0x1111);
  EXPECT_FALSE(by.at(nested)->parent);
  EXPECT_EQ(by.at(nested)->device_id, 0x2222);
}

TEST(PciFunctionRead, ADanglingBusLinkIsAProblemOfThatFunctionOnly) {
  testing::FakeSysfs sysfs;
  const Bdf nic(0, 0, 2, 0);
  sysfs.add(nic, endpoint(0x10d3));
  std::filesystem::create_symlink("../../../devices/pci0000:00/nowhere", sysfs.root() / "bus/pci/devices/0000:00:03.0");
  std::filesystem::create_symlink("../../../devices/pci0000:00/0000:00:02.0", sysfs.root() / "bus/pci/devices/junk");
  std::vector<Error> problems;
  const auto functions = read_all(SysfsRoot(sysfs.root()), &problems);
  ASSERT_EQ(functions.size(), 2u);
  EXPECT_TRUE(functions[0].problems.empty());
  ASSERT_FALSE(functions[1].problems.empty());
  EXPECT_NE(problems_of(functions[1]).find("0000:00:03.0"), std::string::npos) << problems_of(functions[1]);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].describe().find("junk: not a PCI address"), std::string::npos) << problems[0].describe();
}

// Deep and wide at once: a switch below a switch below root ports, with
// enough functions that the walk's threads hand work to each other. Every
// function is read once, with the parent its directory sits in.
// What the caller does while the walk begins may fail: the walk still
// ends, its threads joined, and the failure reaches the caller.
TEST(PciFunctionRead, AFailureBesideTheWalkReachesTheCallerOnceTheWalkEnds) {
  testing::FakeSysfs sysfs;
  const Bdf port(0, 0, 0x1c, 0);
  sysfs.add(port, root_port());
  for (uint8_t fn = 0; fn < 8; ++fn) sysfs.add(Bdf(0, 1, 0, fn), endpoint(fn), port);
  const FunctionPlace keep = [](const Bdf&) -> PciFunction* { return nullptr; };
  EXPECT_THROW(walk_function_tree(
                   sysfs.root() / "devices", Detail::full, [] { throw std::runtime_error("beside"); }, keep),
               std::runtime_error);
  size_t read = 0;
  for (const auto& part : walk_function_tree(
           sysfs.root() / "devices", Detail::full, [] {}, keep))
    read += part.size();
  EXPECT_EQ(read, 9u);
}

// The walk reads a function into the place it is given for it, once, and
// keeps those it is given none for; read_pci_functions gives a place to
// each function on the bus.
TEST(PciFunctionRead, TheWalkReadsIntoThePlacesItIsGiven) {
  testing::FakeSysfs sysfs;
  const Bdf port(0, 0, 0x1c, 0);
  sysfs.add(port, root_port());
  for (uint8_t fn = 0; fn < 8; ++fn) sysfs.add(Bdf(0, 1, 0, fn), endpoint(fn), port);
  std::vector<PciFunction> places(8);
  std::map<Bdf, int> asked;
  std::mutex mutex;
  const FunctionPlace even = [&](const Bdf& b) -> PciFunction* {
    const std::lock_guard lock(mutex);
    ++asked[b];
    return b.bus() == 1 && b.function() % 2 == 0 ? &places[b.function()] : nullptr;
  };
  std::vector<Bdf> kept;
  for (auto& part : walk_function_tree(
           sysfs.root() / "devices", Detail::full, [] {}, even))
    part.for_each([&](PciFunction& f) { kept.push_back(f.bdf); });
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<Bdf>{port, Bdf(0, 1, 0, 1), Bdf(0, 1, 0, 3), Bdf(0, 1, 0, 5), Bdf(0, 1, 0, 7)}));
  EXPECT_EQ(asked.size(), 9u);
  for (const auto& [b, times] : asked) EXPECT_EQ(times, 1) << b.str();
  for (uint8_t fn = 0; fn < 8; ++fn) {
    const PciFunction& f = places[fn];
    if (fn % 2) {
      EXPECT_FALSE(f.config) << "place " << int(fn) << " was written";
      continue;
    }
    EXPECT_EQ(f.bdf, Bdf(0, 1, 0, fn));
    EXPECT_EQ(f.parent, port);
    ASSERT_TRUE(f.config);
    EXPECT_EQ(f.device_id, fn);
  }
}

TEST(PciFunctionRead, AWideAndDeepTreeIsReadWhole) {
  testing::FakeSysfs sysfs;
  std::map<Bdf, std::optional<Bdf>> parent_of;
  const auto add = [&](const Bdf& b, const ConfigBuilder& c, std::optional<Bdf> parent) {
    sysfs.add(b, c, parent);
    parent_of[b] = parent;
  };
  uint8_t bus = 1;
  for (uint8_t rp = 0; rp < 3; ++rp) {
    const Bdf port(0, 0, static_cast<uint8_t>(0x1c + rp), 0);
    add(port, root_port(), std::nullopt);
    std::optional<Bdf> above = port;
    for (int level = 0; level < 3; ++level, ++bus) {  // a chain of bridges, each with endpoints beside it
      const Bdf bridge(0, bus, 0, 0);
      add(bridge, root_port(), above);
      for (uint8_t fn = 1; fn < 40; ++fn) add(Bdf(0, bus, static_cast<uint8_t>(fn >> 3), fn & 7), endpoint(fn), above);
      above = bridge;
    }
  }
  std::vector<Error> problems;
  const auto functions = read_all(SysfsRoot(sysfs.root()), &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(functions.size(), parent_of.size());
  for (const auto& f : functions) {
    ASSERT_TRUE(parent_of.count(f.bdf)) << f.bdf.str();
    EXPECT_EQ(f.parent, parent_of.at(f.bdf)) << f.bdf.str();
    EXPECT_TRUE(f.config) << f.bdf.str();
    EXPECT_TRUE(f.problems.empty()) << f.bdf.str() << ": " << problems_of(f);
  }
}

// A process that may start no thread (RLIMIT_NPROC, a cgroup's pids.max)
// is read whole by the one it has, rather than waiting for helpers that
// never started.
TEST(PciFunctionRead, WithoutThreadsToSpareTheTreeIsStillReadWhole) {
  testing::FakeSysfs sysfs;
  const Bdf rp(0, 0, 0x1c, 0);
  sysfs.add(rp, root_port());
  for (uint8_t fn = 0; fn < 24; ++fn) sysfs.add(Bdf(0, 1, static_cast<uint8_t>(fn >> 3), fn & 7), endpoint(fn), rp);
  // The temporary directory is its owner's alone (mode 0700), and a umask
  // may make the rest so: nobody must read it all.
  const auto readable = [](const std::filesystem::path& p) {
    std::filesystem::permissions(p, std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add | std::filesystem::perm_options::nofollow);
  };
  readable(sysfs.root().parent_path());
  for (const auto& e : std::filesystem::recursive_directory_iterator(sysfs.root()))
    if (!e.is_symlink()) readable(e.path());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(20);  // a walk waiting for a thread that never started ends here, as SIGALRM
    // Root's processes are never held to RLIMIT_NPROC: become nobody first.
    if (::getuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    const rlimit none{0, 0};
    if (::setrlimit(RLIMIT_NPROC, &none) != 0) ::_exit(4);
    try {
      std::jthread probe([] {});
      ::_exit(5);  // a thread started: the limit does not hold here
    } catch (const std::system_error&) {}
    std::vector<Error> problems;
    const auto functions = read_pci_functions(SysfsRoot(sysfs.root()), problems);
    ::_exit(functions.size() == 25 && problems.empty() ? 0 : 6);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: setuid, 4: setrlimit, 5: a thread started anyway, 6: a wrong read";
}

// The walk (parents from where directories sit, threads) and the one-by-one
// read through each bus link give the same functions on every lab kernel.
TEST(PciFunctionRead, TheWalkAgreesWithReadingEachLinkOnLabSnapshots) {
  for (const char* kernel : {"debian-6.1", "debian-6.12", "custom"}) {
    auto source = SysfsSource::open(std::string(VFIOKIT_SOURCE_DIR) + "/data/fixtures/lab-q35-" + kernel + ".tar.gz");
    ASSERT_TRUE(source) << source.error().describe();
    const auto functions = read_all(source->root());
    ASSERT_GT(functions.size(), 10u) << kernel;
    for (const auto& walked : functions) {
      const PciFunction one = read_pci_function(source->root(), walked.bdf);
      const std::string where = std::string(kernel) + " " + walked.bdf.str();
      testing::expect_same_shown(walked, one, where);
      EXPECT_EQ(walked.config.has_value(), one.config.has_value()) << where;
    }
  }
}

}  // namespace
}  // namespace vfiokit::host
