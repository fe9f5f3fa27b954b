// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/iova.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vfiokit::vfio {

std::string Iova::str() const { return fmt::format("0x{:x}", value_); }

std::vector<IovaRange> subtract_ranges(std::vector<IovaRange> ranges, const std::vector<IovaRange>& holes) {
  for (const auto& hole : holes) {
    std::vector<IovaRange> next;
    for (const auto& r : ranges) {
      if (hole.last < r.start || hole.start > r.last) {
        next.push_back(r);
        continue;
      }
      if (hole.start > r.start) next.push_back({r.start, hole.start - 1});
      if (hole.last < r.last) next.push_back({hole.last + 1, r.last});
    }
    ranges = std::move(next);
  }
  std::sort(ranges.begin(), ranges.end());
  return ranges;
}

}  // namespace vfiokit::vfio
