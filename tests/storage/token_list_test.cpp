#include <gtest/gtest.h>
#include <storage/store.h>

#include <algorithm>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using testing::test_now;

class TokenList : public testing::store_test {};

TEST_F(TokenList, ListsOnlyOwnLiveTokensOfOneKindWithoutSecrets) {
  const auto anna = make_person("anna@example.org");
  const auto ben = make_person("ben@example.org");
  const auto now = test_now();
  const auto first = store_->issue_token(token_kind::api, anna.id, 24h, now);
  const auto second = store_->issue_token(token_kind::api, anna.id, 48h, now + 1s);
  store_->issue_token(token_kind::api, anna.id, 1h, now - 2h);  // expired
  store_->issue_token(token_kind::session, anna.id, 24h, now);
  store_->issue_token(token_kind::api, ben.id, 24h, now);

  const auto listed = store_->list_tokens(anna.id, token_kind::api, now + 2s);
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].id, first.id);
  EXPECT_EQ(listed[1].id, second.id);
  EXPECT_EQ(listed[0].created, now);
  EXPECT_EQ(listed[1].expires, now + 1s + 48h);
  for (const auto& t : listed) {
    EXPECT_EQ(t.id.size(), 16U);
    EXPECT_TRUE(std::all_of(t.id.begin(), t.id.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    })) << t.id;
    EXPECT_EQ(first.raw.find(t.id), std::string::npos);
  }
}

TEST_F(TokenList, RevokesOneTokenOfItsOwnerOnly) {
  const auto anna = make_person("anna@example.org");
  const auto ben = make_person("ben@example.org");
  const auto now = test_now();
  const auto kept = store_->issue_token(token_kind::api, anna.id, 24h, now);
  const auto gone = store_->issue_token(token_kind::api, anna.id, 24h, now);

  EXPECT_FALSE(store_->revoke_token(ben.id, token_kind::api, gone.id));
  EXPECT_FALSE(store_->revoke_token(anna.id, token_kind::session, gone.id));
  EXPECT_TRUE(store_->redeem_token(token_kind::api, gone.raw, now));
  EXPECT_TRUE(store_->revoke_token(anna.id, token_kind::api, gone.id));
  EXPECT_FALSE(store_->redeem_token(token_kind::api, gone.raw, now));
  EXPECT_TRUE(store_->redeem_token(token_kind::api, kept.raw, now));
  EXPECT_FALSE(store_->revoke_token(anna.id, token_kind::api, gone.id));
}

TEST_F(TokenList, FeedSecretsRedeemWithoutExpiryAndOnlyAsFeeds) {
  const auto anna = make_person("anna@example.org");
  const auto now = test_now();
  const auto feed = store_->issue_token(token_kind::feed, anna.id, 24h * 365 * 100, now);
  EXPECT_TRUE(store_->redeem_token(token_kind::feed, feed.raw, now + 24h * 365 * 10));
  EXPECT_TRUE(store_->redeem_token(token_kind::feed, feed.raw, now));  // not single use
  EXPECT_FALSE(store_->redeem_token(token_kind::api, feed.raw, now));
  store_->revoke_tokens(anna.id, token_kind::feed);
  EXPECT_FALSE(store_->redeem_token(token_kind::feed, feed.raw, now));
}

TEST_F(TokenList, PersonVersionMovesWithFollowsAndRsvpsOfOthers) {
  const auto u = make_unit("bildung");
  const auto anna = make_person("anna@example.org");
  const auto ben = make_person("ben@example.org");
  const auto v0 = store_->person_version(anna.id);
  ASSERT_TRUE(store_->set_follow(anna.id, u.id, true));
  const auto v1 = store_->person_version(anna.id);
  EXPECT_GT(v1, v0);
  ASSERT_TRUE(store_->set_follow(anna.id, u.id, true));  // already so
  EXPECT_EQ(store_->person_version(anna.id), v1);

  calendar::event e;
  e.unit = u.id;
  e.title = "Kleine Runde";
  const auto start = test_now() + 24h * 7;
  e.start = calendar::to_local(start, e.zone);
  e.capacity = 1;
  auto made = store_->create_event(e, actor::system(), test_now());
  ASSERT_TRUE(made) << made.error().message;
  const auto key = calendar::occurrence_key::timed(start);
  ASSERT_TRUE(store_->set_rsvp(made->id, key, ben.id, calendar::rsvp_answer::yes, test_now()));
  ASSERT_TRUE(store_->set_rsvp(made->id, key, anna.id, calendar::rsvp_answer::yes, test_now()));
  const auto waiting = store_->person_version(anna.id);
  EXPECT_GT(waiting, v1);
  // Ben withdraws: Anna moves up, and her version moves with it.
  ASSERT_TRUE(store_->set_rsvp(made->id, key, ben.id, calendar::rsvp_answer::no, test_now()));
  EXPECT_GT(store_->person_version(anna.id), waiting);
  EXPECT_EQ(store_->person_version(person_id{anna.id.value + 1000}), 0);
}

}  // namespace
}  // namespace treffpunkt::storage
