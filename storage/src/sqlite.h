#pragma once
/// SQLite behind the store's SQL layer (sql.h): a thin RAII layer over sqlite3, with
/// connections, prepared statements in a per-connection cache, and write transactions. SQL
/// failures are thrown as sql::failure and turned into storage::error values at the store's
/// boundary (store_impl.h: to_error).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sql.h"

namespace treffpunkt::storage::sql {

class sqlite_statement final : public statement {
 public:
  sqlite_statement(sqlite3* db, std::string_view sql);
  ~sqlite_statement() override;

  using statement::bind;
  statement& bind(int index, std::int64_t value) override;
  statement& bind(int index, std::string_view text) override;
  statement& bind_blob(int index, std::string_view bytes) override;
  statement& bind_null(int index) override;

  bool step() override;
  void run() override;
  void reset() override;
  std::int64_t insert() override;
  std::optional<std::int64_t> insert_if_new() override;

  std::int64_t int64(int column) const override;
  std::string text(int column) const override;
  bool is_null(int column) const override;

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

class sqlite_connection final : public connection {
 public:
  /// Opens `path`, with foreign keys on and a busy timeout.
  explicit sqlite_connection(const std::filesystem::path& path,
                             open_mode mode = open_mode::read_write);
  ~sqlite_connection() override;

  sql::dialect dialect() const override { return sql::dialect::sqlite; }
  void exec(std::string_view sql) override;
  statement& prepare(std::string_view sql) override;
  int changes() const override;
  statement& insert_or_ignore(std::string_view into) override;
  /// SQLite needs nothing more: the id is the rowid, read with sqlite3_last_insert_rowid.
  statement& prepare_insert(std::string_view sql) override { return prepare(sql); }
  void begin_write() override;
  void begin_snapshot() override;
  void commit() override;
  void rollback() noexcept override;
  /// PRAGMA data_version: changes when another connection (or process) committed.
  std::int64_t data_version() override;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<sqlite_statement>, std::less<>> cache_;
  std::map<std::string, statement*, std::less<>> ignoring_;  ///< insert_or_ignore's
};

}  // namespace treffpunkt::storage::sql
