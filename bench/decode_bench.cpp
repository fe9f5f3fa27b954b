// SPDX-License-Identifier: Apache-2.0
// Decoding speed: a full 4 KiB config space per device, and parsing lspci
// text. Printed as time per device (Google Benchmark's ns column).
#include <benchmark/benchmark.h>

#include <string>

#include "support/corpus.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/device.hpp"
#include "vfiokit/pci/dump_format.hpp"

namespace {

const vfiokit::testing::CorpusDevice& gpu() {
  static const auto corpus = vfiokit::testing::synthetic_corpus();
  for (const auto& d : corpus)
    if (d.name == "gpu-three-rebars") return d;
  std::abort();
}

void BM_DecodeConfigSpace4K(benchmark::State& state) {
  const auto& device = gpu();
  for (auto _ : state) {
    auto decoded = vfiokit::pci::decode_device(device.config);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("ns per device (4096-byte config space, 10 capabilities)");
}
BENCHMARK(BM_DecodeConfigSpace4K);

void BM_ParseLspciText4K(benchmark::State& state) {
  const auto& device = gpu();
  const std::string text = vfiokit::pci::format_dump(device.bdf, device.name, device.config);
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  for (auto _ : state) {
    auto parsed = vfiokit::pci::parse_dump(bytes, "bench");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("ns per device (lspci -xxxx text)");
}
BENCHMARK(BM_ParseLspciText4K);

void BM_ParseBdf(benchmark::State& state) {
  for (auto _ : state) {
    auto bdf = vfiokit::pci::Bdf::parse("0000:03:00.0");
    benchmark::DoNotOptimize(bdf);
  }
}
BENCHMARK(BM_ParseBdf);

}  // namespace

BENCHMARK_MAIN();
