// One set of rules for what a responsible sets on an event or an occurrence, whichever form it
// comes from (usecases/event_changes.h).
#include <calendar/expand.h>
#include <calendar/recurrence.h>
#include <gtest/gtest.h>
#include <usecases/event_changes.h>

#include "common/test_time.h"

namespace treffpunkt::usecases {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using treffpunkt::testing::local;

/// A new event of the Bildung unit with `c` applied.
result<calendar::event> created(const event_changes& c) {
  calendar::event e;
  e.zone = "Europe/Berlin";
  if (auto r = apply_event_changes(e, c, true); !r) return r.error();
  return e;
}

event_changes minimal() {
  event_changes c;
  c.title = "Offenes Treffen";
  c.start = local(2026, 6, 16, 19);
  return c;
}

TEST(EventChanges, ANewEventNeedsATitleAndAStartAndLastsTwoHours) {
  auto e = created(minimal());
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->duration, hours(2));
  event_changes no_title = minimal();
  no_title.title.reset();
  EXPECT_EQ(created(no_title).error().code, errc::required);
  EXPECT_EQ(created(no_title).error().field, "title");
  event_changes no_start = minimal();
  no_start.start.reset();
  EXPECT_EQ(created(no_start).error().field, "start");
}

TEST(EventChanges, AllDayEventsLastADayUnlessTheEndSaysOtherwise) {
  auto c = minimal();
  c.all_day = true;
  c.start = local(2026, 6, 16);
  EXPECT_EQ(created(c)->duration, hours(24));
  c.end = local(2026, 6, 18);
  EXPECT_EQ(created(c)->duration, hours(48));
  c.end = local(2026, 6, 16);
  EXPECT_EQ(created(c).error().code, errc::end_before_start);
}

TEST(EventChanges, TextsHaveLimitsAndLinksAreWebAddresses) {
  auto c = minimal();
  c.title = std::string(201, 'a');
  EXPECT_EQ(created(c).error().code, errc::too_long);
  EXPECT_EQ(created(c).error().field, "title");
  c = minimal();
  c.location = "Raum 1\nRaum 2";
  EXPECT_EQ(created(c).error().code, errc::invalid);
  EXPECT_EQ(created(c).error().field, "location");
  c = minimal();
  c.description = "Zeile 1\nZeile 2\tmit Tab";  // a description may have both
  EXPECT_TRUE(created(c));
  c.description = std::string("NUL\0", 4);
  EXPECT_EQ(created(c).error().field, "description");
  c = minimal();
  for (const char* bad : {"javascript:alert(1)", "data:text/html,x", "ftp://x.org"}) {
    c.online_url = bad;
    EXPECT_EQ(created(c).error().field, "online_url") << bad;
  }
  c.online_url = "https://meet.example.org/bildung";
  EXPECT_TRUE(created(c));
}

TEST(EventChanges, TheEndIsAWallClockTimeInTheEventsZone) {
  auto c = minimal();
  c.end = local(2026, 6, 16, 20, 30);
  EXPECT_EQ(created(c)->duration, minutes(90));
  // Across the night the clocks go back in Berlin: five wall-clock hours are six real ones.
  c.start = local(2026, 10, 24, 23);
  c.end = local(2026, 10, 25, 4);
  EXPECT_EQ(created(c)->duration, hours(6));
  c.duration_minutes = 60;
  EXPECT_EQ(created(c).error().field, "end");  // not both
  c.end.reset();
  c.duration_minutes = 0;
  EXPECT_EQ(created(c).error().field, "duration_minutes");
  c.zone = "Mars/Olympus";
  c.duration_minutes.reset();
  EXPECT_EQ(created(c).error().code, errc::unknown_zone);
}

TEST(EventChanges, RulesCapacitiesAndDeadlinesAreCheckedAndCanBeRemoved) {
  auto c = minimal();
  c.rrule = "FREQ=MONTHLY;BYDAY=3TU";  // 16 June 2026 is the third Tuesday
  c.capacity = std::optional<std::int64_t>{12};
  c.rsvp_deadline_minutes = std::optional<std::int64_t>{60};
  auto e = created(c);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->rule);
  EXPECT_EQ(e->capacity, 12);
  EXPECT_EQ(e->rsvp_deadline, minutes(60));

  event_changes removal;
  removal.rrule = "";
  removal.capacity = std::optional<std::int64_t>{};
  removal.rsvp_deadline_minutes = std::optional<std::int64_t>{};
  ASSERT_TRUE(apply_event_changes(*e, removal, false));
  EXPECT_FALSE(e->rule);
  EXPECT_EQ(e->capacity, std::nullopt);
  EXPECT_EQ(e->rsvp_deadline, std::nullopt);

  c.rrule = "FREQ=SOMETIMES";
  EXPECT_EQ(created(c).error().code, errc::bad_rule);
  EXPECT_EQ(created(c).error().field, "rrule");
  c.rrule.reset();
  c.capacity = std::optional<std::int64_t>{0};
  EXPECT_EQ(created(c).error().field, "capacity");
  c.capacity = std::optional<std::int64_t>{100001};
  EXPECT_EQ(created(c).error().field, "capacity");
}

