// The outbox: queued once per dedupe key, claimed with a lease, never by two dispatchers.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using testing::store_test;

const calendar::utc_seconds t0{std::chrono::seconds(1'780'000'000)};

outbox_message message(std::string key, calendar::utc_seconds due = t0) {
  return outbox_message{.kind = "reminder",
                        .recipient = "anna@example.org",
                        .message = "Subject: hi\r\n\r\nbody\r\n",
                        .due = due,
                        .dedupe_key = std::move(key)};
}

using Outbox = store_test;

TEST_F(Outbox, SameDedupeKeyIsQueuedOnce) {
  EXPECT_TRUE(store_->enqueue(message("reminder:1"), t0).value());
  EXPECT_FALSE(store_->enqueue(message("reminder:1"), t0).value());
  EXPECT_TRUE(store_->enqueue(message(""), t0).value());
  EXPECT_TRUE(store_->enqueue(message(""), t0).value());  // no key: no deduplication
  EXPECT_EQ(store_->outbox_depth(), 3);
}

TEST_F(Outbox, ClaimTakesOnlyDueMessagesOldestFirstWithTheirBytes) {
  ASSERT_TRUE(store_->enqueue(message("b", t0 + 10s), t0));
  ASSERT_TRUE(store_->enqueue(message("a", t0), t0));
  ASSERT_TRUE(store_->enqueue(message("later", t0 + 1h), t0));
  const auto claimed = store_->claim_due(t0 + 10s, 5min, 10).value();
  ASSERT_EQ(claimed.size(), 2U);
  EXPECT_EQ(claimed[0].dedupe_key, "a");
  EXPECT_EQ(claimed[1].dedupe_key, "b");
  EXPECT_EQ(claimed[0].state, outbox_state::sending);
  EXPECT_EQ(claimed[0].lease_until, t0 + 10s + 5min);
  EXPECT_EQ(claimed[0].message, "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_TRUE(store_->claim_due(t0 + 10s, 5min, 10).value().empty());  // leased
  EXPECT_EQ(store_->outbox_depth(), 3);
}

TEST_F(Outbox, ExpiredLeaseMakesAMessageClaimableAgain) {
  ASSERT_TRUE(store_->enqueue(message("a"), t0));
  ASSERT_EQ(store_->claim_due(t0, 1min, 10).value().size(), 1U);
  EXPECT_TRUE(store_->claim_due(t0 + 59s, 1min, 10).value().empty());
  const auto again = store_->claim_due(t0 + 1min, 1min, 10).value();
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].lease_until, t0 + 2min);
}

TEST_F(Outbox, SentRetriedAndFailedMessagesMoveThroughTheirStates) {
  ASSERT_TRUE(store_->enqueue(message("sent"), t0));
  ASSERT_TRUE(store_->enqueue(message("retry"), t0));
  ASSERT_TRUE(store_->enqueue(message("failed"), t0));
  const auto claimed = store_->claim_due(t0, 5min, 10).value();
  ASSERT_EQ(claimed.size(), 3U);
  ASSERT_TRUE(store_->mark_sent(claimed[0].id, t0 + 1s));
  ASSERT_TRUE(store_->mark_retry(claimed[1].id, "451 try later", t0 + 2min));
  ASSERT_TRUE(store_->mark_failed(claimed[2].id, "550 no such user"));
  EXPECT_FALSE(store_->mark_sent(claimed[0].id, t0 + 2s));  // not sending any more

  EXPECT_EQ(store_->outbox_depth(), 1);
  const auto list = store_->outbox_list(10);
  ASSERT_EQ(list.size(), 3U);
  EXPECT_EQ(list[0].dedupe_key, "failed");  // newest first
  EXPECT_EQ(list[0].state, outbox_state::failed);
  EXPECT_EQ(list[0].last_error, "550 no such user");
  EXPECT_EQ(list[0].attempts, 1);
  EXPECT_TRUE(list[0].message.empty());  // the list leaves the bytes out
  EXPECT_EQ(list[1].state, outbox_state::queued);
  EXPECT_EQ(list[1].attempts, 1);
  EXPECT_EQ(list[1].due, t0 + 2min);
  EXPECT_EQ(list[2].state, outbox_state::sent);
  EXPECT_EQ(list[2].sent, t0 + 1s);

  EXPECT_TRUE(store_->claim_due(t0 + 1min, 5min, 10).value().empty());  // not due yet
  EXPECT_EQ(store_->claim_due(t0 + 2min, 5min, 10).value().size(), 1U);
}

TEST_F(Outbox, ABatchsOutcomesAreRecordedInOneWriteEachAsItsOwnMarkWould) {
  for (const auto* key : {"sent", "retry", "failed", "taken"}) {
    ASSERT_TRUE(store_->enqueue(message(key), t0));
  }
  const auto claimed = store_->claim_due(t0, 5min, 10).value();
  ASSERT_EQ(claimed.size(), 4U);
  // The fourth was recorded by someone else meanwhile (its lease ran out, another dispatcher).
  ASSERT_TRUE(store_->mark_sent(claimed[3].id, t0));
  const auto before = store_->durability();
  const std::vector<outbox_outcome> outcomes{
      {claimed[0].id, outbox_outcome::kind::sent, {}, {}},
      {claimed[1].id, outbox_outcome::kind::retry, "451 try later", t0 + 2min},
      {claimed[2].id, outbox_outcome::kind::failed, "550 no such user", {}},
      {claimed[3].id, outbox_outcome::kind::sent, {}, {}},
  };
  const auto recorded = store_->record_outcomes(outcomes, t0 + 1s);
  ASSERT_TRUE(recorded) << recorded.error().message;
  EXPECT_EQ(*recorded, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(store_->durability().commits, before.commits + 1);  // one write for the batch

  const auto list = store_->outbox_list(10);
  ASSERT_EQ(list.size(), 4U);
  EXPECT_EQ(list[1].state, outbox_state::failed);  // newest first: taken, failed, retry, sent
  EXPECT_EQ(list[1].last_error, "550 no such user");
  EXPECT_EQ(list[2].state, outbox_state::queued);
  EXPECT_EQ(list[2].due, t0 + 2min);
  EXPECT_EQ(list[2].attempts, 1);
  EXPECT_EQ(list[3].state, outbox_state::sent);
  EXPECT_EQ(list[3].sent, t0 + 1s);
  EXPECT_EQ(list[0].sent, t0);  // the other dispatcher's mark stands
}

TEST_F(Outbox, DroppingByPrefixRemovesOnlyQueuedMessagesAndFreesTheirKeys) {
  ASSERT_TRUE(store_->enqueue(message("reminder:7:20251202T180000Z:3:1440"), t0));
  ASSERT_TRUE(store_->enqueue(message("reminder:7:20251202T180000Z:3:120", t0 + 1h), t0));
  ASSERT_TRUE(store_->enqueue(message("reminder:7:20251209T180000Z:3:120"), t0));
  ASSERT_TRUE(store_->enqueue(message("reminder:7_20251202T180000Z:3:99"), t0));  // not a match
  // Neither are the keys just before and just after the prefix's range.
  ASSERT_TRUE(store_->enqueue(message("reminder:7:20251202T180000Z"), t0));
  ASSERT_TRUE(store_->enqueue(message("reminder:7:20251202T180000Z;"), t0));
  ASSERT_EQ(store_->claim_due(t0, 5min, 1).value().size(), 1U);  // the 1440 one is in flight
  EXPECT_EQ(store_->drop_queued("reminder:7:20251202T180000Z:").value(), 1);
  EXPECT_EQ(store_->outbox_depth(), 5);
  EXPECT_TRUE(store_->enqueue(message("reminder:7:20251202T180000Z:3:120"), t0).value());
  EXPECT_FALSE(store_->drop_queued(""));
}

TEST_F(Outbox, NextDueIsTheEarliestQueuedDueOrLeaseEnd) {
  EXPECT_EQ(store_->next_due(), std::nullopt);
  ASSERT_TRUE(store_->enqueue(message("later", t0 + 1h), t0));
  ASSERT_TRUE(store_->enqueue(message("soon", t0 + 10s), t0));
  EXPECT_EQ(store_->next_due(), t0 + 10s);
  // Claimed: its lease end counts, as an expired lease makes it claimable again.
  const auto claimed = store_->claim_due(t0 + 10s, 1min, 1).value();
  ASSERT_EQ(claimed.size(), 1U);
  EXPECT_EQ(store_->next_due(), t0 + 10s + 1min);
  ASSERT_TRUE(store_->mark_sent(claimed[0].id, t0 + 11s));
  EXPECT_EQ(store_->next_due(), t0 + 1h);  // sent rows never count
  ASSERT_TRUE(store_->drop_queued("later"));
  EXPECT_EQ(store_->next_due(), std::nullopt);
}

TEST_F(Outbox, QueuedMessagesSurviveReopening) {
  ASSERT_TRUE(store_->enqueue(message("a"), t0));
  reopen();
  EXPECT_EQ(store_->outbox_depth(), 1);
  EXPECT_FALSE(store_->enqueue(message("a"), t0).value());
}

TEST_F(Outbox, TwoThreadsClaimingConcurrentlyNeverGetTheSameMessage) {
  constexpr int total = 400;
  for (int i = 0; i < total; ++i) {
    ASSERT_TRUE(store_->enqueue(message("m" + std::to_string(i)), t0));
  }
  std::vector<std::int64_t> got[2];
  auto claimer = [&](int which) {
    for (;;) {
      auto batch = store_->claim_due(t0, 10min, 7);
      ASSERT_TRUE(batch);
      if (batch->empty()) return;
      for (const auto& e : *batch) {
        got[which].push_back(e.id.value);
        ASSERT_TRUE(store_->mark_sent(e.id, t0));
      }
    }
  };
  std::thread a(claimer, 0);
  std::thread b(claimer, 1);
  a.join();
  b.join();
  std::set<std::int64_t> all(got[0].begin(), got[0].end());
  all.insert(got[1].begin(), got[1].end());
  EXPECT_EQ(got[0].size() + got[1].size(), static_cast<std::size_t>(total));
  EXPECT_EQ(all.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(store_->outbox_depth(), 0);
}

}  // namespace
}  // namespace treffpunkt::storage
