#include <calendar/event.h>
#include <calendar/expand.h>
#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/test_time.h"

namespace {

using treffpunkt::testing::day;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

using namespace std::chrono_literals;
using treffpunkt::calendar::errc;
using treffpunkt::calendar::event;
using treffpunkt::calendar::event_status;
using treffpunkt::calendar::expand;
using treffpunkt::calendar::expand_limits;
using treffpunkt::calendar::find_occurrence;
using treffpunkt::calendar::local_seconds;
using treffpunkt::calendar::occurrence;
using treffpunkt::calendar::occurrence_key;
using treffpunkt::calendar::occurrence_override;
using treffpunkt::calendar::recurrence_rule;
using treffpunkt::calendar::split_series;
using treffpunkt::calendar::utc_seconds;
using treffpunkt::calendar::validate;

occurrence_key at(utc_seconds t) { return occurrence_key::timed(t); }

event series(std::string_view zone, local_seconds start, std::string_view rule,
             std::chrono::seconds duration = 2h) {
  event e;
  e.uid = "plenum@treffpunkt";
  e.title = "Plenum";
  e.location = "Jugendzentrum";
  e.zone = std::string(zone);
  e.start = start;
  e.duration = duration;
  if (!rule.empty()) e.rule = recurrence_rule::parse(rule).value();
  EXPECT_TRUE(validate(e)) << validate(e).error().what();
  return e;
}

std::vector<utc_seconds> starts(const std::vector<occurrence>& occurrences) {
  std::vector<utc_seconds> out;
  for (const auto& o : occurrences) out.push_back(o.start);
  return out;
}

std::vector<local_seconds> local_starts(const std::vector<occurrence>& occurrences) {
  std::vector<local_seconds> out;
  for (const auto& o : occurrences) out.push_back(o.local_start);
  return out;
}

std::vector<std::string> keys(const std::vector<occurrence>& occurrences) {
  std::vector<std::string> out;
  for (const auto& o : occurrences) out.push_back(o.key.to_string());
  return out;
}

// --- weekly, monthly, by position -----------------------------------------------------------

TEST(Expand, WeeklyTuesdayInJanuary) {
  const auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY");
  const auto got = expand(e, utc(2026, 1, 1), utc(2026, 2, 1));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(keys(got), (std::vector<std::string>{"20260106T180000Z", "20260113T180000Z",
                                                 "20260120T180000Z", "20260127T180000Z"}));
  EXPECT_EQ(got[1].start, utc(2026, 1, 13, 18));
  EXPECT_EQ(got[1].end, utc(2026, 1, 13, 20));
  EXPECT_EQ(got[1].local_start, local(2026, 1, 13, 19));
  EXPECT_EQ(got[1].local_end, local(2026, 1, 13, 21));
  EXPECT_EQ(got[1].title, "Plenum");
  EXPECT_EQ(got[1].location, "Jugendzentrum");
  EXPECT_FALSE(got[1].cancelled);
  EXPECT_FALSE(got[1].moved);
  EXPECT_EQ(got[1].override, nullptr);
}

TEST(Expand, EveryOtherWeekThursday) {
  const auto e = series("Europe/Berlin", local(2026, 1, 8, 18, 30), "FREQ=WEEKLY;INTERVAL=2");
  EXPECT_EQ(starts(expand(e, utc(2026, 1, 1), utc(2026, 3, 1))),
            (std::vector<utc_seconds>{utc(2026, 1, 8, 17, 30), utc(2026, 1, 22, 17, 30),
                                      utc(2026, 2, 5, 17, 30), utc(2026, 2, 19, 17, 30)}));
}

TEST(Expand, FirstTuesdayMonthlyAt19BerlinKeepsLocalTimeAcrossMarch) {
  const auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=MONTHLY;BYDAY=1TU");
  const auto got = expand(e, utc(2026, 1, 1), utc(2026, 7, 1));
  EXPECT_EQ(starts(got), (std::vector<utc_seconds>{utc(2026, 1, 6, 18), utc(2026, 2, 3, 18),
                                                   utc(2026, 3, 3, 18), utc(2026, 4, 7, 17),
                                                   utc(2026, 5, 5, 17), utc(2026, 6, 2, 17)}));
  for (const auto& o : got) {
    EXPECT_EQ(o.local_start - date::floor<date::days>(o.local_start), 19h);
    EXPECT_EQ(o.end - o.start, 2h);
  }
}

TEST(Expand, FirstTuesdayMonthlySkipsExdate) {
  auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=MONTHLY;BYDAY=1TU");
  occurrence_override cancelled;
  cancelled.key = at(utc(2026, 2, 3, 18));
  cancelled.cancelled = true;
  e.overrides = {cancelled};
  ASSERT_TRUE(validate(e));
  const auto got = expand(e, utc(2026, 1, 1), utc(2026, 4, 1));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].cancelled);
  EXPECT_EQ(got[1].key, at(utc(2026, 2, 3, 18)));
  EXPECT_TRUE(got[1].cancelled);
  EXPECT_FALSE(got[1].moved);
  EXPECT_EQ(got[1].override, &e.overrides[0]);
  EXPECT_EQ(got[1].start, utc(2026, 2, 3, 18));
  EXPECT_FALSE(got[2].cancelled);
}

