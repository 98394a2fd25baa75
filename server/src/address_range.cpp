#include <arpa/inet.h>  // inet_pton
#include <server/address_range.h>

#include <algorithm>
#include <boost/algorithm/string/classification.hpp>  // is_any_of
#include <boost/algorithm/string/trim.hpp>
#include <charconv>
#include <cstring>

namespace treffpunkt::server {
namespace {

struct parsed_address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
};

std::optional<parsed_address> parse_address(std::string_view text) {
  const std::string s(text);
  parsed_address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    // ::ffff:a.b.c.d is the IPv4 client of a dual-stack socket.
    constexpr std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a.bytes.data(), mapped.data(), mapped.size()) == 0) {
      std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
      std::memset(a.bytes.data() + 4, 0, 12);
      return a;
    }
    a.v6 = true;
    return a;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  return boost::algorithm::trim_copy_if(s, boost::algorithm::is_any_of(" \t"));
}

}  // namespace

std::optional<address_range> address_range::parse(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  const auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  address_range r;
  r.v6 = address->v6;
  r.bytes = address->bytes;
  const int bits = r.v6 ? 128 : 32;
  r.prefix = bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    int n = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || n < 0 ||
        n > bits) {
      return std::nullopt;
    }
    r.prefix = n;
  }
  return r;
}

bool address_range::contains(std::string_view address) const {
  const auto a = parse_address(address);
  if (!a || a->v6 != v6) return false;
  const int whole = prefix / 8;
  if (std::memcmp(a->bytes.data(), bytes.data(), static_cast<std::size_t>(whole)) != 0) {
    return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a->bytes[static_cast<std::size_t>(whole)] & mask) ==
         (bytes[static_cast<std::size_t>(whole)] & mask);
}

std::optional<address_ranges> address_ranges::parse(std::string_view text, std::string* bad) {
  address_ranges out;
  if (trim(text) == "any") {
    out.any = true;
    return out;
  }
  while (true) {
    const auto comma = text.find(',');
    const auto entry = trim(text.substr(0, comma));
    const auto range = address_range::parse(entry);
    if (!range) {
      if (bad) *bad = std::string(entry);
      return std::nullopt;
    }
    out.ranges.push_back(*range);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

address_ranges address_ranges::loopback() {
  address_ranges out;
  out.ranges = {*address_range::parse("127.0.0.0/8"), *address_range::parse("::1")};
  return out;
}

bool address_ranges::contains(std::string_view address) const {
  if (any) return true;
  return std::ranges::any_of(ranges, [&](const auto& r) { return r.contains(address); });
}

}  // namespace treffpunkt::server
