#include <calendar/expand.h>
#include <gtest/gtest.h>
#include <storage/store.h>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
using calendar::local_seconds;
using calendar::occurrence_key;
using testing::test_now;

constexpr std::string_view berlin = "Europe/Berlin";

local_seconds local(int y, unsigned m, unsigned d, int hour) {
  return local_seconds(date::local_days(date::year{y} / date::month{m} / date::day{d})) +
         std::chrono::hours(hour);
}

occurrence_key key_at(local_seconds start) {
  return occurrence_key::timed(calendar::to_utc(start, berlin));
}

class Events : public testing::store_test {
 protected:
  void SetUp() override {
    testing::store_test::SetUp();
    bildung_ = make_unit("bildung");
    antifa_ = make_unit("antifa");
  }

  /// Every Tuesday at 19:00 from 2025-11-04, ten times, one extra Thursday, the second
  /// occurrence moved to Wednesday 18:00 and the third cancelled.
  calendar::event series() const {
    calendar::event e;
    e.unit = bildung_.id;
    e.kind = calendar::event_kind::meeting;
    e.title = "Treffen der Netzwerkstelle Bildung";
    e.description = "Schüler*innen, Thüringen; alle willkommen";
    e.location = "Jugendhaus, Raum 2";
    e.online_url = "https://meet.example.org/bildung";
    e.zone = std::string(berlin);
    e.start = local(2025, 11, 4, 19);
    e.duration = 2h;
    e.rule = *calendar::recurrence_rule::parse("FREQ=WEEKLY;BYDAY=TU;COUNT=10");
    e.rdates = {local(2025, 11, 20, 19)};
    calendar::occurrence_override moved;
    moved.key = key_at(local(2025, 11, 11, 19));
    moved.start = local(2025, 11, 12, 18);
    moved.duration = 90min;
    moved.title = "Treffen (verschoben)";
    moved.location = "Rathaus";
    moved.sequence = 1;
    moved.last_modified = test_now() - 24h;
    calendar::occurrence_override cancelled;
    cancelled.key = key_at(local(2025, 11, 18, 19));
    cancelled.cancelled = true;
    cancelled.sequence = 2;
    cancelled.last_modified = test_now() - 48h;
    e.overrides = {moved, cancelled};
    e.capacity = 12;
    e.rsvp_deadline = 3h;
    return e;
  }

  calendar::event created_series() {
    auto e = store_->create_event(series(), actor::system(), test_now());
    EXPECT_TRUE(e) << e.error().message;
    return e ? *e : series();
  }

  std::int64_t audit_count(std::string_view action) const {
    return query_int("SELECT count(*) FROM audit_log WHERE action = '" + std::string(action) + "'");
  }

  calendar::unit bildung_;
  calendar::unit antifa_;
};

TEST_F(Events, SeriesRoundTripsWithOnlyAssignedFieldsAdded) {
  const auto input = series();
  auto created = store_->create_event(input, actor::system(), test_now());
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id.value, 0);
  EXPECT_EQ(created->uid.size(), 32U + std::string_view("@treffpunkt").size()) << created->uid;
  EXPECT_EQ(created->sequence, 0);
  EXPECT_EQ(created->created, test_now());
  EXPECT_EQ(created->last_modified, test_now());

  auto expected = input;
  expected.id = created->id;
  expected.uid = created->uid;
  expected.created = test_now();
  expected.last_modified = test_now();
  EXPECT_EQ(*created, expected);

  const auto read = store_->event_by_id(created->id);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, expected);

  reopen();
  const auto after_reopen = store_->events_of_unit(bildung_.id);
  ASSERT_EQ(after_reopen.size(), 1U);
  EXPECT_EQ(after_reopen[0], expected);
}

TEST_F(Events, OneOffAllDayEventRoundTrips) {
  calendar::event e;
  e.unit = antifa_.id;
  e.kind = calendar::event_kind::exchange_offer;
  e.uid = "given-uid@example.org";
  e.title = "Workshop";
  e.all_day = true;
  e.start = local(2025, 12, 6, 0);
  e.duration = 24h;
  auto created = store_->create_event(e, actor::system(), test_now());
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->uid, "given-uid@example.org");
  const auto read = store_->event_by_id(created->id);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, *created);
  EXPECT_FALSE(read->rule);
  EXPECT_FALSE(read->capacity);
  EXPECT_TRUE(store_->events_of_unit(bildung_.id).empty());
  EXPECT_EQ(store_->events_of_unit(antifa_.id).size(), 1U);
}

