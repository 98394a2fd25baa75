// The outbox: queued once per dedupe key, claimed with a lease, never by two dispatchers.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

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
      {claimed[0].id, outbox_outcome::kind::sent, {}, {}, claimed[0].lease_until},
      {claimed[1].id, outbox_outcome::kind::retry, "451 try later", t0 + 2min, std::nullopt},
      {claimed[2].id, outbox_outcome::kind::failed, "550 no such user", {}, std::nullopt},
      {claimed[3].id, outbox_outcome::kind::sent, {}, {}, std::nullopt},
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

TEST_F(Outbox, TwoStoresWithThreadsEachClaimEveryMessageOnceWhileItsLeaseRuns) {
  // Two stores are two instances (on PostgreSQL: one database, claimers side by side in READ
  // COMMITTED), three dispatcher threads each, claiming and recording their batches at once.
  // No message may be claimed twice while its lease runs, and every one is claimed.
  constexpr int total = 600;
  for (int i = 0; i < total; ++i) {
    ASSERT_TRUE(store_->enqueue(message("m" + std::to_string(i)), t0));
  }
  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  const std::vector<store*> stores{store_.get(), other->get()};
  std::mutex got_mutex;
  std::multiset<std::int64_t> got;
  std::atomic<int> errors{0};
  std::latch start(6);
  auto claimer = [&](store& s) {
    start.arrive_and_wait();
    for (;;) {
      auto batch = s.claim_due(t0, 10min, 5);
      if (!batch) {
        ++errors;
        return;
      }
      if (batch->empty()) return;
      std::vector<outbox_outcome> sent;
      for (const auto& e : *batch) {
        sent.push_back({e.id, outbox_outcome::kind::sent, {}, {}, e.lease_until});
      }
      {
        const std::lock_guard lock(got_mutex);
        for (const auto& e : *batch) got.insert(e.id.value);
      }
      const auto recorded = s.record_outcomes(sent, t0 + 1s);
      if (!recorded || std::count(recorded->begin(), recorded->end(), false) != 0) ++errors;
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 6; ++i) threads.emplace_back(claimer, std::ref(*stores[i % 2]));
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(got.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(std::set<std::int64_t>(got.begin(), got.end()).size(), static_cast<std::size_t>(total));
  EXPECT_EQ(store_->outbox_depth(), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox WHERE state = 'sent'"), total);
}

TEST_F(Outbox, AnExpiredLeaseGoesToTheOtherStoreAndTheFirstCannotRecordOverIt) {
  // An instance that stalls (or dies) mid-send leaves its claim to the others once the lease
  // ends; should it come back, its outcome must not overwrite the new claim.
  ASSERT_TRUE(store_->enqueue(message("a"), t0));
  ASSERT_TRUE(store_->enqueue(message("b"), t0));
  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  store& second = **other;
  const auto first = store_->claim_due(t0, 1min, 10).value();
  ASSERT_EQ(first.size(), 2U);
  EXPECT_TRUE(second.claim_due(t0 + 59s, 1min, 10).value().empty());  // leased
  const auto taken = second.claim_due(t0 + 1min, 1min, 10).value();
  ASSERT_EQ(taken.size(), 2U);
  EXPECT_EQ(taken[0].id, first[0].id);
  EXPECT_EQ(taken[0].lease_until, t0 + 2min);

  // The first one's outcomes, with its old lease: neither "sent" nor "try again" is recorded.
  const std::vector<outbox_outcome> late{
      {first[0].id, outbox_outcome::kind::sent, {}, {}, first[0].lease_until},
      {first[1].id, outbox_outcome::kind::retry, "451", t0 + 5min, first[1].lease_until}};
  EXPECT_EQ(store_->record_outcomes(late, t0 + 70s).value(), (std::vector<bool>{false, false}));
  const std::vector<outbox_outcome> failed{
      {first[1].id, outbox_outcome::kind::failed, "550", {}, first[1].lease_until}};
  EXPECT_EQ(store_->record_outcomes(failed, t0 + 70s).value(), std::vector<bool>{false});
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox WHERE state = 'sending'"), 2);

  // The second one's are.
  const std::vector<outbox_outcome> own{
      {taken[0].id, outbox_outcome::kind::sent, {}, {}, taken[0].lease_until},
      {taken[1].id, outbox_outcome::kind::retry, "451", t0 + 5min, taken[1].lease_until}};
  EXPECT_EQ(second.record_outcomes(own, t0 + 80s).value(), (std::vector<bool>{true, true}));
  const auto list = store_->outbox_list(10);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[1].state, outbox_state::sent);
  EXPECT_EQ(list[1].sent, t0 + 80s);
  EXPECT_EQ(list[0].state, outbox_state::queued);
  EXPECT_EQ(list[0].attempts, 1);
}

/// A body of about 5 KB, as the dispatcher sends them (UTF-8, CRLF), unique per `n`.
std::string big_body(int n) {
  std::string body = "Subject: =?UTF-8?Q?Erinnerung?=\r\n\r\n";
  while (body.size() < 5000)
    body += "Zeile mit Umlauten: \xC3\xA4\xC3\xB6\xC3\xBC, Nr. " + std::to_string(n) + "\r\n";
  return body;
}

TEST_F(Outbox, ClaimsAndOutcomesLeaveTheBodyAsQueued) {
  // Schema v11: the body is a row of outbox_messages, which the state changes do not write.
  EXPECT_EQ(query_int(on_postgres() ? "SELECT COUNT(*) FROM information_schema.columns WHERE "
                                      "table_name = 'outbox' AND column_name = 'message'"
                                    : "SELECT COUNT(*) FROM pragma_table_info('outbox') WHERE "
                                      "name = 'message'"),
            0);
  for (int i = 0; i < 3; ++i) {
    auto m = message("big:" + std::to_string(i));
    m.message = big_body(i);
    ASSERT_TRUE(store_->enqueue(m, t0));
  }
  ASSERT_TRUE(store_->enqueue(outbox_message{.kind = "reminder",
                                             .recipient = "anna@example.org",
                                             .message = "",
                                             .due = t0,
                                             .dedupe_key = "reminder:composed-when-due"},
                              t0));
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox_messages"), 3);  // none for the key alone
  const auto stored = [&](outbox_id id) {
    return query_text("SELECT message FROM outbox_messages WHERE id = " + std::to_string(id.value));
  };

  auto claimed = store_->claim_due(t0, 5min, 10).value();
  ASSERT_EQ(claimed.size(), 4U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(claimed[i].message, big_body(static_cast<int>(i)));
    EXPECT_EQ(stored(claimed[i].id), big_body(static_cast<int>(i)));
  }
  EXPECT_TRUE(claimed[3].message.empty());
  const std::vector<outbox_outcome> outcomes{
      {claimed[0].id, outbox_outcome::kind::sent, {}, {}, claimed[0].lease_until},
      {claimed[1].id, outbox_outcome::kind::retry, "451 later", t0 + 1min, claimed[1].lease_until},
      {claimed[2].id, outbox_outcome::kind::failed, "550 no", {}, claimed[2].lease_until},
      {claimed[3].id, outbox_outcome::kind::retry, "451 later", t0 + 1min, claimed[3].lease_until},
  };
  ASSERT_EQ(store_->record_outcomes(outcomes, t0).value(), std::vector<bool>(4, true));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(stored(claimed[i].id), big_body(static_cast<int>(i)));
  }

  // The retried ones come back with their bodies; the key alone still has none.
  claimed = store_->claim_due(t0 + 1min, 5min, 10).value();
  ASSERT_EQ(claimed.size(), 2U);
  EXPECT_EQ(claimed[0].message, big_body(1));
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_TRUE(claimed[1].message.empty());
  EXPECT_TRUE(store_->drop_claimed(claimed[1].id).value());
  ASSERT_TRUE(store_->mark_sent(claimed[0].id, t0 + 1min));
  EXPECT_EQ(stored(claimed[0].id), big_body(1));

  // A body goes with its message: expiring the sent and failed ones takes theirs.
  EXPECT_EQ(store_->expire_outbox(t0 + 1h), 3);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox"), 0);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox_messages"), 0);
}

