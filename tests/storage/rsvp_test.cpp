#include <calendar/event.h>
#include <calendar/recurrence.h>
#include <calendar/rsvp.h>
#include <date/date.h>
#include <gtest/gtest.h>
#include <storage/store.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/test_time.h"
#include "store_fixture.h"

namespace {

using treffpunkt::testing::local;
using treffpunkt::testing::utc;
using namespace std::chrono_literals;
namespace cal = treffpunkt::calendar;
using cal::occurrence_key;
using cal::rsvp_answer;
using cal::utc_seconds;
using treffpunkt::storage::actor;
using treffpunkt::storage::errc;
using treffpunkt::storage::person;
using treffpunkt::storage::rsvp_record;
using treffpunkt::storage::rsvp_state;
using treffpunkt::storage::store;
using treffpunkt::storage::testing::sql_int;
using treffpunkt::storage::testing::sql_text;

/// The weekly meeting starts Tuesday 2026-03-03, 19:00 in Berlin (18:00Z); RSVPs are given
/// on 2026-03-01 unless a test says otherwise.
const utc_seconds now = utc(2026, 3, 1, 12);
/// Its second occurrence, Tuesday 2026-03-10, 19:00 CET.
const occurrence_key second = occurrence_key::timed(utc(2026, 3, 10, 18));
const utc_seconds second_start = utc(2026, 3, 10, 18);

class RsvpStore : public treffpunkt::storage::testing::store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    if (HasFatalFailure()) return;
    unit_ = make_unit("bildung").id;
  }

  /// Tuesdays at 19:00, ten times, with the given places and RSVP deadline.
  cal::event meeting(std::optional<int> capacity = std::nullopt,
                     std::optional<std::chrono::seconds> deadline = std::nullopt) {
    cal::event e;
    e.unit = unit_;
    e.title = "Austausch Bildungsarbeit";
    e.zone = "Europe/Berlin";
    e.start = local(2026, 3, 3, 19);
    e.rule = cal::recurrence_rule::parse("FREQ=WEEKLY;COUNT=10").value();
    e.capacity = capacity;
    e.rsvp_deadline = deadline;
    auto created = store_->create_event(e, actor::system(), now - 24h * 30);
    EXPECT_TRUE(created) << created.error().message;
    return *created;
  }

  person member(int n) {
    return make_person("member" + std::to_string(n) + "@example.org",
                       "Mitglied " + std::to_string(n));
  }

  std::vector<person> members(int count) {
    std::vector<person> out;
    for (int i = 1; i <= count; ++i) out.push_back(member(i));
    return out;
  }

  rsvp_record answer(const cal::event& e, const person& p, rsvp_answer a, utc_seconds at = now) {
    auto r = store_->set_rsvp(e.id, second, p.id, a, at);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->rsvp : rsvp_record{};
  }

  /// The RSVP of guest "Gast" <gast@example.org> to the second occurrence, requested at `now`
  /// and confirmed at `confirmed`.
  rsvp_record confirmed_guest(const cal::event& e, rsvp_answer a, utc_seconds confirmed) {
    const auto guest = store_->request_guest_rsvp(e.id, second, "Gast", "gast@example.org", a, now);
    EXPECT_TRUE(guest) << guest.error().message;
    if (!guest) return {};
    const auto r = store_->confirm_guest_rsvp(guest->confirm_token, confirmed);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->rsvp : rsvp_record{};
  }

  /// Nothing of `p` for the event is stored (after a refused RSVP).
  void expect_nothing_stored(const cal::event& e, const person& p) {
    EXPECT_EQ(store_->rsvp_of(e.id, second, p.id), std::nullopt);
    EXPECT_TRUE(store_->rsvps_of_person(p.id).empty());
    const auto o = store_->occupancy_of(e.id, second);
    EXPECT_EQ(o.going + o.waitlisted + o.maybe, 0);
  }

  cal::unit_id unit_;
};

// ---- answers ------------------------------------------------------------------------------

TEST_F(RsvpStore, YesNoMaybeGiveTheirStates) {
  const auto e = meeting();
  const auto people = members(3);
  EXPECT_EQ(answer(e, people[0], rsvp_answer::yes).state, rsvp_state::going);
  EXPECT_EQ(answer(e, people[1], rsvp_answer::no).state, rsvp_state::not_going);
  EXPECT_EQ(answer(e, people[2], rsvp_answer::maybe).state, rsvp_state::maybe);

  const auto stored = store_->rsvp_of(e.id, second, people[0].id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->event, e.id);
  EXPECT_EQ(stored->key, second);
  EXPECT_EQ(stored->answer, rsvp_answer::yes);
  EXPECT_EQ(stored->state, rsvp_state::going);
  EXPECT_EQ(stored->waitlist_position, 0);
  EXPECT_EQ(stored->updated, now);

  const auto o = store_->occupancy_of(e.id, second);
  EXPECT_EQ(o.going, 1);
  EXPECT_EQ(o.maybe, 1);
  EXPECT_EQ(o.waitlisted, 0);
  EXPECT_EQ(o.capacity, std::nullopt);

  // Those who said no are not attendees.
  const auto list = store_->attendees(e.id, second);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].who.email, "member1@example.org");
  EXPECT_EQ(list[1].who.email, "member3@example.org");
  // Other occurrences are untouched.
  EXPECT_EQ(store_->occupancy_of(e.id, occurrence_key::timed(utc(2026, 3, 17, 18))).going, 0);
}

// set_rsvp hands back the caller's row as it wrote it (read back only while waiting): the same,
// field by field, as a read of it afterwards, on every path an answer takes.
TEST_F(RsvpStore, TheRecordReturnedIsTheRowAsStored) {
  const auto open = meeting();
  const auto limited = meeting(1);
  const auto people = members(3);
  const auto same = [&](const cal::event& e, const person& p, rsvp_answer a, utc_seconds at) {
    const auto r = store_->set_rsvp(e.id, second, p.id, a, at);
    ASSERT_TRUE(r) << r.error().message;
    const auto stored = store_->rsvp_of(e.id, second, p.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(r->rsvp.event, stored->event);
    EXPECT_EQ(r->rsvp.key, stored->key);
    EXPECT_EQ(r->rsvp.person, stored->person);
    EXPECT_EQ(r->rsvp.answer, stored->answer);
    EXPECT_EQ(r->rsvp.state, stored->state);
    EXPECT_EQ(r->rsvp.waitlist_position, stored->waitlist_position);
    EXPECT_EQ(r->rsvp.updated, stored->updated);
  };
  same(open, people[0], rsvp_answer::yes, now);            // going, no capacity
  same(open, people[0], rsvp_answer::maybe, now + 1min);   // maybe
  same(open, people[0], rsvp_answer::no, now + 2min);      // not going
  same(limited, people[0], rsvp_answer::yes, now + 3min);  // the one place
  same(limited, people[1], rsvp_answer::yes, now + 4min);  // waiting, first
  same(limited, people[2], rsvp_answer::yes, now + 5min);  // waiting, second
  same(limited, people[1], rsvp_answer::no, now + 6min);   // leaves the waitlist
  same(limited, people[0], rsvp_answer::no, now + 7min);   // frees the place for people[2]
  same(limited, people[1], rsvp_answer::yes, now + 8min);  // waiting again, first now
  EXPECT_EQ(store_->rsvp_of(limited.id, second, people[2].id)->state, rsvp_state::going);
  EXPECT_EQ(store_->rsvp_of(limited.id, second, people[1].id)->waitlist_position, 1);
}

TEST_F(RsvpStore, AnswerCanBeChanged) {
  const auto e = meeting();
  const auto p = member(1);
  answer(e, p, rsvp_answer::yes, now);
  EXPECT_EQ(answer(e, p, rsvp_answer::maybe, now + 1h).state, rsvp_state::maybe);
  EXPECT_EQ(answer(e, p, rsvp_answer::no, now + 2h).state, rsvp_state::not_going);
  const auto back = answer(e, p, rsvp_answer::yes, now + 3h);
  EXPECT_EQ(back.state, rsvp_state::going);
  EXPECT_EQ(back.updated, now + 3h);
  // Still one RSVP per person and occurrence.
  EXPECT_EQ(store_->rsvps_of_person(p.id).size(), 1U);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 1);
}