TEST_F(Events, SameUidTwiceIsConflict) {
  auto e = series();
  e.uid = "same@example.org";
  ASSERT_TRUE(store_->create_event(e, actor::system(), test_now()));
  auto again = store_->create_event(e, actor::system(), test_now());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::conflict);
}

TEST_F(Events, InvalidEventIsRefusedWithFieldAndNothingWritten) {
  auto e = series();
  e.title = "";
  const auto version = store_->unit_version(bildung_.id);
  auto created = store_->create_event(e, actor::system(), test_now());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, errc::invalid);
  EXPECT_EQ(created.error().field, "title");
  EXPECT_TRUE(store_->events_of_unit(bildung_.id).empty());
  EXPECT_EQ(store_->unit_version(bildung_.id), version);
}

TEST_F(Events, EventOfUnknownUnitIsNotFound) {
  auto e = series();
  e.unit = calendar::unit_id{999};
  auto created = store_->create_event(e, actor::system(), test_now());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, errc::not_found);
}

TEST_F(Events, VersionGrowsOnEveryFeedChangeAndNotOnReads) {
  const auto other = store_->unit_version(antifa_.id);
  auto v = store_->unit_version(bildung_.id);
  const auto check_grew = [&](const char* what) {
    const auto now_version = store_->unit_version(bildung_.id);
    EXPECT_GT(now_version, v) << what;
    v = now_version;
  };
  const auto e = created_series();
  check_grew("create");

  store_->event_by_id(e.id);
  store_->events_of_unit(bildung_.id);
  store_->units();
  store_->export_json();
  EXPECT_EQ(store_->unit_version(bildung_.id), v) << "reads";

  auto changed = e;
  changed.title = "Neuer Titel";
  ASSERT_TRUE(store_->update_event(changed, actor::system(), test_now() + 1h));
  check_grew("update");

  calendar::occurrence_override o;
  o.key = key_at(local(2025, 11, 25, 19));
  o.cancelled = true;
  ASSERT_TRUE(store_->set_override(e.id, o, actor::system(), test_now() + 2h));
  check_grew("set_override");

  ASSERT_TRUE(
      store_->split_event(e.id, key_at(local(2025, 12, 9, 19)), actor::system(), test_now() + 3h));
  check_grew("split");

  auto imported = series();
  imported.uid = "imported@example.org";
  ASSERT_TRUE(store_->import_events(bildung_.id, {imported}, actor::system(), test_now(), false));
  check_grew("import");

  ASSERT_TRUE(store_->cancel_event(e.id, actor::system(), test_now() + 4h));
  check_grew("cancel");

  EXPECT_EQ(store_->unit_version(antifa_.id), other) << "another unit's feed did not change";
}

TEST_F(Events, UpdateKeepsIdentityAndGrowsSequence) {
  const auto e = created_series();
  auto changed = e;
  changed.title = "Neuer Titel";
  changed.uid = "attempt-to-change@example.org";
  changed.created = test_now() - 1000h;
  changed.unit = antifa_.id;
  changed.sequence = 0;
  auto updated = store_->update_event(changed, actor::system(), test_now() + 1h);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->uid, e.uid);
  EXPECT_EQ(updated->created, e.created);
  EXPECT_EQ(updated->unit, bildung_.id);
  EXPECT_EQ(updated->sequence, 1);
  EXPECT_EQ(updated->last_modified, test_now() + 1h);
  EXPECT_EQ(updated->title, "Neuer Titel");
  EXPECT_EQ(*store_->event_by_id(e.id), *updated);

  auto again = store_->update_event(*updated, actor::system(), test_now() + 2h);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sequence, 2);
}

