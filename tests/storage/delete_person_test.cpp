#include <calendar/event.h>
#include <calendar/recurrence.h>
#include <calendar/rsvp.h>
#include <date/date.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/store.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
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
using treffpunkt::storage::outbox_message;
using treffpunkt::storage::person;
using treffpunkt::storage::rsvp_state;
using treffpunkt::storage::token_kind;
using treffpunkt::storage::testing::sql_int;

const utc_seconds now = utc(2026, 3, 1, 12);
/// The meeting's first occurrence: Tuesday 2026-03-03, 19:00 in Berlin.
const occurrence_key first = occurrence_key::timed(utc(2026, 3, 3, 18));

/// How many cells of every table of the database at `path` contain `needle` (as text).
int cells_containing(const std::filesystem::path& path, const std::string& needle) {
  sqlite3* db = nullptr;
  int found = 0;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
    sqlite3_close(db);
    return -1;
  }
  std::vector<std::string> tables;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_finalize(s);
  for (const auto& table : tables) {
    sqlite3_prepare_v2(db, ("SELECT * FROM \"" + table + "\"").c_str(), -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(s, i));
        const std::string cell(bytes ? bytes : "",
                               static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
        if (cell.find(needle) != std::string::npos) {
          ADD_FAILURE() << needle << " left in " << table << ": " << cell.substr(0, 200);
          ++found;
        }
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return found;
}

class DeletePerson : public treffpunkt::storage::testing::store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    if (HasFatalFailure()) return;
    unit_ = make_unit("bildung").id;
    cal::event e;
    e.unit = unit_;
    e.title = "Austausch Bildungsarbeit";
    e.zone = "Europe/Berlin";
    e.start = date::local_days{date::year{2026} / 3 / 3} + 19h;
    e.rule = cal::recurrence_rule::parse("FREQ=WEEKLY;COUNT=10").value();
    e.capacity = 2;
    auto created = store_->create_event(e, actor::system(), now - 24h * 30);
    ASSERT_TRUE(created) << created.error().message;
    event_ = *created;
  }

  cal::unit_id unit_;
  cal::event event_;
};

