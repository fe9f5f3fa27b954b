// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "vfiokit/deviceplugin/config/plugin_config.hpp"

namespace vfiokit::deviceplugin {
namespace {

Result<PluginConfig> parse(const std::string& text) { return parse_plugin_config(text, "plugin.toml"); }

TEST(PluginConfig, ResourcesInTheFilesOrderWithTheirSettings) {
  auto c = parse(R"(
[resource."vfiokit.io/nic"]
select = ["8086:10d3", "15b3::0200"]
bind = true
device-nodes = "cdev"

[resource."example.com/gpu"]
profile = "/etc/vfiokit/profiles/gpu.toml"
)");
  ASSERT_TRUE(c) << c.error().describe();
  ASSERT_EQ(c->resources.size(), 2u);
  EXPECT_EQ(c->resources[0].name, "vfiokit.io/nic");
  EXPECT_TRUE(c->resources[0].bind);
  EXPECT_EQ(c->resources[0].nodes, DeviceNodes::cdev);
  ASSERT_EQ(c->resources[0].patterns.size(), 2u);
  EXPECT_TRUE(c->resources[0].patterns[1].matches(0x15b3, 0x1017, 0x020000));
  EXPECT_FALSE(c->resources[0].patterns[1].matches(0x15b3, 0x1017, 0x010802));
  EXPECT_EQ(c->resources[1].name, "example.com/gpu");
  EXPECT_EQ(c->resources[1].profile, std::filesystem::path("/etc/vfiokit/profiles/gpu.toml"));
  EXPECT_FALSE(c->resources[1].bind);
  EXPECT_EQ(c->resources[1].nodes, DeviceNodes::group);
}

TEST(PluginConfig, EveryMistakeIsNamedWithItsLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "names no resource"},
      {"[resource.\"vfiokit.io/a\"]\nselect = [\"1234:11e8\"]\ncolour = 1\n", "plugin.toml:3: unknown key 'colour'"},
      {"[resource.\"vfiokit.io/a\"]\n", "needs one of 'select' and 'profile'"},
      {"[resource.\"vfiokit.io/a\"]\nselect = [\"1234:11e8\"]\nprofile = \"/p.toml\"\n", "needs one of"},
      {"[resource.\"vfiokit.io/a\"]\nselect = []\n", "'select' must be a list"},
      {"[resource.\"vfiokit.io/a\"]\nselect = [\"12345:1\"]\n", "plugin.toml:2"},
      {"[resource.\"vfiokit.io/a\"]\nselect = [\"1234:11e8\"]\ndevice-nodes = \"all\"\n", "\"group\" or \"cdev\""},
      {"[resource.\"vfiokit.io/a\"]\nselect = [\"1234:11e8\"]\nbind = \"yes\"\n", "'bind' must be true or false"},
      {"[resource.\"vfiokit.io/a\"]\nprofile = \"gpu.toml\"\n", "absolute path"},
      {"[resource.\"gpu\"]\nselect = [\"1234:11e8\"]\n", "must be DOMAIN/NAME"},
      {"[resource.\"Vfiokit.io/gpu\"]\nselect = [\"1234:11e8\"]\n", "lower-case DNS name"},
      {"[resource.\"kubernetes.io/gpu\"]\nselect = [\"1234:11e8\"]\n", "reserved"},
      {"[resource.\"vfiokit.io/-gpu\"]\nselect = [\"1234:11e8\"]\n", "starting and ending alphanumeric"},
      {"[resource.\"vfiokit.io/a/b\"]\nselect = [\"1234:11e8\"]\n", "must be DOMAIN/NAME"},
      {"resource = 3\n", "must hold tables"},
      {"[device.x]\n", "unknown key 'device'"},
      {"[resource.\"vfiokit.io/a\"\n", "not TOML"},
  };
  for (const auto& [text, expected] : cases) {
    auto c = parse(text);
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().describe().find(expected), std::string::npos) << text << " -> " << c.error().describe();
  }
}

TEST(PluginConfig, ResourceNamesTheKubeletAccepts) {
  EXPECT_TRUE(check_resource_name("vfiokit.io/gpu"));
  EXPECT_TRUE(check_resource_name("nvidia.com/GP102GL_Tesla-P40.v2"));
  EXPECT_FALSE(check_resource_name("vfiokit.io/" + std::string(64, 'a')));
  EXPECT_FALSE(check_resource_name("vfiokit..io/gpu"));
  EXPECT_FALSE(check_resource_name("/gpu"));
  EXPECT_FALSE(check_resource_name("foo.kubernetes.io/gpu"));
}

TEST(PluginConfig, TheVariableKubeVirtReads) {
  EXPECT_EQ(pci_resource_env("vfiokit.io/gpu"), "PCI_RESOURCE_VFIOKIT_IO_GPU");
  EXPECT_EQ(pci_resource_env("nvidia.com/GP102GL_Tesla"), "PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA");
}

TEST(PluginConfig, AFileThatIsNotRegularIsRefused) {
  auto c = read_plugin_config("/dev/null");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().describe().find("/dev/null"), std::string::npos) << c.error().describe();
  EXPECT_EQ(read_plugin_config("/nonexistent/plugin.toml").error().code(), Errc::not_found);
}

}  // namespace
}  // namespace vfiokit::deviceplugin
