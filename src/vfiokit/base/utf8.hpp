// Whether bytes are UTF-8 text (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF). Sysfs attributes a user can write, such as
// driver_override, hold whatever bytes were written; JSON holds text only.
#pragma once

#include <string_view>

namespace vfiokit {

bool is_utf8(std::string_view bytes);

}  // namespace vfiokit
