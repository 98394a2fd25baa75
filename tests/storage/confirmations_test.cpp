// "Still happening?" in the store: the stamps of series (events.confirmed, confirm_asked), a
// confirmation with its rights, and asking once per stale period with the mails in the same
// transaction.
#include <gtest/gtest.h>
#include <storage/store.h>

#include <stdexcept>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using testing::test_now;

class SeriesConfirmations : public testing::store_test {
 protected:
  void SetUp() override {
    testing::store_test::SetUp();
    bildung_ = make_unit("bildung");
    antifa_ = make_unit("antifa");
    oleg_ = make_person("oleg@example.org", "Oleg");
    louisa_ = make_person("louisa@example.org", "Louisa");
    member_ = make_person("mitglied@example.org", "Mitglied");
    ASSERT_TRUE(store_->add_responsible(bildung_.id, oleg_.id, actor::system()));
    ASSERT_TRUE(store_->add_responsible(bildung_.id, louisa_.id, actor::system()));
    series_ = make_event(bildung_, "FREQ=WEEKLY");
    single_ = make_event(bildung_, "");
    other_ = make_event(antifa_, "FREQ=WEEKLY;INTERVAL=2");
  }

  /// An event of `u` created a week before test_now(): a series with `rule`, else one-off.
  calendar::event make_event(const calendar::unit& u, std::string_view rule) {
    calendar::event e;
    e.unit = u.id;
    e.title = rule.empty() ? "Einmal" : "Offenes Treffen";
    e.start = calendar::to_local(test_now(), e.zone) + 24h * 7;
    if (!rule.empty()) e.rule = *calendar::recurrence_rule::parse(rule);
    auto made = store_->create_event(e, actor::system(), test_now() - 24h * 7);
    EXPECT_TRUE(made) << made.error().message;
    return made ? *made : e;
  }

  /// Mails that name the series and each responsible, as the use case composes them.
  confirmation_mails mails_for(std::vector<std::string>* seen = nullptr) {
    return [seen](const calendar::event& e, const std::vector<person>& responsibles) {
      mail_plan plan;
      for (const auto& p : responsibles) {
        if (seen) seen->push_back(p.email);
        plan.queue.push_back({"series_confirmation", p.email, "Subject: " + e.title + "\r\n\r\nx",
                              test_now(),
                              "series_confirmation:" + std::to_string(e.id.value) + ":" +
                                  std::to_string(p.id.value)});
      }
      return plan;
    };
  }

  std::int64_t outbox_rows() const { return query_int("SELECT count(*) FROM outbox"); }

  calendar::unit bildung_;
  calendar::unit antifa_;
  person oleg_;
  person louisa_;
  person member_;
  calendar::event series_;
  calendar::event single_;
  calendar::event other_;
};

TEST_F(SeriesConfirmations, ListsSeriesNotCancelledOfActiveUnitsWithTheirStamps) {
  const auto all = store_->series_confirmations();
  ASSERT_EQ(all.size(), 2U);  // the one-off event is no series
  EXPECT_EQ(all[0].event, series_.id);
  EXPECT_EQ(all[0].unit, bildung_.id);
  EXPECT_EQ(all[0].last_modified, test_now() - 24h * 7);
  EXPECT_EQ(all[0].confirmed, std::nullopt);
  EXPECT_EQ(all[0].asked, std::nullopt);
  EXPECT_EQ(all[0].since(), test_now() - 24h * 7);
  EXPECT_FALSE(all[0].waiting());
  EXPECT_EQ(all[1].event, other_.id);
  ASSERT_EQ(store_->series_confirmations(antifa_.id).size(), 1U);

  // Extra dates alone make a series too.
  auto extra = single_;
  extra.rdates = {extra.start + 24h * 14};
  ASSERT_TRUE(store_->update_event(extra, actor::system(), test_now()));
  EXPECT_EQ(store_->series_confirmations(bildung_.id).size(), 2U);

  // Cancelled series and those of archived units are never asked about.
  ASSERT_TRUE(store_->cancel_event(series_.id, actor::system(), test_now()));
  ASSERT_TRUE(store_->set_archived(antifa_.id, true, actor::system(), test_now()));
  const auto left = store_->series_confirmations();
  ASSERT_EQ(left.size(), 1U);
  EXPECT_EQ(left[0].event, single_.id);
  // series_confirmation_of reads any event.
  EXPECT_TRUE(store_->series_confirmation_of(series_.id));
  EXPECT_FALSE(store_->series_confirmation_of(calendar::event_id{999}));
}

TEST_F(SeriesConfirmations, ResponsiblesAndAdminsConfirmOthersMayNot) {
  const auto confirmed = store_->confirm_series(series_.id, actor::of(oleg_.id), test_now());
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->confirmed, test_now());
  EXPECT_EQ(confirmed->since(), test_now());
  EXPECT_EQ(
      query_int("SELECT confirmed FROM events WHERE id = " + std::to_string(series_.id.value)),
      test_now().time_since_epoch().count());
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action = 'confirm_series'"), 1);
  // Nothing a feed shows changed: the event stays as it was.
  EXPECT_EQ(store_->event_by_id(series_.id)->sequence, series_.sequence);
  EXPECT_EQ(store_->event_by_id(series_.id)->last_modified, series_.last_modified);

  const auto later = test_now() + 1h;
  EXPECT_EQ(store_->confirm_series(series_.id, actor::of(member_.id), later).error().code,
            errc::forbidden);
  // A responsible of another unit is no responsible of this one.
  const auto romy = make_person("romy@example.org");
  ASSERT_TRUE(store_->add_responsible(antifa_.id, romy.id, actor::system()));
  EXPECT_EQ(store_->confirm_series(series_.id, actor::of(romy.id), later).error().code,
            errc::forbidden);
  EXPECT_EQ(store_->series_confirmation_of(series_.id)->confirmed, test_now());
  const auto admin = make_person("admin@example.org");
  ASSERT_TRUE(store_->set_admin(admin.id, true, actor::system()));
  EXPECT_EQ(store_->confirm_series(series_.id, actor::of(admin.id), later)->confirmed, later);
}

