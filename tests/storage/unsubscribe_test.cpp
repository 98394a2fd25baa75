// One-click unsubscribe in the store: the v2 migration (settings table, people.notices), the
// installation secret, the notices flag and store::unsubscribe.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/store.h>

#include <string>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using testing::sql_int;
using testing::sql_text;
using testing::temp_dir;
using testing::test_now;

using Unsubscribe = testing::store_test;

/// Runs `sql` on its own connection (to build a database as an older treffpunkt left it).
void exec(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &c), SQLITE_OK);
  char* message = nullptr;
  const int done = sqlite3_exec(c, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(done, SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(c);
}

TEST(UnsubscribeMigration, SchemaOneDatabaseGainsSettingsAndNoticesKeepingPeople) {
  temp_dir dir;
  const auto db = dir.path() / "treffpunkt.db";
  {
    auto opened = store::open(dir.path());
    ASSERT_TRUE(opened);
    ASSERT_TRUE((*opened)->ensure_person("anna@example.org", "Anna"));
  }
  // Back to what schema 1 had: no settings table, no notices column (nor what came later:
  // deleted, the offers' tables, the events' host, who came, the feed fetches, the shared
  // rate limits, the RSVP counts and their triggers, the bodies' own table).
  exec(db,
       "DROP TABLE outbox_messages; "
       "ALTER TABLE outbox ADD COLUMN message BLOB NOT NULL DEFAULT x''; "
       "DROP TRIGGER rsvp_counts_insert; DROP TRIGGER rsvp_counts_delete; "
       "DROP TRIGGER rsvp_counts_update; DROP TRIGGER rsvp_counts_move; DROP TABLE rsvp_counts; "
       "DROP TABLE rate_limits; DROP TABLE feed_fetches; ALTER TABLE events DROP COLUMN confirmed; "
       "ALTER TABLE events DROP COLUMN confirm_asked; ALTER TABLE people DROP COLUMN lag_notices; "
       "DROP TABLE attendance; DROP TABLE attendance_lists; DROP TABLE settings; ALTER TABLE "
       "people DROP COLUMN notices; "
       "ALTER TABLE people DROP COLUMN deleted; DROP TABLE offer_proposals; DROP TABLE wishes; "
       "DROP TABLE event_hosts; ALTER TABLE units DROP COLUMN contact; "
       "ALTER TABLE units DROP COLUMN archived; PRAGMA user_version = 1;");
  ASSERT_EQ(sql_int(db, "PRAGMA user_version"), 1);
  auto opened = store::open(dir.path());
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(sql_int(db, "PRAGMA user_version"), store::schema_version());
  EXPECT_GE(store::schema_version(), 2);
  const auto anna = (*opened)->person_by_email("anna@example.org");
  ASSERT_TRUE(anna);
  EXPECT_EQ(anna->name, "Anna");
  EXPECT_TRUE(anna->notices);  // everyone keeps getting notices until they say otherwise
  EXPECT_EQ((*opened)->installation_secret().size(), 32U);
}

TEST_F(Unsubscribe, InstallationSecretIsRandomKeptAndNeverExported) {
  const std::string secret = store_->installation_secret();
  ASSERT_EQ(secret.size(), 32U);
  EXPECT_NE(secret, std::string(32, '\0'));
  reopen();
  EXPECT_EQ(store_->installation_secret(), secret);  // the same across restarts
  // Another installation has another one.
  temp_dir other;
  auto second = store::open(other.path());
  ASSERT_TRUE(second);
  EXPECT_NE((*second)->installation_secret(), secret);
  EXPECT_EQ(store_->export_json().find("installation_secret"), std::string::npos);
}

TEST_F(Unsubscribe, NoticesFlagIsOnUntilTurnedOffAndCanBeTurnedOnAgain) {
  const auto p = make_person("ben@example.org");
  EXPECT_TRUE(p.notices);
  ASSERT_TRUE(store_->set_notices(p.id, false));
  EXPECT_FALSE(store_->person_by_id(p.id)->notices);
  ASSERT_TRUE(store_->set_notices(p.id, true));
  EXPECT_TRUE(store_->person_by_id(p.id)->notices);
  EXPECT_EQ(store_->set_notices(person_id{999}, false).error().code, errc::not_found);
}

TEST_F(Unsubscribe, TurnsRemindersAndNoticesOffAndDropsOnlyTheirQueuedMail) {
  const auto p = make_person("carla@example.org");
  const auto other = make_person("dora@example.org");
  const auto now = test_now();
  const auto queue = [&](std::string kind, const std::string& to, std::string key) {
    ASSERT_TRUE(store_->enqueue(
        {std::move(kind), to, "bytes", now + std::chrono::hours(1), std::move(key)}, now));
  };
  queue("reminder", p.email, "reminder:1:a:carla");
  queue("moved", p.email, "moved:1:a:carla");
  queue("rsvp_confirmation", p.email, "rsvp:1:a:carla");
  queue("reminder", other.email, "reminder:1:a:dora");

  const auto dropped = store_->unsubscribe(p.id, {"reminder", "moved"}, now);
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 2);
  EXPECT_TRUE(store_->reminder_offsets(p.id).empty());
  EXPECT_TRUE(store_->has_reminder_choice(p.id));
  EXPECT_FALSE(store_->person_by_id(p.id)->notices);
  // What they asked for and other people's reminders stay.
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox WHERE recipient = 'carla@example.org'"), 1);
  EXPECT_EQ(query_text("SELECT kind FROM outbox WHERE recipient = 'carla@example.org'"),
            "rsvp_confirmation");
  EXPECT_EQ(query_int("SELECT count(*) FROM outbox WHERE recipient = 'dora@example.org'"), 1);
  EXPECT_TRUE(store_->person_by_id(other.id)->notices);
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'unsubscribed'"), 1);
  // Again: nothing left to drop, still fine.
  EXPECT_EQ(*store_->unsubscribe(p.id, {"reminder", "moved"}, now), 0);
  EXPECT_EQ(store_->unsubscribe(person_id{999}, {"reminder"}, now).error().code, errc::not_found);
}

}  // namespace
}  // namespace treffpunkt::storage