TEST(Expand, LastFridayMonthly) {
  const auto e = series("Europe/Berlin", local(2026, 1, 30, 18), "FREQ=MONTHLY;BYDAY=-1FR");
  EXPECT_EQ(starts(expand(e, utc(2026, 1, 1), utc(2026, 5, 1))),
            (std::vector<utc_seconds>{utc(2026, 1, 30, 17), utc(2026, 2, 27, 17),
                                      utc(2026, 3, 27, 17), utc(2026, 4, 24, 16)}));
}

TEST(Expand, LastWeekdayOfMonthBySetpos) {
  const auto e = series("Europe/Berlin", local(2026, 1, 30, 18),
                        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1");
  // May 2026 ends on a Sunday: its last weekday is Friday the 29th.
  EXPECT_EQ(local_starts(expand(e, utc(2026, 1, 1), utc(2026, 6, 1))),
            (std::vector<local_seconds>{local(2026, 1, 30, 18), local(2026, 2, 27, 18),
                                        local(2026, 3, 31, 18), local(2026, 4, 30, 18),
                                        local(2026, 5, 29, 18)}));
}

// --- moved occurrences -----------------------------------------------------------------------

event weekly_with_moves() {
  auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY");
  occurrence_override to_thursday;  // Tuesday 20 January -> Thursday 22nd, 18:00, 3 hours
  to_thursday.key = at(utc(2026, 1, 20, 18));
  to_thursday.start = local(2026, 1, 22, 18);
  to_thursday.duration = 3h;
  to_thursday.title = "Plenum (verschoben)";
  occurrence_override to_february;  // Tuesday 27 January -> Wednesday 4 February, 19:00
  to_february.key = at(utc(2026, 1, 27, 18));
  to_february.start = local(2026, 2, 4, 19);
  occurrence_override same_time;  // only a new location: not moved
  same_time.key = at(utc(2026, 2, 10, 18));
  same_time.location = "Rathaus";
  e.overrides = {to_thursday, to_february, same_time};
  EXPECT_TRUE(validate(e));
  return e;
}

TEST(Expand, MovedOccurrenceAppearsWhereItNowIs) {
  const auto e = weekly_with_moves();
  const auto got = expand(e, utc(2026, 1, 1), utc(2026, 1, 26));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].key, at(utc(2026, 1, 20, 18)));
  EXPECT_EQ(got[2].start, utc(2026, 1, 22, 17));
  EXPECT_EQ(got[2].end, utc(2026, 1, 22, 20));
  EXPECT_EQ(got[2].local_start, local(2026, 1, 22, 18));
  EXPECT_EQ(got[2].local_end, local(2026, 1, 22, 21));
  EXPECT_TRUE(got[2].moved);
  EXPECT_EQ(got[2].title, "Plenum (verschoben)");
  EXPECT_EQ(got[2].location, "Jugendzentrum");  // not overridden: the series' value
}

TEST(Expand, MovedOutOfTheWindowIsLeftOut) {
  const auto e = weekly_with_moves();
  // The 27 January occurrence now takes place on 4 February.
  EXPECT_EQ(keys(expand(e, utc(2026, 1, 26), utc(2026, 2, 1))), std::vector<std::string>{});
  // The 20 January one moved to the 22nd: a window of the 20th alone has nothing.
  EXPECT_EQ(keys(expand(e, utc(2026, 1, 20), utc(2026, 1, 21))), std::vector<std::string>{});
}

