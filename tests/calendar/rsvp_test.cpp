#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/rsvp.h>
#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <limits>
#include <optional>

#include "common/test_time.h"

namespace {

using treffpunkt::testing::day;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

using namespace std::chrono_literals;
using treffpunkt::calendar::event;
using treffpunkt::calendar::event_status;
using treffpunkt::calendar::find_occurrence;
using treffpunkt::calendar::local_seconds;
using treffpunkt::calendar::occurrence;
using treffpunkt::calendar::occurrence_key;
using treffpunkt::calendar::occurrence_override;
using treffpunkt::calendar::places_free;
using treffpunkt::calendar::recurrence_rule;
using treffpunkt::calendar::rsvp_refusal;
using treffpunkt::calendar::rsvp_refused;
using treffpunkt::calendar::utc_seconds;
using treffpunkt::calendar::validate;

/// A weekly meeting on Tuesdays at 19:00 in Berlin (18:00Z in winter), from 2026-03-03.
event weekly_meeting() {
  event e;
  e.uid = "plenum@treffpunkt";
  e.title = "Plenum";
  e.zone = "Europe/Berlin";
  e.start = local(2026, 3, 3, 19);
  e.rule = recurrence_rule::parse("FREQ=WEEKLY;COUNT=10").value();
  EXPECT_TRUE(validate(e)) << validate(e).error().what();
  return e;
}

/// The second occurrence: Tuesday 2026-03-10, 19:00 CET = 18:00Z.
const occurrence_key second = occurrence_key::timed(utc(2026, 3, 10, 18));

occurrence occurrence_of(const event& e, const occurrence_key& key) {
  return find_occurrence(e, key).value();
}

TEST(RsvpRules, OpenWellBeforeTheStart) {
  const auto e = weekly_meeting();
  EXPECT_EQ(rsvp_refused(e, occurrence_of(e, second), utc(2026, 3, 1)), std::nullopt);
}

TEST(RsvpRules, CancelledOccurrenceIsRefused) {
  auto e = weekly_meeting();
  occurrence_override o;
  o.key = second;
  o.cancelled = true;
  e.overrides.push_back(o);
  EXPECT_EQ(rsvp_refused(e, occurrence_of(e, second), utc(2026, 3, 1)), rsvp_refusal::cancelled);
  // The other occurrences stay open.
  const auto third = occurrence_key::timed(utc(2026, 3, 17, 18));
  EXPECT_EQ(rsvp_refused(e, occurrence_of(e, third), utc(2026, 3, 1)), std::nullopt);
}

TEST(RsvpRules, CancelledEventRefusesEveryOccurrence) {
  auto e = weekly_meeting();
  e.status = event_status::cancelled;
  EXPECT_EQ(rsvp_refused(e, occurrence_of(e, second), utc(2026, 3, 1)), rsvp_refusal::cancelled);
}

TEST(RsvpRules, CancelledIsTheReasonEvenWhenPast) {
  auto e = weekly_meeting();
  e.status = event_status::cancelled;
  EXPECT_EQ(rsvp_refused(e, occurrence_of(e, second), utc(2026, 4, 1)), rsvp_refusal::cancelled);
}

TEST(RsvpRules, PastFromTheSecondItStarts) {
  const auto e = weekly_meeting();
  const auto o = occurrence_of(e, second);
  EXPECT_EQ(rsvp_refused(e, o, o.start - 1s), std::nullopt);
  EXPECT_EQ(rsvp_refused(e, o, o.start), rsvp_refusal::past);
  EXPECT_EQ(rsvp_refused(e, o, o.start + 1h), rsvp_refusal::past);
}

TEST(RsvpRules, DeadlineIsOpenExactlyAtTheBoundary) {
  auto e = weekly_meeting();
  e.rsvp_deadline = 24h;
  const auto o = occurrence_of(e, second);
  EXPECT_EQ(rsvp_refused(e, o, o.start - 24h - 1s), std::nullopt);
  EXPECT_EQ(rsvp_refused(e, o, o.start - 24h), std::nullopt);
  EXPECT_EQ(rsvp_refused(e, o, o.start - 24h + 1s), rsvp_refusal::deadline_passed);
  EXPECT_EQ(rsvp_refused(e, o, o.start - 1s), rsvp_refusal::deadline_passed);
  // Once it has started, it is past rather than closed.
  EXPECT_EQ(rsvp_refused(e, o, o.start), rsvp_refusal::past);
}

TEST(RsvpRules, DeadlineCountsFromTheMovedStart) {
  auto e = weekly_meeting();
  e.rsvp_deadline = 24h;
  occurrence_override o;
  o.key = second;
  o.start = local(2026, 3, 12, 19);  // moved two days later
  e.overrides.push_back(o);
  const auto moved = occurrence_of(e, second);
  ASSERT_EQ(moved.start, utc(2026, 3, 12, 18));
  // Past the original start, but still two days before the new one.
  EXPECT_EQ(rsvp_refused(e, moved, utc(2026, 3, 10, 19)), std::nullopt);
  EXPECT_EQ(rsvp_refused(e, moved, utc(2026, 3, 11, 18, 1)), rsvp_refusal::deadline_passed);
}

TEST(RsvpRules, PlacesFreeWithCapacity) {
  EXPECT_EQ(places_free(2, 0), 2U);
  EXPECT_EQ(places_free(2, 1), 1U);
  EXPECT_EQ(places_free(2, 2), 0U);
  // More going than places (capacity lowered later): none free, never a wrap-around.
  EXPECT_EQ(places_free(2, 5), 0U);
}

TEST(RsvpRules, PlacesFreeWithoutCapacityIsUnlimited) {
  EXPECT_EQ(places_free(std::nullopt, 0), std::numeric_limits<std::size_t>::max());
  EXPECT_EQ(places_free(std::nullopt, 100000), std::numeric_limits<std::size_t>::max());
}

}  // namespace
