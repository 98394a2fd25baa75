// Exchange offers in the store: proposals, decisions, hosts and wishes (storage/offers.h).
#include <calendar/event.h>
#include <date/date.h>
#include <gtest/gtest.h>
#include <storage/store.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/test_time.h"
#include "store_fixture.h"

namespace {

using treffpunkt::testing::local;
using namespace std::chrono_literals;
namespace cal = treffpunkt::calendar;
namespace st = treffpunkt::storage;
using st::actor;
using st::errc;
using st::proposal_decision;
using st::proposal_state;
using verdict = proposal_decision::verdict;

const cal::utc_seconds now = st::testing::test_now();  // 2025-11-01 12:00 UTC

st::offer_draft draft(std::string title = "Bürgerhaushalt: was ging, was nicht") {
  st::offer_draft d;
  d.title = std::move(title);
  d.description = "Zwei Jahre Erfahrung aus dem Kreistag.";
  d.format = st::offer_format::both;
  d.location = "Jugendzentrum";
  d.online_url = "https://meet.example.org/buergerhaushalt";
  d.duration = 90min;
  d.dates = {local(2025, 11, 20, 18), local(2025, 11, 27, 18)};
  d.capacity = 12;
  return d;
}

class OffersStore : public st::testing::store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    if (HasFatalFailure()) return;
    unit_ = make_unit("kommunales").id;
    other_unit_ = make_unit("bildung").id;
    member_ = make_person("mia@example.org", "Mia").id;
    responsible_ = make_person("resp@example.org", "Rosa").id;
    stranger_ = make_person("other@example.org", "Olaf").id;
    ASSERT_TRUE(store_->add_responsible(unit_, responsible_, actor::system()));
  }

  st::proposal propose(st::offer_draft d = draft()) {
    auto p = store_->propose_offer(unit_, member_, std::move(d), now);
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : st::proposal{};
  }

  static proposal_decision approve_at(cal::local_seconds start, std::optional<int> places = 10) {
    proposal_decision d;
    d.what = verdict::approve;
    d.start = start;
    d.capacity = places;
    return d;
  }

  cal::unit_id unit_;
  cal::unit_id other_unit_;
  st::person_id member_;
  st::person_id responsible_;
  st::person_id stranger_;
};

TEST_F(OffersStore, AProposalWaitsWithWhatTheMemberWrote) {
  const auto p = propose();
  EXPECT_EQ(p.state, proposal_state::waiting);
  EXPECT_EQ(p.proposer, member_);
  EXPECT_EQ(p.unit, unit_);
  EXPECT_EQ(p.draft, draft());
  const auto again = store_->proposal_by_id(p.id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->draft, draft());
  EXPECT_EQ(store_->waiting_proposals(actor::of(responsible_)).size(), 1U);
  EXPECT_TRUE(store_->waiting_proposals(actor::of(stranger_)).empty());
  EXPECT_EQ(store_->waiting_proposals(actor::system()).size(), 1U);
  EXPECT_EQ(store_->proposals_of_person(member_).size(), 1U);
}

TEST_F(OffersStore, AFourthUndecidedProposalIsRefusedAndWritesNothing) {
  for (int i = 0; i < st::max_open_proposals; ++i) propose(draft("Angebot " + std::to_string(i)));
  const auto fourth = store_->propose_offer(unit_, member_, draft(), now);
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().code, errc::limit_reached);
  EXPECT_EQ(query_int("SELECT count(*) FROM offer_proposals"), st::max_open_proposals);
  // A decided one makes room again.
  const auto first = store_->proposals_of_person(member_).back();
  proposal_decision no;
  no.what = verdict::decline;
  ASSERT_TRUE(store_->decide_proposal(first.id, actor::of(responsible_), no, now));
  EXPECT_TRUE(store_->propose_offer(unit_, member_, draft(), now));
}

TEST_F(OffersStore, GuestsAndUnknownUnitsCannotPropose) {
  EXPECT_EQ(store_->propose_offer(cal::unit_id{999}, member_, draft(), now).error().code,
            errc::not_found);
  EXPECT_EQ(store_->propose_offer(unit_, st::person_id{999}, draft(), now).error().code,
            errc::forbidden);
}

