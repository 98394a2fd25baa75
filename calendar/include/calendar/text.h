#pragma once
/// Checks on text that none of the libraries treffpunkt uses offers, in one place for every
/// folder: well-formed UTF-8, and the alphabet of treffpunkt's tokens.

#include <string_view>

namespace treffpunkt::calendar {

/// True when `text` is well-formed UTF-8 as RFC 3629 §4 defines it: no overlong forms, no
/// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence. Titles, names
/// and messages end up in HTML, JSON, mail and other people's calendar apps, none of which
/// forgive broken text, so it is refused where it comes in.
bool valid_utf8(std::string_view text);

/// True when every character of `text` is of the URL- and filename-safe base64 alphabet of
/// RFC 4648 §5 (A-Z a-z 0-9 - _), as every token treffpunkt hands out: checked before a token
/// from outside is looked up. The empty string passes; callers check the length they expect.
bool is_base64url(std::string_view text);

}  // namespace treffpunkt::calendar
