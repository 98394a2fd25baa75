#pragma once
/// PostgreSQL behind the store's SQL layer (sql.h): a thin RAII layer over libpq, PostgreSQL's
/// C client, in the shape of sqlite.h: connections, prepared statements bound by position with
/// a per-connection cache, and transactions. SQL failures are thrown as pg::failure (which is
/// sql::failure), which says what kind of failure it was, and are turned into storage::error
/// values at the store's boundary.
///
/// The store's SQL text is shared with SQLite where it can be: `?` placeholders are rewritten
/// to PostgreSQL's `$1..$n` when a statement is prepared (never inside string literals, quoted
/// identifiers or comments). Where PostgreSQL cannot infer a parameter's type from the query
/// (`SELECT ?`, `? IS NULL`), write `CAST(? AS BIGINT)`, which SQLite reads the same. What
/// cannot be shared (PRAGMAs, rowid and last_insert_rowid, `+column` hints) needs its own text.
///
/// Parameters go as text, blobs as binary (bytea); results come back as text and are parsed
/// here. libpq's header stays in postgres.cpp: this one only names its two handle types.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql.h"

struct pg_conn;    // libpq's PGconn
struct pg_result;  // libpq's PGresult

namespace treffpunkt::storage::pg {

/// PostgreSQL's failures are the SQL layer's (sql.h): a kind and the SQLSTATE ("" when the
/// server sent none, e.g. when the connection was lost).
using failure_kind = sql::failure_kind;
using failure = sql::failure;

/// The kind of a failure with this SQLSTATE (see failure_kind).
failure_kind classify(std::string_view sqlstate);

/// `sql` with its `?` placeholders numbered `$1, $2, ...`, left alone inside '...' and E'...'
/// literals, "..." identifiers, $tag$...$tag$ strings and -- or /* */ comments; `count` gets
/// the largest number used. SQLite's `?NNN` is `$NNN`; a bare `?` numbers on from the largest
/// so far, as in SQLite. Throws failure (other) on a number out of SQLite's range.
std::string numbered_placeholders(std::string_view sql, int& count);

class connection;

/// A statement prepared on the server. Made and kept by connection::prepare.
class statement final : public sql::statement {
 public:
  ~statement() override;

  /// Binds parameters by position (1-based), in order: bind(1, a), bind(2, b)... A parameter
  /// left unbound is NULL.
  statement& bind(int index, std::int64_t value) override;
  statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  statement& bind(int index, std::string_view text) override;
  statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  /// Bytes as they are (NULs too), for a BYTEA column.
  statement& bind_blob(int index, std::string_view bytes) override;
  statement& bind_null(int index) override;
  template <class T>
  statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  /// Runs the statement on the first step and holds its rows; each step moves to the next
  /// one: true if a row is ready, false when done. Throws pg::failure.
  bool step() override;
  /// Runs a statement whose rows, if any, are not wanted.
  void run() override;
  /// Ready for new bindings and a new run (drops the rows and the bindings).
  void reset() override;
  /// Runs an INSERT made by connection::prepare_insert (... RETURNING id): the new id.
  std::int64_t insert() override;
  std::optional<std::int64_t> insert_if_new() override;
  /// Rows inserted, updated or deleted by the last run.
  std::int64_t changes() const { return changes_; }

  /// The current row's columns (0-based). A NULL reads as 0 or "". A boolean reads as 1 or 0,
  /// a numeric with a fraction as its integer part (as SQLite would), a BYTEA as its bytes.
  std::int64_t int64(int column) const override;
  int integer(int column) const { return static_cast<int>(int64(column)); }
  std::string text(int column) const override;
  bool is_null(int column) const override;

 private:
  friend class connection;
  statement(connection& c, std::string name, std::string_view sql);
  void execute();

