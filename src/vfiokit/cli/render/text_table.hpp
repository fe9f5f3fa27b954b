// SPDX-License-Identifier: Apache-2.0
// A text table whose columns are as wide as their widest cell, so a long
// value ("unknown", a driver name) never pushes the next column out of
// line; the last column is free text and no line ends in spaces.
#pragma once

#include <string>
#include <vector>

namespace vfiokit::cli {

class TextTable {
 public:
  // `right_aligned[i]` for numeric columns; missing entries mean left.
  TextTable(std::vector<std::string> headings, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> cells);
  void print_header() const;
  void print_row(size_t row) const;
  size_t rows() const { return rows_.size(); }

 private:
  std::string line(const std::vector<std::string>& cells) const;
  std::vector<std::string> headings_;
  std::vector<bool> right_;
  std::vector<size_t> widths_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vfiokit::cli
