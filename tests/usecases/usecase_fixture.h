#pragma once
/// A real store in a temporary folder, on a clock set to a fixed instant, with one unit and one
/// weekly series with a single place: what the use case tests write to and read the outbox of.

#include <calendar/clock.h>
#include <calendar/expand.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <storage/store.h>
#include <usecases/context.h>
#include <usecases/store_outbox.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/test_time.h"

namespace treffpunkt::usecases::testing {

class usecase_test : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("treffpunkt-usecases-" + std::to_string(std::random_device{}()) + "-" +
            std::to_string(++counter));
    auto opened = storage::store::open(dir_, storage::store::if_read_only::fail, clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    mail_.from = "treffpunkt@termine.example.org";
    mail_.queued = [this] { ++wakes_; };

    calendar::unit u;
    u.slug = "bildung";
    u.name = "Netzwerkstelle Bildung";
    auto unit = store_->create_unit(u, storage::actor::system());
    ASSERT_TRUE(unit) << unit.error().message;
    unit_ = *unit;
    // Every Tuesday at 19:00 in Berlin from the week after "now", one place.
    calendar::event e;
    e.unit = unit_.id;
    e.title = "Offenes Treffen";
    e.location = "Jugendzentrum";
    e.start = treffpunkt::testing::local(2026, 6, 16, 19);
    e.duration = std::chrono::hours(2);
    e.rule = calendar::recurrence_rule::parse("FREQ=WEEKLY").value();
    e.capacity = 1;
    auto made = store_->create_event(e, storage::actor::system(), now());
    ASSERT_TRUE(made) << made.error().message;
    event_ = *made;
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  calendar::utc_seconds now() const { return clock_.now(); }

  /// The context of a use case at `now()`, with links to the site's public URL.
  context ctx() const { return {*store_, mail_, "https://termine.example.org", now()}; }

  /// The `n`th occurrence of the series (from 0).
  calendar::occurrence occurrence(std::size_t n = 0) const {
    const auto all = calendar::expand(event_, now(), now() + std::chrono::days(365));
    EXPECT_GT(all.size(), n);
    return all.at(n);
  }

  storage::person person(std::string_view email, std::string_view name = "Mitglied",
                         std::string_view language = "de") {
    auto p = store_->ensure_person(email, name, language);
    EXPECT_TRUE(p) << p.error().message;
    return *p;
  }

  /// A queued or sent mail as the outbox holds it.
  struct mail {
    std::string kind;
    std::string recipient;
    std::string message;  ///< the RFC 5322 bytes (composed now if queued without: see below)
    std::string dedupe_key;
    std::int64_t due = 0;
    bool composed_when_due = false;  ///< queued without its text (a reminder), composed here
  };

  /// Every mail of `kind` in the outbox (all when empty), in the order queued, read with a
  /// connection of its own (the store does not hand out message bytes but to the dispatcher).
  /// A reminder, queued without its text, is composed as it would be if it were due now.
  std::vector<mail> mails(std::string_view kind = {}) const {
    std::vector<mail> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((dir_ / "treffpunkt.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK) {
      ADD_FAILURE() << "cannot open the database";
      sqlite3_close(db);
      return out;
    }
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT o.kind, o.recipient, m.message, coalesce(o.dedupe_key, ''), o.due "
                       "FROM outbox o LEFT JOIN outbox_messages m ON m.id = o.id ORDER BY o.id",
                       -1, &stmt, nullptr);
    const auto text = [&](int column) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
      return bytes
                 ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)))
                 : std::string();
    };
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      mail m{text(0), text(1), text(2), text(3), sqlite3_column_int64(stmt, 4), false};
      if (m.message.empty()) {
        // As the dispatcher will when it is due (store_outbox): composed from the store now.
        storage::outbox_entry queued;
        queued.kind = m.kind;
        queued.recipient = m.recipient;
        queued.due = calendar::utc_seconds(std::chrono::seconds(m.due));
        queued.dedupe_key = m.dedupe_key;
        m.message = compose_due(ctx(), queued).message;
        m.composed_when_due = true;
      }
      if (kind.empty() || m.kind == kind) out.push_back(std::move(m));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  /// The mail's bytes with quoted-printable's soft line breaks and "=3D" undone: enough to
  /// find the ASCII text of its text parts (links, times, "15 Minuten").
  static std::string readable(std::string message) {
    for (std::size_t at = message.find("=\r\n"); at != std::string::npos;
         at = message.find("=\r\n", at)) {
      message.erase(at, 3);
    }
    for (std::size_t at = message.find("=3D"); at != std::string::npos;
         at = message.find("=3D", at + 1)) {
      message.replace(at, 3, "=");
    }
    return message;
  }

  /// The current state of the event in the store.
  calendar::event stored_event() const { return store_->event_by_id(event_.id).value(); }

  calendar::clock clock_ = calendar::clock::starting_at(treffpunkt::testing::utc(2026, 6, 10, 8));
  std::filesystem::path dir_;
  std::unique_ptr<storage::store> store_;
  mail_settings mail_;
  int wakes_ = 0;
  calendar::unit unit_;
  calendar::event event_;
};

}  // namespace treffpunkt::usecases::testing
