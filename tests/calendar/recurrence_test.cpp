#include <calendar/event.h>
#include <calendar/recurrence.h>
#include <date/date.h>
#include <gtest/gtest.h>

#include "common/test_time.h"

namespace {

using treffpunkt::testing::day;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

using namespace std::chrono_literals;
using treffpunkt::calendar::duration_between;
using treffpunkt::calendar::errc;
using treffpunkt::calendar::event;
using treffpunkt::calendar::frequency;
using treffpunkt::calendar::local_seconds;
using treffpunkt::calendar::occurrence_key;
using treffpunkt::calendar::occurrence_override;
using treffpunkt::calendar::recurrence_rule;
using treffpunkt::calendar::utc_seconds;
using treffpunkt::calendar::validate;

recurrence_rule rule(std::string_view text) { return recurrence_rule::parse(text).value(); }

/// The error code `parse` gives, or nothing when it succeeds.
std::optional<errc> parse_error(std::string_view text) {
  const auto r = recurrence_rule::parse(text);
  if (r) return std::nullopt;
  EXPECT_EQ(r.error().field, "rrule") << text;
  return r.error().code;
}

// --- parse -------------------------------------------------------------------------------

TEST(Recurrence, WeeklyParsesToCanonicalText) {
  const auto r = rule("FREQ=WEEKLY;BYDAY=TU");
  EXPECT_EQ(r.to_string(), "FREQ=WEEKLY;BYDAY=TU");
  EXPECT_EQ(r.freq(), frequency::weekly);
  EXPECT_EQ(r.interval(), 1);
  EXPECT_EQ(r.count(), std::nullopt);
  EXPECT_EQ(r.until(), std::nullopt);
  EXPECT_FALSE(r.until_is_date());
}

TEST(Recurrence, LowerCaseValuesAreCanonicalised) {
  EXPECT_EQ(rule("FREQ=monthly;BYDAY=1tu").to_string(), "FREQ=MONTHLY;BYDAY=1TU");
}

TEST(Recurrence, EveryOtherWeekKeepsInterval) {
  const auto r = rule("FREQ=WEEKLY;INTERVAL=2");
  EXPECT_EQ(r.interval(), 2);
  EXPECT_EQ(r.to_string(), "FREQ=WEEKLY;INTERVAL=2");
}

TEST(Recurrence, LastWeekdayOfMonthKeepsSetpos) {
  const auto r = rule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1");
  EXPECT_EQ(r.freq(), frequency::monthly);
  EXPECT_EQ(r.to_string(), "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1");
}

TEST(Recurrence, SameRuleInOtherPartOrderIsEqual) {
  EXPECT_EQ(rule("FREQ=WEEKLY;BYDAY=TU;INTERVAL=2"), rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"));
  EXPECT_NE(rule("FREQ=WEEKLY;INTERVAL=2"), rule("FREQ=WEEKLY;INTERVAL=3"));
}

TEST(Recurrence, CountIsRead) {
  const auto r = rule("FREQ=DAILY;COUNT=5");
  EXPECT_EQ(r.freq(), frequency::daily);
  EXPECT_EQ(r.count(), 5);
  EXPECT_EQ(r.to_string(), "FREQ=DAILY;COUNT=5");
}

TEST(Recurrence, UtcUntilIsThatInstant) {
  const auto r = rule("FREQ=WEEKLY;UNTIL=20260131T225959Z");
  EXPECT_EQ(r.until(), utc(2026, 1, 31, 22, 59, 59));
  EXPECT_FALSE(r.until_is_date());
  EXPECT_EQ(r.to_string(), "FREQ=WEEKLY;UNTIL=20260131T225959Z");
}

TEST(Recurrence, DateUntilIsTheEndOfThatDate) {
  const auto r = rule("FREQ=YEARLY;UNTIL=20300131");
  EXPECT_EQ(r.freq(), frequency::yearly);
  EXPECT_EQ(r.until(), utc(2030, 1, 31, 23, 59, 59));
  EXPECT_TRUE(r.until_is_date());
  EXPECT_EQ(r.to_string(), "FREQ=YEARLY;UNTIL=20300131");
}

// RFC 5545 §3.3.10: a floating DTSTART takes a floating UNTIL, so a rule on its own accepts
// one (expand_floating); an event, always in a zone, refuses it (see FloatingUntilIsRefused...).
TEST(Recurrence, FloatingUntilParsesAndSaysSo) {
  const auto r = recurrence_rule::parse("FREQ=WEEKLY;UNTIL=20260131T230000");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(r->until_is_floating());
  EXPECT_FALSE(r->until_is_date());
  EXPECT_EQ(r->to_string(), "FREQ=WEEKLY;UNTIL=20260131T230000");
  EXPECT_FALSE(recurrence_rule::parse("FREQ=WEEKLY;UNTIL=20260131T230000Z")->until_is_floating());
  EXPECT_FALSE(recurrence_rule::parse("FREQ=WEEKLY;UNTIL=20260131")->until_is_floating());
}

TEST(Recurrence, InvalidUntilDateIsBadRule) {
  EXPECT_EQ(parse_error("FREQ=WEEKLY;UNTIL=20261301T000000Z"), errc::bad_rule);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;UNTIL=20260230"), errc::bad_rule);
}

// Found by fuzz_rrule: libical read BYDAY=128FR and wrote it back as something else.
TEST(Recurrence, BydayOrdinalsOutsideRfcRangeAreBadRule) {
  for (const char* bad : {"FREQ=MONTHLY;BYDAY=128FR", "FREQ=MONTHLY;BYDAY=0MO",
                          "FREQ=YEARLY;BYDAY=54MO", "FREQ=MONTHLY;BYDAY=-54SU",
                          "FREQ=WEEKLY;BYDAY=MO,XX", "FREQ=WEEKLY;BYDAY=", "FREQ=WEEKLY;BYDAY=1"}) {
    EXPECT_EQ(parse_error(bad), errc::bad_rule) << bad;
  }
  for (const char* good : {"FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=-1FR",
                           "FREQ=YEARLY;BYDAY=+53MO", "FREQ=WEEKLY;BYDAY=mo,we,FR"}) {
    const auto rule = recurrence_rule::parse(good);
    ASSERT_TRUE(rule) << good;
    EXPECT_EQ(recurrence_rule::parse(rule->to_string())->to_string(), rule->to_string()) << good;
  }
}

TEST(Recurrence, UnparsableTextIsBadRule) {
  EXPECT_EQ(parse_error(""), errc::bad_rule);
  EXPECT_EQ(parse_error("garbage"), errc::bad_rule);
  EXPECT_EQ(parse_error("BYDAY=MO"), errc::bad_rule);  // no FREQ
  EXPECT_EQ(parse_error("FREQ=FORTNIGHTLY"), errc::bad_rule);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;BYDAY=XX"), errc::bad_rule);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;FOO=1"), errc::bad_rule);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;COUNT=3x"), errc::bad_rule);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;INTERVAL=abc"), errc::bad_rule);
  EXPECT_EQ(parse_error(std::string_view("FREQ=DAILY\0;BYDAY=XX", 21)), errc::bad_rule);
}

