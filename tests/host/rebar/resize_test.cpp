// SPDX-License-Identifier: Apache-2.0
// BAR resizes on the simulated kernel: its semantics first (the errno rules
// and what remove, rescan and a resize do to the tree), then the plan and
// its execution with asserted end states, rollbacks included.
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>

#include "fakes/rebar_scenario.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/host/rebar/resize_operation.hpp"
#include "vfiokit/host/rebar/view.hpp"

namespace vfiokit::host {
namespace {

using testing::RebarScenario;
constexpr uint64_t MiB = 1ull << 20;

Result<void> resize_write(const SysfsRoot& root, unsigned encoding) {
  return root.write(root.device_dir(RebarScenario::gpu) / "resource0_resize", std::to_string(encoding));
}

Resource bar_of(const SysfsRoot& root, const pci::Bdf& bdf, unsigned bar) {
  return read_pci_function(root, bdf).resources.at(bar);
}

Result<ResizePlan> plan(const RebarScenario& s, const char* size, bool rehearse = false) {
  const SysfsRoot root = s.root();
  ResizeRequest request{RebarScenario::gpu, 0, std::nullopt, false, rehearse};
  if (size) {
    auto parsed = parse_resize_size(request, size);
    if (!parsed) return fail(parsed.error());
    request = *parsed;
  }
  return plan_resize(root, read_host(root), request, [](const pci::Bdf&) { return std::vector<std::string>{}; });
}

struct Executor {
  testing::TempDir journal_dir;
  Journal journal{journal_dir.path()};
  ExecutionOptions options = [] {
    ExecutionOptions o;
    o.probe_timeout_ms = 100;
    return o;
  }();
  Result<void> apply(const RebarScenario& s, const ResizePlan& p) {
    return apply_resize(s.root(), p, journal, options);
  }
  bool journal_empty() const { return std::filesystem::is_empty(journal_dir.path()); }
};

TEST(SimulatedKernel, RefusesAResizeWhileADriverIsBoundOrTheSizeIsNotOffered) {
  RebarScenario s(false);
  const SysfsRoot root = s.root();
  auto r = resize_write(root, 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), EBUSY);
  ASSERT_TRUE(unbind_driver(root, RebarScenario::gpu));
  r = resize_write(root, 15);  // 32 GiB: not in 0x7f00
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), EINVAL);
  r = resize_write(root, 10);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(bar_of(root, RebarScenario::gpu, 0).size(), 1024 * MiB);
  // The capability's BAR Size field follows, as the kernel writes it.
  const HostView view = read_host(root);
  const auto placements = rebar_placements(root, view, *view.function(RebarScenario::gpu));
  ASSERT_EQ(placements.size(), 1u);
  EXPECT_EQ(placements[0].entry.current, 10u);
}

TEST(SimulatedKernel, FunctionsInTheWindowPinItSoTheResizeFailsWithEnoent) {
  RebarScenario s(true);
  const SysfsRoot root = s.root();
  ASSERT_TRUE(unbind_driver(root, RebarScenario::gpu));
  const std::string before = s.state();
  auto r = resize_write(root, 9);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), ENOENT);
  EXPECT_EQ(s.state(), before);
}

TEST(SimulatedKernel, RescannedFunctionsReturnAsNewDevicesWithoutTheirOverride) {
  RebarScenario s(true);
  const SysfsRoot root = s.root();
  ASSERT_TRUE(root.write(root.device_dir(RebarScenario::accel) / "remove", "1"));
  ASSERT_TRUE(root.write(root.device_dir(RebarScenario::audio) / "remove", "1"));
  EXPECT_FALSE(std::filesystem::exists(root.device_dir(RebarScenario::audio)));
  ASSERT_TRUE(root.write(root.path() / "bus/pci/rescan", "1"));
  auto audio = read_binding(root, RebarScenario::audio);
  auto accel = read_binding(root, RebarScenario::accel);
  ASSERT_TRUE(audio && accel);
  EXPECT_EQ(*audio, (Binding{"snd_hda_intel", std::nullopt}));
  EXPECT_EQ(*accel, (Binding{"", std::nullopt}));                       // vfio-pci binds by override only
  EXPECT_EQ(bar_of(root, RebarScenario::accel, 2).start, 0x92000000u);  // its old place was free
  // bind matches by override: vfio-pci cannot take the audio function without one.
  auto refused = bind_driver(root, RebarScenario::audio, "vfio-pci");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().sys_errno(), EBUSY);
  ASSERT_TRUE(set_driver_override(root, RebarScenario::accel, "vfio-pci"));
  ASSERT_TRUE(bind_driver(root, RebarScenario::accel, "vfio-pci"));
}