TEST_F(RsvpStore, RsvpsOfPersonListsEveryOccurrence) {
  const auto e = meeting();
  const auto p = member(1);
  const auto third = occurrence_key::timed(utc(2026, 3, 17, 18));
  ASSERT_TRUE(store_->set_rsvp(e.id, third, p.id, rsvp_answer::maybe, now));
  answer(e, p, rsvp_answer::yes);
  const auto all = store_->rsvps_of_person(p.id);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].key, second);
  EXPECT_EQ(all[1].key, third);
  EXPECT_EQ(all[1].state, rsvp_state::maybe);
}

// ---- refusals: the right reason, and nothing written --------------------------------------

TEST_F(RsvpStore, CancelledOccurrenceIsRefusedAndNothingWritten) {
  const auto e = meeting();
  cal::occurrence_override cancel;
  cancel.key = second;
  cancel.cancelled = true;
  ASSERT_TRUE(store_->set_override(e.id, cancel, actor::system(), now));
  const auto p = member(1);
  const auto r = store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::occurrence_cancelled);
  expect_nothing_stored(e, p);
}

TEST_F(RsvpStore, PastOccurrenceIsRefusedAndNothingWritten) {
  const auto e = meeting();
  const auto p = member(1);
  for (const auto at : {second_start, second_start + 1h, utc(2026, 4, 1)}) {
    const auto r = store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, at);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::occurrence_past);
  }
  expect_nothing_stored(e, p);
}

TEST_F(RsvpStore, AfterDeadlineIsRefusedAndNothingWritten) {
  const auto e = meeting(std::nullopt, 24h);
  const auto p = member(1);
  const auto r = store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, second_start - 24h + 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::rsvp_closed);
  expect_nothing_stored(e, p);
  // Exactly at the deadline it is still open.
  EXPECT_EQ(answer(e, p, rsvp_answer::yes, second_start - 24h).state, rsvp_state::going);
}

TEST_F(RsvpStore, AfterDeadlineEvenAWithdrawalIsRefused) {
  // "Changeable until the RSVP deadline": a place given up late could not be filled anymore,
  // so the answer stands and the responsible is asked instead.
  const auto e = meeting(std::nullopt, 24h);
  const auto p = member(1);
  const auto given = answer(e, p, rsvp_answer::yes, now);
  const auto r = store_->set_rsvp(e.id, second, p.id, rsvp_answer::no, second_start - 1h);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::rsvp_closed);
  const auto stored = store_->rsvp_of(e.id, second, p.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, rsvp_state::going);
  EXPECT_EQ(stored->updated, given.updated);
}

TEST_F(RsvpStore, UnknownOccurrenceEventOrPersonIsNotFound) {
  const auto e = meeting();
  const auto p = member(1);
  const auto wednesday = occurrence_key::timed(utc(2026, 3, 11, 18));
  auto r = store_->set_rsvp(e.id, wednesday, p.id, rsvp_answer::yes, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
  r = store_->set_rsvp(cal::event_id{e.id.value + 100}, second, p.id, rsvp_answer::yes, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
  r = store_->set_rsvp(e.id, second, treffpunkt::storage::person_id{p.id.value + 100},
                       rsvp_answer::yes, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::not_found);
  expect_nothing_stored(e, p);
}

// ---- capacity and waitlist ----------------------------------------------------------------

TEST_F(RsvpStore, FullOccurrenceWaitlistsInOrder) {
  const auto e = meeting(2);
  const auto people = members(4);
  EXPECT_EQ(answer(e, people[0], rsvp_answer::yes, now).state, rsvp_state::going);
  EXPECT_EQ(answer(e, people[1], rsvp_answer::yes, now + 1min).state, rsvp_state::going);
  const auto third = answer(e, people[2], rsvp_answer::yes, now + 2min);
  EXPECT_EQ(third.state, rsvp_state::waitlisted);
  EXPECT_EQ(third.waitlist_position, 1);
  const auto fourth = answer(e, people[3], rsvp_answer::yes, now + 3min);
  EXPECT_EQ(fourth.state, rsvp_state::waitlisted);
  EXPECT_EQ(fourth.waitlist_position, 2);

  const auto o = store_->occupancy_of(e.id, second);
  EXPECT_EQ(o.going, 2);
  EXPECT_EQ(o.waitlisted, 2);
  EXPECT_EQ(o.capacity, 2);

  // Going first (by time), then the waitlist in order.
  const auto list = store_->attendees(e.id, second);
  ASSERT_EQ(list.size(), 4U);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(list[i].who.id, people[i].id) << i;
  EXPECT_EQ(list[3].rsvp.waitlist_position, 2);
}

TEST_F(RsvpStore, WithdrawalPromotesFirstOnWaitlist) {
  const auto e = meeting(2);
  const auto people = members(5);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);

  const auto change = store_->set_rsvp(e.id, second, people[0].id, rsvp_answer::no, now + 1h);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->rsvp.state, rsvp_state::not_going);
  ASSERT_EQ(change->promoted.size(), 1U);
  EXPECT_EQ(change->promoted[0].person, people[2].id);
  EXPECT_EQ(change->promoted[0].state, rsvp_state::going);
  EXPECT_EQ(change->promoted[0].waitlist_position, 0);
  EXPECT_EQ(change->promoted[0].updated, now + 1h);

  // Those behind move up one position.
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[3].id)->waitlist_position, 1);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[4].id)->waitlist_position, 2);

  // A maybe from someone going frees a place too.
  const auto maybe = store_->set_rsvp(e.id, second, people[1].id, rsvp_answer::maybe, now + 2h);
  ASSERT_TRUE(maybe);
  ASSERT_EQ(maybe->promoted.size(), 1U);
  EXPECT_EQ(maybe->promoted[0].person, people[3].id);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[4].id)->waitlist_position, 1);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 2);
}

TEST_F(RsvpStore, LeavingTheWaitlistPromotesNobody) {
  const auto e = meeting(1);
  const auto people = members(4);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  const auto change = store_->set_rsvp(e.id, second, people[1].id, rsvp_answer::no, now + 1h);
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->promoted.empty());
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[0].id)->state, rsvp_state::going);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[2].id)->waitlist_position, 1);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[3].id)->waitlist_position, 2);
}

TEST_F(RsvpStore, UnchangedAnswerKeepsPlace) {
  const auto e = meeting(1);
  const auto people = members(3);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes, now);

  // Saying yes again neither moves to the end of the waitlist nor touches the row.
  const auto again = store_->set_rsvp(e.id, second, people[1].id, rsvp_answer::yes, now + 1h);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->rsvp.state, rsvp_state::waitlisted);
  EXPECT_EQ(again->rsvp.waitlist_position, 1);
  EXPECT_EQ(again->rsvp.updated, now);
  EXPECT_TRUE(again->promoted.empty());
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[2].id)->waitlist_position, 2);

  const auto going = store_->set_rsvp(e.id, second, people[0].id, rsvp_answer::yes, now + 1h);
  ASSERT_TRUE(going);
  EXPECT_EQ(going->rsvp.state, rsvp_state::going);
  EXPECT_EQ(going->rsvp.updated, now);
}

