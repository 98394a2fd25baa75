#include <gtest/gtest.h>
#include <web/manage_pages.h>

#include <string>

namespace {

using namespace std::chrono_literals;
using namespace date::literals;
namespace web = treffpunkt::web;
namespace calendar = treffpunkt::calendar;
using web::language;

web::event_form first_tuesday_form() {
  web::event_form f;
  f.title = "Online-Treffen";
  f.date = "2026-02-03";  // a first Tuesday
  f.start_time = "19:00";
  f.end_time = "20:30";
  f.repeat = "monthly_weekday";
  return f;
}

bool has_error(const web::event_form_check& c, std::string_view field) {
  for (const auto& e : c.errors) {
    if (e.field == field) return true;
  }
  return false;
}

TEST(EventForm, FirstTuesdayBecomesMonthlyRuleWithWallClockTimes) {
  const auto c = web::check_event_form(first_tuesday_form(), "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input) << c.errors.front().message;
  EXPECT_EQ(c.input->start, calendar::local_seconds{date::local_days{2026_y / 2 / 3}} + 19h);
  EXPECT_EQ(c.input->end - c.input->start, 90min);
  EXPECT_EQ(c.input->rrule, "FREQ=MONTHLY;BYDAY=1TU");
  EXPECT_FALSE(c.input->capacity);
}

TEST(EventForm, EndBeforeStartEndsNextDayAndNoEndLastsTwoHours) {
  auto f = first_tuesday_form();
  f.start_time = "22:00";
  f.end_time = "01:00";
  auto c = web::check_event_form(f, "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input);
  EXPECT_EQ(c.input->end - c.input->start, 3h);
  f.end_time.clear();
  c = web::check_event_form(f, "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input);
  EXPECT_EQ(c.input->end - c.input->start, 2h);
}

TEST(EventForm, BadValuesNameTheirFieldsInTheReadersLanguage) {
  auto f = first_tuesday_form();
  f.date = "2026-02-30";
  f.start_time = "25:00";
  f.capacity = "zwölf";
  auto c = web::check_event_form(f, "Europe/Berlin", language::en);
  EXPECT_FALSE(c.input);
  EXPECT_TRUE(has_error(c, "date"));
  EXPECT_TRUE(has_error(c, "start_time"));
  EXPECT_TRUE(has_error(c, "capacity"));
  for (const auto& e : c.errors) EXPECT_NE(e.message.find("Please"), std::string::npos);
  f = first_tuesday_form();
  f.end_time = "19:00";
  c = web::check_event_form(f, "Europe/Berlin", language::de);
  EXPECT_TRUE(has_error(c, "end_time"));
  f = first_tuesday_form();
  f.repeat = "hourly";
  EXPECT_TRUE(has_error(web::check_event_form(f, "Europe/Berlin", language::de), "repeat"));
}

// <input type="date"> sends "YYYY-MM-DD": that and nothing else, 1971 to 2199, a real date.
TEST(EventForm, DatesAreExactlyYearMonthDay) {
  auto f = first_tuesday_form();
  f.repeat = "once";
  for (const char* ok : {"2026-02-03", "2028-02-29", "1971-01-01", "2199-12-31"}) {
    f.date = ok;
    const auto c = web::check_event_form(f, "Europe/Berlin", language::de);
    EXPECT_TRUE(c.input) << ok;
  }
  EXPECT_EQ(web::check_event_form(first_tuesday_form(), "Europe/Berlin", language::de).input->start,
            calendar::local_seconds{date::local_days{2026_y / 2 / 3}} + 19h);
  for (const char* bad :
       {"2026-2-3",    "2026-02-3",   "2026-2-03",   "26-02-03",         "02026-02-03",
        "2026-02-03x", "2026-02-03 ", " 2026-02-03", "2026-02-03T19:00", "2026/02/03",
        "2026-02--3",  "2026-+2-03",  "2026--2-03",  "+2026-02-03",      "+026-02-03",
        "-026-02-03",  "2026-02-29",  "2026-13-01",  "2026-00-10",       "2026-01-00",
        "2026-01-32",  "1970-12-31",  "2200-01-01",  "２０２６-02-03"}) {
    f.date = bad;
    EXPECT_TRUE(has_error(web::check_event_form(f, "Europe/Berlin", language::de), "date")) << bad;
    f = first_tuesday_form();
    f.ends = "until";
    f.until = bad;
    EXPECT_TRUE(has_error(web::check_event_form(f, "Europe/Berlin", language::de), "until")) << bad;
  }
}

TEST(EventForm, CountAndUntilEndTheSeries) {
  auto f = first_tuesday_form();
  f.ends = "count";
  f.count = "10";
  auto c = web::check_event_form(f, "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input);
  EXPECT_EQ(c.input->rrule, "FREQ=MONTHLY;BYDAY=1TU;COUNT=10");
  f.count = "0";
  EXPECT_TRUE(has_error(web::check_event_form(f, "Europe/Berlin", language::de), "count"));
  // UNTIL is the end of the last day in the zone, in UTC (RFC 5545 §3.3.10): 23:59:59 in
  // Berlin in summer is 21:59:59Z.
  f.ends = "until";
  f.until = "2026-06-30";
  c = web::check_event_form(f, "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input);
  EXPECT_EQ(c.input->rrule, "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260630T215959Z");
  f.all_day = true;
  c = web::check_event_form(f, "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input);
  EXPECT_EQ(c.input->rrule, "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260630");
  EXPECT_EQ(c.input->end - c.input->start, date::days{1});
  f.until = "2026-01-01";  // before the first date
  EXPECT_TRUE(has_error(web::check_event_form(f, "Europe/Berlin", language::de), "until"));
}

TEST(EventForm, KeepLeavesTheRuleAndOnceHasNone) {
  auto f = first_tuesday_form();
  f.repeat = "keep";
  auto c = web::check_event_form(f, "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input);
  EXPECT_FALSE(c.input->rrule);
  f.repeat = "once";
  f.ends = "count";
  f.count = "";  // ignored for a one-off event
  c = web::check_event_form(f, "Europe/Berlin", language::de);
  ASSERT_TRUE(c.input);
  EXPECT_EQ(c.input->rrule, "");
}

TEST(EventForm, FilledFromAStoredSeriesRoundTrips) {
  calendar::event e;
  e.title = "Treffen";
  e.zone = "Europe/Berlin";
  e.start = calendar::local_seconds{date::local_days{2026_y / 2 / 3}} + 19h;
  e.duration = 2h;
  e.rule = calendar::recurrence_rule::parse("FREQ=MONTHLY;BYDAY=1TU;COUNT=5").value();
  e.capacity = 12;
  auto f = web::event_form_of(e);
  EXPECT_EQ(f.date, "2026-02-03");
  EXPECT_EQ(f.start_time, "19:00");
  EXPECT_EQ(f.end_time, "21:00");
  EXPECT_EQ(f.repeat, "monthly_weekday");
  EXPECT_EQ(f.ends, "count");
  EXPECT_EQ(f.count, "5");
  EXPECT_EQ(f.capacity, "12");
  const auto c = web::check_event_form(f, e.zone, language::de);
  ASSERT_TRUE(c.input);
  EXPECT_EQ(c.input->rrule, "FREQ=MONTHLY;BYDAY=1TU;COUNT=5");
  // A rule the form does not offer is kept as it is.
  e.rule = calendar::recurrence_rule::parse("FREQ=DAILY;INTERVAL=3").value();
  EXPECT_EQ(web::event_form_of(e).repeat, "keep");
}

TEST(AttendeesCsv, BomHeaderCrlfAndRfc4180Quoting) {
  const std::vector<web::attendee_row> rows = {
      {"Jana Müller", "jana@example.org", "going", 0,
       calendar::utc_seconds{date::sys_days{2026_y / 1 / 5}} + 18h},
      {"Mo, \"der\" Zweite", "mo@example.org", "waitlisted", 1,
       calendar::utc_seconds{date::sys_days{2026_y / 1 / 6}}},
      {"Zeile\nzwei", "z@example.org", "maybe", 0, calendar::utc_seconds{}},
  };
  EXPECT_EQ(web::attendees_csv(rows),
            "\xEF\xBB\xBF"
            "name,email,state,position,answered_at\r\n"
            "Jana Müller,jana@example.org,going,,2026-01-05T18:00:00Z\r\n"
            "\"Mo, \"\"der\"\" Zweite\",mo@example.org,waitlisted,1,2026-01-06T00:00:00Z\r\n"
            "\"Zeile\nzwei\",z@example.org,maybe,,1970-01-01T00:00:00Z\r\n");
}

TEST(AttendeesCsv, FormulaCellsGetAnApostrophe) {
  for (const std::string bad : {"=1+1", "+49 30", "-2", "@SUM(A1)", "\tTab"}) {
    const auto csv = web::attendees_csv({{bad, "a@example.org", "going", 0, {}}});
    const auto line = csv.substr(csv.find("\r\n") + 2);
    EXPECT_EQ(line.substr(0, bad.size() + 1), "'" + bad) << bad;
  }
  // An address can start with a formula character too.
  const auto csv = web::attendees_csv({{"A", "=x@example.org", "going", 0, {}}});
  EXPECT_NE(csv.find(",'=x@example.org,"), std::string::npos);
  // A quote that needs quoting keeps its apostrophe inside the quotes.
  const auto quoted = web::attendees_csv({{"=a,b", "a@example.org", "going", 0, {}}});
  EXPECT_NE(quoted.find("\"'=a,b\""), std::string::npos);
}

TEST(ManagePages, FormKeepsTypedValuesEscapedAndLinksErrorsToFields) {
  web::page_context ctx;
  ctx.path = "/manage/units/bildung/events/new";
  web::event_form_view v;
  v.unit = {"bildung", "Netzwerkstelle Bildung", ""};
  v.zone = "Europe/Berlin";
  v.form = first_tuesday_form();
  v.form.title = "<script>x</script>";
  v.form.start_time = "25:00";
  v.errors = {{"start_time", "Bitte gib eine Uhrzeit wie 19:00 ein."}};
  v.csrf = "tok";
  const auto html = web::render_event_form(ctx, v);
  EXPECT_EQ(html.find("<script>x"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;x"), std::string::npos);
  EXPECT_NE(html.find(R"(value="25:00" aria-invalid="true" aria-describedby="e-start_time")"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<p class="field-error" id="e-start_time">)"), std::string::npos);
  EXPECT_NE(html.find(R"(href="#f-start_time")"), std::string::npos);  // the summary links it
  // The repeat choices in words for the entered date.
  EXPECT_NE(html.find(R"(<option value="monthly_weekday" selected>jeden ersten Dienstag im Monat)"),
            std::string::npos);
  EXPECT_NE(html.find(R"(name="csrf" value="tok")"), std::string::npos);
}

TEST(ManagePages, EveryPageRendersInBothLanguages) {
  for (const auto l : {language::de, language::en}) {
    web::page_context ctx;
    ctx.lang = l;
    ctx.path = "/manage";
    EXPECT_NE(web::render_manage_home(ctx, {}).find("<h1>"), std::string::npos);
    EXPECT_NE(web::render_manage_unit(ctx, {}).find("<h1>"), std::string::npos);
    EXPECT_NE(web::render_manage_event(ctx, {}).find("<h1>"), std::string::npos);
    EXPECT_NE(web::render_manage_attendees(ctx, {}).find("<h1>"), std::string::npos);
    EXPECT_NE(web::render_admin(ctx, {}).find("<h1>"), std::string::npos);
    EXPECT_NE(web::render_admin_outbox(ctx, {}).find("<h1>"), std::string::npos);
    EXPECT_NE(web::render_admin_people(ctx, {}).find("<h1>"), std::string::npos);
    EXPECT_NE(web::render_forbidden(ctx).find("<h1>"), std::string::npos);
  }
}

}  // namespace