// Imports and the API may bring any rule; the pages offer only the common ones.
TEST(Recurrence, SubDailyFrequenciesParse) {
  EXPECT_EQ(recurrence_rule::parse("FREQ=HOURLY").value().freq(), frequency::hourly);
  EXPECT_EQ(recurrence_rule::parse("FREQ=MINUTELY;INTERVAL=15").value().freq(),
            frequency::minutely);
  EXPECT_EQ(recurrence_rule::parse("FREQ=SECONDLY").value().freq(), frequency::secondly);
}

TEST(Recurrence, ByValuesOutOfRangeAreBadRuleWithTheirName) {
  for (const char* bad :
       {"FREQ=DAILY;BYHOUR=24", "FREQ=DAILY;BYMINUTE=60", "FREQ=DAILY;BYSECOND=61",
        "FREQ=MONTHLY;BYMONTHDAY=0", "FREQ=MONTHLY;BYMONTHDAY=-32", "FREQ=YEARLY;BYYEARDAY=367",
        "FREQ=YEARLY;BYWEEKNO=54", "FREQ=YEARLY;BYWEEKNO=0", "FREQ=YEARLY;BYMONTH=13",
        "FREQ=MONTHLY;BYSETPOS=0", "FREQ=MONTHLY;BYSETPOS=-367", "FREQ=DAILY;BYHOUR=9,x"}) {
    const auto r = recurrence_rule::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::bad_rule) << bad;
    const std::string_view text(bad);
    const auto name = text.substr(text.rfind(';') + 1, text.rfind('=') - text.rfind(';') - 1);
    EXPECT_NE(r.error().message.find(name), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(parse_error("FREQ=YEARLY;BYWEEKNO=-53,53;BYYEARDAY=-366,366;BYSECOND=60"),
            std::nullopt);
}

TEST(Recurrence, PartsAreSortedAndUnique) {
  const auto r = recurrence_rule::parse("FREQ=MONTHLY;BYHOUR=9,8,9;BYDAY=TU,MO,-1FR;WKST=SU");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->parts().by_hour, (std::vector<int>{8, 9}));
  EXPECT_EQ(r->parts().by_day, (std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {4, -1}}));
  EXPECT_EQ(r->parts().wkst, 6);
}

