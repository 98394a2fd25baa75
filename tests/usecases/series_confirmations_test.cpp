// "Still happening?" (usecases/series_confirmations.h) on a fixed clock: a series untouched for
// eight weeks asks each responsible once, a confirmation or an edit starts the clock again,
// what is never asked about, and the flag four weeks after an unanswered question.
#include <usecases/events.h>
#include <usecases/housekeeping.h>
#include <usecases/series_confirmations.h>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using namespace std::chrono_literals;
using testing::usecase_test;
constexpr std::chrono::days eight_weeks = default_confirm_series_after;

class SeriesConfirmations : public usecase_test {
 protected:
  void SetUp() override {
    usecase_test::SetUp();
    oleg_ = person("oleg@example.org", "Oleg", "de");
    louisa_ = person("louisa@example.org", "Louisa", "en");
    for (const auto& p : {oleg_, louisa_}) {
      ASSERT_TRUE(store_->add_responsible(unit_.id, p.id, storage::actor::system()));
    }
    t0_ = event_.last_modified;  // created: where the clock starts
  }

  /// A use case's context at a fixed instant.
  context at(calendar::utc_seconds when) const {
    return {*store_, mail_, "https://termine.example.org", when};
  }

  /// One round at `when`; how many series were asked (no round may fail here).
  int round_at(calendar::utc_seconds when) {
    const auto r = ask_series_confirmations(at(when), eight_weeks);
    EXPECT_TRUE(r.errors.empty()) << r.errors.front();
    return r.series;
  }

  std::vector<std::string> recipients() const {
    std::vector<std::string> out;
    for (const auto& m : mails("series_confirmation")) out.push_back(m.recipient);
    return out;
  }

  storage::series_confirmation stamps() const {
    return store_->series_confirmation_of(event_.id).value();
  }

  /// A series of the fixture's unit created at t0_ with `rule` (weekly from a week on).
  calendar::event another(std::string_view rule, std::string title) {
    calendar::event e;
    e.unit = unit_.id;
    e.title = std::move(title);
    e.start = treffpunkt::testing::local(2026, 6, 17, 18);
    if (!rule.empty()) e.rule = calendar::recurrence_rule::parse(rule).value();
    auto made = store_->create_event(e, storage::actor::system(), t0_);
    EXPECT_TRUE(made) << made.error().message;
    return *made;
  }

  storage::person oleg_;
  storage::person louisa_;
  calendar::utc_seconds t0_{};
};

TEST_F(SeriesConfirmations, EightWeeksUntouchedMailsEachResponsibleOnceInTheirLanguage) {
  EXPECT_EQ(round_at(t0_ + eight_weeks - 1s), 0);
  EXPECT_TRUE(mails().empty());

  EXPECT_EQ(round_at(t0_ + eight_weeks), 1);
  EXPECT_EQ(recipients(), (std::vector<std::string>{"oleg@example.org", "louisa@example.org"}));
  EXPECT_EQ(wakes_, 1);  // the dispatcher was told
  EXPECT_EQ(stamps().asked, t0_ + eight_weeks);
  const auto sent = mails("series_confirmation");
  const std::string since = std::to_string(t0_.time_since_epoch().count());
  EXPECT_EQ(sent[0].dedupe_key, "series_confirmation:" + std::to_string(event_.id.value) + ":" +
                                    std::to_string(oleg_.id.value) + ":" + since);
  const std::string link =
      "https://termine.example.org/manage/events/" + std::to_string(event_.id.value) + "/confirm";
  const auto german = readable(sent[0].message);
  EXPECT_NE(german.find(link), std::string::npos);
  EXPECT_NE(german.find("Mittwoch, 10. Juni 2026"), std::string::npos);  // untouched since
  // The next date after the question: Tuesday 11 August.
  EXPECT_NE(german.find("Dienstag, 11. August 2026, 19:00 Uhr"), std::string::npos);
  EXPECT_EQ(german.find("List-Unsubscribe"), std::string::npos);
  const auto english = readable(sent[1].message);
  EXPECT_NE(english.find(link), std::string::npos);
  EXPECT_NE(english.find("Next date: Tuesday, 11 August 2026, 7:00 pm"), std::string::npos);
  EXPECT_NE(english.find("since Wednesday, 10 June 2026"), std::string::npos);

  // A second round, a day or a month later, asks no one again.
  EXPECT_EQ(round_at(t0_ + eight_weeks + 10min), 0);
  EXPECT_EQ(round_at(t0_ + eight_weeks + 24h * 30), 0);
  EXPECT_EQ(mails().size(), 2U);
  EXPECT_EQ(wakes_, 1);
}

TEST_F(SeriesConfirmations, TheOutboxKeyHoldsEvenWhenTheStampWasLost) {
  ASSERT_EQ(round_at(t0_ + eight_weeks), 1);
  // Say the stamp were lost (an older process, a restored backup): the mails are not queued
  // twice, because their keys name the same stale period.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "treffpunkt.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE events SET confirm_asked = NULL", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(round_at(t0_ + eight_weeks + 1h), 1);
  EXPECT_EQ(mails().size(), 2U);
}