TEST_F(RsvpStore, WaitlistedMemberWhoSaysNoAndYesAgainQueuesAtTheEnd) {
  const auto e = meeting(1);
  const auto people = members(3);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  answer(e, people[1], rsvp_answer::no, now + 1h);
  const auto back = answer(e, people[1], rsvp_answer::yes, now + 2h);
  EXPECT_EQ(back.state, rsvp_state::waitlisted);
  EXPECT_EQ(back.waitlist_position, 2);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[2].id)->waitlist_position, 1);
}

// ---- moving and cancelling occurrences ----------------------------------------------------

TEST_F(RsvpStore, MovingAnOccurrenceKeepsItsRsvps) {
  const auto e = meeting(1);
  const auto people = members(2);
  answer(e, people[0], rsvp_answer::yes);
  answer(e, people[1], rsvp_answer::yes);

  cal::occurrence_override move;
  move.key = second;
  move.start = local(2026, 3, 12, 18);  // Thursday, an hour earlier
  ASSERT_TRUE(store_->set_override(e.id, move, actor::system(), now + 1h));

  const auto kept = store_->rsvp_of(e.id, second, people[0].id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->state, rsvp_state::going);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[1].id)->waitlist_position, 1);

  // Still answerable by its original key, and the old start is no longer what counts:
  // after the original start but before the new one is not "past".
  const auto change =
      store_->set_rsvp(e.id, second, people[0].id, rsvp_answer::no, utc(2026, 3, 11, 12));
  ASSERT_TRUE(change) << change.error().message;
  ASSERT_EQ(change->promoted.size(), 1U);
  EXPECT_EQ(change->promoted[0].person, people[1].id);
}

TEST_F(RsvpStore, CancellingAnOccurrenceKeepsItsRsvpsAsHistory) {
  const auto e = meeting(1);
  const auto people = members(3);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);

  cal::occurrence_override cancel;
  cancel.key = second;
  cancel.cancelled = true;
  ASSERT_TRUE(store_->set_override(e.id, cancel, actor::system(), now + 1h));

  EXPECT_EQ(store_->rsvp_of(e.id, second, people[0].id)->state, rsvp_state::going);
  EXPECT_EQ(store_->attendees(e.id, second).size(), 3U);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 1);

  // No further answers, neither changes nor new ones.
  auto r = store_->set_rsvp(e.id, second, people[0].id, rsvp_answer::no, now + 2h);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::occurrence_cancelled);
  r = store_->set_rsvp(e.id, second, member(9).id, rsvp_answer::yes, now + 2h);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::occurrence_cancelled);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[0].id)->state, rsvp_state::going);
}

TEST_F(RsvpStore, CancellingTheWholeEventKeepsRsvpsAndRefusesNewOnes) {
  const auto e = meeting();
  const auto p = member(1);
  answer(e, p, rsvp_answer::yes);
  ASSERT_TRUE(store_->cancel_event(e.id, actor::system(), now + 1h));
  EXPECT_EQ(store_->rsvp_of(e.id, second, p.id)->state, rsvp_state::going);
  const auto r = store_->set_rsvp(e.id, second, p.id, rsvp_answer::no, now + 2h);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::occurrence_cancelled);
}

// ---- capacity changes ---------------------------------------------------------------------

/// The first and third occurrences of the weekly meeting (the second is `second`).
const occurrence_key first_occurrence = occurrence_key::timed(utc(2026, 3, 3, 18));
const occurrence_key third_occurrence = occurrence_key::timed(utc(2026, 3, 17, 18));

TEST_F(RsvpStore, RaisedCapacityPromotesWaitingInOrder) {
  auto e = meeting(1);
  const auto people = members(4);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  ASSERT_EQ(store_->rsvp_of(e.id, second, people[3].id)->waitlist_position, 3);

  e.capacity = 3;
  const auto updated = store_->update_event(e, actor::system(), now + 1h);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->capacity, 3);

  for (const int i : {1, 2}) {
    const auto r = store_->rsvp_of(e.id, second, people[static_cast<std::size_t>(i)].id);
    EXPECT_EQ(r->state, rsvp_state::going) << i;
    EXPECT_EQ(r->waitlist_position, 0) << i;
    EXPECT_EQ(r->updated, now + 1h) << i;
  }
  // The last one waiting is now first in line.
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[3].id)->state, rsvp_state::waitlisted);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[3].id)->waitlist_position, 1);
  const auto o = store_->occupancy_of(e.id, second);
  EXPECT_EQ(o.going, 3);
  EXPECT_EQ(o.waitlisted, 1);
  const auto list = store_->attendees(e.id, second);
  ASSERT_EQ(list.size(), 4U);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(list[i].who.id, people[i].id) << i;

  // In the same transaction as the update, one audit line per promotion, in waitlist order.
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'rsvp_promoted'"), 2);
  const std::string promoted =
      "SELECT detail FROM audit_log WHERE action = 'rsvp_promoted' ORDER BY id LIMIT 1";
  EXPECT_EQ(query_text(promoted), "person=" + std::to_string(people[1].id.value) + " occurrence=" +
                                      second.to_string() + " answer=yes state=going");
  EXPECT_EQ(query_text(promoted + " OFFSET 1"), "person=" + std::to_string(people[2].id.value) +
                                                    " occurrence=" + second.to_string() +
                                                    " answer=yes state=going");
  EXPECT_EQ(query_int("SELECT max(id) FROM audit_log WHERE action = 'update_event'") + 2,
            query_int("SELECT max(id) FROM audit_log"));
}

TEST_F(RsvpStore, RaisedCapacityLeavesStartedAndCancelledOccurrencesAlone) {
  auto e = meeting(1);
  const auto people = members(2);
  for (const auto& key : {first_occurrence, second, third_occurrence}) {
    for (const auto& p : people)
      ASSERT_TRUE(store_->set_rsvp(e.id, key, p.id, rsvp_answer::yes, now));
  }
  cal::occurrence_override cancel;
  cancel.key = third_occurrence;
  cancel.cancelled = true;
  auto cancelled = store_->set_override(e.id, cancel, actor::system(), now + 1h);
  ASSERT_TRUE(cancelled) << cancelled.error().message;

  // Raised after the first occurrence has started.
  e = *cancelled;
  e.capacity = 2;
  ASSERT_TRUE(store_->update_event(e, actor::system(), utc(2026, 3, 4, 12)));

  EXPECT_EQ(store_->rsvp_of(e.id, second, people[1].id)->state, rsvp_state::going);
  for (const auto& key : {first_occurrence, third_occurrence}) {
    const auto kept = store_->rsvp_of(e.id, key, people[1].id);
    EXPECT_EQ(kept->state, rsvp_state::waitlisted) << key.to_string();
    EXPECT_EQ(kept->waitlist_position, 1) << key.to_string();
    EXPECT_EQ(kept->updated, now) << key.to_string();
  }
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'rsvp_promoted'"), 1);
}

TEST_F(RsvpStore, RaisedCapacityAfterTheDeadlineStillPromotesBeforeTheStart) {
  // Those waiting answered in time; only new answers are closed.
  auto e = meeting(1, 48h);
  const auto people = members(2);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  e.capacity = 2;
  ASSERT_TRUE(store_->update_event(e, actor::system(), second_start - 24h));
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[1].id)->state, rsvp_state::going);
}

