// The RSVP counts per occurrence (schema v10, table rsvp_counts): the triggers on rsvps keep
// them equal to a count of the rows, whatever path changes those (answers, guests,
// promotions, withdrawals, deleted people and events, moved occurrences, a split series); the
// migration counts what a v9 database holds; occupancy_of reads them. On SQLite and, as
// Pg.RsvpCounts.*, on PostgreSQL.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/recurrence.h>
#include <calendar/rsvp.h>
#include <date/date.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/store.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
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
using treffpunkt::storage::person;
using treffpunkt::storage::person_id;

/// RSVPs are given on Sunday 2026-03-01 (the occurrences below are all to come).
const utc_seconds now = utc(2026, 3, 1, 12);

/// A count of the RSVPs in `state` of one occurrence, from rsvps itself.
std::string count_of(const std::string& state, const std::string& event, const std::string& key) {
  return "SELECT COUNT(*) FROM rsvps WHERE event_id = " + event + " AND occurrence_key = " + key +
         " AND state = '" + state + "'";
}

class RsvpCounts : public treffpunkt::storage::testing::store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    if (HasFatalFailure()) return;
    unit_ = make_unit("zaehler").id;
  }

  /// Weekly at `hour` (Berlin) from `first`, `count` times.
  cal::event series(cal::local_seconds first, int count, std::optional<int> capacity) {
    cal::event e;
    e.unit = unit_;
    e.title = "Treffen";
    e.zone = "Europe/Berlin";
    e.start = first;
    e.rule = cal::recurrence_rule::parse("FREQ=WEEKLY;COUNT=" + std::to_string(count)).value();
    e.capacity = capacity;
    auto created = store_->create_event(e, actor::system(), now - 24h * 30);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : e;
  }

  void exec(const std::string& sql) const { exec_sql(sql); }

  /// The occurrences with a count row or an RSVP whose counts disagree with a count of their
  /// RSVPs by state (a missing count row reads as zeros): 0 when the counters are exact.
  std::int64_t disagreeing() const {
    const auto recounted = query_int(
        "SELECT COUNT(*) FROM (SELECT event_id, occurrence_key, "
        "SUM(CASE WHEN state = 'going' THEN 1 ELSE 0 END) AS g, "
        "SUM(CASE WHEN state = 'waitlisted' THEN 1 ELSE 0 END) AS w, "
        "SUM(CASE WHEN state = 'maybe' THEN 1 ELSE 0 END) AS m "
        "FROM rsvps GROUP BY event_id, occurrence_key) r LEFT JOIN rsvp_counts n "
        "ON n.event_id = r.event_id AND n.occurrence_key = r.occurrence_key "
        "WHERE COALESCE(n.going, 0) <> r.g OR COALESCE(n.waitlisted, 0) <> r.w "
        "OR COALESCE(n.maybe, 0) <> r.m");
    const auto stored = query_int(
        "SELECT COUNT(*) FROM rsvp_counts n WHERE "
        "going <> (" +
        count_of("going", "n.event_id", "n.occurrence_key") + ") OR waitlisted <> (" +
        count_of("waitlisted", "n.event_id", "n.occurrence_key") + ") OR maybe <> (" +
        count_of("maybe", "n.event_id", "n.occurrence_key") + ")");
    return recounted + stored;
  }

  /// occupancy_of(e, key) against a count of the rows.
  void expect_occupancy_counted(cal::event_id e, const occurrence_key& key,
                                const std::string& step) {
    const auto o = store_->occupancy_of(e, key);
    const std::string id = std::to_string(e.value);
    const std::string k = "'" + key.to_string() + "'";
    EXPECT_EQ(o.going, query_int(count_of("going", id, k))) << step;
    EXPECT_EQ(o.waitlisted, query_int(count_of("waitlisted", id, k))) << step;
    EXPECT_EQ(o.maybe, query_int(count_of("maybe", id, k))) << step;
  }

  cal::unit_id unit_;
};

