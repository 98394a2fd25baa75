#pragma once
/// The store's SQL layer: one interface over two databases. Store code writes
/// `c.prepare("... ? ...").bind(1, x).step()`, `sql::transaction` and `sql::failure`, and does
/// not know which database answers: sqlite.h (the default, a file in the data folder) and
/// postgres.h (a PostgreSQL server, issue 18) implement statement and connection.
///
/// The SQL text is shared. Where the two dialects differ, a named hook of connection says what
/// is meant and each backend writes it its own way: insert_or_ignore(), prepare_insert() with
/// statement::insert(), begin_snapshot(), data_version(), and dialect() for the few fragments
/// of text that differ (sql::lower_hex). Store code never asks which database it is on to
/// choose between two texts of its own.
///
/// The cost on SQLite's path: one indirect call per bind, step and column; no allocation per
/// execution (statements stay prepared in each connection's cache, as before).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace treffpunkt::storage::sql {

/// What a failure means for whoever handles it.
enum class failure_kind {
  /// The database cannot be reached or cannot take the work now (connection lost, disk full,
  /// busy, read-only). Nothing was saved; the same request can succeed later.
  unavailable,
  /// An integrity constraint (unique, foreign key, check, not null).
  constraint,
  /// A serialization failure or deadlock (PostgreSQL): rolled back, can be run again.
  serialization,
  /// Anything else: a mistake in the SQL, a value the column cannot take, bad stored data.
  other,
};

/// A failure of either database: its kind, SQLite's extended result code (0 on PostgreSQL)
/// and PostgreSQL's SQLSTATE ("" on SQLite).
class failure : public std::runtime_error {
 public:
  /// An SQLite failure with its extended result code; the kind follows from the code.
  failure(int code, const std::string& what);
  failure(failure_kind kind, std::string sqlstate, const std::string& what)
      : std::runtime_error(what), kind_(kind), sqlstate_(std::move(sqlstate)) {}
  /// Stored data the store cannot read (a CHECK the schema cannot express was broken).
  static failure bad_data(const std::string& what) {
    return failure(failure_kind::other, "", what);
  }

  failure_kind kind() const { return kind_; }
  int code() const { return code_; }
  const std::string& sqlstate() const { return sqlstate_; }
  bool is_unavailable() const { return kind_ == failure_kind::unavailable; }
  bool is_constraint() const { return kind_ == failure_kind::constraint; }
  bool is_serialization() const { return kind_ == failure_kind::serialization; }

 private:
  failure_kind kind_;
  int code_ = 0;
  std::string sqlstate_;
};

enum class dialect { sqlite, postgresql };

/// A prepared statement, kept by its connection (connection::prepare).
class statement {
 public:
  virtual ~statement() = default;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  /// Binds parameters by position (1-based), in order: bind(1, a), bind(2, b)...
  virtual statement& bind(int index, std::int64_t value) = 0;
  statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  virtual statement& bind(int index, std::string_view text) = 0;
  statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  /// Bytes as they are (NULs too), for a BLOB (BYTEA) column.
  virtual statement& bind_blob(int index, std::string_view bytes) = 0;
  virtual statement& bind_null(int index) = 0;
  template <class T>
  statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  /// Steps once: true if a row is ready, false when done. Throws sql::failure.
  virtual bool step() = 0;
  /// Runs a statement whose rows, if any, are not wanted.
  virtual void run() = 0;
  /// Ready for new bindings and a new run.
  virtual void reset() = 0;
  /// Runs an INSERT made by connection::prepare_insert and returns the new row's id.
  virtual std::int64_t insert() = 0;
  /// The same for an INSERT ... ON CONFLICT DO NOTHING: the new row's id, or none when the
  /// conflict left it out. (Not RETURNING on SQLite, which builds a temporary table for it.)
  virtual std::optional<std::int64_t> insert_if_new() = 0;

  /// The current row's columns (0-based). A NULL reads as 0 or "".
  virtual std::int64_t int64(int column) const = 0;
  int integer(int column) const { return static_cast<int>(int64(column)); }
  virtual std::string text(int column) const = 0;
  virtual bool is_null(int column) const = 0;
  std::optional<std::int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }
  std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }

 protected:
  statement() = default;
};

/// One session with the database, used by one thread at a time.
class connection {
 public:
  virtual ~connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  virtual sql::dialect dialect() const = 0;
  /// Runs one or more statements without parameters or results.
  virtual void exec(std::string_view sql) = 0;
  /// A prepared statement kept for the connection's lifetime, reset and unbound for use.
  virtual statement& prepare(std::string_view sql) = 0;
  /// Rows inserted, updated or deleted by the last INSERT, UPDATE or DELETE.
  virtual int changes() const = 0;
  /// The connection is lost (PostgreSQL): every call fails; open a new one.
  virtual bool broken() const { return false; }

  /// `INSERT <into>` that skips, without an error, a row whose key is taken: SQLite's INSERT
  /// OR IGNORE, PostgreSQL's ON CONFLICT DO NOTHING. `into` is "INTO t (a, b) VALUES (?, ?)".
  virtual statement& insert_or_ignore(std::string_view into) = 0;
  /// An INSERT into a table whose key is the column `id` chosen by the database (SQLite's
  /// rowid, PostgreSQL's identity): run it with statement::insert(), which returns the id.
  virtual statement& prepare_insert(std::string_view sql) = 0;