TEST_F(RsvpStore, UnlimitedCapacityPromotesEveryoneWaiting) {
  auto e = meeting(1);
  const auto people = members(4);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  e.capacity = std::nullopt;
  ASSERT_TRUE(store_->update_event(e, actor::system(), now + 1h));
  const auto o = store_->occupancy_of(e.id, second);
  EXPECT_EQ(o.going, 4);
  EXPECT_EQ(o.waitlisted, 0);
}

TEST_F(RsvpStore, LoweredCapacityTakesNoPlaceAway) {
  auto e = meeting(3);
  const auto people = members(4);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);

  e.capacity = 1;
  ASSERT_TRUE(store_->update_event(e, actor::system(), now + 1h));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(store_->rsvp_of(e.id, second, people[i].id)->state, rsvp_state::going) << i;
  }
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[3].id)->waitlist_position, 1);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 3);

  // The waitlist moves only once fewer than the new capacity are going.
  auto change = store_->set_rsvp(e.id, second, people[0].id, rsvp_answer::no, now + 2h);
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->promoted.empty());
  change = store_->set_rsvp(e.id, second, people[1].id, rsvp_answer::no, now + 3h);
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->promoted.empty());
  change = store_->set_rsvp(e.id, second, people[2].id, rsvp_answer::no, now + 4h);
  ASSERT_TRUE(change);
  ASSERT_EQ(change->promoted.size(), 1U);
  EXPECT_EQ(change->promoted[0].person, people[3].id);
}

TEST_F(RsvpStore, ImportRaisingCapacityPromotesToo) {
  auto e = meeting(1);
  const auto people = members(3);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  e.capacity = 2;
  const auto imported = store_->import_events(unit_, {e}, actor::system(), now + 1h, false);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->updated, 1);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[1].id)->state, rsvp_state::going);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[2].id)->waitlist_position, 1);
}

TEST_F(RsvpStore, ImportWithoutPlacesOrDeadlineKeepsTheStoredOnes) {
  auto e = meeting(1);
  e.rsvp_deadline = 2h;
  ASSERT_TRUE(store_->update_event(e, actor::system(), now));
  e = *store_->event_by_id(e.id);
  const auto people = members(2);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  // As a file from Google or Outlook has it: iCalendar has no property for either.
  auto file = e;
  file.capacity.reset();
  file.rsvp_deadline.reset();
  file.kind = cal::event_kind::exchange_offer;
  const auto unchanged = store_->import_events(unit_, {file}, actor::system(), now + 1h, false);
  ASSERT_TRUE(unchanged) << unchanged.error().message;
  EXPECT_EQ(unchanged->updated, 1) << "the kind was stated";
  file.title = "Neu";
  std::vector<treffpunkt::storage::imported_event> unstated{{file, false}};
  const auto imported =
      store_->import_events(unit_, std::move(unstated), actor::system(), now + 2h, false, {});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->updated, 1);
  const auto stored = store_->event_by_id(e.id);
  EXPECT_EQ(stored->title, "Neu");
  EXPECT_EQ(stored->capacity, 1);
  EXPECT_EQ(stored->rsvp_deadline, 2h);
  EXPECT_EQ(stored->kind, cal::event_kind::exchange_offer);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[1].id)->state, rsvp_state::waitlisted);
  // The same again: nothing to change.
  const auto again = store_->import_events(unit_, {file}, actor::system(), now + 3h, false);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 1);
}

// ---- guests -------------------------------------------------------------------------------

TEST_F(RsvpStore, GuestRsvpCountsOnlyOnceConfirmed) {
  const auto e = meeting(5);
  const auto guest =
      store_->request_guest_rsvp(e.id, second, "Gast", " Gast@Example.org ", rsvp_answer::yes, now);
  ASSERT_TRUE(guest) << guest.error().message;
  EXPECT_EQ(guest->rsvp.state, rsvp_state::pending);
  EXPECT_EQ(guest->confirm_token.size(), 43U);
  const auto who = store_->person_by_email("gast@example.org");
  ASSERT_TRUE(who);
  EXPECT_TRUE(who->guest);
  EXPECT_EQ(guest->rsvp.person, who->id);

  // Pending counts for nothing and is nobody's attendee.
  const auto before = store_->occupancy_of(e.id, second);
  EXPECT_EQ(before.going + before.waitlisted + before.maybe, 0);
  EXPECT_TRUE(store_->attendees(e.id, second).empty());

  const auto confirmed = store_->confirm_guest_rsvp(guest->confirm_token, now + 1h);
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->rsvp.state, rsvp_state::going);
  EXPECT_EQ(confirmed->rsvp.updated, now + 1h);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 1);
  ASSERT_EQ(store_->attendees(e.id, second).size(), 1U);

  // The link works once.
  const auto twice = store_->confirm_guest_rsvp(guest->confirm_token, now + 2h);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, errc::expired);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 1);
}

TEST_F(RsvpStore, GuestGetsPlaceOrWaitlistAtConfirmation) {
  const auto e = meeting(1);
  const auto guest =
      store_->request_guest_rsvp(e.id, second, "Gast", "gast@example.org", rsvp_answer::yes, now);
  ASSERT_TRUE(guest);
  // A member takes the only place while the guest's email is unread.
  EXPECT_EQ(answer(e, member(1), rsvp_answer::yes, now + 1min).state, rsvp_state::going);
  const auto confirmed = store_->confirm_guest_rsvp(guest->confirm_token, now + 1h);
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->rsvp.state, rsvp_state::waitlisted);
  EXPECT_EQ(confirmed->rsvp.waitlist_position, 1);
}

TEST_F(RsvpStore, ExpiredGuestLinkIsRefusedAndTheRsvpRemoved) {
  const auto e = meeting();
  const auto guest =
      store_->request_guest_rsvp(e.id, second, "Gast", "gast@example.org", rsvp_answer::yes, now);
  ASSERT_TRUE(guest);
  // Still pending and kept just before the 48 hours are up.
  EXPECT_EQ(store_->expire_guest_rsvps(now + 48h - 1s), 0);
  ASSERT_TRUE(store_->rsvp_of(e.id, second, guest->rsvp.person));

  const auto late = store_->confirm_guest_rsvp(guest->confirm_token, now + 48h);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, errc::expired);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 0);

  EXPECT_EQ(store_->expire_guest_rsvps(now + 48h), 1);
  EXPECT_EQ(store_->rsvp_of(e.id, second, guest->rsvp.person), std::nullopt);
  // A guest who never confirmed leaves no address behind.
  EXPECT_EQ(store_->person_by_email("gast@example.org"), std::nullopt);
  EXPECT_EQ(store_->expire_guest_rsvps(now + 49h), 0);
}

TEST_F(RsvpStore, ConfirmedGuestRsvpDoesNotExpire) {
  const auto e = meeting();
  const auto guest = confirmed_guest(e, rsvp_answer::maybe, now + 1h);
  EXPECT_EQ(store_->expire_guest_rsvps(now + 72h), 0);
  EXPECT_EQ(store_->rsvp_of(e.id, second, guest.person)->state, rsvp_state::maybe);
}

TEST_F(RsvpStore, GuestAskingAgainGetsANewLinkAndTheOldOneDies) {
  const auto e = meeting();
  const auto first =
      store_->request_guest_rsvp(e.id, second, "Gast", "gast@example.org", rsvp_answer::yes, now);
  const auto again =
      store_->request_guest_rsvp(e.id, second, "Gast", "gast@example.org", rsvp_answer::maybe, now);
  ASSERT_TRUE(first);
  ASSERT_TRUE(again);
  const auto old = store_->confirm_guest_rsvp(first->confirm_token, now + 1h);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, errc::not_found);
  const auto confirmed = store_->confirm_guest_rsvp(again->confirm_token, now + 1h);
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->rsvp.state, rsvp_state::maybe);
}