// event_by_id and RSVPs read events through a cache tagged with the unit's version: whatever
// changes an event, here or through another store on the same data (a second instance, an
// import), the next read shows it.
TEST_F(Events, EventByIdIsNeverStaleAfterAChangeHereOrThroughAnotherStore) {
  const auto e = created_series();
  ASSERT_EQ(*store_->event_by_id(e.id), e);  // now cached

  auto retitled = e;
  retitled.title = "Hier geändert";
  const auto here = store_->update_event(retitled, actor::system(), test_now() + 1h);
  ASSERT_TRUE(here) << here.error().message;
  EXPECT_EQ(*store_->event_by_id(e.id), *here);

  auto other = open_another();
  ASSERT_TRUE(other) << other.error().message;
  calendar::occurrence_override moved;
  moved.key = key_at(local(2025, 11, 25, 19));
  moved.start = local(2025, 11, 26, 19);
  const auto there = (*other)->set_override(e.id, moved, actor::system(), test_now() + 2h);
  ASSERT_TRUE(there) << there.error().message;
  EXPECT_EQ(*store_->event_by_id(e.id), *there);

  // The RSVP path reads through the cache inside its write: a capacity lowered elsewhere holds.
  auto smaller = *there;
  smaller.capacity = 1;
  ASSERT_TRUE((*other)->update_event(smaller, actor::system(), test_now() + 3h));
  const auto key = key_at(local(2025, 12, 2, 19));
  const auto first = make_person("erste@example.org");
  const auto second = make_person("zweite@example.org");
  const auto a = store_->set_rsvp(e.id, key, first.id, calendar::rsvp_answer::yes, test_now());
  const auto b = store_->set_rsvp(e.id, key, second.id, calendar::rsvp_answer::yes, test_now());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->rsvp.state, rsvp_state::going);
  EXPECT_EQ(b->rsvp.state, rsvp_state::waitlisted);

  ASSERT_TRUE((*other)->cancel_event(e.id, actor::system(), test_now() + 4h));
  EXPECT_EQ(store_->event_by_id(e.id)->status, calendar::event_status::cancelled);
}

TEST_F(Events, UpdateOfUnknownEventIsNotFound) {
  auto e = series();
  e.id = calendar::event_id{4711};
  auto updated = store_->update_event(e, actor::system(), test_now());
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, errc::not_found);
}

TEST_F(Events, OverrideGrowsItsOwnAndTheSeriesSequence) {
  const auto e = created_series();
  const auto key = key_at(local(2025, 11, 25, 19));
  calendar::occurrence_override moved;
  moved.key = key;
  moved.start = local(2025, 11, 26, 19);
  auto first = store_->set_override(e.id, moved, actor::system(), test_now() + 1h);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->sequence, e.sequence + 1);
  EXPECT_EQ(first->last_modified, test_now() + 1h);
  const auto* stored = first->find_override(key);
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->start, moved.start);
  EXPECT_EQ(stored->last_modified, test_now() + 1h);
  const int first_sequence = stored->sequence;
  EXPECT_GE(first_sequence, 1);

  // Cancelling the moved occurrence: still found under its original start.
  calendar::occurrence_override cancelled;
  cancelled.key = key;
  cancelled.cancelled = true;
  auto second = store_->set_override(e.id, cancelled, actor::system(), test_now() + 2h);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->sequence, e.sequence + 2);
  EXPECT_EQ(second->last_modified, test_now() + 2h);
  ASSERT_NE(second->find_override(key), nullptr);
  EXPECT_EQ(second->find_override(key)->sequence, first_sequence + 1);
  EXPECT_TRUE(second->find_override(key)->cancelled);
  EXPECT_EQ(*store_->event_by_id(e.id), *second);

  // And a cancelled occurrence can be brought back with a change.
  calendar::occurrence_override back;
  back.key = key;
  back.title = "Doch";
  auto third = store_->set_override(e.id, back, actor::system(), test_now() + 3h);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_FALSE(third->find_override(key)->cancelled);
  EXPECT_EQ(third->find_override(key)->sequence, first_sequence + 2);
}

TEST_F(Events, OverrideOfNonOccurrenceIsNotFound) {
  const auto e = created_series();
  const auto version = store_->unit_version(bildung_.id);
  calendar::occurrence_override o;
  o.key = key_at(local(2025, 11, 25, 20));  // Tuesday, but 20:00
  o.cancelled = true;
  auto result = store_->set_override(e.id, o, actor::system(), test_now());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, errc::not_found);
  o.key = key_at(local(2026, 3, 3, 19));  // after COUNT=10
  result = store_->set_override(e.id, o, actor::system(), test_now());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, errc::not_found);
  EXPECT_EQ(store_->unit_version(bildung_.id), version);
  EXPECT_EQ(*store_->event_by_id(e.id), e);
}