TEST(ResizePlan, UnsupportedSizesAndEnabledVfsAreRefusedBeforeAnyChange) {
  RebarScenario s(true);
  const std::string before = s.state();
  for (const char* size : {"3G", "32G", "128M", "lots"}) {
    auto p = plan(s, size);
    ASSERT_FALSE(p) << size;
    EXPECT_NE(p.error().describe().find(std::string(size) == "lots" ? "is not a size" : "resource0_resize offers"),
              std::string::npos)
        << p.error().describe();
  }
  RebarScenario alone(false);  // with the siblings kept, 16 GiB would not fit the aperture
  auto max = plan(alone, "max");
  ASSERT_TRUE(max) << max.error().describe();
  EXPECT_EQ(max->to, ByteSize(16ull << 30));
  std::ofstream(s.dir() / "bus/pci/devices" / RebarScenario::gpu.str() / "sriov_numvfs") << "2\n";
  auto vfs = plan(s, "1G");
  ASSERT_FALSE(vfs);
  EXPECT_NE(vfs.error().describe().find("2 VFs are enabled"), std::string::npos);
  std::filesystem::remove(s.dir() / "bus/pci/devices" / RebarScenario::gpu.str() / "sriov_numvfs");
  EXPECT_TRUE(s.kernel_log().empty());
  EXPECT_EQ(s.state(), before);
}

TEST(ResizePlan, AnOverrideTheJournalCannotRecordIsRefusedBeforeAnyChange) {
  RebarScenario s(true);
  const auto before_kernel_log = s.kernel_log();
  std::ofstream(s.dir() / "bus/pci/devices" / RebarScenario::audio.str() / "driver_override") << "bad\xff\n";
  auto p = plan(s, "512M");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().describe().find(RebarScenario::audio.str()), std::string::npos) << p.error().describe();
  EXPECT_NE(p.error().describe().find("not UTF-8 text"), std::string::npos) << p.error().describe();
  EXPECT_EQ(s.kernel_log(), before_kernel_log);
}

TEST(ResizePlan, FunctionsTheHostUsesAreNamedAndOnlyThoseThePlanTouchesAreAsked) {
  RebarScenario s(true);
  const SysfsRoot root = s.root();
  std::vector<pci::Bdf> asked;
  auto p = plan_resize(root, read_host(root), {RebarScenario::gpu, 0, ByteSize(512 * MiB), false, false},
                       [&](const pci::Bdf& bdf) {
                         asked.push_back(bdf);
                         return bdf == RebarScenario::audio ? std::vector<std::string>{"sound card 0 is open"}
                                                            : std::vector<std::string>{};
                       });
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->in_use, (std::vector<std::string>{"0000:01:00.1: sound card 0 is open"}));
  EXPECT_EQ(asked, (std::vector<pci::Bdf>{RebarScenario::gpu, RebarScenario::audio, RebarScenario::accel,
                                          RebarScenario::port}));
}

TEST(ResizeExecution, ADeviceAloneBehindItsPortGrows) {
  RebarScenario s(false);
  auto p = plan(s, "1G");
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_TRUE(p->removed.empty());
  Executor run;
  auto ok = run.apply(s, *p);
  ASSERT_TRUE(ok) << ok.error().describe();
  const SysfsRoot root = s.root();
  EXPECT_EQ(bar_of(root, RebarScenario::gpu, 0).size(), 1024 * MiB);
  EXPECT_EQ(*read_binding(root, RebarScenario::gpu), (Binding{"amdgpu", std::nullopt}));
  EXPECT_TRUE(run.journal_empty());
  const auto log = s.kernel_log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_NE(log[0].find("driver/unbind"), std::string::npos);
  EXPECT_NE(log[1].find("resource0_resize <- 10: ok"), std::string::npos);
  EXPECT_NE(log[2].find("drivers/amdgpu/bind"), std::string::npos);
}