TEST(Expand, MovedIntoTheWindowFromOutsideAppears) {
  const auto e = weekly_with_moves();
  const auto got = expand(e, utc(2026, 2, 1), utc(2026, 2, 12));
  EXPECT_EQ(keys(got),
            (std::vector<std::string>{"20260203T180000Z", "20260127T180000Z", "20260210T180000Z"}));
  EXPECT_EQ(starts(got), (std::vector<utc_seconds>{utc(2026, 2, 3, 18), utc(2026, 2, 4, 18),
                                                   utc(2026, 2, 10, 18)}));
  EXPECT_FALSE(got[0].moved);
  EXPECT_TRUE(got[1].moved);
  EXPECT_EQ(got[1].end, utc(2026, 2, 4, 20));  // the series' duration
  EXPECT_FALSE(got[2].moved);
  EXPECT_EQ(got[2].location, "Rathaus");
}

TEST(Expand, OccurrenceStartingBeforeTheWindowButReachingIntoItCounts) {
  const auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY");
  // 19:00-21:00 local is 18:00-20:00 UTC; a window from 19:30 UTC still sees it.
  EXPECT_EQ(starts(expand(e, utc(2026, 1, 13, 19, 30), utc(2026, 1, 14))),
            std::vector<utc_seconds>{utc(2026, 1, 13, 18)});
  // A window starting at its end does not.
  EXPECT_EQ(starts(expand(e, utc(2026, 1, 13, 20), utc(2026, 1, 14))), std::vector<utc_seconds>{});
}

TEST(Expand, FindOccurrenceByKeyAndMovedOne) {
  const auto e = weekly_with_moves();
  const auto plain = find_occurrence(e, at(utc(2026, 1, 13, 18)));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->start, utc(2026, 1, 13, 18));
  EXPECT_FALSE(plain->moved);
  const auto moved = find_occurrence(e, at(utc(2026, 1, 27, 18)));
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->start, utc(2026, 2, 4, 18));
  EXPECT_TRUE(moved->moved);
  // A Wednesday is no occurrence, nor is a date key on a timed series.
  const auto wednesday = find_occurrence(e, at(utc(2026, 1, 14, 18)));
  ASSERT_FALSE(wednesday);
  EXPECT_EQ(wednesday.error().code, errc::not_found);
  EXPECT_FALSE(find_occurrence(e, occurrence_key::all_day(day(2026, 1, 13))));
  EXPECT_FALSE(find_occurrence(e, at(utc(2025, 12, 30, 18))));  // before the series
}

// --- DST -------------------------------------------------------------------------------------

TEST(Expand, WeeklyAcrossMarchSwitchKeeps19LocalAndMovesUtc) {
  const auto e = series("Europe/Berlin", local(2026, 3, 19, 19), "FREQ=WEEKLY");
  const auto got = expand(e, utc(2026, 3, 15), utc(2026, 4, 5));
  EXPECT_EQ(starts(got), (std::vector<utc_seconds>{utc(2026, 3, 19, 18), utc(2026, 3, 26, 18),
                                                   utc(2026, 4, 2, 17)}));
  EXPECT_EQ(local_starts(got),
            (std::vector<local_seconds>{local(2026, 3, 19, 19), local(2026, 3, 26, 19),
                                        local(2026, 4, 2, 19)}));
}

TEST(Expand, WeeklyAcrossOctoberSwitchKeeps19LocalAndMovesUtc) {
  const auto e = series("Europe/Berlin", local(2026, 10, 15, 19), "FREQ=WEEKLY");
  const auto got = expand(e, utc(2026, 10, 20), utc(2026, 11, 1));
  EXPECT_EQ(starts(got), (std::vector<utc_seconds>{utc(2026, 10, 22, 17), utc(2026, 10, 29, 18)}));
  EXPECT_EQ(local_starts(got),
            (std::vector<local_seconds>{local(2026, 10, 22, 19), local(2026, 10, 29, 19)}));
}

