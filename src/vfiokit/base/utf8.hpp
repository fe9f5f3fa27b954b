// SPDX-License-Identifier: Apache-2.0
// Whether bytes are UTF-8 text (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF). Sysfs attributes a user can write, such as
// driver_override, hold whatever bytes were written; JSON holds text only.
#pragma once

#include <string_view>

namespace vfiokit {

bool is_utf8(std::string_view bytes);

// The length (2 to 4) of the UTF-8 sequence that starts at `p`, a byte of
// 0x80 or above; 0 when it is not valid UTF-8; -1 when `end` cuts a
// sequence that is valid so far.
int utf8_sequence_length(const unsigned char* p, const unsigned char* end);

}  // namespace vfiokit
