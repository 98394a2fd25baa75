#include <calendar/text.h>       // valid_utf8
#include <notifications/mime.h>  // valid_address
#include <usecases/input.h>

#include <algorithm>
#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/classification.hpp>  // is_any_of
#include <boost/algorithm/string/trim.hpp>
#include <locale>

namespace treffpunkt::usecases {
namespace {

std::string_view trim_blanks(std::string_view s) {
  return boost::algorithm::trim_copy_if(s, boost::algorithm::is_any_of(" \t"));
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

result<std::string> message_text(std::string_view typed, std::string_view field, std::size_t max,
                                 bool multiline) {
  const std::string name(field);
  std::string text;
  text.reserve(typed.size());
  for (std::size_t i = 0; i < typed.size(); ++i) {
    if (multiline && typed[i] == '\r' && i + 1 < typed.size() && typed[i + 1] == '\n') continue;
    text += typed[i];
  }
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool allowed = multiline && (c == '\n' || c == '\t');
    if ((u < 0x20 || u == 0x7F) && !allowed) {
      return error{errc::invalid,
                   name + (multiline ? " must not contain control characters"
                                     : " must be one line without control characters"),
                   name};
    }
  }
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return error{errc::required, name + " is empty", name};
  text = text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
  if (code_points(text) > max) {
    return error{errc::too_long, name + " is longer than " + std::to_string(max) + " characters",
                 name};
  }
  return text;
}

}  // namespace

std::optional<std::string> guest_name(std::string_view typed) {
  typed = trim_blanks(typed);
  if (typed.empty() || !calendar::valid_utf8(typed)) return std::nullopt;
  std::size_t characters = 0;
  for (const char c : typed) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return std::nullopt;  // one line: no CR, LF, TAB or others
    if ((u & 0xC0) != 0x80) ++characters;
  }
  // C1 controls and the Unicode line and paragraph separators break a line too.
  for (const std::string_view bad : {"\u2028", "\u2029"}) {
    if (typed.find(bad) != std::string_view::npos) return std::nullopt;
  }
  for (std::size_t i = 0; i + 1 < typed.size(); ++i) {
    const auto b = static_cast<unsigned char>(typed[i + 1]);
    if (static_cast<unsigned char>(typed[i]) == 0xC2 && b >= 0x80 && b <= 0x9F) {
      return std::nullopt;
    }
  }
  if (characters > 100) return std::nullopt;
  return std::string(typed);
}

std::optional<std::string> email_address(std::string_view typed) {
  const auto address =
      boost::algorithm::to_lower_copy(std::string(trim_blanks(typed)), std::locale::classic());
  if (!notifications::valid_address(address)) return std::nullopt;
  return address;
}

result<std::string> typed_text(std::string_view typed, std::string_view field, std::size_t max,
                               bool multiline) {
  return message_text(typed, field, max, multiline);
}

result<std::string> message_subject(std::string_view typed, std::string_view field) {
  return message_text(typed, field, max_subject_chars, false);
}

result<std::string> message_body(std::string_view typed, std::string_view field) {
  return message_text(typed, field, max_body_chars, true);
}

}  // namespace treffpunkt::usecases
