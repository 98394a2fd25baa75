#pragma once
/// "a=1&b=2" lists, as query strings and application/x-www-form-urlencoded bodies carry them.

#include <optional>
#include <string_view>

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

}  // namespace treffpunkt::server