TEST_F(Events, CancelEventKeepsItCancelled) {
  const auto e = created_series();
  auto cancelled = store_->cancel_event(e.id, actor::system(), test_now() + 1h);
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, calendar::event_status::cancelled);
  EXPECT_EQ(cancelled->sequence, e.sequence + 1);
  EXPECT_EQ(cancelled->last_modified, test_now() + 1h);
  const auto read = store_->event_by_id(e.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, *cancelled);
  auto missing = store_->cancel_event(calendar::event_id{999}, actor::system(), test_now());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
}

TEST_F(Events, ResponsibleOfAnotherUnitIsForbiddenAdminMay) {
  const auto e = created_series();
  const auto other = make_person("antifa-resp@example.org");
  const auto own = make_person("bildung-resp@example.org");
  const auto admin = make_person("admin@example.org");
  const auto member = make_person("member@example.org");
  ASSERT_TRUE(store_->add_responsible(antifa_.id, other.id, actor::system()));
  ASSERT_TRUE(store_->add_responsible(bildung_.id, own.id, actor::system()));
  ASSERT_TRUE(store_->set_admin(admin.id, true, actor::system()));
  const auto version = store_->unit_version(bildung_.id);

  for (const auto& who : {actor::of(other.id), actor::of(member.id)}) {
    auto created = store_->create_event(series(), who, test_now());
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, errc::forbidden);
    auto changed = e;
    changed.title = "x";
    auto updated = store_->update_event(changed, who, test_now());
    ASSERT_FALSE(updated);
    EXPECT_EQ(updated.error().code, errc::forbidden);
    calendar::occurrence_override o;
    o.key = key_at(local(2025, 11, 25, 19));
    o.cancelled = true;
    auto overridden = store_->set_override(e.id, o, who, test_now());
    ASSERT_FALSE(overridden);
    EXPECT_EQ(overridden.error().code, errc::forbidden);
    auto cancelled = store_->cancel_event(e.id, who, test_now());
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error().code, errc::forbidden);
    auto split = store_->split_event(e.id, key_at(local(2025, 12, 9, 19)), who, test_now());
    ASSERT_FALSE(split);
    EXPECT_EQ(split.error().code, errc::forbidden);
    auto imported = store_->import_events(bildung_.id, {series()}, who, test_now(), false);
    ASSERT_FALSE(imported);
    EXPECT_EQ(imported.error().code, errc::forbidden);
  }
  EXPECT_EQ(store_->unit_version(bildung_.id), version);
  EXPECT_EQ(*store_->event_by_id(e.id), e);

  auto by_own = store_->create_event(series(), actor::of(own.id), test_now());
  EXPECT_TRUE(by_own);
  auto changed = e;
  changed.title = "Vom Admin";
  auto by_admin = store_->update_event(changed, actor::of(admin.id), test_now());
  ASSERT_TRUE(by_admin);
  EXPECT_EQ(by_admin->title, "Vom Admin");
}