TEST_F(OffersStore, ApprovalMakesAnExchangeOfferHostedByTheProposer) {
  auto d = draft();
  d.show_host = true;
  const auto p = propose(d);
  std::optional<st::decided_proposal> seen;
  const auto decided =
      store_->decide_proposal(p.id, actor::of(responsible_), approve_at(local(2025, 11, 27, 18), 8),
                              now, [&](const st::decided_proposal& x) {
                                seen = x;
                                return st::mail_plan{};
                              });
  ASSERT_TRUE(decided) << decided.error().message;
  EXPECT_EQ(decided->state, proposal_state::approved);
  ASSERT_TRUE(decided->event);
  const auto e = store_->event_by_id(*decided->event);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, cal::event_kind::exchange_offer);
  EXPECT_EQ(e->title, d.title);
  EXPECT_EQ(e->location, "Jugendzentrum");
  EXPECT_EQ(e->online_url, "https://meet.example.org/buergerhaushalt");
  EXPECT_EQ(e->start, local(2025, 11, 27, 18));
  EXPECT_EQ(e->duration, 90min);
  EXPECT_EQ(e->capacity, 8);
  EXPECT_EQ(e->zone, "Europe/Berlin");
  EXPECT_EQ(e->host, "Mia");
  const auto host = store_->host_of(e->id);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->person, member_);
  EXPECT_TRUE(host->shown_publicly);
  EXPECT_EQ(store_->hosted_by(member_), std::vector<cal::event_id>{e->id});
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->proposer.email, "mia@example.org");
  EXPECT_EQ(seen->unit_name, "Netzwerkstelle kommunales");
  ASSERT_TRUE(seen->event);
  EXPECT_EQ(seen->event->id, e->id);
}