TEST_F(RsvpStore, GuestRequestCannotOverwriteAMembersAnswer) {
  const auto e = meeting();
  const auto p = member(1);
  answer(e, p, rsvp_answer::yes);
  const auto r =
      store_->request_guest_rsvp(e.id, second, "Jemand", p.email, rsvp_answer::no, now + 1h);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::conflict);
  EXPECT_EQ(store_->rsvp_of(e.id, second, p.id)->state, rsvp_state::going);
}

TEST_F(RsvpStore, GuestRequestOfMemberAddressWaitsForTheLink) {
  const auto e = meeting();
  const auto p = member(1);
  const auto r = store_->request_guest_rsvp(e.id, second, "Mitglied 1", "MEMBER1@example.org",
                                            rsvp_answer::yes, now);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rsvp.person, p.id);
  EXPECT_EQ(r->rsvp.state, rsvp_state::pending);
  EXPECT_FALSE(store_->person_by_id(p.id)->guest);
}

TEST_F(RsvpStore, GuestAddressFollowsTheMemberRule) {
  // One rule for both (people_rows.h), so that a guest and a member with one address are one
  // person and no address a member may not have gets in as a guest.
  const auto e = meeting();
  for (const std::string& email :
       std::vector<std::string>{"", "anna", "@example.org", "anna@", "a@b@c", "an na@example.org",
                                "anna@exa\x01mple.org", std::string(250, 'a') + "@b.de"}) {
    EXPECT_FALSE(store_->ensure_person(email, "x")) << email;
    const auto r = store_->request_guest_rsvp(e.id, second, "Gast", email, rsvp_answer::yes, now);
    ASSERT_FALSE(r) << email;
    EXPECT_EQ(r.error().code, errc::invalid) << email;
    EXPECT_EQ(r.error().field, "email") << email;
  }
  const auto p = member(1);
  const auto r = store_->request_guest_rsvp(e.id, second, "Gast", "\t Member1@EXAMPLE.org \n",
                                            rsvp_answer::yes, now);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rsvp.person, p.id);
}

TEST_F(RsvpStore, AttendeesCarryWhoTheyAre) {
  const auto e = meeting();
  const auto guest = confirmed_guest(e, rsvp_answer::yes, now + 1min);
  const auto p = member(1);
  answer(e, p, rsvp_answer::maybe, now + 2min);
  const auto list = store_->attendees(e.id, second);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].who.id, guest.person);
  EXPECT_EQ(list[0].who.name, "Gast");
  EXPECT_EQ(list[0].who.email, "gast@example.org");
  EXPECT_TRUE(list[0].who.guest);
  EXPECT_EQ(list[1].who.id, p.id);
  EXPECT_EQ(list[1].who.name, "Mitglied 1");
  EXPECT_EQ(list[1].who.email, "member1@example.org");
  EXPECT_EQ(list[1].who.language, "de");
  EXPECT_FALSE(list[1].who.guest);
  EXPECT_EQ(list[1].who.created, p.created);
}

TEST_F(RsvpStore, GuestRequestIsCheckedLikeAnyRsvp) {
  const auto e = meeting();
  auto r = store_->request_guest_rsvp(e.id, second, "Gast", "kein-at", rsvp_answer::yes, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid);
  r = store_->request_guest_rsvp(e.id, second, "  ", "gast@example.org", rsvp_answer::yes, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid);
  r = store_->request_guest_rsvp(e.id, second, "Gast", "gast@example.org", rsvp_answer::yes,
                                 second_start);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::occurrence_past);
  EXPECT_EQ(store_->person_by_email("gast@example.org"), std::nullopt);

  const auto unknown = store_->confirm_guest_rsvp("no-such-token", now);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, errc::not_found);
}

// ---- two members, the last place ----------------------------------------------------------

/// `count` members answer yes to the one place at the same moment, member i through
/// stores[i % stores.size()]; exactly one gets it and the rest queue without gaps.
void race_for_one_place(const std::vector<store*>& stores, const cal::event& e,
                        const std::vector<person>& people) {
  const auto count = static_cast<std::ptrdiff_t>(people.size());
  std::latch start(count);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < people.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      const auto r =
          stores[i % stores.size()]->set_rsvp(e.id, second, people[i].id, rsvp_answer::yes, now);
      if (!r || !r->promoted.empty()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);

  int going = 0;
  std::set<int> positions;
  for (const auto& p : people) {
    const auto r = stores[0]->rsvp_of(e.id, second, p.id);
    ASSERT_TRUE(r);
    if (r->state == rsvp_state::going) {
      ++going;
    } else {
      EXPECT_EQ(r->state, rsvp_state::waitlisted);
      positions.insert(r->waitlist_position);
    }
  }
  EXPECT_EQ(going, 1);
  std::set<int> expected;
  for (int i = 1; i < static_cast<int>(people.size()); ++i) expected.insert(i);
  EXPECT_EQ(positions, expected);
  const auto o = stores[0]->occupancy_of(e.id, second);
  EXPECT_EQ(o.going, 1);
  EXPECT_EQ(o.waitlisted, static_cast<int>(people.size()) - 1);
}

TEST_F(RsvpStore, SixteenThreadsRaceForTheLastPlace) {
  const auto e = meeting(1);
  race_for_one_place({store_.get()}, e, members(16));
}

TEST_F(RsvpStore, TwoStoresOnOneDirectoryRaceForTheLastPlace) {
  // Two store objects are two writers on one file or database, as two processes would be: not
  // the store's mutex stands between them but SQLite's own lock (BEGIN IMMEDIATE), or on
  // PostgreSQL the lock on the event's row that both take before they count.
  const auto e = meeting(1);
  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  race_for_one_place({store_.get(), other->get()}, e, members(32));
}

// Group commit (SQLite): writes that queue while another holds the writer share one transaction,
// each in a savepoint of its own. One that fails inside the group takes nothing of the others
// with it, and leaves nothing of its own.
TEST_F(RsvpStore, WritesQueuedTogetherShareOneTransactionAndFailAlone) {
  const auto e = meeting();
  const auto people = members(9);
  std::latch first_inside(1);
  std::atomic<int> started{0};
  // The first RSVP holds the writer (its mails are composed inside the transaction) until the
  // eight others have called set_rsvp and had time to queue behind it.
  const treffpunkt::storage::rsvp_mails hold = [&](const treffpunkt::storage::rsvp_change&,
                                                   const cal::event&) {
    first_inside.count_down();
    while (started.load() < 8) std::this_thread::yield();
    std::this_thread::sleep_for(200ms);
    return std::vector<treffpunkt::storage::outbox_message>{};
  };
  const treffpunkt::storage::rsvp_mails throws =
      [](const treffpunkt::storage::rsvp_change&,
         const cal::event&) -> std::vector<treffpunkt::storage::outbox_message> {
    throw std::runtime_error("cannot compose");
  };
  const treffpunkt::storage::rsvp_mails one_mail = [](const treffpunkt::storage::rsvp_change& c,
                                                      const cal::event&) {
    return std::vector<treffpunkt::storage::outbox_message>{
        {"rsvp_confirmation", "x@example.org", "confirmation", now,
         "rsvp:" + std::to_string(c.rsvp.person.value)}};
  };
  const auto before = store_->durability();

  std::vector<std::optional<treffpunkt::storage::result<treffpunkt::storage::rsvp_change>>>
      outcomes(people.size());
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    outcomes[0] = store_->set_rsvp(e.id, second, people[0].id, rsvp_answer::yes, now, hold, "");
  });
  first_inside.wait();
  for (std::size_t i = 1; i < people.size(); ++i) {
    threads.emplace_back([&, i] {
      started.fetch_add(1);
      if (i == 3) {  // its body fails: rolled back to its savepoint
        outcomes[i] =
            store_->set_rsvp(e.id, second, people[i].id, rsvp_answer::yes, now, throws, "");
      } else if (i == 5) {  // refused before writing anything
        outcomes[i] = store_->set_rsvp(e.id, second, treffpunkt::storage::person_id{4711},
                                       rsvp_answer::yes, now);
      } else {
        outcomes[i] =
            store_->set_rsvp(e.id, second, people[i].id, rsvp_answer::yes, now, one_mail, "");
      }
    });
  }
  for (auto& t : threads) t.join();

  for (std::size_t i = 0; i < people.size(); ++i) {
    ASSERT_TRUE(outcomes[i].has_value());
    const auto& r = *outcomes[i];
    if (i == 3 || i == 5) {
      EXPECT_FALSE(r) << i;
      EXPECT_FALSE(store_->rsvp_of(e.id, second, people[i].id)) << i;
    } else {
      ASSERT_TRUE(r) << i << ": " << r.error().message;
      const auto stored = store_->rsvp_of(e.id, second, people[i].id);
      ASSERT_TRUE(stored) << i;
      EXPECT_EQ(stored->state, rsvp_state::going);
    }
  }
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 7);
  EXPECT_EQ(store_->outbox_depth(), 6);  // the six one_mail writes, not the failed one's
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'rsvp'"), 7);
  // On SQLite the eight that queued committed together: two commits in all. PostgreSQL has
  // its own group commit, and each write is a transaction of its own there.
  // Seven writes were kept, in those two commits.
  if (!on_postgres()) {
    EXPECT_EQ(store_->durability().commits, before.commits + 2);
  }
  EXPECT_EQ(store_->durability().writes, before.writes + 7);
}

