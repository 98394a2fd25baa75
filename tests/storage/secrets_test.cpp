// Secrets and their base64url spelling (RFC 4648 §5, no padding), as tokens and signed
// tokens are written in links and cookies.
#include <calendar/text.h>
#include <gtest/gtest.h>
#include <storage/secrets.h>

#include <cstddef>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::storage {
namespace {

std::vector<unsigned char> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64url, WritesTheVectorsOfRfc4648InTheUrlAlphabet) {
  // §10's test vectors, without their padding.
  EXPECT_EQ(base64url(bytes_of("")), "");
  EXPECT_EQ(base64url(bytes_of("f")), "Zg");
  EXPECT_EQ(base64url(bytes_of("fo")), "Zm8");
  EXPECT_EQ(base64url(bytes_of("foo")), "Zm9v");
  EXPECT_EQ(base64url(bytes_of("foob")), "Zm9vYg");
  EXPECT_EQ(base64url(bytes_of("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64url(bytes_of("foobar")), "Zm9vYmFy");
  // Values 62 and 63: "+" and "/" in base64, "-" and "_" here (§5).
  EXPECT_EQ(base64url(std::vector<unsigned char>{0xFB, 0xEF, 0xBE}), "----");
  EXPECT_EQ(base64url(std::vector<unsigned char>{0xFF, 0xFF, 0xFF}), "____");
  EXPECT_EQ(base64url(std::vector<unsigned char>{0xFB, 0xFF}), "-_8");
  EXPECT_EQ(base64url(std::vector<unsigned char>{0x00, 0x10, 0x83}), "ABCD");
}

TEST(Base64url, ReadsTheVectorsOfRfc4648InTheUrlAlphabet) {
  for (const std::string_view plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(from_base64url(base64url(bytes_of(plain))), bytes_of(plain)) << plain;
  }
  EXPECT_EQ(from_base64url("Zm9vYmE"), bytes_of("fooba"));
  EXPECT_EQ(from_base64url("-_8"), (std::vector<unsigned char>{0xFB, 0xFF}));
  EXPECT_EQ(from_base64url("____"), (std::vector<unsigned char>{0xFF, 0xFF, 0xFF}));
}

TEST(Base64url, EveryLengthFromNoneTo64BytesRoundTrips) {
  std::mt19937 random(12);  // a fixed seed: the same bytes on every run
  for (std::size_t n = 0; n <= 64; ++n) {
    std::vector<unsigned char> bytes(n);
    for (auto& b : bytes) b = static_cast<unsigned char>(random());
    const std::string text = base64url(bytes);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3) << n;
    EXPECT_TRUE(calendar::is_base64url(text)) << text;
    EXPECT_EQ(from_base64url(text), bytes) << text;
  }
}

TEST(Base64url, RefusesWhatBase64urlDoesNotWrite) {
  for (const char* bad : {
           "Zg==",   "Zm8=",  "Zm9vYg==",             // padding
           "+_8",    "-/8",   "Zm9+",        "Zm9/",  // the other alphabet's 62 and 63
           " Zm9v",  "Zm9v ", "Zm9v\n",             // white space, which EVP_DecodeBlock would skip
           "Zm\n9v", "Zm.v",  "Zm9\xC3\xA4",        // not the alphabet at all
           "Z",      "Zm9vY", "Zm9vYmFyZ",          // lengths no byte string has
           "Zh",     "Zm9",   "Zm9vYh",      "AB",  // bits left over that are not zero
       }) {
    EXPECT_EQ(from_base64url(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(from_base64url(std::string("Zm9v\0", 5)), std::nullopt);
}

TEST(Secrets, RandomTokensAre32RandomBytesIn43Characters) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = random_token();
    EXPECT_EQ(token.size(), 43U);
    const auto bytes = from_base64url(token);
    ASSERT_TRUE(bytes) << token;
    EXPECT_EQ(bytes->size(), 32U);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100U);
}

}  // namespace
}  // namespace treffpunkt::storage