TEST_F(DeletePerson, GivesTheirPlacesToComeToTheWaitlistAndLeavesNoPersonalDataAnywhere) {
  const person ada = make_person("ada.geheim@example.org", "Ada Geheimname");
  const person bo = make_person("bo@example.org", "Bo");
  const person cy = make_person("cy@example.org", "Cy");
  ASSERT_TRUE(store_->add_responsible(unit_, ada.id, actor::system()));
  ASSERT_TRUE(store_->set_follow(ada.id, unit_, true));
  ASSERT_TRUE(store_->set_reminder_offsets(ada.id, {60min}));
  ASSERT_TRUE(store_->set_rsvp(event_.id, first, ada.id, rsvp_answer::yes, now));
  ASSERT_TRUE(store_->set_rsvp(event_.id, first, bo.id, rsvp_answer::yes, now));
  ASSERT_TRUE(store_->set_rsvp(event_.id, first, cy.id, rsvp_answer::yes, now));  // waitlisted
  for (const auto kind :
       {token_kind::session, token_kind::api, token_kind::feed, token_kind::login}) {
    store_->issue_token(kind, ada.id, 24h, now);
  }
  ASSERT_TRUE(store_->enqueue(
      outbox_message{"reminder", "ada.geheim@example.org",
                     "To: Ada Geheimname <ada.geheim@example.org>\r\n", now + 1h, "reminder:ada"},
      now));
  ASSERT_TRUE(store_->enqueue(
      outbox_message{"notice", "bo@example.org", "To: bo\r\n", now + 1h, "notice:bo"}, now));
  const auto before = store_->occupancy_of(event_.id, first);
  ASSERT_EQ(before.going, 2);
  ASSERT_EQ(before.waitlisted, 1);

  ASSERT_TRUE(store_->delete_person(ada.id, actor::of(ada.id), now + 1h));

  // Ada does not come: her place goes to Cy, first on the waitlist.
  const auto after = store_->occupancy_of(event_.id, first);
  EXPECT_EQ(after.going, 2);
  EXPECT_EQ(after.waitlisted, 0);
  EXPECT_EQ(store_->rsvp_of(event_.id, first, cy.id)->state, rsvp_state::going);
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'rsvp_promoted'"), 1);
  // Nobody sees or mails the tombstone.
  const auto attendees = store_->attendees(event_.id, first);
  ASSERT_EQ(attendees.size(), 2U);
  EXPECT_EQ(attendees[0].who.id, bo.id);
  EXPECT_EQ(attendees[1].who.id, cy.id);
  EXPECT_TRUE(store_->responsibles(unit_).empty());
  EXPECT_TRUE(store_->follows(ada.id).empty());
  for (const auto kind :
       {token_kind::session, token_kind::api, token_kind::feed, token_kind::login}) {
    EXPECT_TRUE(store_->list_tokens(ada.id, kind, now + 1h).empty());
  }
  EXPECT_EQ(store_->outbox_depth(), 1);  // Bo's message stays
  // ... with its body; Ada's went with her message (outbox_messages, v11: ON DELETE CASCADE).
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox_messages"), 1);
  EXPECT_FALSE(store_->person_by_email("ada.geheim@example.org"));

  // Neither the address nor the name is anywhere in the database: not in a table, and (with
  // secure_delete) not in the file's free pages once the WAL is checkpointed.
  EXPECT_EQ(cells_containing(db_path(), "ada.geheim"), 0);
  EXPECT_EQ(cells_containing(db_path(), "Geheimname"), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'delete_person'"), 1);
  reopen();  // closing checkpoints the WAL into the file
  store_.reset();
  std::ifstream file(db_path(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find("ada.geheim"), std::string::npos);
  EXPECT_EQ(bytes.find("Geheimname"), std::string::npos);
}

TEST_F(DeletePerson, OccurrencesThatHaveStartedKeepTheirCounts) {
  const person ada = make_person("ada@example.org", "Ada");
  const person bo = make_person("bo@example.org", "Bo");
  const person cy = make_person("cy@example.org", "Cy");
  const occurrence_key second = occurrence_key::timed(utc(2026, 3, 10, 18));
  for (const auto& who : {ada, bo, cy}) {
    ASSERT_TRUE(store_->set_rsvp(event_.id, first, who.id, rsvp_answer::yes, now));
  }
  ASSERT_TRUE(store_->set_rsvp(event_.id, second, ada.id, rsvp_answer::maybe, now));
  // During the first meeting (19:00 Berlin is 18:00 UTC): it has started.
  ASSERT_TRUE(store_->delete_person(ada.id, actor::of(ada.id), utc(2026, 3, 3, 18) + 30min));
  const auto o = store_->occupancy_of(event_.id, first);
  EXPECT_EQ(o.going, 2);  // Ada's anonymous place and Bo
  EXPECT_EQ(o.waitlisted, 1);
  EXPECT_EQ(store_->rsvp_of(event_.id, first, cy.id)->state, rsvp_state::waitlisted);
  // Her maybe for next week is withdrawn: it was about a meeting still to come.
  EXPECT_EQ(store_->occupancy_of(event_.id, second).maybe, 0);
}

TEST_F(DeletePerson, PromotionMailsAreComposedAndQueuedInTheSameTransaction) {
  const person ada = make_person("ada@example.org", "Ada");
  const person bo = make_person("bo@example.org", "Bo");
  const person cy = make_person("cy@example.org", "Cy");
  for (const auto& who : {ada, bo, cy}) {
    ASSERT_TRUE(store_->set_rsvp(event_.id, first, who.id, rsvp_answer::yes, now));
  }
  std::vector<treffpunkt::storage::released_places> told;
  const auto mails = [&](const std::vector<treffpunkt::storage::released_places>& released) {
    told = released;
    treffpunkt::storage::mail_plan plan;
    for (const auto& r : released) {
      for (const auto& promoted : r.promoted) {
        plan.queue.push_back(outbox_message{"waitlist_promotion", "cy@example.org", "To: cy\r\n",
                                            now,
                                            "promoted:" + std::to_string(promoted.person.value)});
      }
    }
    return plan;
  };
  ASSERT_TRUE(store_->delete_person(ada.id, actor::of(ada.id), now, mails));
  ASSERT_EQ(told.size(), 1U);
  EXPECT_EQ(told[0].event.id, event_.id);
  ASSERT_EQ(told[0].promoted.size(), 1U);
  EXPECT_EQ(told[0].promoted[0].person, cy.id);
  EXPECT_EQ(told[0].promoted[0].state, rsvp_state::going);
  EXPECT_EQ(store_->outbox_depth(), 1);

  // A composer that throws rolls the whole deletion back.
  const auto failing = [](const std::vector<treffpunkt::storage::released_places>&)
      -> treffpunkt::storage::mail_plan { throw std::runtime_error("no template"); };
  const auto refused = store_->delete_person(bo.id, actor::of(bo.id), now, failing);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::invalid);
  EXPECT_TRUE(store_->person_by_email("bo@example.org"));
  EXPECT_EQ(store_->rsvp_of(event_.id, first, bo.id)->state, rsvp_state::going);
}

TEST_F(DeletePerson, WaitlistedMemberLeavesTheQueueInOrderWithoutPromotingAnyone) {
  std::vector<person> p;
  for (int i = 0; i < 5; ++i) {
    p.push_back(make_person("m" + std::to_string(i) + "@example.org", "M"));
    ASSERT_TRUE(store_->set_rsvp(event_.id, first, p.back().id, rsvp_answer::yes, now));
  }
  // m0, m1 going; m2, m3, m4 waitlisted 1, 2, 3.
  ASSERT_TRUE(store_->delete_person(p[3].id, actor::system(), now));
  EXPECT_EQ(store_->rsvp_of(event_.id, first, p[3].id), std::nullopt);
  EXPECT_EQ(store_->rsvp_of(event_.id, first, p[2].id)->waitlist_position, 1);
  EXPECT_EQ(store_->rsvp_of(event_.id, first, p[4].id)->waitlist_position, 2);
  const auto o = store_->occupancy_of(event_.id, first);
  EXPECT_EQ(o.going, 2);
  EXPECT_EQ(o.waitlisted, 2);
  // A withdrawal later still promotes the first in line.
  ASSERT_TRUE(store_->set_rsvp(event_.id, first, p[0].id, rsvp_answer::no, now));
  EXPECT_EQ(store_->rsvp_of(event_.id, first, p[2].id)->state, rsvp_state::going);
}

TEST_F(DeletePerson, TheSameAddressSignsUpFreshAfterwards) {
  const person old = make_person("wieder@example.org", "Alt");
  ASSERT_TRUE(store_->set_follow(old.id, unit_, true));
  ASSERT_TRUE(store_->delete_person(old.id, actor::of(old.id), now));
  const person fresh = make_person("wieder@example.org", "Neu");
  EXPECT_NE(fresh.id, old.id);
  EXPECT_TRUE(store_->follows(fresh.id).empty());
  EXPECT_EQ(store_->delete_person(old.id, actor::system(), now).error().code, errc::not_found);
}

TEST_F(DeletePerson, OnlyThePersonOrAnAdminMayAndNeverTheLastAdmin) {
  const person admin = make_person("admin@example.org", "Admin");
  const person other = make_person("other@example.org", "Other");
  ASSERT_TRUE(store_->set_admin(admin.id, true, actor::system()));
  EXPECT_EQ(store_->delete_person(admin.id, actor::of(other.id), now).error().code,
            errc::forbidden);
  const auto last = store_->delete_person(admin.id, actor::of(admin.id), now);
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, errc::conflict);
  EXPECT_TRUE(store_->person_by_email("admin@example.org"));
  // With a second admin, the first may go; an admin may delete someone else.
  ASSERT_TRUE(store_->set_admin(other.id, true, actor::system()));
  EXPECT_TRUE(store_->delete_person(admin.id, actor::of(admin.id), now));
  const person third = make_person("third@example.org", "Third");
  EXPECT_TRUE(store_->delete_person(third.id, actor::of(other.id), now));
}

