// The project's own RRULE expansion (calendar/src/rrule_iterator.cpp), through
// expand_floating and expand. Expected instances come from python-dateutil 2.8
// (dateutil.rrule.rrulestr with the same DTSTART, first N), the reference of issue 17, unless a
// test says it is one of the readings in docs/calendar.md where dateutil differs.
#include <calendar/event.h>
#include <calendar/expand.h>
#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "common/test_time.h"

namespace {

using namespace std::chrono_literals;
using treffpunkt::calendar::errc;
using treffpunkt::calendar::event;
using treffpunkt::calendar::expand;
using treffpunkt::calendar::expand_floating;
using treffpunkt::calendar::expand_limits;
using treffpunkt::calendar::local_seconds;
using treffpunkt::calendar::recurrence_rule;
using treffpunkt::calendar::validate;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

local_seconds parse_local(const std::string& text) {
  local_seconds t{};
  std::istringstream in(text);
  in >> date::parse("%Y%m%dT%H%M%S", t);
  EXPECT_FALSE(in.fail()) << text;
  return t;
}

std::vector<std::string> formatted(const std::vector<local_seconds>& times) {
  std::vector<std::string> out;
  for (const auto t : times) out.push_back(date::format("%Y%m%dT%H%M%S", t));
  return out;
}

/// The first `limit` instances as "YYYYMMDDTHHMMSS", or the error message.
std::vector<std::string> instances(const std::string& rule, const std::string& start,
                                   std::size_t limit) {
  const auto got = expand_floating(rule, parse_local(start), limit);
  if (!got) return {"error: " + got.error().message};
  return formatted(*got);
}

struct dateutil_case {
  const char* name;
  const char* rule;
  const char* start;
  std::size_t limit;
  std::vector<std::string> expected;  // from dateutil
};

// Every family issue 17 names (libical 3.0.16 got them wrong or refused them), and the
// common rules it got right.
const std::vector<dateutil_case> cases = {
    {"DailyNegativeMonthDay",
     "FREQ=DAILY;BYMONTH=3;BYMONTHDAY=-2",
     "20230330T090000",
     4,
     {"20230330T090000", "20240330T090000", "20250330T090000", "20260330T090000"}},
    {"DailyNegativeMonthDayInFebruaryOfLeapYears",
     "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=-1",
     "20230228T090000",
     4,
     {"20230228T090000", "20240229T090000", "20250228T090000", "20260228T090000"}},
    {"YearlyByWeekNo",
     "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
     "19970512T090000",
     3,
     {"19970512T090000", "19980511T090000", "19990517T090000"}},
    {"YearlyByWeekNoOneReachesIntoDecember",
     "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO,SU",
     "19971229T090000",
     4,
     {"19971229T090000", "19980104T090000", "19990104T090000", "19990110T090000"}},
    {"YearlyWeek53OnlyInLongYears",
     "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO",
     "19970101T090000",
     3,
     {"19981228T090000", "20041227T090000", "20091228T090000"}},
    {"YearlyLastWeekWithWkstSunday",
     "FREQ=YEARLY;BYWEEKNO=-1;BYDAY=TH;WKST=SU",
     "20240101T090000",
     3,
     {"20241226T090000", "20260101T090000", "20261231T090000"}},
    {"WeeklySetPos",
     "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=-1;COUNT=3",
     "20260105T180000",
     3,
     {"20260109T180000", "20260116T180000", "20260123T180000"}},
    {"YearlySetPos",
     "FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
     "20261231T120000",
     3,
     {"20261231T120000", "20271231T120000", "20281229T120000"}},
    {"DailySetPosOverHours",
     "FREQ=DAILY;BYHOUR=8,12,18;BYSETPOS=2",
     "20260101T000000",
     3,
     {"20260101T120000", "20260102T120000", "20260103T120000"}},
    {"MonthlySetPosSecondToLastWeekday",
     "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
     "20260130T100000",
     4,
     {"20260226T100000", "20260330T100000", "20260429T100000", "20260528T100000"}},
    {"YearlyByYearDayWithByMonth",
     "FREQ=YEARLY;BYYEARDAY=1,100,200,-1;BYMONTH=1,7,12",
     "20260101T090000",
     5,
     {"20260101T090000", "20260719T090000", "20261231T090000", "20270101T090000",
      "20270719T090000"}},
    {"YearlyByYearDayWithByMonthDay",
     "FREQ=YEARLY;BYYEARDAY=60,61;BYMONTHDAY=1",
     "20250301T090000",
     4,
     {"20250301T090000", "20260301T090000", "20270301T090000", "20280301T090000"}},
    {"YearlyByMonthDayWithoutByMonth",
     "FREQ=YEARLY;BYMONTHDAY=31",
     "20260131T090000",
     4,
     {"20260131T090000", "20260331T090000", "20260531T090000", "20260731T090000"}},
    {"YearlyOrdinalDayWithoutByMonth",
     "FREQ=YEARLY;BYDAY=20MO",
     "19970519T090000",
     3,
     {"19970519T090000", "19980518T090000", "19990517T090000"}},
    {"YearlyLastDayOfWeekOfYear",
     "FREQ=YEARLY;BYDAY=-1SU",
     "20261227T090000",
     3,
     {"20261227T090000", "20271226T090000", "20281231T090000"}},
    {"UnsortedHoursCountCutsAfterSorting",
     "FREQ=DAILY;BYHOUR=9,8;COUNT=3",
     "20260105T080000",
     5,
     {"20260105T080000", "20260105T090000", "20260106T080000"}},
    {"LeapDayYearly",
     "FREQ=YEARLY",
     "20240229T090000",
     3,
     {"20240229T090000", "20280229T090000", "20320229T090000"}},
    {"MonthlyThirtyFirstSkipsShortMonths",
     "FREQ=MONTHLY;BYMONTHDAY=31",
     "20260131T190000",
     4,
     {"20260131T190000", "20260331T190000", "20260531T190000", "20260731T190000"}},
    {"MonthlyFifthFridayOnlyWhenThereIsOne",
     "FREQ=MONTHLY;BYDAY=5FR",
     "20260130T190000",
     4,
     {"20260130T190000", "20260529T190000", "20260731T190000", "20261030T190000"}},
    {"MonthlyNegativeOrdinal",
     "FREQ=MONTHLY;BYDAY=-2TH;INTERVAL=2",
     "20260122T190000",
     4,
     {"20260122T190000", "20260319T190000", "20260521T190000", "20260723T190000"}},
    {"HourlyWithByHourAndInterval",
     "FREQ=HOURLY;INTERVAL=5;BYHOUR=0,10,20",
     "20260101T000000",
     5,
     {"20260101T000000", "20260101T100000", "20260101T200000", "20260106T000000",
      "20260106T100000"}},
    {"HourlyExpandsMinutes",
     "FREQ=HOURLY;BYMINUTE=0,30;COUNT=5",
     "20260101T230000",
     5,
     {"20260101T230000", "20260101T233000", "20260102T000000", "20260102T003000",
      "20260102T010000"}},
    {"MinutelyLimitedToBusinessHours",
     "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10;BYDAY=MO",
     "20260105T094000",
     6,
     {"20260105T094000", "20260105T100000", "20260105T102000", "20260105T104000", "20260112T090000",
      "20260112T092000"}},
    {"SecondlyWithBySecond",
     "FREQ=SECONDLY;INTERVAL=7;BYSECOND=0,14,21",
     "20260101T235940",
     6,
     {"20260102T000200", "20260102T000214", "20260102T000221", "20260102T000900", "20260102T000914",
      "20260102T000921"}},
    {"FloatingUntilInclusive",
     "FREQ=WEEKLY;UNTIL=20260120T190000",
     "20260106T190000",
     10,
     {"20260106T190000", "20260113T190000", "20260120T190000"}},
    {"WeeklyIntervalWithWkst",
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=4",
     "19970805T090000",
     4,
     {"19970805T090000", "19970817T090000", "19970819T090000", "19970831T090000"}},
    {"WeeklyIntervalWithWkstMonday",
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO;COUNT=4",
     "19970805T090000",
     4,
     {"19970805T090000", "19970810T090000", "19970819T090000", "19970824T090000"}},
    {"FirstTuesdayMonthly",
     "FREQ=MONTHLY;BYDAY=1TU",
     "20260106T190000",
     3,
     {"20260106T190000", "20260203T190000", "20260303T190000"}},
};

TEST(RruleIterator, MatchesDateutil) {
  for (const auto& c : cases) {
    EXPECT_EQ(instances(c.rule, c.start, c.limit), c.expected) << c.name << ": " << c.rule;
  }
}

TEST(RruleIterator, LimitZeroGivesNothingAndLimitCuts) {
  EXPECT_TRUE(instances("FREQ=DAILY", "20260101T090000", 0).empty());
  EXPECT_EQ(instances("FREQ=DAILY", "20260101T090000", 2),
            (std::vector<std::string>{"20260101T090000", "20260102T090000"}));
}

// A reading of ours (docs/calendar.md): RFC 5545 names the days of BYDAY, so MO,1FR is every
// Monday and the first Friday; dateutil intersects the two and gives nothing.
TEST(RruleIterator, PlainAndOrdinalWeekdaysTogetherAreAUnion) {
  EXPECT_EQ(instances("FREQ=MONTHLY;BYDAY=MO,1FR", "20260102T090000", 4),
            (std::vector<std::string>{"20260102T090000", "20260105T090000", "20260112T090000",
                                      "20260119T090000"}));
}

// A reading of ours: 1 January 2011 lies in week 52 of 2010 (RFC 5545, ISO 8601), which
// dateutil numbers 53 (it gives 2012, 2017, 2023 for the first rule, and adds 1 and 2
// January 2011 to the second).
TEST(RruleIterator, EarlyJanuaryDaysBelongToTheLastWeekOfTheYearBefore) {
  EXPECT_EQ(instances("FREQ=YEARLY;BYWEEKNO=52;BYMONTHDAY=1", "20100101T090000", 2),
            (std::vector<std::string>{"20110101T090000", "20120101T090000"}));
  EXPECT_EQ(instances("FREQ=YEARLY;BYWEEKNO=53;BYMONTH=1;BYMONTHDAY=1,2", "20100101T090000", 3),
            (std::vector<std::string>{"20100101T090000", "20100102T090000", "20160101T090000"}));
}

// A reading of ours: DTSTART's week is a whole week for BYSETPOS, so the first Monday-or-Friday
// of the week of Wednesday 7 January is Monday 5 January, before DTSTART. dateutil picks from
// the days from DTSTART on and gives Friday 9 January first.
TEST(RruleIterator, BySetPosPicksFromDtstartsWholeWeek) {
  EXPECT_EQ(instances("FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=1;COUNT=3", "20260107T180000", 5),
            (std::vector<std::string>{"20260112T180000", "20260119T180000", "20260126T180000"}));
  // Split at an occurrence, a series goes on with the same days.
  EXPECT_EQ(instances("FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=2", "20260107T180000", 2),
            (std::vector<std::string>{"20260107T180000", "20260114T180000"}));
}

TEST(RruleIterator, ASplitSeriesWithBySetPosGoesOnWithTheSameDays) {
  event e;
  e.uid = "mitte@treffpunkt";
  e.title = "Wochenmitte";
  e.zone = "Europe/Berlin";
  e.start = local(2026, 1, 7, 18);
  e.duration = 1h;
  e.rule = recurrence_rule::parse("FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=2").value();
  ASSERT_TRUE(validate(e)) << validate(e).error().what();
  const auto before = expand(e, utc(2026, 1, 1), utc(2026, 2, 15));
  ASSERT_GE(before.size(), 5u);
  const auto split = treffpunkt::calendar::split_series(e, before[2].key, "mitte-2@treffpunkt");
  ASSERT_TRUE(split) << split.error().what();
  ASSERT_TRUE(validate(split->second)) << validate(split->second).error().what();
  const auto after = expand(split->second, utc(2026, 1, 1), utc(2026, 2, 15));
  ASSERT_EQ(after.size(), before.size() - 2);
  for (std::size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].start, before[i + 2].start);
}