TEST_F(RsvpStore, TwoStoresManyThreadsKeepPlacesAndWaitlistWhileAnswersAndCapacityChange) {
  // Harder than the race for one place: through two stores, every member changes their
  // answer twice (a place freed moves the head of the waitlist up, in the same transaction)
  // while another thread raises the capacity (which moves people up too). Counting and writing
  // interleaved anywhere would show at the end as more going than places, a free place while
  // people wait, or two people at one waitlist position.
  const auto e = meeting(3);
  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  const std::vector<store*> stores{store_.get(), other->get()};
  const auto people = members(24);
  for (std::size_t i = 0; i < people.size(); ++i) {
    ASSERT_TRUE(stores[i % 2]->set_rsvp(e.id, second, people[i].id, rsvp_answer::yes, now));
  }

  std::latch start(static_cast<std::ptrdiff_t>(people.size()) + 1);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < people.size(); ++i) {
    threads.emplace_back([&, i] {
      store& s = *stores[i % 2];
      start.arrive_and_wait();
      // Odd ones leave and come back (at the end of the waitlist), even ones say maybe first.
      const auto away = i % 2 == 1 ? rsvp_answer::no : rsvp_answer::maybe;
      if (!s.set_rsvp(e.id, second, people[i].id, away, now)) ++failures;
      if (!s.set_rsvp(e.id, second, people[i].id, rsvp_answer::yes, now)) ++failures;
    });
  }
  threads.emplace_back([&] {
    auto bigger = e;
    bigger.capacity = 5;
    start.arrive_and_wait();
    if (!stores[1]->update_event(bigger, actor::system(), now)) ++failures;
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);

  // Everyone said yes last: the five places are taken, the other 19 wait at 1..19.
  int going = 0;
  std::multiset<int> positions;
  for (const auto& p : people) {
    const auto r = stores[0]->rsvp_of(e.id, second, p.id);
    ASSERT_TRUE(r);
    if (r->state == rsvp_state::going) {
      ++going;
    } else {
      EXPECT_EQ(r->state, rsvp_state::waitlisted);
      positions.insert(r->waitlist_position);
    }
  }
  EXPECT_EQ(going, 5);
  std::multiset<int> expected;
  for (int i = 1; i <= 19; ++i) expected.insert(i);
  EXPECT_EQ(positions, expected);
  const auto o = stores[1]->occupancy_of(e.id, second);
  EXPECT_EQ(o.capacity, 5);
  EXPECT_EQ(o.going, 5);
  EXPECT_EQ(o.waitlisted, 19);
}

TEST_F(RsvpStore, AnRsvpThatPostgresqlRollsBackAsADeadlockRunsAgain) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite's writers take one lock, they never deadlock";
  // Another writer holds the member's row and then asks for the event's, which the RSVP holds
  // while it waits for the member's row: PostgreSQL rolls back the one that waited first (its
  // deadlock check runs first), the RSVP. The store runs it again rather than failing.
  const auto e = meeting(1);
  const auto p = member(1);
  auto other = connect_postgres();
  other->exec("BEGIN");
  other->exec("UPDATE people SET version = version + 1 WHERE id = " + std::to_string(p.id.value));
  std::optional<treffpunkt::storage::result<treffpunkt::storage::rsvp_change>> answered;
  std::thread rsvp([&] { answered = store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, now); });
  auto& waiting = other->prepare(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
      "AND wait_event_type = 'Lock'");
  for (int i = 0; i < 1000; ++i) {
    waiting.step();
    const bool waits = waiting.int64(0) > 0;
    waiting.reset();
    if (waits) break;
    std::this_thread::sleep_for(10ms);
  }
  // Each waiter checks for a deadlock once, deadlock_timeout (1 s) after it began to wait.
  // Closing the cycle half-way through the RSVP's wait leaves half a second on both sides:
  // the cycle exists when the RSVP checks, and the RSVP checks well before this connection
  // would, also on a loaded machine (closing it at once left 10 ms, and failed under load).
  std::this_thread::sleep_for(500ms);
  bool we_were_rolled_back = false;
  try {
    other->exec("SELECT 1 FROM events WHERE id = " + std::to_string(e.id.value) + " FOR UPDATE");
    other->exec("COMMIT");
  } catch (const treffpunkt::storage::sql::failure& f) {
    EXPECT_TRUE(f.is_serialization()) << f.what();
    other->exec("ROLLBACK");
    we_were_rolled_back = true;
  }
  rsvp.join();
  EXPECT_FALSE(we_were_rolled_back);  // so the RSVP was, and ran again
  ASSERT_TRUE(answered);
  ASSERT_TRUE(*answered) << answered->error().message;
  EXPECT_EQ((*answered)->rsvp.state, rsvp_state::going);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 1);
}

// ---- mails in the RSVP's transaction -------------------------------------------------------

TEST_F(RsvpStore, MailsAreQueuedWithTheRsvpAndRemindersDroppedWhenNotGoing) {
  const auto e = meeting();
  const auto p = member(1);
  int calls = 0;
  const treffpunkt::storage::rsvp_mails mails = [&](const treffpunkt::storage::rsvp_change& c,
                                                    const cal::event& current) {
    ++calls;
    EXPECT_EQ(current.id, e.id);
    std::vector<treffpunkt::storage::outbox_message> out;
    if (c.rsvp.state == rsvp_state::going) {
      out.push_back({"rsvp_confirmation", "member1@example.org", "confirmation", now,
                     "rsvp:" + std::to_string(calls)});
      out.push_back(
          {"reminder", "member1@example.org", "reminder", second_start - 24h, "reminder:m1:day"});
    }
    return out;
  };
  auto yes = store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, now, mails, "reminder:m1:");
  ASSERT_TRUE(yes) << yes.error().message;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(store_->outbox_depth(), 2);

  // Saying yes again changes nothing and queues nothing.
  ASSERT_TRUE(store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, now, mails, "reminder:m1:"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(store_->outbox_depth(), 2);

  // No drops the queued reminder, keeps the confirmation.
  ASSERT_TRUE(store_->set_rsvp(e.id, second, p.id, rsvp_answer::no, now, mails, "reminder:m1:"));
  EXPECT_EQ(calls, 2);
  const auto rows = store_->outbox_list(10);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].kind, "rsvp_confirmation");
}

