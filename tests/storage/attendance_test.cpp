#include <calendar/event.h>
#include <calendar/recurrence.h>
#include <calendar/rsvp.h>
#include <date/date.h>
#include <gtest/gtest.h>
#include <storage/store.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/test_time.h"
#include "store_fixture.h"

namespace {

using treffpunkt::testing::utc;
using namespace std::chrono_literals;
namespace cal = treffpunkt::calendar;
using cal::occurrence_key;
using cal::rsvp_answer;
using cal::utc_seconds;
using treffpunkt::storage::actor;
using treffpunkt::storage::errc;
using treffpunkt::storage::person;
using treffpunkt::storage::person_id;
using treffpunkt::storage::rsvp_state;
using treffpunkt::storage::testing::sql_int;

const utc_seconds before_all = utc(2026, 3, 1, 12);
/// The series' first occurrence: Tuesday 2026-03-03, 19:00 in Berlin (18:00 UTC).
const occurrence_key first = occurrence_key::timed(utc(2026, 3, 3, 18));
const occurrence_key second = occurrence_key::timed(utc(2026, 3, 10, 18));
/// During the first meeting.
const utc_seconds during = utc(2026, 3, 3, 18) + 30min;

class Attendance : public treffpunkt::storage::testing::store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    if (HasFatalFailure()) return;
    unit_ = make_unit("bildung").id;
    other_unit_ = make_unit("frauen").id;
    cal::event e;
    e.unit = unit_;
    e.title = "Austausch Bildungsarbeit";
    e.zone = "Europe/Berlin";
    e.start = date::local_days{date::year{2026} / 3 / 3} + 19h;
    e.rule = cal::recurrence_rule::parse("FREQ=WEEKLY;COUNT=10").value();
    e.capacity = 1;
    auto created = store_->create_event(e, actor::system(), before_all - 24h * 30);
    ASSERT_TRUE(created) << created.error().message;
    event_ = *created;
    resp_ = make_person("rosa@example.org", "Rosa");
    ASSERT_TRUE(store_->add_responsible(unit_, resp_.id, actor::system()));
    ada_ = make_person("ada@example.org", "Ada");
    bo_ = make_person("bo@example.org", "Bo");
    cy_ = make_person("cy@example.org", "Cy");
    dora_ = make_person("dora@example.org", "Dora");
    nina_ = make_person("nina@example.org", "Nina");
    ASSERT_TRUE(store_->set_rsvp(event_.id, first, ada_.id, rsvp_answer::yes, before_all));
    ASSERT_TRUE(store_->set_rsvp(event_.id, first, bo_.id, rsvp_answer::yes, before_all));
    ASSERT_TRUE(store_->set_rsvp(event_.id, first, cy_.id, rsvp_answer::maybe, before_all));
    ASSERT_TRUE(store_->set_rsvp(event_.id, first, nina_.id, rsvp_answer::no, before_all));
  }

  treffpunkt::storage::result<treffpunkt::storage::attendance_record> tick(
      std::vector<person_id> came, std::vector<std::string> walk_ins, const actor& who,
      utc_seconds at = during, const occurrence_key& key = first) {
    return store_->set_attendance(event_.id, key, came, walk_ins, who, at);
  }

  std::int64_t rows() const { return query_int("SELECT count(*) FROM attendance"); }

  cal::unit_id unit_;
  cal::unit_id other_unit_;
  cal::event event_;
  person resp_, ada_, bo_, cy_, dora_, nina_;
};

