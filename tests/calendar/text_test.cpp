// The text checks every folder shares: UTF-8 as RFC 3629 has it, and the base64url alphabet.
#include <calendar/text.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

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

/// Bytes that are not UTF-8, each for its own reason (as in EdgesOfRfc3629).
constexpr std::string_view ill_formed[] = {"\xC0\x80",
                                           "\xC1\xBF",
                                           "\xE0\x80\x80",
                                           "\xE0\x9F\xBF",
                                           "\xED\xA0\x80",
                                           "\xED\xBF\xBF",
                                           "\xF0\x80\x80\x80",
                                           "\xF0\x8F\xBF\xBF",
                                           "\xF4\x90\x80\x80",
                                           "\xF5\x80\x80\x80",
                                           "\xF8\x88\x80\x80\x80",
                                           "\xFE",
                                           "\xFF",
                                           "\x80",
                                           "\xBF",
                                           "\xC3\x41",
                                           "\xE2\x82\x41",
                                           "\xF0\x9F\x8E\x41",
                                           "\xC3\xA4\x80"};

/// Truncated sequences: ill-formed at the end of a text, and before ASCII.
constexpr std::string_view truncated[] = {"\xC3",         "\xE2\x82", "\xE2",
                                          "\xF0\x9F\x8E", "\xF0\x9F", "\xF0"};

constexpr std::string_view well_formed[] = {
    "\xC2\x80",     "\xC3\xA4",     "\xDF\xBF",         "\xE0\xA0\x80",     "\xE2\x82\xAC",
    "\xED\x9F\xBF", "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF0\x9F\x8E\x89", "\xF4\x8F\xBF\xBF"};

TEST(Utf8, FindsEveryErrorWhereverItStandsAmongAscii) {
  // ASCII before and after, of every length from nothing to beyond two eight-byte blocks, so
  // that each sequence starts at every offset within a block and crosses block ends.
  for (std::size_t before = 0; before <= 17; ++before) {
    for (std::size_t after = 0; after <= 17; ++after) {
      const std::string head(before, 'a');
      const std::string tail(after, 'z');
      for (const std::string_view bad : ill_formed) {
        EXPECT_FALSE(valid_utf8(head + std::string(bad) + tail))
            << before << " " << after << " " << std::string(bad);
      }
      for (const std::string_view cut : truncated) {
        const std::string text = head + std::string(cut) + tail;
        EXPECT_FALSE(valid_utf8(text)) << before << " " << after;
        EXPECT_FALSE(valid_utf8(text + "\xC3\xA4")) << before << " " << after;
      }
      for (const std::string_view good : well_formed) {
        EXPECT_TRUE(valid_utf8(head + std::string(good) + tail)) << before << " " << after;
      }
    }
  }
}

TEST(Utf8, ALoneHighByteAtAnyOffsetOfALongAsciiTextIsFound) {
  for (std::size_t size = 1; size <= 40; ++size) {
    for (std::size_t at = 0; at < size; ++at) {
      std::string text(size, 'x');
      for (const char high : {'\x80', '\xBF', '\xC0', '\xF8', '\xFF'}) {
        text[at] = high;
        EXPECT_FALSE(valid_utf8(text)) << size << " " << at;
      }
      text[at] = '\x7F';  // the highest ASCII byte is a character
      EXPECT_TRUE(valid_utf8(text)) << size << " " << at;
    }
  }
}

TEST(Utf8, LooksOnlyAtTheBytesOfTheView) {
  // A sequence cut off where the view ends is truncated even though the rest follows in memory;
  // and a bad byte just past the view is not part of the text.
  for (std::size_t before = 0; before <= 17; ++before) {
    const std::string head(before, 'a');
    for (const std::string_view good : well_formed) {
      const std::string buffer = head + std::string(good);
      for (std::size_t cut = 1; cut < good.size(); ++cut) {
        EXPECT_FALSE(valid_utf8(std::string_view(buffer).substr(0, before + cut)))
            << before << " " << cut;
      }
    }
    const std::string buffer = head + "\xFF" + std::string(16, 'z');
    EXPECT_TRUE(valid_utf8(std::string_view(buffer).substr(0, before))) << before;
    EXPECT_FALSE(valid_utf8(std::string_view(buffer).substr(0, before + 1))) << before;
  }
}

TEST(Utf8, MixedTextAcrossManyBlocks) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "Grüße aus Thüringen, 20 € für 🎉! ";
  EXPECT_TRUE(valid_utf8(text));
  for (const std::size_t at :
       {std::size_t{0}, std::size_t{7}, std::size_t{8}, text.size() / 2, text.size() - 1}) {
    std::string broken = text;
    broken[at] = '\xFF';
    EXPECT_FALSE(valid_utf8(broken)) << at;
  }
  EXPECT_FALSE(valid_utf8(text + "\xF0\x9F\x8E")) << "truncated after many blocks";
  EXPECT_FALSE(valid_utf8(text.substr(0, text.find("€") + 2)));
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
