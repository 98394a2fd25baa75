// Exchange offers: what a proposer types, what a responsible decides, and the mails it causes
// (usecases/offers.h).
#include <usecases/offers.h>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using storage::proposal_state;
using testing::usecase_test;
using treffpunkt::testing::local;
using treffpunkt::testing::utc;

/// An offer as a member types it ("now" is 2026-06-10 08:00 UTC).
offer_input typed() {
  offer_input in;
  in.title = "Bürgerhaushalt: was ging, was nicht";
  in.description = "Zwei Jahre Erfahrung\r\naus dem Kreistag.";
  in.format = "both";
  in.location = "Jugendzentrum";
  in.online_url = "https://meet.example.org/bh";
  in.duration_minutes = 90;
  in.dates = {local(2026, 6, 25, 18), local(2026, 6, 18, 18)};
  in.capacity = 12;
  return in;
}

class Offers : public usecase_test {
 protected:
  storage::proposal propose(const storage::person& who, offer_input in = typed()) {
    auto d = offer_draft_of(in, "Europe/Berlin", now());
    EXPECT_TRUE(d) << d.error().message;
    auto p = store_->propose_offer(unit_.id, who.id, *d, now());
    EXPECT_TRUE(p) << p.error().message;
    return *p;
  }

  result<storage::proposal_decision> decision(std::string what, std::string message = {}) const {
    decision_input in;
    in.decision = std::move(what);
    in.start = local(2026, 6, 25, 18);
    in.capacity = 10;
    in.message = std::move(message);
    return decision_of(in, "Europe/Berlin", now());
  }
};

TEST_F(Offers, ATypedOfferIsCheckedAndKeptTidy) {
  const auto d = offer_draft_of(typed(), "Europe/Berlin", now());
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->description, "Zwei Jahre Erfahrung\naus dem Kreistag.");
  ASSERT_EQ(d->dates.size(), 2U);
  EXPECT_EQ(d->dates[0], local(2026, 6, 18, 18));  // sorted
  EXPECT_EQ(d->duration, std::chrono::minutes(90));
  EXPECT_EQ(d->capacity, 12);
  EXPECT_EQ(d->format, storage::offer_format::both);
}

TEST_F(Offers, BadOffersNameTheirField) {
  const auto field_of = [&](offer_input in) {
    const auto d = offer_draft_of(in, "Europe/Berlin", now());
    return d ? std::string("accepted") : d.error().field;
  };
  auto in = typed();
  in.title = "  ";
  EXPECT_EQ(field_of(in), "title");
  in = typed();
  in.title = std::string(201, 'x');
  EXPECT_EQ(field_of(in), "title");
  in = typed();
  in.description = std::string(20001, 'x');
  EXPECT_EQ(field_of(in), "description");
  in = typed();
  in.format = "hybrid";
  EXPECT_EQ(field_of(in), "format");
  in = typed();
  in.online_url = "javascript:alert(1)";
  EXPECT_EQ(field_of(in), "online_url");
  in = typed();
  in.format = "online";
  in.online_url.clear();
  EXPECT_EQ(field_of(in), "online_url");
  in = typed();
  in.format = "in_person";
  in.location.clear();
  EXPECT_EQ(field_of(in), "location");
  in = typed();
  in.dates = {local(2026, 6, 9, 18)};  // the day before "now"
  EXPECT_EQ(field_of(in), "dates");
  in = typed();
  in.dates = {local(2026, 7, 1, 18), local(2026, 7, 2, 18), local(2026, 7, 3, 18),
              local(2026, 7, 4, 18)};
  EXPECT_EQ(field_of(in), "dates");
  in = typed();
  in.duration_minutes = 5;
  EXPECT_EQ(field_of(in), "duration_minutes");
  in = typed();
  in.capacity = 0;
  EXPECT_EQ(field_of(in), "capacity");
  in = typed();
  in.dates.clear();  // flexible
  EXPECT_EQ(field_of(in), "accepted");
}

TEST_F(Offers, ADecisionIsCheckedToo) {
  EXPECT_TRUE(decision("approve"));
  EXPECT_EQ(decision("maybe").error().field, "decision");
  EXPECT_EQ(decision("request_changes").error().field, "message");  // a change needs words
  EXPECT_TRUE(decision("decline"));                                 // a no needs none
  decision_input past;
  past.decision = "approve";
  past.start = local(2026, 6, 1, 18);
  EXPECT_EQ(decision_of(past, "Europe/Berlin", now()).error().field, "start");
  decision_input none;
  none.decision = "approve";
  EXPECT_EQ(decision_of(none, "Europe/Berlin", now()).error().field, "start");
}

