// Reminders are queued as their key alone and composed when they are due (compose_due,
// store_outbox), from the session and the person as they are then (issue 16: an RSVP composes
// one message, not three; and the queue holds no text about anyone until the reminder goes).
#include <notifications/message.h>
#include <notifications/reminders.h>
#include <usecases/events.h>
#include <usecases/rsvps.h>
#include <usecases/store_outbox.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using calendar::rsvp_answer;
using std::chrono::minutes;

class DueMail : public testing::usecase_test {
 protected:
  /// The outbox row of the first reminder queued, as the dispatcher would claim it.
  storage::outbox_entry first_reminder() const {
    const auto all = mails("reminder");
    EXPECT_FALSE(all.empty());
    storage::outbox_entry e;
    if (all.empty()) return e;
    e.kind = all[0].kind;
    e.recipient = all[0].recipient;
    e.due = calendar::utc_seconds(std::chrono::seconds(all[0].due));
    e.dedupe_key = all[0].dedupe_key;
    return e;
  }
};

TEST_F(DueMail, AYesQueuesRemindersWithoutTextComposedLaterFromTheSessionAsItIsThen) {
  const auto anna = person("anna@example.org", "Anna");
  const auto o = occurrence(0);
  ASSERT_TRUE(answer_rsvp(ctx(), event_, o.key, anna, rsvp_answer::yes));
  const auto reminders = mails("reminder");
  ASSERT_EQ(reminders.size(), 2U);
  for (const auto& m : reminders) EXPECT_TRUE(m.composed_when_due) << m.dedupe_key;
  // The confirmation is composed at once (it goes now).
  const auto confirmations = mails("rsvp_confirmation");
  ASSERT_EQ(confirmations.size(), 1U);
  EXPECT_FALSE(confirmations[0].composed_when_due);

  // The session gets a new room after the RSVP, at the same time: the reminder says the new one.
  calendar::occurrence_override room;
  room.key = o.key;
  room.location = "Rathaus, Saal 3";
  ASSERT_TRUE(change_occurrence(ctx(), stored_event(), room, storage::actor::system()));
  const auto due = first_reminder();
  const auto composed = compose_due(ctx(), due);
  ASSERT_FALSE(composed.message.empty()) << composed.obsolete;
  const auto text = readable(composed.message);
  EXPECT_NE(text.find("Erinnerung: Offenes Treffen"), std::string::npos);
  EXPECT_NE(text.find("Rathaus, Saal 3"), std::string::npos);
  EXPECT_NE(text.find("Hallo Anna"), std::string::npos);
  EXPECT_NE(text.find("List-Unsubscribe: <https://termine.example.org/unsubscribe/"),
            std::string::npos);
  // Its Message-ID comes from its key: composed twice (a retry), it is the same message.
  const auto id_at = text.find("Message-ID: ");
  ASSERT_NE(id_at, std::string::npos);
  const auto id = text.substr(id_at, text.find('\r', id_at) - id_at);
  EXPECT_NE(readable(compose_due(ctx(), due).message).find(id), std::string::npos);
}

TEST_F(DueMail, AReminderWhoseSessionOrPersonChangedNoLongerApplies) {
  const auto anna = person("anna@example.org", "Anna");
  const auto o = occurrence(0);
  ASSERT_TRUE(answer_rsvp(ctx(), event_, o.key, anna, rsvp_answer::yes));
  const auto due = first_reminder();
  ASSERT_TRUE(compose_due(ctx(), due).obsolete.empty());

  // Another address than the person's now: not sent to the old one.
  auto elsewhere = due;
  elsewhere.recipient = "someone-else@example.org";
  EXPECT_EQ(compose_due(ctx(), elsewhere).obsolete, "the person or address changed");

  // A session that moved has reminders under new keys; one under the old start is stale.
  auto old_start = due;
  old_start.dedupe_key = notifications::reminder_key(event_.id, o.key, anna.id.value,
                                                     o.start - minutes(30), minutes(120));
  EXPECT_EQ(compose_due(ctx(), old_start).obsolete, "the session moved");

  // Anna says no: (the store drops her queued reminders, and) one claimed meanwhile is stale.
  ASSERT_TRUE(answer_rsvp(ctx(), event_, o.key, anna, rsvp_answer::no));
  EXPECT_TRUE(mails("reminder").empty());
  EXPECT_EQ(compose_due(ctx(), due).obsolete, "no longer going");

  // The session is cancelled.
  ASSERT_TRUE(answer_rsvp(ctx(), event_, o.key, anna, rsvp_answer::yes));
  calendar::occurrence_override off;
  off.key = o.key;
  off.cancelled = true;
  ASSERT_TRUE(change_occurrence(ctx(), stored_event(), off, storage::actor::system()));
  EXPECT_EQ(compose_due(ctx(), due).obsolete, "the session is cancelled or gone");

  // A key that names no reminder is a bug, not a state: it throws (and the row is failed).
  auto garbled = due;
  garbled.dedupe_key = "reminder:x";
  EXPECT_THROW(compose_due(ctx(), garbled), std::runtime_error);
}

TEST_F(DueMail, TheOutboxComposesWhatItClaimsOnceItKnowsHowAndDropsWhatNoLongerApplies) {
  const auto anna = person("anna@example.org", "Anna");
  const auto ben = person("ben@example.org", "Ben");
  const auto o = occurrence(0);
  ASSERT_TRUE(answer_rsvp(ctx(), event_, o.key, anna, rsvp_answer::yes));
  const auto reminder_due = o.start - std::chrono::hours(24);
  // A reminder for Ben, who never answered: it no longer applies when it is due.
  storage::outbox_message stray{
      "reminder", ben.email, "", reminder_due,
      notifications::reminder_key(event_.id, o.key, ben.id.value, o.start, minutes(1440))};
  ASSERT_TRUE(store_->enqueue(stray, now()));
  ASSERT_EQ(store_->outbox_depth(), 4);  // confirmation, Anna's two reminders, Ben's

  store_outbox outbox(*store_);
  const auto at = reminder_due + minutes(1);
  // Not told how to compose yet: the confirmation goes, the reminders stay claimed (their
  // lease brings them back).
  auto first = outbox.claim_due(at, std::chrono::seconds(60), 10);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1U);
  EXPECT_NE(first->at(0).data.find("Subject: "), std::string::npos);
  ASSERT_TRUE(outbox.mark_sent(first->at(0).id, at));

  outbox.compose_with(mail_, "https://termine.example.org");
  auto second = outbox.claim_due(at + minutes(2), std::chrono::seconds(60), 10);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->size(), 1U);  // Anna's day-before reminder; Ben's dropped
  EXPECT_EQ(second->at(0).recipient, "anna@example.org");
  EXPECT_NE(readable(second->at(0).data).find("Erinnerung: Offenes Treffen"), std::string::npos);
  // Left to send: Anna's day-before reminder (sending) and her two-hour one (queued).
  EXPECT_EQ(store_->outbox_depth(), 2);
}

}  // namespace
}  // namespace treffpunkt::usecases
