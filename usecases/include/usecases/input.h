#pragma once
/// What people type, checked the same way wherever they type it (the JSON API, the pages):
/// names, addresses, and a responsible's message to attendees.

#include <usecases/error.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::usecases {

/// A guest's name as typed, trimmed, if it is 1 to 100 characters of UTF-8 on one line (no
/// control characters, no Unicode line or paragraph separators); else none.
std::optional<std::string> guest_name(std::string_view typed);

/// An address as typed, trimmed and lower-cased, if mail can be sent to it: a plain ASCII
/// addr-spec (notifications::valid_address; compose refuses anything else); else none.
std::optional<std::string> email_address(std::string_view typed);

/// Limits of a message to an occurrence's attendees, in characters (code points).
inline constexpr std::size_t max_subject_chars = 200;
inline constexpr std::size_t max_body_chars = 5000;

/// A message's subject or body as typed, trimmed: 1 to `max` characters, no control characters.
/// A subject is one line (no CR or LF, so no header can be smuggled in); a body may have line
/// breaks and tabs, and CRLF becomes LF. Errors name `field`: required (empty), too_long,
/// invalid (control characters).
/// A text as typed, trimmed: 1 to `max` characters (code points), one line without control
/// characters, or when `multiline` with line breaks and tabs (CRLF becomes LF). Errors name
/// `field`: required (empty), too_long, invalid (control characters).
result<std::string> typed_text(std::string_view typed, std::string_view field, std::size_t max,
                               bool multiline);

result<std::string> message_subject(std::string_view typed, std::string_view field = "subject");
result<std::string> message_body(std::string_view typed, std::string_view field = "body");

}  // namespace treffpunkt::usecases
