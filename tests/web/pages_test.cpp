#include <gtest/gtest.h>
#include <web/assets.h>
#include <web/link_pages.h>
#include <web/markdown.h>
#include <web/pages.h>

#include <regex>
#include <string>

namespace {

using namespace std::chrono_literals;
using namespace date::literals;
namespace web = treffpunkt::web;
namespace calendar = treffpunkt::calendar;
using web::language;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

int count(const std::string& haystack, std::string_view needle) {
  int n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

/// What a Content-Security-Policy without 'unsafe-inline' would block.
void expect_no_inline_code(const std::string& html) {
  EXPECT_FALSE(std::regex_search(html, std::regex("<script(?![^>]*\\ssrc=)[^>]*>")));
  EXPECT_FALSE(contains(html, "<style"));
  EXPECT_FALSE(contains(html, "style="));
  EXPECT_FALSE(std::regex_search(html, std::regex("\\son[a-z]+=", std::regex::icase)));
  EXPECT_FALSE(contains(html, "javascript:"));
}

web::page_context context(language l = language::de) {
  web::page_context ctx;
  ctx.lang = l;
  ctx.path = "/units/bildung";
  ctx.base_url = "https://treffpunkt.example";
  return ctx;
}

const std::string evil = "<script>alert(1)</script>";

web::session session_of(std::string title) {
  web::session s;
  s.event = calendar::event_id{7};
  s.key = calendar::occurrence_key::timed(date::sys_days{2025_y / 12 / 2} + 18h);
  s.title = std::move(title);
  s.unit_name = "Netzwerkstelle " + evil;
  s.unit_slug = "bildung";
  s.start = calendar::local_seconds{date::local_days{2025_y / 12 / 2}} + 19h;
  s.end = s.start + 2h;
  return s;
}

web::unit_view unit_view() {
  web::unit_view v;
  v.unit = {"bildung", "Netzwerkstelle Bildung", "Wir treffen uns **alle zwei Wochen**."};
  v.responsibles = {"Oleg Shevchenko", "Konstantin Petry", "Louisa Klopfleisch"};
  v.upcoming = {session_of("Treffen")};
  v.month = 2025_y / 12;
  v.in_month = v.upcoming;
  return v;
}

TEST(Pages, LayoutHasLangViewportSkipLinkAndOneH1) {
  const auto html = web::render_unit(context(), unit_view());
  EXPECT_TRUE(contains(html, "<html lang=\"de\">"));
  EXPECT_TRUE(contains(html, "name=\"viewport\""));
  EXPECT_TRUE(contains(html, "href=\"#main\""));
  EXPECT_TRUE(contains(html, "<main id=\"main\""));
  EXPECT_EQ(count(html, "<h1"), 1);
  EXPECT_TRUE(contains(html, "href=\"/units/bildung?lang=en\""));
  EXPECT_TRUE(contains(html, web::asset_url("style.css")));
  expect_no_inline_code(html);
  const auto en = web::render_unit(context(language::en), unit_view());
  EXPECT_TRUE(contains(en, "<html lang=\"en\">"));
  EXPECT_TRUE(contains(en, "href=\"/units/bildung?lang=de\""));
  EXPECT_TRUE(contains(en, "Subscribe"));
}

TEST(Pages, UnitPageHasSubscribeBox) {
  const auto html = web::render_unit(context(), unit_view());
  EXPECT_TRUE(contains(html, "href=\"webcal://treffpunkt.example/units/bildung.ics\""));
  EXPECT_TRUE(contains(html, "readonly value=\"https://treffpunkt.example/units/bildung.ics\""));
  EXPECT_TRUE(contains(html,
                       "https://calendar.google.com/calendar/render?cid="
                       "webcal%3A%2F%2Ftreffpunkt.example%2Funits%2Fbildung.ics"));
  EXPECT_TRUE(contains(html,
                       "https://outlook.live.com/calendar/0/addfromweb?url="
                       "https%3A%2F%2Ftreffpunkt.example%2Funits%2Fbildung.ics"
                       "&amp;name=Netzwerkstelle%20Bildung"));
  EXPECT_TRUE(contains(html, "<svg"));
  EXPECT_TRUE(contains(html, "<strong>alle zwei Wochen</strong>"));
  EXPECT_TRUE(contains(html, "Oleg Shevchenko, Konstantin Petry und Louisa Klopfleisch"));
}

// The bytes of the subscribe links as calendar apps have received them: every byte but the
// unreserved ones (RFC 3986 §2.3) percent-encoded, upper-case hex, a space as %20.
TEST(Pages, SubscribeLinksPercentEncodeAllButUnreservedBytes) {
  auto ctx = context();
  ctx.base_url = "http://127.0.0.1:8080/tp";
  auto v = unit_view();
  v.unit.name = "Frauen* & Kinder: Grüße/Ü 100% ~a-b_c.d+e=f'g(h)";
  const auto html = web::render_unit(ctx, v);
  EXPECT_TRUE(contains(html,
                       "href=\"https://calendar.google.com/calendar/render?cid="
                       "webcal%3A%2F%2F127.0.0.1%3A8080%2Ftp%2Funits%2Fbildung.ics\""));
  EXPECT_TRUE(contains(html,
                       "href=\"https://outlook.live.com/calendar/0/addfromweb?url="
                       "http%3A%2F%2F127.0.0.1%3A8080%2Ftp%2Funits%2Fbildung.ics&amp;name="
                       "Frauen%2A%20%26%20Kinder%3A%20Gr%C3%BC%C3%9Fe%2F%C3%9C%20100%25%20"
                       "~a-b_c.d%2Be%3Df%27g%28h%29\""));
}

TEST(Pages, MonthViewIsATableWithLinksOnTheirDays) {
  const auto html = web::render_unit(context(), unit_view());
  EXPECT_TRUE(contains(html, "<caption>Dezember 2025</caption>"));
  EXPECT_EQ(count(html, "<th scope=\"col\">"), 7);
  EXPECT_EQ(count(html, "<tr>"), 1 + 5);  // header and five weeks
  EXPECT_TRUE(
      std::regex_search(html, std::regex("<span class=\"day-number\">2</span><a class=\"\" "
                                         "href=\"/events/7/20251202T180000Z\">19:00 Treffen</a>")));
  EXPECT_TRUE(contains(html, "href=\"?month=2025-11\""));
  EXPECT_TRUE(contains(html, "href=\"?month=2026-01\""));
}

/// The HTML of the <section> labelled by `heading_id`, or empty if there is none.
std::string section(const std::string& html, std::string_view heading_id) {
  const auto start = html.find("<section aria-labelledby=\"" + std::string(heading_id) + "\"");
  if (start == std::string::npos) return {};
  const auto end = html.find("</section>", start);
  return html.substr(start, end - start);
}

web::session offer_session(std::string title, unsigned day, std::string unit_name = "Bildung") {
  auto s = session_of(std::move(title));
  s.event = calendar::event_id{9};
  s.key = calendar::occurrence_key::timed(date::sys_days{2025_y / 12 / date::day{day}} + 17h);
  s.start = calendar::local_seconds{date::local_days{2025_y / 12 / date::day{day}}} + 18h;
  s.end = s.start + 2h;
  s.unit_name = std::move(unit_name);
  s.offer = true;
  return s;
}

TEST(Pages, UnitPageListsExchangeOffersApartFromMeetings) {
  auto v = unit_view();
  v.offers = {{offer_session("Erfahrungsaustausch Zivilklausel", 10), 15, 12},
              {offer_session("Workshop Reden halten", 17), 12, 12},
              {offer_session("Offenes Austauschcafé", 20), std::nullopt, 4}};
  const auto html = web::render_unit(context(), v);
  const auto meetings = section(html, "upcoming-heading");
  const auto offers = section(html, "offers-heading");
  EXPECT_TRUE(contains(meetings, "<h2 id=\"upcoming-heading\">Kommende Treffen</h2>"));
  EXPECT_TRUE(contains(meetings, ">Treffen</a>"));
  EXPECT_FALSE(contains(meetings, "Zivilklausel"));
  EXPECT_TRUE(contains(offers, "<h2 id=\"offers-heading\">Austauschangebote</h2>"));
  EXPECT_FALSE(contains(offers, ">Treffen</a>"));
  EXPECT_TRUE(contains(offers,
                       "<a href=\"/events/9/20251210T170000Z\">Erfahrungsaustausch "
                       "Zivilklausel</a>"));
  EXPECT_TRUE(contains(offers, "Mi., 10. Dez. 2025, 18:00–20:00"));
  EXPECT_TRUE(contains(offers, "<span class=\"places\">Noch 3 von 15 Plätzen frei</span>"));
  EXPECT_TRUE(contains(offers, "<span class=\"places is-full\">Ausgebucht</span>"));
  EXPECT_EQ(count(offers, "class=\"places"), 2);     // nothing said of unlimited places
  EXPECT_FALSE(contains(offers, "class=\"unit\""));  // the unit's own page
  EXPECT_FALSE(contains(html, "no-offers"));

  const auto en = web::render_unit(context(language::en), v);
  const auto offers_en = section(en, "offers-heading");
  EXPECT_TRUE(contains(section(en, "upcoming-heading"), "Upcoming meetings"));
  EXPECT_TRUE(contains(offers_en, "<h2 id=\"offers-heading\">Exchange offers</h2>"));
  EXPECT_TRUE(contains(offers_en, "3 of 15 places left"));
  EXPECT_TRUE(contains(offers_en, "Fully booked"));
  EXPECT_TRUE(contains(offers_en, "Wed, 10 Dec 2025, 18:00–20:00"));
  expect_no_inline_code(en);
}

TEST(Pages, UnitWithoutOffersSaysSoInOneLineWithoutAHeading) {
  const auto html = web::render_unit(context(), unit_view());
  EXPECT_FALSE(contains(html, "offers-heading"));
  EXPECT_FALSE(contains(html, "<h2>Austauschangebote"));
  EXPECT_EQ(count(html, "Austauschangebote"), 1);
  EXPECT_TRUE(contains(
      html, "<p class=\"no-offers\">Gerade hat diese Netzwerkstelle keine Austauschangebote.</p>"));
  const auto en = web::render_unit(context(language::en), unit_view());
  EXPECT_TRUE(contains(
      en, "<p class=\"no-offers\">This network unit has no exchange offers coming up.</p>"));
}

TEST(Pages, HomeListsTheNextOffersOfAllUnitsApart) {
  web::home_view home;
  home.units = {{"bildung", "Netzwerkstelle Bildung", ""},
                {"frauen", "Netzwerkstelle Frauen*", ""}};
  home.next = {session_of("Treffen")};
  home.offers = {{offer_session("Zivilklausel", 10, "Netzwerkstelle Bildung"), 20, 0},
                 {offer_session("Reden halten", 17, "Netzwerkstelle Frauen*"), 12, 11}};
  const auto html = web::render_home(context(), home);
  const auto offers = section(html, "offers-heading");
  EXPECT_TRUE(contains(offers, "<h2 id=\"offers-heading\">Austauschangebote</h2>"));
  EXPECT_TRUE(contains(offers, ">Zivilklausel</a>"));
  EXPECT_TRUE(contains(offers, "<span class=\"unit\">Netzwerkstelle Bildung</span>"));
  EXPECT_TRUE(contains(offers, "<span class=\"unit\">Netzwerkstelle Frauen*</span>"));
  EXPECT_TRUE(contains(offers, "Noch 20 von 20 Plätzen frei"));
  EXPECT_TRUE(contains(offers, "Noch 1 von 12 Plätzen frei"));
  EXPECT_FALSE(contains(offers, ">Treffen</a>"));
  const auto meetings = section(html, "next-heading");
  EXPECT_TRUE(contains(meetings, "Die nächsten Treffen"));
  EXPECT_TRUE(contains(meetings, ">Treffen</a>"));
  EXPECT_FALSE(contains(meetings, "Zivilklausel"));

  const auto en = web::render_home(context(language::en), home);
  const auto offers_en = section(en, "offers-heading");
  EXPECT_TRUE(contains(offers_en, "<h2 id=\"offers-heading\">Exchange offers</h2>"));
  EXPECT_TRUE(contains(offers_en, "<span class=\"unit\">Netzwerkstelle Frauen*</span>"));
  EXPECT_TRUE(contains(offers_en, "1 of 12 places left"));
  EXPECT_TRUE(contains(section(en, "next-heading"), "Next meetings"));

  home.offers.clear();
  const auto none = web::render_home(context(), home);
  EXPECT_FALSE(contains(none, "offers-heading"));
  EXPECT_TRUE(contains(none, "<p class=\"no-offers\">Gerade gibt es keine Austauschangebote.</p>"));
}

// On a phone the month grid has no room for titles: each day with sessions links, with one
// dot per session, to that day in the list below the grid (the stylesheet shows one or the
// other by the screen's width).
TEST(Pages, MonthDaysLinkWithADotPerSessionToTheDayInTheList) {
  auto v = unit_view();
  auto cancelled = offer_session("Abgesagtes Angebot", 2);
  cancelled.cancelled = true;
  v.in_month = {v.upcoming[0], cancelled, offer_session("Zivilklausel", 10)};
  const auto html = web::render_unit(context(), v);
  EXPECT_TRUE(contains(html,
                       "<a class=\"day-link\" href=\"#day-2025-12-02\"><span "
                       "class=\"visually-hidden\">Di., 2. Dez. 2025: 2 Termine</span><span "
                       "class=\"dots\" aria-hidden=\"true\"><span class=\"dot\"></span><span "
                       "class=\"dot is-cancelled is-offer\"></span></span></a>"));
  EXPECT_TRUE(contains(html,
                       "href=\"#day-2025-12-10\"><span class=\"visually-hidden\">Mi., 10. "
                       "Dez. 2025: 1 Termin</span>"));
  EXPECT_EQ(count(html, "class=\"day-link\""), 2);
  EXPECT_TRUE(contains(html, "<li id=\"day-2025-12-02\">\n<h3>Di., 2. Dez. 2025</h3>"));
  EXPECT_TRUE(contains(html, "<li id=\"day-2025-12-10\">\n<h3>Mi., 10. Dez. 2025</h3>"));
  EXPECT_TRUE(contains(html, "<time datetime=\"2025-12-02T19:00\">19:00–21:00</time>"));
  EXPECT_TRUE(contains(html, "<span class=\"badge badge-offer\">Austauschangebot</span>"));
  // In the grid an offer says what it is to screen readers as well.
  EXPECT_TRUE(contains(html,
                       "href=\"/events/9/20251210T170000Z\">18:00 Zivilklausel<span "
                       "class=\"visually-hidden\"> (Austauschangebot)</span></a>"));
  const auto en = web::render_unit(context(language::en), v);
  EXPECT_TRUE(contains(en, "Tue, 2 Dec 2025: 2 sessions"));
  EXPECT_TRUE(contains(en, "Wed, 10 Dec 2025: 1 session"));

  v.in_month.clear();
  const auto empty = web::render_unit(context(), v);
  EXPECT_FALSE(contains(empty, "day-link"));
  EXPECT_TRUE(contains(empty, "<p>In diesem Monat stehen keine Termine an.</p>"));
}

TEST(Pages, TextIsEscapedEverywhere) {
  auto v = unit_view();
  v.unit.name = evil;
  v.unit.description = evil + "\n\n[klick](javascript:alert(1))";
  v.responsibles = {evil};
  v.upcoming = {session_of(evil)};
  v.in_month = v.upcoming;
  const auto html = web::render_unit(context(), v);
  EXPECT_FALSE(contains(html, "<script>alert"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  expect_no_inline_code(html);

  web::home_view home;
  home.units = {{"x", evil, evil}};
  home.next = {session_of(evil)};
  const auto home_html = web::render_home(context(), home);
  EXPECT_FALSE(contains(home_html, "<script>alert"));
  expect_no_inline_code(home_html);

  web::occurrence_view o;
  o.when = session_of(evil);
  o.description = evil;
  o.location = evil;
  o.online_url = "javascript:alert(1)";
  const auto occurrence_html = web::render_occurrence(context(), o);
  EXPECT_FALSE(contains(occurrence_html, "<script>alert"));
  expect_no_inline_code(occurrence_html);
}

TEST(Markdown, DropsRawHtmlAndJavascriptLinks) {
  const auto html = web::markdown_to_html(
      "Hallo *Welt*\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
      "[a](javascript:alert(1)) [b](https://example.org)");
  EXPECT_TRUE(contains(html, "<em>Welt</em>"));
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "javascript:"));
  EXPECT_TRUE(contains(html, "href=\"https://example.org\""));
}

TEST(Markdown, GenderStarsStayTextWhileEmphasisStillWorks) {
  // The seed page's own words: without care CommonMark makes "netzwerkstelle ... Frauen" italic.
  EXPECT_EQ(web::markdown_to_html("Die Frauen*netzwerkstelle ist ein Raum für Frauen*: offen."),
            "<p>Die Frauen*netzwerkstelle ist ein Raum für Frauen*: offen.</p>\n");
  EXPECT_EQ(web::markdown_to_html("Das ist *wichtig* für Bürger*innen und **alle**."),
            "<p>Das ist <em>wichtig</em> für Bürger*innen und <strong>alle</strong>.</p>\n");
  // Code keeps its stars as typed, and an escape typed by the writer is not doubled.
  EXPECT_EQ(web::markdown_to_html("`a*b` und Frauen\\*"), "<p><code>a*b</code> und Frauen*</p>\n");
  EXPECT_EQ(web::protect_gender_stars("    Frauen*\n```\nx*y\n```"), "    Frauen*\n```\nx*y\n```");
  // Emphasis opened in one paragraph does not reach into the next.
  EXPECT_EQ(web::protect_gender_stars("ein *offener\n\nFrauen* Raum"),
            "ein *offener\n\nFrauen\\* Raum");
}

TEST(Pages, OccurrenceShowsPlacesAndGuestForm) {
  web::occurrence_view o;
  o.when = session_of("Workshop");
  o.capacity = 20;
  o.going = 5;
  o.waitlisted = 0;
  const auto html = web::render_occurrence(context(), o);
  EXPECT_TRUE(contains(html, "Noch 15 von 20 Plätzen frei"));
  EXPECT_TRUE(contains(html, "action=\"/events/7/20251202T180000Z/guest-rsvp\""));
  EXPECT_TRUE(contains(html, "<label for=\"guest-email\">"));
  EXPECT_TRUE(contains(html, "href=\"/events/7.ics\""));
  EXPECT_TRUE(contains(html, "name=\"csrf\" value=\"\""));
  const auto filled = web::with_csrf(html, "TOKEN123");
  EXPECT_TRUE(contains(filled, "name=\"csrf\" value=\"TOKEN123\""));
  EXPECT_FALSE(contains(filled, "name=\"csrf\" value=\"\""));
  // Filled from the slots found once (a cached page): the same bytes.
  const auto slots = web::csrf_slots(html);
  EXPECT_EQ(slots.size(), 1U);
  EXPECT_EQ(web::with_csrf(html, slots, "TOKEN123"), filled);

  o.going = 20;
  o.waitlisted = 3;
  const auto full = web::render_occurrence(context(language::en), o);
  EXPECT_TRUE(contains(full, "Fully booked, 3 on the waiting list"));
}

TEST(Pages, MemberFormShowsCurrentAnswer) {
  web::occurrence_view o;
  o.when = session_of("Treffen");
  o.who = web::viewer::member;
  o.answer = calendar::rsvp_answer::maybe;
  o.csrf = "abc";
  const auto html = web::render_occurrence(context(), o);
  EXPECT_TRUE(contains(html, "action=\"/events/7/20251202T180000Z/rsvp\""));
  EXPECT_TRUE(contains(html, "name=\"csrf\" value=\"abc\""));
  EXPECT_TRUE(contains(html, "Deine Antwort: <strong>Vielleicht</strong>"));
  EXPECT_TRUE(contains(html, "value=\"maybe\" class=\"current\""));
  EXPECT_EQ(count(html, "name=\"answer\""), 3);
  EXPECT_FALSE(contains(html, "guest-rsvp"));
}

TEST(Pages, RefusedRsvpSaysWhyInsteadOfAForm) {
  web::occurrence_view o;
  o.when = session_of("Treffen");
  o.when.cancelled = true;
  o.refused = calendar::rsvp_refusal::cancelled;
  const auto html = web::render_occurrence(context(), o);
  EXPECT_FALSE(contains(html, "<form"));
  EXPECT_TRUE(contains(html, "Dieser Termin fällt aus."));
  o.refused = calendar::rsvp_refusal::past;
  EXPECT_TRUE(contains(web::render_occurrence(context(language::en), o), "has started or is over"));
}

TEST(Pages, MovedOccurrenceSaysWhenItWas) {
  web::occurrence_view o;
  o.when = session_of("Treffen");
  o.when.moved = true;
  o.original_start = calendar::local_seconds{date::local_days{2025_y / 12 / 1}} + 19h;
  const auto html = web::render_occurrence(context(), o);
  EXPECT_TRUE(contains(html, "verschoben. Ursprünglich: Mo., 1. Dez. 2025, 19:00."));
}

TEST(Pages, NotFoundInTheReadersLanguage) {
  EXPECT_TRUE(contains(web::render_not_found(context()), "Seite nicht gefunden"));
  EXPECT_TRUE(contains(web::render_not_found(context(language::en)), "Page not found"));
}

TEST(Pages, UnavailableInTheReadersLanguageAsksToCheckWhatWasSent) {
  const auto de = web::render_unavailable(context());
  EXPECT_TRUE(contains(de, "<title>Gerade nicht erreichbar"));
  EXPECT_TRUE(contains(de, "ob es angekommen ist"));
  const auto en = web::render_unavailable(context(language::en));
  EXPECT_TRUE(contains(en, "Not available right now"));
  EXPECT_FALSE(contains(en, "Gerade nicht erreichbar"));
}

TEST(Assets, ServedUnderTheirHash) {
  const auto css = web::asset_url("style.css");
  EXPECT_TRUE(std::regex_match(css, std::regex("/static/style\\.[0-9a-f]{12}\\.css")));
  const auto found = web::find_asset(css);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->content_type, "text/css; charset=utf-8");
  EXPECT_TRUE(contains(std::string(found->body), ":focus-visible"));
  EXPECT_FALSE(web::find_asset("/static/style.css"));
  EXPECT_FALSE(web::find_asset("/static/style.000000000000.css"));
  const auto js = web::find_asset(web::asset_url("app.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
}

TEST(Pages, RsvpAreaSaysWaitlistPlaceAndStandsAlone) {
  web::occurrence_view o;
  o.when = session_of("Workshop");
  o.who = web::viewer::member;
  o.answer = calendar::rsvp_answer::yes;
  o.status = web::rsvp_status::waitlisted;
  o.waitlist_position = 3;
  o.saved = true;
  o.csrf = "abc";
  const auto area = web::render_rsvp_area(context(), o);
  EXPECT_TRUE(area.starts_with("<section class=\"rsvp\""));
  EXPECT_FALSE(contains(area, "<main"));
  EXPECT_TRUE(contains(area, "Du stehst auf der Warteliste (Platz 3)."));
  EXPECT_TRUE(contains(area, "role=\"status\">Deine Antwort ist gespeichert."));
  EXPECT_TRUE(contains(area, "aria-pressed=\"true\">Ja</button>"));
  // The page shows the same area.
  EXPECT_TRUE(contains(web::render_occurrence(context(), o), area));
  o.problem = web::rsvp_problem::rate_limited;
  o.saved = false;
  const auto limited = web::render_rsvp_area(context(language::en), o);
  EXPECT_TRUE(contains(limited, "role=\"alert\">You have answered very often"));
}

TEST(Pages, GuestFormKeepsValuesAndShowsErrorsNextToFields) {
  web::occurrence_view o;
  o.when = session_of("Workshop");
  o.guest = web::guest_form{evil, "kein-at", calendar::rsvp_answer::maybe, "guest_name_missing",
                            "guest_email_invalid"};
  const auto html = web::render_occurrence(context(), o);
  expect_no_inline_code(html);
  EXPECT_TRUE(contains(html,
                       "value=\"kein-at\" aria-invalid=\"true\" "
                       "aria-describedby=\"guest-email-error\""));
  EXPECT_TRUE(contains(html, "id=\"guest-email-error\">Das sieht nicht wie eine E-Mail-Adresse"));
  EXPECT_TRUE(contains(html, "aria-describedby=\"guest-name-error\""));
  EXPECT_TRUE(contains(html, "value=\"maybe\" checked"));
  EXPECT_FALSE(contains(html, evil));
}

TEST(Pages, MePageListsRsvpsFollowsRemindersAndANewFeedLinkOnce) {
  web::me_view v;
  v.email = "anna@example.org";
  v.rsvps.push_back({session_of("Workshop"), web::rsvp_status::waitlisted, 2});
  v.follows.push_back({"antifa", "Netzwerkstelle Antifa", {}});
  v.reminders = {1440, 120};
  v.default_reminders = {1440, 120};
  v.csrf = "abc";
  auto html = web::render_me(context(), v);
  expect_no_inline_code(html);
  EXPECT_TRUE(contains(html, "Angemeldet als anna@example.org"));
  EXPECT_TRUE(contains(html, "Du stehst auf der Warteliste (Platz 2)."));
  EXPECT_TRUE(contains(html, "href=\"/events/7/20251202T180000Z\""));
  EXPECT_TRUE(contains(html, "action=\"/units/antifa/follow\""));
  EXPECT_TRUE(contains(html, "Voreinstellung: 1 Tag und 2 Stunden vorher."));
  EXPECT_TRUE(contains(html, "value=\"60\"> 1 Stunde vorher"));
  EXPECT_TRUE(contains(html, ">Link erzeugen</button>"));
  EXPECT_FALSE(contains(html, "/feeds/"));
  // Unfollow, reminders, notices, lag notices, feed link, delete account.
  EXPECT_EQ(count(html, "name=\"csrf\" value=\"abc\""), 6);
  {
    // Kept with empty fields (the server caches it per member) and filled in per request: the
    // same page. What the member typed cannot make a field of its own (it is escaped).
    auto cached = v;
    cached.csrf = "";
    auto forged = v;
    forged.email = cached.email = R"(x" name="csrf" value=""@example.org)";
    const auto empty = web::render_me(context(), cached);
    const auto slots = web::csrf_slots(empty);
    EXPECT_EQ(slots.size(), 6U);
    EXPECT_EQ(web::with_csrf(empty, slots, "abc"), web::render_me(context(), forged));
  }
  EXPECT_TRUE(contains(html, "<a href=\"/api/v1/me/export\" download>"));
  EXPECT_TRUE(contains(html, "action=\"/me/delete\""));
  // Notices on: a button to turn them off (and back, after an unsubscribe link).
  EXPECT_TRUE(contains(html, "action=\"/me/notices\""));
  EXPECT_TRUE(contains(html, "name=\"notices\" value=\"0\""));
  EXPECT_TRUE(contains(html, ">Benachrichtigungen ausschalten</button>"));
  // Lag notices on (the default): their checkbox ticked, beside the notices' switch.
  EXPECT_TRUE(contains(html, "action=\"/me/lag-notices\""));
  EXPECT_TRUE(contains(html, "name=\"lag_notices\" value=\"1\" checked"));
  EXPECT_TRUE(contains(html, "mein Kalender das erst spät zeigt"));
  v.notices = false;
  v.lag_notices = false;
  html = web::render_me(context(), v);
  EXPECT_TRUE(contains(html, ">Benachrichtigungen einschalten</button>"));
  EXPECT_TRUE(contains(html, "name=\"lag_notices\" value=\"1\" aria-describedby"));
  v.reminders = {30};
  v.reminders_chosen = true;
  v.has_feed = true;
  v.new_feed = web::feed_link{"https://treffpunkt.example/feeds/SECRET.ics"};
  html = web::render_me(context(language::en), v);
  EXPECT_TRUE(contains(html, "You get reminders 30 minutes before."));
  EXPECT_TRUE(contains(html, "value=\"30\" checked> 30 minutes before"));
  EXPECT_TRUE(contains(html, "href=\"webcal://treffpunkt.example/feeds/SECRET.ics\""));
  EXPECT_TRUE(contains(html, "value=\"https://treffpunkt.example/feeds/SECRET.ics\""));
  EXPECT_TRUE(contains(html, ">Make a new link</button>"));
}

TEST(Pages, LoginPagesInTheLayoutAndLanguage) {
  auto ctx = context(language::en);
  ctx.path = "/login";
  const auto form = web::render_login(ctx, {web::login_state::invalid_email, evil, "abc"});
  expect_no_inline_code(form);
  EXPECT_TRUE(contains(form, "<main id=\"main\""));
  EXPECT_TRUE(contains(form, "<html lang=\"en\">"));
  EXPECT_TRUE(contains(form, "aria-describedby=\"login-email-error\""));
  EXPECT_TRUE(contains(form, "name=\"csrf\" value=\"abc\""));
  EXPECT_FALSE(contains(form, evil));
  const auto expired = web::render_login(context(), {web::login_state::link_expired, {}, {}});
  EXPECT_TRUE(contains(expired, "abgelaufen oder wurde schon benutzt"));
  EXPECT_TRUE(contains(expired, "href=\"/login\""));
}

TEST(LinkPages, GuestConfirmAsksWithAPostButtonAndEscapesTheSession) {
  web::guest_confirm_view v;
  v.when = session_of(evil);
  v.action = "/rsvp/confirm/TOKEN";
  v.csrf = "abc";
  auto html = web::render_guest_confirm(context(), v);
  expect_no_inline_code(html);
  EXPECT_FALSE(contains(html, evil));
  EXPECT_TRUE(contains(html, "<h1>Teilnahme bestätigen</h1>"));
  EXPECT_TRUE(contains(html, "<form method=\"post\" action=\"/rsvp/confirm/TOKEN\">"));
  EXPECT_TRUE(contains(html, "name=\"csrf\" value=\"abc\""));
  EXPECT_TRUE(contains(html, "href=\"/events/7/20251202T180000Z\""));
  v.state = web::guest_link_state::waitlisted;
  v.waitlist_position = 3;
  html = web::render_guest_confirm(context(language::en), v);
  EXPECT_TRUE(contains(html, "<h1>You are on the waiting list (place 3)</h1>"));
  EXPECT_FALSE(contains(html, "<form"));
  v.state = web::guest_link_state::expired;
  v.when.reset();
  html = web::render_guest_confirm(context(), v);
  EXPECT_TRUE(contains(html, "<h1>Link abgelaufen</h1>"));
  EXPECT_TRUE(contains(html, "role=\"alert\""));
}

TEST(LinkPages, UnsubscribeExplainsFirstAndShowsTheWayBack) {
  web::unsubscribe_view v;
  v.action = "/unsubscribe/TOKEN";
  v.csrf = "abc";
  auto html = web::render_unsubscribe(context(), v);
  expect_no_inline_code(html);
  EXPECT_TRUE(contains(html, "<form method=\"post\" action=\"/unsubscribe/TOKEN\">"));
  EXPECT_TRUE(contains(html, "name=\"List-Unsubscribe\" value=\"One-Click\""));
  EXPECT_TRUE(contains(html, "Erinnerungen vor Terminen"));
  EXPECT_TRUE(contains(html, "href=\"/me\""));
  v.state = web::unsubscribe_state::done;
  html = web::render_unsubscribe(context(language::en), v);
  EXPECT_TRUE(contains(html, "<h1>Unsubscribed</h1>"));
  EXPECT_FALSE(contains(html, "<form"));
  EXPECT_TRUE(contains(html, "href=\"/me\""));
}

}  // namespace