TEST(Recurrence, CountAndUntilTogetherAreRejected) {
  EXPECT_EQ(parse_error("FREQ=WEEKLY;COUNT=3;UNTIL=20260101T000000Z"), errc::count_and_until);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;until=20260101;count=3"), errc::count_and_until);
}

TEST(Recurrence, IntervalAboveThousandIsOutOfBounds) {
  EXPECT_EQ(parse_error("FREQ=WEEKLY;INTERVAL=1000"), std::nullopt);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;INTERVAL=1001"), errc::out_of_bounds);
  // libical keeps INTERVAL in a short; 70000 must not wrap into an accepted value.
  EXPECT_EQ(parse_error("FREQ=WEEKLY;INTERVAL=70000"), errc::out_of_bounds);
  EXPECT_EQ(parse_error("FREQ=WEEKLY;INTERVAL=0"), errc::out_of_bounds);
}

TEST(Recurrence, CountOutsideOneToTenThousandIsOutOfBounds) {
  EXPECT_EQ(parse_error("FREQ=DAILY;COUNT=1"), std::nullopt);
  EXPECT_EQ(parse_error("FREQ=DAILY;COUNT=10000"), std::nullopt);
  EXPECT_EQ(parse_error("FREQ=DAILY;COUNT=10001"), errc::out_of_bounds);
  EXPECT_EQ(parse_error("FREQ=DAILY;COUNT=0"), errc::out_of_bounds);
  EXPECT_EQ(parse_error("FREQ=DAILY;COUNT=-1"), errc::out_of_bounds);
  EXPECT_EQ(parse_error("FREQ=DAILY;COUNT=99999999999999999999"), errc::out_of_bounds);
}

// --- with_until / with_count --------------------------------------------------------------

TEST(Recurrence, WithUntilDropsCount) {
  const auto r =
      rule("FREQ=WEEKLY;COUNT=5;BYDAY=TU").with_until(utc(2026, 3, 1, 17, 59, 59), false);
  EXPECT_EQ(r.to_string(), "FREQ=WEEKLY;UNTIL=20260301T175959Z;BYDAY=TU");
  EXPECT_EQ(r.count(), std::nullopt);
  EXPECT_EQ(r.until(), utc(2026, 3, 1, 17, 59, 59));
  EXPECT_FALSE(r.until_is_date());
}

TEST(Recurrence, WithUntilAsDateWritesADate) {
  const auto r = rule("FREQ=WEEKLY;UNTIL=20261231T230000Z").with_until(utc(2026, 2, 28), true);
  EXPECT_EQ(r.to_string(), "FREQ=WEEKLY;UNTIL=20260228");
  EXPECT_TRUE(r.until_is_date());
  EXPECT_EQ(r.until(), utc(2026, 2, 28, 23, 59, 59));
}

TEST(Recurrence, WithCountDropsUntil) {
  const auto r = rule("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231T230000Z").with_count(3);
  EXPECT_EQ(r.to_string(), "FREQ=MONTHLY;COUNT=3;BYDAY=1TU");
  EXPECT_EQ(r.count(), 3);
  EXPECT_EQ(r.until(), std::nullopt);
}

// --- validate -----------------------------------------------------------------------------

event meeting() {
  event e;
  e.title = "Plenum Netzwerkstelle Bildung";
  e.zone = "Europe/Berlin";
  e.start = local(2026, 1, 6, 19);  // a Tuesday
  e.duration = 2h;
  e.rule = rule("FREQ=MONTHLY;BYDAY=1TU");
  return e;
}

/// The code and field of validate's error, or nothing when it passes.
std::optional<std::pair<errc, std::string>> problem(const event& e) {
  const auto r = validate(e);
  if (r) return std::nullopt;
  return std::pair{r.error().code, r.error().field};
}

using problem_t = std::pair<errc, std::string>;

TEST(Validate, FirstTuesdayMonthlyMeetingPasses) { EXPECT_EQ(problem(meeting()), std::nullopt); }

TEST(Validate, EmptyOrBlankTitleIsInvalid) {
  auto e = meeting();
  e.title = "";
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "title"));
  e.title = "  \t";
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "title"));
}