TEST_F(RsvpStore, FailingMailsRollTheRsvpBack) {
  const auto e = meeting(1);
  const auto p = member(1);
  const treffpunkt::storage::rsvp_mails throws =
      [](const treffpunkt::storage::rsvp_change&,
         const cal::event&) -> std::vector<treffpunkt::storage::outbox_message> {
    throw std::runtime_error("cannot compose");
  };
  const auto refused = store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, now, throws);
  ASSERT_FALSE(refused);
  expect_nothing_stored(e, p);
  EXPECT_EQ(store_->outbox_depth(), 0);

  // A message that cannot be queued (no recipient) rolls back the RSVP and what was queued.
  const treffpunkt::storage::rsvp_mails unqueueable = [](const treffpunkt::storage::rsvp_change&,
                                                         const cal::event&) {
    return std::vector<treffpunkt::storage::outbox_message>{
        {"rsvp_confirmation", "member1@example.org", "fine", now, "ok"},
        {"rsvp_confirmation", "", "no recipient", now, "bad"}};
  };
  ASSERT_FALSE(store_->set_rsvp(e.id, second, p.id, rsvp_answer::yes, now, unqueueable));
  expect_nothing_stored(e, p);
  EXPECT_EQ(store_->outbox_depth(), 0);
}

// ---- mails in an occurrence change's transaction --------------------------------------------

TEST_F(RsvpStore, OccurrenceMailsGoToTheGoingAndQueuedRemindersAreDropped) {
  const auto e = meeting(1);
  const auto people = members(2);
  answer(e, people[0], rsvp_answer::yes);  // going
  answer(e, people[1], rsvp_answer::yes);  // waitlisted: not told
  ASSERT_TRUE(store_->enqueue(
      {"reminder", "member1@example.org", "old", second_start - 24h, "rem:occ:1:day"}, now));
  ASSERT_TRUE(
      store_->enqueue({"reminder", "other@example.org", "other", now, "rem:other:1:day"}, now));

  int calls = 0;
  const treffpunkt::storage::occurrence_mails mails =
      [&](const cal::event& after, const std::vector<treffpunkt::storage::attendee>& going) {
        ++calls;
        EXPECT_EQ(after.id, e.id);
        std::vector<treffpunkt::storage::outbox_message> out;
        EXPECT_EQ(going.size(), 1U);
        for (const auto& a : going) {
          EXPECT_EQ(a.who.id, people[0].id);
          EXPECT_EQ(a.rsvp.state, rsvp_state::going);
          out.push_back({"moved", a.who.email, "moved", now, "moved:" + a.who.email});
        }
        return out;
      };
  cal::occurrence_override move;
  move.key = second;
  move.start = local(2026, 3, 12, 18);
  const auto moved = store_->set_override(e.id, move, actor::system(), now + 1h, mails, "rem:occ:");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(calls, 1);
  ASSERT_NE(moved->find_override(second), nullptr);
  const auto rows = store_->outbox_list(10);
  ASSERT_EQ(rows.size(), 2U);  // the other occurrence's reminder stays, this one's is gone
  std::vector<std::string> kinds;
  for (const auto& r : rows) kinds.push_back(r.kind);
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"moved", "reminder"}));

  // A failing callback rolls the override back, and the drop with it.
  ASSERT_TRUE(
      store_->enqueue({"reminder", "member1@example.org", "new", now, "rem:occ:1:hour"}, now));
  const treffpunkt::storage::occurrence_mails throws =
      [](const cal::event&, const std::vector<treffpunkt::storage::attendee>&)
      -> std::vector<treffpunkt::storage::outbox_message> {
    throw std::runtime_error("cannot compose");
  };
  cal::occurrence_override cancel;
  cancel.key = second;
  cancel.cancelled = true;
  ASSERT_FALSE(store_->set_override(e.id, cancel, actor::system(), now + 2h, throws, "rem:occ:"));
  const auto kept = store_->event_by_id(e.id);
  ASSERT_TRUE(kept);
  ASSERT_NE(kept->find_override(second), nullptr);
  EXPECT_FALSE(kept->find_override(second)->cancelled);
  EXPECT_EQ(store_->outbox_depth(), 3);
}

// ---- mails in an event edit's, cancel's and split's transaction ------------------------------

namespace st = treffpunkt::storage;

TEST_F(RsvpStore, RaisedCapacityHandsThePromotedToTheMails) {
  auto e = meeting(1);
  const auto people = members(3);
  for (const auto& p : people) answer(e, p, rsvp_answer::yes);
  int calls = 0;
  const st::event_update_mails mails = [&](const st::event_update& u) {
    ++calls;
    EXPECT_EQ(u.before.capacity, 1);
    EXPECT_EQ(u.after.capacity, 2);
    EXPECT_TRUE(u.changed.empty());  // the capacity is not a time or a place
    st::mail_plan plan;
    for (const auto& r : u.promoted) {
      EXPECT_EQ(r.key, second);
      EXPECT_EQ(r.state, rsvp_state::going);
      plan.queue.push_back({"waitlist_promotion", "x@example.org", "promoted", now,
                            "promoted:" + std::to_string(r.person.value)});
    }
    return plan;
  };
  e.capacity = 2;
  ASSERT_TRUE(store_->update_event(e, actor::system(), now + 1h, mails));
  EXPECT_EQ(calls, 1);
  const auto rows = store_->outbox_list(10);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].dedupe_key, "promoted:" + std::to_string(people[1].id.value));

  // A failing callback rolls the edit and its promotions back.
  const st::event_update_mails throws = [](const st::event_update&) -> st::mail_plan {
    throw std::runtime_error("cannot compose");
  };
  e = *store_->event_by_id(e.id);
  e.capacity = 3;
  ASSERT_FALSE(store_->update_event(e, actor::system(), now + 2h, throws));
  EXPECT_EQ(store_->event_by_id(e.id)->capacity, 2);
  EXPECT_EQ(store_->rsvp_of(e.id, second, people[2].id)->state, rsvp_state::waitlisted);
  EXPECT_EQ(store_->outbox_depth(), 1);
}