TEST_F(SeriesConfirmations, AConfirmationStartsTheClockAgain) {
  ASSERT_EQ(round_at(t0_ + eight_weeks), 1);
  const auto confirmed_at = t0_ + eight_weeks + 24h * 3;
  const auto confirmed = confirm_series(at(confirmed_at), event_.id, storage::actor::of(oleg_.id));
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->since(), confirmed_at);
  EXPECT_FALSE(stamps().waiting());

  EXPECT_EQ(round_at(confirmed_at + eight_weeks - 1s), 0);
  EXPECT_EQ(mails().size(), 2U);
  // Eight weeks after the confirmation: asked again, under new keys.
  EXPECT_EQ(round_at(confirmed_at + eight_weeks), 1);
  const auto sent = mails("series_confirmation");
  ASSERT_EQ(sent.size(), 4U);
  EXPECT_TRUE(
      sent[2].dedupe_key.ends_with(":" + std::to_string(confirmed_at.time_since_epoch().count())));
  EXPECT_EQ(round_at(confirmed_at + eight_weeks + 1h), 0);
}

TEST_F(SeriesConfirmations, AnEditStartsTheClockAgain) {
  ASSERT_EQ(round_at(t0_ + eight_weeks), 1);
  const auto edited_at = t0_ + eight_weeks + 24h * 10;
  auto changed = stored_event();
  changed.location = "Jugendhaus, Raum 2";
  ASSERT_TRUE(update_event(at(edited_at), changed, storage::actor::of(louisa_.id)));
  EXPECT_FALSE(stamps().waiting());
  EXPECT_EQ(stamps().since(), edited_at);
  EXPECT_TRUE(unconfirmed_series_of(*store_, unit_.id, t0_ + eight_weeks * 2).empty());

  EXPECT_EQ(round_at(edited_at + eight_weeks - 1s), 0);
  EXPECT_EQ(round_at(edited_at + eight_weeks), 1);
  EXPECT_EQ(mails("series_confirmation").size(), 4U);
}

TEST_F(SeriesConfirmations, PastSeriesArchivedUnitsCancelledAndSingleEventsAreNeverAsked) {
  // Over before eight weeks have passed: five Wednesdays.
  const auto past = another("FREQ=WEEKLY;COUNT=5", "Sommerreihe");
  // A one-off event.
  const auto single = another("", "Einmalig");
  // Every date to come left out: nothing to confirm either.
  auto emptied = another("FREQ=WEEKLY;COUNT=20", "Leergeräumt");
  std::vector<calendar::occurrence_key> later;
  for (const auto& o :
       calendar::expand(emptied, t0_ + eight_weeks - 24h * 7, t0_ + std::chrono::days{366})) {
    later.push_back(o.key);
  }
  ASSERT_FALSE(later.empty());
  for (const auto& key : later) {
    calendar::occurrence_override off;
    off.key = key;
    off.cancelled = true;
    emptied = store_->set_override(emptied.id, off, storage::actor::system(), t0_).value();
  }
  // A cancelled series.
  const auto cancelled = another("FREQ=WEEKLY", "Abgesagt");
  ASSERT_TRUE(store_->cancel_event(cancelled.id, storage::actor::system(), t0_));
  // And a unit archived with its series.
  calendar::unit archived_unit;
  archived_unit.slug = "antifa";
  archived_unit.name = "Netzwerkstelle Antifa";
  archived_unit = store_->create_unit(archived_unit, storage::actor::system()).value();
  ASSERT_TRUE(store_->add_responsible(archived_unit.id, oleg_.id, storage::actor::system()));
  calendar::event theirs = event_;
  theirs.id = {};
  theirs.uid.clear();
  theirs.unit = archived_unit.id;
  theirs = store_->create_event(theirs, storage::actor::system(), t0_).value();
  ASSERT_TRUE(store_->set_archived(archived_unit.id, true, storage::actor::system(), t0_));

  // Twenty weeks on, only the fixture's own series was asked about.
  EXPECT_EQ(round_at(t0_ + 24h * 7 * 20), 1);
  EXPECT_EQ(mails().size(), 2U);
  for (const auto& m : mails()) {
    EXPECT_TRUE(
        m.dedupe_key.starts_with("series_confirmation:" + std::to_string(event_.id.value) + ":"));
  }
  for (const auto& e : {past, single, emptied, cancelled, theirs}) {
    EXPECT_EQ(store_->series_confirmation_of(e.id)->asked, std::nullopt) << e.title;
    const auto refused = confirm_series(at(t0_ + 24h * 7 * 20), e.id, storage::actor::system());
    ASSERT_FALSE(refused) << e.title;
    EXPECT_EQ(refused.error().code, storage::errc::conflict) << e.title;
  }
}

