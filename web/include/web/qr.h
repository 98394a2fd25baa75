#pragma once
/// QR codes of feed URLs, for phones at a meeting.

#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::web {

/// An inline SVG of the QR code of `text` (error correction M, 8-bit mode): a white
/// background and one black <path> of the dark modules, a quiet zone of 4 modules, a viewBox
/// of one unit per module, and `title` as its accessible name. No style attributes (CSP).
/// None when `text` cannot be encoded (too long).
std::optional<std::string> qr_svg(std::string_view text, std::string_view title);

}  // namespace treffpunkt::web
