// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/text_table.hpp"

#include <fmt/format.h>

namespace vfiokit::cli {
namespace {

// Columns are measured in characters, not bytes: names may hold UTF-8.
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

}  // namespace

TextTable::TextTable(std::vector<std::string> headings, std::vector<bool> right_aligned)
    : headings_(std::move(headings)), right_(std::move(right_aligned)) {
  right_.resize(headings_.size(), false);
  for (const auto& h : headings_) widths_.push_back(display_width(h));
}

void TextTable::add(std::vector<std::string> cells) {
  cells.resize(headings_.size());
  for (size_t i = 0; i < cells.size(); ++i) widths_[i] = std::max(widths_[i], display_width(cells[i]));
  rows_.push_back(std::move(cells));
}

std::string TextTable::line(const std::vector<std::string>& cells) const {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    const bool last = i + 1 == cells.size();
    const size_t pad = widths_[i] - display_width(cells[i]);
    if (i) out += "  ";
    if (right_[i]) out += std::string(pad, ' ') + cells[i];
    else out += cells[i] + (last ? "" : std::string(pad, ' '));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void TextTable::print_header() const { fmt::print("{}\n", line(headings_)); }

void TextTable::print_row(size_t row) const { fmt::print("{}\n", line(rows_.at(row))); }

}  // namespace vfiokit::cli
