#include <calendar/clock.h>
#include <calendar/expand.h>
#include <gtest/gtest.h>
#include <usecases/demo.h>
#include <usecases/housekeeping.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "common/test_time.h"

namespace {

using namespace std::chrono_literals;
namespace calendar = treffpunkt::calendar;
namespace storage = treffpunkt::storage;

/// The tests' clock: a fixed day, running on from there (housekeeping waits for real).
const calendar::clock test_clock =
    calendar::clock::starting_at(treffpunkt::testing::utc(2026, 6, 10, 8));

class Housekeeping : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("treffpunkt-housekeeping-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = storage::store::open(dir_, storage::store::if_read_only::fail, test_clock);
    ASSERT_TRUE(opened);
    store_ = std::move(*opened);
    ASSERT_TRUE(treffpunkt::usecases::load_demo(*store_, clock_now() - 72h));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static calendar::utc_seconds clock_now() { return test_clock.now(); }
  /// A guest who asked three days ago for an occurrence next month and never confirmed.
  storage::guest_rsvp stale_guest() {
    const auto unit = store_->unit_by_slug("bildung");
    const auto events = store_->events_of_unit(unit->id);
    for (const auto& e : events) {
      for (const auto& o : calendar::expand(e, clock_now() + 24h * 7, clock_now() + 24h * 60)) {
        auto g = store_->request_guest_rsvp(e.id, o.key, "Gast", "gast@example.org",
                                            calendar::rsvp_answer::yes, clock_now() - 72h);
        if (g) return *g;
      }
    }
    ADD_FAILURE() << "no occurrence took a guest RSVP";
    return {};
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::store> store_;
};

TEST_F(Housekeeping, RemovesGuestRsvpsWhoseLinkExpiredOnItsOwnThread) {
  const auto guest = stale_guest();
  ASSERT_TRUE(store_->person_by_email("gast@example.org"));
  std::vector<std::string> lines;
  std::mutex lines_mutex;
  treffpunkt::usecases::housekeeping keeper(
      *store_, 20ms,
      [&](std::string_view line) {
        const std::lock_guard lock(lines_mutex);
        lines.emplace_back(line);
      },
      test_clock);
  keeper.start();
  for (int i = 0; i < 200 && store_->person_by_email("gast@example.org"); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  keeper.stop();
  EXPECT_EQ(store_->person_by_email("gast@example.org"), std::nullopt);
  EXPECT_EQ(store_->rsvp_of(guest.rsvp.event, guest.rsvp.key, guest.rsvp.person), std::nullopt);
  const std::lock_guard lock(lines_mutex);
  ASSERT_EQ(lines.size(), 1U);  // later rounds find nothing and say nothing
  EXPECT_EQ(lines[0], "removed 1 unconfirmed guest RSVP(s) whose link expired");
}

TEST_F(Housekeeping, KeepsGuestRsvpsWhoseLinkStillWorks) {
  const auto unit = store_->unit_by_slug("bildung");
  bool asked = false;
  for (const auto& e : store_->events_of_unit(unit->id)) {
    for (const auto& o : calendar::expand(e, clock_now() + 24h * 7, clock_now() + 24h * 60)) {
      if (store_->request_guest_rsvp(e.id, o.key, "Gast", "frisch@example.org",
                                     calendar::rsvp_answer::yes, clock_now())) {
        asked = true;
        break;
      }
    }
    if (asked) break;
  }
  ASSERT_TRUE(asked);
  treffpunkt::usecases::housekeeping keeper(*store_, 1h, {}, test_clock);
  EXPECT_EQ(keeper.run_once(), 0);
  EXPECT_TRUE(store_->person_by_email("frisch@example.org"));
}

TEST_F(Housekeeping, RemovesSentAndFailedMailOlderThanThirtyDays) {
  const auto now = clock_now();
  // Four messages: sent 31 days ago, failed 31 days ago, sent yesterday, still queued from long
  // ago (a queued one is never dropped: it has not gone out yet).
  const auto queue = [&](const std::string& to, calendar::utc_seconds due) {
    ASSERT_TRUE(store_->enqueue({"reminder", to, "Subject: x\r\n\r\nx\r\n", due, {}}, due));
  };
  queue("alt@example.org", now - 24h * 31);
  queue("kaputt@example.org", now - 24h * 31);
  queue("neu@example.org", now - 24h);
  const auto claimed = store_->claim_due(now - 24h, 1min, 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 3U);
  for (const auto& m : *claimed) {
    if (m.recipient == "kaputt@example.org") {
      ASSERT_TRUE(store_->mark_failed(m.id, "550 no such user"));
    } else {
      ASSERT_TRUE(store_->mark_sent(m.id, m.due));
    }
  }
  queue("wartet@example.org", now - 24h * 40);

  std::vector<std::string> lines;
  treffpunkt::usecases::housekeeping keeper(
      *store_, 1h, [&](std::string_view line) { lines.emplace_back(line); }, test_clock);
  keeper.run_once();
  std::vector<std::string> left;
  for (const auto& m : store_->outbox_list(100)) left.push_back(m.recipient);
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"neu@example.org", "wartet@example.org"}));
  EXPECT_NE(
      std::find(lines.begin(), lines.end(), "removed 2 sent or failed mail(s) older than 30 days"),
      lines.end());
}

}  // namespace
