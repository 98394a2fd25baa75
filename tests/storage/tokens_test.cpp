#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <storage/store.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using testing::test_now;

/// SHA-256 of `raw` in upper-case hex, as SQLite's hex() prints a BLOB.
std::string sha256_hex(const std::string& raw) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), digest.data());
  std::string out;
  for (const unsigned char b : digest) {
    std::array<char, 3> two{};
    std::snprintf(two.data(), two.size(), "%02X", b);
    out += two.data();
  }
  return out;
}

class Tokens : public testing::store_test {
 protected:
  void SetUp() override {
    testing::store_test::SetUp();
    auto p = store_->ensure_person("anna@example.org", "Anna");
    ASSERT_TRUE(p) << p.error().message;
    anna_ = *p;
  }
  person anna_;
};

TEST_F(Tokens, RawIsLongUrlSafeRandomAndOnlyItsHashIsStored) {
  const auto token = store_->issue_token(token_kind::api, anna_.id, 24h, test_now());
  EXPECT_EQ(token.raw.size(), 43U);  // 32 bytes, base64 without padding
  EXPECT_TRUE(std::all_of(token.raw.begin(), token.raw.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  })) << token.raw;
  EXPECT_EQ(token.expires, test_now() + 24h);

  EXPECT_EQ(query_int("SELECT count(*) FROM tokens"), 1);
  if (on_postgres()) {
    // The column is BYTEA, and a text in it would not be the raw token's bytes.
    EXPECT_EQ(query_int("SELECT length(hash) FROM tokens"), 32);
    EXPECT_EQ(
        query_int("SELECT count(*) FROM tokens WHERE hash = CAST('" + token.raw + "' AS BYTEA)"),
        0);
    EXPECT_EQ(query_text("SELECT upper(encode(hash, 'hex')) FROM tokens"), sha256_hex(token.raw));
  } else {
    EXPECT_EQ(query_text("SELECT typeof(hash) FROM tokens"), "blob");
    EXPECT_EQ(query_int("SELECT length(hash) FROM tokens"), 32);
    EXPECT_EQ(query_int("SELECT count(*) FROM tokens WHERE hash = CAST('" + token.raw +
                        "' AS BLOB) OR CAST(hash AS TEXT) = '" + token.raw + "'"),
              0);
    EXPECT_EQ(query_text("SELECT hex(hash) FROM tokens"), sha256_hex(token.raw));
  }
  EXPECT_EQ(query_int("SELECT expires FROM tokens"), (test_now() + 24h).time_since_epoch().count());

  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    seen.insert(store_->issue_token(token_kind::session, anna_.id, 1h, test_now()).raw);
  }
  EXPECT_EQ(seen.size(), 20U);
}

TEST_F(Tokens, ReusableKindsRedeemUntilExpiry) {
  const auto token = store_->issue_token(token_kind::session, anna_.id, 1h, test_now());
  for (int i = 0; i < 3; ++i) {
    auto who = store_->redeem_token(token_kind::session, token.raw, test_now() + 10min);
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(who->id, anna_.id);
    EXPECT_EQ(who->email, "anna@example.org");
  }
  auto late = store_->redeem_token(token_kind::session, token.raw, test_now() + 1h);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, errc::expired);
}

TEST_F(Tokens, LoginTokenIsSingleUse) {
  const auto token = store_->issue_token(token_kind::login, anna_.id, 15min, test_now());
  auto first = store_->redeem_token(token_kind::login, token.raw, test_now() + 1min);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->id, anna_.id);
  auto second = store_->redeem_token(token_kind::login, token.raw, test_now() + 2min);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, errc::expired);
  EXPECT_EQ(query_int("SELECT count(*) FROM tokens WHERE used IS NOT NULL"), 1);
}

TEST_F(Tokens, ExpiredLoginTokenIsRefused) {
  const auto token = store_->issue_token(token_kind::login, anna_.id, 15min, test_now());
  auto late = store_->redeem_token(token_kind::login, token.raw, test_now() + 16min);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, errc::expired);
}

TEST_F(Tokens, KindMismatchAndUnknownTokensAreRefused) {
  const auto token = store_->issue_token(token_kind::feed, anna_.id, 24h * 365, test_now());
  auto wrong_kind = store_->redeem_token(token_kind::api, token.raw, test_now());
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().code, errc::not_found);
  auto unknown = store_->redeem_token(token_kind::feed, token.raw + "x", test_now());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, errc::not_found);
  auto empty = store_->redeem_token(token_kind::feed, "", test_now());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, errc::not_found);
  EXPECT_TRUE(store_->redeem_token(token_kind::feed, token.raw, test_now()));
}

TEST_F(Tokens, RevokeRemovesOnlyThatKindOfThatPerson) {
  auto ben = store_->ensure_person("ben@example.org", "Ben");
  ASSERT_TRUE(ben);
  const auto session_a = store_->issue_token(token_kind::session, anna_.id, 1h, test_now());
  const auto session_b = store_->issue_token(token_kind::session, anna_.id, 1h, test_now());
  const auto api = store_->issue_token(token_kind::api, anna_.id, 1h, test_now());
  const auto bens = store_->issue_token(token_kind::session, ben->id, 1h, test_now());
  store_->revoke_tokens(anna_.id, token_kind::session);
  EXPECT_FALSE(store_->redeem_token(token_kind::session, session_a.raw, test_now()));
  EXPECT_FALSE(store_->redeem_token(token_kind::session, session_b.raw, test_now()));
  EXPECT_TRUE(store_->redeem_token(token_kind::api, api.raw, test_now()));
  EXPECT_TRUE(store_->redeem_token(token_kind::session, bens.raw, test_now()));
}

}  // namespace
}  // namespace treffpunkt::storage