TEST(ResizeExecution, TwoSiblingsAreRemovedAndComeBackWithTheirDriversAndOverride) {
  RebarScenario s(true);
  auto p = plan(s, "512M");
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->removed, (std::vector<pci::Bdf>{RebarScenario::audio, RebarScenario::accel}));
  Executor run;
  auto ok = run.apply(s, *p);
  ASSERT_TRUE(ok) << ok.error().describe();
  const SysfsRoot root = s.root();
  const Resource gpu = bar_of(root, RebarScenario::gpu, 0);
  EXPECT_EQ(gpu.size(), 512 * MiB);
  EXPECT_EQ(*read_binding(root, RebarScenario::gpu), (Binding{"amdgpu", std::nullopt}));
  EXPECT_EQ(*read_binding(root, RebarScenario::audio), (Binding{"snd_hda_intel", std::nullopt}));
  EXPECT_EQ(*read_binding(root, RebarScenario::accel), (Binding{"vfio-pci", "vfio-pci"}));
  // The siblings moved out of the grown BAR's way and stayed inside the window.
  const Resource window = read_pci_function(root, RebarScenario::port).resources.at(15);
  for (const auto& [bdf, bar] : {std::pair{RebarScenario::audio, 0u}, std::pair{RebarScenario::accel, 2u}}) {
    const Resource r = bar_of(root, bdf, bar);
    EXPECT_FALSE(overlaps(r, gpu)) << bdf.str();
    EXPECT_TRUE(contains(window, r)) << bdf.str();
  }
  EXPECT_TRUE(run.journal_empty());
}

TEST(ResizeExecution, EnospcIsRolledBackExactly) {
  RebarScenario s(false);
  const std::string before = s.state();
  auto p = plan(s, "2G");  // the aperture has no 2 GiB-aligned room beside the NIC's window
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_TRUE(p->removed.empty());
  EXPECT_FALSE(p->reenumerate);
  Executor run;
  auto r = run.apply(s, *p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), ENOSPC);
  EXPECT_NE(r.error().message().find("no room for the grown bridge window"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("rolled back: BAR 0 is 256MiB"), std::string::npos) << r.error().message();
  EXPECT_EQ(s.state(), before);
  EXPECT_TRUE(run.journal_empty());
}

TEST(ResizePlan, WindowsThatCouldNotHoldTheRemovedFunctionsAgainAreRefusedBeforeAnyChange) {
  // 1 GiB and the siblings' 48 MiB need a 2 GiB window: the write alone
  // would succeed, but the re-enumeration would leave them without room.
  RebarScenario s(true);
  auto p = plan(s, "1G");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("host bridge aperture 0x80000000-0xffffffff"), std::string::npos)
      << p.error().message();
  EXPECT_NE(p.error().message().find("with every function below 0000:00:01.0 kept"), std::string::npos)
      << p.error().message();
}

TEST(SimulatedKernel, ASiblingsWindowPinsTheSwitchSoTheRawWriteFailsWithEnospc) {
  RebarScenario s(RebarScenario::BehindSwitch{});
  const SysfsRoot root = s.root();
  ASSERT_TRUE(unbind_driver(root, RebarScenario::switch_gpu));
  auto r = root.write(root.device_dir(RebarScenario::switch_gpu) / "resource0_resize", "8");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), ENOSPC);
  EXPECT_EQ(bar_of(root, RebarScenario::switch_gpu, 0).size(), 16 * MiB);
}

TEST(ResizePlan, BehindASwitchThePlanEmptiesEveryWindowUpToOneThatCanGrow) {
  RebarScenario s(RebarScenario::BehindSwitch{});
  const SysfsRoot root = s.root();
  auto p = plan_resize(root, read_host(root), {RebarScenario::switch_gpu, 0, ByteSize(256 * MiB), false, false},
                       [](const pci::Bdf&) { return std::vector<std::string>{}; });
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->removed, (std::vector<pci::Bdf>{RebarScenario::switch_down_sibling}));
  EXPECT_EQ(p->released,
            (std::vector<pci::Bdf>{RebarScenario::switch_down, RebarScenario::switch_up, RebarScenario::port}));
  EXPECT_FALSE(p->stop);  // the host bridge aperture
  EXPECT_EQ(p->reenumerate, RebarScenario::port);
  ASSERT_FALSE(p->notes.empty());
  EXPECT_NE(p->notes.front().find("does not fit in 0000:01:00.0's window"), std::string::npos) << p->notes.front();
  bool advice = false;
  for (const auto& n : p->notes) advice |= n.find("pci=hpmmioprefsize") != std::string::npos;
  EXPECT_TRUE(advice);

  Executor run;
  auto ok = run.apply(s, *p);
  ASSERT_TRUE(ok) << ok.error().describe() << "\n" << s.state();
  EXPECT_EQ(bar_of(root, RebarScenario::switch_gpu, 0).size(), 256 * MiB);
  // The sibling came back with an address inside its port's window, and its driver and override.
  const Resource sibling = bar_of(root, RebarScenario::switch_sibling, 0);
  EXPECT_EQ(sibling.size(), 16 * MiB);
  EXPECT_TRUE(contains(read_pci_function(root, RebarScenario::switch_down_sibling).resources.at(15), sibling));
  EXPECT_EQ(*read_binding(root, RebarScenario::switch_sibling), (Binding{"vfio-pci", "vfio-pci"}));
  EXPECT_EQ(*read_binding(root, RebarScenario::switch_gpu), (Binding{"amdgpu", std::nullopt}));
  EXPECT_TRUE(run.journal_empty());
}