TEST_F(Attendance, ResponsibleTicksGoingWaitlistedMaybeAndWalkInsAndSavingReplaces) {
  const auto saved = tick({ada_.id, bo_.id, cy_.id}, {"Kim Gast"}, actor::of(resp_.id));
  ASSERT_TRUE(saved) << saved.error().message;
  ASSERT_EQ(saved->came.size(), 3U);
  EXPECT_EQ(saved->came[0].who.id, ada_.id);
  EXPECT_EQ(saved->came[0].state, rsvp_state::going);
  EXPECT_EQ(saved->came[1].who.id, bo_.id);
  EXPECT_EQ(saved->came[1].state, rsvp_state::waitlisted);
  EXPECT_EQ(saved->came[2].state, rsvp_state::maybe);
  EXPECT_EQ(saved->walk_ins, std::vector<std::string>{"Kim Gast"});
  EXPECT_EQ(saved->total(), 4);
  EXPECT_EQ(saved->recorded, during);

  // Saving again replaces the list.
  ASSERT_TRUE(tick({bo_.id}, {}, actor::of(resp_.id), during + 1h));
  const auto now = store_->attendance_of(event_.id, first);
  ASSERT_EQ(now.came.size(), 1U);
  EXPECT_EQ(now.came[0].who.id, bo_.id);
  EXPECT_TRUE(now.walk_ins.empty());
  EXPECT_EQ(now.recorded, during + 1h);
  EXPECT_EQ(rows(), 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'record_attendance'"), 2);
  const auto counts = store_->attendance_counts(event_.id);
  ASSERT_EQ(counts.size(), 1U);
  EXPECT_EQ(counts[0].first, first);
  EXPECT_EQ(counts[0].second, 1);
}

TEST_F(Attendance, AnEmptyListSaysNobodyCameAndDiffersFromNoList) {
  EXPECT_FALSE(store_->attendance_of(event_.id, first).recorded);
  ASSERT_TRUE(tick({}, {}, actor::of(resp_.id)));
  const auto list = store_->attendance_of(event_.id, first);
  EXPECT_TRUE(list.recorded);
  EXPECT_EQ(list.total(), 0);
  EXPECT_EQ(store_->attendance_counts(event_.id).size(), 1U);
}

TEST_F(Attendance, RefusalsWriteNothing) {
  ASSERT_TRUE(tick({ada_.id}, {"Kim"}, actor::of(resp_.id)));
  const auto expect_refused = [&](const auto& r, errc code, const std::string& field) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_EQ(r.error().field, field) << r.error().message;
  };
  const auto by = actor::of(resp_.id);
  // Before it starts (also a second before).
  expect_refused(tick({ada_.id}, {}, by, utc(2026, 3, 3, 18) - 1s), errc::not_started,
                 "occurrence");
  // Someone who did not answer, who said no, the same person twice.
  expect_refused(tick({dora_.id}, {}, by), errc::invalid, "came");
  expect_refused(tick({nina_.id}, {}, by), errc::invalid, "came");
  expect_refused(tick({ada_.id, ada_.id}, {}, by), errc::invalid, "came");
  expect_refused(tick({person_id{999}}, {}, by), errc::invalid, "came");
  // Empty, too long, multi-line or repeated walk-ins.
  expect_refused(tick({}, {""}, by), errc::invalid, "walk_ins");
  expect_refused(tick({}, {std::string(101, 'x')}, by), errc::invalid, "walk_ins");
  expect_refused(tick({}, {"Kim\nBcc"}, by), errc::invalid, "walk_ins");
  expect_refused(tick({}, {"Kim", "Kim"}, by), errc::invalid, "walk_ins");
  expect_refused(tick({}, {" Kim"}, by), errc::invalid, "walk_ins");
  // Someone who may not: a member who came, another unit's responsible.
  const person other = make_person("oleg@example.org", "Oleg");
  ASSERT_TRUE(store_->add_responsible(other_unit_, other.id, actor::system()));
  expect_refused(tick({}, {}, actor::of(ada_.id)), errc::forbidden, "");
  expect_refused(tick({}, {}, actor::of(other.id)), errc::forbidden, "");
  // No such occurrence.
  expect_refused(tick({}, {}, by, during, occurrence_key::timed(utc(2026, 3, 4, 18))),
                 errc::not_found, "occurrence");

  const auto list = store_->attendance_of(event_.id, first);
  ASSERT_EQ(list.came.size(), 1U);
  EXPECT_EQ(list.came[0].who.id, ada_.id);
  EXPECT_EQ(list.walk_ins, std::vector<std::string>{"Kim"});
  EXPECT_EQ(list.recorded, during);
  EXPECT_EQ(rows(), 2);
}

TEST_F(Attendance, ACancelledOccurrenceHasNoList) {
  cal::occurrence_override o;
  o.key = second;
  o.cancelled = true;
  ASSERT_TRUE(store_->set_override(event_.id, o, actor::system(), before_all));
  const auto r = tick({}, {"Kim"}, actor::of(resp_.id), utc(2026, 3, 11), second);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::occurrence_cancelled);
}

TEST_F(Attendance, AdminsAndTheSystemMayRecord) {
  const person admin = make_person("admin@example.org", "Admin");
  ASSERT_TRUE(store_->set_admin(admin.id, true, actor::system()));
  EXPECT_TRUE(tick({ada_.id}, {}, actor::of(admin.id)));
  EXPECT_TRUE(tick({cy_.id}, {}, actor::system()));
}

TEST_F(Attendance, DeletingAnAccountKeepsTheCountAndDropsTheLink) {
  ASSERT_TRUE(tick({ada_.id, bo_.id}, {"Kim"}, actor::of(resp_.id)));
  ASSERT_TRUE(store_->delete_person(ada_.id, actor::of(ada_.id), during + 2h));
  auto list = store_->attendance_of(event_.id, first);
  ASSERT_EQ(list.came.size(), 1U);
  EXPECT_EQ(list.came[0].who.id, bo_.id);
  EXPECT_EQ(list.anonymous, 1);
  EXPECT_EQ(list.total(), 3);
  EXPECT_EQ(query_int("SELECT count(*) FROM attendance WHERE person_id = " +
                      std::to_string(ada_.id.value)),
            0);
  // Saving the list again keeps the anonymous one: nobody can tick them any more.
  ASSERT_TRUE(tick({bo_.id}, {}, actor::of(resp_.id), during + 3h));
  list = store_->attendance_of(event_.id, first);
  EXPECT_EQ(list.anonymous, 1);
  EXPECT_EQ(list.total(), 2);
  EXPECT_EQ(store_->attendance_counts(event_.id)[0].second, 2);
}

TEST_F(Attendance, ThePersonsExportSaysWhereTheyCameButNotWhoElse) {
  ASSERT_TRUE(tick({ada_.id, bo_.id}, {"Kim Gast"}, actor::of(resp_.id)));
  const auto ada = store_->export_person_json(ada_.id);
  ASSERT_TRUE(ada);
  EXPECT_NE(ada->find("\"attendance\":[{\"event_id\":" + std::to_string(event_.id.value)),
            std::string::npos)
      << *ada;
  EXPECT_NE(ada->find(first.to_string()), std::string::npos);
  EXPECT_EQ(ada->find("Kim Gast"), std::string::npos);
  EXPECT_EQ(ada->find("bo@example.org"), std::string::npos);
  const auto dora = store_->export_person_json(dora_.id);
  ASSERT_TRUE(dora);
  EXPECT_NE(dora->find("\"attendance\":[]"), std::string::npos);
  // The backup has the lists.
  EXPECT_NE(store_->export_json().find("Kim Gast"), std::string::npos);
}

}  // namespace
