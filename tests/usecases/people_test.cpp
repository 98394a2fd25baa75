// Accounts and their links (usecases/people.h): login links, sessions, one-click unsubscribe,
// feed secrets and deleting an account, over a real store.
#include <usecases/people.h>
#include <usecases/rsvps.h>

#include "usecase_fixture.h"

namespace treffpunkt::usecases {
namespace {

using calendar::rsvp_answer;
using testing::usecase_test;

class People : public usecase_test {};

TEST_F(People, ALoginLinkMailLeadsBackWhereTheMemberWas) {
  const auto sent =
      request_login_link(ctx(), "neu@example.org", "/manage/units/a b", std::chrono::minutes(15));
  ASSERT_TRUE(sent) << sent.error().message;
  ASSERT_TRUE(store_->person_by_email("neu@example.org"));  // recorded, as any address
  const auto links = mails("login_link");
  ASSERT_EQ(links.size(), 1U);
  EXPECT_EQ(links[0].recipient, "neu@example.org");
  const auto text = readable(links[0].message);
  const auto at = text.find("https://termine.example.org/login/");
  ASSERT_NE(at, std::string::npos);
  const auto link = text.substr(at, text.find_first_of(" \r\n\"<", at) - at);
  EXPECT_TRUE(link.ends_with("?next=/manage/units/a%20b")) << link;
  EXPECT_NE(text.find("15 Minuten"), std::string::npos);
  EXPECT_EQ(wakes_, 1);
}

TEST_F(People, ALoginLinkForNoAddressQueuesNothing) {
  const auto refused = request_login_link(ctx(), "not an address", {}, std::chrono::minutes(15));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, storage::errc::invalid);
  EXPECT_TRUE(mails().empty());
  EXPECT_EQ(wakes_, 0);
}

TEST_F(People, DurationTextsSayMinutesOrSeconds) {
  EXPECT_EQ(duration_text(std::chrono::minutes(15), "de"), "15 Minuten");
  EXPECT_EQ(duration_text(std::chrono::minutes(1), "en"), "1 minute");
  EXPECT_EQ(duration_text(std::chrono::seconds(90), "de"), "90 Sekunden");
  EXPECT_EQ(duration_text(std::chrono::seconds(1), "en"), "1 second");
}

TEST_F(People, EndingASessionEndsThatSessionOnly) {
  const auto anna = person("anna@example.org");
  const auto phone =
      store_->issue_token(storage::token_kind::session, anna.id, std::chrono::days(30), now());
  const auto laptop =
      store_->issue_token(storage::token_kind::session, anna.id, std::chrono::days(30), now());
  EXPECT_TRUE(end_session(ctx(), phone.raw));
  EXPECT_FALSE(store_->redeem_token(storage::token_kind::session, phone.raw, now()));
  EXPECT_TRUE(store_->redeem_token(storage::token_kind::session, laptop.raw, now()));
  EXPECT_FALSE(end_session(ctx(), phone.raw));  // gone already
  EXPECT_FALSE(end_session(ctx(), "not-a-session"));
}

TEST_F(People, UnsubscribingByTheSignedLinkDropsRemindersAndTurnsNoticesOff) {
  const auto anna = person("anna@example.org");
  ASSERT_TRUE(answer_rsvp(ctx(), event_, occurrence().key, anna, rsvp_answer::yes));
  const auto reminders = mails("reminder");
  ASSERT_EQ(reminders.size(), 2U);
  // The link in the reminder names Anna, signed with this installation's secret.
  const auto text = readable(reminders[0].message);
  const std::string prefix = "https://termine.example.org/unsubscribe/";
  const auto at = text.find(prefix);
  ASSERT_NE(at, std::string::npos);
  const auto token =
      text.substr(at + prefix.size(), text.find_first_of(">\r\n \"", at) - at - prefix.size());
  ASSERT_EQ(unsubscriber(*store_, token), anna.id);
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(unsubscriber(*store_, forged), std::nullopt);

  const auto dropped = unsubscribe(ctx(), anna.id);
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_EQ(*dropped, 2);
  EXPECT_FALSE(store_->person_by_id(anna.id)->notices);
  EXPECT_TRUE(mails("reminder").empty());
  EXPECT_EQ(mails("rsvp_confirmation").size(), 1U);  // sent or not: a confirmation stays
}

TEST_F(People, ANewFeedSecretRevokesTheOldOne) {
  const auto anna = person("anna@example.org");
  const auto first = new_feed_secret(ctx(), anna.id);
  const auto second = new_feed_secret(ctx(), anna.id);
  EXPECT_FALSE(store_->redeem_token(storage::token_kind::feed, first.raw, now()));
  EXPECT_TRUE(store_->redeem_token(storage::token_kind::feed, second.raw, now()));
  EXPECT_EQ(personal_feed_path(second.raw), "/feeds/" + second.raw + ".ics");
}

TEST_F(People, DeletingAnAccountGivesItsPlaceToTheWaitlistWithAMail) {
  const auto anna = person("anna@example.org");
  const auto ben = person("ben@example.org");
  const auto key = occurrence().key;
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, anna, rsvp_answer::yes));
  ASSERT_TRUE(answer_rsvp(ctx(), event_, key, ben, rsvp_answer::yes));
  const auto deleted = delete_account(ctx(), anna.id, storage::actor::of(anna.id));
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_FALSE(store_->person_by_email("anna@example.org"));
  const auto promotions = mails("waitlist_promotion");
  ASSERT_EQ(promotions.size(), 1U);
  EXPECT_EQ(promotions[0].recipient, "ben@example.org");
  for (const auto& m : mails()) EXPECT_NE(m.recipient, "anna@example.org");  // hers are gone
}

TEST_F(People, TheLastAdminCannotBeDeleted) {
  const auto admin = person("admin@example.org");
  ASSERT_TRUE(store_->set_admin(admin.id, true, storage::actor::system()));
  const auto refused = delete_account(ctx(), admin.id, storage::actor::system());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, storage::errc::conflict);
  EXPECT_TRUE(store_->person_by_email("admin@example.org"));
}

}  // namespace
}  // namespace treffpunkt::usecases