// RFC 5545 §3.3.10 forbids these; clients expand them each in their own way, so they are
// refused with the RFC's reason (docs/calendar.md). dateutil would expand every one.
TEST(RruleIterator, CombinationsRfc5545ForbidsAreRefused) {
  for (const char* rule :
       {"FREQ=WEEKLY;BYDAY=1MO", "FREQ=DAILY;BYDAY=-1FR", "FREQ=MONTHLY;BYWEEKNO=20",
        "FREQ=DAILY;BYYEARDAY=100", "FREQ=MONTHLY;BYYEARDAY=1", "FREQ=WEEKLY;BYMONTHDAY=2",
        "FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO", "FREQ=HOURLY;BYSETPOS=2"}) {
    const auto got = expand_floating(rule, local(2026, 1, 5, 9), 3);
    ASSERT_FALSE(got) << rule;
    EXPECT_EQ(got.error().code, errc::bad_rule) << rule;
    EXPECT_NE(got.error().message.find("RFC 5545"), std::string::npos) << got.error().message;
  }
  EXPECT_TRUE(expand_floating("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", local(2026, 5, 11, 9), 1));
  EXPECT_TRUE(expand_floating("FREQ=DAILY;BYHOUR=9,12;BYSETPOS=1", local(2026, 5, 11, 9), 1));
}

