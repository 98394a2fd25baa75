#include <gtest/gtest.h>
#include <storage/store.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "store_fixture.h"

namespace treffpunkt::storage {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using testing::test_now;

class Export : public testing::store_test {
 protected:
  void SetUp() override {
    testing::store_test::SetUp();
    calendar::unit u;
    u.slug = "frauen";
    u.name = "Netzwerkstelle Frauen*";
    auto created = store_->create_unit(u, actor::system());
    ASSERT_TRUE(created) << created.error().message;
    unit_ = *created;
    u.slug = "bildung";
    u.name = "Netzwerkstelle Bildung";
    created = store_->create_unit(u, actor::system());
    ASSERT_TRUE(created);
    other_unit_ = *created;

    anna_ = *store_->ensure_person("anna@example.org", "Anna Thüringen");
    ben_ = *store_->ensure_person("ben@example.org", "Ben");
    ASSERT_TRUE(store_->add_responsible(unit_.id, anna_.id, actor::system()));
    ASSERT_TRUE(store_->set_follow(anna_.id, other_unit_.id, true));
    ASSERT_TRUE(store_->set_follow(ben_.id, unit_.id, true));

    calendar::event e;
    e.unit = unit_.id;
    e.title = "Empowerment für Schüler*innen";
    e.start = calendar::local_seconds(date::local_days(date::year{2025} / 11 / 4)) + 19h;
    e.rule = *calendar::recurrence_rule::parse("FREQ=WEEKLY;COUNT=4");
    e.rdates = {calendar::local_seconds(date::local_days(date::year{2025} / 11 / 6)) + 19h};
    auto made = store_->create_event(e, actor::of(anna_.id), test_now());
    ASSERT_TRUE(made) << made.error().message;
    event_ = *made;
    calendar::occurrence_override o;
    o.key = calendar::occurrence_key::timed(calendar::to_utc(e.start + date::days(7), event_.zone));
    o.cancelled = true;
    auto overridden = store_->set_override(event_.id, o, actor::of(anna_.id), test_now());
    ASSERT_TRUE(overridden) << overridden.error().message;
    event_ = *overridden;

    const auto first = calendar::occurrence_key::timed(calendar::to_utc(e.start, event_.zone));
    ASSERT_TRUE(
        store_->set_rsvp(event_.id, first, anna_.id, calendar::rsvp_answer::yes, test_now()));
    ASSERT_TRUE(
        store_->set_rsvp(event_.id, first, ben_.id, calendar::rsvp_answer::maybe, test_now()));
    token_ = store_->issue_token(token_kind::api, anna_.id, 24h, test_now()).raw;
  }

  calendar::unit unit_;
  calendar::unit other_unit_;
  person anna_;
  person ben_;
  calendar::event event_;
  std::string token_;
};

TEST_F(Export, AllDataParsesAndHoldsWhatWasWritten) {
  const std::string text = store_->export_json();
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  ASSERT_FALSE(ec) << ec.message();
  const auto& root = doc.as_object();

  const auto& units = root.at("units").as_array();
  ASSERT_EQ(units.size(), 2U);
  EXPECT_EQ(units[0].at("slug").as_string(), "frauen");
  EXPECT_EQ(units[0].at("name").as_string(), "Netzwerkstelle Frauen*");
  EXPECT_EQ(units[1].at("slug").as_string(), "bildung");

  const auto& people = root.at("people").as_array();
  ASSERT_EQ(people.size(), 2U);
  EXPECT_EQ(people[0].at("email").as_string(), "anna@example.org");
  EXPECT_EQ(people[0].at("name").as_string(), "Anna Thüringen");

  const auto& responsibles = root.at("responsibles").as_array();
  ASSERT_EQ(responsibles.size(), 1U);
  EXPECT_EQ(responsibles[0].at("person_id").as_int64(), anna_.id.value);
  EXPECT_EQ(root.at("follows").as_array().size(), 2U);

  const auto& events = root.at("events").as_array();
  ASSERT_EQ(events.size(), 1U);
  const auto& e = events[0].as_object();
  EXPECT_EQ(e.at("uid").as_string(), event_.uid);
  EXPECT_EQ(e.at("title").as_string(), "Empowerment für Schüler*innen");
  EXPECT_EQ(e.at("rrule").as_string(), event_.rule->to_string());
  EXPECT_EQ(e.at("sequence").as_int64(), event_.sequence);
  ASSERT_EQ(e.at("rdates").as_array().size(), 1U);
  const auto& overrides = e.at("overrides").as_array();
  ASSERT_EQ(overrides.size(), 1U);
  EXPECT_EQ(overrides[0].at("occurrence_key").as_string(), event_.overrides[0].key.to_string());
  EXPECT_TRUE(overrides[0].at("cancelled").as_bool());
  EXPECT_TRUE(e.at("capacity").is_null());

  EXPECT_EQ(root.at("rsvps").as_array().size(), 2U);
  EXPECT_GE(root.at("audit_log").as_array().size(), 5U);

  EXPECT_EQ(root.find("tokens"), root.end());
  const std::string hash_hex = query_text(on_postgres() ? "SELECT encode(hash, 'hex') FROM tokens"
                                                        : "SELECT lower(hex(hash)) FROM tokens");
  ASSERT_EQ(hash_hex.size(), 64U);
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find(hash_hex), std::string::npos);
  EXPECT_EQ(text.find(token_), std::string::npos);