TEST_F(OffersStore, AHostWhoDidNotAllowItIsNotNamedInTheEvent) {
  const auto p = propose();  // show_host false
  const auto decided = store_->decide_proposal(p.id, actor::of(responsible_),
                                               approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_TRUE(decided);
  const auto e = store_->event_by_id(*decided->event);
  EXPECT_EQ(e->host, "");
  ASSERT_TRUE(store_->host_of(e->id));
  EXPECT_FALSE(store_->host_of(e->id)->shown_publicly);
}

TEST_F(OffersStore, AnOnlineOfferHasNoPlaceAndAnInPersonOneNoLink) {
  auto d = draft();
  d.format = st::offer_format::online;
  const auto online = store_->decide_proposal(propose(d).id, actor::of(responsible_),
                                              approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_TRUE(online);
  EXPECT_EQ(store_->event_by_id(*online->event)->location, "");
  d.format = st::offer_format::in_person;
  const auto in_person = store_->decide_proposal(propose(d).id, actor::of(responsible_),
                                                 approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_TRUE(in_person);
  EXPECT_EQ(store_->event_by_id(*in_person->event)->online_url, "");
}

TEST_F(OffersStore, OnlyResponsiblesDecideAndOnlyOnce) {
  const auto p = propose();
  const auto by_stranger =
      store_->decide_proposal(p.id, actor::of(stranger_), approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_FALSE(by_stranger);
  EXPECT_EQ(by_stranger.error().code, errc::forbidden);
  const auto by_proposer =
      store_->decide_proposal(p.id, actor::of(member_), approve_at(local(2025, 11, 20, 18)), now);
  EXPECT_EQ(by_proposer.error().code, errc::forbidden);
  ASSERT_TRUE(store_->decide_proposal(p.id, actor::of(responsible_),
                                      approve_at(local(2025, 11, 20, 18)), now));
  const auto twice = store_->decide_proposal(p.id, actor::of(responsible_),
                                             approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, errc::conflict);
  EXPECT_EQ(query_int("SELECT count(*) FROM events"), 1);
}

TEST_F(OffersStore, AMailThatCannotBeComposedRollsTheApprovalBack) {
  const auto p = propose();
  const auto failed = store_->decide_proposal(
      p.id, actor::of(responsible_), approve_at(local(2025, 11, 20, 18)), now,
      [](const st::decided_proposal&) -> st::mail_plan { throw std::runtime_error("no"); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(query_int("SELECT count(*) FROM events"), 0);
  EXPECT_EQ(store_->proposal_by_id(p.id)->state, proposal_state::waiting);
}

TEST_F(OffersStore, ChangesRequestedThenRevisedWaitsAgain) {
  const auto p = propose();
  proposal_decision change;
  change.what = verdict::request_changes;
  change.message = "Bitte einen Termin im Dezember.";
  const auto sent_back = store_->decide_proposal(p.id, actor::of(responsible_), change, now);
  ASSERT_TRUE(sent_back);
  EXPECT_EQ(sent_back->state, proposal_state::changes_requested);
  EXPECT_EQ(sent_back->message, "Bitte einen Termin im Dezember.");
  // Not waiting: it cannot be decided until the proposer revises it.
  EXPECT_EQ(store_->decide_proposal(p.id, actor::of(responsible_), change, now).error().code,
            errc::conflict);
  EXPECT_TRUE(store_->waiting_proposals(actor::of(responsible_)).empty());
  // Only the proposer revises.
  EXPECT_EQ(store_->revise_proposal(p.id, stranger_, draft(), now).error().code, errc::not_found);
  auto d = draft("Bürgerhaushalt, im Dezember");
  d.dates = {local(2025, 12, 4, 18)};
  const auto revised = store_->revise_proposal(p.id, member_, d, now + 1h);
  ASSERT_TRUE(revised);
  EXPECT_EQ(revised->state, proposal_state::waiting);
  EXPECT_EQ(revised->draft.title, "Bürgerhaushalt, im Dezember");
  EXPECT_EQ(revised->draft.dates.size(), 1U);
  EXPECT_EQ(store_->waiting_proposals(actor::of(responsible_)).size(), 1U);
}

TEST_F(OffersStore, DeclinedAndWithdrawnProposalsStayDecided) {
  const auto declined = propose();
  proposal_decision no;
  no.what = verdict::decline;
  no.message = "Passt nicht zu uns.";
  ASSERT_TRUE(store_->decide_proposal(declined.id, actor::of(responsible_), no, now));
  EXPECT_EQ(store_->revise_proposal(declined.id, member_, draft(), now).error().code,
            errc::conflict);
  const auto withdrawn = propose();
  ASSERT_TRUE(store_->withdraw_proposal(withdrawn.id, member_, now));
  EXPECT_EQ(store_->proposal_by_id(withdrawn.id)->state, proposal_state::withdrawn);
  EXPECT_EQ(store_->withdraw_proposal(withdrawn.id, member_, now).error().code, errc::conflict);
  // The unit's list: nothing undecided; the decided ones newest first.
  const auto all = store_->proposals_of_unit(unit_);
  ASSERT_EQ(all.size(), 2U);
}

TEST_F(OffersStore, AHostChangesTextsPlaceAndLinkAndCancelsButNothingElse) {
  const auto decided = store_->decide_proposal(propose().id, actor::of(responsible_),
                                               approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_TRUE(decided);
  auto e = *store_->event_by_id(*decided->event);
  e.title = "Bürgerhaushalt (neu)";
  e.location = "Rathaus, Raum 2";
  const auto edited = store_->update_event(e, actor::of(member_), now);
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ(edited->title, "Bürgerhaushalt (neu)");
  auto moved = *edited;
  moved.start = local(2025, 11, 21, 18);
  EXPECT_EQ(store_->update_event(moved, actor::of(member_), now).error().code, errc::forbidden);
  auto bigger = *edited;
  bigger.capacity = 100;
  EXPECT_EQ(store_->update_event(bigger, actor::of(member_), now).error().code, errc::forbidden);
  // Another member is not the host.
  EXPECT_EQ(store_->update_event(*edited, actor::of(stranger_), now).error().code, errc::forbidden);
  EXPECT_EQ(store_->cancel_event(edited->id, actor::of(stranger_), now).error().code,
            errc::forbidden);
  // Nor of another event of the unit.
  cal::event meeting;
  meeting.unit = unit_;
  meeting.title = "Offenes Treffen";
  meeting.start = local(2025, 11, 18, 19);
  const auto other = store_->create_event(meeting, actor::system(), now);
  ASSERT_TRUE(other);
  auto renamed = *other;
  renamed.title = "Gekapert";
  EXPECT_EQ(store_->update_event(renamed, actor::of(member_), now).error().code, errc::forbidden);
  EXPECT_EQ(store_->cancel_event(other->id, actor::of(member_), now).error().code, errc::forbidden);
  const auto cancelled = store_->cancel_event(edited->id, actor::of(member_), now);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, cal::event_status::cancelled);
}

TEST_F(OffersStore, WishesOpenCloseAndLimit) {
  const auto w = store_->post_wish(unit_, member_, "Wer hat Erfahrung mit Bürgerhaushalten?", now);
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->open);
  EXPECT_EQ(w->wisher, member_);
  EXPECT_EQ(store_->open_wishes(unit_).size(), 1U);
  EXPECT_TRUE(store_->open_wishes(other_unit_).empty());
  for (int i = 1; i < st::max_open_wishes; ++i) {
    ASSERT_TRUE(store_->post_wish(unit_, member_, "Wunsch " + std::to_string(i), now));
  }
  EXPECT_EQ(store_->post_wish(unit_, member_, "noch einer", now).error().code, errc::limit_reached);
  EXPECT_TRUE(store_->post_wish(other_unit_, member_, "anderswo", now));
  EXPECT_EQ(store_->close_wish(w->id, actor::of(stranger_), now).error().code, errc::forbidden);
  const auto closed = store_->close_wish(w->id, actor::of(responsible_), now);
  ASSERT_TRUE(closed);
  EXPECT_FALSE(closed->open);
  EXPECT_EQ(store_->open_wishes(unit_).size(), 2U);
  // The wisher closes their own.
  EXPECT_TRUE(store_->close_wish(store_->open_wishes(unit_).front().id, actor::of(member_), now));
}

TEST_F(OffersStore, AnOfferAnswersAnOpenWishOfItsUnitAndTheWisherIsToldOnApproval) {
  const auto w =
      store_->post_wish(unit_, stranger_, "Wer hat Erfahrung mit Bürgerhaushalten?", now);
  ASSERT_TRUE(w);
  auto d = draft();
  d.wish = w->id;
  const auto p = propose(d);
  EXPECT_EQ(p.draft.wish, w->id);
  std::optional<st::decided_proposal> seen;
  ASSERT_TRUE(store_->decide_proposal(p.id, actor::of(responsible_),
                                      approve_at(local(2025, 11, 20, 18)), now,
                                      [&](const st::decided_proposal& x) {
                                        seen = x;
                                        return st::mail_plan{};
                                      }));
  ASSERT_TRUE(seen && seen->answered && seen->wisher);
  EXPECT_EQ(seen->wisher->email, "other@example.org");
  // Another unit's wish, a closed wish, or none at all: refused.
  const auto elsewhere = store_->post_wish(other_unit_, stranger_, "anderswo", now);
  d.wish = elsewhere->id;
  EXPECT_EQ(store_->propose_offer(unit_, member_, d, now).error().code, errc::conflict);
  ASSERT_TRUE(store_->close_wish(w->id, actor::system(), now));
  d.wish = w->id;
  EXPECT_EQ(store_->propose_offer(unit_, member_, d, now).error().code, errc::conflict);
  d.wish = st::wish_id{999};
  EXPECT_EQ(store_->propose_offer(unit_, member_, d, now).error().code, errc::not_found);
}

TEST_F(OffersStore, DeletingAnAccountRemovesItsProposalsWishesAndHostingButKeepsTheEvent) {
  auto d = draft();
  d.show_host = true;
  const auto decided = store_->decide_proposal(propose(d).id, actor::of(responsible_),
                                               approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_TRUE(decided);
  propose();
  ASSERT_TRUE(store_->post_wish(unit_, member_, "Ein Wunsch", now));
  ASSERT_TRUE(store_->delete_person(member_, actor::of(member_), now));
  EXPECT_EQ(query_int("SELECT count(*) FROM offer_proposals"), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM wishes"), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM event_hosts"), 0);
  const auto e = store_->event_by_id(*decided->event);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "");
  EXPECT_FALSE(store_->host_of(e->id));
}

TEST_F(OffersStore, ThePersonExportCarriesProposalsWishesAndHostedEvents) {
  propose();
  ASSERT_TRUE(store_->post_wish(unit_, member_, "Ein Wunsch", now));
  const auto exported = store_->export_person_json(member_);
  ASSERT_TRUE(exported);
  EXPECT_NE(exported->find("\"offer_proposals\":[{"), std::string::npos) << *exported;
  EXPECT_NE(exported->find("Ein Wunsch"), std::string::npos);
  EXPECT_NE(exported->find("\"hosted_events\":[]"), std::string::npos);
}

TEST_F(OffersStore, DecidedProposalsAndClosedWishesExpireAndAClosedWishForgetsItsWisher) {
  const auto declined = propose();
  proposal_decision no;
  no.what = verdict::decline;
  ASSERT_TRUE(store_->decide_proposal(declined.id, actor::of(responsible_), no, now));
  const auto approved = store_->decide_proposal(propose().id, actor::of(responsible_),
                                                approve_at(local(2025, 11, 20, 18)), now);
  ASSERT_TRUE(approved);
  const auto waiting = propose();
  const auto w = store_->post_wish(unit_, member_, "Ein Wunsch", now);
  ASSERT_TRUE(w);
  ASSERT_TRUE(store_->close_wish(w->id, actor::of(member_), now));
  EXPECT_EQ(store_->wish_by_id(w->id)->wisher, st::person_id{});
  EXPECT_EQ(store_->expire_offers(now), 0);       // nothing older than now
  EXPECT_EQ(store_->expire_offers(now + 1h), 2);  // the declined proposal and the closed wish
  EXPECT_FALSE(store_->proposal_by_id(declined.id));
  EXPECT_FALSE(store_->wish_by_id(w->id));
  EXPECT_TRUE(store_->proposal_by_id(approved->id));
  EXPECT_TRUE(store_->proposal_by_id(waiting.id));
}

}  // namespace