TEST(Validate, UnknownZoneIsRejected) {
  auto e = meeting();
  e.zone = "Europe/Erfurt";
  EXPECT_EQ(problem(e), problem_t(errc::unknown_zone, "zone"));
  e.zone = "/freeassociation.sourceforge.net/Europe/Berlin";
  EXPECT_EQ(problem(e), problem_t(errc::unknown_zone, "zone"));
}

TEST(Validate, DurationMustBePositive) {
  auto e = meeting();
  e.duration = 0s;
  EXPECT_EQ(problem(e), problem_t(errc::end_before_start, "end"));
  e.duration = -1h;
  EXPECT_EQ(problem(e), problem_t(errc::end_before_start, "end"));
}

TEST(Validate, DurationAboveAYearIsOutOfBounds) {
  auto e = meeting();
  e.duration = date::days(366);
  EXPECT_EQ(problem(e), std::nullopt);
  e.duration = date::days(366) + 1s;
  EXPECT_EQ(problem(e), problem_t(errc::out_of_bounds, "end"));
}

TEST(Validate, StartOutside1970To2200IsOutOfBounds) {
  auto e = meeting();
  e.rule.reset();
  e.start = local(1969, 12, 31, 23);
  EXPECT_EQ(problem(e), problem_t(errc::out_of_bounds, "start"));
  e.start = local(2201, 1, 1, 0);
  EXPECT_EQ(problem(e), problem_t(errc::out_of_bounds, "start"));
  e.start = local(2200, 12, 31, 20);
  EXPECT_EQ(problem(e), std::nullopt);
  e.start = local(1970, 1, 1, 0);
  EXPECT_EQ(problem(e), std::nullopt);
}

TEST(Validate, AllDayStartsAtMidnightAndLastsWholeDays) {
  auto e = meeting();
  e.rule.reset();
  e.all_day = true;
  e.start = local(2026, 3, 28);
  e.duration = date::days(2);
  EXPECT_EQ(problem(e), std::nullopt);
  e.start = local(2026, 3, 28, 10);
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "start"));
  e.start = local(2026, 3, 28);
  e.duration = 36h;
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "end"));
}

TEST(Validate, CapacityBetweenOneAndHundredThousand) {
  auto e = meeting();
  e.capacity = 1;
  EXPECT_EQ(problem(e), std::nullopt);
  e.capacity = 100000;
  EXPECT_EQ(problem(e), std::nullopt);
  e.capacity = 0;
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "capacity"));
  e.capacity = -5;
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "capacity"));
  e.capacity = 100001;
  EXPECT_EQ(problem(e), problem_t(errc::out_of_bounds, "capacity"));
}

TEST(Validate, OverridesMustBeSortedAndUnique) {
  auto e = meeting();
  occurrence_override feb;
  feb.key = occurrence_key::timed(utc(2026, 2, 3, 18));
  feb.cancelled = true;
  occurrence_override mar;
  mar.key = occurrence_key::timed(utc(2026, 3, 3, 18));
  mar.title = "Plenum mit Gästen";
  e.overrides = {feb, mar};
  EXPECT_EQ(problem(e), std::nullopt);
  e.overrides = {mar, feb};
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "overrides"));
  e.overrides = {feb, feb};
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "overrides"));
}

TEST(Validate, ImpossibleRuleYieldsNothing) {
  auto e = meeting();
  e.start = local(2026, 2, 28, 19);
  e.rule = rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30");
  EXPECT_EQ(problem(e), problem_t(errc::rule_yields_nothing, "rrule"));
}

TEST(Validate, UntilBeforeStartYieldsNothing) {
  auto e = meeting();
  e.rule = rule("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20251231T230000Z");
  EXPECT_EQ(problem(e), problem_t(errc::rule_yields_nothing, "rrule"));
}

TEST(Validate, CountOfOneYieldsTheStart) {
  auto e = meeting();
  e.rule = rule("FREQ=MONTHLY;BYDAY=1TU;COUNT=1");
  EXPECT_EQ(problem(e), std::nullopt);
}

TEST(Validate, WednesdayStartDoesNotMatchFirstTuesdayRule) {
  auto e = meeting();
  e.start = local(2026, 1, 7, 19);  // a Wednesday
  const auto r = validate(e);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid_value);
  EXPECT_EQ(r.error().field, "rrule");
  EXPECT_NE(r.error().message.find("start does not match"), std::string::npos) << r.error().message;
}