TEST_F(Events, SplitMovesLaterRsvpsToTheNewSeries) {
  const auto e = created_series();
  const auto anna = make_person("anna@example.org");
  const auto ben = make_person("ben@example.org");
  const auto early = key_at(local(2025, 11, 25, 19));
  const auto from = key_at(local(2025, 12, 9, 19));
  const auto late = key_at(local(2025, 12, 16, 19));
  for (const auto& [who, key] : {std::pair{anna.id, early}, std::pair{anna.id, from},
                                 std::pair{ben.id, late}, std::pair{ben.id, early}}) {
    auto rsvp = store_->set_rsvp(e.id, key, who, calendar::rsvp_answer::yes, test_now());
    ASSERT_TRUE(rsvp) << rsvp.error().message;
  }

  auto split = store_->split_event(e.id, from, actor::system(), test_now() + 1h);
  ASSERT_TRUE(split) << split.error().message;
  const auto& [old_series, new_series] = *split;
  EXPECT_EQ(old_series.id, e.id);
  EXPECT_EQ(old_series.sequence, e.sequence + 1);
  EXPECT_EQ(old_series.last_modified, test_now() + 1h);
  EXPECT_NE(new_series.id, e.id);
  EXPECT_NE(new_series.uid, e.uid);
  EXPECT_EQ(new_series.related_to, e.uid);
  EXPECT_EQ(new_series.created, test_now() + 1h);
  EXPECT_EQ(new_series.start, local(2025, 12, 9, 19));
  EXPECT_EQ(*store_->event_by_id(old_series.id), old_series);
  EXPECT_EQ(*store_->event_by_id(new_series.id), new_series);
  EXPECT_EQ(store_->events_of_unit(bildung_.id).size(), 2U);

  EXPECT_TRUE(store_->rsvp_of(e.id, early, anna.id));
  EXPECT_TRUE(store_->rsvp_of(e.id, early, ben.id));
  EXPECT_FALSE(store_->rsvp_of(e.id, from, anna.id));
  EXPECT_TRUE(store_->rsvp_of(new_series.id, from, anna.id));
  EXPECT_TRUE(store_->rsvp_of(new_series.id, late, ben.id));
  EXPECT_FALSE(store_->rsvp_of(new_series.id, early, ben.id));
  EXPECT_EQ(audit_count("split_event"), 1);
}

TEST_F(Events, SplitAtFirstOrMissingOccurrenceIsRefused) {
  const auto e = created_series();
  auto first = store_->split_event(e.id, key_at(e.start), actor::system(), test_now());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, errc::invalid);
  auto missing =
      store_->split_event(e.id, key_at(local(2025, 11, 26, 19)), actor::system(), test_now());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::not_found);
  EXPECT_EQ(store_->events_of_unit(bildung_.id).size(), 1U);
}

TEST_F(Events, ImportCreatesUpdatesAndCountsUnchanged) {
  auto a = series();
  a.uid = "a@example.org";
  auto b = series();
  b.uid = "b@example.org";
  b.title = "B";
  auto first = store_->import_events(bildung_.id, {a, b}, actor::system(), test_now(), false);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->created, 2);
  EXPECT_EQ(first->updated, 0);
  EXPECT_EQ(store_->events_of_unit(bildung_.id).size(), 2U);

  b.title = "B, geändert";
  auto second = store_->import_events(bildung_.id, {a, b}, actor::system(), test_now() + 1h, false);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->created, 0);
  EXPECT_EQ(second->updated, 1);
  EXPECT_EQ(second->unchanged, 1);
  const auto events = store_->events_of_unit(bildung_.id);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].uid, "b@example.org");
  EXPECT_EQ(events[1].title, "B, geändert");
  EXPECT_EQ(events[1].sequence, 1);
  EXPECT_EQ(events[1].created, test_now());
  EXPECT_EQ(events[1].last_modified, test_now() + 1h);
  EXPECT_EQ(events[0].sequence, 0);

  const auto version = store_->unit_version(bildung_.id);
  auto third = store_->import_events(bildung_.id, {a, b}, actor::system(), test_now() + 2h, false);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->unchanged, 2);
  EXPECT_EQ(store_->unit_version(bildung_.id), version) << "nothing changed";
}

TEST_F(Events, ImportIsAllOrNothing) {
  auto good = series();
  good.uid = "good@example.org";
  auto bad = series();
  bad.uid = "bad@example.org";
  bad.title = "Kaputt";
  bad.duration = -1h;
  const auto version = store_->unit_version(bildung_.id);
  auto imported =
      store_->import_events(bildung_.id, {good, bad}, actor::system(), test_now(), false);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, errc::invalid);
  EXPECT_NE(imported.error().message.find("bad@example.org"), std::string::npos)
      << imported.error().message;
  EXPECT_NE(imported.error().message.find("Kaputt"), std::string::npos);
  EXPECT_TRUE(store_->events_of_unit(bildung_.id).empty());
  EXPECT_EQ(store_->unit_version(bildung_.id), version);
}

