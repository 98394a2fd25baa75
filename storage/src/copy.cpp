#include <sqlite3.h>
#include <storage/copy.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

#include "pg_schema.h"
#include "postgres.h"
#include "schema.h"
#include "sqlite.h"

// The one place in the store that knows both databases at once: it reads SQLite's rows with
// their storage classes (sqlite3 directly, as the shared sql::statement reads every value as
// the column asks), and writes them through postgres.h.

namespace treffpunkt::storage {
namespace {

/// A failure that ends the copy; the transaction is rolled back on the way out.
struct stop {
  error why;
};

/// A column as PostgreSQL declares it: bigint, text or bytea (pg_schema.cpp has no other).
struct column {
  std::string name;
  std::string type;
  bool identity = false;
};

struct table {
  std::string name;
  std::vector<column> columns;      ///< in the order both schemas list them
  std::vector<std::string> key;     ///< the primary key's columns, to name a row
  std::set<std::string> refers_to;  ///< tables its foreign keys name (not itself)
  std::int64_t source_rows = 0;
};

/// A prepared SQLite statement of our own, finalised on the way out.
class source_query {
 public:
  source_query(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db);
      sqlite3_finalize(stmt_);
      throw sql::failure(sqlite3_extended_errcode(db), "read '" + sql + "': " + message);
    }
    db_ = db;
  }
  ~source_query() { sqlite3_finalize(stmt_); }
  source_query(const source_query&) = delete;
  source_query& operator=(const source_query&) = delete;

  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw sql::failure(sqlite3_extended_errcode(db_), std::string("read: ") + sqlite3_errmsg(db_));
  }
  sqlite3_stmt* get() const { return stmt_; }
  std::string text(int i) const {
    const auto* p = sqlite3_column_blob(stmt_, i);
    const int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string();
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string identifier(std::string_view name) { return "\"" + std::string(name) + "\""; }

/// A key value for a message: a number, a short quoted text, or a blob's first bytes in hex.
std::string key_value(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_column_int64(s, i));
    case SQLITE_TEXT: {
      std::string text(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                       static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
      if (text.size() > 40) text = text.substr(0, 40) + "...";
      return "'" + text + "'";
    }
    default: {
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, i));
      const int n = std::min(sqlite3_column_bytes(s, i), 8);
      std::string hex = "x'";
      for (int b = 0; b < n; ++b) {
        constexpr std::string_view digits = "0123456789abcdef";
        hex += digits[p[b] >> 4];
        hex += digits[p[b] & 0xf];
      }
      return hex + (sqlite3_column_bytes(s, i) > 8 ? "...'" : "'");
    }
  }
}

/// "table rsvps, row 3 (id = 17)": the row's place in the source and its key.
std::string row_name(const table& t, std::int64_t number, sqlite3_stmt* s) {
  std::string out = "table " + t.name + ", row " + std::to_string(number);
  if (t.key.empty()) return out;
  out += " (";
  for (std::size_t k = 0; k < t.key.size(); ++k) {
    const auto at = std::find_if(t.columns.begin(), t.columns.end(),
                                 [&](const column& c) { return c.name == t.key[k]; });
    const int i = static_cast<int>(at - t.columns.begin());
    out += (k ? ", " : "") + t.key[k] + " = " + key_value(s, i);
  }
  return out + ")";
}

