// Units edited and archived (store::update_unit, store::set_archived).
#include <calendar/event.h>
#include <date/date.h>
#include <gtest/gtest.h>
#include <storage/store.h>

#include <chrono>

#include "store_fixture.h"

namespace {

using namespace std::chrono_literals;
namespace cal = treffpunkt::calendar;
namespace st = treffpunkt::storage;
using st::actor;
using st::errc;

const cal::utc_seconds now = st::testing::test_now();  // 2025-11-01 12:00 UTC

class Units : public st::testing::store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    if (HasFatalFailure()) return;
    unit_ = make_unit("bildung");
    responsible_ = make_person("resp@example.org", "Rosa").id;
    member_ = make_person("member@example.org", "Mia").id;
    ASSERT_TRUE(store_->add_responsible(unit_.id, responsible_, actor::system()));
  }
  cal::unit unit_;
  st::person_id responsible_;
  st::person_id member_;
};

TEST_F(Units, AdminsChangeNameZoneAndContactResponsiblesTheDescription) {
  auto changed = unit_;
  changed.name = "Netzwerkstelle Bildung und Schule";
  changed.zone = "Europe/Vienna";
  changed.contact = " Bildung@Example.org ";
  changed.slug = "anders";  // never changes
  const auto saved = store_->update_unit(changed, actor::system());
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(saved->slug, "bildung");
  EXPECT_EQ(saved->contact, "bildung@example.org");
  EXPECT_EQ(store_->unit_by_slug("bildung")->zone, "Europe/Vienna");

  auto text = *store_->unit_by_slug("bildung");
  text.description = "Wir treffen uns **alle zwei Wochen**.";
  ASSERT_TRUE(store_->update_unit(text, actor::of(responsible_)));
  EXPECT_EQ(store_->unit_by_slug("bildung")->description, text.description);
  auto renamed = text;
  renamed.name = "Gekapert";
  EXPECT_EQ(store_->update_unit(renamed, actor::of(responsible_)).error().code, errc::forbidden);
  EXPECT_EQ(store_->update_unit(text, actor::of(member_)).error().code, errc::forbidden);
  EXPECT_EQ(store_->unit_by_slug("bildung")->name, "Netzwerkstelle Bildung und Schule");
}

TEST_F(Units, BadValuesAreRefusedWithTheirField) {
  auto u = unit_;
  u.name = "  ";
  EXPECT_EQ(store_->update_unit(u, actor::system()).error().field, "name");
  u = unit_;
  u.zone = "Mars/Olympus";
  EXPECT_EQ(store_->update_unit(u, actor::system()).error().field, "zone");
  u = unit_;
  u.contact = "keine adresse";
  EXPECT_EQ(store_->update_unit(u, actor::system()).error().field, "contact");
  u = unit_;
  u.id = cal::unit_id{999};
  EXPECT_EQ(store_->update_unit(u, actor::system()).error().code, errc::not_found);
  const auto kept = store_->unit_by_slug("bildung");
  EXPECT_EQ(kept->name, unit_.name);
  EXPECT_EQ(kept->zone, unit_.zone);
  EXPECT_EQ(kept->contact, "");
}

TEST_F(Units, OnlyAdminsArchiveAndAnArchivedUnitTakesNoAnswersToWhatWasToCome) {
  cal::event e;
  e.unit = unit_.id;
  e.title = "Treffen";
  e.start = date::local_days{date::year{2025} / 11 / 4} + 19h;
  e.rule = cal::recurrence_rule::parse("FREQ=WEEKLY;COUNT=4").value();
  const auto made = store_->create_event(e, actor::system(), now);
  ASSERT_TRUE(made);
  const auto first = cal::occurrence_key::timed(cal::to_utc(e.start, e.zone));
  ASSERT_TRUE(store_->set_rsvp(made->id, first, member_, cal::rsvp_answer::yes, now));

  EXPECT_EQ(store_->set_archived(unit_.id, true, actor::of(responsible_), now).error().code,
            errc::forbidden);
  EXPECT_EQ(store_->set_archived(cal::unit_id{999}, true, actor::system(), now).error().code,
            errc::not_found);
  const auto archived = store_->set_archived(unit_.id, true, actor::system(), now);
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->archived, now);
  EXPECT_EQ(store_->unit_by_slug("bildung")->archived, now);
  // Archiving again keeps the first date.
  EXPECT_EQ(store_->set_archived(unit_.id, true, actor::system(), now + 1h)->archived, now);
  const auto second = cal::occurrence_key::timed(cal::to_utc(e.start + date::days{7}, e.zone));
  const auto refused = store_->set_rsvp(made->id, second, member_, cal::rsvp_answer::yes, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::rsvp_closed);
  // Active again: answers are taken again.
  ASSERT_TRUE(store_->set_archived(unit_.id, false, actor::system(), now));
  EXPECT_FALSE(store_->unit_by_slug("bildung")->archived);
  EXPECT_TRUE(store_->set_rsvp(made->id, second, member_, cal::rsvp_answer::yes, now));
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log WHERE action LIKE '%_unit'"), 3);
}

}  // namespace
