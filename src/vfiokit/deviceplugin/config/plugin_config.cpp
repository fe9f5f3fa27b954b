// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/config/plugin_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "vfiokit/host/internal/toml_document.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::deviceplugin {

namespace {

constexpr size_t kConfigLimit = 1 << 20;
constexpr size_t kMaxResources = 64;
constexpr size_t kMaxSelectors = 256;

Error at(const std::string& source, const toml::source_region& where, const std::string& what) {
  return host::toml_error_at(source, where, what);
}

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// A DNS-1123 subdomain (Kubernetes' IsDNS1123Subdomain): lower-case
// labels of letters, digits and '-', joined by '.', at most 253.
bool dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
        return false;
    start = end + 1;
  }
  return true;
}

Result<std::string> string_of(const std::string& source, const toml::key& key, const toml::node& v) {
  if (v.is_string()) return *v.value<std::string>();
  return fail(at(source, key.source(), fmt::format("'{}' must be a string", key.str())));
}

Result<ResourceConfig> parse_resource(const std::string& source, const toml::key& name, const toml::node& node) {
  ResourceConfig r;
  r.name = std::string(name.str());
  r.line = name.source().begin.line;
  if (auto ok = check_resource_name(r.name); !ok) return fail(at(source, name.source(), ok.error().describe()));
  const toml::table* t = node.as_table();
  if (!t) return fail(at(source, name.source(), fmt::format("resource \"{}\" must be a table", r.name)));
  for (auto&& [key, v] : *t) {
    const std::string k(key.str());
    if (k == "select") {
      const toml::array* list = v.as_array();
      if (!list || list->empty() || list->size() > kMaxSelectors)
        return fail(
            at(source, key.source(),
               fmt::format("'select' must be a list of 1 to {} \"vendor:device[:class]\" strings", kMaxSelectors)));
      for (const auto& item : *list) {
        if (!item.is_string()) return fail(at(source, key.source(), "'select' must hold strings"));
        const std::string text = *item.value<std::string>();
        auto pattern = pci::IdPattern::parse(text);
        if (!pattern) return fail(at(source, key.source(), pattern.error().describe()));
        r.selectors.push_back(text);
        r.patterns.push_back(*pattern);
      }
    } else if (k == "profile") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      if (s->empty() || s->front() != '/')
        return fail(at(source, key.source(), "'profile' must be an absolute path to a profile file"));
      r.profile = *s;
    } else if (k == "bind") {
      if (!v.is_boolean()) return fail(at(source, key.source(), "'bind' must be true or false"));
      r.bind = *v.value<bool>();
    } else if (k == "device-nodes") {
      auto s = string_of(source, key, v);
      if (!s) return fail(s.error());
      if (*s == "group") r.nodes = DeviceNodes::group;
      else if (*s == "cdev") r.nodes = DeviceNodes::cdev;
      else
        return fail(at(source, key.source(), fmt::format("'device-nodes' is \"group\" or \"cdev\", not \"{}\"", *s)));
    } else {
      return fail(
          at(source, key.source(), fmt::format("unknown key '{}' (known: select, profile, bind, device-nodes)", k)));
    }
  }
  if (r.patterns.empty() == !r.profile)
    return fail(at(source, name.source(), fmt::format("resource \"{}\" needs one of 'select' and 'profile'", r.name)));
  return r;
}

}  // namespace

Result<void> check_resource_name(std::string_view name) {
  const auto bad = [&](std::string why) {
    return fail(Errc::invalid_argument, fmt::format("resource name \"{}\"", name), why);
  };
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos || name.find('/', slash + 1) != std::string_view::npos)
    return bad("must be DOMAIN/NAME, e.g. vfiokit.io/gpu");
  const std::string_view domain = name.substr(0, slash), local = name.substr(slash + 1);
  if (!dns_subdomain(domain)) return bad("its domain must be a lower-case DNS name");
  if (domain == "kubernetes.io" || domain.ends_with(".kubernetes.io"))
    return bad("kubernetes.io is reserved for Kubernetes' own resources");
  if (local.empty() || local.size() > 63 || !alnum(local.front()) || !alnum(local.back()) ||
      !std::all_of(local.begin(), local.end(), [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; }))
    return bad("its name must be 1 to 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric");
  return {};
}

Result<PluginConfig> parse_plugin_config(std::string_view text, const std::string& source) {
  auto parsed = host::parse_toml_document(text, source);
  if (!parsed) return fail(parsed.error());
  const toml::table& top = *parsed;
  PluginConfig config;
  for (auto&& [key, v] : top) {
    if (key.str() != "resource")
      return fail(
          at(source, key.source(), fmt::format("unknown key '{}' (known: [resource.\"DOMAIN/NAME\"])", key.str())));
    const toml::table* resources = v.as_table();
    if (!resources) return fail(at(source, key.source(), "'resource' must hold tables: [resource.\"DOMAIN/NAME\"]"));
    for (auto&& [name, node] : *resources) {
      auto r = parse_resource(source, name, node);
      if (!r) return fail(r.error());
      config.resources.push_back(std::move(*r));
    }
  }
  if (config.resources.empty())
    return fail(Errc::invalid_argument, source, "names no resource: add a [resource.\"DOMAIN/NAME\"] table");
  if (config.resources.size() > kMaxResources)
    return fail(Errc::invalid_argument, source, fmt::format("names more than {} resources", kMaxResources));
  // toml++ keeps a table's keys sorted; the file's order is the lines'.
  std::stable_sort(config.resources.begin(), config.resources.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  return config;
}

Result<PluginConfig> read_plugin_config(const std::filesystem::path& path) {
  auto text = host::read_regular_file(path, kConfigLimit, "a device plugin configuration");
  if (!text) return fail(text.error());
  if (!*text) return fail(Errc::not_found, path.string(), "no such configuration file");
  return parse_plugin_config(**text, path.string());
}

std::string pci_resource_env(std::string_view resource_name) {
  std::string out = "PCI_RESOURCE_";
  for (char c : resource_name)
    out += (c == '.' || c == '/') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace vfiokit::deviceplugin