/// Binds column `i` of the source row to parameter `i + 1`, as the target column's type takes
/// it; throws stop when the value cannot go there unchanged.
void bind_value(sql::statement& insert, sqlite3_stmt* s, int i, const column& c,
                const std::string& where) {
  const int type = sqlite3_column_type(s, i);
  const auto bytes = [&] {
    const auto* p = sqlite3_column_blob(s, i);
    return std::string_view(p ? static_cast<const char*>(p) : "",
                            static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
  };
  const auto refuse = [&](std::string_view what) {
    throw stop{error{errc::conflict, where + ", column " + c.name + ": " + std::string(what) +
                                         " cannot go into PostgreSQL's " + c.type +
                                         " column unchanged; nothing was copied"}};
  };
  if (type == SQLITE_NULL) {
    insert.bind_null(i + 1);
  } else if (c.type == "bigint") {
    if (type != SQLITE_INTEGER) refuse(type == SQLITE_FLOAT ? "a real number" : "a text or blob");
    insert.bind(i + 1, static_cast<std::int64_t>(sqlite3_column_int64(s, i)));
  } else if (c.type == "bytea") {
    // A text in a BLOB column (SQLite keeps what it was given) is its bytes all the same.
    if (type != SQLITE_BLOB && type != SQLITE_TEXT) refuse("a number");
    insert.bind_blob(i + 1, bytes());
  } else if (c.type == "text") {
    if (type != SQLITE_TEXT && type != SQLITE_BLOB) refuse("a number");
    const auto text = bytes();
    // Text goes to libpq as a C string: a NUL would cut it short (and PostgreSQL's text has
    // none). Invalid UTF-8 PostgreSQL refuses itself, with its own message.
    if (text.find('\0') != std::string_view::npos) refuse("a text with a NUL character");
    insert.bind(i + 1, text);
  } else {
    refuse("a value");  // a type pg_schema.cpp does not use: this copy needs teaching
  }
}

/// The tables in an order in which each comes after every table its foreign keys name.
std::vector<table*> in_reference_order(std::map<std::string, table>& tables) {
  std::vector<table*> out;
  std::set<std::string> placed;
  while (out.size() < tables.size()) {
    const auto before = out.size();
    for (auto& [name, t] : tables) {
      if (placed.contains(name)) continue;
      const bool ready = std::all_of(t.refers_to.begin(), t.refers_to.end(),
                                     [&](const std::string& r) { return placed.contains(r); });
      if (ready) {
        out.push_back(&t);
        placed.insert(name);
      }
    }
    if (out.size() == before) {
      throw stop{error{errc::invalid,
                       "the tables' foreign keys go round in a circle: no order to copy them in"}};
    }
  }
  return out;
}

/// The source's tables, columns, keys and references, and its row counts, in the snapshot.
std::map<std::string, table> source_tables(sqlite3* db) {
  std::map<std::string, table> out;
  {
    source_query names(db,
                       "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
                       "'sqlite_%' ORDER BY name");
    while (names.step()) out[names.text(0)].name = names.text(0);
  }
  for (auto& [name, t] : out) {
    std::vector<std::pair<int, std::string>> key;
    source_query columns(db, "SELECT name, pk FROM pragma_table_info('" + name + "') ORDER BY cid");
    while (columns.step()) {
      t.columns.push_back(column{columns.text(0), "", false});
      if (const int pk = sqlite3_column_int(columns.get(), 1); pk > 0) {
        key.emplace_back(pk, columns.text(0));
      }
    }
    std::sort(key.begin(), key.end());
    for (auto& [_, c] : key) t.key.push_back(std::move(c));
    source_query references(db, "SELECT \"table\" FROM pragma_foreign_key_list('" + name + "')");
    while (references.step()) {
      if (references.text(0) != name) t.refers_to.insert(references.text(0));
    }
    source_query count(db, "SELECT COUNT(*) FROM " + identifier(name));
    count.step();
    t.source_rows = sqlite3_column_int64(count.get(), 0);
  }
  return out;
}

/// Fills in each table's PostgreSQL column types, after checking that the target has the same
/// tables with the same columns in the same order (pg_schema_test keeps the two schemas alike;
/// this says so when a build's two schemas disagree, before anything is written).
void match_target(pg::connection& c, std::map<std::string, table>& tables) {
  std::map<std::string, std::vector<column>> target;
  auto& s = c.prepare(
      "SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name IN (SELECT table_name FROM "
      "information_schema.tables WHERE table_schema = current_schema() AND table_type = "
      "'BASE TABLE') ORDER BY table_name, ordinal_position");
  while (s.step()) {
    target[s.text(0)].push_back(column{s.text(1), s.text(2), s.text(3) == "YES"});
  }
  s.reset();
  target.erase("schema_version");  // PostgreSQL's user_version: pg_migrate's own
  for (const auto& [name, _] : target) {
    if (!tables.contains(name)) {
      throw stop{error{errc::invalid, "PostgreSQL has a table " + name +
                                          " that the SQLite database has not: the two schemas "
                                          "of this treffpunkt differ; nothing was copied"}};
    }
  }
  for (auto& [name, t] : tables) {
    const auto it = target.find(name);
    std::vector<std::string> theirs;
    std::vector<std::string> ours;
    if (it != target.end()) {
      for (const auto& col : it->second) theirs.push_back(col.name);
    }
    for (const auto& col : t.columns) ours.push_back(col.name);
    if (ours != theirs) {
      throw stop{error{errc::invalid, "table " + name +
                                          " has other columns in PostgreSQL than in SQLite: "
                                          "the two schemas of this treffpunkt differ; nothing "
                                          "was copied"}};
    }
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      t.columns[i].type = it->second[i].type;
      t.columns[i].identity = it->second[i].identity;
    }
  }
}

