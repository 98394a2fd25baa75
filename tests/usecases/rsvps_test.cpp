// RSVPs and the mails they queue in their own transaction (usecases/rsvps.h), over a real store.
#include <usecases/events.h>
#include <usecases/rsvps.h>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using calendar::rsvp_answer;
using storage::rsvp_state;
using testing::usecase_test;

class Rsvps : public usecase_test {};

TEST_F(Rsvps, YesWithAPlaceQueuesAConfirmationWithAnInvitationAndTheReminders) {
  const auto anna = person("anna@example.org", "Anna");
  const auto o = occurrence();
  const auto change = answer_rsvp(ctx(), event_, o.key, anna, rsvp_answer::yes);
  ASSERT_TRUE(change) << change.error().message;
  EXPECT_EQ(change->rsvp.state, rsvp_state::going);
  const auto confirmations = mails("rsvp_confirmation");
  ASSERT_EQ(confirmations.size(), 1U);
  EXPECT_EQ(confirmations[0].recipient, "anna@example.org");
  // The outbox keeps one message per key: kind, event, occurrence, person, the answer's time.
  EXPECT_EQ(confirmations[0].dedupe_key, "rsvp:" + std::to_string(event_.id.value) + ":" +
                                             o.key.to_string() + ":" +
                                             std::to_string(anna.id.value) + ":" +
                                             std::to_string(now().time_since_epoch().count()));
  // An invitation the calendar app shows as one (RFC 6047: the part's method is the METHOD).
  EXPECT_NE(confirmations[0].message.find("text/calendar; charset=utf-8; method=REQUEST"),
            std::string::npos);
  EXPECT_NE(readable(confirmations[0].message).find("Dienstag, 16. Juni 2026, 19:00 Uhr"),
            std::string::npos);
  // The default reminders: a day and two hours before.
  const auto reminders = mails("reminder");
  ASSERT_EQ(reminders.size(), 2U);
  const auto start = o.start.time_since_epoch().count();
  EXPECT_EQ(reminders[0].due, start - 24 * 3600);
  EXPECT_EQ(reminders[1].due, start - 2 * 3600);
  EXPECT_EQ(wakes_, 1);
}

TEST_F(Rsvps, NoDropsTheQueuedReminders) {
  const auto anna = person("anna@example.org");
  const auto key = occurrence().key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, anna, rsvp_answer::yes));
  ASSERT_EQ(mails("reminder").size(), 2U);
  const auto change = answer_rsvp(ctx(), event_, key, anna, rsvp_answer::no);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->rsvp.state, rsvp_state::not_going);
  EXPECT_TRUE(mails("reminder").empty());
}

TEST_F(Rsvps, AYesOnAFullOccurrenceWaitsAndAWithdrawalPromotesWithAnInvitation) {
  const auto anna = person("anna@example.org");
  const auto ben = person("ben@example.org", "Ben", "en");
  const auto key = occurrence().key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, anna, rsvp_answer::yes));
  const auto waiting = answer_rsvp(ctx(), event_, key, ben, rsvp_answer::yes);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->rsvp.state, rsvp_state::waitlisted);
  EXPECT_EQ(mails("rsvp_confirmation").size(), 1U);  // Anna's only: a waitlist is no place

  const auto withdrawn = answer_rsvp(ctx(), event_, key, anna, rsvp_answer::no);
  ASSERT_TRUE(withdrawn);
  ASSERT_EQ(withdrawn->promoted.size(), 1U);
  const auto promotions = mails("waitlist_promotion");
  ASSERT_EQ(promotions.size(), 1U);
  EXPECT_EQ(promotions[0].recipient, "ben@example.org");
  EXPECT_NE(promotions[0].message.find("method=REQUEST"), std::string::npos);
  // In Ben's language, with his reminders.
  EXPECT_NE(readable(promotions[0].message).find("Tuesday, 16 June 2026, 7:00 pm"),
            std::string::npos);
  EXPECT_EQ(mails("reminder").size(), 2U);  // Anna's went with her "no"; Ben's are new
}

TEST_F(Rsvps, ARefusedAnswerQueuesNothing) {
  const auto anna = person("anna@example.org");
  auto o = calendar::occurrence_override{};
  o.key = occurrence().key;
  o.cancelled = true;
  ASSERT_TRUE(change_occurrence(ctx(), event_, o, storage::actor::system()));
  const int wakes = wakes_;
  const auto refused = answer_rsvp(ctx(), stored_event(), o.key, anna, rsvp_answer::yes);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, storage::errc::occurrence_cancelled);
  EXPECT_TRUE(mails("rsvp_confirmation").empty());
  EXPECT_EQ(wakes_, wakes);
}

TEST_F(Rsvps, AGuestGetsALinkToConfirmAndCountsOnlyOnceConfirmed) {
  const auto key = occurrence().key;
  const auto asked = request_guest_rsvp(ctx(), event_, key, "Gast Müller", "gast@example.org",
                                        rsvp_answer::yes, "de");
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_EQ(asked->rsvp.state, rsvp_state::pending);
  EXPECT_EQ(asked->expires, now() + guest_link_ttl);
  const auto links = mails("guest_rsvp_link");
  ASSERT_EQ(links.size(), 1U);
  const auto text = readable(links[0].message);
  EXPECT_NE(text.find("https://termine.example.org/rsvp/confirm/" + asked->confirm_token),
            std::string::npos);
  EXPECT_NE(text.find("48 Stunden"), std::string::npos);
  EXPECT_EQ(store_->occupancy_of(event_.id, key).going, 0);  // pending counts for nothing

  const auto confirmed = confirm_guest_rsvp(ctx(), asked->confirm_token);
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->rsvp.state, rsvp_state::going);
  EXPECT_EQ(store_->occupancy_of(event_.id, key).going, 1);
  ASSERT_EQ(mails("rsvp_confirmation").size(), 1U);
  EXPECT_EQ(mails("rsvp_confirmation")[0].recipient, "gast@example.org");

  // The link is used up; the address has answered.
  EXPECT_EQ(confirm_guest_rsvp(ctx(), asked->confirm_token).error().code, storage::errc::expired);
  EXPECT_EQ(
      request_guest_rsvp(ctx(), event_, key, "Gast", "gast@example.org", rsvp_answer::yes, "de")
          .error()
          .code,
      storage::errc::conflict);
}

TEST_F(Rsvps, AskingAgainAsAGuestReplacesTheLinkMailNotYetSent) {
  const auto key = occurrence().key;
  const auto first =
      request_guest_rsvp(ctx(), event_, key, "Gast", "gast@example.org", rsvp_answer::yes, "en");
  ASSERT_TRUE(first);
  const auto second =
      request_guest_rsvp(ctx(), event_, key, "Gast", "gast@example.org", rsvp_answer::maybe, "en");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(first->confirm_token, second->confirm_token);
  const auto links = mails("guest_rsvp_link");
  ASSERT_EQ(links.size(), 1U);
  EXPECT_NE(readable(links[0].message).find(second->confirm_token), std::string::npos);
  EXPECT_NE(readable(links[0].message).find("48 hours"), std::string::npos);
}

}  // namespace
}  // namespace treffpunkt::usecases