TEST_F(RsvpCounts, OccupancyOfAHundredAnswersReadsTheCounts) {
  const auto e = series(local(2026, 3, 3, 19), 10, 60);
  const auto key = occurrence_key::timed(utc(2026, 3, 3, 18));
  // 70 yes (60 places, 10 waiting), 20 maybe, 10 no.
  for (int i = 0; i < 100; ++i) {
    const auto p = make_person("m" + std::to_string(i) + "@example.org");
    const auto a = i < 70 ? rsvp_answer::yes : i < 90 ? rsvp_answer::maybe : rsvp_answer::no;
    ASSERT_TRUE(store_->set_rsvp(e.id, key, p.id, a, now));
  }
  const auto o = store_->occupancy_of(e.id, key);
  EXPECT_EQ(o.going, 60);
  EXPECT_EQ(o.waitlisted, 10);
  EXPECT_EQ(o.maybe, 20);
  EXPECT_EQ(o.capacity, 60);
  // The counts are the one row of the table, not a count of RSVPs.
  EXPECT_EQ(
      query_int("SELECT going FROM rsvp_counts WHERE event_id = " + std::to_string(e.id.value) +
                " AND occurrence_key = '" + key.to_string() + "'"),
      60);
  EXPECT_EQ(disagreeing(), 0);
  // An occurrence nobody answered has no row and reads as zeros, with its capacity.
  const auto quiet = store_->occupancy_of(e.id, occurrence_key::timed(utc(2026, 3, 10, 18)));
  EXPECT_EQ(quiet.going + quiet.waitlisted + quiet.maybe, 0);
  EXPECT_EQ(quiet.capacity, 60);
}