TEST(Expand, DailyAt0230InTheMarchGapBecomes0330Summer) {
  const auto e = series("Europe/Berlin", local(2026, 3, 27, 2, 30), "FREQ=DAILY", 1h);
  const auto got = expand(e, utc(2026, 3, 27), utc(2026, 3, 31));
  // RFC 5545 §3.3.5: 02:30 on the 29th does not exist and is read with +01:00.
  EXPECT_EQ(starts(got),
            (std::vector<utc_seconds>{utc(2026, 3, 27, 1, 30), utc(2026, 3, 28, 1, 30),
                                      utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)}));
  EXPECT_EQ(local_starts(got),
            (std::vector<local_seconds>{local(2026, 3, 27, 2, 30), local(2026, 3, 28, 2, 30),
                                        local(2026, 3, 29, 3, 30), local(2026, 3, 30, 2, 30)}));
  EXPECT_EQ(got[2].key.to_string(), "20260329T013000Z");
  EXPECT_EQ(got[2].local_end, local(2026, 3, 29, 4, 30));
}

TEST(Expand, DailyAt0230OnTheRepeatedNightTakesTheFirst) {
  const auto e = series("Europe/Berlin", local(2026, 10, 24, 2, 30), "FREQ=DAILY", 1h);
  EXPECT_EQ(starts(expand(e, utc(2026, 10, 24), utc(2026, 10, 27))),
            (std::vector<utc_seconds>{utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30),
                                      utc(2026, 10, 26, 1, 30)}));
}

TEST(Expand, WeeklyMondayInSydneyAcrossAprilSwitch) {
  // Sydney leaves summer time (+11 -> +10) on 5 April 2026.
  const auto e = series("Australia/Sydney", local(2026, 3, 23, 18), "FREQ=WEEKLY;BYDAY=MO");
  EXPECT_EQ(starts(expand(e, utc(2026, 3, 20), utc(2026, 4, 14))),
            (std::vector<utc_seconds>{utc(2026, 3, 23, 7), utc(2026, 3, 30, 7), utc(2026, 4, 6, 8),
                                      utc(2026, 4, 13, 8)}));
}

TEST(Expand, MonthlyOnTheTenthInNewYorkAcrossMarchSwitch) {
  // New York starts summer time on 8 March 2026, three weeks before Berlin.
  const auto e = series("America/New_York", local(2026, 2, 10, 9), "FREQ=MONTHLY;BYMONTHDAY=10");
  EXPECT_EQ(
      starts(expand(e, utc(2026, 2, 1), utc(2026, 4, 30))),
      (std::vector<utc_seconds>{utc(2026, 2, 10, 14), utc(2026, 3, 10, 13), utc(2026, 4, 10, 13)}));
}

// --- all-day -----------------------------------------------------------------------------------

TEST(Expand, AllDayWeekendSeriesUsesLocalMidnights) {
  auto e = series("Europe/Berlin", local(2026, 3, 21), "", date::days(2));
  e.all_day = true;
  e.rule = recurrence_rule::parse("FREQ=WEEKLY").value();
  ASSERT_TRUE(validate(e));
  const auto got = expand(e, utc(2026, 3, 20), utc(2026, 4, 5));
  EXPECT_EQ(keys(got), (std::vector<std::string>{"20260321", "20260328", "20260404"}));
  EXPECT_EQ(got[0].key, occurrence_key::all_day(day(2026, 3, 21)));
  EXPECT_EQ(got[0].start, utc(2026, 3, 20, 23));
  EXPECT_EQ(got[0].end, utc(2026, 3, 22, 23));
  // Saturday 28th to Monday 30th spans the switch: 47 real hours, two calendar days.
  EXPECT_EQ(got[1].start, utc(2026, 3, 27, 23));
  EXPECT_EQ(got[1].end, utc(2026, 3, 29, 22));
  EXPECT_EQ(got[1].local_start, local(2026, 3, 28));
  EXPECT_EQ(got[1].local_end, local(2026, 3, 30));
  EXPECT_FALSE(got[1].moved);
  EXPECT_EQ(got[2].start, utc(2026, 4, 3, 22));
}

