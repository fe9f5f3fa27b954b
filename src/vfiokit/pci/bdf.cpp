// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/bdf.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace vfiokit::pci {
namespace {

// Parses exactly `width_max` or fewer hex digits, all of `text`.
std::optional<unsigned> parse_hex_field(std::string_view text, size_t width_max) {
  if (text.empty() || text.size() > width_max) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<Bdf> Bdf::make(unsigned domain, unsigned bus, unsigned device, unsigned function) {
  const std::string subject = fmt::format("BDF {:x}:{:x}:{:x}.{:x}", domain, bus, device, function);
  if (domain > 0xffff) return fail(Errc::invalid_argument, subject, "domain must be at most ffff");
  if (bus > 0xff) return fail(Errc::invalid_argument, subject, "bus must be at most ff");
  if (device > 0x1f) return fail(Errc::invalid_argument, subject, "device must be at most 1f");
  if (function > 7) return fail(Errc::invalid_argument, subject, "function must be at most 7");
  return Bdf(static_cast<uint16_t>(domain), static_cast<uint8_t>(bus), static_cast<uint8_t>(device),
             static_cast<uint8_t>(function));
}

Result<Bdf> Bdf::parse(std::string_view text) {
  // The subject is formatted only for a refusal: listings of a large host
  // parse thousands of addresses, and nearly all of them parse.
  const auto bad = [&](std::string_view why) {
    return fail(Errc::invalid_argument, fmt::format("BDF '{}'", text),
                fmt::format("{}; expected DDDD:BB:DD.F or BB:DD.F in hex, e.g. 0000:03:00.0", why));
  };
  const size_t dot = text.rfind('.');
  if (dot == std::string_view::npos) return bad("no '.' before the function");
  const std::string_view function_text = text.substr(dot + 1);
  std::string_view rest = text.substr(0, dot);

  const size_t last_colon = rest.rfind(':');
  if (last_colon == std::string_view::npos) return bad("no ':' between bus and device");
  const std::string_view device_text = rest.substr(last_colon + 1);
  rest = rest.substr(0, last_colon);

  std::string_view domain_text = "0";
  std::string_view bus_text = rest;
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    domain_text = rest.substr(0, colon);
    bus_text = rest.substr(colon + 1);
    if (domain_text.find(':') != std::string_view::npos) return bad("too many ':'");
  }

  const auto domain = parse_hex_field(domain_text, 4);
  if (!domain) return bad("domain is not 1 to 4 hex digits");
  const auto bus = parse_hex_field(bus_text, 2);
  if (!bus) return bad("bus is not 1 or 2 hex digits");
  const auto device = parse_hex_field(device_text, 2);
  if (!device) return bad("device is not 1 or 2 hex digits");
  if (function_text.size() != 1) return bad("function is not a single digit 0-7");
  const auto function = parse_hex_field(function_text, 1);
  if (!function) return bad("function is not a single digit 0-7");
  if (*device > 0x1f) return bad("device must be at most 1f");
  if (*function > 7) return bad("function must be at most 7");
  return Bdf(static_cast<uint16_t>(*domain), static_cast<uint8_t>(*bus), static_cast<uint8_t>(*device),
             static_cast<uint8_t>(*function));
}

std::string Bdf::str() const {
  // By hand, as fmt would write "{:04x}:{:02x}:{:02x}.{:x}": a listing of a
  // large host prints thousands of addresses.
  static constexpr char kHex[] = "0123456789abcdef";
  const auto put = [](char* at, unsigned value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value >>= 4) at[i] = kHex[value & 0xf];
  };
  std::string s(12, '\0');
  put(s.data(), domain_, 4);
  s[4] = ':';
  put(s.data() + 5, bus_, 2);
  s[7] = ':';
  put(s.data() + 8, device_, 2);
  s[10] = '.';
  put(s.data() + 11, function_, 1);
  return s;
}

}  // namespace vfiokit::pci