  connection& c_;
  std::string name_;  ///< of the prepared statement on the server
  std::string sql_;   ///< as given, for messages
  int parameters_ = 0;
  std::vector<std::optional<std::string>> values_;  ///< nullopt: NULL
  std::vector<int> formats_;                        ///< 0 text, 1 binary
  pg_result* result_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
  bool executed_ = false;
  std::int64_t changes_ = 0;
};

/// One session with the server. Used by one thread at a time.
class connection final : public sql::connection {
 public:
  /// Connects to `uri` (postgresql://... or key=value ...; libpq's PG* variables fill in what
  /// it leaves out). `database`, if given, replaces the database the URI names. Throws
  /// failure (unavailable) when the server cannot be reached or refuses the connection.
  explicit connection(const std::string& uri, const std::string& database = {});
  ~connection() override;

  sql::dialect dialect() const override { return sql::dialect::postgresql; }
  /// Runs one or more statements without parameters or results (DDL, BEGIN, ...).
  void exec(std::string_view sql) override;
  /// A prepared statement kept for the connection's lifetime, reset and unbound for use.
  statement& prepare(std::string_view sql) override;
  /// Rows changed by the last statement run through prepare().
  int changes() const override { return static_cast<int>(changes_); }
  /// The connection is lost: every call now fails as unavailable; open a new one. Between
  /// transactions, reads what the server may have sent (without waiting) to find out.
  bool broken() const override;
  /// INSERT ... ON CONFLICT DO NOTHING.
  sql::statement& insert_or_ignore(std::string_view into) override;
  /// `sql` RETURNING id.
  sql::statement& prepare_insert(std::string_view sql) override;
  /// READ COMMITTED: a store serialises its own writes (one writer per store); those of
  /// several stores (processes) on one database serialise on the rows they lock (lock_row).
  void begin_write() override;
  /// REPEATABLE READ, READ ONLY: one snapshot for every statement of the transaction.
  void begin_snapshot() override;
  /// COMMIT; throws if PostgreSQL rolled the transaction back instead (an earlier statement
  /// failed) or the connection was lost on the way (then nobody can say whether it committed).
  void commit() override;
  void rollback() noexcept override;
  /// A digest of pg_current_snapshot(): it changes when any transaction of the cluster that
  /// wrote something has ended, ours too.
  std::int64_t data_version() override;
  /// SELECT 1 FROM `table` WHERE id = ? FOR NO KEY UPDATE: the lock an UPDATE of the row's
  /// other columns takes, so it does not block rows of other tables that refer to it.
  void lock_row(std::string_view table, std::int64_t id) override;
  /// pg_try_advisory_lock(key) and pg_advisory_unlock(key), session-level.
  bool try_lock_named(std::int64_t key) override;
  void unlock_named(std::int64_t key) override;
  /// "PostgreSQL database NAME on HOST" for messages: no user, no password.
  std::string describe() const;
  pg_conn* get() const { return conn_; }

 private:
  friend class statement;
  friend class transaction;
  /// Throws the failure that `result` (may be null) or the connection reports.
  [[noreturn]] void fail(const pg_result* result, std::string_view context) const;

  pg_conn* conn_ = nullptr;
  std::map<std::string, std::unique_ptr<statement>, std::less<>> cache_;
  std::map<std::string, sql::statement*, std::less<>> ignoring_;   ///< insert_or_ignore's
  std::map<std::string, sql::statement*, std::less<>> returning_;  ///< prepare_insert's
  std::map<std::string, sql::statement*, std::less<>> locking_;    ///< lock_row's, by table
  int statements_made_ = 0;
  std::int64_t changes_ = 0;
};

/// The isolation of a transaction (PostgreSQL's default is read committed).
enum class isolation { read_committed, repeatable_read, serializable };

/// BEGIN ISOLATION LEVEL ... COMMIT; rolls back unless committed. A serializable transaction
/// can fail with failure_kind::serialization at any statement or at commit: run it again.
class transaction {
 public:
  explicit transaction(connection& c, isolation level = isolation::read_committed);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  connection& c_;
  bool done_ = false;
};

}  // namespace treffpunkt::storage::pg
