// Scale of the host commands: a synthetic sysfs tree of N functions (16
// SR-IOV physical functions, each with its virtual functions, behind the
// downstream ports of a switch), read by `vfiokit list --json`,
// `vfiokit groups --json`, and by `lspci -D` on the same tree. Prints the
// time per command for N = 1024, 2048 and 4096 and the ratio lspci/vfiokit.
// Target: vfiokit list at least 3x faster than lspci, linear in N.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "support/fake_sysfs.hpp"
#include "support/run_process.hpp"

namespace {

using vfiokit::pci::Bdf;
using vfiokit::pci::PcieType;
using vfiokit::testing::ConfigBuilder;

constexpr unsigned kPfs = 16;

ConfigBuilder port(uint16_t device, PcieType type) {
  ConfigBuilder b;
  b.ids(0x10b5, device).class_code(0x060400).header_type(1).pci_express(0x40, type).acs(0x100, 0x001f, 0x001f);
  return b;
}

ConfigBuilder function(bool pf) {
  ConfigBuilder b;
  b.ids(0x15b3, pf ? 0x101d : 0x101e).class_code(0x020000).header_type(0).pci_express(0x40, PcieType::endpoint);
  b.msix(0x80, 64, 0x2000, 0x3000);
  if (pf) b.sriov(0x100, 255, 255, 0x101e);
  return b;
}

// Trees are built once per size and kept for the whole run.
const vfiokit::testing::FakeSysfs& tree(unsigned functions) {
  static std::map<unsigned, std::unique_ptr<vfiokit::testing::FakeSysfs>> trees;
  auto& t = trees[functions];
  if (t) return *t;
  t = std::make_unique<vfiokit::testing::FakeSysfs>();
  const Bdf rp(0, 0, 1, 0), up(0, 1, 0, 0);
  t->add(rp, port(0x8747, PcieType::root_port)).add(up, port(0x8747, PcieType::upstream_port), rp);
  const unsigned per_pf = functions / kPfs;
  for (unsigned i = 0; i < kPfs; ++i) {
    const Bdf dp(0, 2, static_cast<uint8_t>(i), 0);
    t->add(dp, port(0x8748, PcieType::downstream_port), up);
    // With ARI the PF and its VFs fill the devfns of the port's bus.
    for (unsigned fn = 0; fn < per_pf; ++fn) {
      const Bdf f(0, static_cast<uint8_t>(3 + i), static_cast<uint8_t>(fn >> 3), static_cast<uint8_t>(fn & 7));
      t->add(f, function(fn == 0), dp);
      if (fn > 0) t->link(f, "physfn", Bdf(0, static_cast<uint8_t>(3 + i), 0, 0));
    }
  }
  return *t;
}

void run_command(benchmark::State& state, std::vector<std::string> argv) {
  const auto& t = tree(static_cast<unsigned>(state.range(0)));
  for (auto& a : argv)
    if (a == "ROOT") a = t.root().string();
  for (auto _ : state) {
    auto r = vfiokit::testing::run_process(argv);
    if (r.exit_code != 0) state.SkipWithError(("command failed: " + r.err).c_str());
  }
  state.counters["functions"] = static_cast<double>(state.range(0));
}

void BM_VfiokitListJson(benchmark::State& state) {
  run_command(state, {VFIOKIT_BIN, "list", "--json", "--sysfs-root", "ROOT"});
}
void BM_VfiokitGroupsJson(benchmark::State& state) {
  run_command(state, {VFIOKIT_BIN, "groups", "--json", "--sysfs-root", "ROOT"});
}
void BM_LspciDFixed(benchmark::State& state) {
  const auto& t = tree(static_cast<unsigned>(state.range(0)));
  run_command(state, {"lspci", "-D", "-A", "linux-sysfs", "-O", "sysfs.path=" + (t.root() / "bus/pci").string()});
}

BENCHMARK(BM_VfiokitListJson)->Arg(1024)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_VfiokitGroupsJson)->Arg(1024)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_LspciDFixed)->Arg(1024)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// Prints, after the table, lspci's time over vfiokit's for each size.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      const std::string name = run.benchmark_name();
      const auto slash = name.find('/');
      times_[name.substr(0, slash)][name.substr(slash + 1, name.find('/', slash + 1) - slash - 1)] =
          run.GetAdjustedRealTime();
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-10s %12s %12s %12s %16s %16s\n", "functions", "list ms", "groups ms", "lspci ms",
                "lspci/list", "list ms/1k fn");
    for (const auto& [n, list] : times_["BM_VfiokitListJson"]) {
      const double groups = times_["BM_VfiokitGroupsJson"][n];
      const double lspci = times_["BM_LspciDFixed"][n];
      std::printf("%-10s %12.1f %12.1f %12.1f %15.1fx %16.1f\n", n.c_str(), list, groups, lspci, lspci / list,
                  list / (std::stod(n) / 1024));
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
}
