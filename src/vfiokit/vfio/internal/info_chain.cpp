// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/internal/info_chain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace vfiokit::vfio {

Result<std::vector<InfoCap>> walk_info_chain(std::span<const uint8_t> buffer, uint32_t first, uint32_t min_offset,
                                             const char* subject) {
  std::vector<InfoCap> caps;
  std::set<uint32_t> seen;
  constexpr uint32_t kHeader = 8;
  for (uint32_t at = first; at != 0;) {
    if (at < min_offset || at % 4 != 0 || size_t(at) + kHeader > buffer.size())
      return fail(Error(Errc::malformed, subject,
                        fmt::format("capability chain points outside the {}-byte info", buffer.size()))
                      .at_offset(at));
    if (!seen.insert(at).second) return fail(Error(Errc::malformed, subject, "capability chain loops").at_offset(at));
    InfoCap cap;
    uint32_t next;
    std::memcpy(&cap.id, buffer.data() + at, 2);
    std::memcpy(&cap.version, buffer.data() + at + 2, 2);
    std::memcpy(&next, buffer.data() + at + 4, 4);
    cap.offset = at;
    // A capability extends to the next one above it, or to the end.
    size_t end = buffer.size();
    if (next > at) end = std::min<size_t>(end, next);
    cap.bytes = buffer.subspan(at, end - at);
    caps.push_back(cap);
    at = next;
  }
  return caps;
}

}  // namespace vfiokit::vfio
