// Exchange offers on the pages, in process over a real store (issue 13): the unit page lists
// them apart from the meetings with their places left, or says in one line that there are
// none; the home page lists the next offers of all units; both in German and English, for
// anonymous visitors and members, and the cached pages follow an RSVP at once.
#include <gtest/gtest.h>

#include <string>

#include "app_fixture.h"

namespace treffpunkt::server {
namespace {

using namespace std::chrono_literals;
using testing::app_test;
using treffpunkt::testing::local;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

/// The HTML of the <section> labelled by `heading_id`, or empty if there is none.
std::string section(const std::string& html, std::string_view heading_id) {
  const auto start = html.find("<section aria-labelledby=\"" + std::string(heading_id) + "\"");
  if (start == std::string::npos) return {};
  return html.substr(start, html.find("</section>", start) - start);
}

class OfferPages : public app_test {
 protected:
  void SetUp() override {
    app_test::SetUp();
    // The clock stands at 2026-06-10 08:00 UTC (app_fixture.h).
    werkstatt_ = add_unit("werkstatt", "Netzwerkstelle Werkstatt");
    auto meeting = event_of(werkstatt_, "treffen", "Werkstatttreffen", local(2026, 6, 16, 19));
    meeting.rule = calendar::recurrence_rule::parse("FREQ=WEEKLY;BYDAY=TU").value();
    ASSERT_TRUE(store_->create_event(meeting, storage::actor::system(), clock_.now()));
    auto offer =
        event_of(werkstatt_, "angebot", "Lötkurs für Einsteiger*innen", local(2026, 6, 12, 18));
    offer.kind = calendar::event_kind::exchange_offer;
    offer.capacity = 3;
    const auto made = store_->create_event(offer, storage::actor::system(), clock_.now());
    ASSERT_TRUE(made);
    offer_ = made->id;

    const auto ohne = add_unit("ohne", "Netzwerkstelle Ohne");
    ASSERT_TRUE(
        store_->create_event(event_of(ohne, "treffen", "Nur ein Treffen", local(2026, 6, 17, 18)),
                             storage::actor::system(), clock_.now()));
  }

  calendar::unit_id add_unit(std::string slug, std::string name) {
    calendar::unit u{{}, std::move(slug), std::move(name), "", "#333333", "Europe/Berlin", "", {}};
    const auto made = store_->create_unit(u, storage::actor::system());
    EXPECT_TRUE(made);
    return made ? made->id : calendar::unit_id{};
  }

  calendar::event event_of(calendar::unit_id unit, const std::string& uid, std::string title,
                           calendar::local_seconds start) const {
    calendar::event e;
    e.unit = unit;
    e.uid = uid + "." + std::to_string(unit.value) + "@test.treffpunkt";
    e.title = std::move(title);
    e.start = start;
    e.duration = 2h;
    e.created = clock_.now();
    e.last_modified = clock_.now();
    return e;
  }

  std::string page(const std::string& target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    const auto r = call("GET", target, std::move(headers));
    EXPECT_EQ(r.status, 200U) << target;
    return body(r);
  }

  void rsvp_yes(const std::string& email) {
    const auto who = store_->ensure_person(email, "");
    ASSERT_TRUE(who);
    const auto key = calendar::occurrence_key::timed(treffpunkt::testing::utc(2026, 6, 12, 16));
    ASSERT_TRUE(store_->set_rsvp(offer_, key, who->id, calendar::rsvp_answer::yes, clock_.now()));
  }

