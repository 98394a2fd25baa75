// Rate limits kept in the database (issue 18, schema v9): a token bucket per limiter and key
// that every store on the database takes from, keyed by a digest, never by the key in clear.
#include <gtest/gtest.h>
#include <storage/store.h>

#include <chrono>
#include <string>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using testing::test_now;

class RateLimits : public testing::store_test {};

TEST_F(RateLimits, ABucketSpendsItsCountThenRegainsThemEvenly) {
  const auto t = test_now();
  // 3 a minute: one regained every 20 seconds.
  for (int i = 0; i < 3; ++i) {
    const auto taken = store_->take_allowance("rsvp", "person:1", 3, 60s, t);
    ASSERT_TRUE(taken) << taken.error().message;
    EXPECT_EQ(*taken, 0s) << i;
  }
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:1", 3, 60s, t), 20s);
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:1", 3, 60s, t + 5s), 15s);  // nothing spent
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:1", 3, 60s, t + 20s), 0s);
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:1", 3, 60s, t + 21s), 19s);
  // A full minute later the bucket is full again, and no fuller.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(*store_->take_allowance("rsvp", "person:1", 3, 60s, t + 5min), 0s) << i;
  }
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:1", 3, 60s, t + 5min), 20s);
  // Other keys and other limiters have buckets of their own; 0 turns a limit off.
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:2", 3, 60s, t + 5min), 0s);
  EXPECT_EQ(*store_->take_allowance("login", "person:1", 3, 60s, t + 5min), 0s);
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:1", 0, 60s, t + 5min), 0s);
  // A clock behind the last take's (another instance's) regains nothing, spends normally.
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:2", 3, 60s, t), 0s);
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:2", 3, 60s, t), 0s);
  EXPECT_EQ(*store_->take_allowance("rsvp", "person:2", 3, 60s, t + 5min), 20s);
}

TEST_F(RateLimits, TwoStoresOnOneDatabaseShareTheBuckets) {
  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  const auto t = test_now();
  for (int i = 0; i < 4; ++i) {
    auto& through = i % 2 == 0 ? *store_ : **other;
    EXPECT_EQ(*through.take_allowance("login-ip", "203.0.113.7", 4, 1h, t), 0s) << i;
  }
  EXPECT_EQ(*store_->take_allowance("login-ip", "203.0.113.7", 4, 1h, t), 15min);
  EXPECT_EQ(*(*other)->take_allowance("login-ip", "203.0.113.7", 4, 1h, t), 15min);
}

TEST_F(RateLimits, KeepsNoKeyInClearAndForgetsFullBuckets) {
  const auto t = test_now();
  ASSERT_TRUE(store_->take_allowance("login-ip", "203.0.113.7", 5, 1h, t));
  ASSERT_TRUE(store_->take_allowance("login-address", "kim@example.org", 5, 1h, t));
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM rate_limits"), 2);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM rate_limits WHERE bucket LIKE '%203.0.113%' OR "
                      "bucket LIKE '%example.org%' OR LENGTH(bucket) <> 64"),
            0);
  // One action of five an hour is back after 12 minutes: full then, deleted a minute later.
  auto expired = store_->expire_rate_limits(t + 12min);
  ASSERT_TRUE(expired);
  EXPECT_EQ(*expired, 0);
  expired = store_->expire_rate_limits(t + 13min + 1s);
  ASSERT_TRUE(expired);
  EXPECT_EQ(*expired, 2);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM rate_limits"), 0);
  // A bucket made again starts full.
  EXPECT_EQ(*store_->take_allowance("login-ip", "203.0.113.7", 1, 1h, t + 14min), 0s);
  EXPECT_EQ(*store_->take_allowance("login-ip", "203.0.113.7", 1, 1h, t + 14min), 1h);
}

}  // namespace
}  // namespace treffpunkt::storage
