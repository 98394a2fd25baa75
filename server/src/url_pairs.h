#pragma once
/// "a=1&b=2" lists, as query strings and application/x-www-form-urlencoded bodies carry them.

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::server {

/// The still-encoded value of the first `name=` pair in `pairs` ("" for a bare `name`), or none.
inline std::optional<std::string_view> raw_pair_value(std::string_view pairs,
                                                      std::string_view name) {
  while (!pairs.empty()) {
    const auto amp = pairs.find('&');
    const std::string_view pair = pairs.substr(0, amp);
    const auto equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      return equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    }
    if (amp == std::string_view::npos) break;
    pairs.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

/// `raw` (a value of a form body or query) decoded: + is a space, %XX a byte; none if badly
/// encoded.
inline std::optional<std::string> form_decode(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      unsigned value = 0;
      const char* digits = raw.data() + i + 1;
      const auto [end, ec] = std::from_chars(digits, digits + 2, value, 16);
      if (ec != std::errc{} || end != digits + 2) return std::nullopt;
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

/// The decoded value of the first `name=` pair in `pairs`, or none (absent or badly encoded).
inline std::optional<std::string> form_field(std::string_view pairs, std::string_view name) {
  const auto raw = raw_pair_value(pairs, name);
  if (!raw) return std::nullopt;
  return form_decode(*raw);
}

/// The still-encoded values of every `name=` pair in `pairs`, in order (checkboxes).
inline std::vector<std::string_view> raw_pair_values(std::string_view pairs,
                                                     std::string_view name) {
  std::vector<std::string_view> out;
  while (!pairs.empty()) {
    const auto amp = pairs.find('&');
    const std::string_view pair = pairs.substr(0, amp);
    const auto equals = pair.find('=');
    if (pair.substr(0, equals) == name && equals != std::string_view::npos) {
      out.push_back(pair.substr(equals + 1));
    }
    if (amp == std::string_view::npos) break;
    pairs.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace treffpunkt::server