TEST_F(Outbox, DroppingQueuedMessagesTakesTheirBodies) {
  ASSERT_TRUE(store_->enqueue(message("reminder:7:a"), t0));
  ASSERT_TRUE(store_->enqueue(message("reminder:8:a"), t0));
  EXPECT_EQ(store_->drop_queued("reminder:7:").value(), 1);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox_messages"), 1);
  EXPECT_EQ(store_->claim_due(t0, 5min, 10).value().at(0).message, message("").message);
}

class OutboxUpgrade : public store_test {
 protected:
  void exec(const std::string& sql) const { exec_sql(sql); }
};

TEST_F(OutboxUpgrade, AVersion10OutboxKeepsItsBodiesAndSendsThem) {
  const auto body_of = [](const std::string& key) {
    return big_body(static_cast<int>(key.size()));
  };
  // One sent, one being sent (its lease runs out at t0 + 5min), one queued, and a reminder
  // queued as its key alone.
  for (const std::string key : {"sent", "sending", "queued"}) {
    auto m = message(key);
    m.message = body_of(key);
    ASSERT_TRUE(store_->enqueue(m, t0));
  }
  ASSERT_TRUE(store_->enqueue(outbox_message{.kind = "reminder",
                                             .recipient = "anna@example.org",
                                             .message = "",
                                             .due = t0 + 1h,
                                             .dedupe_key = "reminder:composed-when-due"},
                              t0));
  const auto first = store_->claim_due(t0, 5min, 2).value();
  ASSERT_EQ(first.size(), 2U);
  ASSERT_EQ(first[0].dedupe_key, "sent");
  ASSERT_TRUE(store_->mark_sent(first[0].id, t0));

  // The outbox as version 10 left it: the bodies in its rows, no outbox_messages.
  store_.reset();
  const std::string to_v10 =
      on_postgres()
          ? "ALTER TABLE outbox ADD COLUMN message BYTEA NOT NULL DEFAULT ''::bytea; "
            "UPDATE outbox o SET message = m.message FROM outbox_messages m WHERE m.id = o.id; "
            "DROP TABLE outbox_messages; DELETE FROM schema_version WHERE version = 11"
          : "ALTER TABLE outbox ADD COLUMN message BLOB NOT NULL DEFAULT x''; "
            "UPDATE outbox SET message = (SELECT m.message FROM outbox_messages m "
            "WHERE m.id = outbox.id) WHERE id IN (SELECT id FROM outbox_messages); "
            "DROP TABLE outbox_messages; PRAGMA user_version = 10";
  exec(to_v10);
  ASSERT_EQ(query_int("SELECT COUNT(*) FROM outbox WHERE length(message) > 4000"), 3);

  reopen();  // migrates to 11
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(
      query_int(on_postgres() ? "SELECT MAX(version) FROM schema_version" : "PRAGMA user_version"),
      11);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox_messages"), 3);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox"), 4);

  // The queued one now, the one being sent once its lease is over, the reminder when due:
  // each with its body as queued.
  const auto now = store_->claim_due(t0 + 1min, 5min, 10).value();
  ASSERT_EQ(now.size(), 1U);
  EXPECT_EQ(now[0].dedupe_key, "queued");
  EXPECT_EQ(now[0].message, body_of("queued"));
  const auto later = store_->claim_due(t0 + 5min, 5min, 10).value();
  ASSERT_EQ(later.size(), 1U);
  EXPECT_EQ(later[0].dedupe_key, "sending");
  EXPECT_EQ(later[0].message, body_of("sending"));
  ASSERT_TRUE(store_->mark_sent(now[0].id, t0 + 5min));
  ASSERT_TRUE(store_->mark_sent(later[0].id, t0 + 5min));
  const auto due = store_->claim_due(t0 + 1h, 5min, 10).value();
  ASSERT_EQ(due.size(), 1U);
  EXPECT_EQ(due[0].dedupe_key, "reminder:composed-when-due");
  EXPECT_TRUE(due[0].message.empty());
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), 3);
  // The sent one's body stayed where the migration put it, for the 30 days of the outbox.
  EXPECT_EQ(query_text("SELECT m.message FROM outbox o JOIN outbox_messages m ON m.id = o.id "
                       "WHERE o.dedupe_key = 'sent'"),
            body_of("sent"));
  EXPECT_EQ(store_->expire_outbox(t0 + 2h), 3);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM outbox_messages"), 0);
}

}  // namespace
}  // namespace treffpunkt::storage
