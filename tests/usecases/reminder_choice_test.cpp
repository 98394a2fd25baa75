// A new reminder choice re-plans the reminders already queued (usecases::set_reminders, issue
// 15): reminders of lead times no longer chosen go, new lead times are queued for every session
// still to come that the member has a place at, unless their time has passed.
#include <usecases/events.h>
#include <usecases/people.h>
#include <usecases/rsvps.h>

#include <algorithm>
#include <string>
#include <vector>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using calendar::rsvp_answer;
using std::chrono::days;
using std::chrono::minutes;

class ReminderChoice : public testing::usecase_test {
 protected:
  /// The lead times (minutes) of the queued reminders to `email`, in the order queued.
  std::vector<std::string> queued_to(std::string_view email) const {
    std::vector<std::string> out;
    for (const auto& m : mails("reminder")) {
      if (m.recipient == email) out.push_back(m.dedupe_key.substr(m.dedupe_key.rfind(':') + 1));
    }
    return out;
  }

  static std::int64_t unix_of(calendar::utc_seconds t) { return t.time_since_epoch().count(); }
};

TEST_F(ReminderChoice, ANinetyMinuteLeadTimeReplacesTheQueuedRemindersOfEverySessionToCome) {
  const auto anna = person("anna@example.org");
  const auto first = occurrence(0);
  const auto second = occurrence(1);
  ASSERT_TRUE(answer_rsvp(ctx(), event_, first.key, anna, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, second.key, anna, rsvp_answer::yes));
  ASSERT_EQ(queued_to("anna@example.org"),
            (std::vector<std::string>{"1440", "120", "1440", "120"}));  // the default

  const auto done = set_reminders(ctx(), anna.id, {minutes(90)});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(store_->reminder_offsets(anna.id), std::vector<minutes>{minutes(90)});
  const auto reminders = mails("reminder");
  ASSERT_EQ(reminders.size(), 2U);
  // Each planned for 90 minutes before its session, under the key plan_reminders gives it.
  for (const auto& [m, o] : {std::pair{reminders[0], first}, std::pair{reminders[1], second}}) {
    EXPECT_EQ(m.due, unix_of(o.start - minutes(90)));
    EXPECT_EQ(m.dedupe_key, "reminder:" + std::to_string(event_.id.value) + ":" +
                                o.key.to_string() + ":" + std::to_string(anna.id.value) + ":" +
                                std::to_string(unix_of(o.start)) + ":90");
    EXPECT_NE(readable(m.message).find("Erinnerung: Offenes Treffen"), std::string::npos);
  }
  EXPECT_GT(wakes_, 0);
}

TEST_F(ReminderChoice, KeptLeadTimesStayNewOnesWhoseTimeHasPassedAreNotQueued) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, anna, rsvp_answer::yes));
  // The session is six days ahead: 28 days before has passed, a day before has not.
  ASSERT_TRUE(set_reminders(ctx(), anna.id, {days(28), days(1)}));
  EXPECT_EQ(queued_to("anna@example.org"), std::vector<std::string>{"1440"});
  ASSERT_TRUE(set_reminders(ctx(), anna.id, {days(1), minutes(30)}));
  // The kept one first: it stayed where it was in the queue, the new one came after it.
  EXPECT_EQ(queued_to("anna@example.org"), (std::vector<std::string>{"1440", "30"}));
}

TEST_F(ReminderChoice, TurningRemindersOffDropsTheQueuedButNotTheSent) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, anna, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(1).key, anna, rsvp_answer::yes));
  // The day-before reminder of the first session went out (claimed as if it were that day,
  // with the two confirmations).
  const auto claimed = store_->claim_due(occurrence(0).start - minutes(1440), minutes(5), 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 3U);
  std::string sent_key;
  for (const auto& m : *claimed) {
    ASSERT_TRUE(store_->mark_sent(m.id, now()));
    if (m.kind == "reminder") sent_key = m.dedupe_key;
  }
  ASSERT_TRUE(sent_key.ends_with(":1440")) << sent_key;

  ASSERT_TRUE(set_reminders(ctx(), anna.id, {}));
  EXPECT_TRUE(store_->reminder_offsets(anna.id).empty());
  const auto left = mails("reminder");
  ASSERT_EQ(left.size(), 1U);
  EXPECT_EQ(left[0].dedupe_key, sent_key);
  // On again: queued again, but never the one that went out.
  ASSERT_TRUE(set_reminders(ctx(), anna.id, {days(1), minutes(120)}));
  EXPECT_EQ(mails("reminder").size(), 4U);  // the sent one and three new
}

TEST_F(ReminderChoice, OnlySessionsToComeThatTheMemberHasAPlaceAt) {
  const auto anna = person("anna@example.org");
  const auto ben = person("ben@example.org");
  // One place: Ben waits. A "maybe" gets no reminders either, as when answering.
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, anna, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, ben, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(1).key, ben, rsvp_answer::maybe));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(2).key, anna, rsvp_answer::yes));
  calendar::occurrence_override cancelled;
  cancelled.key = occurrence(2).key;
  cancelled.cancelled = true;
  ASSERT_TRUE(change_occurrence(ctx(), event_, cancelled, storage::actor::system()));
  ASSERT_TRUE(set_reminders(ctx(), ben.id, {minutes(90)}));
  EXPECT_TRUE(queued_to("ben@example.org").empty());
  ASSERT_TRUE(set_reminders(ctx(), anna.id, {minutes(90)}));
  EXPECT_EQ(queued_to("anna@example.org"), std::vector<std::string>{"90"});  // not the cancelled
}

TEST_F(ReminderChoice, ABadChoiceChangesNothing) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence(0).key, anna, rsvp_answer::yes));
  const auto refused = set_reminders(ctx(), anna.id, {minutes(3)});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reminders");
  EXPECT_EQ(queued_to("anna@example.org"), (std::vector<std::string>{"1440", "120"}));
  EXPECT_FALSE(store_->has_reminder_choice(anna.id));
}

}  // namespace
}  // namespace treffpunkt::usecases
