#include <calendar/text.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace treffpunkt::calendar {
namespace {

/// What may follow a lead byte in UTF-8 (RFC 3629 §4, UTF8-2 to UTF8-4): how many
/// continuation bytes, and the range of the first of them, narrower after E0, ED, F0 and F4
/// (no overlongs, no surrogates, nothing above U+10FFFF). `extra` < 0: not a lead byte (a
/// continuation byte, C0, C1 or F5..FF).
struct utf8_lead {
  int extra = -1;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
};

utf8_lead lead_of(unsigned char c) {
  if (c < 0x80) return {0};
  if (c >= 0xC2 && c <= 0xDF) return {1};
  if (c == 0xE0) return {2, 0xA0, 0xBF};
  if (c == 0xED) return {2, 0x80, 0x9F};
  if (c >= 0xE1 && c <= 0xEF) return {2};
  if (c == 0xF0) return {3, 0x90, 0xBF};
  if (c == 0xF4) return {3, 0x80, 0x8F};
  if (c >= 0xF1 && c <= 0xF3) return {3};
  return {};
}

}  // namespace

bool valid_utf8(std::string_view text) {
  // Mail texts and calendars are mostly ASCII: eight bytes at a time while none has the high
  // bit set, and the full check from the first one that does.
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    if (size - i >= sizeof(std::uint64_t)) {
      std::uint64_t block = 0;
      std::memcpy(&block, text.data() + i, sizeof block);
      if ((block & high_bits) == 0) {
        i += sizeof block;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    const utf8_lead lead = lead_of(c);
    if (lead.extra < 0) return false;
    const auto extra = static_cast<std::size_t>(lead.extra);
    if (extra >= size - i) return false;  // truncated at the end
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (b < (k == 1 ? lead.low : 0x80) || b > (k == 1 ? lead.high : 0xBF)) return false;
    }
    i += extra + 1;
  }
  return true;
}

bool is_base64url(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace treffpunkt::calendar