TEST_F(Events, ImportDryRunWritesNothing) {
  auto a = series();
  a.uid = "a@example.org";
  const auto version = store_->unit_version(bildung_.id);
  const auto audit = query_int("SELECT count(*) FROM audit_log");
  auto dry = store_->import_events(bildung_.id, {a}, actor::system(), test_now(), true);
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_EQ(dry->created, 1);
  EXPECT_TRUE(store_->events_of_unit(bildung_.id).empty());
  EXPECT_EQ(store_->unit_version(bildung_.id), version);
  EXPECT_EQ(query_int("SELECT count(*) FROM audit_log"), audit);
}

TEST_F(Events, ImportOfAnotherUnitsUidIsConflict) {
  auto e = series();
  e.uid = "taken@example.org";
  e.unit = antifa_.id;
  ASSERT_TRUE(store_->create_event(e, actor::system(), test_now()));
  auto fresh = series();
  fresh.uid = "fresh@example.org";
  auto imported =
      store_->import_events(bildung_.id, {fresh, e}, actor::system(), test_now(), false);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, errc::conflict);
  EXPECT_NE(imported.error().message.find("taken@example.org"), std::string::npos);
  EXPECT_TRUE(store_->events_of_unit(bildung_.id).empty());
}

TEST_F(Events, UnreadableStoredRuleIsABrokenInvariantEverywhere) {
  // The store writes only rules that parsed. Reading one that does not as a one-off would
  // show, and take RSVPs for, occurrences nobody planned: every reader refuses it alike.
  const auto e = created_series();
  query_text("UPDATE events SET rrule = 'FREQ=SOMETIMES' WHERE id = " + std::to_string(e.id.value));
  EXPECT_ANY_THROW(store_->event_by_id(e.id));
  EXPECT_ANY_THROW(store_->events_of_unit(bildung_.id));
  const auto p = make_person("p@example.org");
  const auto r = store_->set_rsvp(e.id, key_at(local(2025, 11, 25, 19)), p.id,
                                  calendar::rsvp_answer::yes, test_now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::unavailable);
  const auto updated = store_->update_event(e, actor::system(), test_now());
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, errc::unavailable);
}

TEST_F(Events, StoredRuleThatTheParserNowRefusesStillLoads) {
  // Earlier versions accepted combinations RFC 5545 forbids (here BYMONTHDAY in a weekly
  // rule) through libical; an event saved with one stays readable and takes RSVPs.
  const auto e = created_series();
  constexpr std::string_view rule = "FREQ=WEEKLY;COUNT=10;BYDAY=TU;BYMONTHDAY=4,11,18";
  ASSERT_FALSE(calendar::recurrence_rule::parse(rule));
  query_text("UPDATE events SET rrule = '" + std::string(rule) +
             "' WHERE id = " + std::to_string(e.id.value));
  const auto loaded = store_->event_by_id(e.id);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->rule);
  EXPECT_EQ(loaded->rule->to_string(), rule);
  EXPECT_EQ(store_->events_of_unit(bildung_.id).size(), 1U);
  const auto p = make_person("p@example.org");
  const auto answered = store_->set_rsvp(e.id, key_at(local(2025, 11, 4, 19)), p.id,
                                         calendar::rsvp_answer::yes, test_now());
  EXPECT_TRUE(answered) << answered.error().message;
}

TEST_F(Events, WritesAreAudited) {
  const auto e = created_series();
  auto changed = e;
  changed.title = "x";
  ASSERT_TRUE(store_->update_event(changed, actor::system(), test_now()));
  calendar::occurrence_override o;
  o.key = key_at(local(2025, 11, 25, 19));
  o.cancelled = true;
  ASSERT_TRUE(store_->set_override(e.id, o, actor::system(), test_now()));
  ASSERT_TRUE(store_->cancel_event(e.id, actor::system(), test_now()));
  EXPECT_EQ(audit_count("create_event"), 1);
  EXPECT_EQ(audit_count("update_event"), 1);
  EXPECT_EQ(audit_count("cancel_occurrence"), 1);
  EXPECT_EQ(audit_count("cancel_event"), 1);
  EXPECT_EQ(
      query_int("SELECT count(*) FROM audit_log WHERE event_id = " + std::to_string(e.id.value)),
      4);
  EXPECT_EQ(query_text("SELECT detail FROM audit_log WHERE action = 'cancel_occurrence'"),
            o.key.to_string());
}

}  // namespace
}  // namespace treffpunkt::storage