TEST_F(RsvpCounts, StayExactThroughRandomChangesOnEveryPath) {
  // Two series with few places (waitlists and promotions), one without a capacity, and a
  // one-off event; a dozen members and a few guests.
  std::vector<cal::event_id> events{series(local(2026, 3, 3, 19), 10, 3).id,
                                    series(local(2026, 3, 5, 18), 8, 2).id,
                                    series(local(2026, 3, 4, 20), 6, std::nullopt).id};
  cal::event one_off;
  one_off.unit = unit_;
  one_off.title = "Werkstatt";
  one_off.zone = "Europe/Berlin";
  one_off.start = local(2026, 3, 12, 19);
  one_off.capacity = 2;
  one_off = *store_->create_event(one_off, actor::system(), now - 24h);
  events.push_back(one_off.id);
  std::vector<person_id> members;
  for (int i = 0; i < 12; ++i) {
    members.push_back(make_person("mitglied" + std::to_string(i) + "@example.org").id);
  }
  ASSERT_FALSE(HasFatalFailure());

  std::mt19937 random(20260301);
  const auto below = [&](std::size_t n) {
    return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(random));
  };
  const auto any_answer = [&] {
    const rsvp_answer all[] = {rsvp_answer::yes, rsvp_answer::yes, rsvp_answer::no,
                               rsvp_answer::maybe};
    return all[below(4)];
  };
  /// One of the first two occurrences to come of `id`, as the store has the event now (few,
  /// so that answers meet: full places, waitlists).
  const auto some_occurrence = [&](cal::event_id id) -> std::optional<occurrence_key> {
    const auto e = store_->event_by_id(id);
    if (!e) return std::nullopt;
    const auto os = cal::expand(*e, now, now + 24h * 60);
    if (os.empty()) return std::nullopt;
    return os[below(std::min<std::size_t>(os.size(), 2))].key;
  };

  // What happened, so that the test fails if the random walk missed a path.
  int answers = 0, guests = 0, capacities = 0, moves = 0, overrides = 0, deletions = 0;
  bool split = false, deleted_by_hand = false, event_deleted = false;
  int most_waiting = 0;
  for (int step = 0; step < 160; ++step) {
    const std::size_t roll = below(100);
    const cal::event_id id = events[below(events.size())];
    std::string what = "step " + std::to_string(step) + ": ";
    std::optional<occurrence_key> touched = some_occurrence(id);
    if (roll < 50 && touched) {
      what += "answer";
      const auto r =
          store_->set_rsvp(id, *touched, members[below(members.size())], any_answer(), now);
      if (r) ++answers;
    } else if (roll < 62 && touched) {
      what += "guest";
      const std::string email = "gast" + std::to_string(below(4)) + "@example.org";
      const auto g = store_->request_guest_rsvp(id, *touched, "Gast", email, any_answer(), now);
      if (g && below(3) != 0) {
        const auto confirmed = store_->confirm_guest_rsvp(g->confirm_token, now + 1min);
        if (confirmed) ++guests;
      }
    } else if (roll < 70) {
      what += "capacity";
      auto e = store_->event_by_id(id);
      if (!e || e->status == cal::event_status::cancelled) continue;
      const int places = static_cast<int>(below(6));
      e->capacity = places == 0 ? std::nullopt : std::optional<int>(places);
      if (store_->update_event(*e, actor::system(), now)) ++capacities;
    } else if (roll < 76) {
      // A new time of day (series) or another day (one-off): the RSVPs of the occurrences to
      // come follow them to their new keys (UPDATE of occurrence_key).
      what += "move";
      auto e = store_->event_by_id(id);
      if (!e) continue;
      e->start += e->is_series() ? (below(2) ? 1h : -1h) : (below(2) ? 24h : -24h);
      if (store_->update_event(*e, actor::system(), now)) ++moves;
    } else if (roll < 80 && touched) {
      what += "override";
      const auto e = store_->event_by_id(id);
      if (!e || !e->is_series()) continue;
      cal::occurrence_override o;
      o.key = *touched;
      if (below(4) == 0) {
        o.cancelled = true;
      } else {
        o.start = cal::local_seconds{std::chrono::duration_cast<std::chrono::seconds>(
                      touched->instant().time_since_epoch())} +
                  2h;
      }
      if (store_->set_override(id, o, actor::system(), now)) ++overrides;
    } else if (roll < 84) {
      what += "expire guests";
      store_->expire_guest_rsvps(now + 49h);
    } else if (roll < 88 && deletions < 3) {
      what += "delete person";
      const std::size_t i = below(members.size());
      if (store_->delete_person(members[i], actor::system(), now)) ++deletions;
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (roll < 91 && !split && touched) {
      // RSVPs from the occurrence on move to the new series (UPDATE of event_id).
      what += "split";
      const auto e = store_->event_by_id(id);
      if (!e || !e->is_series()) continue;
      const auto parts = store_->split_event(id, *touched, actor::system(), now);
      if (parts) {
        split = true;
        events.push_back(parts->second.id);
      }
    } else if (roll < 94 && !deleted_by_hand && step > 60) {
      // No store path deletes a person's row: this is the cascade of a hand-made DELETE.
      what += "person deleted by hand";
      const std::size_t i = below(members.size());
      exec("DELETE FROM people WHERE id = " + std::to_string(members[i].value));
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
      deleted_by_hand = true;
    } else if (roll < 97 && !event_deleted && step > 100) {
      // Nor does one delete an event: by hand, its RSVPs first (their key has no cascade),
      // then the event, whose count rows go with it.
      what += "event deleted by hand";
      const std::size_t i = below(events.size());
      const std::string e = std::to_string(events[i].value);
      exec("DELETE FROM rsvps WHERE event_id = " + e + "; DELETE FROM events WHERE id = " + e);
      EXPECT_EQ(query_int("SELECT COUNT(*) FROM rsvp_counts WHERE event_id = " + e), 0);
      events.erase(events.begin() + static_cast<std::ptrdiff_t>(i));
      touched.reset();
      event_deleted = true;
    } else {
      continue;
    }
    ASSERT_EQ(disagreeing(), 0) << what;
    if (touched && std::find(events.begin(), events.end(), id) != events.end()) {
      expect_occupancy_counted(id, *touched, what);
      most_waiting = std::max(most_waiting, store_->occupancy_of(id, *touched).waitlisted);
    }
  }
  EXPECT_GT(answers, 40);
  // Promotions by answers, confirmed guests, raised capacities and deleted people alike.
  EXPECT_GT(query_int("SELECT COUNT(*) FROM audit_log WHERE action = 'rsvp_promoted'"), 0);
  EXPECT_GT(guests, 0);
  EXPECT_GT(capacities, 0);
  EXPECT_GT(moves, 0);
  EXPECT_GT(overrides, 0);
  EXPECT_GT(deletions, 0);
  EXPECT_TRUE(split);
  EXPECT_TRUE(deleted_by_hand);
  EXPECT_TRUE(event_deleted);
  EXPECT_GT(most_waiting, 0);
  EXPECT_GT(query_int("SELECT SUM(going) FROM rsvp_counts"), 0);
}

