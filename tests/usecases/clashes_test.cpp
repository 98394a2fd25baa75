// Clash warnings (usecases/clashes.h): what overlaps and why.
#include <usecases/clashes.h>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using testing::usecase_test;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

/// The fixture's unit (bildung) has a weekly meeting on Tuesdays 19:00-21:00 at the
/// Jugendzentrum from 16 June 2026; "now" is 10 June 2026.
class Clashes : public usecase_test {
 protected:
  calendar::unit make_unit(std::string slug) {
    calendar::unit u;
    u.slug = slug;
    u.name = "Netzwerkstelle " + slug;
    return store_->create_unit(u, storage::actor::system()).value();
  }
  calendar::event one_off(calendar::unit_id u, std::string title, calendar::local_seconds start,
                          std::string location = {}) {
    calendar::event e;
    e.unit = u;
    e.title = std::move(title);
    e.start = start;
    e.location = std::move(location);
    return e;
  }
  std::vector<clash> of(const calendar::event& e) const {
    return clashes_with(*store_, e, utc(2026, 6, 1), utc(2026, 8, 1));
  }
};

TEST_F(Clashes, SameUnitSharedResponsibleAndSamePlaceAreNamedInThatOrder) {
  const auto antifa = make_unit("antifa");
  const auto frauen = make_unit("frauen");
  const auto louisa = person("louisa@example.org", "Louisa");
  ASSERT_TRUE(store_->add_responsible(unit_.id, louisa.id, storage::actor::system()));
  ASSERT_TRUE(store_->add_responsible(antifa.id, louisa.id, storage::actor::system()));

  // Same unit, overlapping the 23 June meeting.
  const auto same = of(one_off(unit_.id, "Sondertreffen", local(2026, 6, 23, 20)));
  ASSERT_EQ(same.size(), 1U);
  EXPECT_EQ(same[0].why, clash_reason::same_unit);
  EXPECT_EQ(same[0].theirs.title, "Offenes Treffen");
  EXPECT_EQ(same[0].theirs.start, utc(2026, 6, 23, 17));
  EXPECT_EQ(same[0].theirs.unit_slug, "bildung");
  // Another unit that shares Louisa.
  const auto shared = of(one_off(antifa.id, "Demo-Vorbereitung", local(2026, 6, 23, 18)));
  ASSERT_EQ(shared.size(), 1U);
  EXPECT_EQ(shared[0].why, clash_reason::shared_responsible);
  // Another unit at the same place (written differently), nobody shared.
  const auto place =
      of(one_off(frauen.id, "Vernetzung", local(2026, 6, 30, 20), "  jugendzentrum "));
  ASSERT_EQ(place.size(), 1U);
  EXPECT_EQ(place[0].why, clash_reason::same_location);
  // Another unit elsewhere, or back to back with the meeting: no clash.
  EXPECT_TRUE(of(one_off(frauen.id, "Vernetzung", local(2026, 6, 30, 20), "Rathaus")).empty());
  EXPECT_TRUE(of(one_off(unit_.id, "Danach", local(2026, 6, 23, 21))).empty());
}

TEST_F(Clashes, AnEditedEventDoesNotClashWithItselfAndCancelledDatesClashWithNothing) {
  auto edited = event_;  // the stored series, moved by half an hour
  edited.start += std::chrono::minutes(30);
  EXPECT_TRUE(of(edited).empty());
  calendar::occurrence_override off;
  off.key = occurrence(1).key;  // 23 June
  off.cancelled = true;
  ASSERT_TRUE(store_->set_override(event_.id, off, storage::actor::system(), now()));
  EXPECT_TRUE(of(one_off(unit_.id, "Ersatztermin", local(2026, 6, 23, 19))).empty());
}

TEST_F(Clashes, AllClashesListsEachPairOnce) {
  ASSERT_TRUE(store_->create_event(one_off(unit_.id, "Sondertreffen", local(2026, 6, 23, 20)),
                                   storage::actor::system(), now()));
  const auto all = all_clashes(*store_, utc(2026, 6, 1), utc(2026, 8, 1));
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].ours.title, "Offenes Treffen");
  EXPECT_EQ(all[0].theirs.title, "Sondertreffen");
}

}  // namespace
}  // namespace treffpunkt::usecases
