// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/dump_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vfiokit::pci {
namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

unsigned hex_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  return static_cast<unsigned>(std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
}

bool looks_like_text(std::span<const uint8_t> content) {
  return std::all_of(content.begin(), content.end(),
                     [](uint8_t b) { return b == '\n' || b == '\r' || b == '\t' || (b >= 0x20 && b < 0x7f); });
}

// A device line starts "BB:DD.F" or "DDDD:BB:DD.F" followed by a space or the
// end of the line — the two forms lspci prints (without and with -D).
std::optional<std::pair<Bdf, std::string>> parse_device_line(std::string_view line) {
  const size_t space = line.find(' ');
  const std::string_view address = line.substr(0, space);
  const bool short_form = address.size() == 7 && address[2] == ':' && address[5] == '.';
  const bool long_form = address.size() == 12 && address[4] == ':' && address[7] == ':' && address[10] == '.';
  if (!short_form && !long_form) return std::nullopt;
  auto bdf = Bdf::parse(address);
  if (!bdf) return std::nullopt;
  std::string title = space == std::string_view::npos ? "" : std::string(line.substr(space + 1));
  return std::make_pair(*bdf, std::move(title));
}

struct Building {
  std::optional<Bdf> bdf;
  std::string title;
  size_t line = 0;
  std::vector<uint8_t> bytes = std::vector<uint8_t>(kExtendedSize, 0);
  std::vector<bool> present = std::vector<bool>(kExtendedSize, false);
  size_t length = 0;
};

Result<DumpedDevice> finish(Building& b, std::string_view source) {
  const std::string where =
      fmt::format("{}:{}: device {}", source, b.line, b.bdf ? b.bdf->str() : std::string("(no address)"));
  if (b.length != kHeaderSize && b.length != kConventionalSize && b.length != kExtendedSize)
    return fail(Errc::malformed, where, fmt::format("dump holds {} bytes; expected 64, 256 or 4096", b.length));
  for (size_t i = 0; i < b.length; ++i)
    if (!b.present[i])
      return std::unexpected(
          Error(Errc::malformed, where, "dump has a gap: byte missing").at_offset(static_cast<uint32_t>(i)));
  auto config = ConfigSpace::from_bytes(std::span(b.bytes).first(b.length));
  if (!config) return std::unexpected(config.error());
  return DumpedDevice{b.bdf, std::move(b.title), std::move(*config), b.line};
}

// "OFF: xx xx ..." with 2 to 8 hex digits of offset.
Result<bool> parse_data_line(std::string_view line, Building& b, std::string_view source, size_t line_no) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon > 8) return false;
  if (!std::all_of(line.begin(), line.begin() + static_cast<long>(colon), is_hex)) return false;
  if (colon + 1 < line.size() && line[colon + 1] != ' ') return false;
  const std::string subject = fmt::format("{}:{}", source, line_no);
  uint64_t offset = 0;
  for (size_t i = 0; i < colon; ++i) offset = offset * 16 + hex_value(line[i]);
  size_t pos = colon + 2;
  while (pos < line.size()) {
    if (pos + 2 > line.size() || !is_hex(line[pos]) || !is_hex(line[pos + 1]) ||
        (pos + 2 < line.size() && line[pos + 2] != ' '))
      return fail(Errc::malformed, subject,
                  fmt::format("column {}: expected two hex digits separated by single spaces", pos + 1));
    if (offset >= kExtendedSize)
      return std::unexpected(Error(Errc::malformed, subject, "byte beyond the 4096 bytes of config space")
                                 .at_offset(static_cast<uint32_t>(offset)));
    b.bytes[offset] = static_cast<uint8_t>(hex_value(line[pos]) << 4 | hex_value(line[pos + 1]));
    b.present[offset] = true;
    ++offset;
    b.length = std::max<size_t>(b.length, offset);
    pos += 3;
  }
  return true;
}

Result<std::vector<DumpedDevice>> parse_text(std::string_view text, std::string_view source) {
  std::vector<DumpedDevice> out;
  std::optional<Building> current;
  size_t line_no = 0;
  const auto close = [&]() -> Result<void> {
    if (!current) return {};
    if (current->length == 0) {
      current.reset();
      return {};
    }
    auto done = finish(*current, source);
    current.reset();
    if (!done) return std::unexpected(done.error());
    out.push_back(std::move(*done));
    return {};
  };

  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line.empty()) {
      if (auto r = close(); !r) return std::unexpected(r.error());
      continue;
    }
    // Indented lines are lspci's verbose decoding around the hex: not data.
    if (line.front() == ' ' || line.front() == '\t') continue;
    if (auto device = parse_device_line(line)) {
      if (auto r = close(); !r) return std::unexpected(r.error());
      current.emplace();
      current->bdf = device->first;
      current->title = std::move(device->second);
      current->line = line_no;
      continue;
    }
    if (!current) {
      current.emplace();
      current->line = line_no;
    }
    auto data = parse_data_line(line, *current, source, line_no);
    if (!data) return std::unexpected(data.error());
    if (!*data)
      return fail(Errc::malformed, fmt::format("{}:{}", source, line_no),
                  "neither a device line (BB:DD.F ...) nor a hex line (OFF: xx xx ...)");
  }
  if (auto r = close(); !r) return std::unexpected(r.error());
  if (out.empty()) return fail(Errc::malformed, std::string(source), "no config-space bytes found");
  return out;
}

}  // namespace

Result<std::vector<DumpedDevice>> parse_dump(std::span<const uint8_t> content, std::string_view source) {
  const bool raw_size =
      content.size() == kHeaderSize || content.size() == kConventionalSize || content.size() == kExtendedSize;
  if (looks_like_text(content) && !content.empty()) {
    auto parsed = parse_text(std::string_view(reinterpret_cast<const char*>(content.data()), content.size()), source);
    if (parsed || !raw_size) return parsed;
  }
  if (!raw_size)
    return fail(Errc::malformed, std::string(source),
                fmt::format("{} bytes: neither lspci hex text nor a raw config space of 64, 256 or 4096 bytes",
                            content.size()));
  auto config = ConfigSpace::from_bytes(content);
  if (!config) return std::unexpected(config.error());
  std::vector<DumpedDevice> out;
  out.push_back(DumpedDevice{std::nullopt, "", std::move(*config), 0});
  return out;
}

std::string format_dump(const Bdf& bdf, std::string_view title, const ConfigSpace& config) {
  std::string out = title.empty() ? bdf.str() : fmt::format("{} {}", bdf.str(), title);
  out += '\n';
  const auto bytes = config.bytes();
  for (size_t row = 0; row < bytes.size(); row += 16) {
    out += row < 0x100 ? fmt::format("{:02x}:", row) : fmt::format("{:03x}:", row);
    for (size_t i = row; i < row + 16 && i < bytes.size(); ++i) out += fmt::format(" {:02x}", bytes[i]);
    out += '\n';
  }
  return out;
}

}  // namespace vfiokit::pci