TEST_F(SeriesConfirmations, RefusesWhatIsNoSeriesAndUnknownEvents) {
  const auto one_off = store_->confirm_series(single_.id, actor::of(oleg_.id), test_now());
  ASSERT_FALSE(one_off);
  EXPECT_EQ(one_off.error().code, errc::conflict);
  EXPECT_EQ(
      store_->confirm_series(calendar::event_id{999}, actor::of(oleg_.id), test_now()).error().code,
      errc::not_found);
  ASSERT_TRUE(store_->cancel_event(series_.id, actor::system(), test_now()));
  EXPECT_EQ(store_->confirm_series(series_.id, actor::of(oleg_.id), test_now()).error().code,
            errc::conflict);
  EXPECT_EQ(query_int("SELECT count(*) FROM events WHERE confirmed IS NOT NULL"), 0);
}

TEST_F(SeriesConfirmations, AsksOncePerStalePeriodWithTheMailsInOneTransaction) {
  const auto since = store_->series_confirmation_of(series_.id)->since();
  std::vector<std::string> seen;
  const auto asked =
      store_->ask_series_confirmation(series_.id, since, test_now(), mails_for(&seen));
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_TRUE(*asked);
  EXPECT_EQ(seen, (std::vector<std::string>{"oleg@example.org", "louisa@example.org"}));
  EXPECT_EQ(outbox_rows(), 2);
  const auto stamps = store_->series_confirmation_of(series_.id);
  EXPECT_EQ(stamps->asked, test_now());
  EXPECT_TRUE(stamps->waiting());

  // Asked already: a second round (or a second process) writes and queues nothing.
  seen.clear();
  EXPECT_FALSE(
      *store_->ask_series_confirmation(series_.id, since, test_now() + 1h, mails_for(&seen)));
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(store_->series_confirmation_of(series_.id)->asked, test_now());
  EXPECT_EQ(outbox_rows(), 2);

  // A confirmation ends the question and starts a new period.
  const auto confirmed_at = test_now() + 2h;
  ASSERT_TRUE(store_->confirm_series(series_.id, actor::of(louisa_.id), confirmed_at));
  EXPECT_FALSE(store_->series_confirmation_of(series_.id)->waiting());
  // Who saw the old period asks no more.
  EXPECT_FALSE(*store_->ask_series_confirmation(series_.id, since, test_now() + 3h, mails_for()));
  EXPECT_TRUE(*store_->ask_series_confirmation(
      series_.id, confirmed_at, test_now() + 3h,
      [](const calendar::event&, const std::vector<person>&) { return mail_plan{}; }));
}

TEST_F(SeriesConfirmations, AnEditCountsAsAnAnswer) {
  const auto since = store_->series_confirmation_of(series_.id)->since();
  ASSERT_TRUE(*store_->ask_series_confirmation(series_.id, since, test_now(), mails_for()));
  auto edited = *store_->event_by_id(series_.id);
  edited.location = "Jugendhaus";
  ASSERT_TRUE(store_->update_event(edited, actor::of(oleg_.id), test_now() + 24h));
  const auto stamps = store_->series_confirmation_of(series_.id);
  EXPECT_EQ(stamps->since(), test_now() + 24h);
  EXPECT_FALSE(stamps->waiting());
  EXPECT_EQ(stamps->asked, test_now());  // kept: when they were last asked
}

TEST_F(SeriesConfirmations, ComposeFailureWritesNothing) {
  const auto since = store_->series_confirmation_of(series_.id)->since();
  const auto failed = store_->ask_series_confirmation(
      series_.id, since, test_now(),
      [](const calendar::event&, const std::vector<person>&) -> mail_plan {
        throw std::runtime_error("no texts");
      });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, errc::invalid);
  EXPECT_EQ(store_->series_confirmation_of(series_.id)->asked, std::nullopt);
  EXPECT_EQ(outbox_rows(), 0);
}

TEST_F(SeriesConfirmations, AUnitWithoutResponsiblesIsAskedWithoutMail) {
  const auto since = store_->series_confirmation_of(other_.id)->since();
  std::vector<std::string> seen;
  EXPECT_TRUE(*store_->ask_series_confirmation(other_.id, since, test_now(), mails_for(&seen)));
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(outbox_rows(), 0);
  EXPECT_TRUE(store_->series_confirmation_of(other_.id)->waiting());  // the admins still see it
}

TEST_F(SeriesConfirmations, ExportCarriesTheStamps) {
  ASSERT_TRUE(store_->confirm_series(series_.id, actor::of(oleg_.id), test_now()));
  const std::string json = store_->export_json();
  EXPECT_NE(json.find("\"confirmed\":" + std::to_string(test_now().time_since_epoch().count())),
            std::string::npos);
  EXPECT_NE(json.find("\"confirm_asked\":null"), std::string::npos);
}

}  // namespace
}  // namespace treffpunkt::storage
