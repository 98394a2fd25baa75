// Moving a data folder into PostgreSQL (storage/copy.h, `treffpunkt copy`): a store filled
// through its API in every table reads back the same from PostgreSQL, row for row; a target
// with data, a row PostgreSQL refuses, and a source at another schema change nothing.

#include <sqlite3.h>
#include <storage/copy.h>
#include <storage/secrets.h>
#include <storage/store.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "pg_fixture.h"
#include "postgres.h"
#include "schema.h"
#include "sqlite.h"
#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using testing::pg_int;
using testing::sql_int;

constexpr std::string_view null_value = "\x01NULL";

/// The tables of the SQLite database at `db`, by name.
std::vector<std::string> sqlite_tables(const std::filesystem::path& db) {
  std::vector<std::string> out;
  sqlite3* c = nullptr;
  sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(c,
                     "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
                     "'sqlite_%' ORDER BY name",
                     -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_finalize(s);
  sqlite3_close(c);
  return out;
}

/// Every row of `table` in SQLite as one string of its values' bytes (numbers in decimal, NULL
/// as a mark no value has), sorted: what a row digest of the table is made of.
std::vector<std::string> sqlite_rows(const std::filesystem::path& db, const std::string& table,
                                     int& columns) {
  std::vector<std::string> out;
  sqlite3* c = nullptr;
  sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(c, ("SELECT * FROM " + table).c_str(), -1, &s, nullptr);
  columns = sqlite3_column_count(s);
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < columns; ++i) {
      if (sqlite3_column_type(s, i) == SQLITE_NULL) {
        row += null_value;
      } else {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
        row += std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
      }
      row += '\x1f';
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(s);
  sqlite3_close(c);
  std::sort(out.begin(), out.end());
  return out;
}

/// The same for PostgreSQL (bigint as decimal text, bytea as its bytes).
std::vector<std::string> pg_rows(pg::connection& c, const std::string& table, int columns) {
  std::vector<std::string> out;
  auto& s = c.prepare("SELECT * FROM " + table);
  while (s.step()) {
    std::string row;
    for (int i = 0; i < columns; ++i) {
      row += s.is_null(i) ? std::string(null_value) : s.text(i);
      row += '\x1f';
    }
    out.push_back(std::move(row));
  }
  s.reset();
  std::sort(out.begin(), out.end());
  return out;
}

class PgCopy : public testing::pg_test {
 protected:
  void SetUp() override {
    pg_test::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    auto opened = store::open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message;
    source_ = std::move(*opened);
  }

  std::string url() const { return testing::with_database(testing::postgres_uri(), name()); }
  std::filesystem::path db() const { return dir_.path() / "treffpunkt.db"; }

  /// Rows in every table, through the store: what a year of use leaves behind.
  void fill() {
    const auto now = testing::test_now();  // 2025-11-01 12:00 UTC
    calendar::unit u;
    u.slug = "frauen";
    u.name = "Netzwerkstelle Frauen*";
    auto unit = source_->create_unit(u, actor::system());
    ASSERT_TRUE(unit) << unit.error().message;
    u.slug = "bildung";
    u.name = "Netzwerkstelle Bildung";
    ASSERT_TRUE(source_->create_unit(u, actor::system()));

    const person anna = *source_->ensure_person("anna@example.org", "Anna Thüringen");
    const person ben = *source_->ensure_person("ben@example.org", "Ben");
    const person cem = *source_->ensure_person("cem@example.org", "Cem");
    ASSERT_TRUE(source_->set_admin(anna.id, true, actor::system()));
    ASSERT_TRUE(source_->add_responsible(unit->id, anna.id, actor::system()));
    ASSERT_TRUE(source_->set_follow(ben.id, unit->id, true));
    ASSERT_TRUE(source_->set_reminder_offsets(ben.id, {24h, 30min}));

    // A weekly series with an extra date, one place, and one occurrence moved.
    calendar::event e;
    e.unit = unit->id;
    e.title = "Empowerment für Schüler*innen";
    e.start = calendar::local_seconds(date::local_days(date::year{2025} / 11 / 4)) + 19h;
    e.rule = *calendar::recurrence_rule::parse("FREQ=WEEKLY;COUNT=4");
    e.rdates = {calendar::local_seconds(date::local_days(date::year{2025} / 11 / 6)) + 19h};
    e.capacity = 1;
    auto made = source_->create_event(e, actor::of(anna.id), now);
    ASSERT_TRUE(made) << made.error().message;
    calendar::occurrence_override o;
    o.key = calendar::occurrence_key::timed(calendar::to_utc(e.start + date::days(7), made->zone));
    o.title = "Empowerment (verlegt)";
    ASSERT_TRUE(source_->set_override(made->id, o, actor::of(anna.id), now));
    ASSERT_TRUE(source_->confirm_series(made->id, actor::of(anna.id), now));

    // Going, waitlisted, and a guest waiting for their link (a token of its own).
    first_ = calendar::occurrence_key::timed(calendar::to_utc(e.start, made->zone));
    event_ = made->id;
    ASSERT_TRUE(source_->set_rsvp(event_, first_, ben.id, calendar::rsvp_answer::yes, now));
    ASSERT_TRUE(source_->set_rsvp(event_, first_, cem.id, calendar::rsvp_answer::yes, now));
    ASSERT_TRUE(source_->request_guest_rsvp(event_, first_, "Gast", "gast@example.org",
                                            calendar::rsvp_answer::maybe, now));
    // The extra date: Anna said maybe, then no. Its count row (rsvp_counts, schema v10) stays
    // in SQLite with every count 0; the copy's triggers make none.
    const auto extra =
        calendar::occurrence_key::timed(calendar::to_utc(e.rdates.front(), made->zone));
    ASSERT_TRUE(source_->set_rsvp(event_, extra, anna.id, calendar::rsvp_answer::maybe, now));
    ASSERT_TRUE(source_->set_rsvp(event_, extra, anna.id, calendar::rsvp_answer::no, now));
    for (const auto kind : {token_kind::login, token_kind::api, token_kind::feed}) {
      source_->issue_token(kind, anna.id, 24h, now);
    }
    session_ = source_->issue_token(token_kind::session, ben.id, 24h, now).raw;

    // Who came, after the start: Ben and a walk-in.
    ASSERT_TRUE(
        source_->set_attendance(event_, first_, {ben.id}, {"Dana"}, actor::of(anna.id), now + 80h));

    // Mail: bytes that are no UTF-8 (and a NUL) in the message, one sent, one still queued.
    outbox_message m;
    m.kind = "reminder";
    m.recipient = "ben@example.org";
    m.message = std::string("Subject: =?utf-8?q?Erinnerung?=\r\n\r\n\xff\xfe\0 bytes", 40);
    m.due = now;
    m.dedupe_key = "reminder:1";
    ASSERT_TRUE(source_->enqueue(m, now));
    m.dedupe_key = "";
    m.due = now + 1h;
    ASSERT_TRUE(source_->enqueue(m, now));
    auto claimed = source_->claim_due(now, 60s, 1);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(claimed->size(), 1U);
    ASSERT_TRUE(source_->mark_sent(claimed->front().id, now + 5s));

    // An exchange offer answering a wish, approved: an event with its host.
    auto w = source_->post_wish(unit->id, cem.id, "Wer kennt sich mit Bürgerhaushalten aus?", now);
    ASSERT_TRUE(w) << w.error().message;
    offer_draft d;
    d.title = "Bürgerhaushalt: was ging, was nicht";
    d.format = offer_format::online;
    d.online_url = "https://meet.example.org/bh";
    d.duration = 90min;
    d.dates = {calendar::local_seconds(date::local_days(date::year{2025} / 11 / 20)) + 18h};
    d.wish = w->id;
    auto p = source_->propose_offer(unit->id, cem.id, d, now);
    ASSERT_TRUE(p) << p.error().message;
    proposal_decision yes;
    yes.start = d.dates.front();
    yes.capacity = 12;
    ASSERT_TRUE(source_->decide_proposal(p->id, actor::of(anna.id), yes, now));
    // A second wish, still open.
    ASSERT_TRUE(source_->post_wish(unit->id, ben.id, "Ein Abend zu Datenschutz", now));

    ASSERT_TRUE(source_->add_feed_fetches(
        {{feed_ref::of(unit->id), fetch_day(now), calendar::client_family::google, 3, 1, now},
         {feed_ref::all_units(), fetch_day(now), calendar::client_family::davx5, 1, 0, now}}));
    // A rate limit's bucket (schema v9; on SQLite only as a copy's source would hold one).
    ASSERT_TRUE(source_->take_allowance("rsvp-person", "1", 5, std::chrono::minutes(1), now));
  }

  testing::temp_dir dir_;
  std::unique_ptr<store> source_;
  calendar::event_id event_;
  calendar::occurrence_key first_;
  std::string session_;
};

TEST_F(PgCopy, EveryTableArrivesRowForRowAndTheStoreReadsTheSame) {
  fill();
  ASSERT_FALSE(HasFatalFailure());
  const auto tables = sqlite_tables(db());
  // Each table of the schema has rows here, so that the copy of each is checked below: a new
  // table fails this until fill() writes to it.
  for (const auto& t : tables) {
    EXPECT_GT(sql_int(db(), "SELECT COUNT(*) FROM " + t), 0) << t << " is empty: fill() it";
  }

  // The source stays open (a serve running on it): the copy reads its snapshot.
  auto copied = copy_to_postgres(dir_.path(), url());
  ASSERT_TRUE(copied) << copied.error().message;
  std::vector<std::string> reported;
  // rsvp_counts counts rsvps: not copied but made by PostgreSQL's triggers as rsvps are
  // copied (copying it too would count twice). It then has the rows of SQLite's that count
  // something; a row whose counts all fell to 0 (the extra date) is SQLite's alone.
  const std::string counting = "(SELECT * FROM rsvp_counts WHERE going + waitlisted + maybe > 0) c";
  ASSERT_EQ(sql_int(db(), "SELECT COUNT(*) FROM rsvp_counts") -
                sql_int(db(), "SELECT COUNT(*) FROM " + counting),
            1);
  for (const auto& t : copied->tables) {
    reported.push_back(t.name);
    EXPECT_EQ(t.rows, sql_int(db(), "SELECT COUNT(*) FROM " +
                                        (t.name == "rsvp_counts" ? counting : t.name)))
        << t.name;
  }
  EXPECT_EQ(reported, tables);  // every table, by name
  // Named without its user (or a password the URL might hold).
  EXPECT_EQ(copied->target.rfind("PostgreSQL database " + name() + " on /", 0), 0)
      << copied->target;
  EXPECT_EQ(copied->target.find("user"), std::string::npos) << copied->target;

  // Row for row: the same values, bytes, NULLs and numbers in every table.
  auto c = connect();
  for (const auto& t : tables) {
    int columns = 0;
    const auto ours = sqlite_rows(db(), t == "rsvp_counts" ? counting : t, columns);
    EXPECT_EQ(pg_rows(*c, t, columns), ours) << t;
  }

  // What the store returns: all of it (the export), the secret that signs links, and what
  // the write path reads (the waitlist, a session).
  auto opened = store::open_postgres(url());
  ASSERT_TRUE(opened) << opened.error().message;
  auto& target = **opened;
  EXPECT_EQ(target.installation_secret(), source_->installation_secret());
  EXPECT_EQ(target.export_json(), source_->export_json());
  const auto occupancy = target.occupancy_of(event_, first_);
  EXPECT_EQ(occupancy.going, 1);
  EXPECT_EQ(occupancy.waitlisted, 1);
  const auto session =
      target.owner_of_token(token_kind::session, token_hash(session_), testing::test_now());
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(session->who.email, "ben@example.org");

  // The identity sequences went past the copied ids: new rows get the next ones.
  const auto last_unit = pg_int(*c, "SELECT MAX(id) FROM units");
  const auto last_audit = pg_int(*c, "SELECT MAX(id) FROM audit_log");
  calendar::unit u;
  u.slug = "neu";
  u.name = "Netzwerkstelle Neu";
  auto fresh = target.create_unit(u, actor::system());
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->id.value, last_unit + 1);
  EXPECT_GT(pg_int(*c, "SELECT MAX(id) FROM audit_log"), last_audit);
  EXPECT_TRUE(target.ensure_person("neu@example.org", "Neu"));
}

