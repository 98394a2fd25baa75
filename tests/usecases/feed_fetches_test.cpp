// The feed fetch counter (issue 15): counts in memory, written in batches (on its thread, on
// stop), shown with what is not written yet, kept when a batch fails; and housekeeping's 90 days.
#include <calendar/clock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/fetches.h>
#include <storage/store.h>
#include <usecases/feed_fetches.h>
#include <usecases/housekeeping.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/test_time.h"

namespace treffpunkt::usecases {
namespace {

using namespace std::chrono_literals;
using calendar::client_family;
using storage::feed_ref;

const calendar::utc_seconds now = treffpunkt::testing::utc(2026, 12, 4, 20);
const auto bildung = feed_ref::of(calendar::unit_id{2});

/// Runs one statement on a connection of its own (what another process could do to the file).
void exec(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &c), SQLITE_OK);
  sqlite3_busy_timeout(c, 5000);
  char* message = nullptr;
  const int rc = sqlite3_exec(c, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(c);
}

class FetchCounter : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("treffpunkt-fetches-" + std::to_string(std::random_device{}()) + "-" +
            std::to_string(++counter));
    auto opened = storage::store::open(dir_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  /// The sum of the store's counts of `feed` (not what the counter still holds).
  std::int64_t stored(const feed_ref& feed) const {
    std::int64_t n = 0;
    for (const auto& r : store_->feed_fetches(feed, 0)) n += r.fetches;
    return n;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::store> store_;
};

TEST_F(FetchCounter, CountsPerFeedDayAndFamilyAndShowsThemBeforeTheyAreWritten) {
  fetch_counter counter(*store_);
  counter.count(bildung, client_family::google, false, now);
  counter.count(bildung, client_family::google, true, now + 1h);
  counter.count(bildung, client_family::apple, true, now);
  counter.count(bildung, client_family::google, false, now + 5h);  // the next day in UTC
  counter.count(feed_ref::all_units(), client_family::google, false, now);
  EXPECT_EQ(counter.held(), 4U);
  EXPECT_EQ(stored(bildung), 0);

  // The pages see them at once, per day and family.
  auto rows = counter.counts_of(bildung, 0);
  ASSERT_EQ(rows.size(), 3U);
  const auto day = storage::fetch_day(now);
  EXPECT_EQ(rows[0].day, day);
  EXPECT_EQ(rows[0].family, client_family::apple);
  EXPECT_EQ(rows[1].family, client_family::google);
  EXPECT_EQ(rows[1].fetches, 2);
  EXPECT_EQ(rows[1].not_modified, 1);
  EXPECT_EQ(rows[1].last_fetch, now + 1h);
  EXPECT_EQ(rows[2].day, day + 1);
  EXPECT_EQ(counter.counts_of(bildung, day + 1).size(), 1U);

  // One batch writes them all; afterwards the store has them and the counter nothing.
  EXPECT_EQ(counter.flush(), 4U);
  EXPECT_EQ(counter.held(), 0U);
  EXPECT_EQ(counter.flush(), 0U);
  EXPECT_EQ(stored(bildung), 4);
  EXPECT_EQ(stored(feed_ref::all_units()), 1);

  // Written and held counts of one key add up, once.
  counter.count(bildung, client_family::google, true, now + 2h);
  rows = counter.counts_of(bildung, day);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[1].fetches, 3);
  EXPECT_EQ(rows[1].not_modified, 2);
  EXPECT_EQ(rows[1].last_fetch, now + 2h);
}

TEST_F(FetchCounter, WritesOnItsOwnThreadAndOnceMoreOnStop) {
  fetch_counter counter(*store_);
  counter.start(20ms);
  counter.count(bildung, client_family::davx5, false, now);
  for (int i = 0; i < 500 && stored(bildung) == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(stored(bildung), 1);
  EXPECT_EQ(counter.held(), 0U);
  // Stopped before its next round: stop() writes what came meanwhile.
  counter.count(bildung, client_family::davx5, false, now);
  counter.stop();
  EXPECT_EQ(stored(bildung), 2);
  counter.stop();  // idempotent
  EXPECT_EQ(stored(bildung), 2);
}

TEST_F(FetchCounter, CountsOfTwoThreadsAddUpWhileBatchesAreWritten) {
  fetch_counter counter(*store_);
  counter.start(1ms);
  constexpr int per_thread = 20000;
  std::vector<std::thread> io;
  for (int t = 0; t < 2; ++t) {
    io.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        counter.count(bildung, t == 0 ? client_family::google : client_family::apple, i % 2 == 0,
                      now + std::chrono::seconds(i));
      }
    });
  }
  // A page reading meanwhile never sees more than was counted.
  for (int i = 0; i < 20; ++i) {
    std::int64_t seen = 0;
    for (const auto& r : counter.counts_of(bildung, 0)) seen += r.fetches;
    EXPECT_LE(seen, 2 * per_thread);
    std::this_thread::sleep_for(1ms);
  }
  for (auto& t : io) t.join();
  std::int64_t seen = 0;
  for (const auto& r : counter.counts_of(bildung, 0)) seen += r.fetches;
  EXPECT_EQ(seen, 2 * per_thread);
  counter.stop();
  EXPECT_EQ(stored(bildung), 2 * per_thread);
  std::int64_t not_modified = 0;
  for (const auto& r : store_->feed_fetches(bildung, 0)) not_modified += r.not_modified;
  EXPECT_EQ(not_modified, per_thread);
}