TEST(Expand, AllDayWeeklyWithDateUntilEndsOnThatDay) {
  auto e = series("Europe/Berlin", local(2026, 3, 21), "", date::days(1));
  e.all_day = true;
  e.rule = recurrence_rule::parse("FREQ=WEEKLY;UNTIL=20260328").value();
  ASSERT_TRUE(validate(e));
  EXPECT_EQ(keys(expand(e, utc(2026, 1, 1), utc(2027, 1, 1))),
            (std::vector<std::string>{"20260321", "20260328"}));
}

// --- COUNT, UNTIL, RDATE, one-off ----------------------------------------------------------------

TEST(Expand, WeeklyCountOfThreeStopsAfterThree) {
  const auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY;COUNT=3");
  EXPECT_EQ(
      starts(expand(e, utc(2026, 1, 1), utc(2027, 1, 1))),
      (std::vector<utc_seconds>{utc(2026, 1, 6, 18), utc(2026, 1, 13, 18), utc(2026, 1, 20, 18)}));
  // COUNT counts from the series' start, also when the window starts later.
  EXPECT_EQ(starts(expand(e, utc(2026, 1, 10), utc(2027, 1, 1))),
            (std::vector<utc_seconds>{utc(2026, 1, 13, 18), utc(2026, 1, 20, 18)}));
}

TEST(Expand, WeeklyUntilIsInclusiveToTheSecond) {
  const auto e =
      series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY;UNTIL=20260120T180000Z");
  EXPECT_EQ(
      starts(expand(e, utc(2026, 1, 1), utc(2027, 1, 1))),
      (std::vector<utc_seconds>{utc(2026, 1, 6, 18), utc(2026, 1, 13, 18), utc(2026, 1, 20, 18)}));
  const auto earlier =
      series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY;UNTIL=20260120T175959Z");
  EXPECT_EQ(starts(expand(earlier, utc(2026, 1, 1), utc(2027, 1, 1))),
            (std::vector<utc_seconds>{utc(2026, 1, 6, 18), utc(2026, 1, 13, 18)}));
}

TEST(Expand, DailyUtcUntilInSummerComparesInstantsNotWallClock) {
  // 19:00 CEST is 17:00 UTC: UNTIL=...T170000Z includes 2 July (libical alone would compare
  // the floating 19:00 with 17:00 and drop it).
  const auto e =
      series("Europe/Berlin", local(2026, 6, 30, 19), "FREQ=DAILY;UNTIL=20260702T170000Z");
  EXPECT_EQ(
      starts(expand(e, utc(2026, 6, 1), utc(2026, 8, 1))),
      (std::vector<utc_seconds>{utc(2026, 6, 30, 17), utc(2026, 7, 1, 17), utc(2026, 7, 2, 17)}));
}

TEST(Expand, RdatesAreMergedAndDeduplicated) {
  auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=MONTHLY;BYDAY=1TU;COUNT=3");
  e.rdates = {local(2026, 1, 22, 19), local(2026, 2, 3, 19), local(2026, 5, 12, 19)};
  ASSERT_TRUE(validate(e));
  EXPECT_EQ(
      starts(expand(e, utc(2026, 1, 1), utc(2027, 1, 1))),
      (std::vector<utc_seconds>{utc(2026, 1, 6, 18), utc(2026, 1, 22, 18), utc(2026, 2, 3, 18),
                                utc(2026, 3, 3, 18), utc(2026, 5, 12, 17)}));
}

TEST(Expand, OneOffEventHasOneOccurrenceKeyedByItsStart) {
  const auto e = series("Europe/Berlin", local(2026, 5, 20, 18), "", 90min);
  const auto got = expand(e, utc(2026, 1, 1), utc(2027, 1, 1));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, at(utc(2026, 5, 20, 16)));
  EXPECT_EQ(got[0].start, utc(2026, 5, 20, 16));
  EXPECT_EQ(got[0].end, utc(2026, 5, 20, 17, 30));
  EXPECT_TRUE(expand(e, utc(2026, 5, 21), utc(2027, 1, 1)).empty());
  EXPECT_TRUE(find_occurrence(e, at(utc(2026, 5, 20, 16))));
}