TEST_F(RsvpCounts, DeletingAnAccountWaitsForTheEventAndDeadlocksWithNoPromotion) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite's writers take one lock, they never deadlock";
  // Another writer does what a withdrawal does on one place: it holds the event's row and,
  // through the trigger, the occurrence's count row; then it promotes Pia, who waits. Meanwhile
  // Pia deletes her account, which deletes her waitlisted row. Were that DELETE to run before
  // the event's lock, it would hold Pia's row and wait for the count row, while the promotion
  // waits for Pia's row: a deadlock. It waits for the event instead, and both go through.
  const auto e = series(local(2026, 3, 3, 19), 10, 1);
  const auto key = occurrence_key::timed(utc(2026, 3, 3, 18));
  const auto ada = make_person("ada@example.org");
  const auto pia = make_person("pia@example.org");
  ASSERT_TRUE(store_->set_rsvp(e.id, key, ada.id, rsvp_answer::yes, now));
  ASSERT_TRUE(store_->set_rsvp(e.id, key, pia.id, rsvp_answer::yes, now));
  ASSERT_EQ(store_->occupancy_of(e.id, key).waitlisted, 1);
  const std::string slot = "event_id = " + std::to_string(e.id.value) + " AND occurrence_key = '" +
                           key.to_string() + "'";

  auto other = connect_postgres();
  other->exec("BEGIN");
  other->exec("SELECT 1 FROM events WHERE id = " + std::to_string(e.id.value) +
              " FOR NO KEY UPDATE");
  other->exec("UPDATE rsvps SET answer = 'no', state = 'not_going' WHERE " + slot +
              " AND person_id = " + std::to_string(ada.id.value));
  std::optional<treffpunkt::storage::result<void>> deleted;
  std::thread deletion([&] { deleted = store_->delete_person(pia.id, actor::of(pia.id), now); });
  auto& waiting = other->prepare(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
      "AND wait_event_type = 'Lock'");
  bool waits = false;
  for (int i = 0; i < 1000 && !waits; ++i) {
    waiting.step();
    waits = waiting.int64(0) > 0;
    waiting.reset();
    if (!waits) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(waits);
  bool promoted = true;
  try {
    other->exec("UPDATE rsvps SET state = 'going', waitlist_seq = NULL WHERE " + slot +
                " AND person_id = " + std::to_string(pia.id.value));
    other->exec("COMMIT");
  } catch (const treffpunkt::storage::sql::failure& f) {
    ADD_FAILURE() << f.what();
    other->exec("ROLLBACK");
    promoted = false;
  }
  deletion.join();
  EXPECT_TRUE(promoted);
  ASSERT_TRUE(deleted);
  ASSERT_TRUE(*deleted) << deleted->error().message;
  // Pia's place, to come, went with her account; nobody was left waiting for it.
  const auto o = store_->occupancy_of(e.id, key);
  EXPECT_EQ(o.going, 0);
  EXPECT_EQ(o.waitlisted, 0);
  EXPECT_EQ(disagreeing(), 0);
}

