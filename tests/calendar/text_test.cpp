// The text checks every folder shares: UTF-8 as RFC 3629 has it, and the base64url alphabet.
#include <calendar/text.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using treffpunkt::calendar::is_base64url;
using treffpunkt::calendar::valid_utf8;

/// `cp` in `length` bytes of UTF-8, overlong when `length` is more than it needs.
std::string encode(std::uint32_t cp, int length) {
  static constexpr unsigned char lead_bits[] = {0, 0, 0xC0, 0xE0, 0xF0};
  std::string out(static_cast<std::size_t>(length), '\0');
  for (int i = length - 1; i > 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(0x80 | (cp & 0x3F));
    cp >>= 6;
  }
  out[0] = static_cast<char>(length == 1 ? cp : (lead_bits[length] | cp));
  return out;
}

int shortest_length(std::uint32_t cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

TEST(Utf8, AcceptsEveryScalarValueAndNoSurrogate) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(valid_utf8(encode(cp, shortest_length(cp))), !surrogate) << std::hex << cp;
  }
}

TEST(Utf8, RefusesEveryOverlongForm) {
  for (const std::uint32_t cp : {0x00U, 0x2FU, 0x41U, 0x7FU, 0x80U, 0x7FFU, 0x800U, 0xFFFFU}) {
    for (int length = shortest_length(cp) + 1; length <= 4; ++length) {
      EXPECT_FALSE(valid_utf8(encode(cp, length))) << std::hex << cp << " in " << length;
    }
  }
}

TEST(Utf8, EdgesOfRfc3629) {
  for (const char* ok : {"", "plain ASCII", "Grüße", "\xE2\x82\xAC", "\xF0\x9F\x8E\x89", "\xC2\x80",
                         "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
                         "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(valid_utf8(ok)) << ok;
  }
  EXPECT_TRUE(valid_utf8(std::string("a\0b", 3))) << "NUL is a character like any other";
  struct case_ {
    const char* bytes;
    const char* why;
  };
  for (const auto& [bytes, why] : {
           case_{"\xC0\x80", "C0: an overlong two-byte form"},
           case_{"\xC1\xBF", "C1: an overlong two-byte form"},
           case_{"\xE0\x80\x80", "E0 80..9F: an overlong three-byte form"},
           case_{"\xE0\x9F\xBF", "E0 80..9F: an overlong three-byte form"},
           case_{"\xED\xA0\x80", "ED A0..BF: a UTF-16 surrogate (U+D800)"},
           case_{"\xED\xBF\xBF", "ED A0..BF: a UTF-16 surrogate (U+DFFF)"},
           case_{"\xF0\x80\x80\x80", "F0 80..8F: an overlong four-byte form"},
           case_{"\xF0\x8F\xBF\xBF", "F0 80..8F: an overlong four-byte form"},
           case_{"\xF4\x90\x80\x80", "F4 90..BF: above U+10FFFF"},
           case_{"\xF5\x80\x80\x80", "F5: above U+10FFFF"},
           case_{"\xF8\x88\x80\x80\x80", "F8: a five-byte form"},
           case_{"\xFE", "FE: never in UTF-8"},
           case_{"\xFF", "FF: never in UTF-8"},
           case_{"\x80", "a continuation byte without a lead"},
           case_{"a\xBF", "a continuation byte without a lead"},
           case_{"\xC3", "truncated at the end"},
           case_{"\xE2\x82", "truncated at the end"},
           case_{"\xF0\x9F\x8E", "truncated at the end"},
           case_{"\xC3\x41", "truncated before another character"},
           case_{"\xE2\x82\x41", "truncated before another character"},
           case_{"\xF0\x9F\x8E\x41", "truncated before another character"},
           case_{"\xC3\xA4\x80", "one continuation byte too many"},
           case_{"Gr\xFC\xDF\x65", "Latin-1, not UTF-8"},
       }) {
    EXPECT_FALSE(valid_utf8(bytes)) << why;
  }
}

TEST(Base64url, OnlyTheUrlSafeAlphabet) {
  EXPECT_TRUE(is_base64url("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
  EXPECT_TRUE(is_base64url("")) << "the caller checks the length";
  for (const char* bad : {"abc+", "abc/", "abc=", "ab c", "ab.c", "ab~c", "\xC3\xA4", "ab\nc"}) {
    EXPECT_FALSE(is_base64url(bad)) << bad;
  }
  EXPECT_FALSE(is_base64url(std::string("ab\0c", 4)));
}

}  // namespace