TEST(Expand, CancelledEventCancelsEveryOccurrence) {
  auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY;COUNT=4");
  e.status = event_status::cancelled;
  const auto got = expand(e, utc(2026, 1, 1), utc(2027, 1, 1));
  ASSERT_EQ(got.size(), 4u);
  for (const auto& o : got) EXPECT_TRUE(o.cancelled);
}

// --- bounded work ------------------------------------------------------------------------------

TEST(Expand, DailyWithoutEndOverHundredYearsStopsAtMaxOccurrences) {
  const auto e = series("Europe/Berlin", local(2026, 1, 1, 10), "FREQ=DAILY");
  const auto begin = std::chrono::steady_clock::now();
  const auto got = expand(e, utc(2026, 1, 1), utc(2126, 1, 1));
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  ASSERT_EQ(got.size(), expand_limits{}.max_occurrences);
  EXPECT_EQ(got.front().start, utc(2026, 1, 1, 9));
  EXPECT_EQ(got.back().local_start, local(2039, 9, 9, 10));  // 1 January 2026 + 4999 days
  EXPECT_LT(elapsed, 2s);
}

TEST(Expand, DailyWithoutEndStopsAtMaxSteps) {
  const auto e = series("Europe/Berlin", local(2026, 1, 1, 10), "FREQ=DAILY");
  const auto got = expand(e, utc(2026, 1, 1), utc(2126, 1, 1),
                          expand_limits{.max_occurrences = 100000, .max_steps = 1000});
  EXPECT_EQ(got.size(), 1000u);
  // A rule that yields nothing in range must also stop.
  const auto never = expand(e, utc(2026, 1, 1), utc(2126, 1, 1),
                            expand_limits{.max_occurrences = 0, .max_steps = 1000});
  EXPECT_TRUE(never.empty());
}

TEST(Expand, DailySkipsAheadToAFarWindow) {
  const auto e = series("Europe/Berlin", local(1990, 1, 1, 10), "FREQ=DAILY");
  // Far fewer steps than days since 1990: only jumping ahead finds the window.
  // January, because the system tzdata this builds with has no DST rules after 2037.
  const auto got = expand(e, utc(2150, 1, 10), utc(2150, 1, 13),
                          expand_limits{.max_occurrences = 100, .max_steps = 50});
  EXPECT_EQ(starts(got), (std::vector<utc_seconds>{utc(2150, 1, 10, 9), utc(2150, 1, 11, 9),
                                                   utc(2150, 1, 12, 9)}));
}

TEST(Expand, EveryOtherWeekFarWindowMatchesTheFullWalk) {
  const auto e =
      series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH");
  const auto all = expand(e, utc(2026, 1, 1), utc(2031, 1, 1));
  std::vector<utc_seconds> expected;
  for (const auto& o : all) {
    if (o.end > utc(2030, 5, 1) && o.start < utc(2030, 7, 1)) expected.push_back(o.start);
  }
  ASSERT_EQ(expected.size(), 8u);
  EXPECT_EQ(expected.front(), utc(2030, 5, 7, 17));  // every 14 days from 6 January 2026
  EXPECT_EQ(starts(expand(e, utc(2030, 5, 1), utc(2030, 7, 1))), expected);
}

TEST(Expand, PositionalRulesFarWindowMatchesTheFullWalk) {
  // Jumping ahead (icalrecur_iterator_set_start) must land on the same occurrences as
  // walking from the start, also for BYSETPOS and for intervals over several months.
  for (const char* text : {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
                           "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR", "FREQ=YEARLY;INTERVAL=2"}) {
    const auto e = series("Europe/Berlin", local(2026, 1, 30, 18), text);
    const auto all = expand(e, utc(2026, 1, 1), utc(2036, 1, 1));
    std::vector<utc_seconds> expected;
    for (const auto& o : all) {
      if (o.end > utc(2033, 1, 1) && o.start < utc(2035, 1, 1)) expected.push_back(o.start);
    }
    EXPECT_FALSE(expected.empty()) << text;
    EXPECT_EQ(starts(expand(e, utc(2033, 1, 1), utc(2035, 1, 1))), expected) << text;
  }
}

// --- split_series ------------------------------------------------------------------------------