TEST_F(PgCopy, IntoADatabaseWithDataItRefusesAndChangesNothing) {
  fill();
  ASSERT_FALSE(HasFatalFailure());
  {
    auto used = store::open_postgres(url());  // as a serve started on it would
    ASSERT_TRUE(used) << used.error().message;
    calendar::unit u;
    u.slug = "schon-da";
    u.name = "Schon da";
    ASSERT_TRUE((*used)->create_unit(u, actor::system()));
  }
  auto c = connect();
  const auto secret = testing::pg_text(*c, "SELECT encode(value, 'hex') FROM settings");

  const auto refused = copy_to_postgres(dir_.path(), url());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::conflict);
  EXPECT_EQ(refused.error().field, "to");
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find(" is not empty: audit_log (1 row), settings (1 row), units (1 row)."),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("nothing was copied"), std::string::npos) << message;

  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM units"), 1);
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM people"), 0);
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM events"), 0);
  EXPECT_EQ(testing::pg_text(*c, "SELECT encode(value, 'hex') FROM settings"), secret);
}

TEST_F(PgCopy, ARowPostgresqlRefusesMidwayLeavesTheTargetEmpty) {
  fill();
  ASSERT_FALSE(HasFatalFailure());
  // A wish whose text is no UTF-8 (SQLite keeps what it is given): wishes come after units,
  // people and more, so those were written when PostgreSQL refuses it.
  sql_int(db(),
          "INSERT INTO wishes (id, unit_id, person_id, text, created) VALUES (77, 1, 1, "
          "CAST(X'4161FF62' AS TEXT), 0)");
  const auto failed = copy_to_postgres(dir_.path(), url());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, errc::conflict);
  const std::string& message = failed.error().message;
  EXPECT_EQ(message.rfind("table wishes, row 3 (id = 77): PostgreSQL refused it: ", 0), 0)
      << message;
  EXPECT_NE(message.find("UTF8"), std::string::npos) << message;
  EXPECT_NE(message.find("nothing was copied"), std::string::npos) << message;

  // The schema is there (pg_migrate committed it), and not one row.
  auto c = connect();
  for (const auto& t : sqlite_tables(db())) {
    EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM " + t), 0) << t;
  }

  // A text with a NUL would be cut short on the way: refused before PostgreSQL sees it.
  sql_int(db(), "UPDATE wishes SET text = CAST(X'410042' AS TEXT) WHERE id = 77");
  const auto cut = copy_to_postgres(dir_.path(), url());
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().message,
            "table wishes, row 3 (id = 77), column text: a text with a NUL character cannot go "
            "into PostgreSQL's text column unchanged; nothing was copied");

  // Mended, the same copy goes through.
  sql_int(db(), "UPDATE wishes SET text = 'Aab' WHERE id = 77");
  const auto mended = copy_to_postgres(dir_.path(), url());
  ASSERT_TRUE(mended) << mended.error().message;
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM wishes"), 3);
}