// RFC 5545 numbers every day's week: 29-31 December 2031 are in week 1 of 2032, which has 53
// weeks, so also in week -53 (dateutil misses them).
TEST(RruleIterator, LateDecemberDaysAreInTheNextYearsFirstWeek) {
  EXPECT_EQ(instances("FREQ=YEARLY;BYWEEKNO=-53;BYMONTH=12", "20310101T090000", 3),
            (std::vector<std::string>{"20311229T090000", "20311230T090000", "20311231T090000"}));
}

TEST(RruleIterator, DtstartIsAnInstanceOnlyWhenTheRuleYieldsIt) {
  // 7 January 2026 is a Wednesday: the first instance is the Tuesday after.
  EXPECT_EQ(instances("FREQ=MONTHLY;BYDAY=1TU;COUNT=2", "20260107T190000", 5),
            (std::vector<std::string>{"20260203T190000", "20260303T190000"}));
}

TEST(RruleIterator, ImpossibleRulesEndWithoutInstances) {
  EXPECT_TRUE(instances("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "20260101T090000", 3).empty());
  // One candidate an hour cannot have a second.
  EXPECT_TRUE(instances("FREQ=HOURLY;BYMINUTE=0;BYSETPOS=2", "20260101T090000", 3).empty());
  EXPECT_TRUE(instances("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "20260101T090000", 3).empty());
}

TEST(RruleIterator, FloatingStartTakesAFloatingOrDateUntilNotAUtcOne) {
  const auto utc_until =
      expand_floating("FREQ=DAILY;UNTIL=20260110T000000Z", local(2026, 1, 1, 9), 5);
  ASSERT_FALSE(utc_until);
  EXPECT_EQ(utc_until.error().code, errc::bad_rule);
  EXPECT_NE(utc_until.error().message.find("floating"), std::string::npos);
  // A date includes its whole day (docs/calendar.md).
  EXPECT_EQ(instances("FREQ=DAILY;UNTIL=20260102", "20260101T090000", 5),
            (std::vector<std::string>{"20260101T090000", "20260102T090000"}));
}

TEST(RruleIterator, CenturiesBetweenInstancesAreNoHorizon) {
  // 29 February on a Monday: 2044, 2072, 2112 ... across more than the 400 years an
  // expansion window used to end at.
  const auto got = instances("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "20240101T090000", 20);
  ASSERT_EQ(got.size(), 20u);
  EXPECT_EQ(got.front(), "20440229T090000");
  EXPECT_EQ(got.back(), "25680229T090000");  // dateutil's 20th
}

// A sub-daily series in a zone: the wall clock repeats, the limits keep a feed bounded.
TEST(RruleIterator, MinutelySeriesInAZoneStaysBounded) {
  event e;
  e.uid = "ticker@treffpunkt";
  e.title = "Ticker";
  e.zone = "Europe/Berlin";
  e.start = local(2026, 1, 5, 9);
  e.duration = 5min;
  e.rule = recurrence_rule::parse("FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10").value();
  ASSERT_TRUE(validate(e)) << validate(e).error().what();
  const auto day = expand(e, utc(2026, 1, 5), utc(2026, 1, 6));
  ASSERT_EQ(day.size(), 8u);
  EXPECT_EQ(day.front().start, utc(2026, 1, 5, 8));
  EXPECT_EQ(day.back().start, utc(2026, 1, 5, 9, 45));
  const auto capped = expand(e, utc(2026, 1, 1), utc(2036, 1, 1),
                             expand_limits{.max_occurrences = 5000, .max_steps = 200000});
  EXPECT_EQ(capped.size(), 5000u);
  // A window years after the start is found by jumping there, not by walking every minute.
  const auto far = expand(e, utc(2034, 6, 5), utc(2034, 6, 6),
                          expand_limits{.max_occurrences = 100, .max_steps = 50});
  ASSERT_EQ(far.size(), 8u);
  EXPECT_EQ(far.front().local_start, local(2034, 6, 5, 9));
}

TEST(RruleIterator, JumpingToAFarWindowFindsWhatWalkingFinds) {
  for (const char* rule :
       {"FREQ=YEARLY;BYWEEKNO=1,27;BYDAY=TH", "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,SU;WKST=SU", "FREQ=DAILY;INTERVAL=9;BYHOUR=7,19",
        "FREQ=HOURLY;INTERVAL=13"}) {
    event e;
    e.uid = "far@treffpunkt";
    e.title = "Far";
    e.zone = "Etc/UTC";
    e.duration = 1h;
    e.rule = recurrence_rule::parse(rule).value();
    e.start = expand_floating(rule, local(2026, 1, 1, 7), 1).value().front();
    const auto walked = expand(e, utc(2026, 1, 1), utc(2031, 1, 1));
    const auto jumped = expand(e, utc(2030, 6, 1), utc(2031, 1, 1));
    std::vector<treffpunkt::calendar::utc_seconds> tail;
    for (const auto& o : walked) {
      if (o.end > utc(2030, 6, 1)) tail.push_back(o.start);
    }
    std::vector<treffpunkt::calendar::utc_seconds> got;
    for (const auto& o : jumped) got.push_back(o.start);
    EXPECT_FALSE(got.empty()) << rule;
    EXPECT_EQ(got, tail) << rule;
  }
}

}  // namespace