TEST(Split, WeeklySeriesGetsUntilAndTheRestMovesToTheNewSeries) {
  auto e = weekly_with_moves();
  e.sequence = 4;
  const auto from = at(utc(2026, 1, 27, 18));
  const auto split = split_series(e, from, "neu@treffpunkt");
  ASSERT_TRUE(split) << split.error().what();
  const auto& [old_series, new_series] = *split;

  EXPECT_EQ(old_series.uid, "plenum@treffpunkt");
  EXPECT_EQ(old_series.sequence, 5);
  EXPECT_EQ(old_series.rule->to_string(), "FREQ=WEEKLY;UNTIL=20260127T175959Z");
  ASSERT_EQ(old_series.overrides.size(), 1u);
  EXPECT_EQ(old_series.overrides[0].key, at(utc(2026, 1, 20, 18)));
  EXPECT_EQ(keys(expand(old_series, utc(2026, 1, 1), utc(2027, 1, 1))),
            (std::vector<std::string>{"20260106T180000Z", "20260113T180000Z", "20260120T180000Z"}));

  EXPECT_EQ(new_series.uid, "neu@treffpunkt");
  EXPECT_EQ(new_series.related_to, "plenum@treffpunkt");
  EXPECT_EQ(new_series.sequence, 0);
  EXPECT_EQ(new_series.start, local(2026, 1, 27, 19));
  EXPECT_EQ(new_series.rule->to_string(), "FREQ=WEEKLY");
  ASSERT_EQ(new_series.overrides.size(), 2u);
  EXPECT_EQ(new_series.overrides[0].key, from);
  EXPECT_EQ(new_series.overrides[1].key, at(utc(2026, 2, 10, 18)));
  EXPECT_TRUE(validate(old_series));
  EXPECT_TRUE(validate(new_series));
  // The moved 27 January occurrence still shows on 4 February, now in the new series.
  EXPECT_EQ(
      starts(expand(new_series, utc(2026, 1, 26), utc(2026, 2, 11))),
      (std::vector<utc_seconds>{utc(2026, 2, 3, 18), utc(2026, 2, 4, 18), utc(2026, 2, 10, 18)}));
}

TEST(Split, CountedSeriesSharesItsCount) {
  auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY;COUNT=10");
  e.rdates = {local(2026, 1, 8, 19), local(2026, 2, 26, 19)};
  const auto split = split_series(e, at(utc(2026, 1, 27, 18)), "neu@treffpunkt");
  ASSERT_TRUE(split) << split.error().what();
  const auto& [old_series, new_series] = *split;
  EXPECT_EQ(old_series.rule->to_string(), "FREQ=WEEKLY;COUNT=3");
  EXPECT_EQ(new_series.rule->to_string(), "FREQ=WEEKLY;COUNT=7");
  EXPECT_EQ(new_series.start, local(2026, 1, 27, 19));
  EXPECT_EQ(old_series.rdates, std::vector<local_seconds>{local(2026, 1, 8, 19)});
  EXPECT_EQ(new_series.rdates, std::vector<local_seconds>{local(2026, 2, 26, 19)});
  // Together they have the 10 weekly occurrences and both extra dates, none twice.
  const auto before = expand(old_series, utc(2026, 1, 1), utc(2027, 1, 1));
  const auto after = expand(new_series, utc(2026, 1, 1), utc(2027, 1, 1));
  EXPECT_EQ(before.size(), 4u);
  EXPECT_EQ(after.size(), 8u);
  EXPECT_EQ(after.back().start, utc(2026, 3, 10, 18));
}

TEST(Split, AllDaySeriesGetsADateUntilOfThePreviousDay) {
  auto e = series("Europe/Berlin", local(2026, 3, 21), "", date::days(1));
  e.all_day = true;
  e.rule = recurrence_rule::parse("FREQ=WEEKLY").value();
  const auto split = split_series(e, occurrence_key::all_day(day(2026, 4, 4)), "neu@treffpunkt");
  ASSERT_TRUE(split) << split.error().what();
  EXPECT_EQ(split->first.rule->to_string(), "FREQ=WEEKLY;UNTIL=20260403");
  EXPECT_EQ(split->second.start, local(2026, 4, 4));
  EXPECT_EQ(keys(expand(split->first, utc(2026, 1, 1), utc(2027, 1, 1))),
            (std::vector<std::string>{"20260321", "20260328"}));
}

