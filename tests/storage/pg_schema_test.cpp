// The schema on PostgreSQL (storage/src/pg_schema.h): it applies, once, refuses a newer
// database, survives two instances migrating at once, enforces its constraints, and is the
// schema SQLite's migrations build (tables, columns in order, keys, indexes, CHECKs).

#include "pg_schema.h"

#include <gtest/gtest.h>
#include <storage/store.h>

#include <algorithm>
#include <latch>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "postgres.h"
#include "sqlite.h"
#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using testing::pg_int;
using testing::pg_test;
using testing::pg_text;

/// The tables in the current schema, sorted.
std::vector<std::string> pg_tables(pg::connection& c) {
  std::vector<std::string> out;
  auto& s = c.prepare(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
      "AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE \"C\"");
  while (s.step()) out.push_back(s.text(0));
  s.reset();
  return out;
}

TEST(PgSchemaVersion, IsSqlitesNewest) {
  // A SQLite migration without its PostgreSQL step fails here.
  EXPECT_EQ(pg_schema_version(), store::schema_version());
  EXPECT_EQ(pg_migrations().front().version, 8);
}

TEST_F(pg_test, SchemaAppliesOnceAndRecordsItsVersion) {
  auto c = connect();
  ASSERT_TRUE(pg_migrate(*c));
  EXPECT_EQ(pg_int(*c, "SELECT MAX(version) FROM schema_version"), 11);
  const auto tables = pg_tables(*c);
  EXPECT_EQ(tables.size(), 23U);  // SQLite's 22 and schema_version
  const std::string applied = pg_text(*c, "SELECT MIN(applied) FROM schema_version");
  const auto objects = pg_int(*c, "SELECT COUNT(*) FROM pg_class");

  // Again, on the same connection and on a new one: nothing to do, nothing done.
  ASSERT_TRUE(pg_migrate(*c));
  auto other = connect();
  ASSERT_TRUE(pg_migrate(*other));
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM schema_version"), 4);  // v8 (the first) to v11
  EXPECT_EQ(pg_text(*c, "SELECT MIN(applied) FROM schema_version"), applied);
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM pg_class"), objects);
  EXPECT_EQ(pg_tables(*c), tables);
}

TEST_F(pg_test, ANewerDatabaseIsRefusedWithMessageAndLeftAlone) {
  auto c = connect();
  ASSERT_TRUE(pg_migrate(*c));
  c->exec("INSERT INTO schema_version (version) VALUES (12)");
  const auto objects = pg_int(*c, "SELECT COUNT(*) FROM pg_class");

  const auto refused = pg_migrate(*c);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::schema_too_new);
  EXPECT_EQ(refused.error().message,
            c->describe() +
                " has schema version 12, this treffpunkt knows up to 11: use a newer treffpunkt "
                "or restore a backup");
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM schema_version"), 5);
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM pg_class"), objects);
  // The refusal rolled its transaction back: the connection takes the next one.
  EXPECT_EQ(pg_text(*c, "SELECT current_setting('transaction_isolation')"), "read committed");
  pg::transaction txn(*c);
  txn.commit();
}

