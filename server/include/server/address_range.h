#pragma once
/// Who may read /metrics: client addresses matched against a list of ranges ("127.0.0.0/8",
/// "::1", "10.1.2.3"), without a socket library (inet_pton).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::server {

/// One IPv4 or IPv6 network: an address and a prefix length.
struct address_range {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  ///< IPv4 in the first 4
  int prefix = 0;                        ///< 0..32 or 0..128

  /// "A.B.C.D", "A.B.C.D/N", "X::Y" or "X::Y/N"; none for anything else (host bits set in a
  /// range, such as 10.0.0.1/8, are allowed and ignored).
  static std::optional<address_range> parse(std::string_view text);
  /// Whether `address` (as the server writes client addresses: dotted IPv4 or IPv6, an
  /// IPv4-mapped IPv6 address counting as its IPv4 address) lies in the range.
  bool contains(std::string_view address) const;
};

/// A comma-separated list of ranges ("127.0.0.0/8, ::1"), or "any" for everyone (an empty
/// list); none, with the entry at fault, when one does not parse.
struct address_ranges {
  bool any = false;
  std::vector<address_range> ranges;

  static std::optional<address_ranges> parse(std::string_view text, std::string* bad = nullptr);
  /// 127.0.0.0/8 and ::1: this machine only.
  static address_ranges loopback();
  bool contains(std::string_view address) const;
};

}  // namespace treffpunkt::server