  EXPECT_EQ(store_->export_json(), text) << "deterministic";
}

TEST_F(Export, PersonExportHoldsOnlyThatPerson) {
  auto text = store_->export_person_json(ben_.id);
  ASSERT_TRUE(text) << text.error().message;
  boost::system::error_code ec;
  const json::value doc = json::parse(*text, ec);
  ASSERT_FALSE(ec) << ec.message();
  const auto& root = doc.as_object();
  EXPECT_EQ(root.at("person").at("email").as_string(), "ben@example.org");
  const auto& follows = root.at("follows").as_array();
  ASSERT_EQ(follows.size(), 1U);
  EXPECT_EQ(follows[0].at("slug").as_string(), "frauen");
  const auto& rsvps = root.at("rsvps").as_array();
  ASSERT_EQ(rsvps.size(), 1U);
  EXPECT_EQ(rsvps[0].at("event_title").as_string(), "Empowerment für Schüler*innen");
  EXPECT_EQ(rsvps[0].at("answer").as_string(), "maybe");
  EXPECT_TRUE(root.at("responsible_of").as_array().empty());
  EXPECT_FALSE(root.at("person").at("admin").as_bool());
  EXPECT_EQ(text->find("anna"), std::string::npos) << *text;
  EXPECT_EQ(text->find("Anna"), std::string::npos);

  auto anna = store_->export_person_json(anna_.id);
  ASSERT_TRUE(anna);
  const json::value anna_doc = json::parse(*anna);
  ASSERT_EQ(anna_doc.at("responsible_of").as_array().size(), 1U);
  EXPECT_EQ(anna_doc.at("responsible_of").as_array()[0].at("slug").as_string(), "frauen");
  EXPECT_EQ(anna->find("ben@example.org"), std::string::npos);
}

TEST_F(Export, BothExportsHoldReminderChoices) {
  ASSERT_TRUE(
      store_->set_reminder_offsets(ben_.id, {std::chrono::hours{24}, std::chrono::minutes{30}}));
  const json::value all = json::parse(store_->export_json());
  const auto& rows = all.at("reminder_preferences").as_array();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].at("person_id").as_int64(), ben_.id.value);
  EXPECT_EQ(rows[0].at("offsets").as_string(), "1440,30");

  const json::value ben = json::parse(*store_->export_person_json(ben_.id));
  ASSERT_EQ(ben.at("reminder_preferences").as_array().size(), 1U);
  EXPECT_EQ(ben.at("reminder_preferences").as_array()[0].at("offsets").as_string(), "1440,30");
  // Anna follows the default: nothing of hers is stored.
  const json::value anna = json::parse(*store_->export_person_json(anna_.id));
  EXPECT_TRUE(anna.at("reminder_preferences").as_array().empty());
}

TEST_F(Export, UnknownPersonIsNotFound) {
  auto text = store_->export_person_json(person_id{ben_.id.value + 100});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, errc::not_found);
}

}  // namespace
}  // namespace treffpunkt::storage
