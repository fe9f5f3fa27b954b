// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/selection/device_patterns.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace vfiokit::pci {
namespace {

// One field: empty or "*" for any, else hex up to `max`.
Result<std::optional<unsigned>> field(std::string_view text, unsigned max, std::string_view what,
                                      std::string_view pattern) {
  if (text.empty() || text == "*") return std::optional<unsigned>();
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size() || value > max)
    return fail(Errc::invalid_argument, fmt::format("'{}'", pattern),
                fmt::format("{} '{}' is not a hex number up to {:x}", what, text, max));
  return std::optional<unsigned>(value);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

Result<SlotPattern> SlotPattern::parse(std::string_view text) {
  SlotPattern p;
  std::string_view rest = text;
  if (const size_t dot = rest.find('.'); dot != std::string_view::npos) {
    auto f = field(rest.substr(dot + 1), 7, "function", text);
    if (!f) return fail(f.error());
    p.function_ = *f;
    rest = rest.substr(0, dot);
  }
  const auto parts = split(rest, ':');
  if (parts.size() > 3) return fail(Errc::invalid_argument, fmt::format("'{}'", text), "too many ':'");
  // From the right: slot, then bus, then domain.
  const std::string_view names[] = {"slot", "bus", "domain"};
  const unsigned maxima[] = {0x1f, 0xff, 0xffff};
  std::optional<unsigned>* fields[] = {&p.slot_, &p.bus_, &p.domain_};
  for (size_t i = 0; i < parts.size(); ++i) {
    auto v = field(parts[parts.size() - 1 - i], maxima[i], names[i], text);
    if (!v) return fail(v.error());
    *fields[i] = *v;
  }
  return p;
}

bool SlotPattern::matches(const Bdf& bdf) const {
  return (!domain_ || *domain_ == bdf.domain()) && (!bus_ || *bus_ == bdf.bus()) &&
         (!slot_ || *slot_ == bdf.device()) && (!function_ || *function_ == bdf.function());
}

Result<IdPattern> IdPattern::parse(std::string_view text) {
  const auto parts = split(text, ':');
  if (parts.size() < 2 || parts.size() > 3)
    return fail(Errc::invalid_argument, fmt::format("'{}'", text), "expected [vendor]:[device][:class]");
  IdPattern p;
  auto vendor = field(parts[0], 0xffff, "vendor", text);
  if (!vendor) return fail(vendor.error());
  auto device = field(parts[1], 0xffff, "device", text);
  if (!device) return fail(device.error());
  p.vendor_ = *vendor;
  p.device_ = *device;
  if (parts.size() == 3) {
    auto cls = field(parts[2], 0xffff, "class", text);
    if (!cls) return fail(cls.error());
    p.class_ = *cls;
  }
  return p;
}

bool IdPattern::matches(std::optional<uint16_t> vendor, std::optional<uint16_t> device,
                        std::optional<uint32_t> class_code) const {
  if (vendor_ && vendor != *vendor_) return false;
  if (device_ && device != *device_) return false;
  if (class_ && (!class_code || (*class_code >> 8) != *class_)) return false;
  return true;
}

}  // namespace vfiokit::pci
