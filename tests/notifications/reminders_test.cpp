// Reminder planning: due times, passed ones left out, keys that change when the start moves.
#include <gtest/gtest.h>
#include <notifications/reminders.h>

#include "common/test_time.h"

namespace treffpunkt::notifications {
namespace {

using namespace std::chrono_literals;
using treffpunkt::testing::utc;

const calendar::event_id event{7};
const auto key = calendar::occurrence_key::timed(utc(2025, 12, 2, 18));
const std::vector<std::chrono::minutes> day_and_two_hours{24h, 2h};

TEST(NotificationsReminders, OnePerOffsetLongestFirstWithKeysUnderTheOccurrencePrefix) {
  const auto plan =
      plan_reminders(event, key, 3, utc(2025, 12, 2, 18), day_and_two_hours, utc(2025, 11, 20));
  ASSERT_EQ(plan.size(), 2U);
  EXPECT_EQ(plan[0].due, utc(2025, 12, 1, 18));
  EXPECT_EQ(plan[1].due, utc(2025, 12, 2, 16));
  EXPECT_EQ(plan[0].before, 24h);
  EXPECT_EQ(plan[0].dedupe_key, "reminder:7:20251202T180000Z:3:1764698400:1440");
  EXPECT_TRUE(plan[1].dedupe_key.starts_with(reminder_prefix(event, key, 3)));
  EXPECT_TRUE(plan[1].dedupe_key.starts_with(reminder_prefix(event, key)));
}

TEST(NotificationsReminders, PassedRemindersAreLeftOutAndStartedOccurrencesGetNone) {
  const auto late =
      plan_reminders(event, key, 3, utc(2025, 12, 2, 18), day_and_two_hours, utc(2025, 12, 2, 15));
  ASSERT_EQ(late.size(), 1U);
  EXPECT_EQ(late[0].before, 2h);
  EXPECT_TRUE(
      plan_reminders(event, key, 3, utc(2025, 12, 2, 18), day_and_two_hours, utc(2025, 12, 2, 18))
          .empty());
  EXPECT_TRUE(plan_reminders(event, key, 3, utc(2025, 12, 2, 18), {}, utc(2025, 11, 1)).empty());
}

TEST(NotificationsReminders, AMovedOccurrenceGetsNewKeysUnderTheSamePrefix) {
  const auto before =
      plan_reminders(event, key, 3, utc(2025, 12, 2, 18), day_and_two_hours, utc(2025, 11, 20));
  const auto after =
      plan_reminders(event, key, 3, utc(2025, 12, 3, 18), day_and_two_hours, utc(2025, 11, 20));
  ASSERT_EQ(after.size(), 2U);
  EXPECT_NE(before[0].dedupe_key, after[0].dedupe_key);
  EXPECT_TRUE(after[0].dedupe_key.starts_with(reminder_prefix(event, key, 3)));
}

// A reminder is queued as its key and composed when due: the key must give back what it names.
TEST(NotificationsReminders, AKeyReadsBackAsWhatItNamesAndNothingElseReads) {
  const auto day = calendar::occurrence_key::all_day(
      date::sys_days(date::year{2026} / date::February / date::day{29}));
  for (const auto& k : {key, day}) {
    const auto text = reminder_key(event, k, 42, utc(2025, 12, 2, 18), 90min);
    const auto ref = parse_reminder_key(text);
    ASSERT_TRUE(ref) << text;
    EXPECT_EQ(ref->event, event);
    EXPECT_EQ(ref->key, k);
    EXPECT_EQ(ref->person, 42);
    EXPECT_EQ(ref->start, utc(2025, 12, 2, 18));
    EXPECT_EQ(ref->before, 90min);
  }
  for (const std::string_view bad :
       {"", "reminder:", "reminder:7:20251202T180000Z:3:1764698400",
        "reminder:x:20251202T180000Z:3:1764698400:1440", "reminder:7:gestern:3:1764698400:1440",
        "reminder:7:20251202T180000Z:3:1764698400:90min", "rsvp:7:20251202T180000Z:3:1:2",
        "reminder:7:20251202T180000Z::1764698400:1440"}) {
    EXPECT_FALSE(parse_reminder_key(bad)) << bad;
  }
}

}  // namespace
}  // namespace treffpunkt::notifications