TEST_F(RsvpStore, EditedSeriesListsTheUpcomingChangedOccurrencesWithThoseGoing) {
  auto e = meeting();
  const auto people = members(2);
  answer(e, people[0], rsvp_answer::yes);
  answer(e, people[1], rsvp_answer::maybe);  // not going: not told
  // Going to the first occurrence too, which has started when the series is edited.
  ASSERT_TRUE(store_->set_rsvp(e.id, first_occurrence, people[0].id, rsvp_answer::yes, now));
  ASSERT_TRUE(store_->enqueue({"reminder", "a@example.org", "old", now, "rem:second:"}, now));

  std::vector<st::occurrence_going> seen;
  const st::event_update_mails mails = [&](const st::event_update& u) {
    seen = u.changed;
    return st::mail_plan{{"rem:second:"}, {}};
  };
  // A title alone changes no one's calendar time or place.
  e.title = "Neuer Titel";
  ASSERT_TRUE(store_->update_event(e, actor::system(), now, mails));
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(store_->outbox_depth(), 0);  // the plan's drop ran

  e = *store_->event_by_id(e.id);
  e.start = local(2026, 3, 3, 20);  // an hour later, every week: new keys
  const auto edited = store_->update_event(e, actor::system(), utc(2026, 3, 4), mails);
  ASSERT_TRUE(edited) << edited.error().message;
  const auto later = occurrence_key::timed(utc(2026, 3, 10, 19));
  ASSERT_EQ(seen.size(), 1U);  // the first had started
  EXPECT_EQ(seen[0].key, later);
  EXPECT_EQ(seen[0].previous_key, second);
  ASSERT_EQ(seen[0].going.size(), 1U);
  EXPECT_EQ(seen[0].going[0].who.id, people[0].id);
  // The RSVPs of the upcoming occurrence followed it to its new key; the started one's stayed.
  EXPECT_EQ(store_->rsvp_of(e.id, later, people[0].id)->state, rsvp_state::going);
  EXPECT_EQ(store_->rsvp_of(e.id, later, people[1].id)->state, rsvp_state::maybe);
  EXPECT_FALSE(store_->rsvp_of(e.id, second, people[0].id));
  EXPECT_TRUE(store_->rsvp_of(e.id, first_occurrence, people[0].id));
  EXPECT_EQ(store_->occupancy_of(e.id, later).going, 1);
}

TEST_F(RsvpStore, MovedOneOffEventTakesItsRsvpsAlong) {
  cal::event e;
  e.unit = unit_;
  e.title = "Workshop";
  e.zone = "Europe/Berlin";
  e.start = local(2026, 3, 10, 19);
  e.capacity = 1;
  e = *store_->create_event(e, actor::system(), now);
  const auto people = members(2);
  answer(e, people[0], rsvp_answer::yes);
  answer(e, people[1], rsvp_answer::yes);  // waitlisted
  std::vector<st::occurrence_going> seen;
  const st::event_update_mails mails = [&](const st::event_update& u) {
    seen = u.changed;
    return st::mail_plan{};
  };
  e.start = local(2026, 3, 12, 18);  // another day and time
  ASSERT_TRUE(store_->update_event(e, actor::system(), now, mails));
  const auto moved = occurrence_key::timed(utc(2026, 3, 12, 17));
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].key, moved);
  EXPECT_EQ(seen[0].previous_key, second);
  const auto o = store_->occupancy_of(e.id, moved);
  EXPECT_EQ(o.going, 1);
  EXPECT_EQ(o.waitlisted, 1);
}

TEST_F(RsvpStore, EditOfTheSeriesRaisesTheSequenceOfItsOverrides) {
  auto e = meeting();
  cal::occurrence_override move;
  move.key = second;
  move.start = local(2026, 3, 11, 19);
  e = *store_->set_override(e.id, move, actor::system(), now);
  const int before = e.find_override(second)->sequence;
  e.location = "Anderswo";
  const auto edited = store_->update_event(e, actor::system(), now + 1h);
  ASSERT_TRUE(edited);
  EXPECT_GT(edited->find_override(second)->sequence, before);
  EXPECT_LE(edited->find_override(second)->sequence, edited->sequence);
  EXPECT_EQ(store_->event_by_id(e.id)->find_override(second)->sequence,
            edited->find_override(second)->sequence);
}

TEST_F(RsvpStore, CancelledEventHandsEachUpcomingOccurrenceWithThoseGoingToTheMails) {
  const auto e = meeting();
  const auto people = members(2);
  answer(e, people[0], rsvp_answer::yes);
  ASSERT_TRUE(store_->set_rsvp(e.id, third_occurrence, people[0].id, rsvp_answer::yes, now));
  ASSERT_TRUE(store_->set_rsvp(e.id, third_occurrence, people[1].id, rsvp_answer::yes, now));
  ASSERT_TRUE(store_->set_rsvp(e.id, first_occurrence, people[1].id, rsvp_answer::yes, now));
  ASSERT_TRUE(store_->enqueue({"reminder", "a@example.org", "r", now + 24h, "rem:e:1"}, now));
  ASSERT_TRUE(store_->enqueue({"reminder", "a@example.org", "r", now + 24h, "rem:f:1"}, now));

  int calls = 0;
  const st::event_cancel_mails mails = [&](const cal::event& before, const cal::event& after,
                                           const std::vector<st::occurrence_going>& upcoming) {
    ++calls;
    EXPECT_EQ(before.status, cal::event_status::confirmed);
    EXPECT_EQ(after.status, cal::event_status::cancelled);
    // The first occurrence has started at the cancel: history.
    EXPECT_EQ(upcoming.size(), 2U);
    st::mail_plan plan{{"rem:e:"}, {}};
    for (const auto& o : upcoming) {
      for (const auto& a : o.going) {
        plan.queue.push_back(
            {"cancelled", a.who.email, "c", now, "cancelled:" + std::to_string(a.who.id.value)});
      }
    }
    return plan;
  };
  const auto at = utc(2026, 3, 3, 19);  // the first occurrence runs
  ASSERT_TRUE(store_->cancel_event(e.id, actor::system(), at, mails));
  EXPECT_EQ(calls, 1);
  // people[0] twice (second and third), deduplicated by the key; people[1] once.
  std::vector<std::string> keys;
  for (const auto& r : store_->outbox_list(10)) keys.push_back(r.dedupe_key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"cancelled:" + std::to_string(people[0].id.value),
                                            "cancelled:" + std::to_string(people[1].id.value),
                                            "rem:f:1"}));
  // Cancelling again changes nothing and tells no one again.
  ASSERT_TRUE(store_->cancel_event(e.id, actor::system(), at, mails));
  EXPECT_EQ(calls, 1);
}

TEST_F(RsvpStore, FailingCancelMailsKeepTheEventAndItsReminders) {
  const auto e = meeting();
  answer(e, member(1), rsvp_answer::yes);
  ASSERT_TRUE(store_->enqueue({"reminder", "a@example.org", "r", now + 24h, "rem:e:1"}, now));
  const st::event_cancel_mails throws =
      [](const cal::event&, const cal::event&,
         const std::vector<st::occurrence_going>&) -> st::mail_plan {
    throw std::runtime_error("cannot compose");
  };
  ASSERT_FALSE(store_->cancel_event(e.id, actor::system(), now, throws));
  EXPECT_EQ(store_->event_by_id(e.id)->status, cal::event_status::confirmed);
  EXPECT_EQ(store_->outbox_depth(), 1);
}

TEST_F(RsvpStore, SplitHandsTheMovedGoingRsvpsToTheMails) {
  const auto e = meeting();
  const auto people = members(2);
  answer(e, people[0], rsvp_answer::yes);  // stays with the old series
  ASSERT_TRUE(store_->set_rsvp(e.id, third_occurrence, people[1].id, rsvp_answer::yes, now));
  std::vector<st::occurrence_going> seen;
  cal::event_id new_id;
  const st::event_split_mails mails = [&](const cal::event& old_series,
                                          const cal::event& new_series,
                                          const std::vector<st::occurrence_going>& moved) {
    EXPECT_EQ(old_series.id, e.id);
    new_id = new_series.id;
    seen = moved;
    return st::mail_plan{{}, {{"reminder", "b@example.org", "r", now, "reminder:new"}}};
  };
  const auto split = store_->split_event(e.id, third_occurrence, actor::system(), now, mails);
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(new_id, split->second.id);
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].key, third_occurrence);
  ASSERT_EQ(seen[0].going.size(), 1U);
  EXPECT_EQ(seen[0].going[0].who.id, people[1].id);
  EXPECT_EQ(seen[0].going[0].rsvp.event, split->second.id);
  EXPECT_EQ(store_->outbox_depth(), 1);
}

}  // namespace