/// Tables whose rows derive from other tables' and that PostgreSQL's triggers fill as those
/// are copied: copying their rows as well would count everything twice. rsvp_counts (schema
/// v10) counts the rows of rsvps.
bool derived(const std::string& table) { return table == "rsvp_counts"; }

/// How many occurrences' rows in rsvp_counts disagree with a count of their RSVPs (a count row
/// that is missing reads as zeros, as the store reads it).
std::int64_t counts_disagreeing(pg::connection& c) {
  auto& s = c.prepare(
      "SELECT COUNT(*) FROM (SELECT event_id, occurrence_key, "
      "COUNT(*) FILTER (WHERE state = 'going') AS going, "
      "COUNT(*) FILTER (WHERE state = 'waitlisted') AS waitlisted, "
      "COUNT(*) FILTER (WHERE state = 'maybe') AS maybe FROM rsvps "
      "GROUP BY event_id, occurrence_key) r FULL JOIN rsvp_counts n "
      "ON n.event_id = r.event_id AND n.occurrence_key = r.occurrence_key "
      "WHERE COALESCE(r.going, 0) <> COALESCE(n.going, 0) "
      "OR COALESCE(r.waitlisted, 0) <> COALESCE(n.waitlisted, 0) "
      "OR COALESCE(r.maybe, 0) <> COALESCE(n.maybe, 0)");
  s.step();
  const std::int64_t n = s.int64(0);
  s.reset();
  return n;
}

std::int64_t count_rows(pg::connection& c, const std::string& table) {
  auto& s = c.prepare("SELECT COUNT(*) FROM " + identifier(table));
  s.step();
  const std::int64_t rows = s.int64(0);
  s.reset();
  return rows;
}

/// Copies one table's rows; returns how many.
std::int64_t copy_rows(sqlite3* db, pg::connection& c, const table& t) {
  std::string names;
  std::string places;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    names += (i ? ", " : "") + identifier(t.columns[i].name);
    places += i ? ", ?" : "?";
  }
  // In the key's order (rowid order where there is none): a failure names the same row on
  // every try.
  std::string order;
  for (std::size_t k = 0; k < t.key.size(); ++k) order += (k ? ", " : "") + identifier(t.key[k]);
  source_query rows(db, "SELECT " + names + " FROM " + identifier(t.name) +
                            (order.empty() ? "" : " ORDER BY " + order));
  auto& insert =
      c.prepare("INSERT INTO " + identifier(t.name) + " (" + names + ") VALUES (" + places + ")");
  std::int64_t number = 0;
  while (rows.step()) {
    ++number;
    const std::string where = row_name(t, number, rows.get());
    insert.reset();
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      bind_value(insert, rows.get(), static_cast<int>(i), t.columns[i], where);
    }
    try {
      insert.run();
    } catch (const sql::failure& f) {
      throw stop{error{f.is_unavailable() ? errc::unavailable : errc::conflict,
                       where + ": PostgreSQL refused it: " + f.what() + "; nothing was copied"}};
    }
  }
  return number;
}

}  // namespace