TEST_F(SeriesConfirmations, UnansweredForFourWeeksTheSeriesIsFlagged) {
  const auto asked_at = t0_ + eight_weeks;
  ASSERT_EQ(round_at(asked_at), 1);
  EXPECT_TRUE(unconfirmed_series_of(*store_, unit_.id, asked_at + unconfirmed_after - 1s).empty());
  const auto e = stored_event();
  const auto u = store_->unit_by_id(unit_.id).value();
  const auto waiting = status_of(e, u, stamps(), asked_at + unconfirmed_after - 1s);
  EXPECT_EQ(waiting.asked, asked_at);
  EXPECT_EQ(waiting.unconfirmed_since, std::nullopt);

  const auto flagged = unconfirmed_series_of(*store_, unit_.id, asked_at + unconfirmed_after);
  ASSERT_EQ(flagged.size(), 1U);
  EXPECT_EQ(flagged[0].event.id, event_.id);
  EXPECT_EQ(flagged[0].unit.slug, "bildung");
  EXPECT_EQ(flagged[0].asked, asked_at);
  EXPECT_EQ(unconfirmed_series_of(*store_, std::nullopt, asked_at + unconfirmed_after).size(), 1U);
  EXPECT_EQ(status_of(e, u, stamps(), asked_at + unconfirmed_after).unconfirmed_since, asked_at);
  // Nothing is removed: the series and its dates are as they were.
  EXPECT_EQ(stored_event(), e);

  // Confirmed by an admin: the flag goes.
  const auto admin = person("admin@example.org");
  ASSERT_TRUE(store_->set_admin(admin.id, true, storage::actor::system()));
  const auto later = asked_at + unconfirmed_after + 24h;
  ASSERT_TRUE(confirm_series(at(later), event_.id, storage::actor::of(admin.id)));
  EXPECT_TRUE(unconfirmed_series_of(*store_, std::nullopt, later).empty());
  EXPECT_EQ(status_of(e, u, stamps(), later).confirmed, later);
}

TEST_F(SeriesConfirmations, DatesYearsAheadCountAndLeftOutOnesDoNot) {
  calendar::event far;
  far.unit = unit_.id;
  far.title = "Zukunftswerkstatt";
  far.start = treffpunkt::testing::local(2031, 12, 2, 19);
  far.rule = calendar::recurrence_rule::parse("FREQ=WEEKLY;COUNT=3").value();
  // The first of its three dates left out.
  calendar::occurrence_override off;
  off.key = calendar::occurrence_key::timed(calendar::to_utc(far.start, far.zone));
  off.cancelled = true;
  far.overrides = {off};
  far = store_->create_event(far, storage::actor::system(), t0_).value();
  const auto next = next_dates(far, t0_, 5);
  ASSERT_EQ(next.size(), 2U);
  EXPECT_EQ(next[0].local_start, treffpunkt::testing::local(2031, 12, 9, 19));
  EXPECT_TRUE(asked_about(far, unit_, t0_));
  EXPECT_TRUE(confirm_series(at(t0_), far.id, storage::actor::of(oleg_.id)));
  // After its last date it is over.
  EXPECT_FALSE(asked_about(
      far, unit_, calendar::to_utc(treffpunkt::testing::local(2031, 12, 16, 20), far.zone)));
}

TEST_F(SeriesConfirmations, OnlyResponsiblesAndAdminsConfirm) {
  const auto member = person("mitglied@example.org");
  const auto refused = confirm_series(at(t0_), event_.id, storage::actor::of(member.id));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, storage::errc::forbidden);
  EXPECT_EQ(stamps().confirmed, std::nullopt);
  // Rights come first: a stranger learns nothing about what kind of event it is.
  const auto single = another("", "Einmalig");
  EXPECT_EQ(confirm_series(at(t0_), single.id, storage::actor::of(member.id)).error().code,
            storage::errc::forbidden);
  EXPECT_EQ(
      confirm_series(at(t0_), calendar::event_id{999}, storage::actor::of(oleg_.id)).error().code,
      storage::errc::not_found);
}

TEST_F(SeriesConfirmations, HousekeepingAsksOnceToldHow) {
  std::vector<std::string> lines;
  housekeeping keeper(
      *store_, 1h, [&](std::string_view line) { lines.emplace_back(line); },
      calendar::clock::starting_at(t0_ + eight_weeks + 1h));
  keeper.run_once();
  EXPECT_TRUE(mails().empty());  // not told how yet: no base URL for the links
  keeper.ask_about_series({eight_weeks, "https://termine.example.org", mail_});
  keeper.run_once();
  EXPECT_EQ(recipients(), (std::vector<std::string>{"oleg@example.org", "louisa@example.org"}));
  keeper.run_once();
  EXPECT_EQ(mails().size(), 2U);
  EXPECT_EQ(
      lines,
      (std::vector<std::string>{"asked the responsibles of 1 series whether they still happen"}));
}

}  // namespace
}  // namespace treffpunkt::usecases