TEST_F(Offers, ApprovalTellsTheProposerInTheirLanguageWithTheDateAndTheOffersPage) {
  const auto sam = person("sam@example.org", "Sam", "en");
  const auto resp = person("resp@example.org", "Rosa");
  ASSERT_TRUE(store_->add_responsible(unit_.id, resp.id, storage::actor::system()));
  const auto p = propose(sam);
  const auto d = decision("approve");
  ASSERT_TRUE(d);
  const auto decided = decide_proposal(ctx(), p.id, storage::actor::of(resp.id), *d);
  ASSERT_TRUE(decided) << decided.error().message;
  ASSERT_TRUE(decided->event);
  const auto sent = mails("offer_approved");
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].recipient, "sam@example.org");
  const auto text = readable(sent[0].message);
  EXPECT_NE(text.find("Your offer is approved"), std::string::npos) << text;
  EXPECT_NE(text.find("Thursday, 25 June 2026, 6:00 pm"), std::string::npos) << text;
  EXPECT_NE(text.find("https://termine.example.org/events/" +
                      std::to_string(decided->event->value) + "/"),
            std::string::npos)
      << text;
  EXPECT_GE(wakes_, 1);
  // Deciding again is refused, and sends nothing more.
  EXPECT_FALSE(decide_proposal(ctx(), p.id, storage::actor::of(resp.id), *d));
  EXPECT_EQ(mails().size(), 1U);
}

TEST_F(Offers, AskingForAChangeSendsTheMessageAndTheLinkToRevise) {
  const auto mia = person("mia@example.org", "Mia");
  const auto p = propose(mia);
  const auto d = decision("request_changes", "Geht es auch im Juli?");
  ASSERT_TRUE(d);
  ASSERT_TRUE(decide_proposal(ctx(), p.id, storage::actor::system(), *d));
  const auto sent = mails("offer_changes_requested");
  ASSERT_EQ(sent.size(), 1U);
  const auto text = readable(sent[0].message);
  EXPECT_NE(text.find("Geht es auch im Juli?"), std::string::npos);
  EXPECT_NE(text.find("https://termine.example.org/me/proposals/" + std::to_string(p.id.value)),
            std::string::npos);
  EXPECT_EQ(store_->proposal_by_id(p.id)->state, proposal_state::changes_requested);
}

TEST_F(Offers, ADeclineWithoutAMessageHasNoEmptyParagraph) {
  const auto mia = person("mia@example.org", "Mia");
  const auto p = propose(mia);
  ASSERT_TRUE(decide_proposal(ctx(), p.id, storage::actor::system(), *decision("decline")));
  const auto sent = mails("offer_declined");
  ASSERT_EQ(sent.size(), 1U);
  const auto text = readable(sent[0].message);
  EXPECT_NE(text.find("diesmal nicht"), std::string::npos);
  EXPECT_EQ(text.find("<p></p>"), std::string::npos);
  EXPECT_NE(text.find("https://termine.example.org/units/bildung"), std::string::npos);
}

TEST_F(Offers, TheWisherIsToldWhenAnOfferForTheirWishIsApproved) {
  const auto mia = person("mia@example.org", "Mia");
  const auto wisher = person("wish@example.org", "Wanda");
  const auto w = store_->post_wish(unit_.id, wisher.id, "Wer kennt sich mit Anträgen aus?", now());
  ASSERT_TRUE(w);
  auto in = typed();
  in.wish = w->id.value;
  const auto p = propose(mia, in);
  ASSERT_TRUE(decide_proposal(ctx(), p.id, storage::actor::system(), *decision("approve")));
  const auto told = mails("wish_answered");
  ASSERT_EQ(told.size(), 1U);
  EXPECT_EQ(told[0].recipient, "wish@example.org");
  EXPECT_NE(readable(told[0].message).find("rgerhaushalt: was ging"), std::string::npos);
}

TEST_F(Offers, AWishIsOneLineOfAtMost500Characters) {
  EXPECT_EQ(*wish_text("  Wer hat Erfahrung mit Bürgerhaushalten?  "),
            "Wer hat Erfahrung mit Bürgerhaushalten?");
  EXPECT_EQ(wish_text("").error().code, errc::required);
  EXPECT_EQ(wish_text(std::string(501, 'x')).error().code, errc::too_long);
  EXPECT_EQ(wish_text("zwei\nZeilen").error().code, errc::invalid);
}

}  // namespace
}  // namespace treffpunkt::usecases
