#include <calendar/clock.h>
#include <calendar/time.h>
#include <date/date.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "common/test_time.h"

namespace {

using treffpunkt::testing::day;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

using namespace std::chrono_literals;
using treffpunkt::calendar::is_known_zone;
using treffpunkt::calendar::local_seconds;
using treffpunkt::calendar::occurrence_key;
using treffpunkt::calendar::parse_iso_date;
using treffpunkt::calendar::parse_iso_month;
using treffpunkt::calendar::to_local;
using treffpunkt::calendar::to_utc;
using treffpunkt::calendar::utc_seconds;

TEST(Zone, KnowsIanaNamesOnly) {
  EXPECT_TRUE(is_known_zone("Europe/Berlin"));
  EXPECT_TRUE(is_known_zone("Australia/Sydney"));
  EXPECT_FALSE(is_known_zone("Europe/Erfurt"));
  EXPECT_FALSE(is_known_zone(""));
  EXPECT_FALSE(is_known_zone("/freeassociation.sourceforge.net/Europe/Berlin"));
}

TEST(Zone, WinterAndSummerOffsetsInBerlin) {
  EXPECT_EQ(to_utc(local(2025, 12, 2, 19), "Europe/Berlin"), utc(2025, 12, 2, 18));
  EXPECT_EQ(to_utc(local(2025, 7, 1, 19), "Europe/Berlin"), utc(2025, 7, 1, 17));
}

TEST(Zone, GapTimeUsesOffsetBeforeTheGap) {
  // 2026-03-29 02:30 does not exist in Berlin; RFC 5545 §3.3.5 reads it with +01:00,
  // which is 01:30 UTC = 03:30 CEST.
  EXPECT_EQ(to_utc(local(2026, 3, 29, 2, 30), "Europe/Berlin"), utc(2026, 3, 29, 1, 30));
  EXPECT_EQ(to_local(utc(2026, 3, 29, 1, 30), "Europe/Berlin"), local(2026, 3, 29, 3, 30));
}

TEST(Zone, RepeatedTimeTakesTheFirst) {
  // 2026-10-25 02:30 happens twice in Berlin: first at +02:00 (00:30 UTC).
  EXPECT_EQ(to_utc(local(2026, 10, 25, 2, 30), "Europe/Berlin"), utc(2026, 10, 25, 0, 30));
}

TEST(Zone, SouthernHemisphereSwitchesTheOtherWay) {
  // Sydney: AEDT (+11) in January, AEST (+10) in July.
  EXPECT_EQ(to_utc(local(2026, 1, 15, 19), "Australia/Sydney"), utc(2026, 1, 15, 8));
  EXPECT_EQ(to_utc(local(2026, 7, 15, 19), "Australia/Sydney"), utc(2026, 7, 15, 9));
}

TEST(Zone, EachConversionUsesTheZoneItNames) {
  // The zone last looked up is remembered per thread: taking turns between zones, and an
  // unknown name in between, must not carry one call's zone into the next.
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(to_utc(local(2026, 1, 15, 19), "Europe/Berlin"), utc(2026, 1, 15, 18));
    EXPECT_EQ(to_utc(local(2026, 1, 15, 19), "Australia/Sydney"), utc(2026, 1, 15, 8));
    EXPECT_THROW((void)to_utc(local(2026, 1, 15, 19), "Europe/Erfurt"), std::runtime_error);
    EXPECT_EQ(to_local(utc(2026, 1, 15, 8), "Australia/Sydney"), local(2026, 1, 15, 19));
    EXPECT_THROW((void)to_local(utc(2026, 1, 15, 8), "Europe/Erfurt"), std::runtime_error);
    EXPECT_EQ(to_local(utc(2026, 1, 15, 18), "Europe/Berlin"), local(2026, 1, 15, 19));
    EXPECT_EQ(to_local(utc(2026, 1, 15, 18), "UTC"), local(2026, 1, 15, 18));
  }
}

TEST(OccurrenceKey, RoundTripsTimedAndDateKeys) {
  const auto timed = occurrence_key::timed(utc(2025, 12, 2, 18));
  EXPECT_EQ(timed.to_string(), "20251202T180000Z");
  EXPECT_EQ(occurrence_key::parse("20251202T180000Z"), timed);
  const auto day = occurrence_key::all_day(date::sys_days{date::year{2025} / 12 / 24});
  EXPECT_EQ(day.to_string(), "20251224");
  EXPECT_EQ(occurrence_key::parse("20251224"), day);
  EXPECT_NE(timed, day);
}

