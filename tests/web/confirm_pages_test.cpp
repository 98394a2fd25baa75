// "Still happening?": the confirm page and the flags of unconfirmed series, in both languages.
#include <gtest/gtest.h>
#include <web/confirm_pages.h>
#include <web/manage_pages.h>

#include <string>

namespace {

using namespace std::chrono_literals;
using namespace date::literals;
namespace web = treffpunkt::web;
namespace calendar = treffpunkt::calendar;
using web::language;

web::confirm_series_view series_view() {
  web::confirm_series_view v;
  v.unit = {"bildung", "Netzwerkstelle Bildung", ""};
  v.event = calendar::event_id{7};
  v.title = "Offenes <Treffen>";
  v.rule = "jeden Dienstag";
  web::session next;
  next.event = v.event;
  next.start = calendar::local_seconds{date::local_days{2026_y / 8 / 11}} + 19h;
  next.end = next.start + 2h;
  v.next = {next};
  v.since = date::local_days{2026_y / 6 / 10};
  v.asked = date::local_days{2026_y / 8 / 5};
  v.csrf = "tok";
  return v;
}

web::page_context context(language l) {
  web::page_context ctx;
  ctx.lang = l;
  ctx.path = "/manage/events/7/confirm";
  return ctx;
}

TEST(ConfirmPage, ShowsTheSeriesItsNextDatesAndTheButtonThatPosts) {
  const auto html = web::render_confirm_series(context(language::de), series_view());
  EXPECT_NE(html.find("<h1>Findet „Offenes &lt;Treffen&gt;“ noch statt?</h1>"), std::string::npos);
  EXPECT_NE(html.find("Zuletzt bearbeitet oder bestätigt"), std::string::npos);
  EXPECT_NE(html.find(R"(<time datetime="2026-06-10">)"), std::string::npos);
  EXPECT_NE(html.find(R"(<time datetime="2026-08-11T19:00">)"), std::string::npos);
  EXPECT_NE(html.find("Die Verantwortlichen wurden am "), std::string::npos);
  EXPECT_NE(
      html.find(R"(<form class="manage-form" method="post" action="/manage/events/7/confirm">)"),
      std::string::npos);
  EXPECT_NE(html.find(R"(name="csrf" value="tok")"), std::string::npos);
  EXPECT_NE(html.find(">Findet weiter statt</button>"), std::string::npos);
  EXPECT_NE(html.find(R"(href="/manage/events/7/edit")"), std::string::npos);
  EXPECT_EQ(html.find("Danke!"), std::string::npos);

  auto done = series_view();
  done.asked.reset();
  done.confirmed_now = true;
  const auto after = web::render_confirm_series(context(language::en), done);
  EXPECT_NE(after.find("<h1>Is “Offenes &lt;Treffen&gt;” still happening?</h1>"),
            std::string::npos);
  EXPECT_NE(after.find("Thank you! The series is confirmed."), std::string::npos);
  EXPECT_NE(after.find(">Still happening</button>"), std::string::npos);
  EXPECT_EQ(after.find("were asked"), std::string::npos);
}

TEST(ConfirmPage, UnconfirmedSaysSoAndClosedHasNoButton) {
  auto v = series_view();
  v.unconfirmed = true;
  const auto flagged = web::render_confirm_series(context(language::en), v);
  EXPECT_NE(flagged.find("Nobody has answered since the question on Wed, 5 Aug 2026: the series "
                         "counts as unconfirmed."),
            std::string::npos);
  v.open = false;
  const auto closed = web::render_confirm_series(context(language::de), v);
  EXPECT_EQ(closed.find("<form"), std::string::npos);
  EXPECT_NE(closed.find("Es gibt nichts zu bestätigen."), std::string::npos);
}

TEST(ConfirmPage, UnitPageAndAdminFlagUnconfirmedSeriesWithALinkToConfirm) {
  const web::unconfirmed_flag flag{calendar::event_id{7}, "Offenes Treffen",
                                   "Netzwerkstelle Bildung", date::local_days{2026_y / 8 / 5}};
  web::manage_unit_view unit;
  unit.unit = {"bildung", "Netzwerkstelle Bildung", ""};
  EXPECT_EQ(web::render_manage_unit(context(language::de), unit).find("Unbestätigte Reihen"),
            std::string::npos);
  unit.unconfirmed = {flag};
  const auto page = web::render_manage_unit(context(language::de), unit);
  EXPECT_NE(page.find("<h2 id=\"unconfirmed-heading\">Unbestätigte Reihen</h2>"),
            std::string::npos);
  EXPECT_NE(page.find("gefragt am Mi., 5. Aug. 2026"), std::string::npos);
  EXPECT_NE(
      page.find(
          R"(<a href="/manage/events/7/confirm" aria-label="Bestätigen: Offenes Treffen">Bestätigen</a>)"),
      std::string::npos);

  web::admin_view admin;
  EXPECT_EQ(web::render_admin(context(language::en), admin).find("Unconfirmed series"),
            std::string::npos);
  admin.unconfirmed = {flag};
  const auto en = web::render_admin(context(language::en), admin);
  EXPECT_NE(en.find("<h2 id=\"unconfirmed\">Unconfirmed series</h2>"), std::string::npos);
  EXPECT_NE(en.find("Offenes Treffen</a> (Netzwerkstelle Bildung) · asked on Wed, 5 Aug 2026"),
            std::string::npos);
  EXPECT_NE(en.find(R"(href="/manage/events/7/confirm")"), std::string::npos);
}

}  // namespace