TEST(EventChanges, AChangedEventKeepsItsLengthUnlessAllDayChanges) {
  auto e = created(minimal()).value();
  e.duration = minutes(90);
  event_changes moved;
  moved.start = local(2026, 6, 17, 18);
  ASSERT_TRUE(apply_event_changes(e, moved, false));
  EXPECT_EQ(e.duration, minutes(90));
  event_changes all_day;
  all_day.all_day = true;
  all_day.start = local(2026, 6, 17);
  ASSERT_TRUE(apply_event_changes(e, all_day, false));
  EXPECT_EQ(e.duration, hours(24));
}

TEST(EventChanges, AnOccurrencesEndCountsFromItsOriginalStartUnlessMoved) {
  auto e = created(minimal()).value();
  e.rule = calendar::recurrence_rule::parse("FREQ=WEEKLY").value();
  const auto key = calendar::occurrence_key::timed(treffpunkt::testing::utc(2026, 6, 23, 17));
  occurrence_changes c;
  c.end = local(2026, 6, 23, 22);
  auto o = occurrence_override_of(e, key, c);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->duration, hours(3));
  c.start = local(2026, 6, 23, 21);
  EXPECT_EQ(occurrence_override_of(e, key, c)->duration, hours(1));
  c.title = std::string(201, 'x');
  EXPECT_EQ(occurrence_override_of(e, key, c).error().code, errc::too_long);
  c.title = "Sondertermin";
  c.end = local(2026, 6, 23, 20);
  EXPECT_EQ(occurrence_override_of(e, key, c).error().code, errc::end_before_start);
}

TEST(EventChanges, ExtraDatesAreAfterTheFirstAndSortedOnce) {
  auto c = minimal();
  c.rrule = "FREQ=WEEKLY;COUNT=4";
  c.rdates = std::vector<calendar::local_seconds>{local(2026, 7, 30, 18), local(2026, 7, 2, 19),
                                                  local(2026, 7, 30, 18)};
  auto e = created(c);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->rdates,
            (std::vector<calendar::local_seconds>{local(2026, 7, 2, 19), local(2026, 7, 30, 18)}));
  EXPECT_EQ(calendar::expand(*e, treffpunkt::testing::utc(2026, 1, 1),
                             treffpunkt::testing::utc(2027, 1, 1))
                .size(),
            6U);
  c.rdates = std::vector<calendar::local_seconds>{local(2026, 6, 1, 19)};  // before the first
  EXPECT_EQ(created(c).error().field, "rdates");
}

TEST(EventChanges, LeftOutDatesAreDatesOfTheSeriesAndCanBeTakenBack) {
  auto c = minimal();  // Tuesdays from 16 June 2026, 19:00
  c.rrule = "FREQ=WEEKLY;COUNT=6";
  c.left_out = std::vector<date::local_days>{date::local_days{date::year{2026} / 6 / 30}};
  auto e = created(c);
  ASSERT_TRUE(e) << e.error().message;
  ASSERT_EQ(e->overrides.size(), 1U);
  EXPECT_TRUE(e->overrides[0].cancelled);
  const auto window = [](const calendar::event& x) {
    std::size_t n = 0;
    for (const auto& o : calendar::expand(x, treffpunkt::testing::utc(2026, 1, 1),
                                          treffpunkt::testing::utc(2027, 1, 1))) {
      if (!o.cancelled) ++n;
    }
    return n;
  };
  EXPECT_EQ(window(*e), 5U);
  // Another list replaces it: the 30th takes place again, the 7th of July is left out.
  event_changes again;
  again.left_out = std::vector<date::local_days>{date::local_days{date::year{2026} / 7 / 7}};
  ASSERT_TRUE(apply_event_changes(*e, again, false));
  ASSERT_EQ(e->overrides.size(), 1U);
  EXPECT_EQ(e->overrides[0].key.instant(), treffpunkt::testing::utc(2026, 7, 7, 17));
  // A day without a date of the series, or a one-off event: refused, naming the field.
  event_changes wednesday;
  wednesday.left_out = std::vector<date::local_days>{date::local_days{date::year{2026} / 7 / 8}};
  EXPECT_EQ(apply_event_changes(*e, wednesday, false).error().field, "left_out");
  auto once = created(minimal());
  ASSERT_TRUE(once);
  EXPECT_EQ(apply_event_changes(*once, wednesday, false).error().field, "left_out");
}

}  // namespace
}  // namespace treffpunkt::usecases