// to_string writes its digits by hand (date::format per key was slow): the same text as
// date::format across the years, at odd seconds, on leap days and at the edges of the range
// parse() reads.
TEST(OccurrenceKey, SpellsKeysAsDateFormatDoes) {
  std::vector<utc_seconds> instants = {utc(2026, 2, 28, 23, 59),  utc(2028, 2, 29, 0, 0),
                                       utc(1999, 12, 31, 23, 59), utc(2100, 3, 1, 7, 5),
                                       utc(1970, 1, 1, 0, 0),     utc(9999, 12, 31, 23, 59),
                                       utc(1, 1, 1, 0, 0),        utc(2026, 10, 25, 0, 30)};
  for (std::int64_t s = -400'000'000'000; s < 200'000'000'000; s += 987'654'321) {
    instants.push_back(utc_seconds{std::chrono::seconds{s}});
  }
  for (const auto t : instants) {
    const auto timed = occurrence_key::timed(t + 59s);
    EXPECT_EQ(timed.to_string(), date::format("%Y%m%dT%H%M%SZ", t + 59s));
    const auto day = occurrence_key::all_day(date::floor<date::days>(t));
    EXPECT_EQ(day.to_string(), date::format("%Y%m%d", date::floor<date::days>(t)));
    if (timed.to_string().size() == 16) {
      EXPECT_EQ(occurrence_key::parse(timed.to_string()), timed);
    }
  }
}

TEST(OccurrenceKey, RejectsMalformedKeys) {
  for (const char* bad : {"", "2025120", "20251302", "20250230", "20251202T180000",
                          "20251202T250000Z", "20251202X180000Z", "2025-12-02", "../../etc"}) {
    EXPECT_FALSE(occurrence_key::parse(bad).has_value()) << bad;
  }
}

TEST(IsoDate, ReadsExactlyYearMonthDayOfADayThatExists) {
  using namespace date::literals;
  EXPECT_EQ(parse_iso_date("2026-02-03"), 2026_y / 2 / 3);
  EXPECT_EQ(parse_iso_date("2028-02-29"), 2028_y / 2 / 29);
  EXPECT_EQ(parse_iso_date("0000-01-01"), date::year{0} / 1 / 1);
  EXPECT_EQ(parse_iso_date("9999-12-31"), 9999_y / 12 / 31);
  for (const char* bad : {"",
                          "2026-2-3",
                          "2026-02-3",
                          "26-02-03",
                          "02026-02-03",
                          "2026-02-03x",
                          "2026-02-03 ",
                          " 2026-02-03",
                          "+026-02-03",
                          "-026-02-03",
                          "2026-+2-03",
                          "2026--2-03",
                          "2026-02-+3",
                          "2026-02-29",
                          "2026-13-01",
                          "2026-00-01",
                          "2026-01-00",
                          "2026-04-31",
                          "2026/02/03",
                          "2026-02-03T10:00"}) {
    EXPECT_EQ(parse_iso_date(bad), std::nullopt) << bad;
  }
}

TEST(IsoDate, ReadsExactlyYearMonth) {
  using namespace date::literals;
  EXPECT_EQ(parse_iso_month("2026-02"), 2026_y / 2);
  EXPECT_EQ(parse_iso_month("2026-12"), 2026_y / 12);
  for (const char* bad : {"", "2026-2", "2026-13", "2026-00", "+202-12", "2026-+1", "2026--1",
                          " 2026-12", "2026-12 ", "2026-123", "2026-12-01", "2026/12"}) {
    EXPECT_EQ(parse_iso_month(bad), std::nullopt) << bad;
  }
}

TEST(Clock, SetClockStartsThereAndRunsOn) {
  using treffpunkt::calendar::clock;
  const auto set = clock::starting_at(utc(2028, 2, 29, 23, 59, 59));
  EXPECT_TRUE(set.is_set());
  EXPECT_FALSE(clock{}.is_set());
  const auto read = set.now();
  // It read the instant it was set to (give or take the test's own second).
  EXPECT_GE(read, utc(2028, 2, 29, 23, 59, 59));
  EXPECT_LE(read, utc(2028, 3, 1, 0, 0, 1));
  EXPECT_LE(read, set.now());  // and does not run backwards
}

TEST(Clock, ParseUtcReadsRfc3339InstantsInUtcOnly) {
  using treffpunkt::calendar::parse_utc;
  EXPECT_EQ(parse_utc("2026-03-29T00:30:00Z"), utc(2026, 3, 29, 0, 30));
  EXPECT_EQ(parse_utc("2026-03-29T00:30Z"), utc(2026, 3, 29, 0, 30));
  EXPECT_EQ(parse_utc("2028-02-29T10:00:00Z"), utc(2028, 2, 29, 10));
  for (const char* bad : {"", "2026-03-29", "2026-03-29T00:30:00", "2026-03-29T00:30:00+01:00",
                          "2027-02-29T10:00:00Z", "2026-13-01T00:00:00Z", "2026-03-29T24:30:00Z",
                          "2026-03-29T00:30:00Zjunk", "today"}) {
    EXPECT_FALSE(parse_utc(bad).has_value()) << bad;
  }
}

}  // namespace