TEST_F(pg_test, TwoInstancesMigratingAtOnceMigrateOnce) {
  // This test holds the migrations' lock while both start, so that they certainly overlap;
  // then lets go. Each must wait for the other, and the second find the schema made.
  auto holder = connect();
  pg::transaction hold(*holder);
  holder->exec("SELECT pg_advisory_xact_lock(1953654118, 1)");

  std::vector<std::string> errors(2);
  std::latch connected(2);
  const auto migrate = [&](std::size_t i) {
    try {
      auto c = connect();
      connected.count_down();
      const auto done = pg_migrate(*c);
      if (!done) errors[i] = done.error().message;
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  };
  std::thread first(migrate, 0);
  std::thread second(migrate, 1);
  connected.wait();
  // Both wait for the lock (pg_locks shows them waiting) before it is let go.
  const std::string waiting =
      "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND "
      "database = (SELECT oid FROM pg_database WHERE datname = current_database())";
  for (int tries = 0; tries < 500 && pg_int(*holder, waiting) < 2; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(pg_int(*holder, waiting), 2);
  hold.commit();
  first.join();
  second.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(pg_int(*holder, "SELECT COUNT(*) FROM schema_version"), 4);
  EXPECT_EQ(pg_int(*holder, "SELECT MAX(version) FROM schema_version"), 11);
  EXPECT_EQ(pg_tables(*holder).size(), 23U);
}

TEST_F(pg_test, ConstraintViolationsAreConstraintFailures) {
  auto c = connect();
  ASSERT_TRUE(pg_migrate(*c));
  c->prepare("INSERT INTO units (slug, name) VALUES (?, ?)").bind(1, "bildung").bind(2, "B").run();
  const auto unit = pg_int(*c, "SELECT id FROM units");
  EXPECT_GT(unit, 0);  // the identity column chose it

  const auto taken = [&] {
    try {
      c->prepare("INSERT INTO units (slug, name) VALUES (?, ?)")
          .bind(1, "bildung")
          .bind(2, "Again")
          .run();
    } catch (const pg::failure& f) {
      return f;
    }
    return pg::failure(pg::failure_kind::other, "", "no failure");
  }();
  EXPECT_TRUE(taken.is_constraint()) << taken.what();
  EXPECT_EQ(taken.sqlstate(), "23505");

  const auto insert_event = [&](std::string_view kind, std::int64_t unit_id) {
    try {
      c->prepare(
           "INSERT INTO events (unit_id, uid, created, last_modified, kind, status, title, "
           "zone, start_local, duration) VALUES (?, ?, 0, 0, ?, 'confirmed', 'T', "
           "'Europe/Berlin', 0, 3600)")
          .bind(1, unit_id)
          .bind(2, "uid-" + std::string(kind) + std::to_string(unit_id))
          .bind(3, kind)
          .run();
    } catch (const pg::failure& f) {
      return f;
    }
    return pg::failure(pg::failure_kind::other, "", "no failure");
  };
  // The CHECK on events.kind.
  const auto party = insert_event("party", unit);
  EXPECT_TRUE(party.is_constraint()) << party.what();
  EXPECT_EQ(party.sqlstate(), "23514");
  // A foreign key.
  const auto orphan = insert_event("meeting", unit + 1000);
  EXPECT_TRUE(orphan.is_constraint()) << orphan.what();
  EXPECT_EQ(orphan.sqlstate(), "23503");
  // And what the CHECK allows goes in.
  EXPECT_EQ(insert_event("exchange_offer", unit).what(), std::string("no failure"));
  EXPECT_EQ(pg_int(*c, "SELECT COUNT(*) FROM events"), 1);
}

// ---- the same schema as SQLite's -------------------------------------------------------------

/// One table as both databases describe it, in words that compare.
struct table_shape {
  /// name, type (integer, text, blob), NOT NULL, default: one line per column, in order.
  std::vector<std::string> columns;
  std::vector<std::string> primary_key;
  std::set<std::vector<std::string>> uniques;
  std::set<std::string> indexes;       ///< "name(col, col)"
  std::set<std::string> foreign_keys;  ///< "col -> table(col) ON DELETE action"
  /// Per CHECK, its quoted values and the columns it names (as a sorted list).
  std::multiset<std::string> checks;
  bool operator==(const table_shape&) const = default;
};

std::ostream& operator<<(std::ostream& out, const table_shape& t) {
  for (const auto& c : t.columns) out << "\n  " << c;
  out << "\n  pk:";
  for (const auto& c : t.primary_key) out << " " << c;
  for (const auto& u : t.uniques) {
    out << "\n  unique:";
    for (const auto& c : u) out << " " << c;
  }
  for (const auto& i : t.indexes) out << "\n  index " << i;
  for (const auto& f : t.foreign_keys) out << "\n  fk " << f;
  for (const auto& c : t.checks) out << "\n  check " << c;
  return out;
}

/// What a CHECK expression says, whichever way it is written: its 'values' and its column
/// names, sorted ("kind = 'a' OR kind = 'b'", "kind IN ('a', 'b')" and PostgreSQL's
/// "((kind = 'a'::text) OR (kind = 'b'::text))" all read "'a' 'b' | kind").
std::string check_words(std::string expression, const std::vector<std::string>& columns) {
  std::set<std::string> values;
  const std::regex quoted("'([^']*)'");
  for (std::sregex_iterator it(expression.begin(), expression.end(), quoted), end; it != end;
       ++it) {
    values.insert((*it)[1]);
  }
  expression = std::regex_replace(expression, quoted, " ");
  std::set<std::string> names;
  const std::regex word("[a-z_]+");
  for (std::sregex_iterator it(expression.begin(), expression.end(), word), end; it != end; ++it) {
    if (std::find(columns.begin(), columns.end(), it->str()) != columns.end()) {
      names.insert(it->str());
    }
  }
  std::string out;
  for (const auto& v : values) out += "'" + v + "' ";
  out += "|";
  for (const auto& n : names) out += " " + n;
  return out;
}

std::vector<std::string> column_names(const table_shape& t) {
  std::vector<std::string> out;
  for (const auto& line : t.columns) out.push_back(line.substr(0, line.find(' ')));
  return out;
}

/// The CHECK (...) clauses of a CREATE TABLE statement.
std::vector<std::string> sqlite_checks(const std::string& create) {
  std::vector<std::string> out;
  for (std::size_t at = create.find("CHECK ("); at != std::string::npos;
       at = create.find("CHECK (", at + 1)) {
    std::size_t end = at + 7;
    for (int depth = 1; end < create.size() && depth > 0; ++end) {
      if (create[end] == '(') ++depth;
      if (create[end] == ')') --depth;
    }
    out.push_back(create.substr(at, end - at));
  }
  return out;
}

std::string sqlite_type(std::string type) {
  if (type == "INTEGER") return "integer";
  if (type == "TEXT") return "text";
  if (type == "BLOB") return "blob";
  return "? " + type;
}

std::map<std::string, table_shape> sqlite_shapes(sql::connection& c) {
  std::map<std::string, table_shape> out;
  std::vector<std::pair<std::string, std::string>> tables;
  {
    auto& s = c.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    while (s.step()) tables.emplace_back(s.text(0), s.text(1));
  }
  for (const auto& [name, create] : tables) {
    table_shape& t = out[name];
    std::vector<std::pair<int, std::string>> pk;
    {
      auto& s = c.prepare(
          "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid");
      s.bind(1, name);
      while (s.step()) {
        // SQLite lets a non-INTEGER PRIMARY KEY column hold NULL (a quirk it keeps for old
        // databases); the store never writes one, PostgreSQL's keys are NOT NULL.
        const bool not_null = s.int64(2) != 0 || s.int64(4) != 0;
        t.columns.push_back(s.text(0) + " " + sqlite_type(s.text(1)) +
                            (not_null ? " not null" : "") +
                            (s.is_null(3) ? "" : " default " + s.text(3)));
        if (s.int64(4) > 0) pk.emplace_back(s.integer(4), s.text(0));
      }
    }
    std::sort(pk.begin(), pk.end());
    for (const auto& [_, column] : pk) t.primary_key.push_back(column);

    std::vector<std::pair<std::string, std::string>> indexes;  // name, origin
    {
      auto& s = c.prepare("SELECT name, origin FROM pragma_index_list(?)");
      s.bind(1, name);
      while (s.step()) indexes.emplace_back(s.text(0), s.text(1));
    }
    for (const auto& [index, origin] : indexes) {
      std::vector<std::string> columns;
      auto& s = c.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno");
      s.bind(1, index);
      while (s.step()) columns.push_back(s.text(0));
      if (origin == "u") t.uniques.insert(columns);
      if (origin == "c") {
        std::string line = index + "(";
        for (std::size_t i = 0; i < columns.size(); ++i) line += (i ? ", " : "") + columns[i];
        t.indexes.insert(line + ")");
      }
    }
    {
      auto& s = c.prepare(
          "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list(?)");
      s.bind(1, name);
      while (s.step()) {
        t.foreign_keys.insert(s.text(0) + " -> " + s.text(1) + "(" + s.text(2) + ") ON DELETE " +
                              s.text(3));
      }
    }
    for (const auto& check : sqlite_checks(create)) {
      t.checks.insert(check_words(check, column_names(t)));
    }
  }
  return out;
}

std::string pg_type(const std::string& type) {
  if (type == "bigint") return "integer";
  if (type == "text") return "text";
  if (type == "bytea") return "blob";
  return "? " + type;
}

/// The columns of (table, constraint or index) `oid` named by the int2vector/array `keys`.
std::vector<std::string> pg_key_columns(pg::connection& c, const std::string& table,
                                        const std::string& keys_query, const std::string& key) {
  std::vector<std::string> out;
  auto& s =
      c.prepare("SELECT a.attname FROM (" + keys_query +
                ") k, unnest(k.keys) WITH ORDINALITY AS u(attnum, n) JOIN pg_attribute a ON "
                "a.attrelid = CAST(? AS TEXT)::regclass AND a.attnum = u.attnum ORDER BY u.n");
  s.bind(1, key).bind(2, table);
  while (s.step()) out.push_back(s.text(0));
  s.reset();
  return out;
}

std::map<std::string, table_shape> pg_shapes(pg::connection& c) {
  std::map<std::string, table_shape> out;
  for (const auto& name : pg_tables(c)) {
    if (name == "schema_version") continue;
    table_shape& t = out[name];
    {
      auto& s = c.prepare(
          "SELECT column_name, data_type, is_nullable, column_default, collation_name "
          "FROM information_schema.columns WHERE table_schema = current_schema() AND "
          "table_name = ? ORDER BY ordinal_position");
      s.bind(1, name);
      while (s.step()) {
        std::string line =
            s.text(0) + " " + pg_type(s.text(1)) + (s.text(2) == "NO" ? " not null" : "");
        if (!s.is_null(3)) {
          // '1'::bigint and 'x'::text read as SQLite's 1 and 'x'.
          line += " default " + std::regex_replace(s.text(3), std::regex("::[a-z]+$"), "");
        }
        if (s.text(1) == "text" && s.text(4) != "C") {
          line += " collation " + (s.is_null(4) ? "default" : s.text(4));
        }
        t.columns.push_back(line);
      }
      s.reset();
    }
    std::vector<std::pair<std::string, std::string>> constraints;  // type, oid
    {
      auto& s = c.prepare(
          "SELECT contype, CAST(oid AS TEXT) FROM pg_constraint WHERE conrelid = "
          "CAST(? AS TEXT)::regclass");
      s.bind(1, name);
      while (s.step()) constraints.emplace_back(s.text(0), s.text(1));
      s.reset();
    }
    const std::string conkey =
        "SELECT conkey AS keys FROM pg_constraint WHERE oid = CAST(? AS BIGINT)";
    for (const auto& [type, oid] : constraints) {
      if (type == "p") t.primary_key = pg_key_columns(c, name, conkey, oid);
      if (type == "u") t.uniques.insert(pg_key_columns(c, name, conkey, oid));
      if (type == "f") {
        auto& s = c.prepare(
            "SELECT a.attname, CAST(confrelid AS regclass)::TEXT, r.attname, confdeltype "
            "FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND "
            "a.attnum = k.conkey[1] JOIN pg_attribute r ON r.attrelid = k.confrelid AND "
            "r.attnum = k.confkey[1] WHERE k.oid = CAST(? AS BIGINT)");
        s.bind(1, oid);
        if (!s.step()) {
          ADD_FAILURE() << "no foreign key " << oid << " on " << name;
          s.reset();
          continue;
        }
        const std::map<std::string, std::string> actions = {
            {"a", "NO ACTION"}, {"c", "CASCADE"}, {"n", "SET NULL"}, {"r", "RESTRICT"}};
        t.foreign_keys.insert(s.text(0) + " -> " + s.text(1) + "(" + s.text(2) + ") ON DELETE " +
                              actions.at(s.text(3)));
        s.reset();
      }
      if (type == "c") {
        auto& s = c.prepare("SELECT pg_get_constraintdef(CAST(? AS BIGINT))");
        s.bind(1, oid);
        if (s.step()) t.checks.insert(check_words(s.text(0), column_names(t)));
        s.reset();
      }
    }
    {
      auto& s = c.prepare(
          "SELECT CAST(i.indexrelid AS regclass)::TEXT, CAST(i.indexrelid AS TEXT) FROM "
          "pg_index i WHERE i.indrelid = CAST(? AS TEXT)::regclass AND NOT EXISTS (SELECT 1 "
          "FROM pg_constraint k WHERE k.conindid = i.indexrelid)");
      s.bind(1, name);
      std::vector<std::pair<std::string, std::string>> indexes;
      while (s.step()) indexes.emplace_back(s.text(0), s.text(1));
      s.reset();
      for (const auto& [index, oid] : indexes) {
        const auto columns =
            pg_key_columns(c, name,
                           "SELECT CAST(indkey AS INT2[]) AS keys FROM pg_index WHERE indexrelid = "
                           "CAST(? AS BIGINT)",
                           oid);
        std::string line = index + "(";
        for (std::size_t i = 0; i < columns.size(); ++i) line += (i ? ", " : "") + columns[i];
        t.indexes.insert(line + ")");
      }
    }
  }
  return out;
}

TEST_F(pg_test, SchemaIsSqlitesNewest) {
  // SQLite's, as the store's migrations build it.
  const testing::temp_dir dir;
  {
    auto opened = store::open(dir.path());
    ASSERT_TRUE(opened) << opened.error().message;
  }
  sql::sqlite_connection lite(dir.path() / "treffpunkt.db", sql::open_mode::read_only);
  const auto expected = sqlite_shapes(lite);
  ASSERT_EQ(expected.size(), 22U);

  auto c = connect();
  ASSERT_TRUE(pg_migrate(*c));
  const auto actual = pg_shapes(*c);

  for (const auto& [name, shape] : expected) {
    const auto found = actual.find(name);
    if (found == actual.end()) {
      ADD_FAILURE() << "no table " << name << " on PostgreSQL";
      continue;
    }
    EXPECT_TRUE(found->second == shape) << name << " on PostgreSQL:" << found->second << "\n"
                                        << name << " on SQLite:" << shape;
  }
  for (const auto& [name, _] : actual) {
    EXPECT_TRUE(expected.contains(name)) << name << " is only on PostgreSQL";
  }
  // The shapes say something: the comparison is not between two empty descriptions.
  const auto& events = expected.at("events");
  EXPECT_EQ(events.columns.size(), 22U);
  EXPECT_EQ(events.checks.size(), 2U);
  EXPECT_EQ(expected.at("rsvps").foreign_keys.size(), 2U);
  EXPECT_EQ(expected.at("attendance").checks.count("| person_id walk_in"), 1U);

  // The triggers that keep rsvp_counts (v10): the same names on the same table on both (what
  // they do, both stores' RsvpCounts tests check).
  std::vector<std::string> lite_triggers;
  {
    auto& s = lite.prepare(
        "SELECT tbl_name || '.' || name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name");
    while (s.step()) lite_triggers.push_back(s.text(0));
    s.reset();
  }
  std::vector<std::string> pg_triggers;
  {
    auto& s = c->prepare(
        "SELECT CAST(tgrelid AS regclass)::TEXT || '.' || tgname FROM pg_trigger "
        "WHERE NOT tgisinternal ORDER BY tgname COLLATE \"C\"");
    while (s.step()) pg_triggers.push_back(s.text(0));
    s.reset();
  }
  EXPECT_EQ(pg_triggers, lite_triggers);
  EXPECT_EQ(lite_triggers,
            (std::vector<std::string>{"rsvps.rsvp_counts_delete", "rsvps.rsvp_counts_insert",
                                      "rsvps.rsvp_counts_move", "rsvps.rsvp_counts_update"}));
}

}  // namespace
}  // namespace treffpunkt::storage
