// SPDX-License-Identifier: Apache-2.0
// `vfiokit rebar --from DUMP --json` against `lspci -vvv -F DUMP`: the same
// resizable BARs, current sizes and supported sizes, extended sizes included.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/lspci_compare.hpp"
#include "support/run_process.hpp"
#include "vfiokit/base/byte_size.hpp"

namespace vfiokit {
namespace {

TEST(RebarCli, DumpWithThreeResizableBarsAgreesWithLspci) {
  const std::string dump = std::string(VFIOKIT_SOURCE_DIR) + "/data/examples/gpu-three-rebars.lspci";
  const auto ours = testing::run_process({VFIOKIT_BIN, "rebar", "--from", dump, "--json"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  const auto lspci = testing::run_process({"lspci", "-vvv", "-F", dump});
  ASSERT_EQ(lspci.exit_code, 0) << lspci.err;
  const auto theirs = testing::parse_lspci(lspci.out).rebar;
  std::map<std::string, std::string> mine;
  const auto doc = nlohmann::json::parse(ours.out);
  for (const auto& e : doc["devices"][0]["rebar"]) {
    std::string sizes;
    // Sizes and offsets are integers, as in every vfiokit document.
    const auto lspci_size = [](const nlohmann::json& s) { return ByteSize(s["bytes"].get<uint64_t>()).lspci_str(); };
    for (const auto& s : e["supported_sizes"]) sizes += (sizes.empty() ? "" : " ") + lspci_size(s);
    mine[std::to_string(e["offset"].get<unsigned>()) + "/" + std::to_string(e["bar"].get<unsigned>())] =
        lspci_size(e["current_size"]) + "|" + sizes;
  }
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_EQ(mine, theirs);
}

}  // namespace
}  // namespace vfiokit