// The last two admins delete themselves at the same moment, each through a store of its own
// (two processes on one database): one goes, the other is refused as the last admin.
TEST_F(DeletePerson, TwoLastAdminsLeavingAtOnceThroughTwoStoresLeaveOne) {
  auto another = open_another();
  ASSERT_TRUE(another) << another.error().message;
  std::optional<person> survivor;
  for (int round = 0; round < 8; ++round) {
    const std::string n = std::to_string(round);
    const person a = make_person("a" + n + "@example.org", "A");
    const person b = make_person("b" + n + "@example.org", "B");
    ASSERT_TRUE(store_->set_admin(a.id, true, actor::system()));
    ASSERT_TRUE(store_->set_admin(b.id, true, actor::system()));
    // The previous round's survivor steps down, so that a and b are the last two.
    if (survivor) {
      ASSERT_TRUE(store_->set_admin(survivor->id, false, actor::system()));
    }
    ASSERT_EQ(query_int("SELECT count(*) FROM people WHERE admin = 1 AND deleted IS NULL"), 2);
    std::atomic<int> ready{0};
    std::optional<treffpunkt::storage::result<void>> of_a;
    std::optional<treffpunkt::storage::result<void>> of_b;
    auto leave = [&](treffpunkt::storage::store& s, const person& p,
                     std::optional<treffpunkt::storage::result<void>>& out) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      out = s.delete_person(p.id, actor::of(p.id), now);
    };
    std::thread one(leave, std::ref(*store_), std::cref(a), std::ref(of_a));
    std::thread two(leave, std::ref(**another), std::cref(b), std::ref(of_b));
    one.join();
    two.join();
    ASSERT_TRUE(of_a && of_b);
    EXPECT_NE(of_a->has_value(), of_b->has_value()) << "round " << round;
    const auto& refused = of_a->has_value() ? *of_b : *of_a;
    if (!refused) {
      EXPECT_EQ(refused.error().code, errc::conflict);
    }
    EXPECT_EQ(query_int("SELECT count(*) FROM people WHERE admin = 1 AND deleted IS NULL"), 1);
    survivor = of_a->has_value() ? b : a;
  }
}

}  // namespace
