// What the lag notices read of the store (issue 15): which calendar app last fetched a feed
// (feed_fetches), the followers of a unit whose app lags, the lag_notices switch; and a new
// reminder choice planning the queued reminders again (set_reminder_offsets with a plan).
#include <gtest/gtest.h>
#include <storage/store.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using calendar::client_family;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using testing::test_now;

using LagNotices = testing::store_test;
using ReminderChoice = testing::store_test;

/// `fetches` fetches (`not_modified` of them 304) of a person's or unit's feed by `family`, the
/// last at `at`: the row the server's fetch counter writes (store::add_feed_fetches).
void add_fetches(store& s, const feed_ref& feed, client_family family, std::int64_t fetches,
                 std::int64_t not_modified, calendar::utc_seconds at) {
  ASSERT_TRUE(s.add_feed_fetches({{feed, fetch_day(at), family, fetches, not_modified, at}}));
}

feed_ref person_feed(std::int64_t id) { return feed_ref::of(person_id{id}); }

TEST_F(LagNotices, TheFeedsClientIsTheFamilyOfItsLastFetchWithinTheWindow) {
  const auto now = test_now();
  add_fetches(*store_, person_feed(7), client_family::google, 3, 1, now - days(3));
  add_fetches(*store_, person_feed(7), client_family::apple, 1, 0, now - hours(20));
  add_fetches(*store_, person_feed(8), client_family::microsoft, 1, 0, now);

  auto seen = store_->feed_client("person:7", now - days(14));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->family, client_family::apple);
  EXPECT_EQ(seen->last_fetch, now - hours(20));
  // Nothing since: none (not the older Google fetch).
  EXPECT_FALSE(store_->feed_client("person:7", now - hours(19)));
  EXPECT_FALSE(store_->feed_client("person:9", now - days(14)));
  // Google fetches again later the same day: it is the last one now.
  add_fetches(*store_, person_feed(7), client_family::google, 1, 0, now - hours(2));
  seen = store_->feed_client("person:7", now - days(14));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->family, client_family::google);
}

TEST_F(LagNotices, LaggingFollowersAreTheFollowersWhoseLastFetchWasByGoogleOrOutlook) {
  const auto now = test_now();
  const auto unit = make_unit("bildung");
  const auto other = make_unit("antifa");
  const auto fetch = [&](const person& p, client_family f, calendar::utc_seconds at) {
    add_fetches(*store_, feed_ref::of(p.id), f, 1, 0, at);
  };
  const auto follow = [&](const person& p, calendar::unit_id u) {
    ASSERT_TRUE(store_->set_follow(p.id, u, true));
  };
  const auto google = make_person("google@example.org");
  follow(google, unit.id);
  fetch(google, client_family::google, now - hours(5));
  const auto outlook = make_person("outlook@example.org");
  follow(outlook, unit.id);
  fetch(outlook, client_family::apple, now - days(2));
  fetch(outlook, client_family::microsoft, now - days(1));
  const auto apple = make_person("apple@example.org");  // Google before, Apple last
  follow(apple, unit.id);
  fetch(apple, client_family::google, now - days(2));
  fetch(apple, client_family::apple, now - hours(1));
  const auto old = make_person("old@example.org");  // Google, but three weeks ago
  follow(old, unit.id);
  fetch(old, client_family::google, now - days(21));
  const auto quiet = make_person("quiet@example.org");  // lag notices off
  follow(quiet, unit.id);
  fetch(quiet, client_family::google, now - hours(5));
  ASSERT_TRUE(store_->set_lag_notices(quiet.id, false));
  const auto unsubscribed = make_person("unsubscribed@example.org");  // all notices off
  follow(unsubscribed, unit.id);
  fetch(unsubscribed, client_family::google, now - hours(5));
  ASSERT_TRUE(store_->set_notices(unsubscribed.id, false));
  const auto elsewhere = make_person("elsewhere@example.org");  // follows another unit
  follow(elsewhere, other.id);
  fetch(elsewhere, client_family::google, now - hours(5));

  const auto found = store_->lagging_followers(unit.id, now - days(14));
  std::vector<std::string> emails;
  for (const auto& f : found) emails.push_back(f.who.email);
  EXPECT_EQ(emails, (std::vector<std::string>{"google@example.org", "outlook@example.org"}));
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].client.family, client_family::google);
  EXPECT_EQ(found[0].client.last_fetch, now - hours(5));
  EXPECT_EQ(found[1].client.family, client_family::microsoft);
  EXPECT_EQ(store_->lagging_followers(other.id, now - days(14)).size(), 1U);
  // A member who unfollows is no follower.
  ASSERT_TRUE(store_->set_follow(google.id, unit.id, false));
  EXPECT_EQ(store_->lagging_followers(unit.id, now - days(14)).size(), 1U);
}