TEST_F(FetchCounter, KeepsTheCountsOfABatchThatCouldNotBeWritten) {
  std::vector<std::string> lines;
  std::mutex lines_mutex;
  fetch_counter counter(*store_, [&](std::string_view line) {
    const std::lock_guard lock(lines_mutex);
    lines.emplace_back(line);
  });
  counter.count(bildung, client_family::google, false, now);
  // The table is gone (another process broke the file): the batch fails.
  exec(dir_ / "treffpunkt.db", "ALTER TABLE feed_fetches RENAME TO feed_fetches_away");
  EXPECT_EQ(counter.flush(), 0U);
  EXPECT_EQ(counter.held(), 1U);
  {
    const std::lock_guard lock(lines_mutex);
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_NE(lines[0].find("kept for the next try"), std::string::npos) << lines[0];
  }
  counter.count(bildung, client_family::google, true, now + 1min);
  exec(dir_ / "treffpunkt.db", "ALTER TABLE feed_fetches_away RENAME TO feed_fetches");
  EXPECT_EQ(counter.flush(), 1U);
  const auto rows = store_->feed_fetches(bildung, 0);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].fetches, 2);
  EXPECT_EQ(rows[0].not_modified, 1);
  EXPECT_EQ(rows[0].last_fetch, now + 1min);
}

TEST(ByFamily, SumsTheDaysAndPutsTheLatestFirst) {
  const std::vector<storage::feed_fetch_count> rows = {
      {bildung, 1, client_family::google, 3, 1, now - 48h},
      {bildung, 2, client_family::google, 2, 2, now - 24h},
      {bildung, 2, client_family::apple, 5, 4, now - 1h},
      {bildung, 3, client_family::thunderbird, 1, 0, now - 30h},
  };
  const auto sums = by_family(rows);
  ASSERT_EQ(sums.size(), 3U);
  EXPECT_EQ(sums[0].family, client_family::apple);
  EXPECT_EQ(sums[1].family, client_family::google);
  EXPECT_EQ(sums[1].fetches, 5);
  EXPECT_EQ(sums[1].not_modified, 3);
  EXPECT_EQ(sums[1].last_fetch, now - 24h);
  EXPECT_EQ(sums[2].family, client_family::thunderbird);
  EXPECT_TRUE(by_family({}).empty());
}

TEST_F(FetchCounter, HousekeepingKeepsNinetyDays) {
  const auto today = storage::fetch_day(now);
  ASSERT_TRUE(store_->add_feed_fetches({
      {bildung, today - 91, client_family::google, 1, 0, now - 91 * 24h},
      {feed_ref::of(storage::person_id{3}), today - 200, client_family::apple, 1, 0,
       now - 200 * 24h},
      {bildung, today - 90, client_family::google, 2, 0, now - 90 * 24h},
      {bildung, today, client_family::google, 4, 0, now},
  }));
  std::vector<std::string> lines;
  housekeeping keeper(
      *store_, 1h, [&](std::string_view line) { lines.emplace_back(line); },
      calendar::clock::starting_at(now));
  keeper.run_once();
  EXPECT_EQ(stored(bildung), 6);
  EXPECT_TRUE(store_->feed_fetches(feed_ref::of(storage::person_id{3}), 0).empty());
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0], "removed 2 feed fetch count(s) older than 90 days");
}

}  // namespace
}  // namespace treffpunkt::usecases