  calendar::unit_id werkstatt_;
  calendar::event_id offer_;
};

TEST_F(OfferPages, UnitPageListsOffersApartWithPlacesLeft) {
  const auto html = page("/units/werkstatt");
  const auto meetings = section(html, "upcoming-heading");
  const auto offers = section(html, "offers-heading");
  EXPECT_TRUE(contains(meetings, "Kommende Treffen"));
  EXPECT_TRUE(contains(meetings, ">Werkstatttreffen</a>"));
  EXPECT_FALSE(contains(meetings, "Lötkurs"));
  EXPECT_TRUE(contains(offers, "<h2 id=\"offers-heading\">Austauschangebote</h2>"));
  // 18:00 in Berlin is 16:00 UTC in June: the occurrence's key.
  EXPECT_TRUE(contains(offers, "<a href=\"/events/" + std::to_string(offer_.value) +
                                   "/20260612T160000Z\">Lötkurs für Einsteiger*innen</a>"));
  EXPECT_TRUE(contains(offers, "Fr., 12. Juni 2026, 18:00–20:00"));
  EXPECT_TRUE(contains(offers, "Noch 3 von 3 Plätzen frei"));
  EXPECT_FALSE(contains(offers, "Werkstatttreffen"));
  EXPECT_FALSE(contains(html, "no-offers"));

  const auto en = page("/units/werkstatt", {{"Accept-Language", "en"}});
  EXPECT_TRUE(contains(section(en, "upcoming-heading"), "Upcoming meetings"));
  const auto offers_en = section(en, "offers-heading");
  EXPECT_TRUE(contains(offers_en, "Exchange offers"));
  EXPECT_TRUE(contains(offers_en, "Fri, 12 Jun 2026, 18:00–20:00"));
  EXPECT_TRUE(contains(offers_en, "3 of 3 places left"));
}

TEST_F(OfferPages, AUnitWithoutOffersSaysSoInOneLine) {
  const auto html = page("/units/ohne");
  EXPECT_FALSE(contains(html, "offers-heading"));
  EXPECT_TRUE(contains(html, "<p class=\"no-offers\">"));
  EXPECT_TRUE(contains(section(html, "upcoming-heading"), "Nur ein Treffen"));
  const auto en = page("/units/ohne", {{"Accept-Language", "en"}});
  EXPECT_TRUE(contains(en, "This network unit has no exchange offers coming up."));
}

TEST_F(OfferPages, HomeListsTheNextOffersOfAllUnitsWithTheirUnit) {
  const auto html = page("/");
  const auto offers = section(html, "offers-heading");
  EXPECT_TRUE(contains(offers, ">Lötkurs für Einsteiger*innen</a>"));
  EXPECT_TRUE(contains(offers, "<span class=\"unit\">Netzwerkstelle Werkstatt</span>"));
  EXPECT_TRUE(contains(offers, "Noch 3 von 3 Plätzen frei"));
  EXPECT_FALSE(contains(offers, "Werkstatttreffen"));
  EXPECT_FALSE(contains(offers, "Nur ein Treffen"));
  const auto meetings = section(html, "next-heading");
  EXPECT_TRUE(contains(meetings, "Die nächsten Treffen"));
  EXPECT_FALSE(contains(meetings, "Lötkurs"));

  const auto en = page("/?lang=en");
  const auto offers_en = section(en, "offers-heading");
  EXPECT_TRUE(contains(offers_en, "<h2 id=\"offers-heading\">Exchange offers</h2>"));
  EXPECT_TRUE(contains(offers_en, ">Lötkurs für Einsteiger*innen</a>"));
  EXPECT_TRUE(contains(offers_en, "<span class=\"unit\">Netzwerkstelle Werkstatt</span>"));
  EXPECT_TRUE(contains(offers_en, "3 of 3 places left"));
  EXPECT_TRUE(contains(section(en, "next-heading"), "Next meetings"));
}

// The unit page and the home page are cached per data change and per viewer kind: an RSVP
// shows in the places left at once, for visitors and members alike.
TEST_F(OfferPages, CachedPagesShowThePlacesLeftAfterAnRsvp) {
  const auto member = store_->ensure_person("mitglied@example.org", "Mitglied");
  ASSERT_TRUE(member);
  const auto session =
      store_->issue_token(storage::token_kind::session, member->id, 1h, clock_.now());
  const std::pair<std::string, std::string> cookie{"Cookie", "session=" + session.raw};

  EXPECT_TRUE(contains(page("/units/werkstatt"), "Noch 3 von 3 Plätzen frei"));
  EXPECT_TRUE(contains(page("/units/werkstatt", {cookie}), "Noch 3 von 3 Plätzen frei"));
  EXPECT_TRUE(contains(page("/"), "Noch 3 von 3 Plätzen frei"));
  rsvp_yes("eins@example.org");
  rsvp_yes("zwei@example.org");
  EXPECT_TRUE(
      contains(section(page("/units/werkstatt"), "offers-heading"), "Noch 1 von 3 Plätzen frei"));
  const auto as_member = page("/units/werkstatt", {cookie});
  EXPECT_TRUE(contains(section(as_member, "offers-heading"), "Noch 1 von 3 Plätzen frei"));
  EXPECT_TRUE(contains(as_member, "action=\"/units/werkstatt/follow\""));
  EXPECT_FALSE(contains(as_member, "name=\"csrf\" value=\"\""));
  EXPECT_TRUE(contains(section(page("/"), "offers-heading"), "Noch 1 von 3 Plätzen frei"));
  rsvp_yes("drei@example.org");
  EXPECT_TRUE(contains(section(page("/units/werkstatt"), "offers-heading"),
                       "<span class=\"places is-full\">Ausgebucht</span>"));
}

}  // namespace
}  // namespace treffpunkt::server