TEST(Split, RejectsFirstOccurrenceNonOccurrenceAndOneOff) {
  const auto e = series("Europe/Berlin", local(2026, 1, 6, 19), "FREQ=WEEKLY");
  const auto first = split_series(e, at(utc(2026, 1, 6, 18)), "neu@treffpunkt");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, errc::invalid_value);
  const auto wednesday = split_series(e, at(utc(2026, 1, 14, 18)), "neu@treffpunkt");
  ASSERT_FALSE(wednesday);
  EXPECT_EQ(wednesday.error().code, errc::not_found);
  const auto one_off = series("Europe/Berlin", local(2026, 1, 6, 19), "");
  const auto single = split_series(one_off, at(utc(2026, 1, 6, 18)), "neu@treffpunkt");
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().code, errc::invalid_value);
}

// --- ended_at: a unit archived ---------------------------------------------------------------

TEST(EndedAt, ASeriesKeepsWhatStartedBeforeAndLosesTheRest) {
  const auto e = series("Europe/Berlin", local(2026, 3, 3, 19), "FREQ=WEEKLY;COUNT=6");
  const auto archived = utc(2026, 3, 16, 12);  // after the second and third (3, 10 March)
  const auto ended = treffpunkt::calendar::ended_at(e, archived);
  ASSERT_TRUE(ended);
  EXPECT_EQ(starts(expand(*ended, utc(2026, 1, 1), utc(2027, 1, 1))),
            (std::vector<utc_seconds>{utc(2026, 3, 3, 18), utc(2026, 3, 10, 18)}));
  EXPECT_EQ(ended->uid, e.uid);  // the same series in every calendar that has it
}

TEST(EndedAt, WhatHadNotStartedIsGoneAndWhatHadEndedStays) {
  const auto weekly = series("Europe/Berlin", local(2026, 3, 3, 19), "FREQ=WEEKLY;COUNT=6");
  EXPECT_FALSE(treffpunkt::calendar::ended_at(weekly, utc(2026, 3, 1)));
  EXPECT_EQ(treffpunkt::calendar::ended_at(weekly, utc(2026, 6, 1)), weekly);
  const auto once = series("Europe/Berlin", local(2026, 3, 3, 19), "");
  EXPECT_FALSE(treffpunkt::calendar::ended_at(once, utc(2026, 3, 3, 18)));
  EXPECT_EQ(treffpunkt::calendar::ended_at(once, utc(2026, 3, 3, 18, 1)), once);
  // Extra dates from `at` on go.
  auto extra = once;
  extra.rdates = {local(2026, 3, 10, 19), local(2026, 3, 17, 19)};
  const auto kept = treffpunkt::calendar::ended_at(extra, utc(2026, 3, 12));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->rdates, std::vector<local_seconds>{local(2026, 3, 10, 19)});
}

TEST(EndedAt, AnAllDaySeriesEndsToo) {
  auto e = series("Europe/Berlin", local(2026, 3, 3), "FREQ=WEEKLY;COUNT=4", 24h);
  e.all_day = true;
  const auto ended = treffpunkt::calendar::ended_at(e, utc(2026, 3, 12));
  ASSERT_TRUE(ended);
  EXPECT_EQ(expand(*ended, utc(2026, 1, 1), utc(2027, 1, 1)).size(), 2U);
  EXPECT_FALSE(treffpunkt::calendar::ended_at(e, utc(2026, 3, 1)));
}

// --- a rule on its own, floating ---------------------------------------------------------

TEST(ExpandFloating, FirstInstancesFromDtstart) {
  const auto got =
      treffpunkt::calendar::expand_floating("FREQ=MONTHLY;BYDAY=1TU", local(2026, 1, 6, 19), 3);
  ASSERT_TRUE(got) << got.error().what();
  EXPECT_EQ(*got, (std::vector<local_seconds>{local(2026, 1, 6, 19), local(2026, 2, 3, 19),
                                              local(2026, 3, 3, 19)}));
}

TEST(ExpandFloating, RefusesAnUnparsableRule) {
  const auto got = treffpunkt::calendar::expand_floating("FREQ=SOMETIMES", local(2026, 1, 6), 3);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, errc::bad_rule);
}

}  // namespace