  /// A write transaction (sql::transaction): BEGIN IMMEDIATE on SQLite, which takes the write
  /// lock at once; READ COMMITTED on PostgreSQL, where writers of several processes run side by
  /// side and serialise on the rows they lock (lock_row, skip_locked).
  virtual void begin_write() = 0;
  /// A read transaction in which every statement sees the same snapshot (in_snapshot).
  virtual void begin_snapshot() = 0;
  /// Commits the transaction; throws if it did not commit.
  virtual void commit() = 0;
  /// Rolls the transaction back; never throws (a lost connection has rolled it back).
  virtual void rollback() noexcept = 0;
  /// A number that changes when anyone committed a write since the last call (possibly also
  /// when nobody did): SQLite's PRAGMA data_version, a digest of PostgreSQL's snapshot.
  virtual std::int64_t data_version() = 0;

  /// Inside a write transaction: locks row `id` of `table` until the transaction ends, so that
  /// another writer's lock_row of the same row waits for it. How the store serialises writes
  /// that count something and then write (the places of an event) across processes without
  /// serialising everything: on PostgreSQL, SELECT ... FOR NO KEY UPDATE (each writer is in
  /// READ COMMITTED, and its statements after the lock see what the previous holder
  /// committed). Nothing on SQLite, whose write transaction (BEGIN IMMEDIATE) already excludes
  /// every other writer: no statement on its path. `table` is one of the store's names, never
  /// input.
  virtual void lock_row(std::string_view table, std::int64_t id) {
    static_cast<void>(table);
    static_cast<void>(id);
  }
  /// Outside a transaction: takes the lock named `key` for this session unless another session
  /// holds it, and says whether it did; unlock_named gives it back (it also goes with the
  /// session). PostgreSQL's advisory locks, for work that one of several processes on a
  /// database should do (housekeeping); on SQLite always true, nothing is run.
  virtual bool try_lock_named(std::int64_t key) {
    static_cast<void>(key);
    return true;
  }
  virtual void unlock_named(std::int64_t key) { static_cast<void>(key); }

 protected:
  connection() = default;
  /// The statement `make(key)` kept under `key` in `cache`: how a hook such as
  /// insert_or_ignore keeps its dialect's text without building it on every call.
  template <class Make>
  statement& prepare_derived(std::map<std::string, statement*, std::less<>>& cache,
                             std::string_view key, Make&& make) {
    if (const auto it = cache.find(key); it != cache.end()) {
      it->second->reset();
      return *it->second;
    }
    statement& s = prepare(std::forward<Make>(make)(key));
    cache.emplace(std::string(key), &s);
    return s;
  }
};

/// A write transaction; rolls back unless committed.
class transaction {
 public:
  explicit transaction(connection& c) : c_(c) { c_.begin_write(); }
  ~transaction() {
    if (!done_) c_.rollback();
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit() {
    c_.commit();
    done_ = true;
  }

 private:
  connection& c_;
  bool done_ = false;
};

/// The last key of an ORDER BY that lists rows in the order they were inserted: SQLite's
/// rowid. PostgreSQL keeps no such order (a table reuses the space of deleted rows), so there
/// `unique_column`: a stable order, but not that of insertion (a column for it needs a schema
/// version of its own).
inline std::string_view insertion_order(dialect d, std::string_view unique_column) {
  return d == dialect::postgresql ? unique_column : "rowid";
}

/// The larger of two values that are never NULL: SQLite's two-argument max(), PostgreSQL's
/// GREATEST (max() is only an aggregate there).
inline std::string larger_of(dialect d, std::string_view a, std::string_view b) {
  return std::string(d == dialect::postgresql ? "GREATEST(" : "max(") + std::string(a) + ", " +
         std::string(b) + ")";
}

/// `column` in a WHERE term that must not pick the index: SQLite's unary `+` hint, which
/// PostgreSQL has not (its planner weighs the indexes by their statistics instead).
inline std::string unindexed(dialect d, std::string_view column) {
  return (d == dialect::postgresql ? "" : "+") + std::string(column);
}

/// `day` (days since 1970-01-01, an SQL expression) as its date, YYYY-MM-DD.
inline std::string date_of_day(dialect d, std::string_view day) {
  if (d == dialect::postgresql) {
    return "to_char(DATE '1970-01-01' + CAST(" + std::string(day) + " AS INTEGER), 'YYYY-MM-DD')";
  }
  return "date(" + std::string(day) + " * 86400, 'unixepoch')";
}

/// A statement's text that differs between the dialects, built once per dialect by `make`
/// (the lambda of one call site: its statics are that site's), so that the call on the write
/// path allocates nothing.
template <class Make>
const std::string& text_for(dialect d, Make make) {
  static const std::string sqlite_text = make(dialect::sqlite);
  static const std::string postgresql_text = make(dialect::postgresql);
  return d == dialect::postgresql ? postgresql_text : sqlite_text;
}

/// What a SELECT inside a write ends with to keep the rows it read until the commit: nothing
/// on SQLite, whose one writer runs alone; FOR UPDATE on PostgreSQL, where another instance's
/// transaction could otherwise change them between the read and the write.
inline std::string_view locking_the_row(dialect d) {
  return d == dialect::postgresql ? " FOR UPDATE" : "";
}

/// The end of a SELECT (after its LIMIT) that picks rows for the transaction to take: rows
/// another writer has locked are passed over, not waited for, and the rows picked stay locked
/// until the transaction ends. PostgreSQL's FOR UPDATE SKIP LOCKED, so that several processes
/// claiming from one queue (the outbox) neither wait for each other nor take the same row;
/// nothing on SQLite, where only one writer runs at a time.
inline std::string_view skip_locked(dialect d) {
  return d == dialect::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
}

/// `blob` (an SQL expression) as lower-case hex digits.
inline std::string lower_hex(dialect d, std::string_view blob) {
  if (d == dialect::postgresql) return "encode(" + std::string(blob) + ", 'hex')";
  return "lower(hex(" + std::string(blob) + "))";
}

}  // namespace treffpunkt::storage::sql