TEST_F(PgCopy, ASourceAtAnotherSchemaOrNoneIsRefusedWithWhatToDo) {
  testing::temp_dir old;
  {
    // A database as treffpunkt 7 schema versions ago left it.
    sql::sqlite_connection c(old.path() / "treffpunkt.db");
    const auto all = migrations();
    for (std::size_t i = 0; i + 1 < all.size(); ++i) c.exec(all[i]);
    c.exec("PRAGMA user_version = " + std::to_string(all.size() - 1));
  }
  const auto older = copy_to_postgres(old.path(), url());
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, errc::invalid);
  EXPECT_NE(older.error().message.find("start `treffpunkt serve --data " + old.path().string() +
                                       "` once on it"),
            std::string::npos)
      << older.error().message;

  testing::temp_dir empty;
  const auto none = copy_to_postgres(empty.path(), url());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, errc::not_found);
  EXPECT_EQ(none.error().message, empty.path().string() + " has no treffpunkt.db to copy");

  const auto wrong = copy_to_postgres(dir_.path(), "/var/lib/treffpunkt");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, errc::invalid);

  // Nothing reached the target: it has no tables at all.
  auto c = connect();
  EXPECT_EQ(pg_int(*c,
                   "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                   "current_schema()"),
            0);
}

}  // namespace
}  // namespace treffpunkt::storage