result<copy_report> copy_to_postgres(const std::filesystem::path& data_dir,
                                     const std::string& url) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    // Not repeated in the message: whatever it is, it may hold a password.
    return error{errc::invalid,
                 "the target must be a PostgreSQL URL (postgresql://... or postgres://...)", "to"};
  }
  const auto db_path = data_dir / "treffpunkt.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) {
    return error{errc::not_found, data_dir.string() + " has no treffpunkt.db to copy", "from"};
  }
  try {
    // Read only (a running serve keeps writing), one read transaction: one snapshot.
    sql::sqlite_connection source(db_path, sql::open_mode::read_only);
    sqlite3* db = source.get();
    source.begin_snapshot();
    auto tables = source_tables(db);  // its first read starts the snapshot
    int version = 0;
    {
      source_query v(db, "PRAGMA user_version");
      v.step();
      version = sqlite3_column_int(v.get(), 0);
    }
    const auto newest = static_cast<int>(migrations().size());
    if (version > newest) {
      return error{errc::schema_too_new,
                   db_path.string() + " has schema version " + std::to_string(version) +
                       ", this treffpunkt knows up to " + std::to_string(newest) +
                       ": copy it with the treffpunkt that wrote it"};
    }
    if (version < newest) {
      return error{errc::invalid,
                   db_path.string() + " has schema version " + std::to_string(version) +
                       ", this treffpunkt copies version " + std::to_string(newest) +
                       ": start `treffpunkt serve --data " + data_dir.string() +
                       "` once on it (it migrates the database as it opens it; stop it again "
                       "before the copy), then copy",
                   "from"};
    }

    pg::connection target(url);
    if (auto migrated = pg_migrate(target); !migrated) return migrated.error();
    pg::transaction txn(target);
    match_target(target, tables);
    // Nobody writes these tables until the commit (a serve starting meanwhile waits), and a
    // second copy waits here and then finds them full.
    std::string all;
    for (const auto& [name, _] : tables) all += (all.empty() ? "" : ", ") + identifier(name);
    if (!all.empty()) target.exec("LOCK TABLE " + all + " IN EXCLUSIVE MODE");

    std::string holding;
    for (const auto& [name, _] : tables) {
      if (const auto rows = count_rows(target, name); rows > 0) {
        holding += (holding.empty() ? "" : ", ") + name + " (" + std::to_string(rows) +
                   (rows == 1 ? " row)" : " rows)");
      }
    }
    if (!holding.empty()) {
      return error{errc::conflict,
                   target.describe() + " is not empty: " + holding +
                       ". treffpunkt copy fills a new, empty database only (create one, and "
                       "copy before any treffpunkt serve uses it); nothing was copied",
                   "to"};
    }

    std::vector<copied_table> copied;
    for (table* t : in_reference_order(tables)) {
      if (derived(t->name)) continue;
      const std::int64_t rows = copy_rows(db, target, *t);
      copied.push_back(copied_table{t->name, rows});
    }
    // The ids were given, so the identity sequences never moved: each must hand out the
    // number after the largest id now. (setval is not undone by a rollback: a copy that fails
    // after this leaves a sequence further on, which only skips numbers.)
    for (const auto& [name, t] : tables) {
      for (const auto& col : t.columns) {
        if (!col.identity) continue;
        target
            .prepare("SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX(" +
                     identifier(col.name) + "), 0) + 1, false) FROM " + identifier(name))
            .bind(1, identifier(name))
            .bind(2, col.name)
            .run();
      }
    }
    // Every row read was written, and the target holds no other: the counts of both sides,
    // from their own COUNT(*), agree.
    for (auto& c : copied) {
      const auto source_rows = tables.at(c.name).source_rows;
      const auto target_rows = count_rows(target, c.name);
      if (c.rows != source_rows || target_rows != source_rows) {
        return error{errc::unavailable,
                     "table " + c.name + ": SQLite has " + std::to_string(source_rows) + " rows, " +
                         std::to_string(c.rows) + " were read and PostgreSQL has " +
                         std::to_string(target_rows) + "; nothing was copied"};
      }
    }
    // The derived tables were filled by the triggers as their sources were copied: they
    // agree with those, and are reported with the rows PostgreSQL made (SQLite may hold more:
    // a count row whose counts fell to 0 stays there).
    if (tables.contains("rsvp_counts")) {
      if (const auto wrong = counts_disagreeing(target); wrong > 0) {
        return error{errc::unavailable, "table rsvp_counts: the counts of " +
                                            std::to_string(wrong) +
                                            " occurrences disagree with their RSVPs after the "
                                            "copy; nothing was copied"};
      }
    }
    for (const auto& [name, _] : tables) {
      if (derived(name)) copied.push_back(copied_table{name, count_rows(target, name)});
    }
    txn.commit();
    source.rollback();  // the read transaction: ends the snapshot
    std::sort(copied.begin(), copied.end(),
              [](const copied_table& a, const copied_table& b) { return a.name < b.name; });
    return copy_report{target.describe(), std::move(copied)};
  } catch (const stop& s) {
    return s.why;
  } catch (const sql::failure& f) {
    return error{f.is_constraint() ? errc::conflict : errc::unavailable,
                 std::string(f.what()) + "; nothing was copied"};
  }
}

}  // namespace treffpunkt::storage
