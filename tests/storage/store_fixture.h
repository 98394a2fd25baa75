#pragma once
/// A fresh data folder per test, removed afterwards, and a store opened on it.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/store.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

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

/// A test with an open store in its own folder.
class store_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override { store_.reset(); }

  /// Closes and opens the store again on the same folder.
  void reopen() {
    store_.reset();
    auto opened = store::open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  std::filesystem::path db_path() const { return dir_.path() / "treffpunkt.db"; }

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

/// A fixed "now" for tests: 2025-11-01 12:00 UTC.
inline calendar::utc_seconds test_now() {
  return calendar::utc_seconds(std::chrono::seconds(1761998400));
}

}  // namespace treffpunkt::storage::testing