TEST_F(LagNotices, TheSwitchIsOnByDefaultAndTurnsOffAndOn) {
  const auto anna = make_person("anna@example.org");
  EXPECT_TRUE(store_->lag_notices(anna.id));
  ASSERT_TRUE(store_->set_lag_notices(anna.id, false));
  EXPECT_FALSE(store_->lag_notices(anna.id));
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'set_lag_notices'"), 1);
  ASSERT_TRUE(store_->set_lag_notices(anna.id, true));
  EXPECT_TRUE(store_->lag_notices(anna.id));
  EXPECT_EQ(store_->set_lag_notices(person_id{999}, true).error().code, errc::not_found);
  EXPECT_FALSE(store_->lag_notices(person_id{999}));
}

/// An outbox message under `key`, as a reminder would be queued.
outbox_message queued_under(const std::string& key, calendar::utc_seconds due) {
  return outbox_message{.kind = "reminder",
                        .recipient = "anna@example.org",
                        .message = "bytes of " + key,
                        .due = due,
                        .dedupe_key = key};
}

TEST_F(ReminderChoice, APlanDropsWhatItDoesNotKeepAndQueuesTheNewInTheSameWrite) {
  const auto now = test_now();
  const auto unit = make_unit("bildung");
  const auto anna = make_person("anna@example.org");
  calendar::event e;
  e.unit = unit.id;
  e.title = "Offenes Treffen";
  e.start = calendar::to_local(now + days(3), "Europe/Berlin");
  e.duration = hours(2);
  auto made = store_->create_event(e, actor::system(), now);
  ASSERT_TRUE(made) << made.error().message;
  const auto key = calendar::occurrence_key::timed(now + days(3));
  ASSERT_TRUE(store_->set_rsvp(made->id, key, anna.id, calendar::rsvp_answer::yes, now));
  // Queued: the 60-minute reminder, the 600-minute one, and one already sent (1440).
  ASSERT_TRUE(store_->enqueue(queued_under("r:a:60", now + hours(1)), now));
  ASSERT_TRUE(store_->enqueue(queued_under("r:a:600", now + hours(2)), now));
  ASSERT_TRUE(store_->enqueue(queued_under("r:a:1440", now - hours(1)), now));
  const auto claimed = store_->claim_due(now, minutes(5), 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1U);
  ASSERT_TRUE(store_->mark_sent(claimed->front().id, now));

  std::vector<places_in_event> seen;
  std::vector<minutes> chosen_seen;
  const auto done = store_->set_reminder_offsets(
      anna.id, {minutes(90), minutes(600)}, now,
      [&](const person& who, const std::vector<minutes>& chosen,
          const std::vector<places_in_event>& going) {
        EXPECT_EQ(who.email, "anna@example.org");
        chosen_seen = chosen;
        seen = going;
        reminder_plan plan;
        plan.drop = {"r:a:"};
        plan.keep = {"r:a:600"};
        plan.queue = {queued_under("r:a:90", now + hours(3)), queued_under("r:a:600", now)};
        return plan;
      });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(chosen_seen, (std::vector<minutes>{minutes(600), minutes(90)}));  // longest first
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].event.id, made->id);
  EXPECT_EQ(seen[0].keys, std::vector<calendar::occurrence_key>{key});
  // 60 dropped, 600 kept as it was (due in two hours, not now), 90 new, the sent one stays.
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox WHERE dedupe_key = 'r:a:60'"), 0);
  EXPECT_EQ(query_int("SELECT due FROM outbox WHERE dedupe_key = 'r:a:600'"),
            (now + hours(2)).time_since_epoch().count());
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox WHERE dedupe_key = 'r:a:90'"), 1);
  EXPECT_EQ(query_text("SELECT state FROM outbox WHERE dedupe_key = 'r:a:1440'"), "sent");
  EXPECT_EQ(store_->reminder_offsets(anna.id), (std::vector<minutes>{minutes(600), minutes(90)}));
}

TEST_F(ReminderChoice, AFailingPlanOrABadChoiceChangesNothing) {
  const auto now = test_now();
  const auto anna = make_person("anna@example.org");
  ASSERT_TRUE(store_->enqueue(queued_under("r:a:60", now + hours(1)), now));
  const auto throwing = [](const person&, const std::vector<minutes>&,
                           const std::vector<places_in_event>&) -> reminder_plan {
    throw std::runtime_error("cannot compose");
  };
  const auto failed = store_->set_reminder_offsets(anna.id, {minutes(90)}, now, throwing);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, errc::invalid);
  EXPECT_FALSE(store_->has_reminder_choice(anna.id));
  bool called = false;
  const auto refused = store_->set_reminder_offsets(
      anna.id, {minutes(2)}, now,
      [&](const person&, const std::vector<minutes>&, const std::vector<places_in_event>&) {
        called = true;
        return reminder_plan{{"r:a:"}, {}, {}};
      });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reminders");
  EXPECT_FALSE(called);
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox WHERE dedupe_key = 'r:a:60'"), 1);
}

}  // namespace
}  // namespace treffpunkt::storage