TEST(ResizePlan, AWindowWithRoomAboveStopsTheWalkThere) {
  // Shrunk to 8 MiB, the GPU's port's window fits in the switch's window
  // beside the sibling's: the kernel's walk stops there, nothing else leaves.
  RebarScenario s(RebarScenario::BehindSwitch{});
  const SysfsRoot root = s.root();
  auto p = plan_resize(root, read_host(root), {RebarScenario::switch_gpu, 0, ByteSize(8 * MiB), false, false},
                       [](const pci::Bdf&) { return std::vector<std::string>{}; });
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_TRUE(p->removed.empty());
  EXPECT_EQ(p->released, (std::vector<pci::Bdf>{RebarScenario::switch_down}));
  EXPECT_EQ(p->stop, RebarScenario::switch_up);
  EXPECT_FALSE(p->reenumerate);
  Executor run;
  auto ok = run.apply(s, *p);
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(bar_of(root, RebarScenario::switch_gpu, 0).size(), 8 * MiB);
}

// A 512 MiB resize with siblings on a host with `setup`'s faults; it must
// fail and leave the host exactly as it was.
Error failing_resize(const SimulatedHostSetup& setup) {
  RebarScenario s(true, setup);
  const std::string before = s.state();
  auto p = plan(s, "512M");
  EXPECT_TRUE(p);
  Executor run;
  auto r = run.apply(s, *p);
  EXPECT_FALSE(r);
  EXPECT_EQ(s.state(), before);
  EXPECT_TRUE(run.journal_empty());
  return r ? Error(Errc::io, "", "the resize succeeded") : r.error();
}

TEST(ResizeExecution, ADriverThatWillNotUnbindStopsThePlanAtItsFirstStep) {
  SimulatedHostSetup setup;
  setup.unbind_errno[RebarScenario::gpu] = EBUSY;
  const Error r = failing_resize(setup);
  EXPECT_NE(r.message().find("amdgpu refused to unbind (step 1 of"), std::string::npos) << r.message();
}

TEST(ResizeExecution, PreservedFirmwareConfigurationIsExplained) {
  SimulatedHostSetup setup;
  setup.preserve_config = true;
  const Error r = failing_resize(setup);
  EXPECT_EQ(r.sys_errno(), 524);
  EXPECT_NE(r.message().find("preserve_config"), std::string::npos) << r.message();
}

TEST(ResizeExecution, ARehearsalRunsEveryStepButTheSizeWrite) {
  RebarScenario s(true);
  const std::string before = s.state();
  auto p = plan(s, nullptr, true);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->to, p->from);
  Executor run;
  auto ok = run.apply(s, *p);
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(s.state(), before);
  size_t removes = 0;
  for (const auto& line : s.kernel_log()) {
    EXPECT_EQ(line.find("resize"), std::string::npos) << line;
    removes += line.find("/remove <- 1: ok") != std::string::npos;
  }
  EXPECT_EQ(removes, 2u);
}

TEST(ResizeRecordFormat, DamagedRecordsAreNamedErrors) {
  const std::string fn =
      R"("functions":[{"bdf":"0000:01:00.0","driver":"DRIVER","driver_override":null,"iommu_group":1,"removed":false}])";
  auto with_driver = [&](const std::string& driver) {
    std::string f = fn;
    f.replace(f.find("DRIVER"), 6, driver);
    return R"({"bdf":"0000:01:00.0","bar":0,"from_bytes":1,"to_bytes":2,"from_encoding":null,"to_encoding":null,"rehearse":true,)" +
           f + R"(,"removed":[]})";
  };
  ASSERT_TRUE(resize_record_from_json(with_driver("nvme"), "resize-x.json"));
  for (const std::string& text :
       {std::string(""), std::string("{}"), std::string(R"({"bdf":"0000:01:00.0","bar":0,"from_bytes":5e+136})"),
        std::string(R"({"bdf":"zz"})"), std::string(R"({"bdf":"0000:01:00.0","bar":9})"),
        // A recorded driver becomes a path under bus/pci/drivers: it may not climb out.
        with_driver("../../../../x"), with_driver(".hidden")}) {
    auto e = resize_record_from_json(text, "resize-x.json");
    ASSERT_FALSE(e) << text;
    EXPECT_EQ(e.error().subject(), "resize-x.json") << text;
  }
}

}  // namespace
}  // namespace vfiokit::host