TEST_F(RsvpCounts, AVersion9DatabaseGetsItsCountsWhenUpgraded) {
  const auto e = series(local(2026, 3, 3, 19), 10, 2);
  const auto first = occurrence_key::timed(utc(2026, 3, 3, 18));
  const auto second = occurrence_key::timed(utc(2026, 3, 10, 18));
  std::vector<person> people;
  for (int i = 0; i < 6; ++i) people.push_back(make_person("p" + std::to_string(i) + "@x.org"));
  // First: 2 going, 2 waiting, 1 maybe, 1 no. Second: 1 going.
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(store_->set_rsvp(e.id, first, people[i].id, rsvp_answer::yes, now));
  }
  ASSERT_TRUE(store_->set_rsvp(e.id, first, people[4].id, rsvp_answer::maybe, now));
  ASSERT_TRUE(store_->set_rsvp(e.id, first, people[5].id, rsvp_answer::no, now));
  ASSERT_TRUE(store_->set_rsvp(e.id, second, people[0].id, rsvp_answer::yes, now));
  const std::string id = std::to_string(e.id.value);

  // The database as version 9 left it: no counts, no triggers (nor the outbox's bodies in a
  // table of their own, v11); and a row changed at v9.
  store_.reset();
  if (on_postgres()) {
    exec(
        "DROP TABLE outbox_messages; "
        "ALTER TABLE outbox ADD COLUMN message BYTEA NOT NULL DEFAULT ''::bytea; "
        "DROP TABLE rsvp_counts; DROP FUNCTION rsvp_counts_follow() CASCADE; "
        "DELETE FROM schema_version WHERE version >= 10");
  } else {
    exec(
        "DROP TABLE outbox_messages; "
        "ALTER TABLE outbox ADD COLUMN message BLOB NOT NULL DEFAULT x''; "
        "DROP TRIGGER rsvp_counts_insert; DROP TRIGGER rsvp_counts_delete; "
        "DROP TRIGGER rsvp_counts_update; DROP TRIGGER rsvp_counts_move; DROP TABLE rsvp_counts; "
        "PRAGMA user_version = 9");
  }
  exec(
      "UPDATE rsvps SET answer = 'maybe', state = 'maybe', waitlist_seq = NULL WHERE "
      "person_id = " +
      std::to_string(people[3].id.value) + " AND occurrence_key = '" + first.to_string() + "'");
  ASSERT_EQ(query_int("SELECT COUNT(*) FROM rsvps"), 7);

  reopen();  // migrates to 10 (and on)
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(
      query_int(on_postgres() ? "SELECT MAX(version) FROM schema_version" : "PRAGMA user_version"),
      treffpunkt::storage::store::schema_version());
  auto o = store_->occupancy_of(e.id, first);
  EXPECT_EQ(o.going, 2);
  EXPECT_EQ(o.waitlisted, 1);
  EXPECT_EQ(o.maybe, 2);
  EXPECT_EQ(store_->occupancy_of(e.id, second).going, 1);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM rsvp_counts"), 2);  // occurrences with answers
  EXPECT_EQ(disagreeing(), 0);

  // The triggers count from there: a place freed goes to the one waiting.
  const auto freed = store_->set_rsvp(e.id, first, people[0].id, rsvp_answer::no, now);
  ASSERT_TRUE(freed) << freed.error().message;
  EXPECT_EQ(freed->promoted.size(), 1U);
  o = store_->occupancy_of(e.id, first);
  EXPECT_EQ(o.going, 2);
  EXPECT_EQ(o.waitlisted, 0);
  EXPECT_EQ(o.maybe, 2);
  EXPECT_EQ(disagreeing(), 0);
}

}  // namespace
