#include <calendar/expand.h>
#include <gtest/gtest.h>
#include <usecases/demo.h>

#include <filesystem>
#include <random>
#include <string>

namespace {

using namespace std::chrono_literals;
using treffpunkt::usecases::make_demo;

const date::sys_days today{date::year{2026} / 11 / 25};

TEST(Demo, HasTheFourUnitsOfTheSeedPageWithTheirResponsibles) {
  const auto units = make_demo(today);
  ASSERT_EQ(units.size(), 4U);
  EXPECT_EQ(units[0].unit.name, "Netzwerkstelle Frauen*");
  EXPECT_EQ(units[1].unit.slug, "bildung");
  EXPECT_EQ(units[2].unit.slug, "antifa");
  EXPECT_EQ(units[3].unit.slug, "kommunales");
  ASSERT_EQ(units[1].responsibles.size(), 3U);
  EXPECT_EQ(units[1].responsibles[2].name, "Louisa Klopfleisch");
  for (const auto& u : units) {
    EXPECT_FALSE(u.unit.description.empty()) << u.unit.slug;
    for (const auto& p : u.responsibles) {
      EXPECT_TRUE(p.email.ends_with("@demo.invalid")) << p.email;  // never a real address
    }
  }
}

TEST(Demo, EveryUnitHasARegularMeetingAndAnExchangeOfferWithPlaces) {
  for (const auto& u : make_demo(today)) {
    bool meeting = false;
    bool offer = false;
    for (const auto& e : u.events) {
      meeting = meeting || (e.kind == treffpunkt::calendar::event_kind::meeting && e.rule);
      offer = offer || (e.kind == treffpunkt::calendar::event_kind::exchange_offer && e.capacity);
      EXPECT_TRUE(treffpunkt::calendar::validate(e).has_value()) << e.title;
    }
    EXPECT_TRUE(meeting) << u.unit.slug;
    EXPECT_TRUE(offer) << u.unit.slug;
  }
}

TEST(Demo, SeasonSpansPastAndFutureWithOneCancelledAndOneMovedOccurrence) {
  const auto units = make_demo(today);
  const auto from = date::sys_days{date::year{2026} / 10 / 1};
  const auto to = date::sys_days{date::year{2027} / 4 / 1};
  int cancelled = 0;
  int moved = 0;
  int past = 0;
  int future = 0;
  for (const auto& u : units) {
    for (const auto& e : u.events) {
      for (const auto& o : treffpunkt::calendar::expand(e, from, to)) {
        cancelled += o.cancelled ? 1 : 0;
        moved += o.moved ? 1 : 0;
        (o.start < today ? past : future) += 1;
      }
    }
  }
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(moved, 1);
  EXPECT_GT(past, 3);
  EXPECT_GT(future, 10);
}

TEST(Demo, IsTheSameForTheSameDay) {
  const auto a = make_demo(today);
  const auto b = make_demo(today);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].events, b[i].events);
}

}  // namespace

TEST(Demo, EveryUnitHasAMembersHostedOfferAWaitingProposalAndAnOpenWish) {
  namespace st = treffpunkt::storage;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("treffpunkt-demo-" + std::to_string(std::random_device{}()));
  {
    auto opened = st::store::open(dir);
    ASSERT_TRUE(opened) << opened.error().message;
    auto& store = **opened;
    const auto now = date::sys_days{today} + 10h;
    ASSERT_TRUE(treffpunkt::usecases::load_demo(store, now));
    for (const auto& u : store.units()) {
      SCOPED_TRACE(u.slug);
      int hosted = 0;
      for (const auto& e : store.events_of_unit(u.id)) {
        const auto host = store.host_of(e.id);
        if (!host) continue;
        ++hosted;
        EXPECT_EQ(e.kind, treffpunkt::calendar::event_kind::exchange_offer);
        EXPECT_GT(treffpunkt::calendar::to_utc(e.start, e.zone), now);  // still to come
        EXPECT_EQ(e.host.empty(), !host->shown_publicly);
      }
      EXPECT_EQ(hosted, 1);
      int waiting = 0;
      for (const auto& p : store.proposals_of_unit(u.id)) {
        waiting += p.state == st::proposal_state::waiting ? 1 : 0;
      }
      EXPECT_EQ(waiting, 1);
      EXPECT_EQ(store.open_wishes(u.id).size(), 1U);
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}
