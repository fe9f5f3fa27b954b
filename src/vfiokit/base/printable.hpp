// SPDX-License-Identifier: Apache-2.0
// Text from outside vfiokit (device names, driver links, attribute values,
// file names in a snapshot) reaching a terminal: a control character in it
// would be acted on by the terminal (an ESC sequence can retitle the window,
// move the cursor, hide what follows), so it is shown escaped instead.
#pragma once

#include <string>
#include <string_view>

namespace vfiokit {

// `text` with every byte a terminal could act on written as \xHH: C0
// controls, DEL, the C1 controls (U+0080..U+009F) and bytes that are not
// UTF-8. Printable UTF-8 passes unchanged, so escaping twice changes
// nothing.
std::string printable(std::string_view text);

// The same for a stream of text: newlines and tabs pass, since the text is
// laid out with them. Returns how many bytes at the end of `text` were held
// back because they begin a UTF-8 sequence that the next piece may
// complete (0 when `final`).
size_t append_printable_text(std::string& out, std::string_view text, bool final);

}  // namespace vfiokit
