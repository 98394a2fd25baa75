// What responsibles do to events, and the notices it queues (usecases/events.h).
#include <usecases/events.h>
#include <usecases/rsvps.h>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using calendar::rsvp_answer;
using testing::usecase_test;

class Events : public usecase_test {};

TEST_F(Events, MovingAnOccurrenceTellsThoseGoingWhenItWasAndPlansTheirRemindersAgain) {
  const auto anna = person("anna@example.org");
  const auto o = occurrence();
  ASSERT_TRUE(answer_rsvp(ctx(), event_, o.key, anna, rsvp_answer::yes));
  const auto before = mails("reminder");
  ASSERT_EQ(before.size(), 2U);

  calendar::occurrence_override moved;
  moved.key = o.key;
  moved.start = o.local_start + std::chrono::days(1);  // to Wednesday
  const auto changed = change_occurrence(ctx(), event_, moved, storage::actor::system());
  ASSERT_TRUE(changed) << changed.error().message;

  const auto notices = mails("moved");
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_EQ(notices[0].recipient, "anna@example.org");
  EXPECT_NE(notices[0].message.find("method=REQUEST"), std::string::npos);
  const auto text = readable(notices[0].message);
  EXPECT_NE(text.find("Mittwoch, 17. Juni 2026, 19:00 Uhr"), std::string::npos);
  EXPECT_NE(text.find("Dienstag, 16. Juni 2026, 19:00 Uhr"), std::string::npos);  // was
  const auto after = mails("reminder");
  ASSERT_EQ(after.size(), 2U);
  EXPECT_EQ(after[0].due, before[0].due + 24 * 3600);
}

TEST_F(Events, CancellingAnOccurrenceSendsACancelAndDropsItsReminders) {
  const auto anna = person("anna@example.org");
  const auto key = occurrence().key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, anna, rsvp_answer::yes));
  calendar::occurrence_override cancelled;
  cancelled.key = key;
  cancelled.cancelled = true;
  ASSERT_TRUE(change_occurrence(ctx(), event_, cancelled, storage::actor::system()));
  const auto notices = mails("cancelled");
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_NE(notices[0].message.find("method=CANCEL"), std::string::npos);
  EXPECT_TRUE(mails("reminder").empty());
}

TEST_F(Events, CancellingTheSeriesTellsEachPersonOnce) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, anna, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(1).key, anna, rsvp_answer::yes));
  ASSERT_EQ(mails("reminder").size(), 4U);
  const auto cancelled = cancel_event(ctx(), event_, storage::actor::system());
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, calendar::event_status::cancelled);
  const auto notices = mails("cancelled");
  ASSERT_EQ(notices.size(), 1U);
  // The CANCEL names the whole series: no RECURRENCE-ID in it.
  EXPECT_NE(notices[0].message.find("method=CANCEL"), std::string::npos);
  EXPECT_TRUE(mails("reminder").empty());
}

TEST_F(Events, RaisingTheCapacityPromotesTheWaitlist) {
  const auto key = occurrence().key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, person("anna@example.org"), rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, person("ben@example.org"), rsvp_answer::yes));
  auto edited = stored_event();
  edited.capacity = 2;
  const auto changed = update_event(ctx(), edited, storage::actor::system());
  ASSERT_TRUE(changed) << changed.error().message;
  const auto promotions = mails("waitlist_promotion");
  ASSERT_EQ(promotions.size(), 1U);
  EXPECT_EQ(promotions[0].recipient, "ben@example.org");
  EXPECT_EQ(store_->occupancy_of(event_.id, key).going, 2);
}

TEST_F(Events, AMessageReachesThoseComingAndWaitingButNotTheUnsubscribedAndADoubleClickOnce) {
  const auto key = occurrence().key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, person("anna@example.org"), rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, person("ben@example.org"), rsvp_answer::yes));
  const auto carla = person("carla@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, carla, rsvp_answer::maybe));
  ASSERT_TRUE(store_->set_notices(person("ben@example.org").id, false));
  const auto sender = person("rosa@example.org", "Rosa");
  ASSERT_TRUE(store_->add_responsible(unit_.id, sender.id, storage::actor::system()));
  for (int click = 0; click < 2; ++click) {
    const auto sent =
        message_attendees(ctx(), event_, key, sender, "Raumwechsel", "Wir treffen uns in Raum 2.");
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_EQ(*sent, click == 0 ? 1 : 0);  // Anna (going) only: Ben unsubscribed, Carla maybe
  }
  const auto messages = mails("responsibles_message");
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].recipient, "anna@example.org");
}

TEST_F(Events, SplittingASeriesMovesTheRemindersToTheNewSeries) {
  const auto anna = person("anna@example.org");
  const auto later = occurrence(2).key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, later, anna, rsvp_answer::yes));
  const auto old_keys = mails("reminder");
  ASSERT_EQ(old_keys.size(), 2U);
  const auto split = split_event(ctx(), event_, later, storage::actor::system());
  ASSERT_TRUE(split) << split.error().message;
  const auto& [old_series, new_series] = *split;
  EXPECT_NE(old_series.id, new_series.id);
  const auto now_keys = mails("reminder");
  ASSERT_EQ(now_keys.size(), 2U);
  const std::string new_prefix = "reminder:" + std::to_string(new_series.id.value) + ":";
  for (const auto& m : now_keys) EXPECT_TRUE(m.dedupe_key.starts_with(new_prefix)) << m.dedupe_key;
}

TEST_F(Events, ChangingFromOneDateOnMovesTheLaterDatesAndTellsThoseGoing) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(2).key, anna, rsvp_answer::yes));
  event_changes c;
  c.start = occurrence(1).local_start + std::chrono::hours(1);  // from the second on, at 20:00
  c.location = "Rathaus, Saal 2";
  const auto changed = change_from(ctx(), event_, occurrence(1).key, c, storage::actor::system());
  ASSERT_TRUE(changed) << changed.error().message;
  const auto& [old_series, new_series] = *changed;
  EXPECT_EQ(new_series.location, "Rathaus, Saal 2");
  EXPECT_EQ(old_series.location, "Jugendzentrum");
  EXPECT_EQ(new_series.related_to, old_series.uid);
  // Anna's answer followed her date into the new series, at its new time, and she was told.
  const auto rsvps = store_->rsvps_of_person(anna.id);
  ASSERT_EQ(rsvps.size(), 1U);
  EXPECT_EQ(rsvps[0].event, new_series.id);
  const auto notices = mails("moved");
  ASSERT_EQ(notices.size(), 1U);
  const auto text = readable(notices[0].message);
  EXPECT_NE(text.find("Dienstag, 30. Juni 2026, 20:00 Uhr"), std::string::npos) << text;
  EXPECT_NE(text.find("method=REQUEST"), std::string::npos);
}

TEST_F(Events, ChangingFromTheFirstDateOrBadlyWritesNothing) {
  event_changes c;
  c.location = "Rathaus";
  const auto first = change_from(ctx(), event_, occurrence(0).key, c, storage::actor::system());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, storage::errc::invalid);
  event_changes bad;
  bad.online_url = "javascript:alert(1)";
  const auto refused = change_from(ctx(), event_, occurrence(1).key, bad, storage::actor::system());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "online_url");
  EXPECT_EQ(store_->events_of_unit(unit_.id).size(), 1U);
  EXPECT_EQ(stored_event(), event_);
}

}  // namespace
}  // namespace treffpunkt::usecases
