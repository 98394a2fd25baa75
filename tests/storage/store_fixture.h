#pragma once
/// A fresh store per test: SQLite in a data folder of its own, removed afterwards; or, when
/// TREFFPUNKT_TEST_STORE holds a PostgreSQL URL (ctest's `Pg.` run of the ported areas, see
/// tests/CMakeLists.txt), a database of its own on that cluster, dropped afterwards.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/store.h>
#include <unistd.h>  // getpid

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "postgres.h"

namespace treffpunkt::storage::testing {

/// A unique folder under the system's temp directory; removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> counter{0};
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("treffpunkt-test-" + std::to_string(entropy()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ignored;  // a leftover temp folder is no reason to fail a test
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The PostgreSQL cluster the store tests run on, or "" for SQLite.
inline std::string test_store_url() {
  const char* url = std::getenv("TREFFPUNKT_TEST_STORE");
  return url ? url : "";
}

/// `url` (postgresql://[...]/DB[?...]) naming `database` instead of DB.
inline std::string with_database(const std::string& url, const std::string& database) {
  const auto query = url.find('?');
  const auto slash = url.rfind('/', query);
  return url.substr(0, slash + 1) + database +
         (query == std::string::npos ? "" : url.substr(query));
}

/// A test with an open store of its own: SQLite in its own folder, or PostgreSQL in its own
/// database (TREFFPUNKT_TEST_STORE).
class store_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (on_postgres()) {
      static std::atomic<int> counter{0};
      std::random_device entropy;
      database_ = "s_" + std::to_string(::getpid()) + "_" + std::to_string(entropy() % 100000) +
                  "_" + std::to_string(++counter);
      admin_ = std::make_unique<pg::connection>(test_store_url());
      admin_->exec("CREATE DATABASE " + database_);
    }
    open_store();
  }
  void TearDown() override {
    store_.reset();
    inspector_.reset();
    // FORCE: a test that failed half-way may have left a connection open.
    if (admin_) admin_->exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }

  static bool on_postgres() { return !test_store_url().empty(); }

  /// Another store on the same database (as another process would open it).
  result<std::unique_ptr<store>> open_another() const {
    return on_postgres() ? store::open_postgres(with_database(test_store_url(), database_))
                         : store::open(dir_.path());
  }

  /// Closes and opens the store again on the same folder or database.
  void reopen() {
    store_.reset();
    open_store();
  }

  std::filesystem::path db_path() const { return dir_.path() / "treffpunkt.db"; }

  /// On PostgreSQL, a connection of the test's own to the store's database (another writer).
  std::unique_ptr<pg::connection> connect_postgres() const {
    return std::make_unique<pg::connection>(test_store_url(), database_);
  }

  /// The first column of the first row of `query` (SQL both databases read the same), as
  /// text: "" when there is no row or it is NULL. Looks at what the store really wrote.
  std::string query_text(const std::string& query) const;
  /// Runs `sql` (one or more statements) on a connection of the test's own, with SQLite's
  /// foreign keys on as the store has them: a write that is no store path (a person or an
  /// event deleted by hand, a database made older).
  void exec_sql(const std::string& sql) const;
  /// Like query_text, as a number (0 when there is no row or it is NULL).
  std::int64_t query_int(const std::string& query) const {
    const std::string text = query_text(query);
    return text.empty() ? 0 : std::stoll(text);
  }

  /// A unit named "Netzwerkstelle SLUG", created by the system.
  calendar::unit make_unit(std::string slug) {
    calendar::unit u;
    u.slug = std::move(slug);
    u.name = "Netzwerkstelle " + u.slug;
    auto created = store_->create_unit(u, actor::system());
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : u;
  }

  /// The person with this address, created (as a member) if new.
  person make_person(std::string_view email, std::string_view name = "Name") {
    auto p = store_->ensure_person(email, name);
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : person{};
  }

  temp_dir dir_;
  std::unique_ptr<store> store_;

 private:
  void open_store() {
    auto opened = open_another();
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  std::string database_;                               ///< on PostgreSQL
  std::unique_ptr<pg::connection> admin_;              ///< creates and drops it
  mutable std::unique_ptr<pg::connection> inspector_;  ///< query_text's connection to it
};

/// Runs `query` on its own connection to the database at `path` and returns the first column
/// of the first row as text ("" when there is no row or it is NULL): lets a test look at what
/// the store really wrote.
inline std::string sql_text(const std::filesystem::path& path, const std::string& query) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    const int prepared = sqlite3_prepare_v2(db, query.c_str(), -1, &stmt, nullptr);
    const int stepped = prepared == SQLITE_OK ? sqlite3_step(stmt) : prepared;
    if (stepped == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      const int size = sqlite3_column_bytes(stmt, 0);
      if (text) out.assign(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
    } else if (stepped != SQLITE_DONE) {
      ADD_FAILURE() << "query failed: " << query << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
  } else {
    ADD_FAILURE() << "cannot open " << path;
  }
  sqlite3_close(db);
  return out;
}

/// Like sql_text, as a number (0 when there is no row).
inline std::int64_t sql_int(const std::filesystem::path& path, const std::string& query) {
  const std::string text = sql_text(path, query);
  return text.empty() ? 0 : std::stoll(text);
}

inline void store_test::exec_sql(const std::string& sql) const {
  if (on_postgres()) {
    try {
      connect_postgres()->exec(sql);
    } catch (const std::exception& failure) {
      ADD_FAILURE() << sql << ": " << failure.what();
    }
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  const std::string text = "PRAGMA foreign_keys = ON; " + sql;
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << (message ? message : "?");
  }
  sqlite3_free(message);
  sqlite3_close(db);
}

inline std::string store_test::query_text(const std::string& query) const {
  if (!on_postgres()) return sql_text(db_path(), query);
  std::string out;
  try {
    if (!inspector_) inspector_ = std::make_unique<pg::connection>(test_store_url(), database_);
    auto& s = inspector_->prepare(query);
    if (s.step()) out = s.text(0);
    s.reset();
  } catch (const sql::failure& f) {
    ADD_FAILURE() << "query failed: " << query << ": " << f.what();
  }
  return out;
}

/// A fixed "now" for tests: 2025-11-01 12:00 UTC.
inline calendar::utc_seconds test_now() {
  return calendar::utc_seconds(std::chrono::seconds(1761998400));
}

}  // namespace treffpunkt::storage::testing