TEST(Validate, LastWeekdayRuleMatchesOnlyTheLastWeekday) {
  auto e = meeting();
  e.rule = rule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1");
  e.start = local(2026, 3, 31, 18);  // Tuesday, the last weekday of March 2026
  EXPECT_EQ(problem(e), std::nullopt);
  e.start = local(2026, 3, 30, 18);
  EXPECT_EQ(problem(e), problem_t(errc::invalid_value, "rrule"));
}

TEST(Validate, FloatingUntilIsRefusedForAnEventInAZone) {
  auto e = meeting();
  e.rule = rule("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231T190000");
  const auto r = validate(e);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::bad_rule);
  EXPECT_EQ(r.error().field, "rrule");
  EXPECT_NE(r.error().message.find("UTC"), std::string::npos) << r.error().message;
  e.rule = rule("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231T180000Z");
  EXPECT_EQ(problem(e), std::nullopt);
}

// Issue 17: rules whose first instance is DTSTART that libical's iterator called "yields no
// occurrence" or "start does not match" (expected instances from python-dateutil).
TEST(Validate, RulesStartingAtTheirFirstInstancePass) {
  struct probe {
    const char* rule;
    local_seconds start;
  };
  for (const auto& [text, start] : {
           probe{"FREQ=DAILY;BYMONTH=3;BYMONTHDAY=-2", local(2026, 3, 30, 19)},
           probe{"FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", local(2026, 5, 11, 19)},
           probe{"FREQ=YEARLY;BYYEARDAY=60;BYMONTH=3", local(2027, 3, 1, 19)},
           probe{"FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=-1", local(2026, 1, 9, 19)},
           probe{"FREQ=YEARLY;BYMONTHDAY=1", local(2026, 2, 1, 19)},
           probe{"FREQ=HOURLY;INTERVAL=2;BYHOUR=9,11", local(2026, 1, 6, 9)},
       }) {
    auto e = meeting();
    e.start = start;
    e.rule = rule(text);
    EXPECT_EQ(problem(e), std::nullopt) << text;
  }
}

TEST(Validate, DurationBetweenMeasuresRealTime) {
  EXPECT_EQ(duration_between(local(2026, 1, 6, 18), local(2026, 1, 6, 20), "Europe/Berlin").value(),
            2h);
  // 01:00 to 04:00 on the night Berlin skips 02:00-03:00 is two real hours.
  EXPECT_EQ(duration_between(local(2026, 3, 29, 1), local(2026, 3, 29, 4), "Europe/Berlin").value(),
            2h);
  // 01:00 to 04:00 on the night 02:00-03:00 happens twice is four.
  EXPECT_EQ(
      duration_between(local(2026, 10, 25, 1), local(2026, 10, 25, 4), "Europe/Berlin").value(),
      4h);
}

TEST(Validate, DurationBetweenRejectsEndBeforeStartAndUnknownZone) {
  const auto backwards =
      duration_between(local(2026, 1, 6, 20), local(2026, 1, 6, 18), "Europe/Berlin");
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, errc::end_before_start);
  EXPECT_EQ(backwards.error().field, "end");
  const auto same = duration_between(local(2026, 1, 6, 20), local(2026, 1, 6, 20), "Europe/Berlin");
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, errc::end_before_start);
  const auto zone = duration_between(local(2026, 1, 6, 18), local(2026, 1, 6, 20), "Mars/Olympus");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().code, errc::unknown_zone);
  EXPECT_EQ(zone.error().field, "zone");
}

TEST(Validate, FindOverrideReturnsTheOverrideForItsKey) {
  auto e = meeting();
  occurrence_override feb;
  feb.key = occurrence_key::timed(utc(2026, 2, 3, 18));
  feb.title = "Sonderplenum";
  e.overrides = {feb};
  const occurrence_override* found = e.find_override(occurrence_key::timed(utc(2026, 2, 3, 18)));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->title, "Sonderplenum");
  EXPECT_EQ(e.find_override(occurrence_key::timed(utc(2026, 3, 3, 18))), nullptr);
}

TEST(Recurrence, StoredRuleKeepsACombinationTheParserRefuses) {
  constexpr std::string_view text = "FREQ=WEEKLY;BYDAY=TU;BYMONTHDAY=4,11,18";
  const auto strict = recurrence_rule::parse(text);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code, errc::bad_rule);
  const auto stored = recurrence_rule::parse_stored(text);
  ASSERT_TRUE(stored) << stored.error().what();
  EXPECT_EQ(stored->to_string(), text);
  // Splitting such a series goes through the same reading.
  EXPECT_EQ(stored->with_count(3).to_string(), "FREQ=WEEKLY;COUNT=3;BYDAY=TU;BYMONTHDAY=4,11,18");
}

}  // namespace
