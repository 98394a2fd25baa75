#pragma once
/// A thin RAII layer over sqlite3: connections, prepared statements with a per-connection
/// cache, and write transactions. SQL failures are thrown as sql::failure and turned into
/// storage::error values at the store's boundary (store_impl.h: guarded).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace treffpunkt::storage::sql {

/// An SQLite error with its extended result code.
class failure : public std::runtime_error {
 public:
  failure(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  /// SQLITE_CONSTRAINT and its extended codes.
  bool is_constraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

class statement {
 public:
  statement(sqlite3* db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  /// Binds parameters by position (1-based), in order: bind(1, a), bind(2, b)...
  statement& bind(int index, std::int64_t value);
  statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  statement& bind(int index, std::string_view text);
  statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  statement& bind_blob(int index, std::string_view bytes);
  statement& bind_null(int index);
  template <class T>
  statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  /// Steps once: true if a row is ready, false when done. Throws sql::failure.
  bool step();
  /// Runs a statement that returns no rows.
  void run();
  /// Ready for new bindings and a new run.
  void reset();

  std::int64_t int64(int column) const;
  int integer(int column) const { return static_cast<int>(int64(column)); }
  std::string text(int column) const;
  bool is_null(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::optional<std::string> optional_text(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// `path` as an SQLite URI filename ("file:" and the path, with %, ? and # escaped).
std::string file_uri(const std::filesystem::path& path);

/// How a connection opens its file.
enum class open_mode {
  read_write,  ///< read and write, creating the file
  read_only,   ///< read only; the WAL and its index (-wal, -shm) must exist or be creatable
  /// Read only from a folder nothing can write: SQLite takes no locks and never looks for a
  /// WAL (the URI parameter immutable=1). Only right when there is no -wal file to read.
  immutable,
};

class connection {
 public:
  /// Opens `path`, with foreign keys on and a busy timeout.
  explicit connection(const std::filesystem::path& path, open_mode mode = open_mode::read_write);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  /// A prepared statement kept for the connection's lifetime, reset and unbound for use.
  statement& prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<statement>, std::less<>> cache_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back unless committed.
class transaction {
 public:
  explicit transaction(connection& c);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  connection& c_;
  bool done_ = false;
};

}  // namespace treffpunkt::storage::sql
