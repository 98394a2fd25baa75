// The signed tokens of unsubscribe links (usecases/src/signed_token.h): HMAC-SHA256 under the
// installation secret over a purpose and a person's id.
#include "signed_token.h"

#include <gtest/gtest.h>

#include <string>

namespace treffpunkt::usecases {
namespace {

const std::string secret(32, 'k');

TEST(SignedToken, RoundTripGivesTheIdBack) {
  for (const std::int64_t id : {std::int64_t{1}, std::int64_t{42}, std::int64_t{1} << 40}) {
    const auto token = sign_token(secret, unsubscribe_purpose, id);
    EXPECT_EQ(token.size(), 54U);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_EQ(verify_token(secret, unsubscribe_purpose, token), id);
  }
  // Deterministic: the same person always gets the same link.
  EXPECT_EQ(sign_token(secret, unsubscribe_purpose, 7), sign_token(secret, unsubscribe_purpose, 7));
  EXPECT_NE(sign_token(secret, unsubscribe_purpose, 7), sign_token(secret, unsubscribe_purpose, 8));
}

TEST(SignedToken, AnyChangedCharacterIsRefused) {
  const auto token = sign_token(secret, unsubscribe_purpose, 42);
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_token(secret, unsubscribe_purpose, tampered)) << i;
  }
  EXPECT_FALSE(verify_token(secret, unsubscribe_purpose, token.substr(1)));
  EXPECT_FALSE(verify_token(secret, unsubscribe_purpose, token + "A"));
  EXPECT_FALSE(verify_token(secret, unsubscribe_purpose, ""));
  EXPECT_FALSE(verify_token(secret, unsubscribe_purpose, std::string(54, '.')));
}

TEST(SignedToken, OtherIdWithTheSameSignatureIsRefused) {
  // Swapping in the id part of another person's token keeps the signature: refused.
  const auto mine = sign_token(secret, unsubscribe_purpose, 1);
  const auto theirs = sign_token(secret, unsubscribe_purpose, std::int64_t{1} << 20);
  // The id is the first 8 bytes: characters 0 to 9 and part of the 10th.
  const auto spliced = theirs.substr(0, 10) + mine.substr(10);
  ASSERT_NE(spliced, mine);
  EXPECT_FALSE(verify_token(secret, unsubscribe_purpose, spliced));
}

TEST(SignedToken, WrongPurposeOrSecretIsRefused) {
  const auto token = sign_token(secret, "login", 42);
  EXPECT_FALSE(verify_token(secret, unsubscribe_purpose, token));
  EXPECT_EQ(verify_token(secret, "login", token), 42);
  const auto unsubscribe = sign_token(secret, unsubscribe_purpose, 42);
  EXPECT_FALSE(verify_token(std::string(32, 'x'), unsubscribe_purpose, unsubscribe));
}

}  // namespace
}  // namespace treffpunkt::usecases
